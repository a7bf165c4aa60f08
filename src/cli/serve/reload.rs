//! Live reload: the published site, its build number, and what changed between builds.
//!
//! The rebuild thread publishes each new site here; request tasks take a snapshot (one `Arc`)
//! and answer from it alone, so no response mixes two builds (W7). Live-reload sockets
//! (`live.rs`) are told through a `watch` channel that is bumped only after the new snapshot is
//! in place, so a reload always sees the complete new site. The build number rises only when
//! the site's bytes change. The live-reload snippet (and, in serve mode only, the page CSP's
//! `connect-src` for the socket) is added to HTML responses here, never to the `Site` itself,
//! which stays byte-identical to `guidesmith build`.

use std::collections::{BTreeSet, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

use serde::Serialize;
use tokio::sync::watch;

use crate::diag::Diagnostic;
use crate::site::Site;

/// The live-reload client, served at `/__gs/live.js`.
pub const LIVE_JS: &str = include_str!("live.js");

/// How many earlier builds' change sets (and sites, for hashed assets) are remembered.
const HISTORY: usize = 16;

/// One published build: the site and its number. Immutable once published.
#[derive(Debug)]
pub struct Snapshot {
    pub build: u64,
    pub site: Arc<Site>,
}

/// A diagnostic as the browser overlay receives it: the fields plus the rendered text
/// (`file:line:col`, source line, caret, help) exactly as the terminal shows it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct WireDiag {
    pub severity: &'static str,
    pub path: String,
    pub line: usize,
    pub col: usize,
    pub message: String,
    pub help: Option<String>,
    pub text: String,
}

impl From<&Diagnostic> for WireDiag {
    fn from(d: &Diagnostic) -> WireDiag {
        WireDiag {
            severity: if d.is_error() { "error" } else { "warning" },
            path: d.path.clone(),
            line: d.line,
            col: d.col,
            message: d.message.clone(),
            help: d.help.clone(),
            text: d.render(),
        }
    }
}

struct Inner {
    current: Arc<Snapshot>,
    /// Recent earlier snapshots, newest last (for content-hashed assets of a page a browser
    /// loaded just before a swap: no transient 404, W7).
    previous: VecDeque<Arc<Snapshot>>,
    /// For build n: the paths whose bytes differ from build n-1.
    changes: VecDeque<(u64, BTreeSet<String>)>,
    /// Diagnostics of the last rebuild if it failed (empty when the current site is fresh).
    diags: Vec<WireDiag>,
    /// Completed rebuild attempts (successful or not, changed or not).
    rebuilds: u64,
}

/// State shared by the server tasks and the rebuild thread.
pub struct Shared {
    inner: Mutex<Inner>,
    /// Bumped after every completed rebuild attempt, once its outcome is in `inner`.
    changed: watch::Sender<u64>,
}

/// What a live-reload client is told (over its socket, or by `/__gs/status`).
#[derive(Debug, Serialize)]
pub struct WaitAnswer {
    pub build: u64,
    /// Whether anything differs from what the client showed (build or diagnostics).
    pub news: bool,
    /// Whether the asking page (or a file it references) differs from the build it showed; also
    /// true for a build number from an earlier run of the server (newer than ours).
    pub page_changed: bool,
    /// Fingerprint of `diagnostics`; the client echoes it back as `diag=`.
    pub digest: String,
    pub rebuilds: u64,
    pub diagnostics: Vec<WireDiag>,
}

impl Default for Shared {
    fn default() -> Shared {
        Shared::new()
    }
}

impl Shared {
    /// Build 0: an empty site (until the first successful build).
    pub fn new() -> Shared {
        Shared {
            inner: Mutex::new(Inner {
                current: Arc::new(Snapshot {
                    build: 0,
                    site: Arc::new(Site::default()),
                }),
                previous: VecDeque::new(),
                changes: VecDeque::new(),
                diags: Vec::new(),
                rebuilds: 0,
            }),
            changed: watch::Sender::new(0),
        }
    }

