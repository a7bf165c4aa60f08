//! Chapter pages, the home page and the search and 404 pages, templated through the page
//! cache: a page whose inputs are unchanged since the last build is reused without templating.

use std::collections::HashMap;
use std::sync::Arc;

use rayon::prelude::*;

use crate::checklist::Checklist;
use crate::diag::Diagnostic;
use crate::load::{Chapter, Guide};
use crate::markdown::{self, page_url, root_prefix, Rendered};
use crate::theme::{FormPartCtx, LinkCtx, PageCtx, Theme, TocCtx};

use super::context::{home_crumb, Shared};
use super::enhance::{self, Dims};
use super::{blob, Blob, Cache, Site, FORM_TEMPLATE};

/// What the page stages share: the guide, its rendered chapters, the theme and the site-wide
/// context.
pub struct Inputs<'a> {
    pub guide: &'a Guide,
    /// Home page (if any) then chapters, in reading order, with their renders.
    pub pages: &'a [&'a Chapter],
    pub rendered: &'a [&'a Rendered],
    pub theme: &'a Theme,
    pub theme_key: u64,
    pub shared: &'a Shared,
    pub base_url: Option<&'a str>,
    /// Sizes of the guide's images, and a digest of them and the base URL for page keys.
    pub dims: &'a Dims,
    pub extra_key: u64,
}

impl Inputs<'_> {
    pub fn checklist(&self, id: &str) -> Option<&Checklist> {
        self.guide.checklists.iter().find(|c| c.id == id)
    }

    /// The absolute URL of site path `url`, when the base URL is known.
    pub fn canonical(&self, url: &str) -> Option<String> {
        self.base_url
            .map(|b| format!("{}/{url}", b.trim_end_matches('/')))
    }
}

/// Puts a templated page into the site, or its error into `diags`.
pub fn put(
    site: &mut Site,
    diags: &mut Vec<Diagnostic>,
    url: String,
    res: Result<Blob, Diagnostic>,
) {
    match res {
        Ok(html) => {
            site.files.insert(url, html);
        }
        Err(d) => diags.push(d),
    }
}

impl Cache {
    /// Renders one page template through the page cache (key: the whole context).
    pub(super) fn page(
        &mut self,
        inp: &Inputs,
        template: &'static str,
        ctx: &PageCtx,
    ) -> Result<Blob, Diagnostic> {
        let key = crate::digest::digest_json(&(inp.theme_key, template, ctx.shared_key, ctx));
        self.pages_live.insert(key);
        if let Some(hit) = self.pages.get(&key) {
            return Ok(Arc::clone(hit));
        }
        let html: Blob = blob(inp.theme.render_page(template, ctx)?);
        if !self.one_shot {
            self.pages.insert(key, Arc::clone(&html));
        }
        Ok(html)
    }

    /// Renders a checklist form through the cache. `key` must cover the theme and the checklist;
    /// the rest of the context is hashed here.
    pub(super) fn form(
        &mut self,
        theme: &Theme,
        key: u64,
        ctx: &FormPartCtx,
    ) -> Result<String, Diagnostic> {
        let key = crate::digest::digest_parts(&[
            &key.to_le_bytes(),
            ctx.root.as_bytes(),
            &[ctx.level],
            ctx.prefix.as_bytes(),
        ]);
        self.fragment(key, || theme.render(FORM_TEMPLATE, ctx))
    }

    /// A rendered fragment (a checklist form, a chapter of the print page) through the cache.
    pub(super) fn fragment<E>(
        &mut self,
        key: u64,
        make: impl FnOnce() -> Result<String, E>,
    ) -> Result<String, E> {
        self.fragments_live.insert(key);
        if let Some(hit) = self.fragments.get(&key) {
            return Ok(hit.clone());
        }
        let html = make()?;
        if !self.one_shot {
            self.fragments.insert(key, html.clone());
        }
        Ok(html)
    }
}

/// Context of the checklist form partial.
pub fn form_ctx<'c>(c: &'c Checklist, root: &str, level: u8, prefix: &str) -> FormPartCtx<'c> {
    FormPartCtx {
        checklist: c,
        root: root.to_owned(),
        level,
        prefix: prefix.to_owned(),
    }
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

