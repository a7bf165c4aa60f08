//! Assembling the site: load → render (parallel, memoised) → links → theme → `Site` in memory.
//!
//! `build` is the one entry point shared by the `build`, `serve` and `check` commands. It is
//! deterministic (same input → same bytes) and touches the file system only to read. The
//! `Cache` memoises per-chapter render results by content hash; since `markdown::render` is a
//! pure function of the chapter's path and text, a cached result can never be stale.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use crate::checklist::{Checklist, ItemKind};
use crate::diag::{self, Diagnostic};
use crate::load::{self, Chapter, Guide, LoadOptions};
use crate::markdown::{self, page_url, root_prefix, Rendered, SectionText};
use crate::search;
use crate::theme::{
    self, FormCtx, FormPartCtx, LinkCtx, NavPartCtx, PageCtx, SiteCtx, Theme, TocCtx,
};

/// Guides with more chapters than this get their nav from one shared script instead of a copy
/// in every page, so page size stays independent of guide size.
pub const NAV_INLINE_MAX: usize = 200;

/// The partial that renders a checklist's form.
const FORM_TEMPLATE: &str = "partials/checklist-form.html";

/// Stable path of the search entry script (see `assemble`).
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
    /// Overrides guide.yaml's base_url (used only in sitemap.xml and 404.html).
    pub base_url: Option<String>,
}

/// A successful build: the site and any warnings.
#[derive(Debug, Clone)]
pub struct Built {
    pub site: Site,
    pub warnings: Vec<Diagnostic>,
    /// Number of chapters rendered afresh (the rest came from the cache).
    pub rendered: usize,
    /// Wall time of each stage, in order (`build --timings` prints them).
    pub timings: Vec<Stage>,
    /// Digests of the site's files as the offline step took them (all but a few):
    /// `output::write` reuses them instead of reading every byte again.
    pub digests: Digests,
}

/// File digests (`digest`) by site path.
pub type Digests = HashMap<String, u64>;

/// One build stage as `--timings` reports it.
#[derive(Debug, Clone, Copy)]
pub struct Stage {
    pub name: &'static str,
    pub time: std::time::Duration,
    /// Resident memory of the process when the stage ended, in KiB (Linux only).
    pub rss_kib: Option<u64>,
}

/// The process's current resident set size in KiB, where the OS tells it cheaply.
pub fn rss_kib() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4)
}

/// Records the wall time of consecutive stages.
struct Stopwatch(std::time::Instant, Vec<Stage>);

impl Stopwatch {
    fn new() -> Self {
        Stopwatch(std::time::Instant::now(), Vec::new())
    }
    fn lap(&mut self, name: &'static str) {
        let now = std::time::Instant::now();
        self.1.push(Stage {
            name,
            time: now - self.0,
            rss_kib: rss_kib(),
        });
        self.0 = now;
    }
}

/// Per-chapter render results keyed by a hash of (source path, text).
#[derive(Default)]
pub struct Cache {
    load: load::LoadCache,
    renders: HashMap<u64, Arc<Rendered>>,
    /// Final page HTML keyed by a hash of (theme files, template, page context): a body edit
    /// re-renders one page, a title change re-renders the pages that show it.
    pages: HashMap<u64, Blob>,
    /// Keys used by the current build, so `pages` keeps only what the site still uses.
    pages_live: std::collections::HashSet<u64>,
    /// Rendered checklist forms, keyed like `pages`.
    forms: HashMap<u64, String>,
    forms_live: std::collections::HashSet<u64>,
    /// The compiled theme and the hash of the files it was compiled from.
    theme: Option<(u64, Arc<Theme>)>,
    /// `digest` of each output file, reused while the file's bytes are the same allocation.
    digests: HashMap<String, (Blob, u64)>,
    /// A one-shot build (`build`, `check`) never rebuilds, so it keeps no page copies.
    one_shot: bool,
    /// Search index work memoised per section (owned by src/search/).
    search: crate::search::Memo,
}

/// A chapter page that missed the page cache: where it goes, its template, its context (body
/// still empty) and the key to store it under. `chapter` indexes the chapter list, for `fill`.
struct PageJob<'a> {
    url: String,
    template: &'static str,
    ctx: PageCtx<'a>,
    key: u64,
    chapter: usize,
}

impl Cache {
    /// A cache for a single build: chapter renders are still shared within the build, but no
    /// copy of every page is kept for a rebuild that will never come (halves peak memory).
    pub fn one_shot() -> Cache {
        Cache {
            one_shot: true,
            load: load::LoadCache::one_shot(),
            ..Cache::default()
        }
    }

    /// Tells the loader which guide-relative paths changed since the last build (`None`:
    /// anything may have changed). Only a watcher calls this; see `load::LoadCache::changed`.
    pub fn changed(&mut self, rels: Option<&[String]>) {
        self.load.changed(rels);
    }

    /// Renders one page template through the page cache (key: the whole context).
    fn page(
        &mut self,
        theme: &Theme,
        theme_key: u64,
        template: &'static str,
        ctx: &PageCtx,
    ) -> Result<Blob, Diagnostic> {
        let key = hash_json(&(theme_key, template, ctx.shared_key, ctx));
        self.pages_live.insert(key);
        if let Some(hit) = self.pages.get(&key) {
            return Ok(Arc::clone(hit));
        }
        let html: Blob = blob(theme.render_page(template, ctx)?);
        if !self.one_shot {
            self.pages.insert(key, Arc::clone(&html));
        }
        Ok(html)
    }

    /// Templates chapter pages that missed the cache, on all cores, and stores them (unless
    /// one-shot). `fill` builds a job's body just before it is templated.
    fn pages_parallel(
        &mut self,
        theme: &Theme,
        jobs: Vec<PageJob>,
        fill: &(dyn Fn(usize) -> String + Sync),
    ) -> Vec<(String, Result<Blob, Diagnostic>)> {
        let done = on_cores(jobs, 1, |mut job: PageJob| {
            job.ctx.body = fill(job.chapter);
            let html = theme.render_page(job.template, &job.ctx).map(blob);
            (job.url, job.key, html)
        });
        done.into_iter()
            .map(|(url, key, res)| {
                if let (Ok(html), false) = (&res, self.one_shot) {
                    self.pages_live.insert(key);
                    self.pages.insert(key, Arc::clone(html));
                }
                (url, res)
            })
            .collect()
    }

