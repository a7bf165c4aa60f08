//! Cross-file checks: every internal link, anchor and checklist reference must resolve.
//!
//! Runs after all chapters are rendered (their heading ids are known) and before anything is
//! assembled, for `build`, `serve` and `check` alike (RELIABILITY I7). Pure: data in,
//! diagnostics out.

use std::cell::OnceCell;
use std::collections::{HashMap, HashSet};

use crate::config::Level;
use crate::diag::{self, Diagnostic, LineIndex, Severity};
use crate::load::{Chapter, Guide};
use crate::markdown::{Link, Rendered, Target};
use crate::yaml::Embedded;

/// What links can point at: each page's heading ids, each checklist's item anchors.
struct Known<'g> {
    guide: &'g Guide,
    ids: HashMap<&'g str, HashSet<&'g str>>,
    lists: HashMap<&'g str, HashSet<String>>,
    list_ids: Vec<&'g str>,
    /// The help line for an unknown checklist.
    lists_help: String,
}

impl<'g> Known<'g> {
    fn new(guide: &'g Guide, pages: &[&'g Chapter], rendered: &[&'g Rendered]) -> Known<'g> {
        let ids = pages
            .iter()
            .zip(rendered)
            .map(|(p, r)| {
                (
                    p.source.as_str(),
                    r.ids.iter().map(String::as_str).collect(),
                )
            })
            .collect();
        let lists = guide
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
        let lists_help = if list_ids.is_empty() {
            "the guide has no loadable checklists (see their own errors)".to_owned()
        } else {
            format!("known checklists: {}", list_ids.join(", "))
        };
        Known {
            guide,
            ids,
            lists,
            list_ids,
            lists_help,
        }
    }

    /// "did you mean" for a checklist id, else the known ones.
    fn list_help(&self, id: &str) -> String {
        match diag::did_you_mean(id, self.list_ids.iter().copied()) {
            Some(s) => format!("did you mean `{s}`?"),
            None => self.lists_help.clone(),
        }
    }
}

/// Checks the links of every rendered chapter (`rendered[i]` belongs to `pages[i]`), the
/// checklists they embed or name, and each checklist's chapter.
pub fn check(guide: &Guide, pages: &[&Chapter], rendered: &[&Rendered]) -> Vec<Diagnostic> {
    let known = Known::new(guide, pages, rendered);
    let mut diags = Vec::new();
    for (page, r) in pages.iter().zip(rendered) {
        // Made on the first problem of the page: many problems on one long line cost once.
        let lines = OnceCell::new();
        for l in &r.links {
            diags.extend(link_problem(&known, page, &lines, l));
        }
        checklist_references(&known, page, r, &mut diags);
    }
    checklist_chapters(&known, &mut diags);
    diags
}

/// A link's problem, if any: a missing page, file, checklist or heading id.
fn link_problem<'p>(
    known: &Known,
    page: &'p Chapter,
    lines: &OnceCell<LineIndex<'p>>,
    l: &Link,
) -> Option<Diagnostic> {
    let located = |msg: String| {
        let d = Diagnostic::error(page.display.clone(), msg);
        let lines = lines.get_or_init(|| LineIndex::new(&page.text));
        lines.diag(d, l.off, 0).with_len(l.len)
    };
    // A missing heading id: the page opens, at its top (`markdown.missing_anchors`).
    let anchor = |msg: String, set: &HashSet<&str>, f: &str| {
        let relaxed = known.guide.config.markdown.missing_anchors == Level::Warning;
        let mut d = located(msg).with_help(hint(f, set, relaxed));
        if relaxed {
            d.severity = Severity::Warning;
        }
        d
    };
    let in_page = |source: &str, fragment: &Option<String>| {
        let set = known.ids.get(source)?;
        let f = fragment.as_deref().filter(|f| !set.contains(f))?;
        Some(anchor(
            format!("`{source}` has no heading with id `{f}`"),
            set,
            f,
        ))
    };
    match &l.target {
        // A page or checklist that failed to load has its own error: nothing to add.
        Target::Chapter { source, .. }
        | Target::Page { source, .. }
        | Target::Checklist { source, .. }
            if known.guide.failed.contains(source) =>
        {
            None
        }
        Target::Fragment(f) => {
            let set = &known.ids[page.source.as_str()];
            (!set.contains(f.as_str()))
                .then(|| anchor(format!("no heading with id `{f}` on this page"), set, f))
        }
        Target::Chapter { source, fragment } => match known.ids.contains_key(source.as_str()) {
            false => Some(missing_chapter(known, source, located(String::new()))),
            true => in_page(source, fragment),
        },
        Target::Page {
            source,
            file,
            fragment,
        } => {
            if known.ids.contains_key(source.as_str()) {
                return in_page(source, fragment);
            }
            if known.guide.assets.contains_key(file) {
                return None;
            }
            let mut d = missing_chapter(known, source, located(String::new()));
            if d.message.starts_with("link to missing chapter") {
                d.message =
                    format!("link to missing page `{file}` (no chapter `{source}`, no such file)");
            }
            Some(d)
        }
        Target::Checklist { source, fragment } => match known.lists.get(source.as_str()) {
            None => Some(
                located(format!("link to missing checklist `{source}`"))
                    .with_help(known.lists_help.clone()),
            ),
            Some(set) => fragment
                .as_deref()
                .filter(|f| !set.contains(*f))
                .map(|f| located(format!("checklist `{source}` has no item anchor `{f}`"))),
        },
        Target::Tool { source } => {
            (!known.guide.tools.iter().any(|t| &t.source == source)).then(|| {
                let ids = known.guide.tools.iter().map(|t| t.source.as_str());
                let d = located(format!("link to missing tool `{source}`"));
                match crate::diag::did_you_mean(source, ids) {
                    Some(s) => d.with_help(format!("did you mean `{s}`?")),
                    None => d.with_help("tools are the files under guide/tools/"),
                }
            })
        }
        Target::Asset { source } => (!known.guide.assets.contains_key(source)).then(|| {
            located(format!("link to missing file `{source}`")).with_help(
                "put the file under guide/ (e.g. guide/assets/) and link to it relatively",
            )
        }),
    }
}

