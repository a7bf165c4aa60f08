//! `guidesmith import mdbook PATH`: an mdBook book → a guide folder that `check` and `build`
//! read as written.
//!
//! Reads `book.toml` and `src/SUMMARY.md`, and returns the new guide as files in memory:
//! `guide.yaml` (title, description, language, the nav from `summary`, and `markdown:` options
//! for mdBook's conventions: safe HTML, mdBook heading ids, hidden Rust lines, missing alt
//! text and heading anchors as warnings), a generated home page, and every chapter of
//! SUMMARY.md under `chapters/` with its text unchanged except that
//! `{{#include}}`-style directives are expanded (`include`) and a chapter with no `# H1` gets
//! a front-matter title from SUMMARY.md. Other files under `src/` (images …) are copied beside
//! the chapters, so relative links keep working. Everything it had to change or leave out is
//! listed in the `Report`.
//!
//! Only reads from the book (never outside its folder); `write` is the one step that writes,
//! and only into a folder that does not exist yet or is empty, creating new files only.

mod include;
mod summary;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The parts of book.toml the import uses (others are ignored, not refused: they configure
/// mdBook's renderers).
#[derive(Debug, Default, Deserialize)]
struct BookToml {
    #[serde(default)]
    book: BookTable,
    #[serde(default)]
    output: OutputTable,
}

#[derive(Debug, Default, Deserialize)]
struct OutputTable {
    #[serde(default)]
    html: HtmlTable,
}

/// `[output.html]`: the book's own stylesheets and scripts.
#[derive(Debug, Default, Deserialize)]
struct HtmlTable {
    #[serde(default, rename = "additional-css")]
    additional_css: Vec<String>,
    #[serde(default, rename = "additional-js")]
    additional_js: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
struct BookTable {
    title: Option<String>,
    description: Option<String>,
    language: Option<String>,
    src: Option<String>,
}

/// The imported guide and what the import changed.
#[derive(Debug, Default)]
pub struct Imported {
    /// Guide-relative path → contents.
    pub files: BTreeMap<String, Vec<u8>>,
    pub report: Report,
}

/// What the import did, for the user to review.
#[derive(Debug, Default)]
pub struct Report {
    pub chapters: usize,
    pub parts: usize,
    pub other_files: usize,
    pub includes: usize,
    /// One line per change or omission, grouped by kind.
    pub notes: BTreeMap<&'static str, Vec<String>>,
}

impl Report {
    fn note(&mut self, kind: &'static str, what: String) {
        self.notes.entry(kind).or_default().push(what);
    }
}

/// How many images in `text` load from another site (`![](https://…)`, `<img src="http…">`).
fn remote_images(text: &str) -> usize {
    use pulldown_cmark::{Event, Parser, Tag};
    let remote = |url: &str| {
        let url = url.trim_start().to_ascii_lowercase();
        url.starts_with("http://") || url.starts_with("https://") || url.starts_with("//")
    };
    Parser::new(text)
        .map(|e| match e {
            Event::Start(Tag::Image { dest_url, .. }) => usize::from(remote(&dest_url)),
            Event::Html(h) | Event::InlineHtml(h) => h
                .split("<img")
                .skip(1)
                .filter(|tag| {
                    let tag = &tag[..tag.find('>').unwrap_or(tag.len())];
                    tag.split_once("src=")
                        .is_some_and(|(_, v)| remote(v.trim_start_matches(['"', '\''])))
                })
                .count(),
            _ => 0,
        })
        .sum()
}

/// Files larger than this under `src/` are not copied (the guide's default input limit).
const MAX_COPY_BYTES: u64 = crate::source::DEFAULT_MAX_FILE_BYTES;

/// Imports the mdBook book in `book` (the folder holding book.toml).
pub fn mdbook(book: &Path) -> Result<Imported, String> {
    let toml_path = book.join("book.toml");
    let toml_text = std::fs::read_to_string(&toml_path)
        .map_err(|e| format!("cannot read {}: {e}", toml_path.display()))?;
    let cfg: BookToml = toml::from_str(&toml_text)
        .map_err(|e| format!("{} is not valid TOML: {e}", toml_path.display()))?;
    let src = book.join(cfg.book.src.as_deref().unwrap_or("src"));
    let summary_path = src.join("SUMMARY.md");
    let summary = std::fs::read_to_string(&summary_path)
        .map_err(|e| format!("cannot read {}: {e}", summary_path.display()))?;
    let root = book
        .canonicalize()
        .map_err(|e| format!("cannot read {}: {e}", book.display()))?;
    let title = cfg
        .book
        .title
        .clone()
        .unwrap_or_else(|| "未命名".to_owned());
    let mut imp = Imported::default();

    let mut entries = summary::entries(&summary);
    let drafts = name_drafts(&mut entries, &src, &mut imp.report);
    let mut parts = summary::parts(&entries, &title);
    let max = crate::config::NAV_MAX_DEPTH;
    let deep = entries.iter().filter(|e| e.depth > max + 1).count();
    if deep > 0 {
        imp.report.note(
            "nav nesting capped",
            format!("{deep} chapters were nested deeper than {max} levels below a part; they join level {max}"),
        );
    }
    let listed = keep_book_files(&mut parts, &drafts, &src, &mut imp.report);
    parts.retain(|p| !p.chapters.is_empty());
    // `index.md` would be published as the site's home page: keep the book one folder down.
    let prefix = if listed.contains("index.md") {
        imp.report.note(
            "chapters placed under chapters/book/",
            "the book has index.md, whose page would be the home page".to_owned(),
        );
        "chapters/book/"
    } else {
        "chapters/"
    };
    let titles: BTreeMap<&str, &str> = entries
        .iter()
        .filter_map(|e| Some((e.path.as_deref()?, e.title.as_str())))
        .collect();
    let files = include::BookFiles { root };
    for rel in &listed {
        let text = read_text(&src.join(rel))?;
        let dir = src
            .join(rel)
            .parent()
            .map_or_else(|| src.clone(), Path::to_owned);
        let expanded = include::expand(&text, &dir, &files);
        imp.report.includes += expanded.count;
        for (line, why) in &expanded.failed {
            imp.report
                .note("directives left as written", format!("{rel}:{line}: {why}"));
        }
        let mut text = expanded.text;
        let remote = remote_images(&text);
        if remote > 0 {
            imp.report.note(
                "remote images, blocked until guide.yaml says `markdown: {remote_images: allow}` (https only)",
                format!("{rel}: {remote}"),
            );
        }
        if !text.starts_with("---\n") && crate::markdown::leading_h1(&text).is_none() {
            let t = titles.get(rel.as_str()).copied().unwrap_or(rel);
            text = format!("---\ntitle: {}\n---\n\n{text}", yaml_str(t));
            imp.report.note(
                "front-matter title added (the chapter has no `# H1`)",
                rel.clone(),
            );
        }
        imp.files
            .insert(format!("{prefix}{rel}"), text.into_bytes());
    }
    for (rel, title) in &drafts {
        let text = format!("---\ntitle: {}\ndraft: true\n---\n", yaml_str(title));
        imp.files
            .insert(format!("{prefix}{rel}"), text.into_bytes());
    }
    imp.report.chapters = listed.len();
    imp.report.parts = parts.len();
    copy_others(&src, prefix, &listed, &mut imp)?;
    // The home page links only to chapters a build publishes.
    for part in &mut parts {
        part.published = part
            .chapters
            .iter()
            .find(|c| !drafts.contains_key(&c.path))
            .map(|c| c.path.clone());
    }
    let first = parts
        .iter()
        .find_map(|p| p.published.as_deref())
        .map(|c| format!("{prefix}{c}"));
    let description = cfg
        .book
        .description
        .clone()
        .unwrap_or_else(|| title.clone());
    imp.files.insert(
        "index.md".into(),
        home(&title, &description, first.as_deref(), &parts, prefix).into_bytes(),
    );
    let language = cfg
        .book
        .language
        .clone()
        .unwrap_or_else(|| "zh-CN".to_owned());
    let css = book_css(book, &cfg.output.html, &mut imp);
    let head = Head {
        title: &title,
        description: &description,
        language: &language,
        extra_css: &css,
    };
    imp.files.insert(
        "guide.yaml".into(),
        guide_yaml(&head, &parts, prefix).into_bytes(),
    );
    Ok(imp)
}

/// The book's `additional-css`, copied to `assets/book/` (→ their guide paths, for
/// `extra_css`); its `additional-js` is reported, not carried over.
fn book_css(book: &Path, html: &HtmlTable, imp: &mut Imported) -> Vec<String> {
    let mut out = Vec::new();
    for rel in &html.additional_css {
        let path = book.join(rel);
        let name = Path::new(rel).file_name().and_then(|n| n.to_str());
        let to = name.map(|n| format!("assets/book/{n}"));
        match (std::fs::read(&path), to) {
            (Ok(bytes), Some(to)) if rel.ends_with(".css") && !imp.files.contains_key(&to) => {
                imp.files.insert(to.clone(), bytes);
                imp.report.note(
                    "book stylesheets carried over (guide.yaml `extra_css`)",
                    format!("{rel} → {to}"),
                );
                out.push(to);
            }
            _ => imp
                .report
                .note("book stylesheets not carried over", rel.clone()),
        }
    }
    for rel in &html.additional_js {
        imp.report.note(
            "book scripts not carried over (pages run only the theme's scripts)",
            rel.clone(),
        );
    }
    out
}

/// mdBook's drafts (`[标题]()`) have no file: each gets a name with `draft: true`, in its place
/// in the nav, so `serve` shows it and `build` leaves it out. → {path: title}.
fn name_drafts(
    entries: &mut [summary::Entry],
    src: &Path,
    report: &mut Report,
) -> BTreeMap<String, String> {
    let mut drafts: BTreeMap<String, String> = BTreeMap::new();
    for e in entries.iter_mut().filter(|e| e.path.is_none()) {
        let path = (drafts.len() + 1..)
            .map(|n| format!("drafts/draft-{n}.md"))
            .find(|p| !src.join(p).exists() && !drafts.contains_key(p))
            .expect("an unbounded range has a free name");
        report.note(
            "draft chapters written with `draft: true` (no file in SUMMARY.md; `serve` shows them)",
            format!("{}: {path}", e.title),
        );
        drafts.insert(path.clone(), e.title.clone());
        e.path = Some(path);
    }
    drafts
}

/// Keeps each part's chapters that are drafts or files inside `src/`, each once. → the files.
fn keep_book_files(
    parts: &mut [summary::Part],
    drafts: &BTreeMap<String, String>,
    src: &Path,
    report: &mut Report,
) -> BTreeSet<String> {
    let mut listed = BTreeSet::new();
    for part in parts {
        part.chapters.retain(|c| {
            let p = &c.path;
            if drafts.contains_key(p) {
                return true;
            }
            let why = if p.contains("://") || p.split('/').any(|s| s == "..") || p.starts_with('/')
            {
                "not a file inside src/"
            } else if !src.join(p).is_file() {
                "no such file"
            } else if !listed.insert(p.clone()) {
                "listed twice"
            } else {
                return true;
            };
            report.note("SUMMARY.md entries left out", format!("{p}: {why}"));
            false
        });
    }
    listed
}

fn read_text(path: &Path) -> Result<String, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let text = String::from_utf8(bytes).map_err(|_| {
        format!(
            "{} is not UTF-8; re-save it as UTF-8 and import again",
            path.display()
        )
    })?;
    Ok(text.replace("\r\n", "\n"))
}

/// Copies the other files under `src/` beside the chapters; Markdown not in SUMMARY.md is
/// left out (mdBook does not publish it either).
fn copy_others(
    src: &Path,
    prefix: &str,
    listed: &BTreeSet<String>,
    imp: &mut Imported,
) -> Result<(), String> {
    let walker = walkdir::WalkDir::new(src)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            e.depth() == 0 || !crate::load::is_ignored_name(&e.file_name().to_string_lossy())
        });
    for entry in walker {
        let entry = entry.map_err(|e| format!("cannot list {}: {e}", src.display()))?;
        if !entry.file_type().is_file() {
            continue;
        }
        let Some(rel) = entry
            .path()
            .strip_prefix(src)
            .ok()
            .and_then(Path::to_str)
            .map(|s| s.replace('\\', "/"))
        else {
            continue;
        };
        if rel == "SUMMARY.md" || listed.contains(&rel) {
            continue;
        }
        if rel.ends_with(".md") {
            imp.report
                .note("Markdown files not in SUMMARY.md, not copied", rel);
            continue;
        }
        let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
        if size > MAX_COPY_BYTES {
            imp.report.note("files over 8 MiB not copied", rel);
            continue;
        }
        let bytes = std::fs::read(entry.path())
            .map_err(|e| format!("cannot read {}: {e}", entry.path().display()))?;
        imp.files.insert(format!("{prefix}{rel}"), bytes);
        imp.report.other_files += 1;
    }
    Ok(())
}