    /// Renders a checklist form through the cache. `key` must cover the theme and the checklist;
    /// the rest of the context is hashed here.
    fn form(&mut self, theme: &Theme, key: u64, ctx: &FormPartCtx) -> Result<String, Diagnostic> {
        let key = fnv64(&[
            &key.to_le_bytes(),
            ctx.root.as_bytes(),
            &[ctx.level],
            ctx.prefix.as_bytes(),
        ]);
        self.forms_live.insert(key);
        if let Some(hit) = self.forms.get(&key) {
            return Ok(hit.clone());
        }
        let html = theme.render(FORM_TEMPLATE, ctx)?;
        if !self.one_shot {
            self.forms.insert(key, html.clone());
        }
        Ok(html)
    }

    /// Drops page and form entries the last build did not use.
    fn prune_pages(&mut self) {
        let live = std::mem::take(&mut self.pages_live);
        self.pages.retain(|k, _| live.contains(k));
        let live = std::mem::take(&mut self.forms_live);
        self.forms.retain(|k, _| live.contains(k));
    }
}

/// A rendered page as a blob, without the slack its string grew (pages are held until written).
fn blob(mut v: Vec<u8>) -> Blob {
    v.shrink_to_fit();
    Arc::new(v)
}

/// Builds the whole site in memory. On any error-level diagnostic, returns all diagnostics.
pub fn build(opts: &BuildOptions, cache: &mut Cache) -> Result<Built, Vec<Diagnostic>> {
    let mut clock = Stopwatch::new();
    let (guide, mut diags) = load::load_cached(&opts.load, &mut cache.load);
    clock.lap("load");
    let theme_dir = opts
        .theme_dir
        .as_ref()
        .map(|(p, d)| (p.as_path(), d.as_str()));
    // The compiled theme is reused while its files are the same.
    let theme = theme::load_files(theme_dir).and_then(|files| {
        let key = theme_key(&files);
        let compiled = match &cache.theme {
            Some((k, t)) if *k == key => Arc::clone(t),
            _ => Arc::new(Theme::new(&files)?),
        };
        if !cache.one_shot {
            cache.theme = Some((key, Arc::clone(&compiled)));
        }
        Ok((compiled, files, key))
    });
    let Some(mut guide) = guide else {
        if let Err(mut d) = theme {
            diags.append(&mut d);
        }
        return Err(finish(diags));
    };

    let pages: Vec<&Chapter> = guide.home.iter().chain(guide.chapters.iter()).collect();
    let (rendered, fresh) = render_all(&pages, cache);
    clock.lap("render");
    for r in &rendered {
        diags.extend(r.diags.iter().cloned());
    }
    let mut refs: Vec<&Rendered> = rendered.iter().map(Arc::as_ref).collect();
    diags.extend(crate::links::check(&guide, &pages, &refs));
    clock.lap("links");
    // Facts hygiene (`forbidden:` claims) and orphan checklists; see hygiene.rs.
    diags.extend(crate::hygiene::check(
        &guide,
        &pages,
        &refs,
        &opts.load.guide_dir,
        opts.load.max_file_bytes,
    ));
    clock.lap("hygiene");

    let (theme, files, theme_key) = match theme {
        Ok(t) => t,
        Err(mut d) => {
            diags.append(&mut d);
            return Err(finish(diags));
        }
    };
    if diags.iter().any(Diagnostic::is_error) {
        return Err(finish(diags));
    }
    let base_url = opts
        .base_url
        .clone()
        .or_else(|| guide.config.base_url.clone());
    // Nothing after this point reads the Markdown sources (diagnostics carry their own source
    // lines): a one-shot build frees them, and the loader's copies, before the index and the
    // pages need the memory.
    let pages = if cache.one_shot {
        drop(pages);
        cache.load = load::LoadCache::default();
        for c in guide.home.iter_mut().chain(guide.chapters.iter_mut()) {
            c.text = Arc::from("");
        }
        guide.home.iter().chain(guide.chapters.iter()).collect()
    } else {
        pages
    };
    // A one-shot build hands the section texts to the search index and the bodies to their
    // pages instead of copying them (lower peak memory).
    drop(refs);
    let mut rendered = rendered;
    let mut taken = Taken::default();
    if cache.one_shot {
        for r in &mut rendered {
            let (t, b) = Arc::get_mut(r)
                .map(|r| {
                    // Only the link check needed these.
                    r.links = Vec::new();
                    r.ids = Vec::new();
                    (std::mem::take(&mut r.sections), std::mem::take(&mut r.html))
                })
                .unwrap_or_default();
            taken.texts.push(t);
            taken.bodies.push(std::sync::Mutex::new(Some(b)));
        }
    }
    refs = rendered.iter().map(Arc::as_ref).collect();
    let (site, digests) = assemble(
        &guide,
        &pages,
        (&refs, taken),
        (&theme, &files, theme_key),
        base_url.as_deref(),
        cache,
        &mut clock,
    )
    .map_err(finish)?;
    cache.prune_pages();
    clock.lap("offline");
    Ok(Built {
        site,
        warnings: finish(diags),
        rendered: fresh,
        timings: clock.1,
        digests,
    })
}

/// Parts of the rendered chapters a one-shot build moved out instead of copying (by page
/// index; empty when nothing was taken).
#[derive(Default)]
struct Taken {
    texts: Vec<Vec<SectionText>>,
    bodies: Vec<std::sync::Mutex<Option<String>>>,
}

fn finish(mut diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    diag::sort(&mut diags);
    diags.dedup();
    diags
}

