//! Raw HTML in chapters: a small tokenizer and an allowlist sanitiser (RELIABILITY X3).
//!
//! Nothing a chapter writes as HTML reaches the page as written. Tags are parsed into a name
//! and attributes, checked against the policy's allowlist (`config::HtmlPolicy`), and written
//! out again in a canonical form: lower-case names, only allowlisted attributes, every value
//! escaped, URLs checked and rewritten by the renderer (`Host::url`). Text between tags is
//! escaped (character references are kept). Comments are dropped, also across the lines of an
//! HTML block; a tag split over several lines of a block is put back together.
//!
//! Forbidden always: `<script>`, `<style>`, frames, forms, embedded objects, event-handler
//! attributes, unsafe URL schemes. This module never decides whether a URL is safe; it asks.

use crate::config::HtmlPolicy;
use crate::highlight::escape_into;

pub use super::entities::decode;
use super::entities::text_into;

/// Where a piece of the input sits in the chapter file: byte offset and length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub off: usize,
    pub len: usize,
}

/// What the sanitiser needs from the renderer.
pub trait Host {
    /// A URL attribute (`href`, or `src` when `image`), entity-decoded: the URL to write (`#`
    /// when it is refused; the host reports why).
    fn url(&mut self, value: &str, image: bool, at: Span) -> String;
    /// An `id` (or `<a name>`) defined on the page: true when it may be used.
    fn anchor(&mut self, id: &str, at: Span) -> bool;
    fn error(&mut self, at: Span, message: String, help: &str);
    fn warning(&mut self, at: Span, message: String, help: &str);
    /// An `<img>` without alt text (an error or a warning, as the guide says).
    fn missing_alt(&mut self, at: Span, help: &str);
}

/// Tags allowed by `HtmlPolicy::Strict`, without attributes.
const STRICT: &[&str] = &[
    "br", "kbd", "sub", "sup", "mark", "small", "abbr", "ins", "del",
];

/// Elements allowed by `HtmlPolicy::Safe`, with the attributes each may carry besides the
/// global ones (`GLOBAL`).
const SAFE: &[(&str, &[&str])] = &[
    ("a", &["href", "name", "target"]),
    ("abbr", &[]),
    ("b", &[]),
    ("bdi", &[]),
    ("big", &[]),
    ("blockquote", &[]),
    ("br", &[]),
    ("caption", &[]),
    ("center", &[]),
    ("cite", &[]),
    ("code", &[]),
    ("col", &["span", "width"]),
    ("colgroup", &["span", "width"]),
    ("dd", &[]),
    ("del", &["datetime"]),
    ("details", &["open"]),
    ("dfn", &[]),
    ("div", &["align"]),
    ("dl", &[]),
    ("dt", &[]),
    ("em", &[]),
    ("figcaption", &[]),
    ("figure", &[]),
    ("font", &["color", "size"]),
    ("h1", &["align"]),
    ("h2", &["align"]),
    ("h3", &["align"]),
    ("h4", &["align"]),
    ("h5", &["align"]),
    ("h6", &["align"]),
    ("hr", &[]),
    ("i", &[]),
    (
        "img",
        &["src", "alt", "width", "height", "align", "loading"],
    ),
    ("ins", &["datetime"]),
    ("kbd", &[]),
    ("li", &["value"]),
    ("mark", &[]),
    ("ol", &["start", "type", "reversed"]),
    ("p", &["align"]),
    ("pre", &[]),
    ("q", &[]),
    ("rb", &[]),
    ("rp", &[]),
    ("rt", &[]),
    ("rtc", &[]),
    ("ruby", &[]),
    ("s", &[]),
    ("samp", &[]),
    ("small", &[]),
    ("span", &[]),
    ("strike", &[]),
    ("strong", &[]),
    ("sub", &[]),
    ("summary", &[]),
    ("sup", &[]),
    ("table", &["align", "width"]),
    ("tbody", &[]),
    ("td", &["colspan", "rowspan", "align", "width"]),
    ("tfoot", &[]),
    ("th", &["colspan", "rowspan", "align", "width", "scope"]),
    ("thead", &[]),
    ("time", &["datetime"]),
    ("tr", &[]),
    ("tt", &[]),
    ("u", &[]),
    ("ul", &[]),
    ("var", &[]),
    ("wbr", &[]),
];

