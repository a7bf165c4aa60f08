//! The theme's static files as the site ships them: the stylesheets joined into one, the page
//! script, the search client and the tools' script and stylesheet (tool pages only) under
//! content-hashed names, everything else as it is.

use crate::theme;

pub struct Assets {
    /// (site path, bytes) of every static file.
    pub files: Vec<(String, Vec<u8>)>,
    /// Site paths of the stylesheet, the page script and the search engine (loaded on demand).
    pub css: String,
    pub js: String,
    pub search_js: String,
    /// The tools' stylesheet and script (tool pages only).
    pub tools_css: String,
    pub tools_js: String,
}

/// The tools' script parts, joined in this order: the pure date and state modules first.
pub const TOOL_PARTS: [&str; 4] = [
    "static/tools/dates.js",
    "static/tools/state.js",
    "static/tools/form.js",
    "static/tools/output.js",
];

/// The tools' script as shipped: its parts joined.
pub fn tools_script(files: &std::collections::BTreeMap<String, Vec<u8>>) -> Vec<u8> {
    let mut out = Vec::new();
    for p in TOOL_PARTS {
        if let Some(b) = files.get(p) {
            out.extend_from_slice(b);
            out.push(b'\n');
        }
    }
    out
}

/// Theme static files with content-hashed names (`static/style.<hash>.css`). The tools' script
/// and stylesheet ship only when the guide has tools.
pub fn static_assets(files: &theme::ThemeFiles, with_tools: bool) -> Assets {
    let mut out = Vec::new();
    let mut css = Vec::new();
    for name in ["static/style.css", "static/search.css", "static/print.css"] {
        if let Some(b) = files.files.get(name) {
            css.extend_from_slice(b);
            css.push(b'\n');
        }
    }
    let hashed = |stem: &str, ext: &str, bytes: &[u8]| {
        format!("static/{stem}.{}.{ext}", &crate::digest::hex(bytes)[..10])
    };
    let css_url = hashed("style", "css", &css);
    out.push((css_url.clone(), css));
    let mut named = |name: &str, stem: &str| -> String {
        let bytes = files.files.get(name).cloned().unwrap_or_default();
        let url = hashed(stem, "js", &bytes);
        out.push((url.clone(), bytes));
        url
    };
    let js = named("static/guidesmith.js", "guidesmith");
    let search_js = {
        // The search engine: its parts joined into one script (see search::client), which
        // pages load only when a reader searches.
        let bytes = crate::search::client::client_script(&files.files).into_bytes();
        let url = hashed("search", "js", &bytes);
        out.push((url.clone(), bytes));
        url
    };
    let mut tool_asset = |ext: &str, bytes: Vec<u8>| {
        let url = hashed("tools", ext, &bytes);
        if with_tools {
            out.push((url.clone(), bytes));
        }
        url
    };
    let tools_js = tool_asset("js", tools_script(&files.files));
    let tools_css = tool_asset(
        "css",
        files
            .files
            .get("static/tools.css")
            .cloned()
            .unwrap_or_default(),
    );
    for (name, bytes) in &files.files {
        let Some(rest) = name.strip_prefix("static/") else {
            continue;
        };
        if [
            "style.css",
            "search.css",
            "print.css",
            "guidesmith.js",
            "tools.css",
        ]
        .contains(&rest)
            || crate::search::client::is_part(name)
            || rest.starts_with("tools/")
        {
            continue;
        }
        out.push((name.clone(), bytes.clone()));
    }
    Assets {
        files: out,
        css: css_url,
        js,
        search_js,
        tools_css,
        tools_js,
    }
}