/// FNV-1a 64 of the bytes: stable across runs and platforms (std's hasher is not).
pub fn fnv64(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for &b in *p {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        // Separator so ("ab","c") and ("a","bc") differ.
        h ^= 0xff;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// A key for in-memory caches over whole files (never written out, unlike `fnv64`, whose values
/// name assets): `digest` of each part, combined, so it hashes eight bytes per step.
pub fn key64(parts: &[&[u8]]) -> u64 {
    parts.iter().fold(0x2545_f491_4f6c_dd1d, |h: u64, p| {
        (h.rotate_left(23) ^ digest(p)).wrapping_mul(0x9e37_79b9_7f4a_7c15)
    })
}

pub use crate::digest::digest;

/// A hash of everything written to it: hashes a serialization without materialising it.
struct HashWriter(u64);

impl HashWriter {
    fn new() -> HashWriter {
        HashWriter(0xcbf2_9ce4_8422_2325)
    }
}

impl std::io::Write for HashWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        // Eight bytes per step for long runs (page keys hash kilobytes of JSON per page).
        let mut words = buf.chunks_exact(8);
        for w in &mut words {
            let mut a = [0u8; 8];
            a.copy_from_slice(w);
            self.0 = (self.0 ^ u64::from_le_bytes(a))
                .wrapping_mul(0x9e37_79b9_7f4a_7c15)
                .rotate_left(31);
        }
        for &b in words.remainder() {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Context of the checklist form partial.
fn form_ctx<'c>(c: &'c Checklist, root: &str, level: u8, prefix: &str) -> FormPartCtx<'c> {
    FormPartCtx {
        checklist: c,
        root: root.to_owned(),
        level,
        prefix: prefix.to_owned(),
    }
}

/// Hash of every theme file's name and bytes.
fn theme_key(files: &theme::ThemeFiles) -> u64 {
    let parts: Vec<&[u8]> = files
        .files
        .iter()
        .flat_map(|(k, v)| [k.as_bytes(), v.as_slice()])
        .collect();
    fnv64(&parts)
}

/// Ids of the checklists embedded in a rendered chapter, in order.
fn embedded(r: &Rendered) -> Vec<&str> {
    r.checklists
        .iter()
        .filter_map(|l| match &l.target {
            markdown::Target::Checklist { source, .. } => Some(
                source
                    .trim_start_matches("checklists/")
                    .trim_end_matches(".yaml"),
            ),
            _ => None,
        })
        .collect()
}

/// Hash of a value's JSON serialization, without materialising it.
fn hash_json<T: serde::Serialize + ?Sized>(value: &T) -> u64 {
    let mut h = HashWriter::new();
    let _ = serde_json::to_writer(&mut h, value);
    h.0
}

/// Short content hash for asset file names.
pub fn content_hash(bytes: &[u8]) -> String {
    format!("{:010x}", fnv64(&[bytes]) & 0xff_ffff_ffff)
}

fn render_all(pages: &[&Chapter], cache: &mut Cache) -> (Vec<Arc<Rendered>>, usize) {
    // The load key covers the path and the whole text, so it determines the render.
    let keys: Vec<u64> = pages.iter().map(|p| p.key).collect();
    let todo: Vec<usize> = (0..pages.len())
        .filter(|&i| !cache.renders.contains_key(&keys[i]))
        .collect();
    let fresh = on_cores(todo, 8, |i| (i, render_one(pages[i])));
    let n = fresh.len();
    if cache.one_shot {
        // Nothing to keep for later builds (and the caller may take parts out of these).
        return (fresh.into_iter().map(|(_, r)| Arc::new(r)).collect(), n);
    }
    for (i, r) in fresh {
        cache.renders.insert(keys[i], Arc::new(r));
    }
    // Keep the cache to what the current guide uses, so it cannot grow without bound.
    let live: std::collections::HashSet<u64> = keys.iter().copied().collect();
    cache.renders.retain(|k, _| live.contains(k));
    let out = keys.iter().map(|k| Arc::clone(&cache.renders[k])).collect();
    (out, n)
}

/// `f` over `items` on up to 8 cores (only from `min` items on), results in order.
///
/// The items are cut into a few batches per core, and each core takes the next batch when it
/// is done with its last: on a shared machine one core can run at half speed for a while, and
/// with one fixed half each the other would sit idle for the difference. The calling thread
/// takes the first batch: memory an earlier stage freed sits in its allocator arena, which a
/// fresh thread's arena would not reuse.
pub(crate) fn on_cores<T: Send, R: Send>(
    items: Vec<T>,
    min: usize,
    f: impl Fn(T) -> R + Sync,
) -> Vec<R> {
    on_some_cores(items, min, 8, f)
}

/// `on_cores` on at most `max` cores.
pub(crate) fn on_some_cores<T: Send, R: Send>(
    mut items: Vec<T>,
    min: usize,
    max: usize,
    f: impl Fn(T) -> R + Sync,
) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, max.max(1));
    if threads == 1 || items.len() < min.max(2) {
        return items.into_iter().map(f).collect();
    }
    const BATCHES_PER_CORE: usize = 8;
    let size = items.len().div_ceil(threads * BATCHES_PER_CORE).max(1);
    let mut batches = Vec::new();
    while items.len() > size {
        let rest = items.split_off(size);
        batches.push(std::mem::replace(&mut items, rest));
    }
    batches.push(items);
    let count = batches.len();
    let queue = std::sync::Mutex::new(batches.into_iter().enumerate());
    let (f, queue) = (&f, &queue);
    let work = move || {
        let mut done: Vec<(usize, Vec<R>)> = Vec::new();
        loop {
            // A poisoned lock means another worker panicked; its panic is re-raised on join.
            let Some((k, batch)) = queue.lock().ok().and_then(|mut q| q.next()) else {
                return done;
            };
            done.push((k, batch.into_iter().map(f).collect()));
        }
    };
    let mut slots: Vec<Vec<R>> = (0..count).map(|_| Vec::new()).collect();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (1..threads.min(count)).map(|_| scope.spawn(work)).collect();
        let mut parts = vec![work()];
        for h in handles {
            parts.push(h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)));
        }
        for (k, r) in parts.into_iter().flatten() {
            slots[k] = r;
        }
    });
    slots.into_iter().flatten().collect()
}

fn render_one(p: &Chapter) -> Rendered {
    let mut r = markdown::render(&markdown::Input {
        display: &p.display,
        source: &p.source,
        file: &p.text,
        body_start: p.body_start,
    });
    // Held for the whole build: without the slack the strings grew while being written.
    r.html.shrink_to_fit();
    for s in &mut r.sections {
        s.text.shrink_to_fit();
        s.code.shrink_to_fit();
    }
    r
}

struct Assets {
    files: Vec<(String, Vec<u8>)>,
    css: String,
    js: String,
    search_js: String,
}

