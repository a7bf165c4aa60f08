//! The site-wide part of every page's template context: site settings, asset URLs and the
//! navigation, made Tera values once per build (`Shared`), and `Shared::blank` as the start of
//! each page's own context.

use crate::diag::Diagnostic;
use crate::load::{Chapter, Guide};
use crate::markdown::{page_url, root_prefix};
use crate::theme::{LinkCtx, NavChapterCtx, NavPartCtx, PageCtx, SiteCtx};

use super::assets::Assets;
use super::{Site, NAV_INLINE_MAX, SEARCH_ENTRY};

/// The theme's share image (1200×630 PNG), for Open Graph when the base URL is known.
const SHARE_IMAGE: &str = "static/share.png";

/// What every page of one build shares.
pub struct Shared {
    pub site: tera::Value,
    pub nav: tera::Value,
    /// Digest of what `site` and `nav` hold, for page cache keys.
    pub key: u64,
    description: String,
    updated: String,
    /// The base URL, without its trailing slash.
    base: Option<String>,
}

impl Shared {
    /// The site context and the navigation. Guides with more than `NAV_INLINE_MAX` chapters
    /// get their nav from one shared script (added to `site`) instead of a copy in every page.
    pub fn new(
        guide: &Guide,
        assets: &Assets,
        site: &mut Site,
        base_url: Option<&str>,
    ) -> Result<Shared, Vec<Diagnostic>> {
        let cfg = &guide.config;
        let nav_parts = nav_parts(guide);
        let inline_nav = guide.chapters.len() <= NAV_INLINE_MAX;
        let nav_js = (!inline_nav).then(|| {
            let payload = serde_json::to_string(&nav_parts).unwrap_or_else(|_| "[]".into());
            let js = format!("window.GSNav={payload};\n");
            let url = format!("static/nav.{}.js", &crate::digest::hex(js.as_bytes())[..10]);
            site.put(url.clone(), js.into_bytes());
            url
        });
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
            checklists: guide
                .checklists
                .iter()
                .map(|c| LinkCtx {
                    title: c.title.clone(),
                    url: page_url(&c.source),
                })
                .collect(),
            tools_css: assets.tools_css.clone(),
            tools_js: assets.tools_js.clone(),
            remote_images: cfg.markdown.remote_images == crate::config::RemoteImages::Allow,
            extra_css: cfg.extra_css.iter().map(|c| page_url(&c.value)).collect(),
            // Only when the theme ships one (a theme of one's own may not).
            share_image: base_url
                .filter(|_| assets.files.iter().any(|(p, _)| p == SHARE_IMAGE))
                .map(|b| format!("{}/{SHARE_IMAGE}", b.trim_end_matches('/'))),
            tools: guide
                .tools
                .iter()
                .map(|t| LinkCtx {
                    title: t.title.clone(),
                    url: page_url(&t.source),
                })
                .collect(),
        };
        let nav: &[NavPartCtx] = if inline_nav { &nav_parts } else { &[] };
        let value = |v: Result<tera::Value, tera::Error>| {
            v.map_err(|e| {
                vec![Diagnostic::error(
                    "templates",
                    format!("template context: {e}"),
                )]
            })
        };
        Ok(Shared {
            site: value(tera::Value::try_from_serializable(&site_ctx))?,
            nav: value(tera::Value::try_from_serializable(nav))?,
            key: crate::digest::digest_json(&(&site_ctx, nav, base_url)),
            description: cfg.description.clone(),
            updated: cfg.updated.clone(),
            base: base_url.map(|b| b.trim_end_matches('/').to_owned()),
        })
    }

    /// A page context with only the site-wide parts filled in.
    pub fn blank(&self, kind: &'static str, url: &str, title: &str) -> PageCtx<'_> {
        PageCtx {
            site: &self.site,
            nav: &self.nav,
            shared_key: self.key,
            root: root_prefix(url),
            url: url.to_owned(),
            kind,
            title: title.to_owned(),
            title_id: None,
            description: self.description.clone(),
            updated: self.updated.clone(),
            part: None,
            breadcrumbs: Vec::new(),
            nav_open: Vec::new(),
            prev: None,
            next: None,
            toc: Vec::new(),
            summary: &[],
            body: String::new(),
            checklists: Vec::new(),
            edit_url: None,
            forms: Vec::new(),
            canonical: self.base.as_ref().map(|b| format!("{b}/{url}")),
            root_helper: None,
            print: Vec::new(),
            tool: None,
            tools: Vec::new(),
            draft: false,
        }
    }
}

/// The navigation: every part with its chapters, in reading order, each chapter with the
/// ones nested under it.
fn nav_parts(guide: &Guide) -> Vec<NavPartCtx> {
    guide
        .config
        .nav
        .iter()
        .enumerate()
        .map(|(pi, part)| NavPartCtx {
            title: part.title.clone(),
            chapters: nav_tree(guide, guide.chapters.iter().filter(|c| c.part == Some(pi))),
        })
        // A part whose chapters are all drafts left out of this build has nothing to show.
        .filter(|p| !p.chapters.is_empty())
        .collect()
}

/// Chapters in nav order (depth-first) → the tree: each goes under its nearest published
/// ancestor, so a draft left out of the build lifts its sections a level.
fn nav_tree<'g>(guide: &Guide, chapters: impl Iterator<Item = &'g Chapter>) -> Vec<NavChapterCtx> {
    let mut roots = Vec::new();
    // The open branch: each chapter's source with its node, children still being added.
    let mut stack: Vec<(&str, NavChapterCtx)> = Vec::new();
    let close = |stack: &mut Vec<(&str, NavChapterCtx)>, roots: &mut Vec<NavChapterCtx>| {
        if let Some((_, node)) = stack.pop() {
            match stack.last_mut() {
                Some((_, parent)) => parent.children.push(node),
                None => roots.push(node),
            }
        }
    };
    for c in chapters {
        let parent = guide.ancestors(c).last().map(|p| p.source.as_str());
        while !stack.is_empty() && stack.last().map(|(s, _)| Some(*s)) != Some(parent) {
            close(&mut stack, &mut roots);
        }
        let node = NavChapterCtx {
            title: c.front.title.clone(),
            url: c.url.clone(),
            draft: c.front.draft,
            children: Vec::new(),
        };
        stack.push((c.source.as_str(), node));
    }
    while !stack.is_empty() {
        close(&mut stack, &mut roots);
    }
    roots
}

/// The breadcrumb every page starts with.
pub fn home_crumb() -> LinkCtx {
    LinkCtx {
        title: "首页".into(),
        url: "index.html".into(),
    }
}
