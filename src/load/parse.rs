//! Parsing one file of the guide: `guide.yaml`, or a chapter's front matter. Pure functions of
//! the file's text; the keys that name a parse in the cache.

use crate::config::{self, GuideConfig};
use crate::diag::Diagnostic;
use crate::frontmatter;
use crate::markdown::page_url;
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
                    let line = text
                        .lines()
                        .position(|l| l.trim_start().starts_with(&format!("{key}:")))
                        .map_or(0, |i| i + 1);
                    let col = text
                        .lines()
                        .nth(line.saturating_sub(1))
                        .and_then(|l| l.find(':'))
                        .map_or(1, |c| c + 3);
                    let d = Diagnostic::error(
                        display,
                        format!("`{key}` must be an http(s):// address, found `{url}`"),
                    );
                    let d = if line > 0 { d.at(text, line, col) } else { d };
                    diags.push(
                        d.with_help("write the full address, e.g. https://example.org/guide/"),
                    );
                }
            }
            if !config::is_date(&c.updated) {
                diags.push(Diagnostic::error(
                    display,
                    format!(
                        "`updated` must be a date like 2026-11-24, found `{}`",
                        c.updated
                    ),
                ));
            }
            (Some(c), diags)
        }
        Err(d) => {
            diags.push(d);
            (None, diags)
        }
    }
}

/// The stem of a checklist file (`checklists/<stem>.yaml` or `.yml`, no deeper folder).
pub fn checklist_stem(rel: &str) -> Option<&str> {
    rel.strip_prefix("checklists/")
        .and_then(|s| s.strip_suffix(".yaml").or_else(|| s.strip_suffix(".yml")))
        .filter(|s| !s.contains('/'))
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
    let Some((start, end)) = split.yaml else {
        return Err(vec![Diagnostic::error(
            display,
            "chapter has no front matter",
        )
        .at(text, 1, 1)
        .with_help("start the file with ---, title: …, description: …, ---")]);
    };
    let yaml_text = &text[..end];
    let e = Embedded {
        path: display,
        file: yaml_text,
        start,
    };
    let front: FrontMatter = yaml::parse(&e).map_err(|mut d| {
        // Re-attach the full file's source line (the slice ends at the closing fence).
        if d.line > 0 {
            d.source_line = text.lines().nth(d.line - 1).map(str::to_owned);
        }
        vec![d]
    })?;
    let mut diags = Vec::new();
    if front.title.trim().is_empty() {
        diags.push(Diagnostic::error(display, "`title` is empty").at(text, 2, 1));
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
        part: None,
        key,
    })
}