/// Theme static files with content-hashed names (`static/style.<hash>.css`).
fn static_assets(files: &theme::ThemeFiles) -> Assets {
    let mut out = Vec::new();
    let mut css = Vec::new();
    for name in ["static/style.css", "static/search.css", "static/print.css"] {
        if let Some(b) = files.files.get(name) {
            css.extend_from_slice(b);
            css.push(b'\n');
        }
    }
    let hashed = |stem: &str, ext: &str, bytes: &[u8]| {
        format!("static/{stem}.{}.{ext}", content_hash(bytes))
    };
    let css_url = hashed("style", "css", &css);
    out.push((css_url.clone(), css));
    let mut named = |name: &str, stem: &str| -> String {
        let bytes = files.files.get(name).cloned().unwrap_or_default();
        let url = hashed(stem, "js", &bytes);
        out.push((url.clone(), bytes));
        url
    };
    let js = named("static/guidesmith.js", "guidesmith");
    let search_js = {
        // Shipped without comment lines and indentation (see search::client).
        let src = files
            .files
            .get("static/search.js")
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .unwrap_or_default();
        let bytes = search::client::client_script(&src).into_bytes();
        let url = hashed("search", "js", &bytes);
        out.push((url.clone(), bytes));
        url
    };
    for (name, bytes) in &files.files {
        let Some(rest) = name.strip_prefix("static/") else {
            continue;
        };
        if [
            "style.css",
            "search.css",
            "print.css",
            "guidesmith.js",
            "search.js",
        ]
        .contains(&rest)
        {
            continue;
        }
        out.push((name.clone(), bytes.clone()));
    }
    Assets {
        files: out,
        css: css_url,
        js,
        search_js,
    }
}

fn assemble(
    guide: &Guide,
    pages: &[&Chapter],
    (rendered, taken): (&[&Rendered], Taken),
    (theme, files, theme_key): (&Theme, &theme::ThemeFiles, u64),
    base_url: Option<&str>,
    cache: &mut Cache,
    clock: &mut Stopwatch,
) -> Result<(Site, Digests), Vec<Diagnostic>> {
    let cfg = &guide.config;
    let assets = static_assets(files);
    clock.lap("assets");

    let Taken { texts, bodies } = taken;
    let sections = search_sections(guide, pages, rendered, texts);
    clock.lap("sections");
    // The search index and the pages do not depend on each other: build them side by side.
    let mut memo = std::mem::take(&mut cache.search);
    let (mut search_out, made) = rayon::join(
        || search::build(&sections, &mut memo),
        || {
            pages_and_lists(
                guide,
                pages,
                (rendered, bodies),
                (theme, theme_key),
                &assets,
                base_url,
                cache,
                clock,
            )
        },
    );
    if !cache.one_shot {
        cache.search = memo;
    }
    clock.lap("search");
    let mut site = made?;
    // The entry script gets a stable name: every page points at it, so a content-hashed name
    // would change every page on any text edit. Shards it loads keep their hashed names.
    if let Some(f) = search_out
        .files
        .iter_mut()
        .find(|(p, _)| *p == search_out.entry)
    {
        f.0 = SEARCH_ENTRY.to_owned();
        search_out.entry = SEARCH_ENTRY.to_owned();
    }
    for (url, bytes) in assets.files {
        site.put(url, bytes);
    }
    for (path, bytes) in search_out.files {
        site.put(path, bytes);
    }
    for (source, bytes) in &guide.assets {
        site.put(page_url(source), bytes.clone());
    }
    clock.lap("others");
    // Offline support last: it lists and hashes every other file (see `offline_files`).
    let digests = (!cache.one_shot).then_some(&mut cache.digests);
    let (offline, known) = offline_files(&site, cfg, digests);
    for (path, bytes) in offline {
        site.put(path, bytes);
    }
    Ok((site, known))
}

