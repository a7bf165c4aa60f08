//! Code highlighting with syntect into CSS classes (`hl-*`), themed by the theme's CSS.
//!
//! The syntaxes are bat's curated set (`two-face`: syntect's defaults plus TOML, YAML,
//! Dockerfile, INI, TypeScript, Kotlin, Swift, Protocol Buffers, …), loaded once, lazily, the
//! first time a page has a code block in a language that is not plain text (bat's habit);
//! prose-only guides never pay for it. A few names writers use that the set does not know are
//! mapped (`shell` → bash, `golang` → Go, …); `console` (a shell session) highlights only the
//! commands after a `$ ` prompt and leaves their output as it is. Output is always escaped.
//!
//! Highlighting is bounded: syntect's work per line can grow with the square of the line's
//! length (its Markdown grammar takes most of a minute on one long line of `*[`), so a block
//! with a line over `MAX_LINE_CHARS`, a block over `MAX_BLOCK_BYTES`, or a block past a page's
//! `PAGE_BUDGET_BYTES` is shown as plain escaped text instead, and the caller warns.

use std::sync::OnceLock;

use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

use syntect::parsing::SyntaxReference;

static SYNTAXES: OnceLock<SyntaxSet> = OnceLock::new();

/// The syntax set, loaded on first use.
fn syntaxes() -> &'static SyntaxSet {
    SYNTAXES.get_or_init(two_face::syntax::extra_newlines)
}

/// Languages for which no highlighting is attempted (and the syntax set is not loaded).
const PLAIN: &[&str] = &["", "text", "txt", "plain", "plaintext", "output"];

/// Shell sessions: `$ command` lines are shell, every other line is the command's output.
const SESSION: &[&str] = &[
    "console",
    "shell-session",
    "shellsession",
    "sh-session",
    "terminal",
];

/// Names writers use for a language that the syntax set knows by another token.
const ALIASES: &[(&str, &str)] = &[
    ("shell", "bash"),
    ("golang", "go"),
    ("python3", "python"),
    ("py3", "python"),
    ("csharp", "c#"),
    ("objc", "objective-c"),
    ("docker", "dockerfile"),
    ("jsonc", "json"),
    ("json5", "json"),
    ("mysql", "sql"),
    ("postgresql", "sql"),
    ("postgres", "sql"),
    ("psql", "sql"),
    ("sqlite", "sql"),
    ("pwsh", "powershell"),
    ("batch", "bat"),
    ("proto3", "proto"),
    ("protobuf3", "proto"),
    ("cuda", "c++"),
];

/// The syntax for a (lower-case) language name, if the set has one.
fn syntax_for(lang: &str) -> Option<&'static SyntaxReference> {
    if PLAIN.contains(&lang) {
        return None;
    }
    let token = if SESSION.contains(&lang) {
        "bash"
    } else {
        ALIASES
            .iter()
            .find(|(alias, _)| *alias == lang)
            .map_or(lang, |(_, token)| token)
    };
    syntaxes().find_syntax_by_token(token)
}

/// Longest line (in characters) that is highlighted; the worst grammar's cost at this length is
/// in docs/performance.md.
pub const MAX_LINE_CHARS: usize = 2_000;
/// Largest code block that is highlighted.
pub const MAX_BLOCK_BYTES: usize = 128 * 1024;
/// Code highlighted per page at most; later blocks are plain text.
pub const PAGE_BUDGET_BYTES: usize = 512 * 1024;

/// Why a block in a known language was shown as plain text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fallback {
    /// Line `index` (0-based within the code) has `chars` characters.
    LongLine { index: usize, chars: usize },
    /// The block has `bytes` bytes.
    LargeBlock { bytes: usize },
    /// The page's highlighting budget is used up.
    PageBudget,
}

/// Renders a code block to `<pre>` HTML: highlighted when the language is known, else escaped.
pub fn code_block(lang: &str, code: &str) -> String {
    let mut budget = PAGE_BUDGET_BYTES;
    code_block_bounded(lang, code, &mut budget).0
}

