//! Cross-file checks: every internal link, anchor and checklist reference must resolve.
//!
//! Runs after all chapters are rendered (their heading ids are known) and before anything is
//! assembled, for `build`, `serve` and `check` alike (RELIABILITY I7). Pure: data in,
//! diagnostics out.

use std::collections::{HashMap, HashSet};

use crate::config::Level;
use crate::diag::{self, Diagnostic, Severity};
use crate::load::{Chapter, Guide};
use crate::markdown::{Link, Rendered, Target};
use crate::yaml::Embedded;

/// Checks the links of every rendered chapter (`rendered[i]` belongs to `pages[i]`).
pub fn check(guide: &Guide, pages: &[&Chapter], rendered: &[&Rendered]) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let ids: HashMap<&str, HashSet<&str>> = pages
        .iter()
        .zip(rendered)
        .map(|(p, r)| {
            (
                p.source.as_str(),
                r.ids.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    let lists: HashMap<&str, HashSet<String>> = guide
        .checklists
        .iter()
        .map(|c| {
            let mut set: HashSet<String> = c
                .sections
                .iter()
                .flat_map(|s| s.items.iter().map(|i| format!("{}-{}", c.id, i.id)))
                .collect();
            set.insert(format!("cl-{}", c.id));
            (c.source.as_str(), set)
        })
        .collect();
    let list_ids: Vec<&str> = guide.checklists.iter().map(|c| c.id.as_str()).collect();
    let known = if list_ids.is_empty() {
        "the guide has no loadable checklists (see their own errors)".to_owned()
    } else {
        format!("known checklists: {}", list_ids.join(", "))
    };

    let anchor_level = guide.config.markdown.missing_anchors;
    for (page, r) in pages.iter().zip(rendered) {
        let located = |l: &Link, msg: String| {
            Diagnostic::error(page.display.clone(), msg)
                .at(&page.text, l.line, l.col)
                .with_len(l.len)
        };
        // A missing heading id: the page opens, at its top (`markdown.missing_anchors`).
        let anchor = |l: &Link, msg: String| {
            let mut d = located(l, msg);
            if anchor_level == Level::Warning {
                d.severity = Severity::Warning;
            }
            d
        };
        for l in &r.links {
            match &l.target {
                Target::Fragment(f) => {
                    if !ids[page.source.as_str()].contains(f.as_str()) {
                        diags.push(
                            anchor(l, format!("no heading with id `{f}` on this page"))
                                .with_help(hint(f, &ids[page.source.as_str()])),
                        );
                    }
                }
                Target::Chapter { source, fragment } => match ids.get(source.as_str()) {
                    None => diags.push(missing_chapter(
                        guide,
                        &ids,
                        source,
                        located(l, String::new()),
                    )),
                    Some(set) => {
                        if let Some(f) = fragment.as_deref().filter(|f| !set.contains(f)) {
                            diags.push(
                                anchor(l, format!("`{source}` has no heading with id `{f}`"))
                                    .with_help(hint(f, set)),
                            );
                        }
                    }
                },
                Target::Page {
                    source,
                    file,
                    fragment,
                } => match ids.get(source.as_str()) {
                    Some(set) => {
                        if let Some(f) = fragment.as_deref().filter(|f| !set.contains(f)) {
                            diags.push(
                                anchor(l, format!("`{source}` has no heading with id `{f}`"))
                                    .with_help(hint(f, set)),
                            );
                        }
                    }
                    None if guide.assets.contains_key(file) => {}
                    None => {
                        let d = missing_chapter(guide, &ids, source, located(l, String::new()));
                        let d = if d.message.starts_with("link to missing chapter") {
                            Diagnostic {
                                message: format!(
                                    "link to missing page `{file}` (no chapter `{source}`, no such file)"
                                ),
                                ..d
                            }
                        } else {
                            d
                        };
                        diags.push(d);
                    }
                },
                Target::Checklist { source, fragment } => match lists.get(source.as_str()) {
                    None => diags.push(
                        located(l, format!("link to missing checklist `{source}`"))
                            .with_help(known.clone()),
                    ),
                    Some(set) => {
                        if let Some(f) = fragment.as_deref().filter(|f| !set.contains(*f)) {
                            diags.push(located(
                                l,
                                format!("checklist `{source}` has no item anchor `{f}`"),
                            ));
                        }
                    }
                },
                Target::Asset { source } => {
                    if !guide.assets.contains_key(source) {
                        diags.push(located(l, format!("link to missing file `{source}`")).with_help("put the file under guide/ (e.g. guide/assets/) and link to it relatively"));
                    }
                }
            }
        }
        for l in &r.checklists {
            if let Target::Checklist { source, .. } = &l.target {
                if !lists.contains_key(source.as_str()) {
                    let id = source
                        .trim_start_matches("checklists/")
                        .trim_end_matches(".yaml");
                    let help = match diag::did_you_mean(id, list_ids.iter().copied()) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => known.clone(),
                    };
                    diags.push(located(l, format!("no checklist with id `{id}`")).with_help(help));
                }
            }
        }
        let e = Embedded {
            path: &page.display,
            file: &page.text,
            start: page.front_start,
        };
        for c in &page.front.checklists {
            if !list_ids.contains(&c.value.as_str()) {
                let help = match diag::did_you_mean(&c.value, list_ids.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => known.clone(),
                };
                diags.push(
                    e.diag_at(&c.referenced, format!("no checklist with id `{}`", c.value))
                        .with_help(help),
                );
            }
        }
    }

    for c in &guide.checklists {
        if !ids.contains_key(c.chapter.as_str()) {
            let display = format!("{}/{}", guide.display_root, c.source);
            let (line, col) = c.chapter_pos;
            let help = match diag::did_you_mean(&c.chapter, ids.keys().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => "`chapter:` is a guide-relative path such as chapters/prepare/evidence.md"
                    .into(),
            };
            let mut d = Diagnostic::error(
                display,
                format!(
                    "checklist `{}` belongs to missing chapter `{}`",
                    c.id, c.chapter
                ),
            )
            .with_len(c.chapter.chars().count());
            d.line = line;
            d.col = col;
            d.source_line = Some(c.chapter_line.clone());
            diags.push(d.with_help(help));
        }
    }
    diags
}

/// A link to a chapter that is not published: not in nav, or no such file.
fn missing_chapter(
    guide: &Guide,
    ids: &HashMap<&str, HashSet<&str>>,
    source: &str,
    mut d: Diagnostic,
) -> Diagnostic {
    if guide.unlisted.iter().any(|u| u == source) {
        d.message = format!("link to `{source}`, which is not in nav and so not published");
        return d.with_help(format!(
            "add `- {source}` to a part's chapters in guide.yaml, or link to a published chapter"
        ));
    }
    d.message = format!("link to missing chapter `{source}`");
    let help = match diag::did_you_mean(source, ids.keys().copied()) {
        Some(s) => format!("did you mean `{s}`?"),
        None => "check the path; links are relative to this file".into(),
    };
    d.with_help(help)
}

fn hint(frag: &str, ids: &HashSet<&str>) -> String {
    match diag::did_you_mean(frag, ids.iter().copied()) {
        Some(s) => format!("did you mean `#{s}`?"),
        None => "heading ids are the heading text; see the page's table of contents".into(),
    }
}
