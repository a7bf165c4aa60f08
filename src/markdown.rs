//! One pulldown-cmark pass per chapter: HTML, heading ids, TOC, search text, links.
//!
//! `render` is a pure function of the chapter's path and text (no site-wide state), so its
//! result can be memoised by content hash in `serve`. Everything that depends on other files —
//! whether a link target exists, the HTML of an embedded checklist — is returned as data
//! (`links`, `checklists`) and resolved later by `links` and `site`. Our walkers are iterative
//! (no recursion over the document), so pathological nesting cannot overflow the stack.

use std::ops::Range;

use pulldown_cmark::{
    BlockQuoteKind, CodeBlockKind, CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag,
    TagEnd,
};

use crate::diag::{Diagnostic, LineIndex};
use crate::highlight::{self, escape, escape_into};
use crate::slug::Slugger;

/// Nesting of block quotes and lists beyond which we refuse the chapter (RELIABILITY I6).
pub const MAX_NESTING: usize = 64;

/// Tags allowed as raw HTML in chapters: attribute-free, harmless (RELIABILITY X3).
const HTML_ALLOWLIST: &[&str] = &[
    "br", "kbd", "sub", "sup", "mark", "small", "abbr", "ins", "del",
];

/// Element ids the default theme puts on every page (themes/default/templates). Headings must
/// not reuse them, or `#main` (the skip link) could land on a heading named "Main".
pub const THEME_IDS: &[&str] = &[
    "main",
    "toc-title",
    "summary-title",
    "related-title",
    "home-checklists-title",
    "gs-nav",
    "gs-q",
    "gs-q-404",
    "gs-results",
    "gs-search-page",
];

/// A slugger with the theme's ids already taken (so headings get `main-1`, not `main`).
fn theme_slugger() -> Slugger {
    let mut s = Slugger::default();
    for id in THEME_IDS {
        s.reserve(id);
    }
    s
}

/// What the renderer needs to know about the chapter.
pub struct Input<'a> {
    /// Path shown in diagnostics.
    pub display: &'a str,
    /// Guide-relative source path, e.g. `chapters/prepare/evidence.md`.
    pub source: &'a str,
    /// The whole file (front matter included), so positions count from the file start.
    pub file: &'a str,
    /// Byte offset of the Markdown body in `file`.
    pub body_start: usize,
}

/// The result of rendering one chapter body.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rendered {
    /// Body HTML. Embedded checklists appear as `<!--gs:checklist:ID-->` markers.
    pub html: String,
    pub toc: Vec<TocEntry>,
    pub sections: Vec<SectionText>,
    pub links: Vec<Link>,
    /// Ids of checklists embedded with a ```checklist block, with their link positions.
    pub checklists: Vec<Link>,
    /// Every fragment id defined on the page (headings and footnotes).
    pub ids: Vec<String>,
    pub diags: Vec<Diagnostic>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TocEntry {
    pub level: u8,
    pub id: String,
    pub text: String,
}

/// Plain text of one heading section, for search.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SectionText {
    pub anchor: String,
    pub heading: String,
    pub level: u8,
    pub text: String,
    pub code: String,
}

/// An internal reference found in the chapter, to be checked once all pages are known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub target: Target,
    pub line: usize,
    pub col: usize,
    pub len: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Another chapter (guide-relative `.md` path) and optional fragment.
    Chapter {
        source: String,
        fragment: Option<String>,
    },
    /// A checklist file (guide-relative `.yaml` path) or, for embeds, a checklist id.
    Checklist {
        source: String,
        fragment: Option<String>,
    },
    /// Any other file under the guide, e.g. `assets/escalation-path.svg`.
    Asset { source: String },
    /// A fragment on this same page.
    Fragment(String),
}

