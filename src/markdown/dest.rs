//! Link and image destinations: the scheme allowlist, and internal paths resolved to a
//! `Target` (checked later by `links`) and rewritten to page-relative URLs.
//!
//! Accepted besides `.md`/`.yaml` paths: `#` alone (the top of the page), an empty
//! destination (a warning: it points at the page itself), a chapter's `.html` page name
//! (mdBook style) and an extension-less chapter name. Refused: unsafe schemes,
//! protocol-relative and absolute paths, paths leaving the guide, and remote images, which the
//! pages' Content-Security-Policy (`img-src 'self' data:`) would block, unless the guide sets
//! `markdown.remote_images: allow` (then `https:` images only).

use pulldown_cmark::CowStr;

use super::html::Span;
use super::{page_url, percent_decode, resolve, root_prefix, Outside, Renderer, Target};

impl<'a> Renderer<'_, 'a> {
    /// Checks a link destination and rewrites internal ones to page-relative URLs.
    pub(super) fn link_dest(&mut self, dest: &CowStr<'a>, at: Span, image: bool) -> CowStr<'a> {
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
                    self.error_at(
                        at,
                        format!("link scheme `{scheme}:` is not allowed"),
                        "use http(s):, mailto:, tel: or a relative path to a file in the guide",
                    );
                    return CowStr::Borrowed("#");
                }
                if scheme == "http" || scheme == "https" {
                    let (line, col, len) = self.position(at);
                    let url = dest.trim().to_owned();
                    self.res.outside.push(Outside {
                        url,
                        line,
                        col,
                        len,
                    });
                }
                if image && !(self.options.remote_images && scheme == "https") {
                    self.error_at(
                        at,
                        "remote image would be blocked by the pages' Content-Security-Policy".into(),
                        "pages load images only from the site itself: download the image into the guide (e.g. guide/assets/) and link to it relatively, or let pages show https: images with `markdown: {remote_images: allow}` in guide.yaml",
                    );
                }
                return dest.clone();
            }
        }
        if squeezed.starts_with("//") {
            self.error_at(
                at,
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
        if trimmed.is_empty() {
            self.warning_at(
                at,
                "link has no destination: it leads to this same page".into(),
                "write where it should lead between the parentheses, e.g. [文字](other.md), or remove the link",
            );
            return CowStr::Borrowed("");
        }
        if let Some(frag) = trimmed.strip_prefix('#') {
            // `#` alone is the top of the page (「回到顶部」): nothing to check.
            if !frag.is_empty() {
                let link = self.link(Target::Fragment(percent_decode(frag)), at);
                self.res.links.push(link);
            }
            return dest.clone();
        }
        let (path, fragment) = match trimmed.split_once('#') {
            Some((p, f)) => (p, Some(percent_decode(f)).filter(|f| !f.is_empty())),
            None => (trimmed, None),
        };
        let path = path.split('?').next().unwrap_or(path);
        if path.starts_with('/') {
            self.error_at(
                at,
                format!("absolute path `{path}` would break when the site is opened from a folder"),
                "use a path relative to this file, e.g. ../prepare/evidence.md",
            );
            return CowStr::Borrowed("#");
        }
        let Some(resolved) = resolve(self.input.source, &percent_decode(path)) else {
            self.error_at(
                at,
                format!("link `{path}` points outside the guide directory"),
                "link only to files inside guide/",
            );
            return CowStr::Borrowed("#");
        };
        let (target, page) = classify(resolved, fragment.clone(), image);
        let link = self.link(target, at);
        self.res.links.push(link);
        let mut url = root_prefix(&self.page);
        url.push_str(&page_url(&page));
        if let Some(f) = fragment {
            url.push('#');
            url.push_str(&f);
        }
        CowStr::Boxed(url.into_boxed_str())
    }
}

/// What a resolved guide-relative path names, and the source whose page URL the link gets.
fn classify(resolved: String, fragment: Option<String>, image: bool) -> (Target, String) {
    let name = resolved.rsplit('/').next().unwrap_or("");
    if resolved.ends_with(".md") {
        let page = resolved.clone();
        return (
            Target::Chapter {
                source: resolved,
                fragment,
            },
            page,
        );
    }
    if resolved.starts_with("checklists/")
        && (resolved.ends_with(".yaml") || resolved.ends_with(".yml"))
    {
        let page = resolved.clone();
        return (
            Target::Checklist {
                source: resolved,
                fragment,
            },
            page,
        );
    }
    if crate::source::tool_stem(&resolved).is_some() {
        let page = resolved.clone();
        return (Target::Tool { source: resolved }, page);
    }
    if !image {
        if let Some(stem) = resolved.strip_suffix(".html") {
            // mdBook style: `foo.html` is the page of `foo.md`; both have the same URL.
            let source = format!("{stem}.md");
            return (
                Target::Page {
                    source,
                    file: resolved.clone(),
                    fragment,
                },
                resolved,
            );
        }
        if !name.is_empty() && !name.contains('.') {
            // `foo` (no extension, as GitHub Pages serves it): the chapter `foo.md`.
            let source = format!("{resolved}.md");
            return (
                Target::Chapter {
                    source: source.clone(),
                    fragment,
                },
                source,
            );
        }
    }
    let page = resolved.clone();
    (Target::Asset { source: resolved }, page)
}
