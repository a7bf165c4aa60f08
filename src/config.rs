//! `guide/guide.yaml`: site settings and the navigation tree.
//!
//! The nav is the one source of reading order (like mdBook's SUMMARY.md). This module only
//! describes and parses the file; cross-checks against the chapters on disk live in `load`.

use serde::Deserialize;
use serde_saphyr::Spanned;

use crate::slug::IdStyle;

/// The whole of `guide.yaml`.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct GuideConfig {
    pub title: String,
    pub description: String,
    #[serde(default = "default_language")]
    pub language: String,
    /// The date the facts were last checked (内容核对日期), `YYYY-MM-DD`.
    pub updated: String,
    /// The site-wide "general information, not legal advice" notice.
    pub notice: String,
    /// Absolute base URL (all page links stay relative): sitemap.xml is made only with one, and
    /// it gives 404.html's links, og:url and the URL + QR code printed on checklists.
    #[serde(default)]
    pub base_url: Option<String>,
    /// "Edit this page" URL template; `{path}` is replaced by the guide-relative source path.
    #[serde(default)]
    pub edit_url: Option<String>,
    pub nav: Vec<NavPart>,
    /// Wrong claims that must never appear in chapters or checklists (see `hygiene`).
    #[serde(default)]
    pub forbidden: Vec<Forbidden>,
    /// Readers' words for the guide's words, for search: each group is the guide's word first,
    /// then the words readers type for it (`[销户, 注销, 停号]`).
    #[serde(default)]
    pub synonyms: Vec<Spanned<Vec<String>>>,
    /// How chapters' Markdown is read (defaults suit a guide written for guidesmith).
    #[serde(default)]
    pub markdown: MarkdownConfig,
    /// Stylesheets of the guide's own (guide-relative `.css` files) loaded after the theme's on
    /// every page: an imported book's `additional-css` (MkDocs's name).
    #[serde(default)]
    pub extra_css: Vec<Spanned<String>>,
}

/// `markdown:` in guide.yaml: the options that let a book written for mdBook build as written.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq, Hash)]
#[serde(deny_unknown_fields)]
pub struct MarkdownConfig {
    /// Which raw HTML chapters may use (see `markdown::html`).
    #[serde(default)]
    pub html: HtmlPolicy,
    /// How heading ids are made from heading text.
    #[serde(default)]
    pub heading_ids: IdStyle,
    /// mdBook's hidden lines: in ```rust blocks, lines starting with `# ` are not shown.
    #[serde(default)]
    pub rust_hidden_lines: bool,
    /// A link to a heading id that does not exist (the page itself exists): an error, or a
    /// warning for books whose translated headings no longer match their anchors.
    #[serde(default)]
    pub missing_anchors: Level,
    /// An image without alt text: an error, or a warning for books written without them.
    #[serde(default)]
    pub missing_alt: Level,
    /// Images from `https:` hosts: refused (pages load images only from the site), or allowed
    /// (the pages' Content-Security-Policy then lets `img-src` reach `https:`).
    #[serde(default)]
    pub remote_images: RemoteImages,
}

/// Whether pages may show images from other sites.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "lowercase")]
pub enum RemoteImages {
    #[default]
    Block,
    Allow,
}

/// How serious a class of problem is for this guide.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    #[default]
    Error,
    Warning,
}

/// Raw HTML allowed in chapters. Both forbid scripts, styles, event handlers and unsafe URLs.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "lowercase")]
pub enum HtmlPolicy {
    /// Only a few attribute-free inline tags (`<br>`, `<kbd>`, `<sup>` …).
    Strict,
    /// Also the structural and inline elements documentation uses (`details`, `ruby`,
    /// `figure`, `img`, `span id`, tables …) with an allowlist of attributes.
    #[default]
    Safe,
}

/// One part of the navigation: a title and its chapters in order.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct NavPart {
    pub title: String,
    pub chapters: Vec<Spanned<NavEntry>>,
}