/// Page URL for a guide-relative source path: `chapters/a/b.md` → `a/b.html`,
/// `checklists/x.yaml` → `checklists/x.html`, `index.md` → `index.html`; other files keep
/// their path.
pub fn page_url(source: &str) -> String {
    if let Some(stem) = source
        .strip_prefix("checklists/")
        .and_then(|s| s.strip_suffix(".yaml").or_else(|| s.strip_suffix(".yml")))
    {
        return format!("checklists/{stem}.html");
    }
    let s = source.strip_prefix("chapters/").unwrap_or(source);
    match s.strip_suffix(".md") {
        Some(stem) => format!("{stem}.html"),
        None => s.to_owned(),
    }
}

/// The relative prefix from a page URL back to the site root (`a/b.html` → `../`).
pub fn root_prefix(page: &str) -> String {
    "../".repeat(page.matches('/').count())
}

/// Markdown options used for every chapter.
pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_GFM
}

/// Renders one chapter body.
pub fn render(input: &Input<'_>) -> Rendered {
    let body = &input.file[input.body_start..];
    let lines = LineIndex::new(input.file);
    let events: Vec<(Event<'_>, Range<usize>)> = Parser::new_ext(body, options())
        .into_offset_iter()
        .collect();
    let mut r = Renderer {
        input,
        lines,
        out: Vec::with_capacity(events.len()),
        res: Rendered::default(),
        slugger: theme_slugger(),
        page: page_url(input.source),
        depth: 0,
        depth_reported: false,
        highlight_budget: highlight::PAGE_BUDGET_BYTES,
    };
    r.reserve_explicit_ids(&events);
    r.res.sections.push(SectionText::default());
    r.run(events);
    let mut html = String::with_capacity(body.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, r.out.into_iter());
    r.res.html = html;
    r.res
        .sections
        .retain(|s| !(s.heading.is_empty() && s.text.trim().is_empty() && s.code.is_empty()));
    for s in &mut r.res.sections {
        s.text = collapse_ws(&s.text);
        s.code = collapse_ws(&s.code);
    }
    r.res
}

struct Renderer<'i, 'a> {
    input: &'i Input<'a>,
    lines: LineIndex<'a>,
    out: Vec<Event<'a>>,
    res: Rendered,
    slugger: Slugger,
    page: String,
    depth: usize,
    depth_reported: bool,
    /// Bytes of code this page may still highlight (see `highlight`).
    highlight_budget: usize,
}

impl<'a> Renderer<'_, 'a> {
    fn off(&self, r: &Range<usize>) -> usize {
        self.input.body_start + r.start
    }

    fn error(&mut self, range: &Range<usize>, msg: String, help: &str) {
        let d = Diagnostic::error(self.input.display, msg);
        let len = range.end.saturating_sub(range.start);
        let d = self.lines.diag(d, self.off(range), len).with_help(help);
        self.res.diags.push(d);
    }

    fn reserve_explicit_ids(&mut self, events: &[(Event<'a>, Range<usize>)]) {
        let mut errors = Vec::new();
        for (ev, range) in events {
            if let Event::Start(Tag::Heading { id: Some(id), .. }) = ev {
                if !self.slugger.reserve(id) {
                    errors.push((range.clone(), id.to_string()));
                }
            }
        }
        for (range, id) in errors {
            self.error(
                &range,
                format!("heading id `{id}` is used twice on this page"),
                "explicit ids ({#…}) must be unique within a page",
            );
        }
    }

    fn section(&mut self) -> &mut SectionText {
        // Invariant: `render` pushes the first section before `run`.
        self.res
            .sections
            .last_mut()
            .expect("sections starts non-empty")
    }

    fn run(&mut self, events: Vec<(Event<'a>, Range<usize>)>) {
        let mut it = events.into_iter();
        while let Some((ev, range)) = it.next() {
            match ev {
                Event::Start(Tag::Heading { level, id, .. }) => {
                    let mut inner = Vec::new();
                    for (e, r) in it.by_ref() {
                        if matches!(e, Event::End(TagEnd::Heading(_))) {
                            break;
                        }
                        inner.push((e, r));
                    }
                    self.heading(level, id, inner);
                }
                Event::Start(Tag::CodeBlock(kind)) => {
                    let mut code = String::new();
                    for (e, _) in it.by_ref() {
                        match e {
                            Event::Text(t) => code.push_str(&t),
                            Event::End(TagEnd::CodeBlock) => break,
                            _ => {}
                        }
                    }
                    let info = match &kind {
                        CodeBlockKind::Fenced(info) => info.to_string(),
                        CodeBlockKind::Indented => String::new(),
                    };
                    self.code_block(&info, &code, &range);
                }
                Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                }) => {
                    let mut inner = Vec::new();
                    for (e, r) in it.by_ref() {
                        let end = matches!(e, Event::End(TagEnd::Image));
                        inner.push((e, r));
                        if end {
                            break;
                        }
                    }
                    let alt: String = inner
                        .iter()
                        .filter_map(|(e, _)| match e {
                            Event::Text(t) | Event::Code(t) => Some(t.as_ref()),
                            _ => None,
                        })
                        .collect();
                    if alt.trim().is_empty() {
                        self.error(
                            &range,
                            "image without alt text".into(),
                            "describe the picture for readers who cannot see it: ![说明文字](path)",
                        );
                    }
                    let dest = self.link_dest(&dest_url, &range, true);
                    self.out.push(Event::Start(Tag::Image {
                        link_type,
                        dest_url: dest,
                        title,
                        id,
                    }));
                    self.out.extend(inner.into_iter().map(|(e, _)| e));
                }
                Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                }) => {
                    let dest = if matches!(link_type, LinkType::Email) {
                        dest_url
                    } else {
                        self.link_dest(&dest_url, &range, false)
                    };
                    self.out.push(Event::Start(Tag::Link {
                        link_type,
                        dest_url: dest,
                        title,
                        id,
                    }));
                }
                Event::Start(Tag::BlockQuote(kind)) => {
                    self.nest(1, &range);
                    match kind {
                        Some(k) => {
                            let (class, label) = callout(k);
                            self.out.push(Event::Html(
                                format!("<aside class=\"callout callout-{class}\" role=\"note\"><p class=\"callout-title\">{label}</p>\n").into(),
                            ));
                        }
                        None => self.out.push(Event::Start(Tag::BlockQuote(None))),
                    }
                }
                Event::End(TagEnd::BlockQuote(kind)) => {
                    self.depth = self.depth.saturating_sub(1);
                    match kind {
                        Some(_) => self.out.push(Event::Html("</aside>\n".into())),
                        None => self.out.push(Event::End(TagEnd::BlockQuote(None))),
                    }
                }
                Event::Start(tag @ Tag::List(_)) => {
                    self.nest(1, &range);
                    self.out.push(Event::Start(tag));
                }
                Event::End(end @ TagEnd::List(_)) => {
                    self.depth = self.depth.saturating_sub(1);
                    self.section().text.push('\n');
                    self.out.push(Event::End(end));
                }
                Event::Start(tag @ Tag::Table(_)) => {
                    self.out
                        .push(Event::Html("<div class=\"table-wrap\">".into()));
                    self.out.push(Event::Start(tag));
                }
                Event::End(TagEnd::Table) => {
                    self.out.push(Event::End(TagEnd::Table));
                    self.out.push(Event::Html("</div>\n".into()));
                }
                Event::Html(h) | Event::InlineHtml(h) => self.raw_html(&h, &range),
                Event::Text(t) => {
                    self.section().text.push_str(&t);
                    self.out.push(Event::Text(t));
                }
                Event::Code(t) => {
                    self.section().text.push_str(&t);
                    self.out.push(Event::Code(t));
                }
                Event::FootnoteReference(_) => self.out.push(ev),
                Event::Start(Tag::FootnoteDefinition(label)) => {
                    self.res.ids.push(label.to_string());
                    self.out.push(Event::Start(Tag::FootnoteDefinition(label)));
                }
                Event::SoftBreak | Event::HardBreak => {
                    self.section().text.push(' ');
                    self.out.push(ev);
                }
                Event::End(
                    e @ (TagEnd::Paragraph | TagEnd::Item | TagEnd::TableCell | TagEnd::TableRow),
                ) => {
                    self.section().text.push('\n');
                    self.out.push(Event::End(e));
                }
                other => self.out.push(other),
            }
        }
    }

    fn nest(&mut self, by: usize, range: &Range<usize>) {
        self.depth += by;
        if self.depth > MAX_NESTING && !self.depth_reported {
            self.depth_reported = true;
            self.error(
                range,
                format!("lists or quotes nested deeper than {MAX_NESTING} levels"),
                "flatten the structure; readers cannot follow this much nesting anyway",
            );
        }
    }

    fn heading(
        &mut self,
        level: HeadingLevel,
        explicit: Option<CowStr<'a>>,
        inner: Vec<(Event<'a>, Range<usize>)>,
    ) {
        let text: String = inner
            .iter()
            .filter_map(|(e, _)| match e {
                Event::Text(t) | Event::Code(t) => Some(t.as_ref()),
                _ => None,
            })
            .collect();
        let text = text.trim().to_owned();
        let id = match explicit {
            Some(id) => id.to_string(),
            None => self.slugger.unique(&text),
        };
        let n = level as u8;
        if n == 2 || n == 3 {
            self.res.toc.push(TocEntry {
                level: n,
                id: id.clone(),
                text: text.clone(),
            });
        }
        if n <= 3 {
            self.res.sections.push(SectionText {
                anchor: id.clone(),
                heading: text,
                level: n,
                ..SectionText::default()
            });
        }
        self.res.ids.push(id.clone());
        self.out
            .push(Event::Html(format!("<h{n} id=\"{}\">", escape(&id)).into()));
        // Inline content of the heading goes through the same link/HTML checks.
        let saved = std::mem::take(&mut self.out);
        let section_text = std::mem::take(&mut self.section().text);
        self.run(inner);
        self.section().text = section_text;
        let produced = std::mem::replace(&mut self.out, saved);
        self.out.extend(produced);
        self.out.push(Event::Html(format!("</h{n}>\n").into()));
    }

    fn code_block(&mut self, info: &str, code: &str, range: &Range<usize>) {
        let lang = info.split_whitespace().next().unwrap_or("");
        match lang {
            "say" => {
                self.section().text.push_str(code);
                self.section().text.push('\n');
                let mut html = String::from(
                    "<aside class=\"say\" role=\"note\" aria-label=\"可以这样说\"><p class=\"say-title\">可以这样说</p>\n",
                );
                for line in code.lines().map(str::trim).filter(|l| !l.is_empty()) {
                    html.push_str("<p>");
                    escape_into(&mut html, line);
                    html.push_str("</p>\n");
                }
                html.push_str("</aside>\n");
                self.out.push(Event::Html(html.into()));
            }
            "checklist" => {
                let ids: Vec<&str> = code.split_whitespace().collect();
                if ids.len() != 1 {
                    self.error(
                        range,
                        "a ```checklist block must contain exactly one checklist id".into(),
                        "write the id on its own line, e.g. shop-visit",
                    );
                    return;
                }
                let id = ids[0];
                let link = self.link(
                    Target::Checklist {
                        source: format!("checklists/{id}.yaml"),
                        fragment: None,
                    },
                    range,
                );
                self.res.checklists.push(link);
                self.out.push(Event::Html(
                    format!("<!--gs:checklist:{}-->\n", escape(id)).into(),
                ));
            }
            _ => {
                self.section().code.push_str(code);
                self.section().code.push('\n');
                let (html, fallback) =
                    highlight::code_block_bounded(lang, code, &mut self.highlight_budget);
                if let Some(why) = fallback {
                    self.unhighlighted(why, range);
                }
                self.out.push(Event::Html(html.into()));
            }
        }
    }

    /// Warns that a code block in a known language is shown as plain text, at the long line or
    /// the block's first line.
    fn unhighlighted(&mut self, why: highlight::Fallback, range: &Range<usize>) {
        use highlight::Fallback;
        let (first, _) = self.lines.pos(self.off(range));
        let (line, message, help) = match why {
            Fallback::LongLine { index, chars } => (
                // Only fenced blocks name a language: the code starts after the fence line.
                first + index + 1,
                format!("code line of {chars} characters is shown without highlighting"),
                format!(
                    "lines over {} characters are not highlighted (it could take minutes); break the line or mark the block ```text",
                    highlight::MAX_LINE_CHARS
                ),
            ),
            Fallback::LargeBlock { bytes } => (
                first,
                format!(
                    "code block of {} KiB is shown without highlighting",
                    bytes.div_ceil(1024)
                ),
                format!(
                    "blocks over {} KiB are not highlighted; split the block or mark it ```text",
                    highlight::MAX_BLOCK_BYTES / 1024
                ),
            ),
            Fallback::PageBudget => (
                first,
                "code block is shown without highlighting: this page has used its highlighting budget".to_owned(),
                format!(
                    "a page highlights at most {} KiB of code; split the chapter or mark large blocks ```text",
                    highlight::PAGE_BUDGET_BYTES / 1024
                ),
            ),
        };
        let d = Diagnostic::warning(self.input.display, message)
            .at(self.input.file, line, 1)
            .with_help(help);
        self.res.diags.push(d);
    }

    fn raw_html(&mut self, html: &str, range: &Range<usize>) {
        let mut rest = html.trim();
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix("<!--") {
                match after.find("-->") {
                    Some(end) => {
                        rest = after[end + 3..].trim_start();
                        continue;
                    }
                    None => break,
                }
            }
            let ok = rest.starts_with('<')
                && rest.find('>').is_some_and(|end| {
                    let tag = rest[1..end].trim_end_matches('/').trim();
                    let name = tag.strip_prefix('/').unwrap_or(tag);
                    HTML_ALLOWLIST.contains(&name.to_ascii_lowercase().as_str())
                });
            if !ok {
                let shown: String = rest.chars().take(40).collect();
                self.error(
                    range,
                    format!("raw HTML is not allowed here: `{shown}`"),
                    "write it in Markdown; only <br>, <kbd>, <sub>, <sup>, <mark>, <small>, <abbr>, <ins>, <del> without attributes are allowed",
                );
                return;
            }
            let end = rest.find('>').map_or(rest.len(), |e| e + 1);
            let tag = &rest[..end];
            self.out
                .push(Event::InlineHtml(tag.to_ascii_lowercase().into()));
            rest = rest[end..].trim_start();
            // Text between allowed tags in an HTML block is escaped, never passed through.
            if let Some(next) = rest.find('<') {
                if next > 0 {
                    self.out.push(Event::Text(rest[..next].to_owned().into()));
                    rest = &rest[next..];
                }
            } else if !rest.is_empty() {
                self.out.push(Event::Text(rest.to_owned().into()));
                break;
            }
        }
    }

    fn link(&self, target: Target, range: &Range<usize>) -> Link {
        let off = self.off(range);
        let (line, col) = self.lines.pos(off);
        let len = self.input.file[off..(self.input.body_start + range.end)]
            .lines()
            .next()
            .map_or(1, |s| s.chars().count().max(1));
        Link {
            target,
            line,
            col,
            len,
        }
    }

    /// Checks a link destination and rewrites internal ones to page-relative URLs.
    fn link_dest(&mut self, dest: &CowStr<'a>, range: &Range<usize>, image: bool) -> CowStr<'a> {
        // For the scheme check only: every control and space character removed, so that
        // `java\tscript:` or `<java script:…>` cannot slip past it.
        let squeezed: String = dest
            .chars()
            .filter(|c| !c.is_control() && !c.is_whitespace())
            .collect();
        let lower = squeezed.to_ascii_lowercase();
        if let Some(colon) = lower.find(':') {
            let scheme = &lower[..colon];
            let is_scheme = !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
                && !lower[..colon].contains('/');
            if is_scheme {
                let allowed = if image {
                    ["http", "https"].contains(&scheme)
                } else {
                    ["http", "https", "mailto", "tel"].contains(&scheme)
                };
                if !allowed {
                    self.error(
                        range,
                        format!("link scheme `{scheme}:` is not allowed"),
                        "use http(s):, mailto:, tel: or a relative path to a file in the guide",
                    );
                    return CowStr::Borrowed("#");
                }
                return dest.clone();
            }
        }
        if squeezed.starts_with("//") {
            self.error(
                range,
                "protocol-relative links (//host/…) are not allowed".into(),
                "write the full https:// address",
            );
            return CowStr::Borrowed("#");
        }
        // The destination as a browser resolves it (WHATWG URL): tabs and line breaks dropped,
        // leading and trailing spaces and controls trimmed, inner spaces kept: `<有 空格.md>`
        // is a valid CommonMark destination naming the file `有 空格.md`.
        let kept: String = dest
            .chars()
            .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
            .collect();
        let trimmed = kept.trim_matches(|c: char| c.is_control() || c.is_whitespace());
        if let Some(frag) = trimmed.strip_prefix('#') {
            let link = self.link(Target::Fragment(percent_decode(frag)), range);
            self.res.links.push(link);
            return dest.clone();
        }
        let (path, fragment) = match trimmed.split_once('#') {
            Some((p, f)) => (p, Some(percent_decode(f))),
            None => (trimmed, None),
        };
        let path = path.split('?').next().unwrap_or(path);
        if path.starts_with('/') {
            self.error(
                range,
                format!("absolute path `{path}` would break when the site is opened from a folder"),
                "use a path relative to this file, e.g. ../prepare/evidence.md",
            );
            return CowStr::Borrowed("#");
        }
        let Some(resolved) = resolve(self.input.source, &percent_decode(path)) else {
            self.error(
                range,
                format!("link `{path}` points outside the guide directory"),
                "link only to files inside guide/",
            );
            return CowStr::Borrowed("#");
        };
        let target = if resolved.ends_with(".md") {
            Target::Chapter {
                source: resolved.clone(),
                fragment: fragment.clone(),
            }
        } else if resolved.starts_with("checklists/")
            && (resolved.ends_with(".yaml") || resolved.ends_with(".yml"))
        {
            Target::Checklist {
                source: resolved.clone(),
                fragment: fragment.clone(),
            }
        } else {
            Target::Asset {
                source: resolved.clone(),
            }
        };
        let link = self.link(target, range);
        self.res.links.push(link);
        let mut url = root_prefix(&self.page);
        url.push_str(&page_url(&resolved));
        if let Some(f) = fragment {
            url.push('#');
            url.push_str(&f);
        }
        CowStr::Boxed(url.into_boxed_str())
    }
}

