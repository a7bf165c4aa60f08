//! Diagnostics: problems in the user's input, located at `path:line:col`.
//!
//! Every stage collects `Diagnostic`s instead of stopping at the first problem, so `check` can
//! report everything in one run. Positions are 1-based and counted from the start of the *file*
//! (never from the start of a front-matter block). Columns count characters; the caret under the
//! source line is aligned by display width, so it lands correctly under Chinese text.
//! Output stays proportionate to the problem, not to the input: a long source line is shown as
//! a window around the column (as rustc does, `...` marking what is cut), and `report` shows
//! only the first `MAX_PER_KIND` diagnostics of one kind per file, then a count.
//! Only the CLI layer prints; this module only formats.

use std::cell::Cell;
use std::fmt::Write as _;

use serde::Serialize;
use unicode_width::UnicodeWidthChar;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// A located problem with the user's input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Path as shown to the user (relative to where the tool was pointed, `/`-separated).
    pub path: String,
    /// 1-based line; 0 when the problem concerns the whole file.
    pub line: usize,
    /// 1-based column in characters; 0 when unknown.
    pub col: usize,
    /// How many characters the caret should cover (at least 1).
    #[serde(skip)]
    pub len: usize,
    pub message: String,
    pub help: Option<String>,
    /// The offending source line, without its line break (of a long line, only a window
    /// around the column: see `source_cut`).
    #[serde(skip)]
    pub source_line: Option<String>,
    /// Set by `at` when it kept only a window of a long line in `source_line`.
    #[serde(skip)]
    pub source_cut: Option<Cut>,
}

/// How `source_line` was cut from a long line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cut {
    /// Characters of the line before the window.
    before: usize,
    /// Whether the line goes on after the window.
    after: bool,
    /// The window's length in bytes: a `source_line` replaced after `at` (with any other
    /// text) no longer matches it and is shown as a whole line.
    stored: usize,
}

/// Lines up to this many bytes are kept whole; longer ones as a window around the column.
const STORE_MAX_BYTES: usize = 2048;
/// Characters kept before and after the column in that window (more than is ever shown).
const STORE_BEFORE: usize = 100;
const STORE_AFTER: usize = 300;
/// A source line of at most this display width is shown whole, as before; a wider one as a
/// window of about this width, starting up to `SHOW_BEFORE` columns before the caret.
const SHOW_WIDTH: usize = 120;
const SHOW_BEFORE: usize = 40;
/// Marks text cut from a shown line. ASCII, not `…`: East Asian terminals draw `…` two
/// columns wide, which would push the caret off its character.
const ELLIPSIS: &str = "...";

/// Diagnostics of one kind shown per file by `report`; the rest are counted.
pub const MAX_PER_KIND: usize = 20;