    /// A receiver that sees every later rebuild attempt (successful, failed or unchanged).
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.changed.subscribe()
    }

    fn notify(&self) {
        self.changed.send_modify(|n| *n = n.wrapping_add(1));
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panicking request task cannot leave Inner half-updated (every update is a few
        // assignments), so a poisoned lock is still consistent.
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The current snapshot.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        Arc::clone(&self.lock().current)
    }

    /// A content-hashed asset (`static/…`) from a recent earlier build, if the current one
    /// lacks it.
    pub fn recent_asset(&self, key: &str) -> Option<(u64, crate::site::Blob)> {
        if !key.starts_with("static/") {
            return None;
        }
        let g = self.lock();
        g.previous
            .iter()
            .rev()
            .find_map(|s| s.site.files.get(key).map(|b| (s.build, b.clone())))
    }

    /// Publishes a successful build. Returns the new build number and how many files changed
    /// (0 when the bytes are identical: the build number stays put).
    pub fn publish(&self, site: Site) -> (u64, usize) {
        let mut g = self.lock();
        g.rebuilds += 1;
        let had_diags = !g.diags.is_empty();
        g.diags.clear();
        let old = Arc::clone(&g.current);
        let changed = diff(&old.site, &site);
        if changed.is_empty() {
            drop(g);
            if had_diags {
                self.notify();
            }
            return (old.build, 0);
        }
        let build = old.build + 1;
        let n = changed.len();
        g.changes.push_back((build, changed));
        g.previous.push_back(old);
        while g.changes.len() > HISTORY {
            g.changes.pop_front();
        }
        while g.previous.len() > HISTORY {
            g.previous.pop_front();
        }
        g.current = Arc::new(Snapshot {
            build,
            site: Arc::new(site),
        });
        drop(g);
        self.notify();
        (build, n)
    }

    /// Records a failed rebuild: the site stays, the diagnostics are shown.
    pub fn fail(&self, diags: &[Diagnostic]) {
        let mut g = self.lock();
        g.rebuilds += 1;
        g.diags = diags.iter().map(WireDiag::from).collect();
        drop(g);
        self.notify();
    }

    /// What a client that shows `build` and diagnostics with fingerprint `digest` should be
    /// told now; `news` is false when nothing differs.
    pub fn news(&self, build: u64, digest: &str, page: Option<&str>) -> WaitAnswer {
        let g = self.lock();
        let now = g.current.build;
        let digest_now = digest_of(&g.diags);
        let page_changed =
            now < build || (now > build && page.is_none_or(|p| page_changed(&g, build, p)));
        WaitAnswer {
            build: now,
            news: now != build || digest_now != digest,
            page_changed,
            digest: digest_now,
            rebuilds: g.rebuilds,
            diagnostics: g.diags.clone(),
        }
    }
}

/// Fingerprint of a diagnostics list ("0" when empty).
pub fn digest_of(diags: &[WireDiag]) -> String {
    if diags.is_empty() {
        return "0".into();
    }
    let texts: Vec<&[u8]> = diags.iter().map(|d| d.text.as_bytes()).collect();
    format!("{:x}", crate::digest::digest_parts(&texts))
}

/// Paths added, removed or changed between two sites.
fn diff(old: &Site, new: &Site) -> BTreeSet<String> {
    let mut out: BTreeSet<String> = old
        .files
        .keys()
        .filter(|k| !new.files.contains_key(*k))
        .cloned()
        .collect();
    for (k, v) in &new.files {
        if old.files.get(k) != Some(v) {
            out.insert(k.clone());
        }
    }
    out
}

/// Did `page` (a site key) or any file it references change since build `since`?
fn page_changed(g: &Inner, since: u64, page: &str) -> bool {
    let oldest = g.changes.front().map_or(u64::MAX, |(b, _)| *b);
    if since + 1 < oldest {
        // Older than our memory: assume it changed.
        return true;
    }
    let changed: BTreeSet<&str> = g
        .changes
        .iter()
        .filter(|(b, _)| *b > since)
        .flat_map(|(_, s)| s.iter().map(String::as_str))
        .collect();
    if changed.contains(page) {
        return true;
    }
    // Not in the current site (removed, or a 404 page): changed if the 404 page did.
    let Some(html) = g.current.site.files.get(page) else {
        return changed.contains("404.html");
    };
    references(page, html)
        .iter()
        .any(|r| changed.contains(r.as_str()))
}

/// Site keys of the non-page files an HTML page references through relative `src`/`href`
/// attributes (stylesheets, scripts, images). Read-only scan; the page is never rewritten.
pub fn references(page: &str, html: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(html);
    let dir: Vec<&str> = page
        .split('/')
        .collect::<Vec<_>>()
        .split_last()
        .map(|(_, d)| d.to_vec())
        .unwrap_or_default();
    let mut out = Vec::new();
    for attr in ["src=\"", "href=\""] {
        for (i, _) in text.match_indices(attr) {
            let rest = &text[i + attr.len()..];
            let Some(end) = rest.find('"') else { continue };
            let url = rest[..end].split(['#', '?']).next().unwrap_or("");
            if url.is_empty() || url.contains(':') || url.starts_with('/') {
                continue;
            }
            let mut parts: Vec<&str> = dir.clone();
            for seg in url.split('/') {
                match seg {
                    ".." => {
                        parts.pop();
                    }
                    "." | "" => {}
                    s => parts.push(s),
                }
            }
            let key = parts.join("/");
            // Links to other pages are navigation, not dependencies of this page.
            if !key.ends_with(".html") {
                out.push(key);
            }
        }
    }
    out
}

/// The snippet injected before `</head>` of every HTML response.
pub fn snippet(build: u64) -> String {
    format!(
        "<meta name=\"gs-build\" content=\"{build}\"><script src=\"/__gs/live.js\" defer></script>"
    )
}

/// The page CSP's `connect-src` as written by the default theme; `serve` adds its socket.
const CONNECT_SELF: &[u8] = b"connect-src 'self'";