/// Embedded checklists (```checklist blocks) and `checklists:` in front matter must exist.
fn checklist_references(known: &Known, page: &Chapter, r: &Rendered, diags: &mut Vec<Diagnostic>) {
    for l in &r.checklists {
        if let Target::Checklist { source, .. } = &l.target {
            if !known.lists.contains_key(source.as_str()) && !known.guide.failed.contains(source) {
                let id = source
                    .trim_start_matches("checklists/")
                    .trim_end_matches(".yaml");
                let d =
                    Diagnostic::error(page.display.clone(), format!("no checklist with id `{id}`"))
                        .at(&page.text, l.line, l.col)
                        .with_len(l.len);
                diags.push(d.with_help(known.list_help(id)));
            }
        }
    }
    let e = Embedded {
        path: &page.display,
        file: &page.text,
        start: page.front_start,
    };
    for c in &page.front.checklists {
        if !known.list_ids.contains(&c.value.as_str()) && !known.guide.checklist_failed(&c.value) {
            diags.push(
                e.diag_at(&c.referenced, format!("no checklist with id `{}`", c.value))
                    .with_help(known.list_help(&c.value)),
            );
        }
    }
}

/// Each checklist's `chapter:` must be a chapter of the guide.
fn checklist_chapters(known: &Known, diags: &mut Vec<Diagnostic>) {
    for c in &known.guide.checklists {
        if known.ids.contains_key(c.chapter.as_str()) || known.guide.failed.contains(&c.chapter) {
            continue;
        }
        let display = format!("{}/{}", known.guide.display_root, c.source);
        let draft = known.guide.drafts.contains(&c.chapter);
        let help = match diag::did_you_mean(&c.chapter, known.ids.keys().copied()) {
            Some(s) => format!("did you mean `{s}`?"),
            None => {
                "`chapter:` is a guide-relative path such as chapters/prepare/evidence.md".into()
            }
        };
        let msg = format!(
            "checklist `{}` belongs to missing chapter `{}`",
            c.id, c.chapter
        );
        let (msg, help) = if draft {
            (
                format!(
                    "checklist `{}` belongs to `{}`, a draft: this build leaves it out",
                    c.id, c.chapter
                ),
                "the back-link leads nowhere until the chapter's `draft: true` is removed"
                    .to_owned(),
            )
        } else {
            (msg, help)
        };
        let mut d = Diagnostic::error(display, msg).with_len(c.chapter.chars().count());
        if draft {
            d.severity = Severity::Warning;
        }
        (d.line, d.col) = c.chapter_pos;
        d.source_line = Some(c.chapter_line.clone());
        diags.push(d.with_help(help));
    }
}

fn missing_chapter(known: &Known, source: &str, mut d: Diagnostic) -> Diagnostic {
    if known.guide.drafts.iter().any(|u| u == source) {
        // Drafts are work in progress: the link is right, the page just is not out yet.
        d.severity = Severity::Warning;
        d.message = format!("link to `{source}`, a draft: this build leaves it out");
        return d.with_help(
            "the link leads nowhere until the chapter's `draft: true` is removed (`serve` shows drafts)",
        );
    }
    if known.guide.unlisted.iter().any(|u| u == source) {
        d.message = format!("link to `{source}`, which is not in nav and so not published");
        return d.with_help(format!(
            "add `- {source}` to a part's chapters in guide.yaml, or link to a published chapter"
        ));
    }
    d.message = format!("link to missing chapter `{source}`");
    let help = match diag::did_you_mean(source, known.ids.keys().copied()) {
        Some(s) => format!("did you mean `{s}`?"),
        None => "check the path; links are relative to this file".into(),
    };
    d.with_help(help)
}

/// Help for a missing heading id; `relaxed`: `markdown.missing_anchors` is already `warning`.
fn hint(frag: &str, ids: &HashSet<&str>, relaxed: bool) -> String {
    if let Some(s) = diag::did_you_mean(frag, ids.iter().copied()) {
        return format!("did you mean `#{s}`?");
    }
    // A translated book: its headings (and so their ids) changed language, its links did not.
    if frag.is_ascii() && ids.iter().any(|id| !id.is_ascii()) {
        let what = "heading ids are the heading text, and this page's headings are not in the \
                    anchor's language (a translated book's links often keep the original's \
                    anchors)";
        return if relaxed {
            format!("{what}; the link opens the page at its top")
        } else {
            format!("{what}: `markdown: {{missing_anchors: warning}}` in guide.yaml lists such links as warnings")
        };
    }
    "heading ids are the heading text; see the page's table of contents".into()
}

#[cfg(test)]
mod tests {
    use super::hint;
    use std::collections::HashSet;

    #[test]
    fn a_latin_anchor_on_a_page_of_chinese_headings_points_to_missing_anchors() {
        let chinese: HashSet<&str> = ["类型表达式", "递归类型"].into_iter().collect();
        assert!(hint("type-expressions", &chinese, false).contains("missing_anchors: warning"));
        assert!(hint("type-expressions", &chinese, true).ends_with("opens the page at its top"));
        let latin: HashSet<&str> = ["install", "usage"].into_iter().collect();
        assert_eq!(hint("instal", &latin, false), "did you mean `#install`?");
        assert!(!hint("zzz-unrelated", &latin, false).contains("missing_anchors"));
    }
}