/// A YAML scalar for any text: a JSON string is a valid YAML double-quoted scalar.
fn yaml_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_owned())
}

/// guide.yaml's settings above the nav.
struct Head<'a> {
    title: &'a str,
    description: &'a str,
    language: &'a str,
    extra_css: &'a [String],
}

fn guide_yaml(head: &Head, parts: &[summary::Part], prefix: &str) -> String {
    let mut y = String::new();
    y.push_str("# Imported from an mdBook book by `guidesmith import mdbook`.\n");
    y.push_str(&format!("title: {}\n", yaml_str(head.title)));
    y.push_str(&format!("description: {}\n", yaml_str(head.description)));
    y.push_str(&format!("language: {}\n", yaml_str(head.language)));
    y.push_str(&format!("updated: {}\n", today()));
    y.push_str("notice: \"本站由 guidesmith 从 mdBook 源文件导入生成，内容以原书为准。\"\n");
    // mdBook checks neither alt text nor heading anchors: both are listed as warnings.
    y.push_str("markdown:\n  html: safe\n  heading_ids: mdbook\n  rust_hidden_lines: true\n  missing_alt: warning\n  missing_anchors: warning\n");
    if !head.extra_css.is_empty() {
        y.push_str("extra_css:\n");
        for c in head.extra_css {
            y.push_str(&format!("  - {}\n", yaml_str(c)));
        }
    }
    y.push_str("nav:\n");
    for p in parts {
        y.push_str(&format!(
            "  - title: {}\n    chapters:\n",
            yaml_str(&p.title)
        ));
        nav_chapters(&mut y, &p.chapters, prefix);
    }
    y
}

