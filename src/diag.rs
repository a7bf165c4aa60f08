//! Diagnostics: problems in the user's input, located at `path:line:col`.
//!
//! Every stage collects `Diagnostic`s instead of stopping at the first problem, so `check` can
//! report everything in one run. Positions are 1-based and counted from the start of the *file*
//! (never from the start of a front-matter block). Columns count characters; the caret under the
//! source line is aligned by display width, so it lands correctly under Chinese text.
//! Only the CLI layer prints; this module only formats.

use std::fmt::Write as _;

use serde::Serialize;
use unicode_width::UnicodeWidthChar;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
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
    /// The offending source line, without its line break.
    #[serde(skip)]
    pub source_line: Option<String>,
}

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
        self.source_line = text.lines().nth(line.saturating_sub(1)).map(str::to_owned);
        self
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
            let shown = src.replace('\t', "    ");
            let _ = writeln!(out, "{gutter} |");
            let _ = writeln!(out, "{} | {}", self.line, shown);
            let pad = caret_pad(src, self.col);
            let width = caret_width(src, self.col, self.len);
            let _ = writeln!(out, "{gutter} | {}{}", " ".repeat(pad), "^".repeat(width));
        }
        if let Some(help) = &self.help {
            let _ = writeln!(out, "{gutter} = help: {help}");
        }
        out
    }
}

/// Display width of the characters before 1-based column `col` (tabs count as 4).
fn caret_pad(line: &str, col: usize) -> usize {
    line.chars()
        .take(col.saturating_sub(1))
        .map(char_width)
        .sum()
}

/// Display width of `len` characters starting at 1-based column `col`, at least 1.
fn caret_width(line: &str, col: usize, len: usize) -> usize {
    let w: usize = line
        .chars()
        .skip(col.saturating_sub(1))
        .take(len)
        .map(char_width)
        .sum();
    w.max(1)
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
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { text, starts }
    }

    /// 1-based line and character column of byte `offset`.
    pub fn pos(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset);
        let start = self.starts[line - 1];
        (line, self.text[start..offset].chars().count() + 1)
    }

    /// A diagnostic located at byte `offset`, covering `len` bytes' worth of characters.
    pub fn diag(&self, d: Diagnostic, offset: usize, len_bytes: usize) -> Diagnostic {
        let (line, col) = self.pos(offset);
        let end = (offset + len_bytes).min(self.text.len());
        let len = self
            .text
            .get(offset..end)
            .map_or(1, |s| s.lines().next().unwrap_or("").chars().count());
        d.at(self.text, line, col).with_len(len)
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
    candidates
        .into_iter()
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
}