/// `code_block` within the limits above; `budget` is what is left of the page's budget and is
/// reduced by the bytes highlighted. Returns why the block was not highlighted, if a limit hit.
pub fn code_block_bounded(
    lang: &str,
    code: &str,
    budget: &mut usize,
) -> (String, Option<Fallback>) {
    let lang = lang.trim().to_ascii_lowercase();
    let mut out = String::with_capacity(code.len() + 64);
    out.push_str("<pre class=\"code\"");
    if !lang.is_empty() {
        out.push_str(" data-lang=\"");
        escape_into(&mut out, &lang);
        out.push('"');
    }
    out.push_str("><code>");
    let fallback = if PLAIN.contains(&lang.as_str()) {
        None
    } else {
        limit(code, *budget)
    };
    let html = match fallback {
        None => highlighted(&lang, code),
        Some(_) => None,
    };
    match html {
        Some(html) => {
            *budget = budget.saturating_sub(code.len());
            out.push_str(&html);
        }
        None => escape_into(&mut out, code),
    }
    out.push_str("</code></pre>\n");
    // Only a language with a syntax would have been highlighted: say nothing for the others.
    let fallback = fallback.filter(|_| knows(&lang));
    (out, fallback)
}

/// The first limit `code` breaks, if any.
fn limit(code: &str, budget: usize) -> Option<Fallback> {
    if code.len() > MAX_BLOCK_BYTES {
        return Some(Fallback::LargeBlock { bytes: code.len() });
    }
    // A line can only be over the limit if it has that many bytes: count characters only then.
    for (index, line) in code.lines().enumerate() {
        if line.len() > MAX_LINE_CHARS {
            let chars = line.chars().count();
            if chars > MAX_LINE_CHARS {
                return Some(Fallback::LongLine { index, chars });
            }
        }
    }
    if code.len() > budget {
        return Some(Fallback::PageBudget);
    }
    None
}

/// True when there is a syntax for `lang` (loads the syntax set).
fn knows(lang: &str) -> bool {
    syntax_for(lang).is_some()
}

fn highlighted(lang: &str, code: &str) -> Option<String> {
    let syntax = syntax_for(lang)?;
    if SESSION.contains(&lang) {
        return session(syntax, code);
    }
    lines_html(syntax, LinesWithEndings::from(code))
}

/// Highlights `lines` as one stretch of code in `syntax`.
fn lines_html<'a>(
    syntax: &SyntaxReference,
    lines: impl Iterator<Item = &'a str>,
) -> Option<String> {
    let mut gen = ClassedHTMLGenerator::new_with_class_style(
        syntax,
        syntaxes(),
        ClassStyle::SpacedPrefixed { prefix: "hl-" },
    );
    for line in lines {
        gen.parse_html_for_line_which_includes_newline(line).ok()?;
    }
    Some(gen.finalize())
}

