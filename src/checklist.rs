//! Checklists: the YAML schema, its semantic checks, and the one-page print budget.
//!
//! A checklist is one YAML file under `guide/checklists/`: sections of items, each item a box to
//! tick, a field to write in, or a table to fill in by hand. Parsing (serde-saphyr with unknown
//! field detection) and validation happen here; HTML comes from the theme's `checklist` partial,
//! fed by the typed `Checklist` below. Nothing here reads the file system.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_saphyr::{Location, Spanned};

use crate::diag::Diagnostic;
use crate::yaml::{self, Embedded};

/// Printable height budget for one checklist, in millimetres (A4 297 mm minus 12 mm margins top
/// and bottom, minus the printed header/footer band).
pub const PAGE_BUDGET_MM: f32 = 255.0;
const MAX_LINES: u8 = 6;
const MAX_ROWS: u8 = 30;
const MAX_COLUMNS: usize = 10;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileChecklist {
    id: Spanned<String>,
    title: String,
    purpose: String,
    chapter: Spanned<String>,
    #[serde(default)]
    updated: Option<Spanned<String>>,
    sections: Spanned<Vec<FileSection>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSection {
    title: Spanned<String>,
    items: Spanned<Vec<FileItem>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileItem {
    id: Spanned<String>,
    #[serde(default)]
    check: Option<String>,
    #[serde(default)]
    field: Option<String>,
    #[serde(default)]
    table: Option<FileTable>,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    lines: Option<Spanned<u8>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileTable {
    columns: Spanned<Vec<String>>,
    rows: Spanned<u8>,
}

/// A validated checklist.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Checklist {
    pub id: String,
    pub title: String,
    pub purpose: String,
    /// Guide-relative path of the chapter it belongs to, e.g. `chapters/prepare/evidence.md`.
    pub chapter: String,
    /// File line:col of the `chapter:` value, for link diagnostics.
    #[serde(skip)]
    pub chapter_pos: (usize, usize),
    #[serde(skip)]
    pub chapter_line: String,
    pub updated: Option<String>,
    pub sections: Vec<Section>,
    /// Guide-relative source path, e.g. `checklists/evidence.yaml`.
    pub source: String,
    /// Estimated printed height in millimetres.
    pub estimate_mm: u32,
    /// The file's text as read (for checks that report positions in it, e.g. `hygiene`).
    #[serde(skip)]
    pub text: std::sync::Arc<str>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Section {
    pub title: String,
    pub items: Vec<Item>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Item {
    pub id: String,
    /// The text to tick, or the field label; empty for tables.
    pub text: String,
    pub note: Option<String>,
    #[serde(flatten)]
    pub kind: ItemKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum ItemKind {
    Check,
    Field { lines: u8 },
    Table { columns: Vec<String>, rows: u8 },
}

/// Parses and validates one checklist file. `path` is shown to the user; `source` is the
/// guide-relative path; `stem` is the file name without `.yaml`.
///
/// A file that parses but breaks a semantic rule still yields its checklist (without the bad
/// items), so references to it resolve and only the real problems are reported.
pub fn parse(
    path: &str,
    source: &str,
    stem: &str,
    text: &str,
) -> (Option<Checklist>, Vec<Diagnostic>) {
    match parse_inner(path, source, stem, text) {
        Ok((list, diags)) => (Some(list), diags),
        Err(d) => (None, vec![d]),
    }
}

fn parse_inner(
    path: &str,
    source: &str,
    stem: &str,
    text: &str,
) -> Result<(Checklist, Vec<Diagnostic>), Diagnostic> {
    let src = Embedded {
        path,
        file: text,
        start: 0,
    };
    let file: FileChecklist = yaml::parse(&src)?;
    let mut diags = Vec::new();
    let at = |loc: &Location, msg: String| src.diag_at(loc, msg);

    if file.id.value != stem {
        diags.push(
            at(
                &file.id.referenced,
                format!(
                    "checklist id `{}` does not match the file name `{stem}.yaml`",
                    file.id.value
                ),
            )
            .with_help(format!(
                "use `id: {stem}`, or rename the file to `{}.yaml`",
                file.id.value
            )),
        );
    }
    if let Some(u) = &file.updated {
        if !crate::config::is_date(&u.value) {
            diags.push(at(
                &u.referenced,
                format!(
                    "`updated` must be a date like 2026-11-24, found `{}`",
                    u.value
                ),
            ));
        }
    }
    if file.sections.value.is_empty() {
        diags.push(at(
            &file.sections.referenced,
            "a checklist needs at least one section".into(),
        ));
    }
    let mut seen: HashMap<String, Location> = HashMap::new();
    let mut sections = Vec::new();
    for s in file.sections.value {
        if s.items.value.is_empty() {
            diags.push(
                at(
                    &s.title.referenced,
                    format!("section `{}` has no items", s.title.value),
                )
                .with_help("add items, or remove the empty section"),
            );
        }
        let mut items = Vec::new();
        for it in s.items.value {
            if let Some(d) = check_item(&src, &it, &mut seen) {
                diags.push(d);
                continue;
            }
            let kind = match (&it.check, &it.field, &it.table) {
                (Some(_), None, None) => ItemKind::Check,
                (None, Some(_), None) => ItemKind::Field {
                    lines: it.lines.as_ref().map_or(1, |l| l.value),
                },
                (None, None, Some(t)) => ItemKind::Table {
                    columns: t.columns.value.clone(),
                    rows: t.rows.value,
                },
                _ => unreachable!("check_item rejects items without exactly one kind"),
            };
            items.push(Item {
                id: it.id.value,
                text: it.check.or(it.field).unwrap_or_default(),
                note: it.note,
                kind,
            });
        }
        sections.push(Section {
            title: s.title.value,
            items,
        });
    }
    let mut list = Checklist {
        id: file.id.value,
        title: file.title,
        purpose: file.purpose,
        chapter: file.chapter.value,
        chapter_pos: src.file_pos(&file.chapter.referenced),
        chapter_line: text
            .lines()
            .nth(src.file_pos(&file.chapter.referenced).0 - 1)
            .unwrap_or("")
            .to_owned(),
        updated: file.updated.map(|u| u.value),
        sections,
        source: source.to_owned(),
        estimate_mm: 0,
        text: text.into(),
    };
    list.estimate_mm = estimate_mm(&list).round() as u32;
    if diags.is_empty() && list.estimate_mm as f32 > PAGE_BUDGET_MM {
        diags.push(
            Diagnostic::error(
                path,
                format!(
                    "checklist `{}` is estimated at {} mm printed, over the one-page A4 budget of {} mm",
                    list.id, list.estimate_mm, PAGE_BUDGET_MM
                ),
            )
            .at(text, 1, 1)
            .with_help("shorten item texts and notes, use fewer table rows, or split the checklist"),
        );
    }
    Ok((list, diags))
}

/// Structural checks for one item; returns the first problem.
fn check_item(
    src: &Embedded<'_>,
    it: &FileItem,
    seen: &mut HashMap<String, Location>,
) -> Option<Diagnostic> {
    let id = &it.id.value;
    if id.is_empty()
        || !id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Some(
            src.diag_at(
                &it.id.referenced,
                format!("item id `{id}` may contain only a-z, 0-9 and -"),
            )
            .with_help("ids keep saved ticks stable; use short English words like `id-card`"),
        );
    }
    if let Some(first) = seen.get(id) {
        let (l, c) = src.file_pos(first);
        return Some(
            src.diag_at(&it.id.referenced, format!("duplicate item id `{id}`"))
                .with_help(format!(
                    "first used at line {l}, column {c}; item ids must be unique in a checklist"
                )),
        );
    }
    seen.insert(id.clone(), it.id.referenced);
    let kinds = usize::from(it.check.is_some())
        + usize::from(it.field.is_some())
        + usize::from(it.table.is_some());
    if kinds != 1 {
        return Some(
            src.diag_at(&it.id.referenced, format!("item `{id}` must have exactly one of `check`, `field` or `table`"))
                .with_help("a box to tick: `check: 文字`; a write-in field: `field: 标签`; a table: `table: {columns: [...], rows: 8}`"),
        );
    }
    if let Some(l) = &it.lines {
        if it.field.is_none() {
            return Some(src.diag_at(
                &l.referenced,
                "`lines` applies only to `field` items".to_owned(),
            ));
        }
        if l.value == 0 || l.value > MAX_LINES {
            return Some(src.diag_at(
                &l.referenced,
                format!("`lines` must be between 1 and {MAX_LINES}"),
            ));
        }
    }
    if let Some(t) = &it.table {
        if t.columns.value.is_empty() || t.columns.value.len() > MAX_COLUMNS {
            return Some(src.diag_at(
                &t.columns.referenced,
                format!("a table needs 1 to {MAX_COLUMNS} columns"),
            ));
        }
        if t.rows.value == 0 || t.rows.value > MAX_ROWS {
            return Some(src.diag_at(
                &t.rows.referenced,
                format!("`rows` must be between 1 and {MAX_ROWS}"),
            ));
        }
    }
    if it.check.as_deref().is_some_and(|s| s.trim().is_empty())
        || it.field.as_deref().is_some_and(|s| s.trim().is_empty())
    {
        return Some(src.diag_at(&it.id.referenced, format!("item `{id}` has empty text")));
    }
    None
}

/// Rough printed height: 11 pt text, ~44 CJK characters per line at A4 width.
pub fn estimate_mm(list: &Checklist) -> f32 {
    const LINE_MM: f32 = 5.6;
    let lines = |s: &str| (display_width(s) as f32 / 88.0).ceil().max(1.0);
    let mut mm = 12.0 + lines(&list.title) * 8.0 + lines(&list.purpose) * LINE_MM + 4.0;
    for s in &list.sections {
        mm += 10.0;
        for it in &s.items {
            mm += match &it.kind {
                ItemKind::Check => lines(&it.text) * LINE_MM + 2.5,
                ItemKind::Field { lines: n } => 6.0 + f32::from(*n) * 9.0,
                ItemKind::Table { rows, .. } => 9.0 + f32::from(*rows) * 9.0,
            };
            if let Some(n) = &it.note {
                mm += lines(n) * 4.6;
            }
        }
    }
    mm
}

/// Display width in half-width columns (CJK counts 2).
fn display_width(s: &str) -> usize {
    use unicode_width::UnicodeWidthStr;
    s.width()
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK: &str = "id: demo\ntitle: 演示\npurpose: 用途\nchapter: chapters/a.md\nsections:\n  - title: 一\n    items:\n      - id: a\n        check: 身份证\n      - id: b\n        field: 工号\n        lines: 2\n      - id: c\n        table:\n          columns: [日期, 内容]\n          rows: 3\n";

    #[test]
    fn parses_all_three_item_kinds() {
        let (c, d) = parse("x/demo.yaml", "checklists/demo.yaml", "demo", OK);
        assert!(d.is_empty(), "{d:?}");
        let c = c.unwrap();
        let kinds: Vec<_> = c.sections[0].items.iter().map(|i| i.kind.clone()).collect();
        assert_eq!(
            kinds,
            vec![
                ItemKind::Check,
                ItemKind::Field { lines: 2 },
                ItemKind::Table {
                    columns: vec!["日期".into(), "内容".into()],
                    rows: 3
                }
            ]
        );
        assert_eq!(c.chapter_pos, (4, 10));
    }

    #[test]
    fn duplicate_item_id_points_at_the_duplicate_and_the_first() {
        let y = OK.replace("id: b", "id: a");
        let d = &parse("x/demo.yaml", "checklists/demo.yaml", "demo", &y).1[0];
        assert_eq!((d.line, d.col), (10, 13), "{}", d.render());
        assert!(
            d.help.as_deref().unwrap().contains("line 8, column 13"),
            "{:?}",
            d.help
        );
    }

    #[test]
    fn over_budget_is_an_error() {
        let y = OK.replace("rows: 3", "rows: 30");
        let y = format!("{y}  - title: 二\n    items:\n      - id: d\n        table:\n          columns: [a]\n          rows: 30\n");
        let d = &parse("x/demo.yaml", "checklists/demo.yaml", "demo", &y).1[0];
        assert!(d.message.contains("one-page A4 budget"), "{}", d.message);
    }
}