/// How deep chapters may nest below a part: a part's chapters are level 1, their `sections`
/// level 2, and so on (mdBook books rarely go past 3; deeper outlines do not fit a phone).
pub const NAV_MAX_DEPTH: usize = 4;

/// A chapter in the nav: a path (`- chapters/a.md`) or a mapping
/// `{chapter: chapters/a.md, sections: [...]}` whose sections nest the same way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NavEntry {
    /// Guide-relative path of the chapter file.
    pub chapter: String,
    /// Where the path is written, when it is a mapping's `chapter:` value (for the plain path
    /// form, the entry's own span says it).
    pub chapter_at: Option<serde_saphyr::Location>,
    /// Chapters nested under this one, in reading order.
    pub sections: Vec<Spanned<NavEntry>>,
}

impl NavEntry {
    /// Where the chapter path is written, given the entry's span.
    pub fn path_at(entry: &Spanned<NavEntry>) -> serde_saphyr::Location {
        entry.value.chapter_at.unwrap_or(entry.referenced)
    }
}

impl<'de> Deserialize<'de> for NavEntry {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NavEntryVisitor)
    }
}

/// A plain string, or a mapping with exactly `chapter` and optional `sections`. Written by
/// hand because an untagged enum would lose the YAML positions (serde-saphyr buffers it).
struct NavEntryVisitor;

impl<'de> serde::de::Visitor<'de> for NavEntryVisitor {
    type Value = NavEntry;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a chapter path, or a mapping `{chapter: PATH, sections: [...]}`")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<NavEntry, E> {
        Ok(NavEntry {
            chapter: v.to_owned(),
            chapter_at: None,
            sections: Vec::new(),
        })
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<NavEntry, A::Error> {
        use serde::de::Error;
        const FIELDS: &[&str] = &["chapter", "sections"];
        let mut chapter: Option<Spanned<String>> = None;
        let mut sections: Option<Vec<Spanned<NavEntry>>> = None;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "chapter" if chapter.is_some() => return Err(A::Error::duplicate_field("chapter")),
                "sections" if sections.is_some() => {
                    return Err(A::Error::duplicate_field("sections"))
                }
                "chapter" => chapter = Some(map.next_value()?),
                "sections" => sections = Some(map.next_value()?),
                other => return Err(A::Error::unknown_field(other, FIELDS)),
            }
        }
        let chapter = chapter.ok_or_else(|| A::Error::missing_field("chapter"))?;
        Ok(NavEntry {
            chapter: chapter.value,
            chapter_at: Some(chapter.referenced),
            sections: sections.unwrap_or_default(),
        })
    }
}

fn default_language() -> String {
    "zh-CN".to_owned()
}

/// True for a URL setting guidesmith accepts (`base_url`, `edit_url`, `--base-url`): an
/// `http://` or `https://` address. These end up in `href` attributes (RELIABILITY X2).
pub fn is_http_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

/// True for `YYYY-MM-DD` with plausible month and day.
pub fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| s[r].parse::<u32>().ok();
    matches!(
        (num(0..4), num(5..7), num(8..10)),
        (Some(_), Some(1..=12), Some(1..=31))
    )
}

/// One `forbidden:` entry of guide.yaml.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Forbidden {
    /// The wrong claim, as it would be written (whitespace and emphasis markers do not matter).
    pub text: Spanned<String>,
    /// Why it is wrong and what to write instead; shown as the help line.
    pub reason: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_addresses_are_url_settings() {
        for ok in ["https://example.org/guide/", "HTTP://x", " https://x"] {
            assert!(is_http_url(ok), "{ok}");
        }
        for bad in [
            "javascript:alert(1)//",
            "data:text/html,x",
            "//example.org",
            "example.org",
            "",
        ] {
            assert!(!is_http_url(bad), "{bad}");
        }
    }
}
