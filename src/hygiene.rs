//! Content hygiene: checks on *what* the guide says, after links are resolved.
//!
//! Runs in `site::build` (so `build`, `serve` and `check` agree) after `links::check`:
//! - facts hygiene: `forbidden:` entries in guide.yaml name wrong claims that must never appear
//!   in a chapter, checklist or tool (an error at the occurrence, with the entry's reason as help);
//! - orphan checklists: a checklist no chapter lists in `checklists:` or embeds (a warning).
//!
//! Matching folds the text (NFKC, lower case) and ignores whitespace, Markdown emphasis markers
//! and invisible characters (zero-width spaces and joiners, soft hyphens, …), so
//! `15 个**工作日**内` matches `15 个工作日内`. A chapter body is checked twice: as written, and
//! as published — the text pulldown-cmark reads out of it (entities such as `&#37;` decoded,
//! backslash escapes removed, HTML tags and comments dropped, link text without its
//! destination) — so spelling a claim differently in the source does not hide it from the
//! check; every occurrence is still reported at its file:line:col. One automaton finds every
//! claim in one pass over a text. Pure: reads the texts `load` kept; never writes.

use std::collections::{HashMap, HashSet};

use aho_corasick::AhoCorasick;

use crate::config::Forbidden;
use pulldown_cmark::{Event, Parser, TagEnd};
use rayon::prelude::*;
use unicode_normalization::UnicodeNormalization;

use crate::diag::{Diagnostic, LineIndex};
use crate::load::{Chapter, Guide};
use crate::markdown::{Rendered, Target};
use crate::yaml::Embedded;

/// Each chapter's forbidden-claim findings by its load key and the patterns, so a rebuild
/// folds only the chapters that changed.
pub type Memo = HashMap<(u64, u64), Vec<Diagnostic>>;

/// Runs every hygiene check over what `load` read and `markdown` rendered. `pages[i]` was
/// rendered as `rendered[i]`. `memo` keeps only this run's chapters.
pub fn check(
    guide: &Guide,
    pages: &[&Chapter],
    rendered: &[&Rendered],
    memo: &mut Memo,
) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let patterns = patterns(guide, &mut diags);
    let parts: Vec<[&str; 3]> = patterns
        .iter()
        .map(|p| [p.folded.as_str(), &p.entry.text.value, &p.entry.reason])
        .collect();
    let parts: Vec<&[&str]> = parts.iter().map(|p| &p[..]).collect();
    let pkey = crate::digest::digest_groups(&parts);
    let Some(claims) = Claims::new(patterns) else {
        let cfg = format!("{}/guide.yaml", guide.display_root);
        diags.push(Diagnostic::error(
            cfg,
            "the `forbidden:` entries are too large to match",
        ));
        return diags;
    };
    let checklist_texts: Vec<(&str, String, &str)> = guide
        .checklists
        .iter()
        .map(|c| {
            (
                c.id.as_str(),
                format!("{}/{}", guide.display_root, c.source),
                &*c.text,
            )
        })
        .collect();
    // Each chapter is folded twice (as written and as published): the slow part, on all cores.
    let found: Vec<((u64, u64), Vec<Diagnostic>)> = pages
        .par_iter()
        .map(|page| {
            let key = (page.key, pkey);
            let d = memo.get(&key).cloned().unwrap_or_else(|| {
                let mut d = Vec::new();
                forbidden_in(
                    &page.display,
                    &page.text,
                    Some(page.body_start),
                    &claims,
                    &mut d,
                );
                d
            });
            (key, d)
        })
        .collect();
    memo.clear();
    for (key, d) in found {
        diags.extend(d.iter().cloned());
        memo.insert(key, d);
    }
    for (_, display, text) in &checklist_texts {
        forbidden_in(display, text, None, &claims, &mut diags);
    }
    // Tools' wording (labels, help, rules, the printed letter) is published text too.
    for t in &guide.tools {
        let display = format!("{}/{}", guide.display_root, t.source);
        forbidden_in(&display, &t.text, None, &claims, &mut diags);
    }
    orphans(guide, pages, rendered, &checklist_texts, &mut diags);
    diags
}

/// A folded pattern with its entry.
struct Pattern<'g> {
    folded: String,
    entry: &'g Forbidden,
}

/// The patterns, and one automaton that finds them all in one pass over a text.
struct Claims<'g> {
    patterns: Vec<Pattern<'g>>,
    matcher: AhoCorasick,
}

