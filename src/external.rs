//! `check --external`: are the guide's outside links (http, https) still reachable?
//!
//! Off by default and in CI (no network there). Only `check` calls it, after the normal build
//! checks. Each distinct URL is asked once with `curl -sS -o /dev/null -w '%{http_code}'
//! --max-time 10 -I URL` (a HEAD request); a status of 400 or more, or no answer, is an error at
//! every place the URL is linked. Without curl on PATH it is one warning. Never writes.

use std::collections::BTreeMap;
use std::process::Command;

use pulldown_cmark::{Event, Parser, Tag};

use crate::diag::{Diagnostic, LineIndex};
use crate::load;
use crate::markdown;
use crate::site::BuildOptions;

/// Most URLs asked at the same time.
const PARALLEL: usize = 4;

/// One place an outside URL is linked from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occurrence {
    pub url: String,
    pub display: String,
    /// Byte offset in the chapter file and the link's length in bytes.
    pub offset: usize,
    pub len: usize,
}

/// The answer for one URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// An HTTP status code.
    Code(u16),
    /// curl could not connect or timed out; its message.
    Unreachable(String),
}

/// Checks every outside link of the guide with curl.
pub fn check(opts: &BuildOptions) -> Vec<Diagnostic> {
    let (guide, _) = load::load(&opts.load);
    let Some(guide) = guide else {
        // `load`'s own diagnostics were already reported by the normal check.
        return Vec::new();
    };
    let pages: Vec<&load::Chapter> = guide.home.iter().chain(guide.chapters.iter()).collect();
    let mut found = Vec::new();
    for p in &pages {
        found.extend(links_in(&p.display, &p.text, p.body_start));
    }
    if found.is_empty() {
        return Vec::new();
    }
    if Command::new("curl").arg("--version").output().is_err() {
        return vec![Diagnostic::warning(
            guide.display_root.clone(),
            format!(
                "curl was not found, so {} outside link(s) were not checked",
                found.len()
            ),
        )
        .with_help("install curl (e.g. `apt-get install curl`) and run `guidesmith check --external` again")];
    }
    let mut urls: Vec<&str> = found.iter().map(|o| o.url.as_str()).collect();
    urls.sort_unstable();
    urls.dedup();
    let status = ask_all(&urls);
    let texts: BTreeMap<&str, &str> = pages
        .iter()
        .map(|p| (p.display.as_str(), &*p.text))
        .collect();
    let mut diags = Vec::new();
    for o in &found {
        let Some(st) = status.get(o.url.as_str()) else {
            continue;
        };
        let problem = match st {
            Status::Code(c) if *c < 400 => continue,
            Status::Code(c) => format!("outside link returned HTTP {c}: {}", o.url),
            Status::Unreachable(why) => {
                format!("outside link could not be reached: {} ({why})", o.url)
            }
        };
        let d = Diagnostic::error(o.display.clone(), problem).with_help(
            "fix or remove the link; some servers refuse HEAD requests, so open it in a browser to confirm",
        );
        let d = match texts.get(o.display.as_str()) {
            Some(text) => LineIndex::new(text).diag(d, o.offset, o.len),
            None => d,
        };
        diags.push(d);
    }
    diags
}

/// Every http(s) link or image in a chapter body, with its position in the file.
pub fn links_in(display: &str, file: &str, body_start: usize) -> Vec<Occurrence> {
    let body = file.get(body_start..).unwrap_or("");
    let mut out = Vec::new();
    for (ev, range) in Parser::new_ext(body, markdown::options()).into_offset_iter() {
        let dest = match &ev {
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => dest_url,
            _ => continue,
        };
        let lower = dest.trim().to_ascii_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") {
            out.push(Occurrence {
                url: dest.trim().to_owned(),
                display: display.to_owned(),
                offset: body_start + range.start,
                len: range.end - range.start,
            });
        }
    }
    out
}

/// Asks each URL with curl, a few at a time.
fn ask_all<'u>(urls: &[&'u str]) -> BTreeMap<&'u str, Status> {
    let chunk = urls.len().div_ceil(PARALLEL).max(1);
    std::thread::scope(|s| {
        let handles: Vec<_> = urls
            .chunks(chunk)
            .map(|part| s.spawn(move || part.iter().map(|u| (*u, ask(u))).collect::<Vec<_>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    })
}

/// One HEAD request through curl.
pub fn ask(url: &str) -> Status {
    let out = Command::new("curl")
        .args([
            "-sS",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            "--max-time",
            "10",
            "-I",
        ])
        .arg("--")
        .arg(url)
        .output();
    match out {
        Err(e) => Status::Unreachable(format!("curl did not run: {e}")),
        Ok(o) => {
            let code = String::from_utf8_lossy(&o.stdout)
                .trim()
                .parse::<u16>()
                .unwrap_or(0);
            if code == 0 {
                let msg = String::from_utf8_lossy(&o.stderr);
                let msg = msg.lines().next().unwrap_or("no response").trim();
                let msg = msg.strip_prefix("curl: ").unwrap_or(msg);
                Status::Unreachable(msg.to_owned())
            } else {
                Status::Code(code)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_http_links_and_images_with_positions() {
        let file = "---\ntitle: t\n---\n见 [工信部](https://www.miit.gov.cn/) 和 [本地](a.md)。\n![图](HTTP://x.example/a.png)\n";
        let found = links_in("g/a.md", file, 16);
        let urls: Vec<&str> = found.iter().map(|o| o.url.as_str()).collect();
        assert_eq!(urls, ["https://www.miit.gov.cn/", "HTTP://x.example/a.png"]);
        assert_eq!(&file[found[0].offset..found[0].offset + 1], "[");
    }
}
