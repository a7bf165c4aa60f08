//! Cross-checks after reading: nav ↔ chapter files, output paths that two sources would
//! share, and guide.yaml's `extra_css` ↔ the guide's files.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;

use crate::checklist::Checklist;
use serde_saphyr::Spanned;

use crate::config::{GuideConfig, NavEntry, NAV_MAX_DEPTH};
use crate::diag::{self, Diagnostic};
use crate::markdown::page_url;
use crate::yaml::Embedded;

use super::Chapter;

/// Puts the chapters in nav order, depth-first (each into its part, with the chapters it is
/// nested under), and reports nav entries that are listed twice, have no file or nest deeper
/// than `NAV_MAX_DEPTH`, and chapters that nav does not list (a warning: they are not
/// published; their paths are returned, sorted).
pub fn order(
    config: &GuideConfig,
    config_text: &str,
    chapters: HashMap<String, Chapter>,
    files: &[(String, PathBuf)],
    failed: &BTreeSet<String>,
    show: &dyn Fn(&str) -> String,
    diags: &mut Vec<Diagnostic>,
) -> (Vec<Chapter>, Vec<String>) {
    let cfg_display = show("guide.yaml");
    let mut walk = Walk {
        src: Embedded {
            path: &cfg_display,
            file: config_text,
            start: 0,
        },
        chapters,
        files,
        failed,
        seen: HashMap::new(),
        ordered: Vec::new(),
        diags,
    };
    for (pi, part) in config.nav.iter().enumerate() {
        walk.entries(&part.chapters, pi, &mut Vec::new());
    }
    let Walk {
        ordered, chapters, ..
    } = walk;
    let mut missing: Vec<_> = chapters.into_values().collect();
    missing.sort_by(|a, b| a.source.cmp(&b.source));
    for ch in &missing {
        diags.push(
            Diagnostic::warning(
                ch.display.clone(),
                "chapter is not listed in guide.yaml nav, so it is not published",
            )
            .with_help(format!(
                "add `- {}` to a part's chapters in guide.yaml, or move the file out of guide/",
                ch.source
            )),
        );
    }
    (ordered, missing.into_iter().map(|c| c.source).collect())
}

/// Each `extra_css` entry is a `.css` file of the guide.
pub fn extra_css(
    config: &GuideConfig,
    config_text: &str,
    assets: &BTreeMap<String, Vec<u8>>,
    show: &dyn Fn(&str) -> String,
    diags: &mut Vec<Diagnostic>,
) {
    let display = show("guide.yaml");
    let src = Embedded {
        path: &display,
        file: config_text,
        start: 0,
    };
    for css in &config.extra_css {
        let path = css.value.as_str();
        let problem = if !path.ends_with(".css") {
            format!("`extra_css` lists `{path}`, which is not a `.css` file")
        } else if !assets.contains_key(path) {
            format!("`extra_css` lists `{path}`, which is not a file of the guide")
        } else {
            continue;
        };
        let help = match diag::did_you_mean(
            path,
            assets.keys().map(String::as_str).filter(|a| a.ends_with(".css")),
        ) {
            Some(s) => format!("did you mean `{s}`?"),
            None => "put the stylesheet under guide/ (e.g. guide/assets/book.css) and list its guide-relative path".into(),
        };
        diags.push(src.diag_at(&css.referenced, problem).with_help(help));
    }
}

/// The nav walk's state: chapters not yet placed, paths seen (and where), the order so far.
struct Walk<'a> {
    src: Embedded<'a>,
    chapters: HashMap<String, Chapter>,
    files: &'a [(String, PathBuf)],
    failed: &'a BTreeSet<String>,
    seen: HashMap<String, (usize, usize)>,
    ordered: Vec<Chapter>,
    diags: &'a mut Vec<Diagnostic>,
}