/// Every page of the site (chapters, home, checklists, search, 404) and sitemap.xml: all of it
/// but the assets, the search index and the offline files, which `assemble` adds.
#[allow(clippy::too_many_arguments)]
fn pages_and_lists(
    guide: &Guide,
    pages: &[&Chapter],
    (rendered, bodies): (&[&Rendered], Vec<std::sync::Mutex<Option<String>>>),
    (theme, theme_key): (&Theme, u64),
    assets: &Assets,
    base_url: Option<&str>,
    cache: &mut Cache,
    clock: &mut Stopwatch,
) -> Result<Site, Vec<Diagnostic>> {
    let cfg = &guide.config;
    let mut site = Site::default();
    let nav_parts: Vec<NavPartCtx> = cfg
        .nav
        .iter()
        .enumerate()
        .map(|(pi, part)| NavPartCtx {
            title: part.title.clone(),
            chapters: guide
                .chapters
                .iter()
                .filter(|c| c.part == Some(pi))
                .map(|c| LinkCtx {
                    title: c.front.title.clone(),
                    url: c.url.clone(),
                })
                .collect(),
        })
        .collect();
    let inline_nav = guide.chapters.len() <= NAV_INLINE_MAX;
    let nav_js = if inline_nav {
        None
    } else {
        let payload = serde_json::to_string(&nav_parts).unwrap_or_else(|_| "[]".into());
        let js = format!("window.GSNav={payload};\n");
        let url = format!("static/nav.{}.js", content_hash(js.as_bytes()));
        site.put(url.clone(), js.into_bytes());
        Some(url)
    };
    let list_links: Vec<LinkCtx> = guide
        .checklists
        .iter()
        .map(|c| LinkCtx {
            title: c.title.clone(),
            url: page_url(&c.source),
        })
        .collect();
    let site_ctx = SiteCtx {
        title: cfg.title.clone(),
        description: cfg.description.clone(),
        language: cfg.language.clone(),
        notice: cfg.notice.clone(),
        updated: cfg.updated.clone(),
        css: assets.css.clone(),
        js: assets.js.clone(),
        search_js: assets.search_js.clone(),
        search_index: SEARCH_ENTRY.to_owned(),
        nav_js,
        checklists: list_links.clone(),
    };
    let nav: &[NavPartCtx] = if inline_nav { &nav_parts } else { &[] };
    let lists_by_id: HashMap<&str, &Checklist> = guide
        .checklists
        .iter()
        .map(|c| (c.id.as_str(), c))
        .collect();
    let chapter_title = |source: &str| -> LinkCtx {
        pages
            .iter()
            .find(|p| p.source == source)
            .map(|p| LinkCtx {
                title: p.front.title.clone(),
                url: p.url.clone(),
            })
            .unwrap_or_else(|| LinkCtx {
                title: source.to_owned(),
                url: page_url(source),
            })
    };
    let form = |c: &Checklist, root: &str, level: u8, prefix: &str| {
        theme.render(FORM_TEMPLATE, &form_ctx(c, root, level, prefix))
    };
    // The site-wide parts of every page's context, made Tera values once (see `PageCtx`).
    let shared_key = hash_json(&(&site_ctx, nav));
    let value_of = |v: Result<tera::Value, tera::Error>| {
        v.map_err(|e| {
            vec![Diagnostic::error(
                "templates",
                format!("template context: {e}"),
            )]
        })
    };
    let site_value = value_of(tera::Value::try_from_serializable(&site_ctx))?;
    let nav_value = value_of(tera::Value::try_from_serializable(nav))?;
    let blank = |kind: &'static str, url: &str, title: &str| PageCtx {
        site: &site_value,
        nav: &nav_value,
        shared_key,
        root: root_prefix(url),
        url: url.to_owned(),
        kind,
        title: title.to_owned(),
        description: cfg.description.clone(),
        updated: cfg.updated.clone(),
        part: None,
        breadcrumbs: Vec::new(),
        prev: None,
        next: None,
        toc: Vec::new(),
        summary: &[],
        body: String::new(),
        checklists: Vec::new(),
        edit_url: None,
        forms: Vec::new(),
    };

    let mut diags: Vec<Diagnostic> = Vec::new();
    let put = |site: &mut Site,
               diags: &mut Vec<Diagnostic>,
               url: String,
               res: Result<Blob, Diagnostic>| match res {
        Ok(html) => {
            site.files.insert(url, html);
        }
        Err(d) => diags.push(d),
    };

    // Chapter pages (and the home page): contexts first, then templating on all cores. A page's
    // key hashes its context without the site-wide parts (hashed once) and without the body,
    // which stands in through its inputs: the chapter's render key and embedded checklists.
    let list_keys: HashMap<&str, u64> = guide
        .checklists
        .iter()
        .map(|c| (c.id.as_str(), hash_json(c)))
        .collect();
    let mut jobs: Vec<PageJob> = Vec::with_capacity(pages.len());
    let mut hits: Vec<(String, Blob)> = Vec::new();
    for (i, (page, r)) in pages.iter().zip(rendered).enumerate() {
        // The page's key from its inputs, so a hit never even builds the context: the context
        // below is a function of exactly these (the theme, the site-wide parts, guide.yaml, this
        // chapter's and its neighbours' load keys, and the checklists it links or embeds).
        // `site::tests::told_rebuilds_equal_clean_builds` and tests/cli/edits.rs hold this.
        let key = if cache.one_shot {
            0
        } else {
            let linked = page
                .front
                .checklists
                .iter()
                .map(|id| id.value.as_str())
                .chain(embedded(r));
            let mut parts: Vec<u64> = vec![
                theme_key,
                shared_key,
                guide.config_key,
                page.key,
                i.checked_sub(1)
                    .and_then(|j| pages.get(j))
                    .map_or(0, |p| p.key),
                pages.get(i + 1).map_or(0, |p| p.key),
            ];
            parts.extend(linked.map(|id| list_keys.get(id).copied().unwrap_or(1)));
            let bytes: Vec<u8> = parts.iter().flat_map(|k| k.to_le_bytes()).collect();
            fnv64(&[&bytes])
        };
        if let Some(hit) = cache.pages.get(&key).filter(|_| !cache.one_shot) {
            cache.pages_live.insert(key);
            hits.push((page.url.clone(), Arc::clone(hit)));
            continue;
        }
        let is_home = page.source == "index.md";
        let part = page
            .part
            .and_then(|p| cfg.nav.get(p))
            .map(|p| p.title.clone());
        let mut breadcrumbs = vec![LinkCtx {
            title: "首页".into(),
            url: "index.html".into(),
        }];
        if let Some(p) = &part {
            breadcrumbs.push(LinkCtx {
                title: p.clone(),
                url: String::new(),
            });
        }
        let link = |c: &&Chapter| LinkCtx {
            title: c.front.title.clone(),
            url: c.url.clone(),
        };
        let ctx = PageCtx {
            kind: if is_home { "home" } else { "chapter" },
            title: page.front.title.clone(),
            description: page.front.description.clone(),
            updated: page
                .front
                .updated
                .as_ref()
                .map_or_else(|| cfg.updated.clone(), |u| u.value.clone()),
            part,
            breadcrumbs,
            prev: i.checked_sub(1).and_then(|j| pages.get(j)).map(link),
            next: pages.get(i + 1).map(link),
            toc: r
                .toc
                .iter()
                .map(|t| TocCtx {
                    level: t.level,
                    id: t.id.clone(),
                    text: t.text.clone(),
                })
                .collect(),
            summary: &page.front.summary,
            checklists: page
                .front
                .checklists
                .iter()
                .filter_map(|id| lists_by_id.get(id.value.as_str()))
                .map(|c| LinkCtx {
                    title: c.title.clone(),
                    url: page_url(&c.source),
                })
                .collect(),
            edit_url: cfg
                .edit_url
                .as_ref()
                .map(|t| t.replace("{path}", &page.source)),
            ..blank("chapter", &page.url, "")
        };
        let template = if is_home { "home.html" } else { "chapter.html" };
        jobs.push(PageJob {
            url: page.url.clone(),
            template,
            ctx,
            key,
            chapter: i,
        });
    }
    // The body of chapter `i`: its HTML with embedded checklist forms in place of the markers.
    let fill = |i: usize| -> String {
        let (page, r) = (pages[i], rendered[i]);
        let root = root_prefix(&page.url);
        let taken = bodies
            .get(i)
            .and_then(|b| b.lock().ok().and_then(|mut b| b.take()));
        let mut body = taken.unwrap_or_else(|| r.html.clone());
        for id in embedded(r) {
            if let Some(c) = lists_by_id.get(id) {
                let html = form(c, &root, 2, "e-").unwrap_or_default();
                body = body.replace(&format!("<!--gs:checklist:{id}-->"), &html);
            }
        }
        body
    };
    for (url, res) in cache.pages_parallel(theme, jobs, &fill) {
        put(&mut site, &mut diags, url, res);
    }
    for (url, html) in hits {
        site.files.insert(url, html);
    }
    clock.lap("chapters");
    if guide.home.is_none() {
        let ctx = PageCtx {
            next: pages.first().map(|c| LinkCtx {
                title: c.front.title.clone(),
                url: c.url.clone(),
            }),
            ..blank("home", "index.html", &cfg.title)
        };
        put(
            &mut site,
            &mut diags,
            "index.html".into(),
            cache.page(theme, theme_key, "home.html", &ctx),
        );
    }

    // Checklist pages, the checklist index and the print-all page.
    let mut all_forms = Vec::new();
    for c in &guide.checklists {
        let url = page_url(&c.source);
        let root = root_prefix(&url);
        let updated = c.updated.clone().unwrap_or_else(|| cfg.updated.clone());
        let chapter = chapter_title(&c.chapter);
        let list_key = list_keys.get(c.id.as_str()).copied().unwrap_or(0);
        let html = match cache.form(theme, theme_key ^ list_key, &form_ctx(c, &root, 1, "")) {
            Ok(h) => h,
            Err(d) => {
                diags.push(d);
                continue;
            }
        };
        let ctx = PageCtx {
            updated: updated.clone(),
            description: c.purpose.clone(),
            breadcrumbs: vec![
                LinkCtx {
                    title: "首页".into(),
                    url: "index.html".into(),
                },
                LinkCtx {
                    title: "清单".into(),
                    url: "checklists/index.html".into(),
                },
            ],
            forms: vec![FormCtx {
                checklist: c,
                url: url.clone(),
                chapter: chapter.clone(),
                updated: updated.clone(),
                html,
            }],
            ..blank("checklist", &url, &c.title)
        };
        put(
            &mut site,
            &mut diags,
            url.clone(),
            cache.page(theme, theme_key, "checklist.html", &ctx),
        );
        let all = form_ctx(
            c,
            &root_prefix("checklists/all.html"),
            2,
            &format!("all-{}-", c.id),
        );
        match cache.form(theme, theme_key ^ list_key, &all) {
            Ok(html) => all_forms.push(FormCtx {
                checklist: c,
                url,
                chapter,
                updated,
                html,
            }),
            Err(d) => diags.push(d),
        }
    }
    let crumbs = vec![LinkCtx {
        title: "首页".into(),
        url: "index.html".into(),
    }];
    let ctx = PageCtx {
        breadcrumbs: crumbs.clone(),
        ..blank("checklists", "checklists/index.html", "可打印的清单")
    };
    put(
        &mut site,
        &mut diags,
        "checklists/index.html".into(),
        cache.page(theme, theme_key, "checklists.html", &ctx),
    );
    let ctx = PageCtx {
        breadcrumbs: crumbs.clone(),
        forms: all_forms,
        ..blank("print-all", "checklists/all.html", "全部清单（打印版）")
    };
    put(
        &mut site,
        &mut diags,
        "checklists/all.html".into(),
        cache.page(theme, theme_key, "checklists-all.html", &ctx),
    );

    // Search page and 404.
    let ctx = PageCtx {
        breadcrumbs: crumbs.clone(),
        ..blank("search", "search.html", "搜索")
    };
    put(
        &mut site,
        &mut diags,
        "search.html".into(),
        cache.page(theme, theme_key, "search.html", &ctx),
    );
    let mut ctx = blank("404", "404.html", "页面不存在");
    if let Some(b) = base_url {
        // GitHub Pages serves 404.html at any depth: absolute root keeps its links working.
        ctx.root = format!("{}/", b.trim_end_matches('/'));
    }
    put(
        &mut site,
        &mut diags,
        "404.html".into(),
        cache.page(theme, theme_key, "404.html", &ctx),
    );

    if !diags.is_empty() {
        return Err(diags);
    }

    // sitemap.xml: every page, absolute when a base URL is known.
    let mut sm = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    let base = base_url
        .map(|b| format!("{}/", b.trim_end_matches('/')))
        .unwrap_or_default();
    let urls = pages
        .iter()
        .map(|p| p.url.clone())
        .chain(guide.checklists.iter().map(|c| page_url(&c.source)));
    for u in urls {
        sm.push_str("  <url><loc>");
        crate::highlight::escape_into(&mut sm, &format!("{base}{u}"));
        sm.push_str("</loc></url>\n");
    }
    sm.push_str("</urlset>\n");
    site.put("sitemap.xml", sm.into_bytes());
    clock.lap("pages");
    Ok(site)
}

