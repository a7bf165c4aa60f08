//! The theme: Tera 2 templates and static files, embedded, overridable file by file.
//!
//! The default theme (themes/default/) is compiled into the binary by build.rs; a
//! `themes/NAME/` directory on disk overrides any of its files by relative path (for
//! `default` too, so editing the repo's theme shows up in `serve`). Templates receive only the
//! typed context structs below, with autoescaping on; the only `safe` values are HTML produced
//! by our own Markdown renderer and checklist partial.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;
use tera::{Context, Tera};
use walkdir::WalkDir;

use crate::checklist::Checklist;
use crate::diag::Diagnostic;
use crate::tool::Tool;

include!(concat!(env!("OUT_DIR"), "/theme_files.rs"));

/// Theme files by theme-relative path (`templates/base.html`, `static/style.css`).
#[derive(Debug, Clone, Default)]
pub struct ThemeFiles {
    pub files: BTreeMap<String, Vec<u8>>,
    /// Where each file came from, as shown in diagnostics.
    pub origin: BTreeMap<String, String>,
}

/// Reads the embedded default theme and overlays `dir` (if it exists).
pub fn load_files(dir: Option<(&Path, &str)>) -> Result<ThemeFiles, Vec<Diagnostic>> {
    let mut t = ThemeFiles::default();
    for (rel, bytes) in DEFAULT_THEME {
        t.files.insert((*rel).to_owned(), bytes.to_vec());
        t.origin
            .insert((*rel).to_owned(), format!("themes/default/{rel}"));
    }
    let Some((dir, display)) = dir else {
        return Ok(t);
    };
    if !dir.is_dir() {
        return Ok(t);
    }
    let mut diags = Vec::new();
    for entry in WalkDir::new(dir)
        .follow_links(false)
        .sort_by_file_name()
        .max_depth(8)
    {
        let Ok(entry) = entry else { continue };
        let name = entry.file_name().to_string_lossy();
        if !entry.file_type().is_file() || crate::load::is_ignored_name(&name) {
            if entry.path_is_symlink() {
                diags.push(Diagnostic::error(
                    entry.path().display().to_string(),
                    "symbolic links in themes are not followed",
                ));
            }
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(dir) else {
            continue;
        };
        let rel = rel.to_string_lossy().replace('\\', "/");
        match std::fs::read(entry.path()) {
            Ok(bytes) => {
                t.origin.insert(
                    rel.clone(),
                    format!("{}/{rel}", display.trim_end_matches('/')),
                );
                t.files.insert(rel, bytes);
            }
            Err(e) => diags.push(Diagnostic::error(
                format!("{display}/{rel}"),
                format!("cannot read file: {e}"),
            )),
        }
    }
    if diags.is_empty() {
        Ok(t)
    } else {
        Err(diags)
    }
}

/// A ready-to-render theme.
pub struct Theme {
    tera: Tera,
    origin: BTreeMap<String, String>,
    /// Template sources by name, so render-time errors can show the offending line.
    sources: BTreeMap<String, String>,
}

impl Theme {
    /// Parses every template; syntax errors come back located in the template file.
    pub fn new(files: &ThemeFiles) -> Result<Theme, Vec<Diagnostic>> {
        let mut tera = Tera::new();
        tera.autoescape_on([".html", ".xml"]);
        let mut templates = Vec::new();
        let mut diags = Vec::new();
        for (rel, bytes) in &files.files {
            let Some(name) = rel.strip_prefix("templates/") else {
                continue;
            };
            match std::str::from_utf8(bytes) {
                Ok(s) => templates.push((name.to_owned(), s.to_owned())),
                Err(_) => diags.push(Diagnostic::error(
                    files.origin[rel].clone(),
                    "template is not valid UTF-8",
                )),
            }
        }
        if !diags.is_empty() {
            return Err(diags);
        }
        let origin: BTreeMap<String, String> = files
            .origin
            .iter()
            .filter_map(|(k, v)| {
                k.strip_prefix("templates/")
                    .map(|n| (n.to_owned(), v.clone()))
            })
            .collect();
        let sources: BTreeMap<String, String> = templates.iter().cloned().collect();
        if let Err(e) = tera.add_raw_templates(templates) {
            return Err(vec![tera_diag(&e, &origin, &sources)]);
        }
        Ok(Theme {
            tera,
            origin,
            sources,
        })
    }

    /// Renders template `name` with a typed context.
    pub fn render<T: Serialize>(&self, name: &str, ctx: &T) -> Result<String, Diagnostic> {
        let context = Context::from_serialize(ctx)
            .map_err(|e| Diagnostic::error(self.path_of(name), format!("template context: {e}")))?;
        self.tera
            .render(name, &context)
            .map_err(|e| tera_diag(&e, &self.origin, &self.sources))
    }

    /// Renders a page into bytes: its own fields converted, the site-wide values added. Pages
    /// go to disk as bytes, so this also skips Tera's UTF-8 check of the whole page (the output
    /// is UTF-8 by construction: templates and values are strings).
    pub fn render_page(&self, name: &str, ctx: &PageCtx) -> Result<Vec<u8>, Diagnostic> {
        let mut context = Context::from_serialize(ctx)
            .map_err(|e| Diagnostic::error(self.path_of(name), format!("template context: {e}")))?;
        context.insert_value("site", ctx.site.clone());
        context.insert_value("nav", ctx.nav.clone());
        let mut out = Vec::new();
        self.tera
            .render_to(name, &context, &mut out)
            .map_err(|e| tera_diag(&e, &self.origin, &self.sources))?;
        Ok(out)
    }

    fn path_of(&self, name: &str) -> String {
        self.origin
            .get(name)
            .cloned()
            .unwrap_or_else(|| format!("templates/{name}"))
    }
}

/// Maps a Tera error to a located diagnostic in the template file (RELIABILITY I11).
fn tera_diag(
    e: &tera::Error,
    origin: &BTreeMap<String, String>,
    sources: &BTreeMap<String, String>,
) -> Diagnostic {
    use std::error::Error as _;
    let mut msg = e.to_string();
    let mut src = e.source();
    while let Some(s) = src {
        msg = format!("{msg}: {s}");
        src = s.source();
    }
    match e.kind() {
        tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r) => {
            let path = origin
                .get(r.filename())
                .cloned()
                .unwrap_or_else(|| r.filename().to_owned());
            let span = r.span();
            let d = Diagnostic::error(path, format!("template error: {}", r.message()));
            match sources.get(r.filename()) {
                Some(text) => d
                    .at(text, span.start_line, span.start_col + 1)
                    .with_len(span.range.len().max(1)),
                None => Diagnostic {
                    line: span.start_line,
                    col: span.start_col + 1,
                    ..d
                },
            }
            .with_help("fix the template; see the Tera 2 documentation for syntax")
        }
        // Tera 2 reports unknown filters/tests/functions and missing includes as a plain
        // message holding a pre-rendered report (`error: …\n --> name:line:col`); recover the
        // template and position from it so these errors are located too (RELIABILITY I11).
        tera::ErrorKind::Msg(m) => match parse_report(m) {
            Some((message, name, line, col)) => {
                let path = origin.get(name).cloned().unwrap_or_else(|| name.to_owned());
                let d = Diagnostic::error(path, format!("template error: {message}"));
                match sources.get(name) {
                    Some(text) => d.at(text, line, col),
                    None => Diagnostic { line, col, ..d },
                }
                .with_help("fix the template; see the Tera 2 documentation for syntax")
            }
            None => Diagnostic::error("themes", format!("template error: {}", first_line(&msg))),
        },
        tera::ErrorKind::CircularInclude { tpl, .. }
        | tera::ErrorKind::CircularExtend { tpl, .. } => {
            let path = origin.get(tpl).cloned().unwrap_or_else(|| tpl.clone());
            Diagnostic::error(path, format!("template error: {}", first_line(&msg))).with_help(
                "a template includes or extends itself through this chain; break the cycle",
            )
        }
        _ => Diagnostic::error("themes", format!("template error: {}", first_line(&msg))),
    }
}