/// The cache key of chapter page `i`, from its inputs, so a hit never builds the context: the
/// context is a function of exactly these (the theme, the site-wide parts, guide.yaml, this
/// chapter's and its neighbours' load keys, and the checklists it links or embeds).
/// `site::tests::told_rebuilds_equal_clean_builds` and tests/cli/edits.rs hold this.
pub(super) fn page_key(inp: &Inputs, i: usize, list_keys: &HashMap<&str, u64>) -> u64 {
    let (page, r) = (inp.pages[i], inp.rendered[i]);
    let key_of = |j: Option<usize>| j.and_then(|j| inp.pages.get(j)).map_or(0, |p| p.key);
    let mut parts: Vec<u64> = vec![
        inp.theme_key,
        inp.shared.key,
        inp.guide.config_key,
        inp.extra_key,
        page.key,
        key_of(i.checked_sub(1)),
        key_of(Some(i + 1)),
    ];
    let linked = page.front.checklists.iter().map(|id| id.value.as_str());
    parts.extend(
        linked
            .chain(embedded(r))
            .map(|id| list_keys.get(id).copied().unwrap_or(1)),
    );
    let bytes: Vec<u8> = parts.iter().flat_map(|k| k.to_le_bytes()).collect();
    crate::digest::digest(&bytes)
}

/// The context of chapter page `i` (body still empty: `body` fills it just before templating).
fn chapter_ctx<'a>(inp: &'a Inputs, i: usize) -> PageCtx<'a> {
    let (page, r, cfg) = (inp.pages[i], inp.rendered[i], &inp.guide.config);
    let part = page
        .part
        .and_then(|p| cfg.nav.get(p))
        .map(|p| p.title.clone());
    let link = |c: &&Chapter| LinkCtx {
        title: c.front.title.clone(),
        url: c.url.clone(),
    };
    let ancestors = inp.guide.ancestors(page);
    let mut breadcrumbs = vec![home_crumb()];
    breadcrumbs.extend(part.iter().map(|p| LinkCtx {
        title: p.clone(),
        url: String::new(),
    }));
    breadcrumbs.extend(ancestors.iter().map(link));
    let mut nav_open: Vec<String> = ancestors.iter().map(|c| c.url.clone()).collect();
    nav_open.push(page.url.clone());
    let kind = if page.source == "index.md" {
        "home"
    } else {
        "chapter"
    };
    PageCtx {
        title: page.front.title.clone(),
        description: page.front.description.clone(),
        updated: page
            .front
            .updated
            .as_ref()
            .map_or_else(|| cfg.updated.clone(), |u| u.value.clone()),
        part,
        breadcrumbs,
        nav_open,
        prev: i.checked_sub(1).and_then(|j| inp.pages.get(j)).map(link),
        next: inp.pages.get(i + 1).map(link),
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
        // Checklists the body already links to or embeds are not listed again.
        checklists: page
            .front
            .checklists
            .iter()
            .filter_map(|id| inp.checklist(&id.value))
            .filter(|c| !in_body(r, &page.source, &c.source))
            .map(|c| LinkCtx {
                title: c.title.clone(),
                url: page_url(&c.source),
            })
            .collect(),
        edit_url: cfg
            .edit_url
            .as_ref()
            .map(|t| t.replace("{path}", &page.source)),
        draft: page.front.draft,
        title_id: r.title_id.clone(),
        ..inp.shared.blank(kind, &page.url, "")
    }
}

/// Whether chapter render `r` (of `source`) links to or embeds checklist `list` (its source).
fn in_body(r: &Rendered, source: &str, list: &str) -> bool {
    let url = page_url(list);
    r.links
        .iter()
        .chain(&r.checklists)
        .any(|l| match &l.target {
            markdown::Target::Checklist { source: s, .. } => {
                s == list || format!("checklists/{s}.yaml") == list
            }
            markdown::Target::Page { file, .. } => {
                markdown::resolve(source, file).is_some_and(|f| page_url(&f) == url || f == url)
            }
            _ => false,
        })
}

/// The body of chapter `i` for its own page.
fn body(inp: &Inputs, i: usize) -> String {
    let (page, r) = (inp.pages[i], inp.rendered[i]);
    assemble(inp, &r.html, &root_prefix(&page.url), "e-", &page.url)
}

