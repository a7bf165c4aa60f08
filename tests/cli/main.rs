//! The one integration-test binary: fixture guides → run the real `guidesmith` binary →
//! compare stdout/stderr/exit codes and output trees (mdBook's BookTest style).

mod harness;

mod build;
mod check;
mod edits;
mod import;
mod markdown_compat;
mod nav;
mod output;
mod search;
mod serve;
mod serve_live;
mod sharing;
mod tools;
mod watch;
