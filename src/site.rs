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
use crate::markdown::{self, page_url, root_prefix, Rendered};
use crate::search;
use crate::theme::{
    self, FormCtx, FormPartCtx, LinkCtx, NavPartCtx, PageCtx, SiteCtx, Theme, TocCtx,
};

/// Guides with more chapters than this get their nav from one shared script instead of a copy
/// in every page, so page size stays independent of guide size.
pub const NAV_INLINE_MAX: usize = 200;

/// Stable path of the search entry script (see `assemble`).
pub const SEARCH_ENTRY: &str = "search/index.js";

/// The built site: site-relative path → bytes. Pure data, written by `output` or served.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Site {
    pub files: BTreeMap<String, Vec<u8>>,
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
    pub timings: Vec<(&'static str, std::time::Duration)>,
}

/// Records the wall time of consecutive stages.
struct Stopwatch(std::time::Instant, Vec<(&'static str, std::time::Duration)>);

impl Stopwatch {
    fn new() -> Self {
        Stopwatch(std::time::Instant::now(), Vec::new())
    }
    fn lap(&mut self, stage: &'static str) {
        let now = std::time::Instant::now();
        self.1.push((stage, now - self.0));
        self.0 = now;
    }
}

/// Per-chapter render results keyed by a hash of (source path, text).
#[derive(Default)]
pub struct Cache {
    load: load::LoadCache,
    renders: HashMap<u64, Arc<Rendered>>,
    /// Final page HTML keyed by a hash of (theme files, template, serialized page context):
    /// a body edit re-renders one page, a title change re-renders the pages that show it.
    pages: HashMap<u64, Arc<Vec<u8>>>,
    /// Keys used by the current build, so `pages` keeps only what the site still uses.
    pages_live: std::collections::HashSet<u64>,
    /// A one-shot build (`build`, `check`) never rebuilds, so it keeps no page copies.
    one_shot: bool,
    /// Search index work memoised per section (owned by src/search/).
    search: crate::search::Cache,
}

impl Cache {
    /// A cache for a single build: chapter renders are still shared within the build, but no
    /// copy of every page is kept for a rebuild that will never come (halves peak memory).
    pub fn one_shot() -> Cache {
        Cache {
            one_shot: true,
            search: crate::search::Cache::one_shot(),
            ..Cache::default()
        }
    }

    /// Renders a page template through the page cache.
    fn page<T: serde::Serialize>(
        &mut self,
        theme: &Theme,
        theme_key: u64,
        template: &str,
        ctx: &T,
    ) -> Result<Vec<u8>, Diagnostic> {
        let json = serde_json::to_vec(ctx).unwrap_or_default();
        let key = fnv64(&[&theme_key.to_le_bytes(), template.as_bytes(), &json]);
        self.pages_live.insert(key);
        if let Some(hit) = self.pages.get(&key) {
            return Ok(hit.as_ref().clone());
        }
        let html = theme.render(template, ctx)?.into_bytes();
        if !self.one_shot {
            self.pages.insert(key, Arc::new(html.clone()));
        }
        Ok(html)
    }

    /// Renders many pages through the cache, templating the misses on all cores.
    fn pages_parallel<T: serde::Serialize + Sync>(
        &mut self,
        theme: &Theme,
        theme_key: u64,
        jobs: &[(String, &'static str, T)],
    ) -> Vec<(String, Result<Vec<u8>, Diagnostic>)> {
        // A one-shot build has nothing to look up, so it skips serializing contexts for keys.
        let keyed: Vec<u64> = jobs
            .iter()
            .enumerate()
            .map(|(i, (_, template, ctx))| {
                if self.one_shot {
                    return i as u64;
                }
                let json = serde_json::to_vec(ctx).unwrap_or_default();
                fnv64(&[&theme_key.to_le_bytes(), template.as_bytes(), &json])
            })
            .collect();
        let misses: Vec<usize> = (0..jobs.len())
            .filter(|&i| self.one_shot || !self.pages.contains_key(&keyed[i]))
            .collect();
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .clamp(1, 8);
        let chunk = misses.len().div_ceil(threads).max(1);
        let fresh: Vec<(usize, Result<Vec<u8>, Diagnostic>)> = std::thread::scope(|scope| {
            let handles: Vec<_> = misses
                .chunks(chunk)
                .map(|part| {
                    scope.spawn(move || {
                        part.iter()
                            .map(|&i| {
                                let (_, template, ctx) = &jobs[i];
                                (i, theme.render(template, ctx).map(String::into_bytes))
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
                .collect()
        });
        let mut out: Vec<Option<Result<Vec<u8>, Diagnostic>>> = vec![None; jobs.len()];
        for (i, res) in fresh {
            if let (Ok(html), false) = (&res, self.one_shot) {
                self.pages.insert(keyed[i], Arc::new(html.clone()));
            }
            out[i] = Some(res);
        }
        self.pages_live.extend(keyed.iter().copied());
        jobs.iter()
            .zip(out)
            .zip(&keyed)
            .map(|(((url, _, _), res), key)| {
                let res = res.unwrap_or_else(|| Ok(self.pages[key].as_ref().clone()));
                (url.clone(), res)
            })
            .collect()
    }

    /// Drops page entries the last build did not use.
    fn prune_pages(&mut self) {
        let live = std::mem::take(&mut self.pages_live);
        self.pages.retain(|k, _| live.contains(k));
    }
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
    let theme =
        theme::load_files(theme_dir).and_then(|files| Theme::new(&files).map(|t| (t, files)));
    let Some(guide) = guide else {
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
    let refs: Vec<&Rendered> = rendered.iter().map(Arc::as_ref).collect();
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

    let (theme, files) = match theme {
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
    let site = assemble(
        &guide,
        &pages,
        &refs,
        (&theme, &files),
        base_url.as_deref(),
        cache,
        &mut clock,
    )
    .map_err(finish)?;
    cache.prune_pages();
    clock.lap("pages");
    Ok(Built {
        site,
        warnings: finish(diags),
        rendered: fresh,
        timings: clock.1,
    })
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

/// Short content hash for asset file names.
pub fn content_hash(bytes: &[u8]) -> String {
    format!("{:010x}", fnv64(&[bytes]) & 0xff_ffff_ffff)
}

fn render_all(pages: &[&Chapter], cache: &mut Cache) -> (Vec<Arc<Rendered>>, usize) {
    let keys: Vec<u64> = pages
        .iter()
        .map(|p| {
            fnv64(&[
                p.source.as_bytes(),
                p.display.as_bytes(),
                p.text.as_bytes(),
                &p.body_start.to_le_bytes(),
            ])
        })
        .collect();
    let todo: Vec<usize> = (0..pages.len())
        .filter(|&i| !cache.renders.contains_key(&keys[i]))
        .collect();
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    let fresh: Vec<(usize, Rendered)> = if todo.len() < 8 || threads == 1 {
        todo.iter().map(|&i| (i, render_one(pages[i]))).collect()
    } else {
        let chunk = todo.len().div_ceil(threads);
        std::thread::scope(|s| {
            let handles: Vec<_> = todo
                .chunks(chunk)
                .map(|ids| {
                    s.spawn(move || {
                        ids.iter()
                            .map(|&i| (i, render_one(pages[i])))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
                .collect()
        })
    };
    let n = fresh.len();
    for (i, r) in fresh {
        cache.renders.insert(keys[i], Arc::new(r));
    }
    // Keep the cache to what the current guide uses, so it cannot grow without bound.
    let live: std::collections::HashSet<u64> = keys.iter().copied().collect();
    cache.renders.retain(|k, _| live.contains(k));
    let out = keys.iter().map(|k| Arc::clone(&cache.renders[k])).collect();
    (out, n)
}

fn render_one(p: &Chapter) -> Rendered {
    markdown::render(&markdown::Input {
        display: &p.display,
        source: &p.source,
        file: &p.text,
        body_start: p.body_start,
    })
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
    rendered: &[&Rendered],
    (theme, files): (&Theme, &theme::ThemeFiles),
    base_url: Option<&str>,
    cache: &mut Cache,
    clock: &mut Stopwatch,
) -> Result<Site, Vec<Diagnostic>> {
    let theme_key = {
        let parts: Vec<&[u8]> = files
            .files
            .iter()
            .flat_map(|(k, v)| [k.as_bytes(), v.as_slice()])
            .collect();
        fnv64(&parts)
    };
    let cfg = &guide.config;
    let mut site = Site::default();
    let assets = static_assets(files);

    // Search index first: pages link to its entry script.
    let sections = search_sections(guide, pages, rendered);
    clock.lap("theme");
    let mut search_out = search::build_cached(&sections, &mut cache.search);
    clock.lap("search");
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
        site.files.insert(url.clone(), js.into_bytes());
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
        search_index: search_out.entry.clone(),
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
    let form = |c: &Checklist, root: &str, level: u8, prefix: &str| -> Result<String, Diagnostic> {
        theme.render(
            "partials/checklist-form.html",
            &FormPartCtx {
                checklist: c,
                root: root.to_owned(),
                level,
                prefix: prefix.to_owned(),
            },
        )
    };
    let blank = |kind: &'static str, url: &str, title: &str| PageCtx {
        site: &site_ctx,
        nav,
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
               res: Result<Vec<u8>, Diagnostic>| match res {
        Ok(html) => {
            site.files.insert(url, html);
        }
        Err(d) => diags.push(d),
    };

    // Chapter pages (and the home page): contexts first, then templating on all cores.
    let mut jobs: Vec<(String, &'static str, PageCtx)> = Vec::with_capacity(pages.len());
    for (i, (page, r)) in pages.iter().zip(rendered).enumerate() {
        let root = root_prefix(&page.url);
        let mut body = r.html.clone();
        for l in &r.checklists {
            if let markdown::Target::Checklist { source, .. } = &l.target {
                let id = source
                    .trim_start_matches("checklists/")
                    .trim_end_matches(".yaml");
                if let Some(c) = lists_by_id.get(id) {
                    let html = form(c, &root, 2, "e-").unwrap_or_default();
                    body = body.replace(&format!("<!--gs:checklist:{id}-->"), &html);
                }
            }
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
            body,
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
        jobs.push((page.url.clone(), template, ctx));
    }
    for (url, res) in cache.pages_parallel(theme, theme_key, &jobs) {
        put(&mut site, &mut diags, url, res);
    }
    drop(jobs);
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
        let html = match form(c, &root, 1, "") {
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
        match form(
            c,
            &root_prefix("checklists/all.html"),
            2,
            &format!("all-{}-", c.id),
        ) {
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
    site.files.insert("sitemap.xml".into(), sm.into_bytes());

    for (url, bytes) in assets.files {
        site.files.insert(url, bytes);
    }
    for (path, bytes) in search_out.files {
        site.files.insert(path, bytes);
    }
    for (source, bytes) in &guide.assets {
        site.files.insert(page_url(source), bytes.clone());
    }
    // Offline support last: it lists and hashes every other file (see `offline_files`).
    for (path, bytes) in offline_files(&site, cfg) {
        site.files.insert(path, bytes);
    }
    Ok(site)
}

/// One search section per heading section of each page and one per checklist item.
fn search_sections(
    guide: &Guide,
    pages: &[&Chapter],
    rendered: &[&Rendered],
) -> Vec<search::Section> {
    let mut out = Vec::new();
    for (page, r) in pages.iter().zip(rendered) {
        let part = page
            .part
            .and_then(|p| guide.config.nav.get(p))
            .map(|p| p.title.clone());
        let mut h2 = String::new();
        for s in &r.sections {
            let mut crumbs: Vec<String> = part.iter().cloned().collect();
            crumbs.push(page.front.title.clone());
            if s.level == 3 && !h2.is_empty() {
                crumbs.push(h2.clone());
            }
            if s.level == 2 {
                h2 = s.heading.clone();
            }
            let mut text = s.text.clone();
            if s.anchor.is_empty() && !page.front.summary.is_empty() {
                text = format!("{}\n{text}", page.front.summary.join("\n"));
            }
            out.push(search::Section {
                page: page.url.clone(),
                anchor: s.anchor.clone(),
                page_title: page.front.title.clone(),
                heading: s.heading.clone(),
                breadcrumb: crumbs,
                text,
                code: s.code.clone(),
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
pub fn offline_files(site: &Site, cfg: &crate::config::GuideConfig) -> Vec<(String, Vec<u8>)> {
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
    let mut parts: Vec<&[u8]> = Vec::new();
    for (path, bytes) in &site.files {
        if path == "sw.js" || path == "sitemap.xml" {
            continue;
        }
        let bytes = match (&manifest, path.as_str()) {
            (Some(m), MANIFEST) => m.as_slice(),
            _ => bytes.as_slice(),
        };
        parts.push(path.as_bytes());
        parts.push(bytes);
        precache.push(path.as_str());
    }
    let version = format!("{:016x}", fnv64(&parts));
    let list = serde_json::to_string(&precache).unwrap_or_else(|_| "[]".into());
    let sw = SERVICE_WORKER
        .replace("__VERSION__", &version)
        .replace("__FILES__", &list);
    out.push(("sw.js".to_owned(), sw.into_bytes()));
    if let Some(m) = manifest {
        out.push((MANIFEST.to_owned(), m));
    }
    out
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
