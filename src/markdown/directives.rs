//! Leftover mdBook directives (`{{#include file.rs}}`, `{{#rustdoc_include …}}`, `{{#title …}}`).
//!
//! mdBook expands these before Markdown is parsed, anywhere in the text (code blocks included),
//! and `\{{#…}}` is its escape. guidesmith does not expand them, so one left in a chapter would
//! be published as literal text: the renderer warns at each one's file:line:col. Pure.

/// Directive names mdBook's built-in preprocessors know.
const KNOWN: &[&str] = &[
    "include",
    "rustdoc_include",
    "playground",
    "playpen",
    "title",
];

/// A directive found in a chapter body: its byte range in the body and its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    pub start: usize,
    pub len: usize,
    pub name: String,
}

/// Every unescaped `{{#name …}}` in `body` whose name mdBook knows.
pub fn find(body: &str) -> Vec<Directive> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = body[from..].find("{{#") {
        let start = from + i;
        from = start + 3;
        if body[..start].ends_with('\\') {
            continue;
        }
        let rest = &body[start + 3..];
        let name_len = rest
            .bytes()
            .take_while(|c| c.is_ascii_lowercase() || *c == b'_')
            .count();
        let name = &rest[..name_len];
        if !KNOWN.contains(&name) {
            continue;
        }
        let line_end = rest.find('\n').unwrap_or(rest.len());
        let len = match rest[..line_end].find("}}") {
            Some(e) => 3 + e + 2,
            None => 3 + line_end,
        };
        out.push(Directive {
            start,
            len,
            name: name.to_owned(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_unescaped_known_directives_with_their_extent() {
        let body = "a\n```rust\n{{#rustdoc_include ../listings/x.rs:here}}\n```\n\\{{#include no.rs}} {{#include a.md}}{{#other x}}\n";
        let found = find(body);
        let names: Vec<&str> = found.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(names, ["rustdoc_include", "include"]);
        let d = &found[0];
        assert_eq!(
            &body[d.start..d.start + d.len],
            "{{#rustdoc_include ../listings/x.rs:here}}"
        );
        assert_eq!(
            &body[found[1].start..found[1].start + found[1].len],
            "{{#include a.md}}"
        );
    }
}
