//! Checklist pages: one page per checklist, the checklist index and the print-all page, with
//! each checklist's form rendered once per place it appears (and cached across builds).

use crate::diag::Diagnostic;
use crate::markdown::{page_url, root_prefix};
use crate::theme::{FormCtx, LinkCtx, PageCtx};

use super::context::home_crumb;
use super::pages::{form_ctx, put, Inputs};
use super::{Cache, Site};

/// The title and URL of the chapter a checklist belongs to.
fn chapter_link(inp: &Inputs, source: &str) -> LinkCtx {
    inp.pages
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
}

/// Every checklist page, `checklists/index.html` and `checklists/all.html`.
pub fn pages(inp: &Inputs, cache: &mut Cache, site: &mut Site, diags: &mut Vec<Diagnostic>) {
    let cfg = &inp.guide.config;
    let crumbs = vec![
        home_crumb(),
        LinkCtx {
            title: "清单".into(),
            url: "checklists/index.html".into(),
        },
    ];
    let mut all_forms = Vec::new();
    for c in &inp.guide.checklists {
        let url = page_url(&c.source);
        let updated = c.updated.clone().unwrap_or_else(|| cfg.updated.clone());
        let chapter = chapter_link(inp, &c.chapter);
        let key = inp.theme_key ^ crate::digest::digest_json(c);
        let form = |cache: &mut Cache, root: &str, level: u8, prefix: &str| {
            cache.form(inp.theme, key, &form_ctx(c, root, level, prefix))
        };
        let html = match form(cache, &root_prefix(&url), 1, "") {
            Ok(h) => h,
            Err(d) => {
                diags.push(d);
                continue;
            }
        };
        let canonical = inp.canonical(&url);
        let qr = canonical.as_deref().and_then(super::qr::svg);
        let form_of = |html| FormCtx {
            checklist: c,
            url: url.clone(),
            chapter: chapter.clone(),
            updated: updated.clone(),
            html,
            canonical: canonical.clone(),
            qr: qr.clone(),
        };
        let ctx = PageCtx {
            updated: updated.clone(),
            description: c.purpose.clone(),
            breadcrumbs: crumbs.clone(),
            forms: vec![form_of(html)],
            tools: super::tools::for_checklist(inp, &c.id),
            ..inp.shared.blank("checklist", &url, &c.title)
        };
        put(
            site,
            diags,
            url.clone(),
            cache.page(inp, "checklist.html", &ctx),
        );
        let all_root = root_prefix("checklists/all.html");
        match form(cache, &all_root, 2, &format!("all-{}-", c.id)) {
            Ok(html) => all_forms.push(form_of(html)),
            Err(d) => diags.push(d),
        }
    }
    let ctx = PageCtx {
        breadcrumbs: vec![home_crumb()],
        ..inp
            .shared
            .blank("checklists", "checklists/index.html", "可打印的清单")
    };
    put(
        site,
        diags,
        "checklists/index.html".into(),
        cache.page(inp, "checklists.html", &ctx),
    );
    let ctx = PageCtx {
        breadcrumbs: vec![home_crumb()],
        forms: all_forms,
        ..inp
            .shared
            .blank("print-all", "checklists/all.html", "全部清单（打印版）")
    };
    put(
        site,
        diags,
        "checklists/all.html".into(),
        cache.page(inp, "checklists-all.html", &ctx),
    );
}
