//! Cross-checks after reading: nav ↔ chapter files, and output paths that two sources would
//! share.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use crate::checklist::Checklist;
use crate::config::GuideConfig;
use crate::diag::{self, Diagnostic};
use crate::markdown::page_url;
use crate::yaml::Embedded;

use super::Chapter;

/// Puts the chapters in nav order (each into its part), and reports nav entries that are
/// listed twice or have no file, and chapters that nav does not list (a warning: they are not
/// published; their paths are returned, sorted).
pub fn order(
    config: &GuideConfig,
    config_text: &str,
    mut chapters: HashMap<String, Chapter>,
    files: &[(String, PathBuf)],
    show: &dyn Fn(&str) -> String,
    diags: &mut Vec<Diagnostic>,
) -> (Vec<Chapter>, Vec<String>) {
    let cfg_display = show("guide.yaml");
    let cfg_src = Embedded {
        path: &cfg_display,
        file: config_text,
        start: 0,
    };
    let mut ordered = Vec::new();
    let mut seen: HashMap<&str, (usize, usize)> = HashMap::new();
    for (pi, part) in config.nav.iter().enumerate() {
        for entry in &part.chapters {
            let pos = cfg_src.file_pos(&entry.referenced);
            if let Some((l, c)) = seen.get(entry.value.as_str()) {
                diags.push(
                    cfg_src
                        .diag_at(
                            &entry.referenced,
                            format!("`{}` is listed twice in nav", entry.value),
                        )
                        .with_help(format!("first listed at line {l}, column {c}")),
                );
                continue;
            }
            seen.insert(&entry.value, pos);
            match chapters.remove(&entry.value) {
                Some(mut ch) => {
                    ch.part = Some(pi);
                    ordered.push(ch);
                }
                None => {
                    let known = files.iter().any(|(r, _)| *r == entry.value);
                    let msg = if known {
                        format!(
                            "nav entry `{}` could not be loaded (see its own error)",
                            entry.value
                        )
                    } else {
                        format!("nav entry `{}` has no file", entry.value)
                    };
                    let cands: Vec<&str> = files
                        .iter()
                        .map(|(r, _)| r.as_str())
                        .filter(|r| r.ends_with(".md"))
                        .collect();
                    let mut d = cfg_src.diag_at(&entry.referenced, msg);
                    if !known {
                        d = d.with_help(match diag::did_you_mean(&entry.value, cands) {
                            Some(s) => format!("did you mean `{s}`?"),
                            None => "create the file, or remove the entry from nav".into(),
                        });
                    }
                    diags.push(d);
                }
            }
        }
    }
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
