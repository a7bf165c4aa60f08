//! Code highlighting with syntect into CSS classes (`hl-*`), themed by the theme's CSS.
//!
//! The syntax set is loaded once, lazily, the first time a page has a code block in a language
//! syntect knows (bat's habit); prose-only guides never pay for it. Output is always escaped.

use std::sync::OnceLock;

use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

static SYNTAXES: OnceLock<SyntaxSet> = OnceLock::new();

/// Languages for which no highlighting is attempted (and the syntax set is not loaded).
const PLAIN: &[&str] = &["", "text", "txt", "plain", "plaintext", "console", "output"];

/// Renders a code block to `<pre>` HTML: highlighted when the language is known, else escaped.
pub fn code_block(lang: &str, code: &str) -> String {
    let lang = lang.trim().to_ascii_lowercase();
    let mut out = String::with_capacity(code.len() + 64);
    out.push_str("<pre class=\"code\"");
    if !lang.is_empty() {
        out.push_str(" data-lang=\"");
        escape_into(&mut out, &lang);
        out.push('"');
    }
    out.push_str("><code>");
    match highlighted(&lang, code) {
        Some(html) => out.push_str(&html),
        None => escape_into(&mut out, code),
    }
    out.push_str("</code></pre>\n");
    out
}

fn highlighted(lang: &str, code: &str) -> Option<String> {
    if PLAIN.contains(&lang) {
        return None;
    }
    let ss = SYNTAXES.get_or_init(SyntaxSet::load_defaults_newlines);
    let syntax = ss.find_syntax_by_token(lang)?;
    let mut gen = ClassedHTMLGenerator::new_with_class_style(
        syntax,
        ss,
        ClassStyle::SpacedPrefixed { prefix: "hl-" },
    );
    for line in LinesWithEndings::from(code) {
        gen.parse_html_for_line_which_includes_newline(line).ok()?;
    }
    Some(gen.finalize())
}

/// Escapes text for HTML element content and double-quoted attributes.
pub fn escape_into(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// Escaped copy of `s` (see `escape_into`).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    escape_into(&mut out, s);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_language_gets_classes_and_unknown_is_escaped() {
        let h = code_block("rust", "fn main() {}\n");
        assert!(h.contains("hl-"), "{h}");
        let p = code_block("text", "<script>\n");
        assert_eq!(
            p,
            "<pre class=\"code\" data-lang=\"text\"><code>&lt;script&gt;\n</code></pre>\n"
        );
        let hostile = code_block("\"><img src=x>", "x");
        assert!(!hostile.contains("<img"), "{hostile}");
    }
}
