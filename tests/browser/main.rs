//! Browser tests: the built site in headless Chromium over the DevTools protocol.
//!
//! Skipped (with a message) when no Chromium is installed, unless `GUIDESMITH_REQUIRE_BROWSER=1`
//! (CI sets it), in which case a missing browser is a failure. Every page gets a probe script
//! (injected by the DevTools protocol, so the page's CSP does not apply to it) that records
//! script errors, failed resource loads and CSP violations; tests assert that list is empty.

mod a11y;
mod checklists;
mod harness;
mod keyboard;
mod offline;
mod search;
mod serve;
mod site;

pub use harness::*;