fn callout(kind: BlockQuoteKind) -> (&'static str, &'static str) {
    match kind {
        BlockQuoteKind::Note => ("note", "说明"),
        BlockQuoteKind::Tip => ("tip", "提示"),
        BlockQuoteKind::Important => ("important", "重要"),
        BlockQuoteKind::Warning => ("warning", "注意"),
        BlockQuoteKind::Caution => ("caution", "警告"),
    }
}

/// Resolves `dest` relative to the directory of guide-relative `from`; None if it escapes.
pub fn resolve(from: &str, dest: &str) -> Option<String> {
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    for seg in dest.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = |c: u8| (c as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_owned())
}

fn collapse_ws(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for (i, line) in s
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .enumerate()
    {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(body: &str) -> Rendered {
        let file = format!("---\ntitle: t\n---\n{body}");
        render(&Input {
            display: "guide/chapters/a/b.md",
            source: "chapters/a/b.md",
            file: &file,
            body_start: 16,
        })
    }

    #[test]
    fn headings_keep_chinese_ids_and_build_toc_and_sections() {
        let x = r("前言\n\n## 整理证据\n\n文字\n\n## 整理证据\n\n### 详单 {#xd}\n");
        assert!(
            x.html.contains("<h2 id=\"整理证据\">整理证据</h2>"),
            "{}",
            x.html
        );
        assert!(x.html.contains("<h2 id=\"整理证据-1\">"), "{}", x.html);
        assert!(x.html.contains("<h3 id=\"xd\">详单</h3>"), "{}", x.html);
        let ids: Vec<_> = x.toc.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["整理证据", "整理证据-1", "xd"]);
        assert_eq!(x.sections[0].text, "前言");
        assert_eq!(x.sections[1].text, "文字");
    }

    #[test]
    fn links_are_rewritten_and_recorded_with_file_positions() {
        let x =
            r("见[证据](../prepare/evidence.md#整理)和[清单](../../checklists/evidence.yaml)。\n");
        assert!(
            x.html
                .contains("href=\"../prepare/evidence.html#%E6%95%B4%E7%90%86\""),
            "{}",
            x.html
        );
        assert!(
            x.html.contains("href=\"../checklists/evidence.html\""),
            "{}",
            x.html
        );
        assert_eq!(x.links.len(), 2);
        assert_eq!((x.links[0].line, x.links[0].col), (4, 2));
        assert_eq!(
            x.links[0].target,
            Target::Chapter {
                source: "chapters/prepare/evidence.md".into(),
                fragment: Some("整理".into())
            }
        );
    }

    #[test]
    fn spaces_inside_angle_bracket_destinations_are_kept() {
        let x =
            r("见[有空格](<../prepare/有 空格.md#小 节>)和[百分号](../prepare/有%20空格.md)。\n");
        assert!(x.diags.is_empty(), "{:?}", x.diags);
        let want = Target::Chapter {
            source: "chapters/prepare/有 空格.md".into(),
            fragment: Some("小 节".into()),
        };
        assert_eq!(x.links[0].target, want);
        assert_eq!(
            x.links[1].target,
            Target::Chapter {
                source: "chapters/prepare/有 空格.md".into(),
                fragment: None
            }
        );
        // The href names the page of that file, its space percent-encoded.
        assert!(
            x.html.contains(
                "href=\"../prepare/%E6%9C%89%20%E7%A9%BA%E6%A0%BC.html#%E5%B0%8F%20%E8%8A%82\""
            ),
            "{}",
            x.html
        );
        // Spaces around the destination are not part of it; tabs and line breaks never are.
        let x = r("[a](< ../prepare/a\tb.md >)\n");
        assert_eq!(
            x.links[0].target,
            Target::Chapter {
                source: "chapters/prepare/ab.md".into(),
                fragment: None
            }
        );
    }

    #[test]
    fn unsafe_schemes_raw_html_and_missing_alt_are_errors() {
        for body in [
            "[x](javascript:alert(1))",
            "[x]( JaVaScRiPt:alert(1))",
            "[x](&#106;avascript:alert(1))",
            "[x](data:text/html,hi)",
            "<script>alert(1)</script>",
            "a <img src=x onerror=alert(1)> b",
            "<b style=\"x\">b</b>",
            "![](../../assets/x.svg)",
        ] {
            let x = r(body);
            // One error per offending tag (`<b style>` and `</b>` are two).
            assert!(!x.diags.is_empty(), "{body}: no error");
            assert!(
                !x.html.contains("javascript:")
                    && !x.html.contains("<script")
                    && !x.html.contains("onerror"),
                "{body}: {}",
                x.html
            );
        }
        let ok = r("按 <kbd>Enter</kbd> 键<br>");
        assert!(ok.diags.is_empty(), "{:?}", ok.diags);
        assert!(ok.html.contains("<kbd>Enter</kbd>"), "{}", ok.html);
    }

    #[test]
    fn say_and_checklist_blocks_and_callouts() {
        let x = r("```say\n您好，<我>\n\n请帮我升级处理\n```\n\n```checklist\nshop-visit\n```\n\n> [!TIP]\n> 提示文字\n");
        assert!(
            x.html
                .contains("<p>您好，&lt;我&gt;</p>\n<p>请帮我升级处理</p>"),
            "{}",
            x.html
        );
        assert!(
            x.html.contains("<!--gs:checklist:shop-visit-->"),
            "{}",
            x.html
        );
        assert!(x.html.contains("<aside class=\"callout callout-tip\" role=\"note\"><p class=\"callout-title\">提示</p>"), "{}", x.html);
        assert_eq!(x.checklists.len(), 1);
    }

    #[test]
    fn hostile_attribute_contexts_are_escaped() {
        let x = r("## t {#a\"b}\n\n```\"><script>\nx\n```\n\n[l](x.md \"t\\\"><script>\")\n");
        assert!(!x.html.contains("<script"), "{}", x.html);
    }

    #[test]
    fn unbounded_highlighting_falls_back_to_plain_text_with_a_located_warning() {
        // Body starts on line 4; the fence on line 6, the long line on line 8.
        let long = "*[".repeat(20_000);
        let x = r(&format!("段落\n\n```markdown\nok\n{long}\n```\n"));
        assert_eq!(x.diags.len(), 1, "{:?}", x.diags);
        let d = &x.diags[0];
        assert!(!d.is_error(), "a warning, not an error");
        assert_eq!((d.line, d.col), (8, 1), "{}", d.render());
        assert!(d.message.contains("40000 characters"), "{}", d.message);
        assert!(
            !x.html.contains("hl-") && x.html.contains("*[*["),
            "plain text"
        );
        // A page's later blocks past its budget: warned at the block's fence.
        let block = format!("```rust\n{}```\n\n", "let x = 1;\n".repeat(8_000));
        let x = r(&block.repeat(8));
        let warned: Vec<usize> = x.diags.iter().map(|d| d.line).collect();
        // 88 000 bytes a block: five fit in 512 KiB, the last three are plain.
        assert_eq!(warned, [5, 6, 7].map(|k| 4 + k * 8_003), "{warned:?}");
        assert!(x.html.contains("hl-"));
        assert!(
            x.diags[0].message.contains("budget"),
            "{}",
            x.diags[0].message
        );
    }

    #[test]
    fn deep_nesting_is_a_diagnostic_not_a_crash() {
        let body = ">".repeat(100_000) + " x\n";
        let x = r(&body);
        assert!(x.diags.iter().any(|d| d.message.contains("nested deeper")));
        let body = "[".repeat(100_000) + "x\n";
        let x = r(&body);
        assert!(x.diags.is_empty());
    }

    #[test]
    fn resolved_paths_never_escape_or_contain_dot_segments() {
        // Property test over generated link destinations (deterministic, no extra crates).
        let parts = [
            "..", ".", "", "a", "b.md", "%2e%2e", "C:", "\\", "x y", "中文", "...",
        ];
        let mut seed: u64 = 42;
        for _ in 0..20_000 {
            let mut dest = Vec::new();
            for _ in 0..(1 + seed % 6) {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
                dest.push(parts[(seed >> 33) as usize % parts.len()]);
            }
            let dest = dest.join("/");
            if let Some(r) = resolve("chapters/a/b.md", &percent_decode(&dest)) {
                assert!(!r.starts_with('/'), "{dest} → {r}");
                assert!(r.split('/').all(|s| s != ".." && s != "."), "{dest} → {r}");
                let url = page_url(&r);
                assert!(!url.split('/').any(|s| s == ".."), "{dest} → {url}");
            }
        }
    }

    #[test]
    fn resolve_stays_inside_the_guide() {
        assert_eq!(
            resolve("chapters/a/b.md", "../c.md").as_deref(),
            Some("chapters/c.md")
        );
        assert_eq!(resolve("chapters/b.md", "../../x.md"), None);
        assert_eq!(page_url("chapters/a/b.md"), "a/b.html");
        assert_eq!(page_url("checklists/x.yaml"), "checklists/x.html");
        assert_eq!(root_prefix("a/b.html"), "../");
    }
}