impl<'g> Claims<'g> {
    fn new(patterns: Vec<Pattern<'g>>) -> Option<Claims<'g>> {
        let matcher = AhoCorasick::new(patterns.iter().map(|p| &p.folded)).ok()?;
        Some(Claims { patterns, matcher })
    }
}

/// Validates the `forbidden:` entries and folds them for matching.
fn patterns<'g>(guide: &'g Guide, diags: &mut Vec<Diagnostic>) -> Vec<Pattern<'g>> {
    let mut out = Vec::new();
    let cfg = format!("{}/guide.yaml", guide.display_root);
    for f in &guide.config.forbidden {
        let folded = fold(&f.text.value).text;
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

/// Text folded for matching, with the source byte range each of its bytes came from.
#[derive(Default)]
struct Folded {
    text: String,
    origin: Vec<(usize, usize)>,
}

/// Characters that change nothing on the page: zero-width spaces and joiners, the soft hyphen,
/// word joiners, direction marks, variation selectors, byte-order marks. A claim with one of
/// them inside reads the same to the reader, so they never split a match.
fn invisible(c: char) -> bool {
    matches!(c,
        '\u{AD}' | '\u{34F}' | '\u{61C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}'
        | '\u{FFA0}' | '\u{1D173}'..='\u{1D17A}' | '\u{E0000}'..='\u{E0FFF}')
}

impl Folded {
    /// Appends `piece` folded: NFKC, lower case; whitespace, `*` `_` `` ` `` and invisible
    /// characters dropped. `origin(i, len)` is the source range of the piece's char at byte `i`.
    fn push(&mut self, piece: &str, origin: impl Fn(usize, usize) -> (usize, usize)) {
        for (i, c) in piece.char_indices() {
            if c.is_whitespace() || invisible(c) || matches!(c, '*' | '_' | '`') {
                continue;
            }
            let from = origin(i, c.len_utf8());
            // ASCII and the common ideographs are their own NFKC form: most text skips it.
            if c.is_ascii() || ('\u{4E00}'..='\u{9FFF}').contains(&c) {
                self.push_char(c.to_ascii_lowercase(), from);
                continue;
            }
            for n in std::iter::once(c).nfkc() {
                if n.is_whitespace() || invisible(n) {
                    continue;
                }
                n.to_lowercase().for_each(|l| self.push_char(l, from));
            }
        }
    }

    fn push_char(&mut self, c: char, from: (usize, usize)) {
        self.text.push(c);
        self.origin.extend(std::iter::repeat_n(from, c.len_utf8()));
    }

    /// For each pattern of `claims`, the source byte ranges of its occurrences (leftmost first,
    /// not overlapping one another).
    fn find(&self, claims: &Claims) -> Vec<Vec<(usize, usize)>> {
        let mut found = vec![Vec::new(); claims.patterns.len()];
        let mut free_from = vec![0; claims.patterns.len()];
        // Overlapping search reports each pattern's occurrences in order of their start.
        for m in claims.matcher.find_overlapping_iter(&self.text) {
            let p = m.pattern().as_usize();
            if m.start() < free_from[p] {
                continue;
            }
            free_from[p] = m.end();
            let (Some(a), Some(b)) = (self.origin.get(m.start()), self.origin.get(m.end() - 1))
            else {
                continue;
            };
            found[p].push((a.0, b.1));
        }
        found
    }
}

/// `text` as written, folded.
fn fold(text: &str) -> Folded {
    let mut f = Folded::default();
    f.push(text, |i, len| (i, i + len));
    f
}

/// The Markdown body of `file` (from byte `body_start`) as a reader sees it, folded: the text
/// pulldown-cmark reads out of it, so entities are decoded and backslash escapes removed; raw
/// HTML keeps only the text between its tags and comments; blocks are kept apart (a claim
/// cut in two by a paragraph or list break is not one on the page either).
fn fold_published(file: &str, body_start: usize) -> Folded {
    const BLOCK_END: char = '\u{1}';
    let body = &file[body_start..];
    let mut f = Folded::default();
    for (ev, r) in Parser::new_ext(body, crate::markdown::options()).into_offset_iter() {
        let base = body_start + r.start;
        match ev {
            Event::Text(t) | Event::Code(t) => {
                // Found verbatim in its source range (a code span's text sits between its
                // backticks, an escaped character after its backslash): mapped character by
                // character. Otherwise decoded (an entity): the whole range stands for it.
                match body.get(r.clone()).and_then(|src| src.find(&*t)) {
                    Some(at) => {
                        let base = base + at;
                        f.push(&t, |i, len| (base + i, base + i + len));
                    }
                    None => {
                        let whole = (base, body_start + r.end);
                        f.push(&t, |_, _| whole);
                    }
                }
            }
            Event::Html(h) | Event::InlineHtml(h) => {
                let verbatim = body.get(r.clone()) == Some(&*h);
                let mut rest = &h[..];
                let mut at = 0;
                while !rest.is_empty() {
                    let skip = if let Some(after) = rest.strip_prefix("<!--") {
                        after.find("-->").map_or(rest.len(), |e| e + 7)
                    } else if rest.starts_with('<') {
                        rest.find('>').map_or(rest.len(), |e| e + 1)
                    } else {
                        let text = rest.find('<').unwrap_or(rest.len());
                        let start = at;
                        if verbatim {
                            f.push(&rest[..text], |i, len| {
                                (base + start + i, base + start + i + len)
                            });
                        } else {
                            let whole = (base, body_start + r.end);
                            f.push(&rest[..text], |_, _| whole);
                        }
                        text
                    };
                    at += skip;
                    rest = &rest[skip..];
                }
            }
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::TableCell
                | TagEnd::CodeBlock
                | TagEnd::HtmlBlock
                | TagEnd::BlockQuote(_)
                | TagEnd::FootnoteDefinition
                | TagEnd::Image,
            )
            | Event::Start(pulldown_cmark::Tag::Image { .. }) => {
                let end = body_start + r.end;
                f.text.push(BLOCK_END);
                f.origin.push((end, end));
            }
            _ => {}
        }
    }
    f
}

