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
    // … and never carries a script element or a javascript: URL in markup. Text may say
    // `src="javascript:` (it is escaped text, not an attribute), so only tags are inspected:
    // every `<` in the output starts real markup, because text `<` is escaped as `&lt;`.
    let lower = r.html.to_ascii_lowercase();
    for tag in lower.split('<').skip(1) {
        let tag = tag.split('>').next().unwrap_or("");
        assert!(!tag.starts_with("script"), "script element in output");
        if !tag.starts_with("!--") {
            assert!(!tag.contains("javascript:"), "javascript: inside <{tag}>");
        }
    }
});