/// Attributes any allowed element may carry under `Safe`.
const GLOBAL: &[&str] = &["id", "class", "title", "lang", "dir"];

/// Elements without content (no end tag, never on the open-element stack).
const VOID: &[&str] = &["br", "col", "hr", "img", "wbr"];

/// Elements whose end tag HTML lets one leave out: closed at the end without a warning.
const OPTIONAL_END: &[&str] = &[
    "p", "li", "dt", "dd", "rt", "rp", "rb", "rtc", "tr", "td", "th", "thead", "tbody", "tfoot",
    "colgroup", "caption",
];

/// Every other HTML element name: these are reported as not allowed, while a name that is not
/// HTML at all (`<T>`, `<String>`) is most likely a type written outside backticks.
const OTHER_HTML: &[&str] = &[
    "address",
    "applet",
    "area",
    "article",
    "aside",
    "audio",
    "base",
    "basefont",
    "bdo",
    "big",
    "body",
    "button",
    "canvas",
    "data",
    "datalist",
    "dialog",
    "dir",
    "embed",
    "fieldset",
    "footer",
    "form",
    "frame",
    "frameset",
    "head",
    "header",
    "hgroup",
    "html",
    "iframe",
    "input",
    "label",
    "legend",
    "link",
    "main",
    "map",
    "marquee",
    "math",
    "menu",
    "meta",
    "meter",
    "nav",
    "noembed",
    "noframes",
    "noscript",
    "object",
    "optgroup",
    "option",
    "output",
    "param",
    "picture",
    "plaintext",
    "portal",
    "progress",
    "script",
    "search",
    "section",
    "select",
    "slot",
    "source",
    "strike",
    "style",
    "svg",
    "template",
    "textarea",
    "title",
    "track",
    "tt",
    "video",
    "xmp",
];