impl Diagnostic {
    pub fn error(path: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            path: path.into(),
            line: 0,
            col: 0,
            len: 1,
            message: message.into(),
            help: None,
            source_line: None,
            source_cut: None,
        }
    }

    pub fn warning(path: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(path, message)
        }
    }

    /// Locates the diagnostic at a 1-based line and column of `text` (the whole file), and
    /// remembers that line for the caret display.
    pub fn at(mut self, text: &str, line: usize, col: usize) -> Self {
        self.line = line;
        self.col = col.max(1);
        let src = text.lines().nth(line.saturating_sub(1));
        self.keep_source(src, None)
    }

    /// Stores `src` as the source line: whole when short, else a window around the column.
    /// `col_byte` is the column's byte offset in `src` when the caller knows it.
    fn keep_source(mut self, src: Option<&str>, col_byte: Option<usize>) -> Self {
        self.source_cut = None;
        self.source_line = src.map(|l| {
            if l.len() <= STORE_MAX_BYTES {
                return l.to_owned();
            }
            let at = col_byte
                .unwrap_or_else(|| byte_of_col(l, self.col))
                .min(l.len());
            let mut start = at;
            let mut kept_before = 0;
            while start > 0 && kept_before < STORE_BEFORE {
                start -= 1;
                while !l.is_char_boundary(start) {
                    start -= 1;
                }
                kept_before += 1;
            }
            let end = l[at..]
                .char_indices()
                .nth(STORE_AFTER)
                .map_or(l.len(), |(i, _)| at + i);
            let window = l[start..end].to_owned();
            self.source_cut = Some(Cut {
                before: self.col.saturating_sub(1).saturating_sub(kept_before),
                after: end < l.len(),
                stored: window.len(),
            });
            window
        });
        self
    }

    /// The stored source text from the caret's column on (the rest of the line, or of its
    /// window).
    pub fn caret_text(&self) -> Option<&str> {
        let src = self.source_line.as_deref()?;
        let (col, _, _) = self.caret_in_source(src);
        Some(&src[byte_of_col(src, col)..])
    }

    /// The caret's column in `source_line` and whether text was cut before and after it.
    fn caret_in_source(&self, src: &str) -> (usize, bool, bool) {
        match self.source_cut {
            Some(c) if c.stored == src.len() => (
                self.col.saturating_sub(c.before).max(1),
                c.before > 0,
                c.after,
            ),
            _ => (self.col, false, false),
        }
    }

    /// Locates the diagnostic at a byte offset of `text` (the whole file).
    pub fn at_offset(self, text: &str, offset: usize) -> Self {
        let (line, col) = line_col(text, offset);
        self.at(text, line, col)
    }

    pub fn with_len(mut self, len: usize) -> Self {
        self.len = len.max(1);
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `path:line:col`, or just the path when there is no position.
    pub fn location(&self) -> String {
        match (self.line, self.col) {
            (0, _) => self.path.clone(),
            (l, 0) => format!("{}:{l}", self.path),
            (l, c) => format!("{}:{l}:{c}", self.path),
        }
    }

    /// The human-readable report: headline, location, source line with caret, help.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let _ = writeln!(out, "{kind}: {}", self.message);
        let gutter = " ".repeat(self.line.max(1).to_string().len());
        let _ = writeln!(out, "{gutter}--> {}", self.location());
        if let (Some(src), true) = (&self.source_line, self.line > 0) {
            let (col, cut_before, cut_after) = self.caret_in_source(src);
            let (shown, pad, width) = window(src, col, self.len, cut_before, cut_after);
            let _ = writeln!(out, "{gutter} |");
            let _ = writeln!(out, "{} | {}", self.line, shown);
            let _ = writeln!(out, "{gutter} | {}{}", " ".repeat(pad), "^".repeat(width));
        }
        if let Some(help) = &self.help {
            let _ = writeln!(out, "{gutter} = help: {help}");
        }
        out
    }
}

/// The source line as shown, the caret's indent and its width, all in display columns (tabs
/// count as 4). A line wider than `SHOW_WIDTH`, or one already cut by `at`, is shown as a
/// window around the caret with `...` where text is cut.
fn window(
    line: &str,
    col: usize,
    len: usize,
    cut_before: bool,
    cut_after: bool,
) -> (String, usize, usize) {
    let chars: Vec<char> = line.chars().collect();
    let c0 = col.saturating_sub(1).min(chars.len());
    let width = |cs: &[char]| cs.iter().copied().map(char_width).sum::<usize>();
    let (start, end) = if !cut_before && !cut_after && width(&chars) <= SHOW_WIDTH {
        (0, chars.len())
    } else {
        let mut start = c0;
        let mut before = 0;
        while start > 0 && before + char_width(chars[start - 1]) <= SHOW_BEFORE {
            start -= 1;
            before += char_width(chars[start]);
        }
        let mut end = start;
        let mut used = 0;
        while end < chars.len() && (end <= c0 || used + char_width(chars[end]) <= SHOW_WIDTH) {
            used += char_width(chars[end]);
            end += 1;
        }
        (start, end)
    };
    let left = cut_before || start > 0;
    let right = cut_after || end < chars.len();
    let mut shown = String::new();
    if left {
        shown.push_str(ELLIPSIS);
    }
    for &c in &chars[start..end] {
        if c == '\t' {
            shown.push_str("    ");
        } else {
            shown.push(c);
        }
    }
    if right {
        shown.push_str(ELLIPSIS);
    }
    let pad = if left { ELLIPSIS.len() } else { 0 } + width(&chars[start..c0]);
    let caret = width(&chars[c0..(c0 + len).min(end).max(c0)]).max(1);
    (shown, pad, caret)
}

/// Byte offset of 1-based character column `col` in `line` (its length when past the end).
/// Counts characters a block at a time, so far columns of megabyte lines stay cheap.
fn byte_of_col(line: &str, col: usize) -> usize {
    const BLOCK: usize = 4096;
    let mut skip = col.saturating_sub(1);
    let mut pos = 0;
    while skip > 0 && pos < line.len() {
        let mut end = (pos + BLOCK).min(line.len());
        while !line.is_char_boundary(end) {
            end += 1;
        }
        let n = line[pos..end].chars().count();
        if n > skip {
            return line[pos..]
                .char_indices()
                .nth(skip)
                .map_or(line.len(), |(i, _)| pos + i);
        }
        skip -= n;
        pos = end;
    }
    pos
}

