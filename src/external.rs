//! `check --external`: are the guide's outside links (http, https) still reachable?
//!
//! Off by default and in CI (no network there). Only `check` calls it, with the outside links
//! the build's render pass found (`site::Built::outside`), so nothing is read or parsed again.
//! Each distinct URL is asked once with `curl -sS -o /dev/null -w '%{http_code}' --max-time 10
//! -I URL` (a HEAD request); a status of 400 or more, or no answer, is an error at every place
//! the URL is linked. Without curl on PATH it is one warning. Never writes.

use std::collections::BTreeMap;
use std::process::Command;
use std::sync::Arc;

use crate::diag::Diagnostic;

/// Most URLs asked at the same time.
const PARALLEL: usize = 4;

/// One place an outside URL is linked from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occurrence {
    pub url: String,
    /// The chapter as shown in diagnostics, and its text (for the source line).
    pub display: String,
    pub text: Arc<str>,
    /// 1-based line and column, length in characters.
    pub line: usize,
    pub col: usize,
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

/// Checks every outside link with curl. `root` is the guide folder as shown (for the warning
/// when curl is missing).
pub fn check(root: &str, found: &[Occurrence]) -> Vec<Diagnostic> {
    if found.is_empty() {
        return Vec::new();
    }
    if Command::new("curl").arg("--version").output().is_err() {
        return vec![Diagnostic::warning(
            root,
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
    let mut diags = Vec::new();
    for o in found {
        let problem = match status.get(o.url.as_str()) {
            None | Some(Status::Code(0..=399)) => continue,
            Some(Status::Code(c)) => format!("outside link returned HTTP {c}: {}", o.url),
            Some(Status::Unreachable(why)) => {
                format!("outside link could not be reached: {} ({why})", o.url)
            }
        };
        let d = Diagnostic::error(o.display.clone(), problem)
            .at(&o.text, o.line, o.col)
            .with_len(o.len)
            .with_help(
                "fix or remove the link; some servers refuse HEAD requests, so open it in a browser to confirm",
            );
        diags.push(d);
    }
    diags
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
