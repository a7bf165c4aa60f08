//! mdBook's `SUMMARY.md` → guidesmith's nav.
//!
//! mdBook's outline is prefix chapters, then numbered chapters nested to any depth (under
//! optional part headings), then suffix chapters. guidesmith's nav is parts → chapters →
//! sections, so each top-level numbered chapter becomes a part holding itself and every chapter
//! nested under it (depth-first, the reading order), with the nesting below it kept (up to
//! `NAV_MAX_DEPTH` levels; deeper chapters join the deepest level); prefix and suffix chapters
//! form parts of their own, named after the part heading above them, else the book's title. Draft chapters (`[标题]()`) have
//! no file: `import` gives each one (`draft: true`) before grouping, else they are left out.
//! Pure: text in, outline out.

use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};

/// One chapter line of SUMMARY.md.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub title: String,
    /// Book-relative path of the chapter (`src/`-relative); None for a draft.
    pub path: Option<String>,
    /// 0 for prefix and suffix chapters, else the list nesting (1 = top level).
    pub depth: usize,
    /// The part heading above it, if any.
    pub part: Option<String>,
}

/// A part of the imported nav.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub title: String,
    /// Depth-first, each with its nav level (1 = the part's own chapters).
    pub chapters: Vec<PartChapter>,
    /// Its first chapter that is not a draft (set by `import`, for the home page's links).
    pub published: Option<String>,
}

/// A chapter of a part and how deep it nests (1 = directly in the part, 2 = in the `sections`
/// of the level-1 chapter before it, …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartChapter {
    pub path: String,
    pub level: usize,
}

/// The nav level of a SUMMARY.md entry: a top-level chapter and the chapters one below it
/// share level 1 (the part is named after the former); deeper ones keep their nesting.
pub fn level(depth: usize) -> usize {
    depth
        .saturating_sub(1)
        .clamp(1, crate::config::NAV_MAX_DEPTH)
}

/// Every chapter line of SUMMARY.md, in order.
pub fn entries(summary: &str) -> Vec<Entry> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut part: Option<String> = None;
    let mut heading: Option<String> = None;
    let mut seen_content = false;
    let mut link: Option<(String, String)> = None;
    for ev in Parser::new(summary) {
        match ev {
            Event::Start(Tag::List(_)) => depth += 1,
            Event::End(TagEnd::List(_)) => depth = depth.saturating_sub(1),
            Event::Start(Tag::Heading { .. }) => heading = Some(String::new()),
            Event::End(TagEnd::Heading(level)) => {
                let text = heading.take().unwrap_or_default().trim().to_owned();
                // A first `# Summary` heading titles the file, not a part.
                if seen_content || level != HeadingLevel::H1 {
                    part = Some(text).filter(|t| !t.is_empty());
                }
                seen_content = true;
            }
            Event::Start(Tag::Link { dest_url, .. }) => {
                link = Some((dest_url.to_string(), String::new()));
            }
            Event::End(TagEnd::Link) => {
                if let Some((dest, title)) = link.take() {
                    let dest = dest.trim();
                    out.push(Entry {
                        title: title.trim().to_owned(),
                        path: (!dest.is_empty()).then(|| clean(dest)),
                        depth,
                        part: part.clone(),
                    });
                    seen_content = true;
                }
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, title)) = link.as_mut() {
                    title.push_str(&t);
                } else if let Some(h) = heading.as_mut() {
                    h.push_str(&t);
                }
            }
            Event::Rule => seen_content = true,
            _ => {}
        }
    }
    out
}

/// `./a/b%20c.md` → `a/b c.md`.
fn clean(dest: &str) -> String {
    let d = dest.split('#').next().unwrap_or(dest);
    let d = d.trim_start_matches("./");
    crate::markdown::percent_decode(d)
}

/// Groups chapter paths into parts (see the module header). `book_title` names loose chapters
/// with no part heading above them.
pub fn parts(entries: &[Entry], book_title: &str) -> Vec<Part> {
    let mut parts: Vec<Part> = Vec::new();
    // Whether the last part is a group of loose (prefix/suffix) chapters, and its heading.
    let mut loose: Option<Option<String>> = None;
    for e in entries {
        if e.depth <= 1 {
            let start_new = match (e.depth, &loose) {
                (0, Some(heading)) => heading != &e.part,
                _ => true,
            };
            if start_new {
                let title = if e.depth == 0 {
                    e.part.clone().unwrap_or_else(|| book_title.to_owned())
                } else {
                    e.title.clone()
                };
                parts.push(Part {
                    title,
                    chapters: Vec::new(),
                    published: None,
                });
            }
            loose = (e.depth == 0).then(|| e.part.clone());
        } else if parts.is_empty() {
            parts.push(Part {
                title: e.title.clone(),
                chapters: Vec::new(),
                published: None,
            });
        }
        if let (Some(path), Some(part)) = (&e.path, parts.last_mut()) {
            part.chapters.push(PartChapter {
                path: path.clone(),
                level: level(e.depth),
            });
        }
    }
    parts.retain(|p| !p.chapters.is_empty());
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUMMARY: &str = "# Summary\n\n[前言](foreword.md)\n[简介](./intro.md)\n\n## 入门\n\n- [入门指南](ch01.md)\n  - [安装](ch01-01.md)\n    - [更深](deep%20one.md)\n- [草稿]()\n  - [草稿下的一章](ch02-01.md)\n\n---\n\n[附录](appendix.md)\n";

    #[test]
    fn summary_lines_keep_titles_paths_depths_and_parts() {
        let e = entries(SUMMARY);
        let got: Vec<(&str, Option<&str>, usize, Option<&str>)> = e
            .iter()
            .map(|e| {
                (
                    e.title.as_str(),
                    e.path.as_deref(),
                    e.depth,
                    e.part.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("前言", Some("foreword.md"), 0, None),
                ("简介", Some("intro.md"), 0, None),
                ("入门指南", Some("ch01.md"), 1, Some("入门")),
                ("安装", Some("ch01-01.md"), 2, Some("入门")),
                ("更深", Some("deep one.md"), 3, Some("入门")),
                ("草稿", None, 1, Some("入门")),
                ("草稿下的一章", Some("ch02-01.md"), 2, Some("入门")),
                ("附录", Some("appendix.md"), 0, Some("入门")),
            ]
        );
    }

    #[test]
    fn top_level_chapters_become_parts_and_loose_chapters_group() {
        let p = parts(&entries(SUMMARY), "书名");
        let got: Vec<(&str, Vec<(&str, usize)>)> = p
            .iter()
            .map(|p| {
                (
                    p.title.as_str(),
                    p.chapters
                        .iter()
                        .map(|c| (c.path.as_str(), c.level))
                        .collect(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("书名", vec![("foreword.md", 1), ("intro.md", 1)]),
                (
                    "入门指南",
                    vec![("ch01.md", 1), ("ch01-01.md", 1), ("deep one.md", 2)]
                ),
                ("草稿", vec![("ch02-01.md", 1)]),
                ("入门", vec![("appendix.md", 1)]),
            ]
        );
    }
}
