//! Building the site in memory. `build` is the one entry point shared by the `build`, `serve`
//! and `check` commands, and reads as its stages: load every input file (`load`); compile the
//! theme; render the chapters (`markdown`, on all cores); check links and facts hygiene;
//! static assets; the search index beside the pages (`pages`, `checklists`, `tools`); sitemap and other
//! files; offline support (`offline`).
//!
//! It is deterministic (same input → same bytes) and touches the file system only to read. The
//! `Cache` memoises every stage's results by content digest across `serve` rebuilds; since each
//! stage is a pure function of its inputs, a cached result can never be stale.

mod assets;
mod checklists;
mod context;
mod enhance;
mod notfound;
mod offline;
mod pages;
mod print;
mod qr;
mod sections;
mod sitemap;
mod timings;
mod tools;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;

use crate::diag::{self, Diagnostic};
use crate::load::{self, Chapter, LoadOptions};
use crate::markdown::{self, page_url, Rendered};
use crate::search;
use crate::theme::{self, Theme};

pub use offline::offline_files;
pub use timings::Stopwatch;

/// Guides with more chapters than this get their nav from one shared script instead of a copy
/// in every page, so page size stays independent of guide size.
pub const NAV_INLINE_MAX: usize = 200;

/// The partial that renders a checklist's form.
const FORM_TEMPLATE: &str = "partials/checklist-form.html";

/// Stable path of the search entry script: every page points at it, so a content-hashed name
/// would change every page on any text edit. The shards it loads keep their hashed names.
pub const SEARCH_ENTRY: &str = "search/index.js";

/// The bytes of one output file. Shared, so a rebuild reuses unchanged pages without copying
/// them and comparing two builds can stop at pointer equality.
pub type Blob = Arc<Vec<u8>>;

/// The built site: site-relative path → bytes. Pure data, written by `output` or served.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Site {
    pub files: BTreeMap<String, Blob>,
}

impl Site {
    /// Adds or replaces a file.
    pub fn put(&mut self, path: impl Into<String>, bytes: impl Into<Blob>) {
        self.files.insert(path.into(), bytes.into());
    }
}

/// What to build from.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub load: LoadOptions,
    /// Theme override directory and how to show it (`themes/NAME`).
    pub theme_dir: Option<(PathBuf, String)>,
    /// Overrides guide.yaml's base_url (sitemap.xml, 404.html, og:url, printed checklists).
    pub base_url: Option<String>,
    /// Print each stage's wall time and resident memory to stderr (`--timings`).
    pub timings: bool,
}

/// A successful build: the site and any warnings.
#[derive(Debug, Clone)]
pub struct Built {
    pub site: Site,
    pub warnings: Vec<Diagnostic>,
    /// Number of chapters rendered afresh (the rest came from the cache).
    pub rendered: usize,
    /// Digests of the site's files as the offline step took them (all but a few):
    /// `output::write` reuses them instead of reading every byte again.
    pub digests: Digests,
    /// Every outside http(s) link the chapters make, for `check --external`.
    pub outside: Vec<crate::external::Occurrence>,
}

/// File digests (`digest::digest`) by site path.
pub type Digests = HashMap<String, u64>;

/// Results of earlier builds, for `serve` and `build --watch` rebuilds.
#[derive(Default)]
pub struct Cache {
    load: load::LoadCache,
    /// Chapter renders by the chapter's load key (a digest of its path and text).
    renders: HashMap<u64, Arc<Rendered>>,
    /// Final page HTML keyed by a digest of (theme files, template, page context): a body edit
    /// re-renders one page, a title change re-renders the pages that show it.
    pages: HashMap<u64, Blob>,
    /// Keys used by the current build, so `pages` keeps only what the site still uses.
    pages_live: HashSet<u64>,
    /// Rendered fragments (checklist forms, print-page chapters), keyed like `pages`.
    fragments: HashMap<u64, String>,
    fragments_live: HashSet<u64>,
    /// The compiled theme and the digest of the files it was compiled from.
    theme: Option<(u64, Arc<Theme>)>,
    /// `digest` of each output file, reused while the file's bytes are the same allocation.
    digests: HashMap<String, (Blob, u64)>,
    /// A one-shot build (`build`, `check`) never rebuilds, so it keeps no page copies.
    one_shot: bool,
    /// Search analyses per section.
    search: search::Memo,
    /// Forbidden-claim findings per chapter.
    hygiene: crate::hygiene::Memo,
}