/// `html` as `serve` sends it: the live-reload snippet before the first `</head>` (or
/// prepended if none) and, for `host` (an allowed `Host` value), `ws://host` added to the CSP's
/// `connect-src 'self'` in the head, so the client may open its socket even in browsers where
/// `'self'` does not cover `ws:`. The published site's CSP is untouched.
pub fn inject(html: &[u8], build: u64, host: &str) -> Vec<u8> {
    let snip = snippet(build);
    let at = find(html, b"</head>").unwrap_or(0);
    let plain_host = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b));
    let csp = find(&html[..at], CONNECT_SELF)
        .filter(|_| plain_host)
        .map(|i| i + CONNECT_SELF.len());
    let mut out = Vec::with_capacity(html.len() + snip.len() + host.len() + 6);
    let mut from = 0;
    if let Some(c) = csp {
        out.extend_from_slice(&html[..c]);
        out.extend_from_slice(format!(" ws://{host}").as_bytes());
        from = c;
    }
    out.extend_from_slice(&html[from..at]);
    out.extend_from_slice(snip.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(files: &[(&str, &str)]) -> Site {
        Site {
            files: files
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.as_bytes().to_vec().into()))
                .collect(),
        }
    }

    #[test]
    fn build_number_rises_only_when_bytes_change() {
        let s = Shared::new();
        assert_eq!(s.publish(site(&[("index.html", "a")])), (1, 1));
        assert_eq!(s.publish(site(&[("index.html", "a")])), (1, 0));
        assert_eq!(s.publish(site(&[("index.html", "b")])), (2, 1));
        assert_eq!(s.snapshot().build, 2);
    }

    #[test]
    fn wait_reports_page_changes_and_diagnostics() {
        let s = Shared::new();
        let page = r#"<link href="../static/style.1.css"><img src="../assets/a.svg">"#;
        s.publish(site(&[
            ("a/x.html", page),
            ("b.html", "b"),
            ("static/style.1.css", "c"),
            ("assets/a.svg", "1"),
        ]));
        s.publish(site(&[
            ("a/x.html", page),
            ("b.html", "B"),
            ("static/style.1.css", "c"),
            ("assets/a.svg", "1"),
        ]));
        let a = s.news(1, "0", Some("a/x.html"));
        assert!(a.news && !a.page_changed && a.build == 2);
        assert!(s.news(1, "0", Some("b.html")).page_changed);
        // A build number from an earlier run of the server: reload.
        assert!(s.news(9, "0", Some("a/x.html")).page_changed);
        s.publish(site(&[
            ("a/x.html", page),
            ("b.html", "B"),
            ("static/style.1.css", "c"),
            ("assets/a.svg", "2"),
        ]));
        assert!(s.news(2, "0", Some("a/x.html")).page_changed);
        let told = s.subscribe();
        let quiet = s.news(3, "0", Some("a/x.html"));
        assert!(!quiet.news && !quiet.page_changed);
        assert!(!told.has_changed().unwrap_or(true));
        s.fail(&[Diagnostic::error(
            "guide/x.md",
            "<img src=x onerror=alert(1)>",
        )]);
        assert!(told.has_changed().unwrap_or(false), "a failure is news");
        let a = s.news(3, "0", None);
        assert!(a.news && a.diagnostics.len() == 1 && a.digest != "0");
        assert!(a.diagnostics[0]
            .text
            .contains("<img src=x onerror=alert(1)>"));
        assert!(!s.news(3, &a.digest, None).news);
    }

    #[test]
    fn snippet_goes_before_head_end() {
        let out = inject(
            b"<html><head><title>t</title></head><body></body></html>",
            7,
            "127.0.0.1:3000",
        );
        let text = String::from_utf8(out).unwrap_or_default();
        assert!(text.contains(
            "<title>t</title><meta name=\"gs-build\" content=\"7\"><script src=\"/__gs/live.js\" defer></script></head>"
        ));
    }

    #[test]
    fn the_socket_is_added_to_connect_src_in_the_head_only() {
        let page = b"<head><meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'self'; connect-src 'self'; object-src 'none'\"></head><p>connect-src 'self'</p>";
        let text = String::from_utf8(inject(page, 1, "localhost:3000")).unwrap_or_default();
        assert!(text.contains("connect-src 'self' ws://localhost:3000; object-src"));
        assert!(text.ends_with("<p>connect-src 'self'</p>"), "{text}");
        // Nothing odd is ever written into the policy.
        let odd = String::from_utf8(inject(page, 1, "a\"b; script-src *")).unwrap_or_default();
        assert!(!odd.contains("ws://") && !odd.contains("script-src"));
    }

    #[test]
    fn references_resolve_relative_urls() {
        let r = references("a/b/c.html", br#"<a href="../x.html#h"></a><script src="../../static/s.js"></script><a href="https://x.org/">"#);
        assert_eq!(r, vec!["static/s.js".to_owned()]);
    }
}
