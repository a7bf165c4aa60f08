//! The search index's input: the rendered chapters and the checklists as `search::Section`s,
//! one per heading section, one per checklist item and one per tool section, with their
//! breadcrumbs.

use crate::checklist::ItemKind;
use crate::load::{Chapter, Guide};
use crate::markdown::{page_url, Rendered};
use crate::search;
use crate::tool::Tool;

/// Checklist and tool pages are forms: an item's short label must not outrank the chapter
/// that explains the thing, while a query for the form itself still finds it by its title.
const FORM_BOOST: f64 = 0.7;

/// The guide's ranking hints: its synonym groups, and each page's front matter boost.
pub fn ranking(guide: &Guide, pages: &[&Chapter]) -> search::Ranking {
    search::Ranking {
        synonyms: guide
            .config
            .synonyms
            .iter()
            .map(|g| g.value.clone())
            .collect(),
        boosts: pages
            .iter()
            .filter_map(|p| Some((p.url.clone(), p.front.search.boost.as_ref()?.value)))
            .chain(
                guide
                    .checklists
                    .iter()
                    .map(|c| (page_url(&c.source), FORM_BOOST)),
            )
            .chain(
                guide
                    .tools
                    .iter()
                    .map(|t| (page_url(&t.source), FORM_BOOST)),
            )
            .collect(),
    }
}

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
        let ancestors = guide.ancestors(page);
        let mut h2 = String::new();
        // The summary shows at the top of the page, so it is searched with the page's lead
        // (text before the first heading), or as a lead of its own when there is none.
        let summary_lead = crate::markdown::SectionText::default();
        let has_lead = r.sections.first().is_some_and(|s| s.anchor.is_empty());
        let lead = (!has_lead && !page.front.summary.is_empty()).then_some(&summary_lead);
        for s in lead.into_iter().chain(&r.sections) {
            let mut crumbs: Vec<String> = part.iter().cloned().collect();
            crumbs.extend(ancestors.iter().map(|a| a.front.title.clone()));
            crumbs.push(page.front.title.clone());
            if s.level == 3 && !h2.is_empty() {
                crumbs.push(h2.clone());
            }
            if s.level == 2 {
                h2.clone_from(&s.heading);
            }
            let mut text = s.text.clone();
            if s.anchor.is_empty() && !page.front.summary.is_empty() {
                text = format!("{}\n{text}", page.front.summary.join("\n"))
                    .trim_end()
                    .to_owned();
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
    for t in &guide.tools {
        tool_sections(t, &mut out);
    }
    out
}

/// A tool page: its purpose and note, one section per form section (heading, help, the
/// fields' labels and help), anchored at the section's heading (`ts-N` in tool.html), and its
/// computed dates.
fn tool_sections(t: &Tool, out: &mut Vec<search::Section>) {
    let url = page_url(&t.source);
    let crumbs = |more: &[&str]| {
        let mut c = vec!["工具".to_owned(), t.title.clone()];
        c.extend(more.iter().map(|s| (*s).to_owned()));
        c
    };
    out.push(search::Section {
        page: url.clone(),
        anchor: String::new(),
        page_title: t.title.clone(),
        heading: String::new(),
        breadcrumb: crumbs(&[]),
        text: [t.purpose.as_str(), t.note.as_deref().unwrap_or("")].join("\n"),
        code: String::new(),
    });
    for (i, s) in t.sections.iter().enumerate() {
        let mut text: Vec<&str> = s.help.iter().map(String::as_str).collect();
        let fields = s
            .fields
            .iter()
            .chain(s.repeat.iter().flat_map(|r| &r.fields));
        for f in fields {
            text.push(&f.label);
            text.extend(f.help.as_deref());
        }
        out.push(search::Section {
            page: url.clone(),
            anchor: format!("ts-{}", i + 1),
            page_title: t.title.clone(),
            heading: s.title.clone(),
            breadcrumb: crumbs(&[&s.title]),
            text: text.join("\n"),
            code: String::new(),
        });
    }
    if !t.rules.is_empty() {
        out.push(search::Section {
            page: url.clone(),
            anchor: "tool-rules-title".into(),
            page_title: t.title.clone(),
            heading: RULES_HEADING.into(),
            breadcrumb: crumbs(&[RULES_HEADING]),
            text: t.rules.iter().map(rule_text).collect::<Vec<_>>().join("\n"),
            code: String::new(),
        });
    }
}

/// The heading of a tool's computed dates (partials/tool-rules.html).
const RULES_HEADING: &str = "算出来的日期";

/// What a computed date says on the page: its label, how it is counted, its basis and note.
fn rule_text(r: &crate::tool::Rule) -> String {
    let unit = match r.unit {
        "days" => "日",
        "months" => "个月",
        "years" => "年",
        _ => "个工作日",
    };
    let how = format!("{}加 {} {unit}", r.from_label, r.n);
    [
        r.label.as_str(),
        &how,
        &r.basis,
        r.note.as_deref().unwrap_or(""),
    ]
    .join("\n")
}
