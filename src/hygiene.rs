//! Content hygiene: checks on *what* the guide says, after links are resolved.
//!
//! Runs in `site::build` (so `build`, `serve` and `check` agree) after `links::check`:
//! - facts hygiene: `forbidden:` entries in guide.yaml name wrong claims that must never appear
//!   in a chapter or checklist (an error at the occurrence, with the entry's reason as help);
//! - orphan checklists: a checklist no chapter lists in `checklists:` or embeds (a warning).
//!
//! Matching folds the text (NFKC, lower case) and ignores whitespace and Markdown emphasis
//! markers, so `15 个**工作日**内` matches `15 个工作日内`. Pure apart from re-reading checklist
//! files (their parsed form no longer has positions); never writes.

use std::collections::HashSet;
use std::path::Path;

use serde::Deserialize;
use serde_saphyr::Spanned;
use unicode_normalization::UnicodeNormalization;

use crate::diag::{Diagnostic, LineIndex};
use crate::load::{Chapter, Guide};
use crate::markdown::{Rendered, Target};
use crate::source;
use crate::yaml::Embedded;

/// One `forbidden:` entry of guide.yaml.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Forbidden {
    /// The wrong claim, as it would be written (whitespace and emphasis markers do not matter).
    pub text: Spanned<String>,
    /// Why it is wrong and what to write instead; shown as the help line.
    pub reason: String,
}

/// Runs every hygiene check. `pages[i]` was rendered as `rendered[i]`; `guide_dir` is where the
/// checklist files are re-read from (for positions).
pub fn check(
    guide: &Guide,
    pages: &[&Chapter],
    rendered: &[&Rendered],
    guide_dir: &Path,
    max_file_bytes: u64,
) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let patterns = patterns(guide, &mut diags);
    let mut checklist_texts = Vec::new();
    if !patterns.is_empty() || !guide.checklists.is_empty() {
        for c in &guide.checklists {
            let display = format!("{}/{}", guide.display_root, c.source);
            // The file was read moments ago by `load`; if it vanished since, there is nothing
            // left to check in it (serve will rebuild on the change).
            if let Ok(src) = source::read_text(&guide_dir.join(&c.source), &display, max_file_bytes)
            {
                checklist_texts.push((c.id.as_str(), display, src.text));
            }
        }
    }
    for page in pages {
        forbidden_in(&page.display, &page.text, &patterns, &mut diags);
    }
    for (_, display, text) in &checklist_texts {
        forbidden_in(display, text, &patterns, &mut diags);
    }
    orphans(guide, pages, rendered, &checklist_texts, &mut diags);
    diags
}

/// A folded pattern with its entry.
struct Pattern<'g> {
    folded: String,
    entry: &'g Forbidden,
}

/// Validates the `forbidden:` entries and folds them for matching.
fn patterns<'g>(guide: &'g Guide, diags: &mut Vec<Diagnostic>) -> Vec<Pattern<'g>> {
    let mut out = Vec::new();
    let cfg = format!("{}/guide.yaml", guide.display_root);
    for f in &guide.config.forbidden {
        let folded = fold(&f.text.value).0;
        if folded.is_empty() {
            let mut d = Diagnostic::error(cfg.clone(), "a `forbidden:` entry has empty `text`")
                .with_help("write the wrong claim as it would appear in a chapter");
            d.line = f.text.referenced.line() as usize;
            d.col = f.text.referenced.column() as usize;
            diags.push(d);
            continue;
        }
        out.push(Pattern { folded, entry: f });
    }
    out
}

/// Folds text for matching: NFKC, lower case, whitespace and `*` `_` `` ` `` dropped. Returns
/// the folded string and, for each folded char, the byte offset of its source char.
fn fold(text: &str) -> (String, Vec<usize>) {
    let mut out = String::with_capacity(text.len());
    let mut origin = Vec::new();
    for (i, c) in text.char_indices() {
        if c.is_whitespace() || matches!(c, '*' | '_' | '`') {
            continue;
        }
        for n in std::iter::once(c).nfkc() {
            if n.is_whitespace() {
                continue;
            }
            for l in n.to_lowercase() {
                out.push(l);
                origin.push(i);
            }
        }
    }
    (out, origin)
}

