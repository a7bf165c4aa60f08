//! Expanding mdBook's `{{#include …}}`, `{{#rustdoc_include …}}` and `{{#playground …}}`
//! the way mdBook 0.4's `links` preprocessor does, so the imported chapter reads as the book
//! did.
//!
//! Selection: `file`, `file:anchor` (the lines between `ANCHOR: name` and `ANCHOR_END: name`),
//! `file:N` (line N), `file:N:M`, `file:N:`, `file::M` (1-based, inclusive). Lines holding
//! anchor markers are always dropped. `rustdoc_include` keeps the whole file and turns the lines
//! outside the selection into hidden lines (`# `), which `markdown.rust_hidden_lines` hides.
//! `\{{#…}}` is mdBook's escape and is left alone. Included files may include others (up to
//! `MAX_DEPTH`). Files are read only from inside the book's folder.

use std::path::{Path, PathBuf};

/// Nesting of includes followed at most (mdBook's limit).
const MAX_DEPTH: usize = 10;

/// What expanding a chapter did.
#[derive(Debug, Default)]
pub struct Expanded {
    pub text: String,
    /// Directives replaced.
    pub count: usize,
    /// Directives left as written, each with its 1-based line in the chapter and why.
    pub failed: Vec<(usize, String)>,
}

/// Reads an included file; None when it cannot be read or lies outside the book.
pub trait Files {
    fn read(&self, path: &Path) -> Option<String>;
}

/// The book on disk, confined to `root` (canonicalised).
pub struct BookFiles {
    pub root: PathBuf,
}

impl Files for BookFiles {
    fn read(&self, path: &Path) -> Option<String> {
        let real = path.canonicalize().ok()?;
        if !real.starts_with(&self.root) {
            return None;
        }
        let bytes = std::fs::read(real).ok()?;
        Some(String::from_utf8_lossy(&bytes).replace("\r\n", "\n"))
    }
}

/// Expands every directive in `text`, whose file lives in `dir`.
pub fn expand(text: &str, dir: &Path, files: &dyn Files) -> Expanded {
    let mut out = Expanded::default();
    out.text = expand_at(text, dir, files, 0, &mut out.count, &mut out.failed, true);
    out
}

fn expand_at(
    text: &str,
    dir: &Path,
    files: &dyn Files,
    depth: usize,
    count: &mut usize,
    failed: &mut Vec<(usize, String)>,
    top: bool,
) -> String {
    let mut result = String::with_capacity(text.len());
    let mut rest = text;
    let mut consumed = 0;
    while let Some(i) = rest.find("{{#") {
        let start = consumed + i;
        result.push_str(&rest[..i]);
        let after = &rest[i + 3..];
        let Some(close) = after.find("}}") else {
            result.push_str(&rest[i..]);
            return result;
        };
        let whole = &rest[i..i + 3 + close + 2];
        let escaped = text[..start].ends_with('\\');
        let line = text[..start].matches('\n').count() + 1;
        let inner = &after[..close];
        let (name, arg) = inner.split_once(char::is_whitespace).unwrap_or((inner, ""));
        let replaced = if escaped || after[..close].contains('\n') {
            None
        } else {
            directive(name, arg.trim(), dir, files, depth)
        };
        match replaced {
            Some(Ok(body)) => {
                *count += 1;
                result.push_str(&body);
            }
            Some(Err(why)) => {
                if top {
                    failed.push((line, format!("`{}`: {why}", whole)));
                }
                result.push_str(whole);
            }
            None => result.push_str(whole),
        }
        let used = i + 3 + close + 2;
        rest = &rest[used..];
        consumed += used;
    }
    result.push_str(rest);
    result
}

/// One directive's replacement; None for directives that are not about files.
fn directive(
    name: &str,
    arg: &str,
    dir: &Path,
    files: &dyn Files,
    depth: usize,
) -> Option<Result<String, String>> {
    let rustdoc = match name {
        "include" => false,
        "rustdoc_include" => true,
        "playground" | "playpen" => {
            let file = arg.split_whitespace().next().unwrap_or("");
            return Some(read(dir, file, files).map(|t| format!("```rust\n{}\n```", t.trim_end())));
        }
        _ => return None,
    };
    if depth >= MAX_DEPTH {
        return Some(Err(format!("includes nested deeper than {MAX_DEPTH}")));
    }
    let (file, selector) = match arg.split_once(':') {
        Some((f, s)) => (f, Some(s)),
        None => (arg, None),
    };
    let content = match read(dir, file, files) {
        Ok(c) => c,
        Err(e) => return Some(Err(e)),
    };
    let lines: Vec<&str> = content.lines().collect();
    let keep = match selector.map(|s| select(&lines, s)) {
        None => vec![true; lines.len()],
        Some(Ok(k)) => k,
        Some(Err(e)) => return Some(Err(e)),
    };
    let mut body = String::new();
    for (line, keep) in lines.iter().zip(keep) {
        if is_anchor(line) {
            continue;
        }
        if keep {
            body.push_str(line);
        } else if rustdoc {
            body.push_str("# ");
            body.push_str(line);
        } else {
            continue;
        }
        body.push('\n');
    }
    let body = body.trim_end_matches('\n').to_owned();
    // Included Markdown may include again, relative to its own folder.
    let sub_dir = dir
        .join(file)
        .parent()
        .map_or_else(|| dir.to_owned(), Path::to_owned);
    let (mut n, mut f) = (0, Vec::new());
    let body = expand_at(&body, &sub_dir, files, depth + 1, &mut n, &mut f, false);
    Some(Ok(body))
}