/// A chapter's HTML as a page shows it: heading permalinks, sized and zoomable images, and the
/// embedded checklist forms (ids prefixed with `prefix`, links from `root`) in place of their
/// markers. `page` is the site path the image URLs in `html` are relative to.
pub fn assemble(inp: &Inputs, html: &str, root: &str, prefix: &str, page: &str) -> String {
    const MARKER: &str = "<!--gs:checklist:";
    let body = enhance::images(&enhance::heading_anchors(html), page, inp.dims);
    let mut out = String::with_capacity(body.len());
    let mut rest = body.as_str();
    while let Some(start) = rest.find(MARKER) {
        let Some(len) = rest[start..].find("-->") else {
            break;
        };
        out.push_str(&rest[..start]);
        let id = &rest[start + MARKER.len()..start + len];
        let form = inp.checklist(id).and_then(|c| {
            inp.theme
                .render(FORM_TEMPLATE, &form_ctx(c, root, 2, prefix))
                .ok()
        });
        out.push_str(form.as_deref().unwrap_or_default());
        rest = &rest[start + len + 3..];
    }
    out.push_str(rest);
    out
}

/// A key per checklist, by id, for the page keys of the pages that show it.
pub(super) fn list_keys<'a>(inp: &Inputs<'a>) -> HashMap<&'a str, u64> {
    inp.guide
        .checklists
        .iter()
        .map(|c| (c.id.as_str(), crate::digest::digest_json(c)))
        .collect()
}

/// Chapter pages and the home page: cache hits as they are, the rest templated on all cores.
pub fn chapters(inp: &Inputs, cache: &mut Cache, site: &mut Site, diags: &mut Vec<Diagnostic>) {
    let list_keys = list_keys(inp);
    let mut todo: Vec<(usize, u64)> = Vec::new();
    for i in 0..inp.pages.len() {
        // A one-shot build keeps no pages, so it needs no keys.
        let key = if cache.one_shot {
            0
        } else {
            page_key(inp, i, &list_keys)
        };
        match cache.pages.get(&key).filter(|_| !cache.one_shot) {
            Some(hit) => {
                cache.pages_live.insert(key);
                site.files.insert(inp.pages[i].url.clone(), Arc::clone(hit));
            }
            None => todo.push((i, key)),
        }
    }
    let done: Vec<(usize, u64, Result<Blob, Diagnostic>)> = todo
        .into_par_iter()
        .map(|(i, key)| {
            let mut ctx = chapter_ctx(inp, i);
            ctx.body = body(inp, i);
            let template = if ctx.kind == "home" {
                "home.html"
            } else {
                "chapter.html"
            };
            (i, key, inp.theme.render_page(template, &ctx).map(blob))
        })
        .collect();
    for (i, key, res) in done {
        if let (Ok(html), false) = (&res, cache.one_shot) {
            cache.pages_live.insert(key);
            cache.pages.insert(key, Arc::clone(html));
        }
        put(site, diags, inp.pages[i].url.clone(), res);
    }
    if inp.guide.home.is_none() {
        let ctx = PageCtx {
            next: inp.pages.first().map(|c| LinkCtx {
                title: c.front.title.clone(),
                url: c.url.clone(),
            }),
            ..inp
                .shared
                .blank("home", "index.html", &inp.guide.config.title)
        };
        put(
            site,
            diags,
            "index.html".into(),
            cache.page(inp, "home.html", &ctx),
        );
    }
}

/// The search page and the 404 page.
pub fn search_and_404(
    inp: &Inputs,
    cache: &mut Cache,
    site: &mut Site,
    diags: &mut Vec<Diagnostic>,
) {
    let ctx = PageCtx {
        breadcrumbs: vec![home_crumb()],
        ..inp.shared.blank("search", "search.html", "搜索")
    };
    put(
        site,
        diags,
        "search.html".into(),
        cache.page(inp, "search.html", &ctx),
    );
    let mut ctx = inp.shared.blank("404", "404.html", "页面不存在");
    ctx.canonical = None;
    match inp.base_url {
        // Static hosts serve 404.html at any depth: an absolute root keeps its links working.
        Some(b) => ctx.root = format!("{}/", b.trim_end_matches('/')),
        // Without one, the folder's `404.js` (see `notfound`) supplies the root.
        None => ctx.root_helper = Some(super::notfound::HELPER.to_owned()),
    }
    put(
        site,
        diags,
        "404.html".into(),
        cache.page(inp, "404.html", &ctx),
    );
}
