//! `sitemap.xml`: every chapter and checklist page. The format requires absolute URLs, so it is
//! made only when the base URL is known.

use crate::load::{Chapter, Guide};
use crate::markdown::page_url;

/// The sitemap's bytes.
pub fn sitemap(guide: &Guide, pages: &[&Chapter], base_url: &str) -> Vec<u8> {
    let mut sm = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    let base = format!("{}/", base_url.trim_end_matches('/'));
    let urls = pages
        .iter()
        .map(|p| p.url.clone())
        .chain(guide.checklists.iter().map(|c| page_url(&c.source)))
        .chain(guide.tools.iter().map(|t| page_url(&t.source)));
    for u in urls {
        sm.push_str("  <url><loc>");
        crate::highlight::escape_into(&mut sm, &format!("{base}{u}"));
        sm.push_str("</loc></url>\n");
    }
    sm.push_str("</urlset>\n");
    sm.into_bytes()
}