impl Walk<'_> {
    /// Places `entries` of part `pi` nested under `ancestors`, each before its sections.
    fn entries(&mut self, entries: &[Spanned<NavEntry>], pi: usize, ancestors: &mut Vec<String>) {
        for entry in entries {
            let at = NavEntry::path_at(entry);
            let path = &entry.value.chapter;
            if ancestors.len() >= NAV_MAX_DEPTH {
                self.diags.push(
                    self.src
                        .diag_at(&at, format!("`{path}` is nested too deeply in nav"))
                        .with_help(format!(
                            "nav nests at most {NAV_MAX_DEPTH} levels of chapters below a part; \
                             list it in the `sections` of a chapter higher up"
                        )),
                );
                // Known, just misplaced: not "unlisted" as well.
                self.chapters.remove(path);
                continue;
            }
            if let Some((l, c)) = self.seen.get(path.as_str()) {
                self.diags.push(
                    self.src
                        .diag_at(&at, format!("`{path}` is listed twice in nav"))
                        .with_help(format!("first listed at line {l}, column {c}")),
                );
                continue;
            }
            self.seen.insert(path.clone(), self.src.file_pos(&at));
            match self.chapters.remove(path) {
                Some(mut ch) => {
                    ch.part = Some(pi);
                    ch.ancestors = ancestors.clone();
                    self.ordered.push(ch);
                }
                None => self.no_file(path, &at),
            }
            if !entry.value.sections.is_empty() {
                ancestors.push(path.clone());
                self.entries(&entry.value.sections, pi, ancestors);
                ancestors.pop();
            }
        }
    }

    /// A nav entry without a loaded chapter: no such file, or one that is not a chapter. One
    /// that failed to load says nothing more: its own error is the root cause.
    fn no_file(&mut self, path: &str, at: &serde_saphyr::Location) {
        if self.failed.contains(path) {
            return;
        }
        let known = self.files.iter().any(|(r, _)| r == path);
        let msg = if known {
            format!("nav entry `{path}` is not a chapter (nav lists the `.md` files of chapters; `index.md` is the home page)")
        } else {
            format!("nav entry `{path}` has no file")
        };
        let cands: Vec<&str> = self
            .files
            .iter()
            .map(|(r, _)| r.as_str())
            .filter(|r| r.ends_with(".md"))
            .collect();
        let mut d = self.src.diag_at(at, msg);
        if !known {
            d = d.with_help(match diag::did_you_mean(path, cands) {
                Some(s) => format!("did you mean `{s}`?"),
                None => "create the file, or remove the entry from nav".into(),
            });
        }
        self.diags.push(d);
    }
}