/// One search section per heading section of each page and one per checklist item. `taken`
/// holds the pages' section texts when the caller took them out of `rendered` (else they are
/// copied).
fn search_sections(
    guide: &Guide,
    pages: &[&Chapter],
    rendered: &[&Rendered],
    mut taken: Vec<Vec<SectionText>>,
) -> Vec<search::Section> {
    let mut out = Vec::new();
    for (i, (page, r)) in pages.iter().zip(rendered).enumerate() {
        let texts = match taken.get_mut(i) {
            Some(t) => std::mem::take(t),
            None => r.sections.clone(),
        };
        let part = page
            .part
            .and_then(|p| guide.config.nav.get(p))
            .map(|p| p.title.clone());
        let mut h2 = String::new();
        for s in texts {
            let mut crumbs: Vec<String> = part.iter().cloned().collect();
            crumbs.push(page.front.title.clone());
            if s.level == 3 && !h2.is_empty() {
                crumbs.push(h2.clone());
            }
            if s.level == 2 {
                h2.clone_from(&s.heading);
            }
            let mut text = s.text;
            if s.anchor.is_empty() && !page.front.summary.is_empty() {
                text = format!("{}\n{text}", page.front.summary.join("\n"));
            }
            out.push(search::Section {
                page: page.url.clone(),
                anchor: s.anchor,
                page_title: page.front.title.clone(),
                heading: s.heading,
                breadcrumb: crumbs,
                text,
                code: s.code,
            });
        }
    }
    for c in &guide.checklists {
        let url = page_url(&c.source);
        out.push(search::Section {
            page: url.clone(),
            anchor: String::new(),
            page_title: c.title.clone(),
            heading: String::new(),
            breadcrumb: vec!["清单".into(), c.title.clone()],
            text: c.purpose.clone(),
            code: String::new(),
        });
        for s in &c.sections {
            for it in &s.items {
                let mut text = it.text.clone();
                if let ItemKind::Table { columns, .. } = &it.kind {
                    text = columns.join(" ");
                }
                if let Some(n) = &it.note {
                    text.push('\n');
                    text.push_str(n);
                }
                out.push(search::Section {
                    page: url.clone(),
                    anchor: format!("{}-{}", c.id, it.id),
                    page_title: c.title.clone(),
                    heading: s.title.clone(),
                    breadcrumb: vec!["清单".into(), c.title.clone(), s.title.clone()],
                    text,
                    code: String::new(),
                });
            }
        }
    }
    out
}

