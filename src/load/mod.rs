//! Loading the guide: read and parse every input, collecting ALL diagnostics.
//!
//! First stage of the pipeline, in three steps: `walk` lists `guide/` in sorted order without
//! following symlinks; `read` decodes every file (`source`) and parses `guide.yaml`, chapter
//! front matter (`parse`), checklists and tools, through the `LoadCache`; `nav` cross-checks the nav
//! against the files. It never renders and never writes.

mod nav;
mod parse;
mod read;
mod walk;

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;
use serde_saphyr::Spanned;

use crate::checklist::Checklist;
use crate::config::GuideConfig;
use crate::diag::Diagnostic;
use crate::markdown::RenderOptions;

pub use read::LoadCache;
pub use walk::is_ignored_name;

/// Everything the rest of the pipeline needs, read and validated.
#[derive(Debug, Clone)]
pub struct Guide {
    /// How the guide directory is shown in diagnostics (e.g. `guide`).
    pub display_root: String,
    pub config: GuideConfig,
    /// Hash of `guide.yaml`'s text: stands in for everything derived from the config.
    pub config_key: u64,
    /// The home page (`index.md`), if present.
    pub home: Option<Chapter>,
    /// Chapters in nav order.
    pub chapters: Vec<Chapter>,
    /// Checklists sorted by id.
    pub checklists: Vec<Checklist>,
    /// Tools (`tools/*.yaml`) sorted by id.
    pub tools: Vec<crate::tool::Tool>,
    /// Other files, by guide-relative path.
    pub assets: BTreeMap<String, Vec<u8>>,
    /// Chapter files that nav does not list (warned about, not published), sorted.
    pub unlisted: Vec<String>,
    /// Draft chapters (`draft: true`) left out of this build, in nav order; empty when
    /// `LoadOptions::drafts` publishes them.
    pub drafts: Vec<String>,
    /// Chapters, checklists and tools that failed to load, by guide-relative path: their own
    /// errors are the root cause, so what refers to them reports nothing more.
    pub failed: std::collections::BTreeSet<String>,
}

/// A chapter file: its source text and parsed front matter.
#[derive(Debug, Clone)]
pub struct Chapter {
    /// Guide-relative path, e.g. `chapters/prepare/evidence.md`.
    pub source: String,
    /// Path shown to the user.
    pub display: String,
    /// Page URL relative to the site root.
    pub url: String,
    /// The whole file, normalised (shared: a rebuild copies chapters out of the cache).
    pub text: std::sync::Arc<str>,
    pub body_start: usize,
    /// Byte offset of the front-matter YAML in `text` (for positions of its values).
    pub front_start: usize,
    pub front: FrontMatter,
    /// How the body is rendered (guide.yaml's `markdown:` and whether the body's `# H1` is
    /// the title); `key` covers it.
    pub render: RenderOptions,
    /// Index of the nav part it belongs to (None for the home page).
    pub part: Option<usize>,
    /// The chapters it is nested under in nav (`sections:`), outermost first, by source path;
    /// empty for a part's own chapters. A draft left out of a build may be among them.
    pub ancestors: Vec<String>,
    /// Hash of (source, display, text, render options): the key of everything derived from
    /// this file and the guide-wide options alone.
    pub key: u64,
}

/// Chapter front matter (optional as a whole).
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    /// Default: the text of the `# H1` the body starts with.
    #[serde(default)]
    pub title: String,
    /// Default: guide.yaml's `description`.
    #[serde(default)]
    pub description: String,
    /// "本章要点".
    #[serde(default)]
    pub summary: Vec<String>,
    #[serde(default)]
    pub checklists: Vec<Spanned<String>>,
    #[serde(default)]
    pub updated: Option<Spanned<String>>,
    /// `search: {boost: 0.5}`: how the page weighs in search (MkDocs Material's key).
    #[serde(default)]
    pub search: SearchFront,
    /// A draft: left out of `build` (pages, nav, search, sitemap, print page); `serve` shows it
    /// with a 草稿 badge.
    #[serde(default)]
    pub draft: bool,
}

/// A page's search settings.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SearchFront {
    /// Factor on the page's search score, `MIN_BOOST..=MAX_BOOST`; 1 when absent.
    #[serde(default)]
    pub boost: Option<Spanned<f64>>,
}

/// The range of `search.boost`: enough to push a page down or up, never out of the results.
pub const MIN_BOOST: f64 = 0.1;
pub const MAX_BOOST: f64 = 10.0;

/// Where to read from and how much to accept.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    pub guide_dir: PathBuf,
    /// How the guide dir is shown in diagnostics (e.g. `guide`).
    pub display_root: String,
    pub max_file_bytes: u64,
    /// Publish draft chapters (`serve`'s preview) instead of leaving them out.
    pub drafts: bool,
}

/// Reads and validates the whole guide.
pub fn load(opts: &LoadOptions) -> (Option<Guide>, Vec<Diagnostic>) {
    load_cached(opts, &mut LoadCache::default())
}

