//! The shipped form of the browser client (`themes/default/static/search.js`).
//!
//! Owns: one safe size reduction for the client script: whole-line `//` comments, blank lines and
//! leading indentation are dropped. Every other byte of every line is kept, so behaviour cannot
//! change (the client has no multi-line strings or template literals; a line starting with `//`
//! is always a comment). The theme keeps the readable source; `tests/search/vectors.js` checks
//! the shipped form stays within 12 KB gzipped.
//!
//! Must never: rewrite code inside a line, rename anything, or fail on any input.

/// `search.js` as it should be written to the site.
pub fn client_script(src: &str) -> String {
    let mut out = String::with_capacity(src.len());
    for line in src.lines() {
        let t = line.trim();
        if t.is_empty() || t.starts_with("//") {
            continue;
        }
        out.push_str(t);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_comment_lines_and_indentation_only() {
        let src = "(function () {\n  // note\n\n  var a = 'x // y'; // tail stays\n    /* kept */\n})();\n";
        assert_eq!(
            client_script(src),
            "(function () {\nvar a = 'x // y'; // tail stays\n/* kept */\n})();\n"
        );
        assert_eq!(client_script(""), "");
    }
}
