//! Parsing one file of the guide: `guide.yaml`, or a chapter's front matter. Pure functions of
//! the file's text; the keys that name a parse in the cache.

use crate::config::{self, GuideConfig};
use crate::diag::Diagnostic;
use crate::frontmatter;
use crate::markdown::{self, page_url, RenderOptions};
use crate::yaml::{self, Embedded};

use super::{Chapter, FrontMatter};

/// Parses and validates `guide.yaml`.
pub fn parse_config(text: &str, display: &str) -> (Option<GuideConfig>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let e = Embedded {
        path: display,
        file: text,
        start: 0,
    };
    match yaml::parse::<GuideConfig>(&e) {
        Ok(c) => {
            // URL-valued settings end up in href attributes (RELIABILITY X2).
            for (key, url) in [("base_url", &c.base_url), ("edit_url", &c.edit_url)] {
                let Some(url) = url else { continue };
                if !config::is_http_url(url) {
                    let d = Diagnostic::error(
                        display,
                        format!("`{key}` must be an http(s):// address, found `{url}`"),
                    );
                    diags.push(
                        at_key(d, text, key)
                            .with_help("write the full address, e.g. https://example.org/guide/"),
                    );
                }
            }
            diags.extend(check_synonyms(&c, &e));
            if !config::is_date(&c.updated) {
                let d = Diagnostic::error(
                    display,
                    format!(
                        "`updated` must be a date like 2026-11-24, found `{}`",
                        c.updated
                    ),
                );
                diags.push(at_key(d, text, "updated"));
            }
            (Some(c), diags)
        }
        Err(d) => {
            diags.push(d);
            (None, diags)
        }
    }
}

/// `d` located at the value of top-level key `key` of guide.yaml (the file unlocated if the key
/// is not written on a line of its own).
fn at_key(d: Diagnostic, text: &str, key: &str) -> Diagnostic {
    let found = text.lines().enumerate().find_map(|(i, l)| {
        let rest = l.strip_prefix(key)?.strip_prefix(':')?;
        let value = rest.trim_start().trim_start_matches(['"', '\'']);
        let col = l.len() - value.len();
        let value = value.trim_end().trim_end_matches(['"', '\'']);
        Some((i + 1, l[..col].chars().count() + 1, value.chars().count()))
    });
    match found {
        Some((line, col, len)) => d.at(text, line, col).with_len(len.max(1)),
        None => d,
    }
}

/// Each synonym group names the guide's word and at least one reader's word, and no word is
/// in two groups (search would not know which guide word it stands for).
fn check_synonyms(c: &GuideConfig, e: &Embedded) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    for group in &c.synonyms {
        let words = &group.value;
        if words.len() < 2 || words.iter().any(|w| w.trim().is_empty()) {
            diags.push(
                e.diag_at(
                    &group.referenced,
                    "a synonym group needs the guide's word and at least one reader's word",
                )
                .with_help("write e.g. `- [销户, 注销, 停号]`: the guide's word first"),
            );
        }
        for w in words {
            if !seen.insert(w.trim().to_lowercase()) {
                diags.push(
                    e.diag_at(&group.referenced, format!("`{w}` is in two synonym groups"))
                        .with_help("keep each word in one group"),
                );
            }
        }
    }
    diags
}

pub fn list_key(display: &str, rel: &str, text: &str) -> u64 {
    crate::digest::digest_parts(&[display.as_bytes(), rel.as_bytes(), text.as_bytes()])
}

pub fn config_key(display: &str, text: &str) -> u64 {
    crate::digest::digest_parts(&[display.as_bytes(), text.as_bytes()])
}

pub fn chapter_key(rel: &str, display: &str, text: &str) -> u64 {
    crate::digest::digest_parts(&[rel.as_bytes(), display.as_bytes(), text.as_bytes()])
}