/// A part's chapters as nav entries: a chapter with deeper ones after it becomes
/// `{chapter, sections}`. A level may rise by one at a time (an entry left out may leave a
/// gap), so each one's level is capped at one below the chapter before it.
fn nav_chapters(y: &mut String, chapters: &[summary::PartChapter], prefix: &str) {
    let mut levels = Vec::with_capacity(chapters.len());
    let mut prev = 0;
    for c in chapters {
        prev = c.level.min(prev + 1);
        levels.push(prev);
    }
    for (i, c) in chapters.iter().enumerate() {
        let indent = " ".repeat(6 + 4 * (levels[i] - 1));
        let path = yaml_str(&format!("{prefix}{}", c.path));
        if levels.get(i + 1).is_some_and(|&next| next > levels[i]) {
            y.push_str(&format!("{indent}- chapter: {path}\n{indent}  sections:\n"));
        } else {
            y.push_str(&format!("{indent}- {path}\n"));
        }
    }
}

fn home(
    title: &str,
    description: &str,
    first: Option<&str>,
    parts: &[summary::Part],
    prefix: &str,
) -> String {
    let link = |path: &str| format!("<{}>", path.replace('>', "%3E"));
    let mut h = format!(
        "---\ntitle: {}\ndescription: {}\n---\n\n{}\n\n",
        yaml_str(title),
        yaml_str(description),
        description
    );
    if let Some(first) = first {
        h.push_str(&format!("[开始阅读]({})\n\n## 目录\n\n", link(first)));
    }
    for p in parts {
        if let Some(c) = &p.published {
            let text = p.title.replace(['[', ']'], "");
            h.push_str(&format!("- [{text}]({})\n", link(&format!("{prefix}{c}"))));
        }
    }
    h
}

