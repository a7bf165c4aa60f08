//! Markdown → HTML pipeline: any text as a chapter body. Invariants: no panic, no stack
//! overflow, output bounded, and nothing executable leaks into the HTML.
#![no_main]

use guidesmith::markdown::{self, Input};
use libfuzzer_sys::fuzz_target;

const HEADER: &str = "---\ntitle: t\n---\n";

fuzz_target!(|data: &[u8]| {
    let Ok(body) = std::str::from_utf8(data) else {
        return;
    };
    let file = format!("{HEADER}{body}");
    let r = markdown::render(&Input {
        display: "guide/chapters/a/b.md",
        source: "chapters/a/b.md",
        file: &file,
        body_start: HEADER.len(),
    });
    for d in &r.diags {
        let _ = d.render();
    }
    // Output stays proportional to the input (no blow-up) …
    assert!(
        r.html.len() <= 64 * file.len() + 4096,
        "html {} bytes for {} bytes of input",
        r.html.len(),
        file.len()
    );
    // … and never carries a script element, an event handler or a javascript: URL in markup.
    // Text may say `src="javascript:` and a fence info string lands, escaped, in `data-lang`:
    // neither is a URL, so only tags and their URL attributes are inspected. Every `<` in the
    // output starts real markup, because text `<` is escaped as `&lt;`.
    let lower = r.html.to_ascii_lowercase();
    for tag in lower.split('<').skip(1) {
        let tag = tag.split('>').next().unwrap_or("");
        if tag.starts_with("!--") {
            continue;
        }
        assert!(!tag.starts_with("script"), "script element in output");
        for attr in [" href=\"", " src=\""] {
            for (i, _) in tag.match_indices(attr) {
                let value = tag[i + attr.len()..].trim_start();
                assert!(
                    !value.starts_with("javascript:"),
                    "javascript: URL in <{tag}>"
                );
            }
        }
        // An event handler would be ` on…=` outside any quoted value.
        let mut quoted = false;
        let b = tag.as_bytes();
        for (i, &c) in b.iter().enumerate() {
            if c == b'"' {
                quoted = !quoted;
            } else if !quoted && c == b' ' && tag[i + 1..].starts_with("on") {
                let name: String = tag[i + 1..]
                    .chars()
                    .take_while(char::is_ascii_alphabetic)
                    .collect();
                assert!(
                    !(name.len() > 2 && tag[i + 1 + name.len()..].starts_with('=')),
                    "event handler in <{tag}>"
                );
            }
        }
    }
});
