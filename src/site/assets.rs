//! The theme's static files as the site ships them: the stylesheets joined into one, the page
//! script and the search client under content-hashed names, everything else as it is.

use crate::theme;

pub struct Assets {
    /// (site path, bytes) of every static file.
    pub files: Vec<(String, Vec<u8>)>,
    /// Site paths of the stylesheet, the page script and the search engine (loaded on demand).
    pub css: String,
    pub js: String,
    pub search_js: String,
}

/// Theme static files with content-hashed names (`static/style.<hash>.css`).
pub fn static_assets(files: &theme::ThemeFiles) -> Assets {
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
    for (name, bytes) in &files.files {
        let Some(rest) = name.strip_prefix("static/") else {
            continue;
        };
        if ["style.css", "search.css", "print.css", "guidesmith.js"].contains(&rest)
            || crate::search::client::is_part(name)
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
    }
}