/// Reports every occurrence of a pattern in `text`: as written, and, for a chapter (the
/// Markdown body starts at `body_start`), as published. An occurrence both find is reported
/// once.
fn forbidden_in(
    display: &str,
    text: &str,
    body_start: Option<usize>,
    claims: &Claims,
    diags: &mut Vec<Diagnostic>,
) {
    if claims.patterns.is_empty() {
        return;
    }
    let written = written_and_published(text, body_start, claims);
    let lines = LineIndex::new(text);
    for (p, found) in claims.patterns.iter().zip(written) {
        for (a, b) in found {
            let d = Diagnostic::error(
                display,
                format!("forbidden claim `{}`", p.entry.text.value.trim()),
            );
            diags.push(
                lines
                    .diag(d, a, b.saturating_sub(a))
                    .with_help(p.entry.reason.clone()),
            );
        }
    }
}

/// Each pattern's occurrences in `text` as written and, for a chapter, as published; an
/// occurrence both find is kept once.
fn written_and_published(
    text: &str,
    body_start: Option<usize>,
    claims: &Claims,
) -> Vec<Vec<(usize, usize)>> {
    let mut found = fold(text).find(claims);
    let Some(b) = body_start else {
        return found;
    };
    let published = fold_published(text, b.min(text.len())).find(claims);
    for (seen, more) in found.iter_mut().zip(published) {
        let fresh: Vec<(usize, usize)> = more
            .into_iter()
            .filter(|&(a, b)| !seen.iter().any(|&(x, y)| a < y && x < b))
            .collect();
        seen.extend(fresh);
        seen.sort_unstable();
        seen.dedup();
    }
    found
}