/// The first `error: MESSAGE` / ` --> NAME:LINE:COL` pair of a Tera report.
fn parse_report(report: &str) -> Option<(&str, &str, usize, usize)> {
    let mut lines = report.lines();
    let message = lines.next()?.strip_prefix("error: ")?;
    let at = lines.next()?.trim_start().strip_prefix("--> ")?;
    let mut parts = at.rsplitn(3, ':');
    let col = parts.next()?.parse().ok()?;
    let line = parts.next()?.parse().ok()?;
    Some((message, parts.next()?, line, col))
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}

/// Site-wide values every page sees.
#[derive(Debug, Clone, Serialize)]
pub struct SiteCtx {
    pub title: String,
    pub description: String,
    pub language: String,
    pub notice: String,
    pub updated: String,
    /// Asset URLs relative to the site root.
    pub css: String,
    pub js: String,
    /// The search engine: not loaded by the page, but by `js` when a reader starts a search
    /// (the search box's `data-engine`).
    pub search_js: String,
    /// The search index's entry file (the search box's `data-index`).
    pub search_index: String,
    /// Set when the nav is too large to inline: the script that draws it.
    pub nav_js: Option<String>,
    pub checklists: Vec<LinkCtx>,
    /// The tools' stylesheet and script, loaded only by tool pages.
    pub tools_css: String,
    pub tools_js: String,
    /// The share image's absolute URL (Open Graph wants one), when the base URL is known.
    pub share_image: Option<String>,
    pub tools: Vec<LinkCtx>,
    /// `markdown.remote_images: allow`: the CSP's `img-src` also reaches `https:`.
    pub remote_images: bool,
    /// guide.yaml's `extra_css`: the guide's own stylesheets, by site URL.
    pub extra_css: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NavPartCtx {
    pub title: String,
    pub chapters: Vec<NavChapterCtx>,
}

/// A chapter in the navigation (also the shared `static/nav.*.js` payload).
#[derive(Debug, Clone, Serialize)]
pub struct NavChapterCtx {
    pub title: String,
    /// URL relative to the site root (templates prefix `root`).
    pub url: String,
    /// A draft shown by `serve` (left out of the payload when false).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub draft: bool,
    /// The chapters nested under it (guide.yaml `sections:`), left out when none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<NavChapterCtx>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct LinkCtx {
    pub title: String,
    /// URL relative to the site root (templates prefix `root`).
    pub url: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct TocCtx {
    pub level: u8,
    pub id: String,
    pub text: String,
}

/// Everything a page template gets.
#[derive(Debug, Serialize)]
pub struct PageCtx<'a> {
    /// The `SiteCtx`, made a Tera value once per build: `render_page` adds it to each page's
    /// context by reference count instead of converting the site-wide part again per page.
    #[serde(skip)]
    pub site: &'a tera::Value,
    /// Inline nav (empty when `site.nav_js` draws it): a `[NavPartCtx]` made a value once.
    #[serde(skip)]
    pub nav: &'a tera::Value,
    /// Hash of what `site` and `nav` hold, for page cache keys (they are not serialized).
    #[serde(skip)]
    pub shared_key: u64,
    /// Relative prefix from this page to the site root (`../` …).
    pub root: String,
    /// This page's URL relative to the site root.
    pub url: String,
    /// chapter | home | checklist | checklists | print-all | search | 404
    pub kind: &'static str,
    pub title: String,
    /// The id of the page's `h1` (a chapter whose body starts with its title heading), so
    /// links to that heading's id land on it.
    pub title_id: Option<String>,
    pub description: String,
    pub updated: String,
    pub part: Option<String>,
    pub breadcrumbs: Vec<LinkCtx>,
    /// URLs of the nav branches open on this page: the chapters it is nested under and itself
    /// (deeper nav levels are collapsed elsewhere).
    pub nav_open: Vec<String>,
    pub prev: Option<LinkCtx>,
    pub next: Option<LinkCtx>,
    pub toc: Vec<TocCtx>,
    pub summary: &'a [String],
    /// Trusted HTML from our Markdown renderer.
    pub body: String,
    /// Checklists this page uses.
    pub checklists: Vec<LinkCtx>,
    pub edit_url: Option<String>,
    /// The checklist(s) shown on this page, with their form HTML pre-rendered.
    pub forms: Vec<FormCtx<'a>>,
    /// This page's absolute URL, when the base URL is known (Open Graph, printed forms).
    pub canonical: Option<String>,
    /// The 404 page without a base URL: the per-folder script that finds the site root.
    pub root_helper: Option<String>,
    /// The whole-guide print page: every part with its chapters.
    pub print: Vec<PrintPartCtx>,
    /// A tool page's tool.
    pub tool: Option<ToolCtx<'a>>,
    /// Tools that go with this page (a checklist's or a chapter's).
    pub tools: Vec<LinkCtx>,
    /// A draft chapter previewed by `serve` (the page shows a 草稿 badge).
    pub draft: bool,
}

/// A tool and what its page links to.
#[derive(Debug, Serialize)]
pub struct ToolCtx<'a> {
    pub tool: &'a Tool,
    pub chapter: LinkCtx,
    pub checklists: Vec<LinkCtx>,
    /// For each group that imports rows: the group id and the source tool's title.
    pub imports: Vec<ImportCtx>,
}