/// `load`, reusing chapters parsed by earlier calls with the same cache.
pub fn load_cached(opts: &LoadOptions, cache: &mut LoadCache) -> (Option<Guide>, Vec<Diagnostic>) {
    let result = load_inner(opts, cache);
    let live = std::mem::take(&mut cache.live);
    cache.chapters.retain(|k, _| live.contains(k));
    let live = std::mem::take(&mut cache.checklists_live);
    cache.checklists.retain(|k, _| live.contains(k));
    result
}

fn load_inner(opts: &LoadOptions, cache: &mut LoadCache) -> (Option<Guide>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let root = &opts.guide_dir;
    let show = |rel: &str| format!("{}/{rel}", opts.display_root.trim_end_matches('/'));
    if !root.is_dir() {
        diags.push(
            Diagnostic::error(opts.display_root.clone(), "guide directory not found")
                .with_help("run in the folder that contains guide/, or pass --guide DIR"),
        );
        return (None, diags);
    }
    // 1. The file list (the last walk's while a watcher vouches nothing was added or removed).
    let (files, walk_diags) = match cache.walk.as_ref().filter(|_| cache.trusted) {
        Some(w) => w.clone(),
        None => {
            let w = walk::walk(root, &show);
            if cache.trusted {
                cache.walk = Some(w.clone());
            }
            w
        }
    };
    diags.extend(walk_diags);
    // 2. Every file read and parsed.
    let fetched = read::prefetch(&files, opts, &show, cache);
    let read = read::read_all(&files, opts, &show, cache, fetched, &mut diags);
    let Some((config, config_text)) = read.config else {
        if !files.iter().any(|(r, _)| r == "guide.yaml") {
            diags.push(
                Diagnostic::error(show("guide.yaml"), "guide.yaml is missing")
                    .with_help("create guide/guide.yaml with title, description, updated, notice and nav (docs/content-model.md)"),
            );
        }
        return (None, diags);
    };
    // 3. Nav ↔ files, and output paths.
    let (mut chapters, unlisted) = nav::order(
        &config,
        &config_text,
        read.chapters,
        &files,
        &read.failed,
        &show,
        &mut diags,
    );
    // Drafts leave here, so nothing downstream (pages, nav, prev/next, search, sitemap, print
    // page) can publish one by accident; `links` only learns their names, to warn.
    let mut drafts = Vec::new();
    if !opts.drafts {
        chapters.retain(|ch| {
            if ch.front.draft {
                drafts.push(ch.source.clone());
            }
            !ch.front.draft
        });
    }
    let (mut home, mut checklists, assets, failed) =
        (read.home, read.checklists, read.assets, read.failed);
    let mut tools = read.tools;
    tools.sort_by(|a, b| a.id.cmp(&b.id));
    for ch in home.iter_mut().chain(chapters.iter_mut()) {
        apply_config(ch, &config);
    }
    nav::output_collisions(home.as_ref(), &chapters, &checklists, &assets, &mut diags);
    nav::extra_css(&config, &config_text, &assets, &show, &mut diags);
    checklists.sort_by(|a, b| a.id.cmp(&b.id));
    let guide = Guide {
        display_root: opts.display_root.trim_end_matches('/').to_owned(),
        config,
        config_key: crate::digest::digest_parts(&[config_text.as_bytes()]),
        home,
        chapters,
        checklists,
        tools,
        assets,
        unlisted,
        drafts,
        failed,
    };
    (Some(guide), diags)
}

/// `guide.yaml`'s parser, for tests elsewhere in the crate (the import's output must parse).
#[cfg(test)]
pub fn parse_config_for_tests(text: &str) -> (Option<GuideConfig>, Vec<Diagnostic>) {
    parse::parse_config(text, "guide.yaml")
}

impl Guide {
    /// Whether checklist `id`'s file failed to load (its own error is the root cause).
    pub fn checklist_failed(&self, id: &str) -> bool {
        self.failed
            .iter()
            .any(|f| crate::source::checklist_stem(f) == Some(id))
    }

    /// Whether some chapter failed to load, so which checklists are used is not known.
    pub fn a_chapter_failed(&self) -> bool {
        self.failed.iter().any(|f| f.ends_with(".md"))
    }

    /// The published chapters `ch` is nested under in nav, outermost first.
    pub fn ancestors<'g>(&'g self, ch: &Chapter) -> Vec<&'g Chapter> {
        ch.ancestors
            .iter()
            .filter_map(|a| self.chapters.iter().find(|c| c.source == *a))
            .collect()
    }
}

/// What guide.yaml decides about a chapter: the render options (folded into its key, so a
/// cached render is never reused under other options) and the default description.
fn apply_config(ch: &mut Chapter, config: &GuideConfig) {
    let guide_wide = RenderOptions::from_config(&config.markdown);
    if guide_wide != RenderOptions::from_config(&Default::default()) {
        let opts = format!("{:?}", config.markdown);
        ch.key = crate::digest::digest_parts(&[&ch.key.to_le_bytes(), opts.as_bytes()]);
    }
    ch.render = RenderOptions {
        title_h1: ch.render.title_h1,
        ..guide_wide
    };
    if ch.front.description.trim().is_empty() {
        ch.front.description = config.description.clone();
    }
}