fn char_width(c: char) -> usize {
    if c == '\t' {
        4
    } else {
        c.width().unwrap_or(0)
    }
}

/// 1-based line and character column of byte `offset` in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = text[line_start..offset].chars().count() + 1;
    (line, col)
}

/// Line starts of a text, for many offset → line/col lookups without rescanning.
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
    /// The last position asked for (byte offset, line, column): a later offset on the same
    /// line counts characters from there, so many diagnostics on one long line cost what the
    /// line does, not that times their number.
    last: Cell<(usize, usize, usize)>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex {
            text,
            starts,
            last: Cell::new((0, 1, 1)),
        }
    }

    /// 1-based line and character column of byte `offset`.
    pub fn pos(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset);
        let (last_off, last_line, last_col) = self.last.get();
        let (from, col0) = if last_line == line && last_off <= offset {
            (last_off, last_col)
        } else {
            (self.starts[line - 1], 1)
        };
        let col = col0 + self.text[from..offset].chars().count();
        self.last.set((offset, line, col));
        (line, col)
    }

    /// Line `line` (1-based) without its newline.
    fn line_text(&self, line: usize) -> &'a str {
        let start = self.starts[line - 1];
        let end = self.starts.get(line).map_or(self.text.len(), |&s| s - 1);
        let l = &self.text[start..end.max(start)];
        l.strip_suffix('\r').unwrap_or(l)
    }

    /// A diagnostic located at byte `offset`, covering `len` bytes' worth of characters.
    pub fn diag(&self, mut d: Diagnostic, offset: usize, len_bytes: usize) -> Diagnostic {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let (line, col) = self.pos(offset);
        let end = (offset + len_bytes).min(self.text.len());
        let len = self
            .text
            .get(offset..end)
            .map_or(1, |s| s.lines().next().unwrap_or("").chars().count());
        // The line from the index, not by scanning the text again (many diagnostics, one file).
        let start = self.starts[line - 1];
        let src = self.line_text(line);
        d.line = line;
        d.col = col.max(1);
        d.keep_source(Some(src), Some(offset - start)).with_len(len)
    }
}

/// Byte offset of a 1-based line and character column in `text` (clamped to the text).
pub fn offset_of(text: &str, line: usize, col: usize) -> usize {
    let mut start = 0;
    for _ in 1..line.max(1) {
        match text[start..].find('\n') {
            Some(i) => start += i + 1,
            None => return text.len(),
        }
    }
    let rest = &text[start..];
    let line_end = rest.find('\n').unwrap_or(rest.len());
    rest[..line_end]
        .char_indices()
        .nth(col.saturating_sub(1))
        .map_or(start + line_end, |(i, _)| start + i)
}

/// The closest candidate within a small edit distance, for "did you mean" hints.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let word_len = word.chars().count();
    candidates
        .into_iter()
        // The distance is at least the difference in length: far longer or shorter words are
        // skipped unmeasured (a megabyte-long link cost a megabyte-square table each).
        .filter(|c| word_len.abs_diff(c.chars().count()) <= 2.max(c.chars().count() / 3))
        .map(|c| (levenshtein(word, c), c))
        .filter(|(d, c)| *d <= 2.max(c.chars().count() / 3) && *d < c.chars().count())
        // Ties broken by name: candidates often come from a HashMap, and hints must be
        // deterministic (golden tests, STYLE habit 6).
        .min_by_key(|&(d, c)| (d, c))
        .map(|(_, c)| c)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The human-readable report of `diags`, one block per entry (each ends in a line break):
