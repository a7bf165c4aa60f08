//! The browser search client as the site ships it: the theme's `static/search/*.js` parts
//! joined into one classic script (`static/search.<hash>.js`), which pages load on demand.
//!
//! Owns: the order of the parts and the one function around them (the parts' top-level names
//! are shared, so one part calls another's functions; a classic script because pages opened
//! from `file://` cannot load modules), and one safe size reduction: whole-line `//` comments,
//! blank lines and leading indentation are dropped. Every other byte of every line is kept, so
//! behaviour cannot change (the client has no multi-line strings or template literals; a line
//! starting with `//` is always a comment). `tests/search/client.js` joins the parts the same
//! way for the Node checks (`tests/cli/search.rs` holds it to this file's output).
//!
//! Must never: rewrite code inside a line, rename anything, or fail on any input.

use std::collections::BTreeMap;

/// The parts (theme paths), in the order they are joined: tokenising, pinyin, loading the
/// index, ranking, the page UI. Each part's top-level statements run in this order.
pub const PARTS: [&str; 5] = [
    "static/search/tokenize.js",
    "static/search/pinyin.js",
    "static/search/load.js",
    "static/search/rank.js",
    "static/search/ui.js",
];

/// Opens the shared function: `GS`, the client's one global (index files call `GS.load`), and
/// its CommonJS export for the Node checks.
const OPEN: &str = "(function (root) {\n'use strict';\nvar GS = {};\nroot.GS = GS;\n\
if (typeof module === 'object' && module.exports) module.exports = GS;\n";
/// Closes it, run with the page's `window` (or Node's global object).
const CLOSE: &str = "})(typeof window !== 'undefined' ? window : globalThis);\n";

/// Whether a theme file is a part of the client (shipped only inside the joined script).
pub fn is_part(theme_path: &str) -> bool {
    PARTS.contains(&theme_path)
}

/// The shipped client from the theme's files (a missing part is left out).
pub fn client_script(files: &BTreeMap<String, Vec<u8>>) -> String {
    let mut out = String::from(OPEN);
    for part in PARTS {
        if let Some(bytes) = files.get(part) {
            push_stripped(&mut out, &String::from_utf8_lossy(bytes));
        }
    }
    out.push_str(CLOSE);
    out
}

/// Appends `src` without its whole-line `//` comments, blank lines and indentation.
fn push_stripped(out: &mut String, src: &str) {
    for line in src.lines() {
        let t = line.trim();
        if t.is_empty() || t.starts_with("//") {
            continue;
        }
        out.push_str(t);
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_comment_lines_and_indentation_only() {
        let src =
            "function a() {\n  // note\n\n  var a = 'x // y'; // tail stays\n    /* kept */\n}\n";
        let mut out = String::new();
        push_stripped(&mut out, src);
        assert_eq!(
            out,
            "function a() {\nvar a = 'x // y'; // tail stays\n/* kept */\n}\n"
        );
        out.clear();
        push_stripped(&mut out, "");
        assert_eq!(out, "");
    }

    #[test]
    fn joins_the_parts_in_order_inside_one_function() {
        let files: BTreeMap<String, Vec<u8>> = PARTS
            .iter()
            .rev()
            .map(|p| {
                (
                    p.to_string(),
                    format!("// {p}\nvar x = '{p}';\n").into_bytes(),
                )
            })
            .chain([("static/other.js".to_owned(), b"var no;\n".to_vec())])
            .collect();
        let js = client_script(&files);
        assert!(js.starts_with(OPEN) && js.ends_with(CLOSE), "{js}");
        let at: Vec<usize> = PARTS
            .iter()
            .map(|p| js.find(&format!("var x = '{p}';")).expect("each part"))
            .collect();
        assert!(at.windows(2).all(|w| w[0] < w[1]), "{js}");
        assert!(!js.contains("var no") && !js.contains("// static"), "{js}");
        assert!(is_part("static/search/rank.js") && !is_part("static/search.js"));
    }
}
