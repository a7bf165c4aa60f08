//! YAML → typed structs through serde-saphyr, with errors mapped to file positions.
//!
//! serde-saphyr is panic-free, enforces budgets (alias expansion, nesting depth, event count)
//! and reports duplicate keys with positions, which is why we use it (ARCHITECTURE.md). This
//! module turns its errors into `Diagnostic`s counted from the start of the *file*, adds
//! "did you mean" hints for unknown fields, and never lets a YAML problem become a panic.

use serde::de::DeserializeOwned;
use serde_saphyr::{Error, Location};

use crate::diag::{self, Diagnostic};

/// Where a YAML document sits inside a file: `file` is the whole file's text and `yaml` starts
/// at byte `start` of it (after a front-matter `---` line, or 0 for a standalone YAML file).
pub struct Embedded<'a> {
    pub path: &'a str,
    pub file: &'a str,
    pub start: usize,
}

impl Embedded<'_> {
    fn yaml(&self) -> &str {
        &self.file[self.start..]
    }

    /// Converts a serde-saphyr location inside the YAML into file line/col.
    pub fn file_pos(&self, loc: &Location) -> (usize, usize) {
        let (base_line, base_col) = diag::line_col(self.file, self.start);
        let line = loc.line() as usize;
        let col = loc.column() as usize;
        if line <= 1 {
            (base_line, base_col + col.saturating_sub(1))
        } else {
            (base_line + line - 1, col.max(1))
        }
    }

    /// A diagnostic at a serde-saphyr location, with the caret under the token there.
    pub fn diag_at(&self, loc: &Location, message: impl Into<String>) -> Diagnostic {
        let (line, col) = self.file_pos(loc);
        let d = Diagnostic::error(self.path, message).at(self.file, line, col);
        let len = token_len(d.caret_text().unwrap_or(""));
        d.with_len(len)
    }
}

/// Parses one YAML document into `T`.
pub fn parse<T: DeserializeOwned>(src: &Embedded<'_>) -> Result<T, Diagnostic> {
    let mut options = serde_saphyr::Options::default();
    options.with_snippet = false;
    serde_saphyr::from_str_with_options::<T>(src.yaml(), options).map_err(|e| to_diag(src, &e))
}

fn to_diag(src: &Embedded<'_>, err: &Error) -> Diagnostic {
    let err = err.without_snippet();
    let (message, help) = describe(err);
    let d = match err.location() {
        Some(loc) if loc.line() > 0 => src.diag_at(&loc, message),
        _ => Diagnostic::error(src.path, message),
    };
    // serde-saphyr reports only the duplicate; name the first occurrence too (RELIABILITY I3).
    let help = match (err, first_key(src, &d)) {
        (Error::DuplicateMappingKey { .. }, Some((l, c))) => Some(format!(
            "first defined at line {l}, column {c}; each key may appear only once"
        )),
        _ => help,
    };
    match help {
        Some(h) => d.with_help(h),
        None => d,
    }
}

/// Line and column of the first `key:` at the same column as the duplicate at `d`, searching
/// the YAML's lines before it (only the prefix `- ` of a list item may precede the key).
fn first_key(src: &Embedded<'_>, d: &Diagnostic) -> Option<(usize, usize)> {
    let key = d
        .message
        .strip_prefix("duplicate key `")?
        .strip_suffix('`')?;
    let (base_line, _) = diag::line_col(src.file, src.start);
    let wanted = format!("{key}:");
    src.file
        .lines()
        .enumerate()
        .take(d.line.saturating_sub(1))
        .skip(base_line.saturating_sub(1))
        .find(|(_, l)| {
            let indent = d.col.saturating_sub(1);
            let prefix: String = l.chars().take(indent).collect();
            prefix.chars().count() == indent
                && prefix.chars().all(|c| c == ' ' || c == '-')
                && l.chars()
                    .skip(indent)
                    .collect::<String>()
                    .starts_with(&wanted)
        })
        .map(|(i, _)| (i + 1, d.col))
}

