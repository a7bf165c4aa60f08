//! guidesmith: a static-site generator for one practical Chinese guide.
//!
//! The pipeline is plain functions over owned values (see ARCHITECTURE.md):
//! `load` (read + validate every input, collect all diagnostics) → `render` (one pulldown-cmark
//! pass per chapter, in parallel) → `site` (theme + checklists + search → an in-memory `Site`)
//! → `output` (staging dir + swap) or `serve` (in memory).

pub mod checklist;
pub mod cli;
pub mod config;
pub mod diag;
pub mod frontmatter;
pub mod highlight;
pub mod links;
pub mod load;
pub mod markdown;
pub mod output;
pub mod search;
// TEMP pub mod serve;
pub mod site;
pub mod slug;
pub mod source;
pub mod theme;
pub mod yaml;