fn orphans(
    guide: &Guide,
    pages: &[&Chapter],
    rendered: &[&Rendered],
    texts: &[(&str, String, &str)],
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
        if used.contains(c.id.as_str()) || guide.a_chapter_failed() {
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
    use serde_saphyr::Spanned;

    #[test]
    fn fold_ignores_whitespace_emphasis_and_width() {
        let f = fold("须在 15 个**工作日**内 ＡＢ");
        assert_eq!(f.text, "须在15个工作日内ab");
        assert_eq!(f.origin.len(), f.text.len());
        assert_eq!(f.origin[0], (0, 3));
        assert_eq!(f.origin[2], (0, 3));
    }

    fn entry(text: &str) -> Forbidden {
        Forbidden {
            text: Spanned::new(
                text.into(),
                serde_saphyr::Location::UNKNOWN,
                serde_saphyr::Location::UNKNOWN,
            ),
            reason: "条例规定的是每日 3‰ 违约金".into(),
        }
    }

    /// (line, col) of each forbidden claim found in a chapter whose body starts at line 4.
    fn found_in_chapter(body: &str) -> Vec<(usize, usize)> {
        let entry = entry("15% 滞纳金");
        let p = vec![Pattern {
            folded: fold(&entry.text.value).text,
            entry: &entry,
        }];
        let claims = Claims::new(p).unwrap();
        let file = format!("---\ntitle: t\n---\n{body}");
        let mut diags = Vec::new();
        forbidden_in("x.md", &file, Some(16), &claims, &mut diags);
        diags.iter().map(|d| (d.line, d.col)).collect()
    }

    #[test]
    fn claims_spelled_differently_in_the_source_are_found_as_published() {
        // Each renders as "15% 滞纳金" on the page; each is found at its source position.
        for (body, at) in [
            ("前文 15\\% 滞纳金。\n", (4, 4)),
            ("前文 15&#37; 滞纳金。\n", (4, 4)),
            ("前文 15&#x25; 滞纳金。\n", (4, 4)),
            ("前文 15&percnt; 滞纳金。\n", (4, 4)),
            ("前文 1\u{200B}5% 滞纳金。\n", (4, 4)),
            ("前文 15%\u{AD} 滞\u{200D}纳金。\n", (4, 4)),
            ("前文 15<!-- x -->% 滞纳金。\n", (4, 4)),
            ("前文 15<sub></sub>% 滞纳金。\n", (4, 4)),
            ("前文 [15%](a.md) 滞纳金。\n", (4, 5)),
            ("前文 15%\n滞纳金。\n", (4, 4)),
            ("> 前文 15%\n> 滞纳金。\n", (4, 6)),
            ("前文 15&#x25;&#28382;纳金。\n", (4, 4)),
        ] {
            assert_eq!(found_in_chapter(body), [at], "{body:?}");
        }
    }

    #[test]
    fn blocks_are_kept_apart_and_each_occurrence_is_reported_once() {
        // Cut by a paragraph break: one on the page as written, reported once (as before).
        assert_eq!(found_in_chapter("15%\n\n滞纳金\n"), [(4, 1)]);
        // Cut by a heading: not one phrase on the page, and not in the source as written.
        assert_eq!(found_in_chapter("15%\n\n## 滞纳金\n"), []);
        // In a list item and the next: no phrase.
        assert_eq!(found_in_chapter("- 15%\n- 滞纳金\n"), []);
        // Once, not twice, when both the source and the page have it.
        assert_eq!(found_in_chapter("**15%** 滞纳金\n"), [(4, 3)]);
        assert_eq!(
            found_in_chapter("`15%` 滞纳金 与 15% 滞纳金\n"),
            [(4, 2), (4, 13)]
        );
    }

    #[test]
    fn overlapping_claims_are_each_found_and_a_claim_never_overlaps_itself() {
        let entries = [entry("滞纳金"), entry("15% 滞纳"), entry("哈哈")];
        let claims = Claims::new(
            entries
                .iter()
                .map(|e| Pattern {
                    folded: fold(&e.text.value).text,
                    entry: e,
                })
                .collect(),
        )
        .unwrap();
        let found = fold("收 15% 滞纳金，哈哈哈哈").find(&claims);
        // "15% 滞纳" and "滞纳金" share 滞纳: both are found.
        assert_eq!(found[0], [(8, 17)]);
        assert_eq!(found[1], [(4, 14)]);
        // 哈哈哈哈 holds 哈哈 twice, not three times (leftmost first, as `str::find` counts).
        assert_eq!(found[2], [(20, 26), (26, 32)]);
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
        let claims = Claims::new(vec![Pattern {
            folded: fold("15% 滞纳金").text,
            entry: &entry,
        }])
        .unwrap();
        let mut diags = Vec::new();
        let text = "第一行\n欠费要交 **15%** 的滞纳金？不，是 15%滞纳金。\n";
        forbidden_in("x.md", text, None, &claims, &mut diags);
        assert_eq!(diags.len(), 1, "{diags:?}");
        let d = &diags[0];
        assert_eq!((d.line, d.col, d.len), (2, 23, 6), "{}", d.render());
        assert_eq!(d.help.as_deref(), Some("条例规定的是每日 3‰ 违约金"));
    }
}
