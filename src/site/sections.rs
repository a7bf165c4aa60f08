//! The search index's input: the rendered chapters and the checklists as `search::Section`s,
//! one per heading section and one per checklist item, with their breadcrumbs.

use crate::checklist::ItemKind;
use crate::load::{Chapter, Guide};
use crate::markdown::{page_url, Rendered};
use crate::search;

/// One search section per heading section of each page and one per checklist item.
pub fn search_sections(
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
                h2.clone_from(&s.heading);
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
