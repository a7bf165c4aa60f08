//! Search: builds the client-side index from the sections the render pass already produced.
//!
//! Contract with the rest of the pipeline (site.rs calls `build`): input is one `Section` per
//! heading section of a chapter and one per checklist item; output is a set of classic-script
//! files under `search/` plus the path of the entry script the client loads on first focus.
//!
//! Owns: everything under `search/` in the built site. `tokenize` (shared with
//! `themes/default/static/search.js` through test vectors), `pinyin` (vocabulary → keys),
//! `index` (postings, BM25F impacts) and `output` (payload, sharding, content hashes).
//!
//! Must never: use other main-crate modules (only `super::`/`self::` paths), read or write files,
//! produce different bytes for the same input, or panic on any input.

mod cache;
pub mod client;
mod fxhash;
pub mod index;
pub mod output;
pub mod pinyin;
pub mod tokenize;

/// One searchable unit: a heading section of a chapter, or one checklist item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// Site-relative URL of the page, e.g. `prepare/evidence.html`.
    pub page: String,
    /// Fragment id of the section on that page ("" = top of page).
    pub anchor: String,
    /// Title of the page.
    pub page_title: String,
    /// Heading text of the section ("" for text before the first heading).
    pub heading: String,
    /// Breadcrumb from the part down to the parent heading, e.g. ["事前准备", "整理证据"].
    pub breadcrumb: Vec<String>,
    /// Plain text of the section body (prose, lists, tables), without code blocks.
    pub text: String,
    /// Plain text of code blocks in the section (indexed with a low weight).
    pub code: String,
}

pub use cache::Cache;

/// The files to add to the site.
#[derive(Debug, Clone, Default)]
pub struct SearchOutput {
    /// (site-relative path, bytes), e.g. ("search/index-1a2b3c4d.js", …).
    /// Shared, so a rebuild hands unchanged files over without copying them.
    pub files: Vec<(String, std::sync::Arc<Vec<u8>>)>,
    /// Site-relative path of the script the client loads first.
    pub entry: String,
}

/// Output layout choice.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Layout {
    /// One file while the estimated gzipped size stays under `output::SHARD_THRESHOLD`.
    #[default]
    Auto,
    /// Always one `search/index-<hash>.js`.
    Single,
    /// Always a manifest plus term and section shards.
    Sharded,
}

/// Builds the search files for `sections` (one file for a guide-sized site, shards past
/// ~300 KB gzipped). Deterministic: the same sections give the same bytes.
pub fn build(sections: &[Section]) -> SearchOutput {
    build_with(sections, Layout::Auto)
}

/// `build` with an explicit layout (benchmarks and tests).
pub fn build_with(sections: &[Section], layout: Layout) -> SearchOutput {
    cache::build(sections, layout, &mut Cache::one_shot())
}

/// `build` reusing the work of earlier builds kept in `cache` (same bytes as `build`): after a
/// one-section edit only that section is re-tokenised and only the files it reaches are rewritten.
pub fn build_cached(sections: &[Section], cache: &mut Cache) -> SearchOutput {
    cache::build(sections, Layout::Auto, cache)
}

/// `build_cached`, calling `analysed` once the parallel analysis of the sections is done (see
/// `cache::build_notify`).
pub fn build_cached_notify(
    sections: &[Section],
    cache: &mut Cache,
    analysed: impl FnOnce(),
) -> SearchOutput {
    cache::build_notify(sections, Layout::Auto, cache, analysed)
}

/// `build_cached` with an explicit layout.
pub fn build_cached_with(sections: &[Section], layout: Layout, cache: &mut Cache) -> SearchOutput {
    cache::build(sections, layout, cache)
}

/// The straightforward pipeline (`index::build` + `pinyin::vocabulary` + `output::write`): the
/// reference the cached path must match byte for byte.
pub fn build_reference(sections: &[Section], layout: Layout) -> SearchOutput {
    let idx = index::build(sections);
    let (vocab, chars) = pinyin::vocabulary(sections);
    output::write(sections, &idx, &vocab, &chars, layout)
}

#[cfg(test)]
mod tests;