impl Cache {
    /// A cache for a single build: chapter renders are still shared within the build, but no
    /// copy of every page is kept for a rebuild that will never come (halves peak memory).
    pub fn one_shot() -> Cache {
        Cache {
            one_shot: true,
            load: load::LoadCache::one_shot(),
            search: search::Memo::one_shot(),
            ..Cache::default()
        }
    }

    /// Tells the loader which guide-relative paths changed since the last build (`None`:
    /// anything may have changed). Only a watcher calls this; see `load::LoadCache::changed`.
    pub fn changed(&mut self, rels: Option<&[String]>) {
        self.load.changed(rels);
    }

    /// The compiled theme, reused while its files are the same.
    fn theme(
        &mut self,
        opts: &BuildOptions,
    ) -> Result<(Arc<Theme>, theme::ThemeFiles, u64), Vec<Diagnostic>> {
        let dir = opts
            .theme_dir
            .as_ref()
            .map(|(p, d)| (p.as_path(), d.as_str()));
        let files = theme::load_files(dir)?;
        let parts: Vec<&[u8]> = files
            .files
            .iter()
            .flat_map(|(k, v)| [k.as_bytes(), v.as_slice()])
            .collect();
        let key = crate::digest::digest_parts(&parts);
        let compiled = match &self.theme {
            Some((k, t)) if *k == key => Arc::clone(t),
            _ => Arc::new(Theme::new(&files)?),
        };
        if !self.one_shot {
            self.theme = Some((key, Arc::clone(&compiled)));
        }
        Ok((compiled, files, key))
    }

    /// Drops page and form entries the last build did not use.
    fn prune_pages(&mut self) {
        let live = std::mem::take(&mut self.pages_live);
        self.pages.retain(|k, _| live.contains(k));
        let live = std::mem::take(&mut self.fragments_live);
        self.fragments.retain(|k, _| live.contains(k));
    }
}

/// A rendered page as a blob, without the slack its string grew (pages are held until written).
fn blob(mut v: Vec<u8>) -> Blob {
    v.shrink_to_fit();
    Arc::new(v)
}

/// Builds the whole site in memory. On any error-level diagnostic, returns all diagnostics.
pub fn build(opts: &BuildOptions, cache: &mut Cache) -> Result<Built, Vec<Diagnostic>> {
    let mut clock = Stopwatch::new(opts.timings);
    // 1. Load and validate every input file.
    let (guide, mut diags) = load::load_cached(&opts.load, &mut cache.load);
    clock.lap("load");
    // 2. The theme.
    let theme = cache.theme(opts);
    let Some(guide) = guide else {
        diags.extend(theme.err().unwrap_or_default());
        return Err(finish(diags));
    };
    // 3. Render every chapter.
    let pages: Vec<&Chapter> = guide.home.iter().chain(guide.chapters.iter()).collect();
    let (rendered, fresh) = render_all(&pages, cache);
    let rendered: Vec<&Rendered> = rendered.iter().map(Arc::as_ref).collect();
    clock.lap("render");
    // 4. Links, facts hygiene and orphan checklists.
    for r in &rendered {
        diags.extend(r.diags.iter().cloned());
    }
    diags.extend(crate::links::check(&guide, &pages, &rendered));
    diags.extend(crate::hygiene::check(
        &guide,
        &pages,
        &rendered,
        &mut cache.hygiene,
    ));
    diags.extend(crate::tool_refs::check(&guide));
    clock.lap("check");
    let (theme, files, theme_key) = match theme {
        Ok(t) => t,
        Err(d) => {
            diags.extend(d);
            return Err(finish(diags));
        }
    };
    if diags.iter().any(Diagnostic::is_error) {
        return Err(finish(diags));
    }
    // 5. Static assets, and the context every page shares.
    let assets = assets::static_assets(&files, !guide.tools.is_empty());
    let mut site = Site::default();
    let base_url = opts
        .base_url
        .clone()
        .or_else(|| guide.config.base_url.clone());
    let shared =
        context::Shared::new(&guide, &assets, &mut site, base_url.as_deref()).map_err(finish)?;
    let dims = enhance::image_dims(&guide.assets);
    let inputs = pages::Inputs {
        guide: &guide,
        pages: &pages,
        rendered: &rendered,
        theme: &theme,
        theme_key,
        shared: &shared,
        base_url: base_url.as_deref(),
        dims: &dims,
        extra_key: crate::digest::digest_json(&(&dims, &base_url)),
    };
    clock.lap("assets");
    // 6. The search index and the pages do not depend on each other: side by side.
    let sections = sections::search_sections(&guide, &pages, &rendered);
    let mut memo = std::mem::take(&mut cache.search);
    let ranking = sections::ranking(&guide, &pages);
    let (search_out, page_diags) = rayon::join(
        || search::build(&sections, &ranking, &mut memo),
        || all_pages(&inputs, cache, &mut site),
    );
    if !cache.one_shot {
        cache.search = memo;
    }
    if !page_diags.is_empty() {
        return Err(finish(page_diags));
    }
    clock.lap("pages");
    // 7. Sitemap (its URLs must be absolute: only with a base URL), the 404 page's helpers
    // (only without one), search files, assets.
    match base_url.as_deref() {
        Some(base) => site.put("sitemap.xml", sitemap::sitemap(&guide, &pages, base)),
        None => {
            for (path, bytes) in notfound::helpers(&site) {
                if !site.files.contains_key(&path) {
                    site.put(path, bytes);
                }
            }
        }
    }
    for (path, bytes) in search_out.files {
        let path = if path == search_out.entry {
            SEARCH_ENTRY.to_owned()
        } else {
            path
        };
        site.put(path, bytes);
    }
    for (url, bytes) in assets.files {
        site.put(url, bytes);
    }
    for (source, bytes) in &guide.assets {
        site.put(page_url(source), bytes.clone());
    }
    // 8. Offline support last: it lists and digests every other file.
    let memo = (!cache.one_shot).then_some(&mut cache.digests);
    let (offline, digests) = offline_files(&site, &guide.config, memo);
    for (path, bytes) in offline {
        site.put(path, bytes);
    }
    cache.prune_pages();
    clock.lap("offline");
    let outside = outside_links(&pages, &rendered);
    Ok(Built {
        site,
        warnings: finish(diags),
        rendered: fresh,
        digests,
        outside,
    })
}