fn read(dir: &Path, file: &str, files: &dyn Files) -> Result<String, String> {
    if file.is_empty() {
        return Err("no file named".into());
    }
    files
        .read(&dir.join(file))
        .ok_or_else(|| format!("cannot read `{file}` inside the book"))
}

/// Which lines a selector keeps: an anchor name or a line range.
fn select(lines: &[&str], sel: &str) -> Result<Vec<bool>, String> {
    let sel = sel.trim();
    let num = |s: &str| -> Result<Option<usize>, String> {
        if s.is_empty() {
            Ok(None)
        } else {
            s.parse::<usize>()
                .map(Some)
                .map_err(|_| format!("bad line number `{s}`"))
        }
    };
    let first = sel.split(':').next().unwrap_or("");
    if !first.is_empty() && !first.bytes().all(|c| c.is_ascii_digit()) {
        return anchored(lines, first);
    }
    let (from, to) = match sel.split_once(':') {
        Some((a, b)) => (num(a)?, num(b)?),
        None => {
            let n = num(sel)?;
            (n, n)
        }
    };
    let from = from.unwrap_or(1).max(1);
    let to = to.unwrap_or(usize::MAX);
    Ok((1..=lines.len()).map(|n| n >= from && n <= to).collect())
}

fn anchored(lines: &[&str], name: &str) -> Result<Vec<bool>, String> {
    let mut keep = vec![false; lines.len()];
    let mut inside = false;
    let mut found = false;
    for (i, line) in lines.iter().enumerate() {
        match anchor_of(line) {
            Some(("ANCHOR", n)) if n == name => {
                inside = true;
                found = true;
            }
            Some(("ANCHOR_END", n)) if n == name => inside = false,
            _ => keep[i] = inside,
        }
    }
    if found {
        Ok(keep)
    } else {
        Err(format!("no `ANCHOR: {name}` in the file"))
    }
}

/// `// ANCHOR: name` → ("ANCHOR", "name"); `ANCHOR_END: name` likewise.
fn anchor_of(line: &str) -> Option<(&'static str, &str)> {
    for kind in ["ANCHOR_END", "ANCHOR"] {
        if let Some(i) = line.find(&format!("{kind}:")) {
            // `ANCHOR:` inside `ANCHOR_END:` must not count as a start.
            if kind == "ANCHOR" && line[..i].ends_with('_') {
                continue;
            }
            let name = line[i + kind.len() + 1..].trim_start();
            let end = name
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
                .unwrap_or(name.len());
            if end > 0 {
                return Some((kind, &name[..end]));
            }
        }
    }
    None
}

fn is_anchor(line: &str) -> bool {
    anchor_of(line).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct Mem(HashMap<PathBuf, String>);

    impl Files for Mem {
        fn read(&self, path: &Path) -> Option<String> {
            // Normalise `a/../b` the simple way the tests need.
            let mut parts: Vec<&str> = Vec::new();
            for c in path.to_str()?.split('/') {
                match c {
                    ".." => {
                        parts.pop();
                    }
                    "." | "" => {}
                    c => parts.push(c),
                }
            }
            self.0.get(&PathBuf::from(parts.join("/"))).cloned()
        }
    }

    fn book() -> Mem {
        let mut m = HashMap::new();
        m.insert(
            PathBuf::from("listings/main.rs"),
            "use std::io;\n// ANCHOR: here\nfn main() {\n    // ANCHOR: inner\n    let x = 1;\n    // ANCHOR_END: inner\n}\n// ANCHOR_END: here\n".to_owned(),
        );
        m.insert(
            PathBuf::from("src/part.md"),
            "片段 {{#include ../listings/main.rs:3}}".to_owned(),
        );
        Mem(m)
    }

    #[test]
    fn includes_select_anchors_and_ranges_and_strip_markers() {
        let b = book();
        let dir = Path::new("src");
        let x = expand(
            "```rust\n{{#include ../listings/main.rs:here}}\n```\n",
            dir,
            &b,
        );
        assert_eq!(x.text, "```rust\nfn main() {\n    let x = 1;\n}\n```\n");
        assert_eq!(x.count, 1);
        let x = expand("{{#include ../listings/main.rs:1:3}}", dir, &b);
        assert_eq!(x.text, "use std::io;\nfn main() {");
        let x = expand(
            "{{#include ../listings/main.rs::1}} {{#include ../listings/main.rs:5}}",
            dir,
            &b,
        );
        assert_eq!(x.text, "use std::io;     let x = 1;");
    }

    #[test]
    fn rustdoc_include_hides_the_lines_outside_the_selection() {
        let x = expand(
            "{{#rustdoc_include ../listings/main.rs:inner}}",
            Path::new("src"),
            &book(),
        );
        assert_eq!(x.text, "# use std::io;\n# fn main() {\n    let x = 1;\n# }");
    }

    #[test]
    fn escaped_missing_and_nested_includes() {
        let b = book();
        let x = expand(
            "\\{{#include part.md}}\n{{#include nope.md}}\n{{#include part.md}}",
            Path::new("src"),
            &b,
        );
        assert_eq!(
            x.text,
            "\\{{#include part.md}}\n{{#include nope.md}}\n片段 fn main() {"
        );
        assert_eq!(x.count, 1);
        assert_eq!(x.failed.len(), 1);
        assert_eq!(x.failed[0].0, 2);
        let x = expand(
            "{{#include ../listings/main.rs:nothere}}",
            Path::new("src"),
            &b,
        );
        assert!(
            x.failed[0].1.contains("no `ANCHOR: nothere`"),
            "{:?}",
            x.failed
        );
    }
}
