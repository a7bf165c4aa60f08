//! One pulldown-cmark pass per chapter: HTML, heading ids, TOC, search text, links.
//!
//! `render` is a pure function of the chapter's path and text (no site-wide state), so its
//! result can be memoised by content hash in `serve`. Everything that depends on other files —
//! whether a link target exists, the HTML of an embedded checklist — is returned as data
//! (`links`, `checklists`) and resolved later by `links` and `site`. Our walkers are iterative
//! (no recursion over the document), so pathological nesting cannot overflow the stack.
//! `RenderOptions` (from guide.yaml's `markdown:` and the chapter's own text) are part of the
//! input: a render is a pure function of (path, text, options).
//!
//! Submodules: `dest` (link destinations), `html` (the raw-HTML sanitiser) with `raw` (its
//! glue to the renderer) and `entities` (character references), `directives` (leftover mdBook
//! `{{#…}}` directives).

mod code;
mod dest;
mod directives;
mod entities;
pub mod html;
mod notes;
mod raw;
mod size;

use std::ops::Range;

use pulldown_cmark::{
    BlockQuoteKind, CodeBlockKind, CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag,
    TagEnd,
};

use crate::config::{HtmlPolicy, Level, MarkdownConfig, RemoteImages};
use crate::diag::{Diagnostic, LineIndex};
use crate::highlight::{self, escape, escape_into};
use crate::slug::{IdStyle, Slugger};

use code::{code_note, hide_rust_lines, language};
use html::{Sanitizer, Span};

/// Nesting of block quotes and lists beyond which we refuse the chapter (RELIABILITY I6).
pub const MAX_NESTING: usize = 64;

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
fn theme_slugger(style: IdStyle) -> Slugger {
    let mut s = Slugger::new(style);
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

/// How a chapter is rendered besides its text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct RenderOptions {
    /// Raw HTML allowed.
    pub html: HtmlPolicy,
    /// How heading ids are made.
    pub ids: IdStyle,
    /// Hide mdBook's `# ` lines in ```rust blocks.
    pub rust_hidden_lines: bool,
    /// How serious an image without alt text is.
    pub missing_alt: Level,
    /// Images from `https:` hosts are allowed (the CSP lets them in).
    pub remote_images: bool,
    /// The body starts with the `# H1` that is the page's title (see `leading_h1`): the
    /// template shows the title, so the heading is not rendered again (its id still counts).
    pub title_h1: bool,
}

impl RenderOptions {
    /// The guide-wide part of the options.
    pub fn from_config(md: &MarkdownConfig) -> RenderOptions {
        RenderOptions {
            html: md.html,
            ids: md.heading_ids,
            rust_hidden_lines: md.rust_hidden_lines,
            missing_alt: md.missing_alt,
            remote_images: md.remote_images == RemoteImages::Allow,
            title_h1: false,
        }
    }
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
    /// The id of the title `# H1` (not rendered in the body): the page's `h1` carries it.
    pub title_id: Option<String>,
    /// Outside http(s) links and images, with their positions (`check --external`).
    pub outside: Vec<Outside>,
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

/// An outside http(s) link or image and where it is in the file (1-based line and column,
/// length in characters), for `check --external`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outside {
    pub url: String,
    pub line: usize,
    pub col: usize,
    pub len: usize,
}

/// An internal reference found in the chapter, to be checked once all pages are known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub target: Target,
    /// Byte offset in the file (for diagnostics through a `LineIndex`).
    pub off: usize,
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
    /// A page named by its `.html` name (mdBook style): the chapter `source` (`.md`) or, when
    /// there is no such chapter, the file `file` as written. Both have the same URL.
    Page {
        source: String,
        file: String,
        fragment: Option<String>,
    },
    /// A tool file (guide-relative `tools/<id>.yaml` path).
    Tool { source: String },
    /// Any other file under the guide, e.g. `assets/escalation-path.svg`.
    Asset { source: String },
    /// A fragment on this same page.
    Fragment(String),
}