/// Every page: chapters, home, checklists, search and 404. Returns the template errors.
fn all_pages(inp: &pages::Inputs, cache: &mut Cache, site: &mut Site) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    pages::chapters(inp, cache, site, &mut diags);
    checklists::pages(inp, cache, site, &mut diags);
    tools::pages(inp, cache, site, &mut diags);
    pages::search_and_404(inp, cache, site, &mut diags);
    print::page(inp, cache, site, &mut diags);
    diags
}

/// The outside links of every page, with where they are.
fn outside_links(pages: &[&Chapter], rendered: &[&Rendered]) -> Vec<crate::external::Occurrence> {
    let mut out = Vec::new();
    for (p, r) in pages.iter().zip(rendered) {
        out.extend(r.outside.iter().map(|o| crate::external::Occurrence {
            url: o.url.clone(),
            display: p.display.clone(),
            text: Arc::clone(&p.text),
            line: o.line,
            col: o.col,
            len: o.len,
        }));
    }
    out
}

fn finish(mut diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    diag::sort(&mut diags);
    diags.dedup();
    diags
}

/// Renders the chapters the cache does not hold, on all cores; returns every chapter's render
/// in order and how many were fresh.
fn render_all(pages: &[&Chapter], cache: &mut Cache) -> (Vec<Arc<Rendered>>, usize) {
    // The load key covers the path and the whole text, so it determines the render.
    let todo: Vec<&Chapter> = pages
        .iter()
        .copied()
        .filter(|p| !cache.renders.contains_key(&p.key))
        .collect();
    let fresh: Vec<(u64, Arc<Rendered>)> = todo
        .par_iter()
        .map(|p| (p.key, Arc::new(render_one(p))))
        .collect();
    let n = fresh.len();
    cache.renders.extend(fresh);
    let out = pages
        .iter()
        .map(|p| Arc::clone(&cache.renders[&p.key]))
        .collect();
    // Keep the cache to what the current guide uses, so it cannot grow without bound.
    let live: HashSet<u64> = pages.iter().map(|p| p.key).collect();
    cache
        .renders
        .retain(|k, _| live.contains(k) && !cache.one_shot);
    (out, n)
}

fn render_one(p: &Chapter) -> Rendered {
    let input = markdown::Input {
        display: &p.display,
        source: &p.source,
        file: &p.text,
        body_start: p.body_start,
    };
    markdown::render_with(&input, &p.render)
}

#[cfg(test)]
mod tests;