/// every diagnostic rendered, except that of one kind (same severity, same message apart from
/// its `quoted` parts) in one file only the first `MAX_PER_KIND` are, followed by a line
/// counting the rest. 10 000 broken links in one file print 20 reports and a count.
pub fn report(diags: &[Diagnostic]) -> Vec<String> {
    use std::collections::HashMap;
    let kind = |d: &Diagnostic| (d.path.clone(), d.severity, shape(&d.message));
    let mut totals: HashMap<_, usize> = HashMap::new();
    for d in diags {
        *totals.entry(kind(d)).or_default() += 1;
    }
    let mut shown: HashMap<_, usize> = HashMap::new();
    let mut out = Vec::new();
    for d in diags {
        let k = kind(d);
        let n = shown.entry(k.clone()).or_default();
        *n += 1;
        if *n > MAX_PER_KIND {
            continue;
        }
        out.push(d.render());
        let total = totals[&k];
        if *n == MAX_PER_KIND && total > MAX_PER_KIND {
            let what = match d.severity {
                Severity::Error => "errors",
                Severity::Warning => "warnings",
            };
            out.push(format!(
                "… and {} more {what} like `{}` in {}\n",
                total - MAX_PER_KIND,
                k.2,
                d.path
            ));
        }
    }
    out
}

/// A message with its `quoted` parts replaced by `…`: the kind of problem it reports.
fn shape(message: &str) -> String {
    let mut out = String::with_capacity(message.len().min(200));
    let mut quoted = false;
    for c in message.chars() {
        if c == '`' {
            if !quoted {
                out.push('…');
            }
            quoted = !quoted;
        } else if !quoted {
            out.push(c);
        }
    }
    out
}