/// A shell session: a line starting with `$ ` (after indentation) is a command, highlighted
/// from after the prompt together with the lines it continues onto (a trailing `\`); the
/// prompt is `hl-prompt` (not selected when copying); every other line is output, escaped.
fn session(shell: &SyntaxReference, code: &str) -> Option<String> {
    let mut out = String::with_capacity(code.len() + code.len() / 2);
    let mut lines = LinesWithEndings::from(code).peekable();
    while let Some(line) = lines.next() {
        let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
        let Some(command) = line[indent..].strip_prefix("$ ") else {
            escape_into(&mut out, line);
            continue;
        };
        escape_into(&mut out, &line[..indent]);
        out.push_str("<span class=\"hl-prompt\">$</span> ");
        let mut stretch = vec![command];
        let continues = |l: &str| l.trim_end_matches(['\n', '\r']).ends_with('\\');
        while continues(stretch[stretch.len() - 1]) {
            match lines.next() {
                Some(next) => stretch.push(next),
                None => break,
            }
        }
        out.push_str(&lines_html(shell, stretch.into_iter())?);
    }
    Some(out)
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

    #[test]
    fn languages_of_chinese_tech_docs_get_classes() {
        let samples = [
            ("toml", "[package]\nname = \"demo\"\n"),
            ("sh", "echo \"hi\" | grep h\n"),
            ("bash", "for f in *.md; do cat \"$f\"; done\n"),
            ("shell", "export A=1\n"),
            ("yaml", "key: value\nlist: [1, 2]\n"),
            ("json", "{\"a\": 1}\n"),
            ("dockerfile", "FROM rust:1.89\nRUN cargo build\n"),
            ("ini", "[core]\nkey = 1\n"),
            ("diff", "--- a\n+++ b\n-old\n+new\n"),
            ("sql", "SELECT id FROM users WHERE id = 1;\n"),
            ("go", "package main\nfunc main() {}\n"),
            ("typescript", "const x: number = 1;\n"),
            ("ts", "let s: string = \"a\";\n"),
            ("kotlin", "fun main() { val x = 1 }\n"),
            ("swift", "let x: Int = 1\n"),
            (
                "proto",
                "syntax = \"proto3\";\nmessage A { int32 id = 1; }\n",
            ),
            ("golang", "package main\n"),
        ];
        for (lang, code) in samples {
            let (html, why) = code_block_bounded(lang, code, &mut (1 << 20));
            assert_eq!(why, None, "{lang}");
            assert!(html.contains("class=\"hl-"), "{lang}: {html}");
            assert!(knows(lang), "{lang}");
        }
    }

    #[test]
    fn console_highlights_commands_after_the_prompt_and_leaves_output_plain() {
        let code = "$ cargo new hello \\\n  --bin\n     Created binary `hello` <package>\n  $ ls\n";
        let html = code_block("console", code);
        assert_eq!(
            html.matches("<span class=\"hl-prompt\">$</span> ").count(),
            2,
            "{html}"
        );
        // The continued line belongs to the command; output is escaped, not highlighted.
        assert!(
            html.contains("\n</span>     Created binary `hello` &lt;package&gt;\n  <span class=\"hl-prompt\">"),
            "{html}"
        );
        assert!(html.contains("class=\"hl-source hl-shell"), "{html}");
        // Output alone: nothing to highlight, and no prompt invented.
        let plain = code_block("console", "total 0\n");
        assert_eq!(
            plain,
            "<pre class=\"code\" data-lang=\"console\"><code>total 0\n</code></pre>\n"
        );
    }

    #[test]
    fn long_lines_large_blocks_and_a_spent_page_budget_fall_back_to_plain_text() {
        // The pathological input: syntect's Markdown grammar is quadratic on `*[` repeated.
        // Unbounded, a long line of it takes most of a minute; bounded, it is escaped at once
        // (hang-guard: 60 s in a debug build).
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let code = format!("ok\n{}\n", "*[".repeat(90_000));
            let mut budget = PAGE_BUDGET_BYTES;
            let _ = tx.send(code_block_bounded("markdown", &code, &mut budget));
        });
        let (html, why) = rx
            .recv_timeout(std::time::Duration::from_secs(60))
            .expect("a 180 KB line is not highlighted");
        assert_eq!(why, Some(Fallback::LargeBlock { bytes: 180_004 }));
        assert!(
            !html.contains("hl-") && html.contains("*[*["),
            "plain escaped text"
        );

        let line = "*[".repeat(MAX_LINE_CHARS / 2 + 1);
        let (html, why) = code_block_bounded("md", &format!("a\n{line}\n"), &mut (1 << 20));
        assert_eq!(
            why,
            Some(Fallback::LongLine {
                index: 1,
                chars: MAX_LINE_CHARS + 2
            })
        );
        assert!(!html.contains("hl-"), "{html}");
        // Exactly at the limit, and in characters (Chinese is 3 bytes a character): highlighted.
        let at_limit = "注".repeat(MAX_LINE_CHARS);
        let (html, why) =
            code_block_bounded("rust", &format!("// {}\n", &at_limit[9..]), &mut (1 << 20));
        assert_eq!(why, None);
        assert!(html.contains("hl-"), "{html}");

        let mut budget = 10;
        let (html, why) = code_block_bounded("rust", "fn main() {}\n", &mut budget);
        assert_eq!((why, budget), (Some(Fallback::PageBudget), 10));
        assert!(!html.contains("hl-"));
        let mut budget = 100;
        let (html, why) = code_block_bounded("rust", "fn main() {}\n", &mut budget);
        assert_eq!((why, budget), (None, 87));
        assert!(html.contains("hl-"));
        // Plain text and unknown languages are never highlighted, so nothing to warn about.
        let (_, why) = code_block_bounded("text", &format!("{line}\n"), &mut (1 << 20));
        assert_eq!(why, None);
        let (_, why) = code_block_bounded("no-such-lang", &format!("{line}\n"), &mut (1 << 20));
        assert_eq!(why, None);
    }
}
