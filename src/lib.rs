//! guidesmith: a static-site generator for one practical Chinese guide.
//!
//! The pipeline is plain functions over owned values (see ARCHITECTURE.md):
//! `load` (read + validate every input, collect all diagnostics) → `render` (one pulldown-cmark
//! pass per chapter, in parallel) → `site` (theme + checklists + search → an in-memory `Site`)
//! → `output` (staging dir + swap) or `serve` (in memory).

// Diagnostics are the error type throughout; they are built on the (rare) error path only, so
// their size does not matter and boxing them would only add noise.
#![allow(clippy::result_large_err)]

pub mod checklist;
pub mod cli;
pub mod config;
pub mod diag;
pub mod digest;
pub mod external;
pub mod frontmatter;
pub mod highlight;
pub mod hygiene;
pub mod import;
pub mod links;
pub mod load;
pub mod markdown;
pub mod output;
pub mod scaffold;
pub mod search;
pub mod site;
pub mod slug;
pub mod source;
pub mod theme;
pub mod tool;
pub mod tool_refs;
pub mod yaml;
