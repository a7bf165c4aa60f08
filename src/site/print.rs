//! `print.html`: the whole guide on one page for printing (mdBook's print.html): a cover, the
//! contents, then every chapter in reading order, each starting on a new sheet (print CSS).
//!
//! Chapter bodies were rendered for their own pages, so here each one is made to live at the
//! site root beside the others: its ids get a per-chapter prefix (`c3-整理证据`), links to
//! another chapter become links to that chapter's part of this page, and other relative URLs
//! are rebased on the root.

use std::collections::HashMap;
use std::sync::Arc;

use crate::diag::Diagnostic;
use crate::markdown::resolve;
use crate::theme::{PageCtx, PrintChapterCtx, PrintPartCtx};

use super::context::home_crumb;
use super::pages::{assemble, list_keys, page_key, put, Inputs};
use super::{Cache, Site};

/// The page's site path.
pub const PRINT_PAGE: &str = "print.html";

/// Where chapter `n`'s body goes in the templated page (template output escapes `<` in data,
/// so only the template can produce this).
const BODY_MARK: &str = "<!--gs:print:";

/// Builds `print.html`: the page is templated with a mark for each chapter's body, and the
/// bodies (each made once per change of its chapter) are put in place after.
pub fn page(inp: &Inputs, cache: &mut Cache, site: &mut Site, diags: &mut Vec<Diagnostic>) {
    let cfg = &inp.guide.config;
    // Chapters (not the home page) in reading order: site path → index in the print.
    let order: Vec<usize> = (0..inp.pages.len())
        .filter(|&i| inp.pages[i].source != "index.md")
        .collect();
    let index: HashMap<&str, usize> = order
        .iter()
        .enumerate()
        .map(|(n, &i)| (inp.pages[i].url.as_str(), n))
        .collect();
    let mut parts: Vec<(Option<usize>, PrintPartCtx)> = Vec::new();
    for (n, &i) in order.iter().enumerate() {
        let page = inp.pages[i];
        if parts.last().is_none_or(|(p, _)| *p != page.part) {
            let title = page.part.and_then(|p| cfg.nav.get(p));
            parts.push((
                page.part,
                PrintPartCtx {
                    title: title.map(|p| p.title.clone()).unwrap_or_default(),
                    chapters: Vec::new(),
                },
            ));
        }
        let chapter = PrintChapterCtx {
            id: format!("c{n}"),
            title_id: format!(
                "c{n}-{}",
                inp.rendered[i].title_id.as_deref().unwrap_or("title")
            ),
            title: page.front.title.clone(),
            depth: page.ancestors.len(),
            summary: page.front.summary.clone(),
            body: format!("{BODY_MARK}{n}-->"),
        };
        if let Some((_, part)) = parts.last_mut() {
            part.chapters.push(chapter);
        }
    }
    let ctx = PageCtx {
        breadcrumbs: vec![home_crumb()],
        print: parts.into_iter().map(|(_, p)| p).collect(),
        ..inp
            .shared
            .blank("print", PRINT_PAGE, &format!("{}（打印版）", cfg.title))
    };
    let shell = cache.page(inp, "print.html", &ctx);
    let list_keys = list_keys(inp);
    let urls: Vec<&str> = order.iter().map(|&i| inp.pages[i].url.as_str()).collect();
    // Links between chapters depend on where every chapter is in the print.
    let order_key = crate::digest::digest_groups(&[&urls]);
    let mut body = |n: usize| -> String {
        let Some(&i) = order.get(n) else {
            return String::new();
        };
        let key = [page_key(inp, i, &list_keys), order_key, n as u64];
        let key = crate::digest::digest(&key.map(u64::to_le_bytes).concat());
        let make = || -> Result<String, ()> {
            let html = rebase(&inp.rendered[i].html, &inp.pages[i].url, n, &index);
            Ok(assemble(inp, &html, "", &format!("p{n}-"), PRINT_PAGE))
        };
        cache.fragment(key, make).unwrap_or_default()
    };
    let html = shell.map(|shell| Arc::new(splice(&String::from_utf8_lossy(&shell), &mut body)));
    put(site, diags, PRINT_PAGE.into(), html);
}

