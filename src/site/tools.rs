//! Tool pages: one page per tool (`tools/<id>.html`, the form, its rules, pre-check and
//! printable document, all from the tool's YAML through the theme) and the tools index.

use crate::diag::Diagnostic;
use crate::markdown::page_url;
use crate::theme::{ImportCtx, LinkCtx, PageCtx, ToolCtx};
use crate::tool::Tool;

use super::context::home_crumb;
use super::pages::{put, Inputs};
use super::{Cache, Site};

const INDEX: &str = "tools/index.html";

fn index_crumb() -> LinkCtx {
    LinkCtx {
        title: "维权工具".into(),
        url: INDEX.into(),
    }
}

/// Every tool page and, when the guide has tools, `tools/index.html`.
pub fn pages(inp: &Inputs, cache: &mut Cache, site: &mut Site, diags: &mut Vec<Diagnostic>) {
    let tools = &inp.guide.tools;
    if tools.is_empty() {
        return;
    }
    for t in tools {
        let url = page_url(&t.source);
        let ctx = PageCtx {
            updated: t
                .updated
                .clone()
                .unwrap_or_else(|| inp.guide.config.updated.clone()),
            description: t.purpose.clone(),
            breadcrumbs: vec![home_crumb(), index_crumb()],
            tool: Some(tool_ctx(inp, t)),
            ..inp.shared.blank("tool", &url, &t.title)
        };
        put(site, diags, url.clone(), cache.page(inp, "tool.html", &ctx));
    }
    let ctx = PageCtx {
        breadcrumbs: vec![home_crumb()],
        ..inp.shared.blank("tools", INDEX, "维权工具")
    };
    put(
        site,
        diags,
        INDEX.into(),
        cache.page(inp, "tools.html", &ctx),
    );
}

fn tool_ctx<'a>(inp: &'a Inputs, t: &'a Tool) -> ToolCtx<'a> {
    let chapter = inp
        .pages
        .iter()
        .find(|p| p.source == t.chapter)
        .map(|p| LinkCtx {
            title: p.front.title.clone(),
            url: p.url.clone(),
        })
        .unwrap_or_else(|| LinkCtx {
            title: t.chapter.clone(),
            url: page_url(&t.chapter),
        });
    let checklists = t
        .checklists
        .iter()
        .filter_map(|id| inp.checklist(id))
        .map(|c| LinkCtx {
            title: c.title.clone(),
            url: page_url(&c.source),
        })
        .collect();
    let imports = t
        .sections
        .iter()
        .filter_map(|s| s.repeat.as_ref())
        .filter_map(|r| {
            let from = r.import.as_ref()?;
            let src = inp.guide.tools.iter().find(|x| x.id == from.tool)?;
            Some(ImportCtx {
                group: r.id.clone(),
                title: src.title.clone(),
            })
        })
        .collect();
    ToolCtx {
        tool: t,
        chapter,
        checklists,
        imports,
    }
}

/// Links to the tools that list checklist `id` (for its page).
pub fn for_checklist(inp: &Inputs, id: &str) -> Vec<LinkCtx> {
    inp.guide
        .tools
        .iter()
        .filter(|t| t.checklists.iter().any(|c| c == id))
        .map(|t| LinkCtx {
            title: t.title.clone(),
            url: page_url(&t.source),
        })
        .collect()
}