/// Page URL for a guide-relative source path: `chapters/a/b.md` → `a/b.html`,
/// `checklists/x.yaml` → `checklists/x.html`, `index.md` → `index.html`; other files keep
/// their path.
pub fn page_url(source: &str) -> String {
    if let Some(stem) = crate::source::checklist_stem(source) {
        return format!("checklists/{stem}.html");
    }
    if let Some(stem) = crate::source::tool_stem(source) {
        return format!("tools/{stem}.html");
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

/// The text of the `# H1` a chapter body starts with (only HTML such as comments before it),
/// or None. Such a heading is the page title when front matter gives none. A leading `## H2`
/// counts too: mdBook books open their section pages with one, and the page shows its title
/// as its `h1` already.
pub fn leading_h1(body: &str) -> Option<String> {
    let mut events = Parser::new_ext(body, options()).skip_while(is_html);
    let Some(Event::Start(Tag::Heading {
        level: HeadingLevel::H1 | HeadingLevel::H2,
        ..
    })) = events.next()
    else {
        return None;
    };
    let mut text = String::new();
    for e in events {
        match e {
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            Event::End(TagEnd::Heading(_)) => break,
            _ => {}
        }
    }
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// The events, without those inside quotes or lists nested deeper than `max` (the renderer
/// reports depth `max`; keeping what is deeper would cost memory in proportion to the nesting).
fn nested_at_most<'a>(
    events: impl Iterator<Item = (Event<'a>, Range<usize>)>,
    max: usize,
) -> Vec<(Event<'a>, Range<usize>)> {
    let mut depth = 0usize;
    let mut out = Vec::new();
    for (e, range) in events {
        let nests = |e: &Event| match e {
            Event::Start(Tag::BlockQuote(_) | Tag::List(_)) => 1,
            Event::End(TagEnd::BlockQuote(_) | TagEnd::List(_)) => -1,
            _ => 0,
        };
        let step = nests(&e);
        if step > 0 {
            depth += 1;
        }
        if depth <= max {
            out.push((e, range));
        }
        if step < 0 {
            depth = depth.saturating_sub(1);
        }
    }
    out
}

/// Renders one chapter body with the default options.
pub fn render(input: &Input<'_>) -> Rendered {
    render_with(input, &RenderOptions::default())
}

/// Renders one chapter body.
pub fn render_with(input: &Input<'_>, opts: &RenderOptions) -> Rendered {
    let body = &input.file[input.body_start..];
    let lines = LineIndex::new(input.file);
    let events = nested_at_most(
        Parser::new_ext(body, options()).into_offset_iter(),
        MAX_NESTING + 1,
    );
    let mut r = Renderer {
        input,
        lines,
        out: Vec::with_capacity(events.len()),
        res: Rendered::default(),
        slugger: theme_slugger(opts.ids),
        page: page_url(input.source),
        depth: 0,
        depth_reported: false,
        highlight_budget: highlight::PAGE_BUDGET_BYTES,
        options: *opts,
        html: Sanitizer::new(opts.html),
        title_pending: opts.title_h1,
        notes: notes::Notes::default(),
    };
    r.reserve_explicit_ids(&events);
    r.res.sections.push(SectionText::default());
    r.directives(body);
    r.run(events);
    r.finish_html();
    std::mem::take(&mut r.notes).finish(&mut r.out);
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

/// The events of a page still to render.
type Events<'a> = std::vec::IntoIter<(Event<'a>, Range<usize>)>;

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
    options: RenderOptions,
    /// Raw HTML state across the page's events (open comments and elements).
    html: Sanitizer,
    /// The title `# H1` is still to come (see `RenderOptions::title_h1`).
    title_pending: bool,
    /// Footnotes, moved to the bottom of the page.
    notes: notes::Notes<'a>,
}

impl<'a> Renderer<'_, 'a> {
    fn off(&self, r: &Range<usize>) -> usize {
        self.input.body_start + r.start
    }

    /// The file span of a body range.
    fn span(&self, r: &Range<usize>) -> Span {
        Span {
            off: self.off(r),
            len: r.end.saturating_sub(r.start),
        }
    }

    fn error(&mut self, range: &Range<usize>, msg: String, help: &str) {
        self.error_at(self.span(range), msg, help);
    }

    fn error_at(&mut self, at: Span, msg: String, help: &str) {
        let d = Diagnostic::error(self.input.display, msg);
        let d = self.lines.diag(d, at.off, at.len).with_help(help);
        self.res.diags.push(d);
    }

    /// An image without alt text, as serious as `markdown.missing_alt` says.
    fn missing_alt(&mut self, at: Span, help: &str) {
        let msg = "image without alt text".to_owned();
        match self.options.missing_alt {
            Level::Error => self.error_at(at, msg, help),
            Level::Warning => self.warning_at(at, msg, help),
        }
    }

    fn warning_at(&mut self, at: Span, msg: String, help: &str) {
        let d = Diagnostic::warning(self.input.display, msg);
        let d = self.lines.diag(d, at.off, at.len).with_help(help);
        self.res.diags.push(d);
    }

    /// Warns at every leftover mdBook directive (published as text otherwise).
    fn directives(&mut self, body: &str) {
        for d in directives::find(body) {
            let at = Span {
                off: self.input.body_start + d.start,
                len: d.len,
            };
            self.warning_at(
                at,
                format!("mdBook directive `{{{{#{} …}}}}` is not expanded: it is published as written", d.name),
                "paste the text it stands for (`guidesmith import mdbook` expands {{#include}} and {{#rustdoc_include}}), or escape it as \\{{#…}}",
            );
        }
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
        let mut it: Events<'a> = events.into_iter();
        while let Some((ev, range)) = it.next() {
            if self.title_pending && !is_html(&ev) {
                self.title_pending = false;
                if let Event::Start(Tag::Heading {
                    level: HeadingLevel::H1 | HeadingLevel::H2,
                    id,
                    ..
                }) = &ev
                {
                    self.title_heading(id.clone(), &mut it);
                    continue;
                }
            }
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
                Event::Start(tag @ Tag::Image { .. }) => self.image(tag, &mut it, &range),
                Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                }) => {
                    let dest = if matches!(link_type, LinkType::Email) {
                        dest_url
                    } else {
                        self.link_dest(&dest_url, self.span(&range), false)
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
                Event::Html(h) => self.raw_html(&h, &range, true),
                Event::InlineHtml(h) => self.raw_html(&h, &range, false),
                Event::Text(t) => {
                    self.section().text.push_str(&t);
                    self.out.push(Event::Text(t));
                }
                Event::Code(t) => {
                    self.section().text.push_str(&t);
                    self.out.push(Event::Code(t));
                }
                Event::FootnoteReference(label) => {
                    let marker = self.notes.reference(&label);
                    self.out.push(marker);
                }
                Event::Start(Tag::FootnoteDefinition(label)) => {
                    self.res.ids.push(notes::note_id(&label));
                    self.notes.start(&label, self.out.len());
                }
                Event::End(TagEnd::FootnoteDefinition) => self.notes.end(&mut self.out),
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

    /// An image: alt text required, destination checked like a link's.
    fn image(&mut self, tag: Tag<'a>, it: &mut Events<'a>, range: &Range<usize>) {
        let Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        } = tag
        else {
            return;
        };
        let mut inner = Vec::new();
        for (e, _) in it.by_ref() {
            let end = matches!(e, Event::End(TagEnd::Image));
            inner.push(e);
            if end {
                break;
            }
        }
        let size = size::take(&mut inner);
        let alt: String = inner
            .iter()
            .filter_map(|e| match e {
                Event::Text(t) | Event::Code(t) => Some(t.as_ref()),
                _ => None,
            })
            .collect();
        if alt.trim().is_empty() {
            self.missing_alt(
                self.span(range),
                "describe the picture for readers who cannot see it: ![说明文字](path)",
            );
        }
        let dest = self.link_dest(&dest_url, self.span(range), true);
        let start = Tag::Image {
            link_type,
            dest_url: dest,
            title,
            id,
        };
        match size {
            Some(size) => {
                let html = size::img_html(start, inner, &size);
                self.out.push(Event::InlineHtml(html.into()));
            }
            None => {
                self.out.push(Event::Start(start));
                self.out.extend(inner);
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

    /// The title `# H1`: not rendered (the template shows the title), but its id is defined,
    /// so links to it still resolve (to the top of the page).
    fn title_heading(&mut self, explicit: Option<CowStr<'a>>, it: &mut Events<'a>) {
        let inner: Vec<_> = it
            .take_while(|(e, _)| !matches!(e, Event::End(TagEnd::Heading(_))))
            .collect();
        let id = match explicit {
            Some(id) => id.to_string(),
            None => self.slugger.unique(&heading_text(&inner)),
        };
        self.res.title_id = Some(id.clone());
        self.res.ids.push(id);
    }

    fn heading(
        &mut self,
        level: HeadingLevel,
        explicit: Option<CowStr<'a>>,
        inner: Vec<(Event<'a>, Range<usize>)>,
    ) {
        let text = heading_text(&inner);
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
        let lang = language(info);
        let hidden;
        let code = if lang == "rust" && self.options.rust_hidden_lines {
            hidden = hide_rust_lines(code);
            hidden.as_str()
        } else {
            code
        };
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
                    self.span(range),
                );
                self.res.checklists.push(link);
                self.out.push(Event::Html(
                    format!("<!--gs:checklist:{}-->\n", escape(id)).into(),
                ));
            }
            _ => {
                self.section().code.push_str(code);
                self.section().code.push('\n');
                if let Some(note) = code_note(info) {
                    let html = format!("<p class=\"code-note\" role=\"note\">{note}</p>\n");
                    self.out.push(Event::Html(html.into()));
                }
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

    fn link(&self, target: Target, at: Span) -> Link {
        let (line, col, len) = self.position(at);
        Link {
            target,
            off: at.off,
            line,
            col,
            len,
        }
    }

    /// Line, column and length (on its first line, in characters) of a span of the file.
    fn position(&self, at: Span) -> (usize, usize, usize) {
        let off = at.off;
        let (line, col) = self.lines.pos(off);
        let end = (at.off + at.len).min(self.input.file.len());
        let len = self
            .input
            .file
            .get(off..end)
            .unwrap_or("")
            .lines()
            .next()
            .map_or(1, |s| s.chars().count().max(1));
        (line, col, len)
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

/// Decodes `%XX` escapes of a link destination (kept as written if the result is not UTF-8).
pub fn percent_decode(s: &str) -> String {
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

/// Raw HTML and the block around it (comments and anchors may stand before a title `# H1`).
fn is_html(e: &Event<'_>) -> bool {
    matches!(
        e,
        Event::Html(_)
            | Event::InlineHtml(_)
            | Event::Start(Tag::HtmlBlock)
            | Event::End(TagEnd::HtmlBlock)
    )
}

/// Plain text of a heading's inline events.
fn heading_text(inner: &[(Event<'_>, Range<usize>)]) -> String {
    let text: String = inner
        .iter()
        .filter_map(|(e, _)| match e {
            Event::Text(t) | Event::Code(t) => Some(t.as_ref()),
            _ => None,
        })
        .collect();
    text.trim().to_owned()
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
mod tests;