// ---- Offline: service worker and web app manifest ------------------------------------------
// Owned by the reader-experience (theme) work. Everything here derives from the finished `Site`,
// so it stays deterministic and needs no other input than the guide's own settings.

/// The generated `sw.js` and the guide's `static/manifest.webmanifest`.
///
/// `sw.js` sits at the site root (its scope is the whole guide) and precaches every file of
/// this build under one cache named after a hash of all file names and contents: a new build is
/// a new cache, installed completely before it can take over, so pages and assets of two builds
/// are never mixed. The theme's manifest gets the guide's own name, description and language.
///
/// `digests` (rebuilds only) remembers each file's digest while its bytes stay the same shared
/// allocation, so a rebuild hashes only the files that changed. Also returns the digest of
/// every file it listed, for `output::write`.
pub fn offline_files(
    site: &Site,
    cfg: &crate::config::GuideConfig,
    mut digests: Option<&mut HashMap<String, (Blob, u64)>>,
) -> (Vec<(String, Vec<u8>)>, Digests) {
    const MANIFEST: &str = "static/manifest.webmanifest";
    let mut out = Vec::new();
    let manifest = site.files.get(MANIFEST).map(|bytes| {
        let mut m: serde_json::Map<String, serde_json::Value> =
            serde_json::from_slice(bytes).unwrap_or_default();
        let s = |v: &str| serde_json::Value::String(v.to_owned());
        m.insert("name".into(), s(&cfg.title));
        m.entry("short_name").or_insert_with(|| s(&cfg.title));
        m.insert("description".into(), s(&cfg.description));
        m.insert("lang".into(), s(&cfg.language));
        // Relative to the manifest's own URL, so any sub-path works.
        m.insert("start_url".into(), s("../index.html"));
        m.insert("scope".into(), s("../"));
        let mut b = serde_json::to_vec_pretty(&m).unwrap_or_default();
        b.push(b'\n');
        b
    });
    let mut precache = Vec::new();
    let mut listing = Vec::new();
    let mut known = Digests::with_capacity(site.files.len());
    let listed: Vec<(&String, &Blob)> = site
        .files
        .iter()
        .filter(|(path, _)| *path != "sw.js" && *path != "sitemap.xml")
        .collect();
    // A one-shot build hashes every byte of the site: on all cores.
    let computed: Vec<u64> = if digests.is_none() {
        on_cores(listed.clone(), 64, |(_, blob)| digest(blob))
    } else {
        Vec::new()
    };
    for (i, (path, blob)) in listed.into_iter().enumerate() {
        let d = match (&manifest, path.as_str()) {
            (Some(m), MANIFEST) => digest(m),
            _ => match digests.as_deref_mut() {
                None => computed.get(i).copied().unwrap_or_else(|| digest(blob)),
                Some(memo) => match memo.get(path) {
                    Some((b, d)) if Arc::ptr_eq(b, blob) => *d,
                    _ => {
                        let d = digest(blob);
                        memo.insert(path.clone(), (Arc::clone(blob), d));
                        d
                    }
                },
            },
        };
        listing.extend_from_slice(path.as_bytes());
        listing.push(0);
        listing.extend_from_slice(&d.to_le_bytes());
        precache.push(path.as_str());
        known.insert(path.clone(), d);
    }
    if let Some(memo) = digests {
        memo.retain(|p, _| site.files.contains_key(p));
    }
    let version = format!("{:016x}", fnv64(&[&listing]));
    let list = serde_json::to_string(&precache).unwrap_or_else(|_| "[]".into());
    let sw = SERVICE_WORKER
        .replace("__VERSION__", &version)
        .replace("__FILES__", &list);
    out.push(("sw.js".to_owned(), sw.into_bytes()));
    if let Some(m) = manifest {
        out.push((MANIFEST.to_owned(), m));
    }
    (out, known)
}

/// The service worker; `__VERSION__` and `__FILES__` are filled in per build.
const SERVICE_WORKER: &str = r#"// guidesmith service worker, generated at build time. Do not edit.
// Precaches every file of this build in one cache; serves from it, falling back to the network.
// A new build installs a new cache completely (waiting) and takes over on the next navigation,
// only when no other tab still shows the old build, so one page never mixes two builds.
'use strict';
var VERSION = '__VERSION__';
var FILES = __FILES__;
var SCOPE = self.registration.scope;
var PREFIX = 'gs:' + SCOPE + ':';
var CACHE = PREFIX + VERSION;

self.addEventListener('install', function (e) {
  e.waitUntil(caches.open(CACHE).then(function (c) {
    return c.addAll(FILES.map(function (f) { return new Request(f, { cache: 'reload' }); }));
  }).catch(function (err) {
    return caches.delete(CACHE).then(function () { throw err; });
  }));
});

self.addEventListener('activate', function (e) {
  e.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) {
      return k.indexOf(PREFIX) === 0 && k !== CACHE;
    }).map(function (k) { return caches.delete(k); }));
  }));
});

self.addEventListener('message', function (e) {
  if (e.data === 'gs-skip-waiting') self.skipWaiting();
});

function answer(req) {
  var nav = req.mode === 'navigate';
  var url = new URL(req.url);
  url.hash = '';
  if (nav) {
    url.search = '';
    if (url.pathname.slice(-1) === '/') url.pathname += 'index.html';
  }
  return caches.open(CACHE).then(function (c) {
    return c.match(url.href).then(function (hit) {
      if (hit) return hit;
      return fetch(req).catch(function (err) {
        if (!nav) throw err;
        // Offline and not cached: show the guide's 404 page (at its own URL, so its
        // relative links work) instead of the browser's error page.
        var notFound = new URL('404.html', SCOPE).href;
        return c.match(notFound).then(function (r) {
          if (r) return Response.redirect(notFound, 302);
          throw err;
        });
      });
    });
  });
}