fn forbidden_in(display: &str, text: &str, patterns: &[Pattern<'_>], diags: &mut Vec<Diagnostic>) {
    if patterns.is_empty() {
        return;
    }
    let (folded, origin) = fold(text);
    let lines = LineIndex::new(text);
    for p in patterns {
        let mut from = 0;
        while let Some(i) = folded[from..].find(&p.folded) {
            let start = from + i;
            let end = start + p.folded.len();
            // Folded byte offsets → folded char indexes → source byte offsets.
            let first = folded[..start].chars().count();
            let last = first + p.folded.chars().count() - 1;
            let (Some(&a), Some(&b)) = (origin.get(first), origin.get(last)) else {
                break;
            };
            let b_end = b + text[b..].chars().next().map_or(0, char::len_utf8);
            let d = Diagnostic::error(
                display,
                format!("forbidden claim `{}`", p.entry.text.value.trim()),
            );
            diags.push(
                lines
                    .diag(d, a, b_end - a)
                    .with_help(p.entry.reason.clone()),
            );
            from = end;
        }
    }
}

fn orphans(
    guide: &Guide,
    pages: &[&Chapter],
    rendered: &[&Rendered],
    texts: &[(&str, String, String)],
    diags: &mut Vec<Diagnostic>,
) {
    let mut used: HashSet<&str> = HashSet::new();
    for p in pages {
        used.extend(p.front.checklists.iter().map(|c| c.value.as_str()));
    }
    for r in rendered {
        for l in &r.checklists {
            if let Target::Checklist { source, .. } = &l.target {
                let id = source
                    .strip_prefix("checklists/")
                    .and_then(|s| s.strip_suffix(".yaml"))
                    .unwrap_or(source);
                used.insert(id);
            }
        }
    }
    for c in &guide.checklists {
        if used.contains(c.id.as_str()) {
            continue;
        }
        let display = format!("{}/{}", guide.display_root, c.source);
        let mut d = Diagnostic::warning(
            display.clone(),
            format!("checklist `{}` is not used by any chapter", c.id),
        )
        .with_help(format!(
            "list it in a chapter's front matter (`checklists: [{}]`) or embed it with a ```checklist block",
            c.id
        ));
        if let Some((_, _, text)) = texts.iter().find(|(id, _, _)| *id == c.id) {
            let e = Embedded {
                path: &display,
                file: text,
                start: 0,
            };
            // Point at the `id:` line when it is at the top level.
            if let Some(off) = text
                .lines()
                .scan(0usize, |o, l| {
                    let here = *o;
                    *o += l.len() + 1;
                    Some((here, l))
                })
                .find(|(_, l)| l.starts_with("id:"))
                .map(|(o, _)| o)
            {
                d = d.at_offset(e.file, off).with_len(2);
            }
        }
        diags.push(d);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_ignores_whitespace_emphasis_and_width() {
        let (f, o) = fold("须在 15 个**工作日**内 ＡＢ");
        assert_eq!(f, "须在15个工作日内ab");
        assert_eq!(o.len(), f.chars().count());
        assert_eq!(o[0], 0);
    }

    #[test]
    fn occurrences_are_located_in_the_source_text() {
        let entry = Forbidden {
            text: Spanned::new(
                "15% 滞纳金".into(),
                serde_saphyr::Location::UNKNOWN,
                serde_saphyr::Location::UNKNOWN,
            ),
            reason: "条例规定的是每日 3‰ 违约金".into(),
        };
        let p = vec![Pattern {
            folded: fold("15% 滞纳金").0,
            entry: &entry,
        }];
        let mut diags = Vec::new();
        let text = "第一行\n欠费要交 **15%** 的滞纳金？不，是 15%滞纳金。\n";
        forbidden_in("x.md", text, &p, &mut diags);
        assert_eq!(diags.len(), 1, "{diags:?}");
        let d = &diags[0];
        assert_eq!((d.line, d.col, d.len), (2, 23, 6), "{}", d.render());
        assert_eq!(d.help.as_deref(), Some("条例规定的是每日 3‰ 违约金"));
    }
}