/// The templated page with each chapter's mark replaced by its body, made as it is reached (so
/// a large guide holds one chapter's body at a time, not all of them).
fn splice(shell: &str, body: &mut impl FnMut(usize) -> String) -> Vec<u8> {
    let mut out = String::with_capacity(shell.len());
    let mut rest = shell;
    while let Some(at) = rest.find(BODY_MARK) {
        out.push_str(&rest[..at]);
        let tail = &rest[at + BODY_MARK.len()..];
        let (n, after) = tail.split_once("-->").unwrap_or((tail, ""));
        if let Ok(n) = n.parse::<usize>() {
            out.push_str(&body(n));
        }
        rest = after;
    }
    out.push_str(rest);
    // Held until the site is written: no slack from growing.
    out.shrink_to_fit();
    out.into_bytes()
}

/// Chapter `n`'s HTML (rendered for `page`) as part of the print page at the site root.
fn rebase(html: &str, page: &str, n: usize, index: &HashMap<&str, usize>) -> String {
    rewrite_attrs(html, |name, value| match name {
        "id" => Some(format!("c{n}-{value}")),
        "aria-describedby" | "aria-labelledby" => Some(
            value
                .split(' ')
                .map(|id| format!("c{n}-{id}"))
                .collect::<Vec<_>>()
                .join(" "),
        ),
        "href" | "src" => {
            if let Some(frag) = value.strip_prefix('#') {
                return Some(format!("#c{n}-{frag}"));
            }
            if !is_relative(value) {
                return None;
            }
            let (path, frag) = value.split_once('#').unwrap_or((value, ""));
            let target = resolve(page, path)?;
            Some(match (index.get(target.as_str()), frag) {
                (Some(m), "") => format!("#c{m}"),
                (Some(m), f) => format!("#c{m}-{f}"),
                (None, "") => target,
                (None, f) => format!("{target}#{f}"),
            })
        }
        _ => None,
    })
}

fn is_relative(url: &str) -> bool {
    !url.is_empty()
        && !url.starts_with('/')
        && !url
            .split(['/', '?', '#'])
            .next()
            .is_some_and(|first| first.contains(':'))
}

/// Calls `f(name, value)` for every quoted attribute in `html` and replaces the value when it
/// returns Some. Our renderer quotes every attribute with `"` and escapes `"` in text, so each
/// `="` is an attribute.
fn rewrite_attrs(html: &str, mut f: impl FnMut(&str, &str) -> Option<String>) -> String {
    let mut out = String::with_capacity(html.len() + html.len() / 16);
    let mut rest = html;
    while let Some(eq) = rest.find("=\"") {
        let head = &rest[..eq];
        let name_start = head
            .rfind(|c: char| c.is_ascii_whitespace())
            .map_or(0, |s| s + 1);
        let name = &head[name_start..];
        let value_start = eq + 2;
        let Some(len) = rest[value_start..].find('"') else {
            break;
        };
        let value = &rest[value_start..value_start + len];
        out.push_str(&rest[..value_start]);
        match f(name, value) {
            Some(v) => out.push_str(&v),
            None => out.push_str(value),
        }
        out.push('"');
        rest = &rest[value_start + len + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_prefixed_and_links_point_into_the_print_page() {
        let mut index = HashMap::new();
        index.insert("prepare/evidence.html", 2);
        index.insert("intro.html", 0);
        let html = "<h2 id=\"整理证据\">整理证据</h2><p><a href=\"evidence.html#%E6%95%B4\">a</a> \
            <a href=\"../intro.html\">b</a> <a href=\"#x\">c</a> <a href=\"../checklists/evidence.html\">d</a> \
            <a href=\"https://example.org/a\">e</a> <img src=\"../assets/p.svg\" alt=\"p=&quot;1&quot;\"></p>";
        let out = rebase(html, "prepare/problem.html", 1, &index);
        assert_eq!(
            out,
            "<h2 id=\"c1-整理证据\">整理证据</h2><p><a href=\"#c2-%E6%95%B4\">a</a> \
            <a href=\"#c0\">b</a> <a href=\"#c1-x\">c</a> <a href=\"checklists/evidence.html\">d</a> \
            <a href=\"https://example.org/a\">e</a> <img src=\"assets/p.svg\" alt=\"p=&quot;1&quot;\"></p>"
        );
    }
}