/// Today's date (UTC) as `YYYY-MM-DD`: guide.yaml's `updated`, to be reviewed.
pub(crate) fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    // Howard Hinnant's days-from-civil, inverted.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Writes the imported guide into `out`, which must not exist or be empty. New files only.
pub fn write(out: &Path, files: &BTreeMap<String, Vec<u8>>) -> Result<(), String> {
    if out.exists() {
        let mut entries =
            std::fs::read_dir(out).map_err(|e| format!("cannot read {}: {e}", out.display()))?;
        if entries.next().is_some() {
            return Err(format!(
                "{} is not empty; choose a new or empty folder",
                out.display()
            ));
        }
    }
    for (rel, bytes) in files {
        let path: PathBuf = out.join(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        use std::io::Write as _;
        std::fs::File::create_new(&path)
            .and_then(|mut f| f.write_all(bytes))
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_images_are_counted_in_markdown_and_html_not_in_code_or_links() {
        let text = "![a](https://x.org/a.png) ![b](img/b.png) ![c]( HTTP://x.org/c.png)\n\n\
                    <img width=\"20\" src=\"https://x.org/d.png\"> <img src='local.png'>\n\n\
                    [link](https://x.org/) `![e](https://x.org/e.png)`\n\n\
                    ```\n![f](https://x.org/f.png)\n```\n";
        assert_eq!(remote_images(text), 3);
    }

    #[test]
    fn today_is_a_plausible_date() {
        let t = today();
        assert!(crate::config::is_date(&t), "{t}");
        assert!(t.as_str() > "2024-01-01", "{t}");
    }

    #[test]
    fn nested_chapters_become_sections_and_a_gap_in_levels_closes() {
        let ch = |path: &str, level| summary::PartChapter {
            path: path.into(),
            level,
        };
        let mut y = String::new();
        let list = [ch("a.md", 1), ch("b.md", 2), ch("c.md", 3), ch("d.md", 2)];
        // e.md's parent was left out (level 3 after level 1): it nests one level, not two.
        nav_chapters(
            &mut y,
            &[&list[..], &[ch("e.md", 1), ch("f.md", 3)]].concat(),
            "",
        );
        assert_eq!(
            y,
            "      - chapter: \"a.md\"\n        sections:\n          - chapter: \"b.md\"\n            sections:\n              - \"c.md\"\n          - \"d.md\"\n      - chapter: \"e.md\"\n        sections:\n          - \"f.md\"\n"
        );
        let (c, d) = crate::load::parse_config_for_tests(&format!(
            "title: t\ndescription: d\nupdated: 2026-12-07\nnotice: n\nnav:\n  - title: p\n    chapters:\n{y}"
        ));
        assert!(d.is_empty(), "{d:?}");
        let nav = &c.expect("parses").nav[0].chapters;
        assert_eq!(
            nav[0].value.sections[0].value.sections[0].value.chapter,
            "c.md"
        );
    }

    #[test]
    fn guide_yaml_quotes_every_string_and_sets_mdbook_options() {
        let parts = vec![summary::Part {
            title: "入门: \"引号\"".into(),
            chapters: vec![summary::PartChapter {
                path: "ch01.md".into(),
                level: 1,
            }],
            published: None,
        }];
        let css = ["assets/book/ferris.css".to_owned()];
        let head = Head {
            title: "书",
            description: "说明",
            language: "zh-CN",
            extra_css: &css,
        };
        let y = guide_yaml(&head, &parts, "chapters/");
        assert!(
            y.contains("extra_css:\n  - \"assets/book/ferris.css\"\n"),
            "{y}"
        );
        assert!(
            y.contains(
                "  - title: \"入门: \\\"引号\\\"\"\n    chapters:\n      - \"chapters/ch01.md\"\n"
            ),
            "{y}"
        );
        assert!(y.contains("heading_ids: mdbook"), "{y}");
    }
}
