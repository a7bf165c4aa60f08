//! Touches applied to a chapter's HTML at page assembly: a permalink in every section heading,
//! and guide images sized (no layout shift), lazy and linked to their full-size file.
//!
//! The input is our own renderer's HTML: attribute values are quoted and escaped and text never
//! holds a raw `<` or `"`, so finding `<h2 id="`, `<img ` and `src="` by scanning is exact.

use std::collections::BTreeMap;

/// Width and height of every guide image whose size can be read (SVG, PNG, GIF), by site path.
pub type Dims = BTreeMap<String, (u32, u32)>;

/// The sizes of the guide's images.
pub fn image_dims(assets: &BTreeMap<String, Vec<u8>>) -> Dims {
    assets
        .iter()
        .filter_map(|(path, bytes)| Some((crate::markdown::page_url(path), dims_of(bytes)?)))
        .collect()
}

/// Appends a permalink to every `h2`–`h4` that has an id: a real `<a href="#id">`, so it works
/// without JavaScript (the page script adds copy-to-clipboard).
pub fn heading_anchors(html: &str) -> String {
    let mut out = String::with_capacity(html.len() + html.len() / 8);
    let mut rest = html;
    while let Some(at) = rest.find("<h") {
        let (before, tag) = rest.split_at(at);
        out.push_str(before);
        let level = tag.as_bytes().get(2).copied().unwrap_or(0);
        let id = tag[3.min(tag.len())..]
            .strip_prefix(" id=\"")
            .and_then(|s| s.split_once('"'))
            .map(|(id, _)| id);
        let close = format!("</h{}>", level as char);
        match (id, (b'2'..=b'4').contains(&level), tag.find(&close)) {
            (Some(id), true, Some(end)) if !id.is_empty() => {
                out.push_str(&tag[..end]);
                out.push_str("<a class=\"h-anchor\" href=\"#");
                out.push_str(id);
                out.push_str("\"><span aria-hidden=\"true\">#</span><span class=\"visually-hidden\">（本节链接）</span></a>");
                out.push_str(&close);
                rest = &tag[end + close.len()..];
            }
            _ => {
                out.push_str("<h");
                rest = &tag[2..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Gives every `<img>` of a guide image its width and height, `loading="lazy"` and
/// `decoding="async"`, marks SVGs (`gs-svg`, drawn for a light page: dark mode tones them), and
/// links it to its own file so a tap opens it full size. `page` is the page's site path.
pub fn images(html: &str, page: &str, dims: &Dims) -> String {
    let mut out = String::with_capacity(html.len() + 256);
    let mut rest = html;
    while let Some(at) = rest.find("<img ") {
        let (before, tag) = rest.split_at(at);
        out.push_str(before);
        let end = tag.find('>').map_or(tag.len(), |e| e + 1);
        let (img, after) = tag.split_at(end);
        rest = after;
        let src = img
            .split_once(" src=\"")
            .and_then(|(_, s)| s.split_once('"'))
            .map(|(s, _)| s);
        let Some(src) = src.filter(|s| is_relative(s)) else {
            out.push_str(img);
            continue;
        };
        let site_path = crate::markdown::resolve(page, src).unwrap_or_default();
        let body = img.trim_end_matches('>').trim_end_matches('/').trim_end();
        out.push_str("<a class=\"figure-zoom\" href=\"");
        out.push_str(src);
        out.push_str("\">");
        // The author's own size and class (raw HTML) stay; ours are added only where missing.
        let has = |attr: &str| body.contains(&format!(" {attr}=\""));
        match body.split_once(" class=\"") {
            Some((head, tail)) if site_path.ends_with(".svg") => {
                out.push_str(head);
                out.push_str(" class=\"gs-svg ");
                out.push_str(tail);
            }
            _ => out.push_str(body),
        }
        let attr = |name: &str| {
            body.split_once(&format!(" {name}=\""))
                .and_then(|(_, v)| v.split_once('"'))
                .map(|(v, _)| v)
        };
        match dims.get(&site_path) {
            Some((w, h)) if !has("width") && !has("height") => {
                out.push_str(&format!(" width=\"{w}\" height=\"{h}\""));
            }
            // A width in pixels alone (`![图|300](…)`): the height that keeps the proportions,
            // so the page does not jump when the lazy image arrives.
            Some(&(w, h)) if !has("height") && w > 0 => {
                if let Some(px) = attr("width").and_then(|v| v.parse::<u64>().ok()) {
                    let height = (px * u64::from(h) + u64::from(w) / 2) / u64::from(w);
                    out.push_str(&format!(" height=\"{height}\""));
                }
            }
            _ => {}
        }
        if site_path.ends_with(".svg") && !has("class") {
            out.push_str(" class=\"gs-svg\"");
        }
        out.push_str(" loading=\"lazy\" decoding=\"async\"></a>");
    }
    out.push_str(rest);
    out
}

/// A URL relative to the page (no scheme, not absolute, not a fragment or data URL).
fn is_relative(url: &str) -> bool {
    !url.is_empty()
        && !url.starts_with('/')
        && !url.starts_with('#')
        && !url
            .split(['/', '?', '#'])
            .next()
            .is_some_and(|first| first.contains(':'))
}

/// Width and height of an SVG (its root's `width`/`height`, else its `viewBox`), PNG or GIF.
fn dims_of(b: &[u8]) -> Option<(u32, u32)> {
    if b.starts_with(b"\x89PNG\r\n\x1a\n") && b.len() >= 24 {
        let be = |i: usize| u32::from_be_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
        return Some((be(16), be(20)));
    }
    if (b.starts_with(b"GIF87a") || b.starts_with(b"GIF89a")) && b.len() >= 10 {
        let le = |i: usize| u32::from(u16::from_le_bytes([b[i], b[i + 1]]));
        return Some((le(6), le(8)));
    }
    let text = std::str::from_utf8(&b[..b.len().min(4096)]).ok()?;
    let start = text.find("<svg")?;
    let tag = &text[start..start + text[start..].find('>')?];
    let attr = |name: &str| {
        let pat = format!(" {name}=");
        let v = &tag[tag.find(&pat)? + pat.len()..];
        let q = v.chars().next().filter(|c| *c == '"' || *c == '\'')?;
        v[1..].split(q).next()
    };
    let num = |s: &str| -> Option<u32> {
        let n: f64 = s.trim().trim_end_matches("px").parse().ok()?;
        (1.0..100_000.0).contains(&n).then(|| n.round() as u32)
    };
    if let (Some(w), Some(h)) = (attr("width").and_then(num), attr("height").and_then(num)) {
        return Some((w, h));
    }
    let vb: Vec<&str> = attr("viewBox")?
        .split([' ', ','])
        .filter(|s| !s.is_empty())
        .collect();
    Some((num(vb.get(2)?)?, num(vb.get(3)?)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_with_ids_get_a_permalink() {
        let html =
            "<h2 id=\"整理证据\">整理<em>证据</em></h2>\n<p>x</p><h1>t</h1><h3>no id</h3><hr>";
        let out = heading_anchors(html);
        assert_eq!(
            out,
            "<h2 id=\"整理证据\">整理<em>证据</em><a class=\"h-anchor\" href=\"#整理证据\"><span aria-hidden=\"true\">#</span><span class=\"visually-hidden\">（本节链接）</span></a></h2>\n<p>x</p><h1>t</h1><h3>no id</h3><hr>"
        );
    }

    #[test]
    fn an_authors_size_and_class_are_kept_not_doubled() {
        let mut dims = Dims::new();
        dims.insert("assets/a.svg".into(), (720, 1040));
        let out = images(
            "<img alt=\"图\" src=\"../assets/a.svg\" class=\"center\" width=\"50%\">",
            "x/p.html",
            &dims,
        );
        assert_eq!(
            out,
            "<a class=\"figure-zoom\" href=\"../assets/a.svg\"><img alt=\"图\" src=\"../assets/a.svg\" class=\"gs-svg center\" width=\"50%\" loading=\"lazy\" decoding=\"async\"></a>"
        );
    }

    #[test]
    fn images_get_size_lazy_and_a_full_size_link() {
        let mut dims = Dims::new();
        dims.insert("assets/a.svg".into(), (720, 1040));
        let html = "<p><img src=\"../assets/a.svg\" alt=\"图\" /></p><img src=\"https://x/y.png\" alt=\"\">";
        let out = images(html, "escalate/regulator.html", &dims);
        assert_eq!(
            out,
            "<p><a class=\"figure-zoom\" href=\"../assets/a.svg\"><img src=\"../assets/a.svg\" alt=\"图\" width=\"720\" height=\"1040\" class=\"gs-svg\" loading=\"lazy\" decoding=\"async\"></a></p><img src=\"https://x/y.png\" alt=\"\">"
        );
    }

    #[test]
    fn a_width_alone_gets_the_height_that_keeps_the_proportions() {
        let dims = Dims::from([("assets/a.svg".to_owned(), (720, 1040))]);
        let html = "<img src=\"../assets/a.svg\" alt=\"图\" width=\"300\" /><img src=\"../assets/a.svg\" alt=\"图\" width=\"50%\" />";
        let out = images(html, "chapters/x.html", &dims);
        assert!(
            out.contains("alt=\"图\" width=\"300\" height=\"433\" class=\"gs-svg\""),
            "{out}"
        );
        assert!(
            out.contains("width=\"50%\" class=\"gs-svg\" loading"),
            "{out}"
        );
    }

    #[test]
    fn reads_svg_png_and_gif_sizes() {
        assert_eq!(
            dims_of(b"<svg xmlns='x' width=\"720\" height='1040.0px'>"),
            Some((720, 1040))
        );
        assert_eq!(
            dims_of(b"<?xml?><svg viewBox=\"0 0 300 150\">"),
            Some((300, 150))
        );
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        png.extend_from_slice(&[0, 0, 1, 0, 0, 0, 0, 200]);
        assert_eq!(dims_of(&png), Some((256, 200)));
        assert_eq!(dims_of(b"GIF89a\x10\x00\x20\x00"), Some((16, 32)));
        assert_eq!(dims_of(b"not an image"), None);
    }
}