/// Two sources, one output path (O7), including case-only differences.
pub fn output_collisions(
    home: Option<&Chapter>,
    ordered: &[Chapter],
    checklists: &[Checklist],
    assets: &BTreeMap<String, Vec<u8>>,
    diags: &mut Vec<Diagnostic>,
) {
    let mut outputs: HashMap<String, &str> = HashMap::new();
    let pages = home
        .into_iter()
        .chain(ordered.iter())
        .map(|c| (c.url.clone(), c.display.as_str()));
    let lists = checklists
        .iter()
        .map(|c| (page_url(&c.source), c.source.as_str()));
    let asset_urls = assets.keys().map(|a| (page_url(a), a.as_str()));
    for (url, src) in pages.chain(lists).chain(asset_urls) {
        if let Some(first) = outputs.insert(url.to_lowercase(), src) {
            diags.push(
                Diagnostic::error(
                    src.to_owned(),
                    format!("`{src}` and `{first}` would both be written to `{url}`"),
                )
                .with_help("rename one of them; output paths must differ in more than letter case"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::parse::{parse_chapter, parse_config};

    const HEAD: &str = "title: t\ndescription: d\nupdated: 2026-12-07\nnotice: n\n";

    /// guide.yaml with `nav` → the diagnostics as `line:col message`, and the config.
    fn config(nav: &str) -> (Option<GuideConfig>, Vec<String>, String) {
        let text = format!("{HEAD}{nav}");
        let (c, diags) = parse_config(&text, "guide.yaml");
        let d = diags
            .iter()
            .map(|d| format!("{}:{} {}", d.line, d.col, d.message))
            .collect();
        (c, d, text)
    }

    /// Orders chapters `a.md` … named in `nav` (every one exists): → (source, part, ancestors)
    /// in order, and the diagnostics as `line:col message`.
    /// A placed chapter: source, part index, ancestors.
    type Placed = (String, usize, Vec<String>);

    fn ordered(nav: &str) -> (Vec<Placed>, Vec<String>) {
        let (c, d, text) = config(nav);
        assert!(d.is_empty(), "{d:?}");
        let c = c.expect("the nav parses");
        let names = ["a", "b", "c", "d", "e", "f", "g"];
        let chapters: HashMap<String, Chapter> = names
            .iter()
            .map(|n| {
                let rel = format!("{n}.md");
                let ch = parse_chapter(&format!("# {n}\n"), &rel, &rel, 0).expect("a chapter");
                (rel, ch)
            })
            .collect();
        let files: Vec<(String, PathBuf)> = chapters
            .keys()
            .map(|r| (r.clone(), PathBuf::from(r)))
            .collect();
        let mut diags = Vec::new();
        let (order, _) = order(
            &c,
            &text,
            chapters,
            &files,
            &Default::default(),
            &|s| s.to_owned(),
            &mut diags,
        );
        let got = order
            .into_iter()
            .map(|ch| (ch.source, ch.part.unwrap_or(99), ch.ancestors))
            .collect();
        let d = diags
            .iter()
            .filter(|d| d.line > 0)
            .map(|d| format!("{}:{} {}", d.line, d.col, d.message))
            .collect();
        (got, d)
    }

    #[test]
    fn nav_entries_are_paths_or_chapters_with_sections_in_depth_first_order() {
        let (got, d) = ordered(
            "nav:\n  - title: 一\n    chapters:\n      - a.md\n      - chapter: b.md\n        sections:\n          - c.md\n          - chapter: d.md\n            sections: [e.md]\n      - f.md\n  - title: 二\n    chapters:\n      - {chapter: g.md}\n",
        );
        assert!(d.is_empty(), "{d:?}");
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            got,
            [
                ("a.md".into(), 0, s(&[])),
                ("b.md".into(), 0, s(&[])),
                ("c.md".into(), 0, s(&["b.md"])),
                ("d.md".into(), 0, s(&["b.md"])),
                ("e.md".into(), 0, s(&["b.md", "d.md"])),
                ("f.md".into(), 0, s(&[])),
                ("g.md".into(), 1, s(&[])),
            ]
        );
    }

    #[test]
    fn nav_nested_deeper_than_four_levels_is_an_error_at_the_entry() {
        let (got, d) = ordered(
            "nav:\n  - title: 一\n    chapters:\n      - chapter: a.md\n        sections:\n          - chapter: b.md\n            sections:\n              - chapter: c.md\n                sections:\n                  - chapter: d.md\n                    sections:\n                      - e.md\n",
        );
        assert_eq!(d, ["16:25 `e.md` is nested too deeply in nav"], "{got:?}");
        assert_eq!(got.len(), 4);
        assert_eq!(got[3].2, ["a.md", "b.md", "c.md"]);
    }

    #[test]
    fn nav_entry_listed_twice_in_sections_points_at_both() {
        let (_, d) = ordered(
            "nav:\n  - title: 一\n    chapters:\n      - chapter: a.md\n        sections: [b.md]\n      - b.md\n",
        );
        assert_eq!(d, ["10:9 `b.md` is listed twice in nav"]);
    }

    #[test]
    fn bad_nav_entry_shapes_are_located_errors() {
        for (nav, want) in [
            (
                "      - chapter: a.md\n        section: [b.md]\n",
                "9:9 unknown field `section`",
            ),
            ("      - sections: [b.md]\n", "8:9"),
            ("      - [a.md, b.md]\n", "8:9"),
            ("      - chapter: a.md\n        sections: b.md\n", "9:19"),
        ] {
            let (_, d, _) = config(&format!("nav:\n  - title: 一\n    chapters:\n{nav}"));
            assert_eq!(d.len(), 1, "{nav}: {d:?}");
            assert!(d[0].starts_with(want), "{nav}: {d:?}");
        }
    }
}
