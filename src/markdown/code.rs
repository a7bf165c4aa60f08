//! A code block's info string: its language (`rust,ignore` → Rust), the note a listing marked
//! as not working gets, and mdBook's hidden lines in Rust blocks.

/// What a Rust book's info-string attribute says of the code, for the reader: a listing that
/// does not compile or panics must not read like working code (`rust,does_not_compile`).
pub fn code_note(info: &str) -> Option<&'static str> {
    info.split([',', ' ', '\t']).find_map(|attr| match attr {
        "does_not_compile" | "compile_fail" => Some("注意：这段代码无法编译"),
        "should_panic" | "panics" => Some("注意：这段代码运行时会 panic"),
        "not_desired_behavior" => Some("注意：这段代码的运行结果不是想要的"),
        _ => None,
    })
}

/// The language of a code block's info string: its first word, up to a comma (`rust,ignore`
/// → `rust`); rustdoc's attribute-only strings (`ignore`, `no_run` …) are Rust.
pub fn language(info: &str) -> &str {
    let first = info.split_whitespace().next().unwrap_or("");
    let lang = first.split(',').next().unwrap_or("");
    let rustdoc = [
        "ignore",
        "no_run",
        "should_panic",
        "compile_fail",
        "edition2015",
        "edition2018",
        "edition2021",
        "edition2024",
        "editable",
        "noplayground",
    ];
    if rustdoc.contains(&lang) {
        "rust"
    } else {
        lang
    }
}

/// mdBook's (and rustdoc's) hidden lines: a line that is `#` or starts with `# ` (after
/// indentation) is dropped; `##` at its start stands for a literal `#`.
pub fn hide_rust_lines(code: &str) -> String {
    let mut out = String::with_capacity(code.len());
    for line in code.split_inclusive('\n') {
        let bare = line.trim_end_matches(['\n', '\r']);
        let t = bare.trim_start();
        if t == "#" || t.starts_with("# ") {
            continue;
        }
        match t.strip_prefix("##") {
            Some(rest) => {
                out.push_str(&bare[..bare.len() - t.len()]);
                out.push('#');
                out.push_str(rest);
                out.push_str(&line[bare.len()..]);
            }
            None => out.push_str(line),
        }
    }
    out
}