/// Turns raw HTML events into sanitised HTML, keeping state across the events of a page.
#[derive(Debug)]
pub struct Sanitizer {
    policy: HtmlPolicy,
    in_comment: bool,
    /// An unfinished tag of an HTML block (it goes on in the block's next line), and where it
    /// started.
    pending: Option<(String, usize)>,
    /// Allowed elements opened and not yet closed.
    open: Vec<(&'static str, Span)>,
}

/// One piece of raw HTML input.
enum Piece<'s> {
    Text(&'s str),
    Comment,
    /// `<!DOCTYPE …>`, `<?…?>`, `<![CDATA[…]]>`.
    Declaration(&'s str),
    Tag(Tag<'s>),
    /// A tag that goes on past the end of this input.
    Unfinished(&'s str),
}

struct Tag<'s> {
    source: &'s str,
    name: String,
    end: bool,
    attrs: Vec<(String, Option<String>)>,
}

impl Sanitizer {
    pub fn new(policy: HtmlPolicy) -> Sanitizer {
        Sanitizer {
            policy,
            in_comment: false,
            pending: None,
            open: Vec::new(),
        }
    }

    /// Sanitises one raw HTML event. `at` is the file offset of `text` when the event's text
    /// is exactly its source (positions are then exact), else the whole event's span.
    /// `block`: a line of an HTML block (a tag may go on in the next line).
    pub fn feed(
        &mut self,
        text: &str,
        at: Result<usize, Span>,
        block: bool,
        out: &mut String,
        host: &mut dyn Host,
    ) {
        let (owned, base) = match self.pending.take() {
            Some((mut p, start)) => {
                p.push_str(text);
                (Some(p), Err(start))
            }
            None => (None, Ok(())),
        };
        let input = owned.as_deref().unwrap_or(text);
        let span_of = |s: &str| -> Span {
            match (base, at) {
                (Ok(()), Ok(off)) => Span {
                    off: off + (s.as_ptr() as usize - input.as_ptr() as usize),
                    len: s.len(),
                },
                (Err(start), _) => Span {
                    off: start,
                    len: s.len(),
                },
                (Ok(()), Err(span)) => span,
            }
        };
        let mut rest = input;
        while !rest.is_empty() {
            let (piece, used) = self.next_piece(rest, block);
            match piece {
                Piece::Text(t) => text_into(out, t),
                Piece::Comment => {}
                Piece::Declaration(d) => host.error(
                    span_of(d),
                    format!("`{}` is not allowed in a chapter", shorten(d)),
                    "remove it; chapters hold Markdown and a few HTML elements only",
                ),
                Piece::Unfinished(u) => {
                    self.pending = Some((u.to_owned(), span_of(u).off));
                }
                Piece::Tag(tag) => {
                    let at = span_of(tag.source);
                    self.tag(&tag, at, out, host);
                }
            }
            rest = &rest[used..];
        }
    }

    /// Closes what raw HTML left open at the end of the page, so the page's own layout stays
    /// intact; warns for elements whose end tag may not be left out.
    pub fn finish(&mut self, out: &mut String, host: &mut dyn Host) {
        if let Some((p, off)) = self.pending.take() {
            let at = Span { off, len: p.len() };
            host.error(
                at,
                format!("HTML tag `{}` is never closed with `>`", shorten(&p)),
                "close the tag with `>`",
            );
        }
        while let Some((name, at)) = self.open.pop() {
            if !OPTIONAL_END.contains(&name) {
                host.warning(
                    at,
                    format!("`<{name}>` is never closed"),
                    &format!("add `</{name}>` where the element ends"),
                );
            }
            out.push_str("</");
            out.push_str(name);
            out.push('>');
        }
    }

    /// The next piece of `s` and how many bytes it used.
    fn next_piece<'s>(&mut self, s: &'s str, block: bool) -> (Piece<'s>, usize) {
        if self.in_comment {
            return match s.find("-->") {
                Some(i) => {
                    self.in_comment = false;
                    (Piece::Comment, i + 3)
                }
                None => (Piece::Comment, s.len()),
            };
        }
        if !s.starts_with('<') {
            let end = s.find('<').unwrap_or(s.len());
            return (Piece::Text(&s[..end]), end);
        }
        if let Some(after) = s.strip_prefix("<!--") {
            // `<!-->` and `<!--->` are empty comments in HTML.
            for empty in [">", "->"] {
                if after.starts_with(empty) {
                    return (Piece::Comment, 4 + empty.len());
                }
            }
            self.in_comment = true;
            return (Piece::Comment, 4);
        }
        let second = s[1..].chars().next();
        if matches!(second, Some('!' | '?')) {
            let end = s.find('>').map_or(s.len(), |i| i + 1);
            return (Piece::Declaration(&s[..end]), end);
        }
        let is_end = second == Some('/');
        let name_at = if is_end { 2 } else { 1 };
        if !s[name_at..].starts_with(|c: char| c.is_ascii_alphabetic()) {
            return (Piece::Text("<"), 1);
        }
        match parse_tag(s, name_at, is_end) {
            Some(tag) => {
                let n = tag.source.len();
                (Piece::Tag(tag), n)
            }
            None if block => (Piece::Unfinished(s), s.len()),
            None => (Piece::Text("<"), 1),
        }
    }

    fn tag(&mut self, tag: &Tag<'_>, at: Span, out: &mut String, host: &mut dyn Host) {
        let name = tag.name.as_str();
        let allowed: Option<(&'static str, &'static [&'static str])> = match self.policy {
            HtmlPolicy::Strict => STRICT.iter().find(|n| **n == name).map(|n| (*n, &[][..])),
            HtmlPolicy::Safe => SAFE.iter().find(|(n, _)| *n == name).copied(),
        };
        let Some((name, own)) = allowed else {
            self.refused(tag, at, out, host);
            return;
        };
        if tag.end {
            self.close(name, at, out, host);
            return;
        }
        let mut written = String::new();
        let mut has_alt = false;
        let mut sizes: Vec<(&'static str, String)> = Vec::new();
        for (attr, value) in &tag.attrs {
            let attr = attr.as_str();
            let value = value.as_deref().unwrap_or("");
            if attr.starts_with("on") {
                host.error(
                    at,
                    format!("event handler `{attr}` is not allowed on `<{name}>`"),
                    "pages run no scripts from chapters; remove the attribute",
                );
                continue;
            }
            if attr == "style" && self.policy == HtmlPolicy::Safe {
                self.style(name, value, at, &mut sizes, host);
                continue;
            }
            let global = self.policy == HtmlPolicy::Safe && GLOBAL.contains(&attr);
            if !global && !own.contains(&attr) {
                match self.policy {
                    HtmlPolicy::Strict => {
                        host.error(
                            at,
                            format!("attribute `{attr}` is not allowed on `<{name}>`"),
                            &strict_help(),
                        );
                    }
                    HtmlPolicy::Safe => host.warning(
                        at,
                        format!("attribute `{attr}` on `<{name}>` is dropped"),
                        "allowed everywhere: id, class, title, lang, dir; see docs/content-model.md for the rest",
                    ),
                }
                continue;
            }
            match attr {
                "href" | "src" => {
                    let url = host.url(value, attr == "src", at);
                    push_attr(&mut written, attr, &url);
                }
                "id" | "name" => {
                    if host.anchor(value, at) {
                        push_attr(&mut written, attr, value);
                    }
                }
                "target" => {
                    if value == "_blank" {
                        push_attr(&mut written, "target", "_blank");
                        push_attr(&mut written, "rel", "noopener noreferrer");
                    }
                }
                "width" | "height" => match size(value) {
                    Some(v) => sizes.push((if attr == "width" { "width" } else { "height" }, v)),
                    None => host.warning(
                        at,
                        format!("`{attr}=\"{value}\"` on `<{name}>` is dropped"),
                        "write a number of pixels or a percentage, e.g. width=\"320\" or width=\"50%\"",
                    ),
                },
                _ => {
                    has_alt |= attr == "alt" && !value.trim().is_empty();
                    push_attr(&mut written, attr, value);
                }
            }
        }
        if name == "img" && !has_alt {
            host.missing_alt(
                at,
                "describe the picture for readers who cannot see it: <img alt=\"说明文字\" …>",
            );
        }
        let mut seen = Vec::new();
        for (attr, v) in sizes {
            if !seen.contains(&attr) {
                seen.push(attr);
                push_attr(&mut written, attr, &v);
            }
        }
        out.push('<');
        out.push_str(name);
        out.push_str(&written);
        out.push('>');
        if !VOID.contains(&name) {
            self.open.push((name, at));
        }
    }

    /// `style` can do nothing under the pages' CSP (no inline styles); on `<img>`, `width` and
    /// `height` declarations become attributes, everything else is dropped with a warning.
    fn style(
        &self,
        name: &str,
        value: &str,
        at: Span,
        sizes: &mut Vec<(&'static str, String)>,
        host: &mut dyn Host,
    ) {
        let mut dropped = false;
        for decl in value.split(';').map(str::trim).filter(|d| !d.is_empty()) {
            let (prop, v) = decl.split_once(':').unwrap_or((decl, ""));
            let prop = prop.trim().to_ascii_lowercase();
            let attr = match prop.as_str() {
                "width" => "width",
                "height" => "height",
                _ => "",
            };
            match size(v.trim()) {
                Some(v) if name == "img" && !attr.is_empty() => sizes.push((attr, v)),
                _ => dropped = true,
            }
        }
        if dropped {
            host.warning(
                at,
                format!("`style` on `<{name}>` is dropped"),
                "the pages' Content-Security-Policy allows no inline styles; use class, or width/height on <img>",
            );
        }
    }

    fn close(&mut self, name: &'static str, at: Span, out: &mut String, host: &mut dyn Host) {
        if VOID.contains(&name) {
            return;
        }
        let Some(i) = self.open.iter().rposition(|(n, _)| *n == name) else {
            host.warning(
                at,
                format!("`</{name}>` closes nothing"),
                &format!("remove it, or add the `<{name}>` it should close"),
            );
            return;
        };
        // Elements opened inside it and left open are closed with it (as a browser would).
        for (inner, _) in self.open.drain(i..).rev() {
            out.push_str("</");
            out.push_str(inner);
            out.push('>');
        }
    }

    fn refused(&mut self, tag: &Tag<'_>, at: Span, out: &mut String, host: &mut dyn Host) {
        let name = tag.name.as_str();
        let known = OTHER_HTML.contains(&name)
            || SAFE.iter().any(|(n, _)| *n == name)
            || name.contains('-');
        if !known {
            // `Vec<T>` outside backticks: show it as the text it was meant to be.
            host.warning(
                at,
                format!("`{}` is not HTML and is shown as text", shorten(tag.source)),
                "put code in backticks (`Vec<T>`), or write \\< for a literal <",
            );
            escape_into(out, tag.source);
            return;
        }
        if tag.end {
            // The start tag was reported already; one report per element.
            return;
        }
        let help = match self.policy {
            HtmlPolicy::Strict => strict_help(),
            HtmlPolicy::Safe => "write it in Markdown; scripts, styles, frames, forms and embedded objects are never allowed (docs/content-model.md lists the HTML that is)".to_owned(),
        };
        host.error(
            at,
            format!("raw HTML is not allowed here: `{}`", shorten(tag.source)),
            &help,
        );
    }
}

fn strict_help() -> String {
    format!(
        "write it in Markdown; with `html: strict` only {} without attributes are allowed",
        STRICT
            .iter()
            .map(|t| format!("<{t}>"))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// Parses the tag starting at `s` (`<name` or `</name` at `name_at`); None when `s` ends first.
fn parse_tag(s: &str, name_at: usize, end: bool) -> Option<Tag<'_>> {
    let b = s.as_bytes();
    let mut i = name_at;
    while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'-') {
        i += 1;
    }
    let name = s[name_at..i].to_ascii_lowercase();
    let mut attrs = Vec::new();
    loop {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
            i += 1;
        }
        if i >= b.len() {
            return None;
        }
        if b[i] == b'>' {
            return Some(Tag {
                source: &s[..=i],
                name,
                end,
                attrs,
            });
        }
        let start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && !b"/>=".contains(&b[i]) {
            i += 1;
        }
        let attr = s[start..i].to_ascii_lowercase();
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value = None;
        if i < b.len() && b[i] == b'=' {
            i += 1;
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            let v = match b.get(i) {
                Some(&q @ (b'"' | b'\'')) => {
                    let close = s[i + 1..].find(q as char)? + i + 1;
                    let v = &s[i + 1..close];
                    i = close + 1;
                    v
                }
                Some(_) => {
                    let from = i;
                    while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' {
                        i += 1;
                    }
                    &s[from..i]
                }
                None => return None,
            };
            value = Some(decode(v));
        }
        if !attr.is_empty() {
            attrs.push((attr, value));
        }
    }
}

/// A width or height: digits, optionally `px` (dropped) or `%`.
fn size(v: &str) -> Option<String> {
    let v = v.trim();
    let (num, pct) = match v.strip_suffix('%') {
        Some(n) => (n, true),
        None => (v.strip_suffix("px").unwrap_or(v), false),
    };
    let num = num.trim();
    let digits = num.split_once('.').map_or(num, |(a, _)| a);
    if digits.is_empty() || digits.len() > 5 || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    Some(if pct {
        format!("{digits}%")
    } else {
        digits.to_owned()
    })
}

fn push_attr(out: &mut String, name: &str, value: &str) {
    out.push(' ');
    out.push_str(name);
    out.push_str("=\"");
    escape_into(out, value);
    out.push('"');
}

/// The first characters of a tag, for messages.
fn shorten(s: &str) -> String {
    let one_line: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out: String = one_line.chars().take(40).collect();
    if one_line.chars().count() > 40 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests;