pub fn parse_chapter(
    text: &str,
    rel: &str,
    display: &str,
    key: u64,
) -> Result<Chapter, Vec<Diagnostic>> {
    let split = frontmatter::split(text).map_err(|_| {
        vec![Diagnostic::error(display, "front matter is not closed")
            .at(text, 1, 1)
            .with_len(3)
            .with_help("add a line with only `---` after the front matter")]
    })?;
    // Without front matter, every field takes its default.
    let (start, end) = split.yaml.unwrap_or((0, 0));
    let yaml_text = &text[..end];
    let e = Embedded {
        path: display,
        file: yaml_text,
        start,
    };
    let front: FrontMatter = match split.yaml {
        Some(_) => yaml::parse(&e).map_err(|mut d| {
            // Re-attach the full file's source line (the slice ends at the closing fence).
            if d.line > 0 {
                d.source_line = text.lines().nth(d.line - 1).map(str::to_owned);
            }
            vec![d]
        })?,
        None => FrontMatter::default(),
    };
    let (front, title_h1) = title(front, &text[split.body_start..]);
    let mut diags = Vec::new();
    if front.title.trim().is_empty() {
        let d = Diagnostic::error(display, "chapter has no title");
        let d = match split.yaml {
            Some(_) => d.at(text, 2, 1),
            None => d.at(text, 1, 1),
        };
        diags.push(
            d.with_help("start the body with a `# 标题` line, or give front matter a `title:`"),
        );
    }
    if let Some(u) = &front.updated {
        if !config::is_date(&u.value) {
            diags.push(e.diag_at(
                &u.referenced,
                format!(
                    "`updated` must be a date like 2026-11-24, found `{}`",
                    u.value
                ),
            ));
        }
    }
    if let Some(b) = &front.search.boost {
        if !(super::MIN_BOOST..=super::MAX_BOOST).contains(&b.value) {
            diags.push(e.diag_at(
                &b.referenced,
                format!(
                    "`search.boost` must be between {} and {}, found {}",
                    super::MIN_BOOST,
                    super::MAX_BOOST,
                    b.value
                ),
            ));
        }
    }
    if !diags.is_empty() {
        return Err(diags);
    }
    Ok(Chapter {
        source: rel.to_owned(),
        display: display.to_owned(),
        url: page_url(rel),
        body_start: split.body_start,
        front_start: start,
        text: text.into(),
        front,
        render: RenderOptions {
            title_h1,
            ..RenderOptions::default()
        },
        part: None,
        ancestors: Vec::new(),
        key,
    })
}

/// The chapter's title: front matter's, else the body's leading `# H1`. True when that H1 is
/// the title (then the page shows it once, as its title): when it gave the title, or says the
/// same as front matter's.
fn title(mut front: FrontMatter, body: &str) -> (FrontMatter, bool) {
    let Some(h1) = markdown::leading_h1(body) else {
        return (front, false);
    };
    if front.title.trim().is_empty() {
        front.title = h1;
        return (front, true);
    }
    let same = front.title.trim() == h1;
    (front, same)
}

#[cfg(test)]
mod synonym_tests {
    use super::parse_config;

    const HEAD: &str = "title: t\ndescription: d\nupdated: 2026-12-07\nnotice: n\nnav: []\n";

    #[test]
    fn synonym_groups_need_two_words_and_no_word_twice() {
        let (c, diags) = parse_config(&format!("{HEAD}synonyms:\n  - [销户, 注销]\n"), "g.yaml");
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(
            c.map(|c| c.synonyms[0].value.clone()),
            Some(vec!["销户".to_owned(), "注销".to_owned()])
        );
        let (_, diags) = parse_config(
            &format!("{HEAD}synonyms:\n  - [销户]\n  - [扣费, 注销]\n  - [销号, 注销]\n"),
            "g.yaml",
        );
        let text: Vec<String> = diags
            .iter()
            .map(|d| format!("{}:{} {}", d.line, d.col, d.message))
            .collect();
        assert_eq!(text.len(), 2, "{text:?}");
        assert!(text[0].starts_with("7:5 a synonym group needs"), "{text:?}");
        assert!(
            text[1].starts_with("9:5 `注销` is in two synonym groups"),
            "{text:?}"
        );
    }
}
