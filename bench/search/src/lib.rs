//! guidesmith's search module, compiled alone for benchmarks.
#[path = "../../../src/search/mod.rs"]
pub mod search;
#[path = "../../../src/digest.rs"]
pub mod digest;