#[derive(Debug, Serialize)]
pub struct ImportCtx {
    pub group: String,
    pub title: String,
}

/// One part of the guide on the whole-guide print page.
#[derive(Debug, Serialize)]
pub struct PrintPartCtx {
    pub title: String,
    pub chapters: Vec<PrintChapterCtx>,
}

/// One chapter on the whole-guide print page.
#[derive(Debug, Serialize)]
pub struct PrintChapterCtx {
    /// Element id of the chapter (`c3`); its own ids are prefixed with `c3-`.
    pub id: String,
    /// The id of its `h1`: its title heading's id (prefixed like the rest), else `c3-title`.
    pub title_id: String,
    pub title: String,
    /// How deep it is nested in nav (`sections:`): 0 for a part's own chapters.
    pub depth: usize,
    pub summary: Vec<String>,
    /// Trusted HTML from our Markdown renderer.
    pub body: String,
}

/// One checklist and its rendered form.
#[derive(Debug, Serialize)]
pub struct FormCtx<'a> {
    pub checklist: &'a Checklist,
    pub url: String,
    pub chapter: LinkCtx,
    pub updated: String,
    /// Trusted HTML from the `checklist-form.html` partial.
    pub html: String,
    /// The checklist page's absolute URL and its QR code (trusted SVG from `site::qr`), when
    /// the base URL is known: printed on the form.
    pub canonical: Option<String>,
    pub qr: Option<String>,
}

/// Context of the checklist form partial.
#[derive(Debug, Serialize)]
pub struct FormPartCtx<'a> {
    pub checklist: &'a Checklist,
    pub root: String,
    /// Heading level of the checklist title (1 on its own page, 2 when embedded).
    pub level: u8,
    /// Prefix for element ids, unique per page.
    pub prefix: String,
}
