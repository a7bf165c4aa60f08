//! Browser tests: the built site in headless Chromium over the DevTools protocol.
//!
//! One Chromium serves the whole binary; each test runs in its own incognito browser context
//! (fresh tabs, storage, cache and service workers), one test at a time. Without Chromium each
//! test prints a `SKIP` line and passes, unless `GUIDESMITH_REQUIRE_BROWSER=1` (CI sets it), in
//! which case a missing browser (or axe-core) is a failure. Temporary files live in one folder
//! per test process, removed when it exits. Every page gets a probe script
//! (injected by the DevTools protocol, so the page's CSP does not apply to it) that records
//! script errors, failed resource loads and CSP violations; tests assert that list is empty.

mod a11y;
mod checklists;
mod harness;
mod keyboard;
mod nav;
mod notfound;
mod offline;
mod paper;
mod reading;
mod search;
mod serve;
mod site;
mod tools;

pub use harness::*;
