//! Front-matter splitter + YAML front matter: any bytes → decode → split → parse.
//! Invariants: no panic; every diagnostic position lies inside the file; offsets are in range.
#![no_main]

use guidesmith::diag::{self, Diagnostic};
use guidesmith::frontmatter;
use guidesmith::load::FrontMatter;
use guidesmith::source;
use guidesmith::yaml::{self, Embedded};
use libfuzzer_sys::fuzz_target;

fn check_pos(text: &str, d: &Diagnostic) {
    if d.line > 0 {
        let lines = text.split('\n').count();
        assert!(
            d.line <= lines,
            "line {} past the end ({lines} lines)",
            d.line
        );
    }
    let _ = d.render();
}

fuzz_target!(|data: &[u8]| {
    let text = match source::decode(data, "x.md") {
        Ok(t) => t,
        Err(d) => {
            let _ = d.render();
            return;
        }
    };
    let Ok(split) = frontmatter::split(&text) else {
        return;
    };
    assert!(split.body_start <= text.len());
    let Some((start, end)) = split.yaml else {
        return;
    };
    assert!(start <= end && end <= text.len());
    // The byte-offset map round-trips line:col (RELIABILITY §6).
    let (l, c) = diag::line_col(&text, start);
    assert_eq!(diag::offset_of(&text, l, c), start);
    let e = Embedded {
        path: "x.md",
        file: &text[..end],
        start,
    };
    if let Err(d) = yaml::parse::<FrontMatter>(&e) {
        check_pos(&text[..end], &d);
    }
});
