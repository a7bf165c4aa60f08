//! The 404 page without a base URL. Static hosts (and `guidesmith serve`) answer a mistyped
//! URL in any folder with `404.html`, so its relative URLs, written for the root, would miss.
//! Every folder of the site that holds a page gets a `404.js` knowing the way back to the root
//! (`notfound.js` with `__ROOT__` filled in); the 404 page loads it by a relative URL, so the
//! copy in the folder of the mistyped URL runs, fixes the page's URLs and loads its stylesheet
//! and script. (With a base URL, 404.html uses absolute URLs and needs none of this.)

use std::collections::BTreeSet;

use super::Site;

/// The helper's name in each folder.
pub const HELPER: &str = "404.js";

const SCRIPT: &str = include_str!("notfound.js");

/// `404.js` for the root and every folder holding an HTML page.
pub fn helpers(site: &Site) -> Vec<(String, Vec<u8>)> {
    let mut dirs: BTreeSet<&str> = BTreeSet::new();
    dirs.insert("");
    for path in site.files.keys().filter(|p| p.ends_with(".html")) {
        if let Some((dir, _)) = path.rsplit_once('/') {
            dirs.insert(dir);
        }
    }
    dirs.into_iter()
        .map(|dir| {
            let (path, root) = if dir.is_empty() {
                (HELPER.to_owned(), String::new())
            } else {
                (
                    format!("{dir}/{HELPER}"),
                    "../".repeat(dir.matches('/').count() + 1),
                )
            };
            (path, SCRIPT.replace("__ROOT__", &root).into_bytes())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn one_helper_per_page_folder_with_its_way_back() {
        let mut site = super::Site::default();
        for p in ["index.html", "a/b.html", "a/c/d.html", "static/x.css"] {
            site.put(p, Vec::new());
        }
        let h = super::helpers(&site);
        let names: Vec<&str> = h.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(names, ["404.js", "a/404.js", "a/c/404.js"]);
        let text = String::from_utf8(h[2].1.clone()).expect("utf-8");
        assert!(text.contains("var root = \"../../\";"), "{text}");
    }
}