self.addEventListener('fetch', function (e) {
  var req = e.request;
  if (req.method !== 'GET' || req.url.indexOf(SCOPE) !== 0) return;
  var waiting = self.registration.waiting;
  if (req.mode === 'navigate' && waiting) {
    e.respondWith(self.clients.matchAll({ type: 'window' }).then(function (open) {
      if (open.length > 1) return answer(req);
      // The new build is fully cached: switch now and load this page again from it.
      waiting.postMessage('gs-skip-waiting');
      return new Response('', { headers: { 'Refresh': '0', 'Content-Type': 'text/html; charset=utf-8' } });
    }));
    return;
  }
  e.respondWith(answer(req));
});
"#;
// ---- end offline ------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::LoadOptions;
    use std::path::Path;

    #[test]
    fn digest_sees_every_byte_and_the_length() {
        // 0..=100 bytes cover every mix of 32-byte blocks, whole words and a partial word.
        let base: Vec<u8> = (0u8..100).map(|i| i.wrapping_mul(37)).collect();
        let mut seen = std::collections::HashSet::new();
        for len in 0..=base.len() {
            let b = &base[..len];
            assert!(seen.insert(digest(b)), "length {len} collides");
            for at in 0..len {
                let mut c = b.to_vec();
                c[at] ^= 1;
                assert_ne!(digest(&c), digest(b), "byte {at} of {len} not seen");
            }
            // Trailing zero bytes are not padding.
            let mut z = b.to_vec();
            z.push(0);
            assert_ne!(digest(&z), digest(b), "trailing zero after {len} bytes");
        }
        // Swapping two words that land in different lanes changes the digest.
        let mut w = base.clone();
        w.swap(0, 8);
        assert_ne!(digest(&w), digest(&base));
    }

    fn copy_dir(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(from).unwrap() {
            let e = e.unwrap();
            let dest = to.join(e.file_name());
            if e.file_type().unwrap().is_dir() {
                copy_dir(&e.path(), &dest);
            } else {
                std::fs::copy(e.path(), dest).unwrap();
            }
        }
    }

    fn opts(guide: &Path) -> BuildOptions {
        BuildOptions {
            load: LoadOptions {
                guide_dir: guide.to_path_buf(),
                display_root: "guide".into(),
                max_file_bytes: crate::source::DEFAULT_MAX_FILE_BYTES,
            },
            theme_dir: None,
            base_url: None,
        }
    }

    /// Every rebuild through a watcher-style cache (told which files changed) must give the
    /// same bytes as a clean one-shot build: nothing the page, form, load or digest caches
    /// keep may go stale.
    fn assert_digests_match(b: &Built, step: usize) {
        for (path, bytes) in &b.site.files {
            match b.digests.get(path) {
                Some(&d) => assert_eq!(d, digest(bytes), "step {step}: stale digest of {path}"),
                None => assert!(
                    path == "sw.js" || path == "sitemap.xml",
                    "step {step}: no digest for {path}"
                ),
            }
        }
        assert!(b.digests.keys().all(|p| b.site.files.contains_key(p)));
    }

    #[test]
    fn told_rebuilds_equal_clean_builds() {
        let root = std::env::temp_dir().join(format!("gs-site-cache-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let guide = root.join("guide");
        copy_dir(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/basic/guide"),
            &guide,
        );
        let a = guide.join("chapters/a.md");
        // Embed the checklist in chapter a, so a checklist edit must reach a's page.
        let text = std::fs::read_to_string(&a).unwrap() + "\n```checklist\ndemo\n```\n";
        std::fs::write(&a, text).unwrap();

        let o = opts(&guide);
        let mut cache = Cache::default();
        cache.changed(None);
        let first = build(&o, &mut cache).expect("fixture builds");
        assert_digests_match(&first, 0);
        assert_eq!(first.site, build(&o, &mut Cache::one_shot()).unwrap().site);

        let edit = |rel: &str, f: &dyn Fn(String) -> String| {
            let p = guide.join(rel);
            let old = std::fs::read_to_string(&p).unwrap_or_default();
            std::fs::write(&p, f(old)).unwrap();
        };
        let nav_c =
            |s: String| s + "  - title: 第三部分\n    chapters:\n      - chapters/new/c.md\n";
        type Step<'s> = (Vec<&'s str>, Box<dyn Fn() + 's>);
        let steps: Vec<Step> = vec![
            (
                vec!["checklists/demo.yaml"],
                Box::new(|| {
                    edit("checklists/demo.yaml", &|s| {
                        s.replace("身份证原件", "身份证和复印件")
                    })
                }),
            ),
            (
                vec!["chapters/part/b.md"],
                Box::new(|| edit("chapters/part/b.md", &|s| s + "\n新加的一段。\n")),
            ),
            (
                // A new folder and file: the watcher names the folder.
                vec!["chapters/new", "guide.yaml"],
                Box::new(|| {
                    std::fs::create_dir_all(guide.join("chapters/new")).unwrap();
                    edit("chapters/new/c.md", &|_| {
                        "---\ntitle: 第三章\ndescription: 新的一章\n---\n\n正文。\n".into()
                    });
                    edit("guide.yaml", &nav_c);
                }),
            ),
            (
                vec!["guide.yaml"],
                Box::new(|| edit("guide.yaml", &|s| s.replace("测试指南", "改名的指南"))),
            ),
            (
                vec!["chapters/a.md"],
                Box::new(|| {
                    edit("chapters/a.md", &|s| {
                        s.replace("第一章：话费", "第一章：账单")
                    })
                }),
            ),
            (
                vec!["chapters/new/c.md", "guide.yaml"],
                Box::new(|| {
                    std::fs::remove_file(guide.join("chapters/new/c.md")).unwrap();
                    edit("guide.yaml", &|s| {
                        s.replace(
                            "  - title: 第三部分\n    chapters:\n      - chapters/new/c.md\n",
                            "",
                        )
                    });
                }),
            ),
        ];
        for (i, (told, step)) in steps.iter().enumerate() {
            step();
            let rels: Vec<String> = told.iter().map(|s| (*s).to_owned()).collect();
            cache.changed(Some(&rels));
            let warm = build(&o, &mut cache).unwrap_or_else(|d| panic!("step {i}: {d:?}"));
            let clean = build(&o, &mut Cache::one_shot()).expect("clean build");
            assert!(
                warm.site == clean.site,
                "step {i}: cached rebuild differs from a clean build"
            );
            // The digests handed to `output::write` are those of the files now in the site
            // (a cached rebuild takes most of them from its memo).
            for b in [&warm, &clean] {
                assert_digests_match(b, i);
            }
            assert_ne!(warm.site, first.site, "step {i} changed the site");
        }
        let _ = std::fs::remove_dir_all(&root);
    }
}