/// A short message and an optional help line for a serde-saphyr error.
fn describe(err: &Error) -> (String, Option<String>) {
    match err {
        Error::SerdeUnknownField {
            field, expected, ..
        } => {
            let help = match diag::did_you_mean(field, expected.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("expected one of: {}", expected.join(", ")),
            };
            (format!("unknown field `{field}`"), Some(help))
        }
        Error::SerdeMissingField { field, .. } => (
            format!("missing required field `{field}`"),
            Some(format!("add `{field}: …` to this block")),
        ),
        Error::DuplicateMappingKey { key, .. } => (
            match key {
                Some(k) => format!("duplicate key `{k}`"),
                None => "duplicate key".to_owned(),
            },
            Some("each key may appear only once; remove or rename one of them".to_owned()),
        ),
        Error::Budget { breach, .. } => (
            format!("YAML is too large or too deeply nested ({breach:?})"),
            Some("simplify the file: guide YAML needs no deep nesting or alias chains".into()),
        ),
        other => {
            let text = other.to_string();
            if let Some(max) = integer_max(&text) {
                return (
                    format!("expected a whole number from 0 to {max}"),
                    Some("write a plain number such as 8 (no exponent, sign or decimals)".into()),
                );
            }
            (strip_location(&text), yaml_help(&text))
        }
    }
}

/// The largest value of the unsigned integer type a number did not fit ("invalid u8").
fn integer_max(text: &str) -> Option<u64> {
    let ty = text.strip_prefix("invalid ")?.split_whitespace().next()?;
    Some(match ty {
        "u8" => u8::MAX.into(),
        "u16" => u16::MAX.into(),
        "u32" => u32::MAX.into(),
        "u64" | "usize" => u64::MAX,
        _ => return None,
    })
}

/// Removes serde-saphyr's own " at line X column Y" suffix; we print positions ourselves.
fn strip_location(text: &str) -> String {
    let first = text.lines().next().unwrap_or(text);
    let cut = first.find(" at line ").unwrap_or(first.len());
    first[..cut]
        .trim_end_matches([',', '.', ':', ' '])
        .to_owned()
}

fn yaml_help(text: &str) -> Option<String> {
    if text.contains("tab") {
        Some("YAML indentation must use spaces, not tabs".into())
    } else if text.contains("invalid type") || text.starts_with("expected ") {
        Some("check the value's type (text, number, list) against docs/content-model.md".into())
    } else {
        None
    }
}

/// Length in characters of the token starting at 1-based `col` (up to whitespace or `:`).
/// Characters of the token at the start of `from` (up to whitespace or `:`), at least 1.
fn token_len(from: &str) -> usize {
    from.chars()
        .take_while(|c| !c.is_whitespace() && *c != ':')
        .count()
        .max(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct T {
        title: String,
        n: Option<u32>,
    }

    fn err(file: &str, start: usize) -> Diagnostic {
        let src = Embedded {
            path: "x.md",
            file,
            start,
        };
        parse::<T>(&src).unwrap_err()
    }

    #[test]
    fn unknown_field_is_located_in_the_file_with_a_hint() {
        let d = err("---\ntitle: 标题\ntitel: x\n---\n", 4);
        assert_eq!((d.line, d.col, d.len), (3, 1, 5), "{}", d.render());
        assert_eq!(d.help.as_deref(), Some("did you mean `title`?"));
    }

    #[test]
    fn duplicate_key_points_at_the_second_occurrence() {
        let d = err("title: a\ntitle: b\n", 0);
        assert_eq!(d.line, 2, "{}", d.render());
        assert!(d.message.contains("duplicate"), "{}", d.message);
    }

    #[test]
    fn wrong_type_and_missing_field_are_reported() {
        let d = err("title: a\nn: [1]\n", 0);
        assert_eq!(d.line, 2, "{}", d.render());
        let d = err("n: 1\n", 0);
        assert!(d.message.contains("`title`"), "{}", d.message);
    }

    #[test]
    fn alias_bomb_is_rejected_quickly() {
        let mut y = String::from("a: &a [x,x,x,x,x,x,x,x,x,x]\n");
        for i in 0..12 {
            let p = if i == 0 {
                "a".to_string()
            } else {
                format!("a{}", i - 1)
            };
            y.push_str(&format!(
                "a{i}: &a{i} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n"
            ));
        }
        y.push_str("title: x\n");
        let src = Embedded {
            path: "x.yaml",
            file: &y,
            start: 0,
        };
        // Unknown fields would also fail; what matters is a diagnostic, fast, no panic.
        assert!(parse::<T>(&src).is_err());
    }
}
