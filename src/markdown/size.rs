//! An image's display size written in Markdown, Obsidian style: `![说明|300](a.png)` (width in
//! CSS pixels), `![说明|300x200](a.png)` (width and height) or `![说明|50%](a.png)`. Other
//! renderers show the image at its own size with the suffix in its alt text, so a book stays
//! readable anywhere. Raw `<img width height>` remains the other way.
//!
//! Pure: alt-text events in, the size and the alt text without its suffix out. The renderer
//! writes the `<img>` with `width`/`height`; `site::enhance` completes a missing height.

use pulldown_cmark::{Event, Tag, TagEnd};

/// A size taken from alt text, as attribute values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Size {
    pub width: String,
    pub height: Option<String>,
}

/// The largest pixel size accepted: anything bigger is surely not a size.
const MAX_PX: u32 = 10_000;

/// Splits a trailing `|W`, `|WxH` or `|P%` off alt text (`x`, `X` or `×` between the two
/// numbers; spaces around them allowed) → the alt text before it and the size. None when the
/// text does not end with a size, so `A|B` stays as written.
pub fn split_alt(alt: &str) -> Option<(&str, Size)> {
    let (text, spec) = alt.rsplit_once('|')?;
    let spec = spec.trim();
    let px = |s: &str| {
        let s = s.trim();
        let ok = !s.is_empty() && s.len() <= 5 && s.bytes().all(|b| b.is_ascii_digit());
        s.parse::<u32>()
            .ok()
            .filter(|n| ok && (1..=MAX_PX).contains(n))
            .map(|n| n.to_string())
    };
    let size = if let Some(p) = spec.strip_suffix('%') {
        let p = px(p).filter(|p| p.parse::<u32>().is_ok_and(|n| n <= 100))?;
        Size {
            width: format!("{p}%"),
            height: None,
        }
    } else if let Some((w, h)) = spec.split_once(['x', 'X', '×']) {
        Size {
            width: px(w)?,
            height: Some(px(h)?),
        }
    } else {
        Size {
            width: px(spec)?,
            height: None,
        }
    };
    Some((text.trim_end(), size))
}

/// Takes a size off the end of an image's alt-text events (its last text event), in place.
pub fn take(inner: &mut [Event<'_>]) -> Option<Size> {
    let last = inner
        .iter_mut()
        .rev()
        .find(|e| !matches!(e, Event::End(_)))?;
    let Event::Text(t) = last else { return None };
    let (rest, size) = split_alt(t)?;
    let rest = rest.to_owned();
    *last = Event::Text(rest.into());
    Some(size)
}

/// The `<img>` HTML for an image's events (start, alt text, end) with `size` added, written by
/// pulldown-cmark itself so escaping is the same as for every other image.
pub fn img_html(start: Tag<'_>, inner: Vec<Event<'_>>, size: &Size) -> String {
    let events = std::iter::once(Event::Start(start))
        .chain(
            inner
                .into_iter()
                .filter(|e| !matches!(e, Event::End(TagEnd::Image))),
        )
        .chain(std::iter::once(Event::End(TagEnd::Image)));
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events);
    let mut attrs = format!(" width=\"{}\"", size.width);
    if let Some(h) = &size.height {
        attrs.push_str(&format!(" height=\"{h}\""));
    }
    // pulldown-cmark ends an image with ` />`; anything else is left unsized rather than broken.
    if let Some(at) = html.rfind(" />") {
        html.insert_str(at, &attrs);
    }
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alt_text_sizes_are_pixels_pairs_or_percentages() {
        let w = |w: &str, h: Option<&str>| Size {
            width: w.into(),
            height: h.map(Into::into),
        };
        assert_eq!(split_alt("流程图|300"), Some(("流程图", w("300", None))));
        assert_eq!(
            split_alt("流程图 | 300 x 200"),
            Some(("流程图", w("300", Some("200"))))
        );
        assert_eq!(split_alt("图|640×480"), Some(("图", w("640", Some("480")))));
        assert_eq!(split_alt("图|50%"), Some(("图", w("50%", None))));
        for not_a_size in [
            "A|B",
            "图",
            "图|",
            "图|0",
            "图|300px",
            "图|120%",
            "图|99999",
            "图|3x",
            "图|-5",
        ] {
            assert_eq!(split_alt(not_a_size), None, "{not_a_size}");
        }
    }

    #[test]
    fn sized_images_are_written_by_pulldown_cmark_with_the_size_added() {
        let start = Tag::Image {
            link_type: pulldown_cmark::LinkType::Inline,
            dest_url: "a b.png".into(),
            title: "".into(),
            id: "".into(),
        };
        let mut inner = vec![Event::Text("图 \"引号\"|300x200".into())];
        let size = take(&mut inner).expect("a size");
        assert_eq!(
            img_html(start, inner, &size),
            "<img src=\"a%20b.png\" alt=\"图 &quot;引号&quot;\" width=\"300\" height=\"200\" />"
        );
    }
}