/// Sorts diagnostics for stable output: by path, then position, then message.
pub fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| {
        (&a.path, a.line, a.col, &a.message).cmp(&(&b.path, b.line, b.col, &b.message))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caret_is_aligned_by_display_width_under_chinese() {
        let text = "title: 整理证据\ntitel: 证据\n";
        let d = Diagnostic::error("a.md", "unknown field `titel`")
            .at(text, 2, 1)
            .with_len(5);
        let r = d.render();
        assert!(r.contains("2 | titel: 证据\n  | ^^^^^\n"), "{r}");
        let d = Diagnostic::error("a.md", "x").at(text, 1, 8).with_len(2);
        // 7 chars before col 8: "title: " = 7 columns; then 整理 = 4 columns.
        assert!(d.render().contains("  |        ^^^^\n"), "{}", d.render());
    }

    /// The shown source line and the caret line of a rendered report.
    fn shown(d: &Diagnostic) -> (String, String) {
        let r = d.render();
        let mut lines = r.lines().skip(3);
        let src = lines.next().expect("source line");
        let caret = lines.next().expect("caret line");
        let cut = |l: &str| l.split_once(" | ").expect("gutter").1.to_owned();
        (cut(src), cut(caret))
    }

    #[test]
    fn a_long_line_is_shown_as_a_window_with_the_caret_under_its_column() {
        use unicode_width::UnicodeWidthStr as _;
        let head = "一二三\t".repeat(100_000);
        let line = format!("{head}[坏链接](nope.md){}", "尾".repeat(1000));
        let text = format!("前一行\n{line}\n后一行\n");
        let offset = text.find("[坏").expect("link");
        let col = head.chars().count() + 1;
        let lines = LineIndex::new(&text);
        let by_offset = lines.diag(Diagnostic::error("a.md", "x"), offset, 20);
        let by_col = Diagnostic::error("a.md", "x")
            .at(&text, 2, col)
            .with_len(14);
        for d in [by_offset, by_col] {
            assert_eq!((d.line, d.col, d.len), (2, col, 14));
            // Only a window of the line is kept, not the 1.2 MB line.
            assert!(d.source_line.as_ref().expect("kept").len() < STORE_MAX_BYTES);
            assert!(d
                .caret_text()
                .expect("kept")
                .starts_with("[坏链接](nope.md)"));
            let (src, caret) = shown(&d);
            assert!(
                src.starts_with(ELLIPSIS) && src.ends_with(ELLIPSIS),
                "{src}"
            );
            assert!(src.width() <= SHOW_WIDTH + 2 * ELLIPSIS.len(), "{src}");
            let at = src.find("[坏链接]").expect("link shown");
            // Tabs are shown as four spaces and counted so; Chinese is two columns.
            assert_eq!(
                caret,
                format!("{}{}", " ".repeat(src[..at].width()), "^".repeat(17))
            );
            assert!(d.location().ends_with(&format!(":2:{col}")));
        }
    }

    #[test]
    fn short_lines_and_the_start_or_end_of_long_ones_are_shown_as_before() {
        // Up to SHOW_WIDTH columns: the whole line (the goldens' lines are all shorter).
        let line = "字".repeat(SHOW_WIDTH / 2);
        let d = Diagnostic::error("a.md", "x").at(&line, 1, 10);
        assert_eq!(shown(&d), (line.clone(), format!("{}^^", " ".repeat(18))));
        // Longer: cut only where text is left out.
        let line = "a".repeat(5000);
        let d = Diagnostic::error("a.md", "x").at(&line, 1, 1);
        let (src, caret) = shown(&d);
        assert!(
            !src.starts_with(ELLIPSIS) && src.ends_with(ELLIPSIS),
            "{src}"
        );
        assert_eq!(caret, "^");
        let d = Diagnostic::error("a.md", "x").at(&line, 1, 5000);
        let (src, caret) = shown(&d);
        assert!(
            src.starts_with(ELLIPSIS) && !src.ends_with(ELLIPSIS),
            "{src}"
        );
        assert_eq!(caret.len(), ELLIPSIS.len() + SHOW_BEFORE + 1);
        // Past the end of the line (a problem at the line break).
        let d = Diagnostic::error("a.md", "x").at(&line, 1, 5001);
        assert_eq!(shown(&d).1.len(), ELLIPSIS.len() + SHOW_BEFORE + 1);
    }

    #[test]
    fn a_source_line_replaced_after_locating_is_shown_from_its_own_column() {
        // `load` re-attaches the whole file's line to a front-matter error located in a slice.
        let line = format!("title: {}坏", "长".repeat(3000));
        let mut d = Diagnostic::error("a.md", "x").at(&line, 1, 3008);
        d.source_line = Some(line.clone());
        let (src, caret) = shown(&d);
        assert!(src.ends_with('坏'), "{src}");
        let at = src.rfind('坏').expect("shown");
        use unicode_width::UnicodeWidthStr as _;
        assert_eq!(caret.len(), src[..at].width() + 2);
    }

    #[test]
    fn the_report_shows_twenty_of_a_kind_per_file_then_a_count() {
        let text = "x\n".repeat(40);
        let mut diags = Vec::new();
        for i in 1..=25 {
            let d = Diagnostic::error("a.md", format!("link to missing chapter `c{i}.md`"));
            diags.push(d.at(&text, i, 1));
        }
        for i in 1..=3 {
            let d = Diagnostic::error("b.md", format!("link to missing chapter `c{i}.md`"));
            diags.push(d.at(&text, i, 1));
        }
        diags.push(
            Diagnostic::error("a.md", "raw HTML is not allowed here: `<x>`").at(&text, 30, 1),
        );
        diags.push(Diagnostic::warning("a.md", "link to missing chapter `w.md`").at(&text, 31, 1));
        sort(&mut diags);
        let report = report(&diags);
        assert_eq!(report.len(), 20 + 1 + 3 + 1 + 1, "{report:#?}");
        assert_eq!(
            report[20],
            "… and 5 more errors like `link to missing chapter …` in a.md\n"
        );
        assert!(report[19].contains("c20.md"), "{}", report[19]);
        assert!(report.iter().filter(|r| r.contains("b.md")).count() == 3);
    }

    #[test]
    fn line_col_and_offset_round_trip() {
        let text = "一二\n三四五\n";
        for (off, _) in text.char_indices() {
            let (l, c) = line_col(text, off);
            assert_eq!(offset_of(text, l, c), off);
        }
        assert_eq!(line_col(text, 7), (2, 1));
    }

    #[test]
    fn did_you_mean_finds_close_names() {
        assert_eq!(
            did_you_mean("titel", ["title", "description"]),
            Some("title")
        );
        assert_eq!(did_you_mean("zzz", ["title", "description"]), None);
    }

    #[test]
    fn line_index_positions_agree_with_line_col_in_any_order() {
        let text = "第一行\n[坏](x.md) 中文 [坏](y.md) [坏](z.md)\r\n末行 é\n";
        let idx = LineIndex::new(text);
        let offsets: Vec<usize> = (0..=text.len())
            .filter(|&o| text.is_char_boundary(o))
            .collect();
        // Forward (the cached path), backward and jumping between lines.
        let mut order = offsets.clone();
        order.extend(offsets.iter().rev());
        order.extend(offsets.iter().step_by(3).chain(offsets.iter().step_by(5)));
        for &o in &order {
            assert_eq!(idx.pos(o), line_col(text, o), "offset {o}");
        }
        // The line shown with a diagnostic has no line ending.
        let at = text.find("[坏](y").expect("link");
        let d = idx.diag(Diagnostic::error("f", "m"), at, 0);
        let shown = d.source_line.clone().unwrap_or_default();
        assert!(shown.ends_with("[坏](z.md)"), "{shown:?}");
    }
}
