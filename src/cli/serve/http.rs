//! What `serve` answers to one HTTP request: GET and HEAD of the in-memory site, plus the
//! live-reload endpoints under `/__gs/`.
//!
//! Parsing, head limits and timeouts are hyper's, set in `listen.rs`; this module sees a parsed
//! request and returns a complete response. Requests are answered only for allowed `Host`
//! values (DNS rebinding, S4); `/__gs/*`, the WebSocket upgrade included, refuses foreign
//! `Origin`s (S6); no response ever carries `Access-Control-Allow-Origin` (S5). Files come only
//! from the published `Site` map through the path validator, so nothing outside the build can
//! be served, whatever the path (S1, S2). It never blocks: every answer is a map lookup.

use std::sync::Arc;

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, StatusCode};

use super::live;
use super::paths::{query_value, site_key};
use super::reload::{inject, Shared, LIVE_JS};

/// Longest accepted request line (the whole head is bounded in `listen.rs`).
pub const MAX_REQUEST_LINE: usize = 8 * 1024;

/// A response with its body in memory.
pub type Response = hyper::Response<Full<Bytes>>;

/// What the request handlers share.
pub struct Server {
    pub shared: Arc<Shared>,
    /// Accepted `Host` header values, lowercase (`127.0.0.1:3000`, `localhost:3000`, …).
    pub hosts: Vec<String>,
}

impl Server {
    /// The accepted Host values for `port`: loopback names, the bound address when it is a
    /// specific one, and the user's `--allow-host` names (with our port unless they carry one).
    pub fn hosts_for(port: u16, bind: std::net::IpAddr, extra: &[String]) -> Vec<String> {
        let mut names: Vec<String> = vec!["127.0.0.1".into(), "localhost".into(), "[::1]".into()];
        if !bind.is_unspecified() && !bind.is_loopback() {
            names.push(match bind {
                std::net::IpAddr::V4(a) => a.to_string(),
                std::net::IpAddr::V6(a) => format!("[{a}]"),
            });
        }
        let mut out = Vec::new();
        for e in extra {
            let e = e.trim().to_ascii_lowercase();
            let has_port = e.rsplit_once(':').is_some_and(|(h, p)| {
                !h.is_empty()
                    && !p.is_empty()
                    && p.bytes().all(|b| b.is_ascii_digit())
                    && !e.ends_with(']')
            });
            if has_port {
                out.push(e);
            } else if !e.is_empty() {
                names.push(e);
            }
        }
        for n in names {
            out.push(format!("{n}:{port}"));
            if port == 80 {
                out.push(n);
            }
        }
        out
    }

    /// Answers one request. A WebSocket upgrade on `/__gs/live` is answered with 101 and its
    /// session is spawned (`live::accept`).
    pub fn respond(&self, mut req: Request<Incoming>) -> Response {
        let hosts = req.headers().get_all(header::HOST).iter().count();
        if hosts != 1 || req.uri().scheme().is_some() || req.uri().authority().is_some() {
            return text(
                400,
                "exactly one Host header and an origin-form target are required",
            );
        }
        let host = header_str(&req, header::HOST).to_ascii_lowercase();
        if !self.hosts.contains(&host) {
            return text(
                403,
                "forbidden: unexpected Host header (only local names are served; see --allow-host)",
            );
        }
        if req.method() != Method::GET && req.method() != Method::HEAD {
            let mut r = text(405, "method not allowed: only GET and HEAD are served");
            set(&mut r, header::ALLOW, "GET, HEAD");
            return r;
        }
        if req.uri().path_and_query().map_or(0, |p| p.as_str().len()) > MAX_REQUEST_LINE {
            return text(400, "request line too long");
        }
        let path = req.uri().path().to_owned();
        if let Some(rest) = path.strip_prefix("/__gs/") {
            if let Some(refused) = self.foreign(&req) {
                return refused;
            }
            return match rest {
                "live" => live::accept(&mut req, Arc::clone(&self.shared)),
                _ => self.live_http(rest, req.uri().query().unwrap_or("")),
            };
        }
        self.file(&path, &host)
    }

    /// A site file, a directory redirect, or the 404 page.
    fn file(&self, path: &str, host: &str) -> Response {
        let key = match site_key(path) {
            Ok(k) => k,
            Err(e) => return text(400, e.reason()),
        };
        let snap = self.shared.snapshot();
        if let Some(bytes) = snap.site.files.get(&key) {
            return file(200, &key, bytes, snap.build, host);
        }
        if !path.ends_with('/') && snap.site.files.contains_key(&format!("{key}/index.html")) {
            let mut r = text(301, "moved");
            set(&mut r, header::LOCATION, &format!("{path}/"));
            return r;
        }
        if let Some((build, bytes)) = self.shared.recent_asset(&key) {
            return file(200, &key, &bytes, build, host);
        }
        let body = snap
            .site
            .files
            .get("404.html")
            .cloned()
            .unwrap_or_else(|| FALLBACK_404.as_bytes().to_vec().into());
        file(404, "404.html", &body, snap.build, host)
    }

    /// Refuses `/__gs/*` requests from pages of other origins (S6): a foreign `Origin`, or a
    /// browser saying the request is cross-site.
    fn foreign(&self, req: &Request<Incoming>) -> Option<Response> {
        if let Some(origin) = req.headers().get(header::ORIGIN) {
            let origin = origin.to_str().unwrap_or("").to_ascii_lowercase();
            if !self.hosts.iter().any(|h| origin == format!("http://{h}")) {
                return Some(text(403, "forbidden: foreign Origin"));
            }
        }
        let site = req.headers().get("sec-fetch-site");
        if site.is_some_and(|s| s.as_bytes().eq_ignore_ascii_case(b"cross-site")) {
            return Some(text(403, "forbidden: cross-site request"));
        }
        None
    }

    /// `/__gs/live.js` and `/__gs/status` (what a socket would be told now, as JSON).
    fn live_http(&self, rest: &str, query: &str) -> Response {
        match rest {
            "live.js" => response(200, "text/javascript; charset=utf-8", LIVE_JS.into()),
            "status" => {
                let q = live::Query::parse(query);
                let answer = self.shared.news(q.build, &q.digest, q.page.as_deref());
                let json = serde_json::to_vec(&answer).unwrap_or_else(|_| b"{}".to_vec());
                response(200, "application/json; charset=utf-8", json.into())
            }
            _ => text(404, "not found"),
        }
    }
}

/// The value of a query parameter, percent-decoded.
pub fn param(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
        (k == name).then(|| query_value(v)).flatten()
    })
}

fn header_str(req: &Request<Incoming>, name: header::HeaderName) -> &str {
    req.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// Shown for unknown paths while no site has been built yet (the overlay explains why).
const FALLBACK_404: &str = "<!doctype html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>guidesmith</title></head>\n<body><h1>页面不存在</h1><p>The site has not been built yet, or this page does not exist.</p></body></html>\n";

/// A response with the headers every answer carries. HEAD bodies are dropped by hyper, which
/// keeps the `Content-Length` of the body a GET would get.
pub fn response(status: u16, content_type: &'static str, body: Bytes) -> Response {
    let mut r = hyper::Response::new(Full::new(body));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    r
}

/// A plain-text answer: `"{status} {msg}\n"`.
pub fn text(status: u16, msg: &str) -> Response {
    let body = format!("{status} {msg}\n");
    response(status, "text/plain; charset=utf-8", body.into())
}

/// Sets a header whose value we made (a path from the validated request, a fixed string).
pub fn set(r: &mut Response, name: header::HeaderName, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        r.headers_mut().insert(name, v);
    }
}

/// A site file; HTML gets the live-reload snippet (and the socket in its CSP).
fn file(status: u16, key: &str, bytes: &[u8], build: u64, host: &str) -> Response {
    let ct = content_type(key);
    let body = if ct.starts_with("text/html") {
        inject(bytes, build, host)
    } else {
        bytes.to_vec()
    };
    let mut r = response(status, ct, body.into());
    set(
        &mut r,
        header::HeaderName::from_static("x-gs-build"),
        &build.to_string(),
    );
    r
}

/// Content type by extension; text types say UTF-8.
pub fn content_type(key: &str) -> &'static str {
    let ext = key
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" | "map" => "application/json; charset=utf-8",
        "webmanifest" => "application/manifest+json; charset=utf-8",
        "xml" => "application/xml; charset=utf-8",
        "svg" => "image/svg+xml; charset=utf-8",
        "txt" | "md" => "text/plain; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "pdf" => "application/pdf",
        "wasm" => "application/wasm",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_cover_loopback_names_and_extras() {
        let h = Server::hosts_for(
            3000,
            "127.0.0.1".parse().expect("ip"),
            &["Dev.Example".into(), "box:8080".into()],
        );
        for ok in [
            "127.0.0.1:3000",
            "localhost:3000",
            "[::1]:3000",
            "dev.example:3000",
            "box:8080",
        ] {
            assert!(h.iter().any(|x| x == ok), "{ok} in {h:?}");
        }
        assert!(!h
            .iter()
            .any(|x| x == "evil.example:3000" || x == "localhost"));
    }

    #[test]
    fn text_types_say_utf8() {
        for k in ["a.html", "s.css", "x.js", "sitemap.xml", "a.svg", "a.json"] {
            assert!(content_type(k).ends_with("charset=utf-8"), "{k}");
        }
        assert_eq!(content_type("a.png"), "image/png");
    }

    #[test]
    fn params_are_decoded_and_missing_ones_are_none() {
        assert_eq!(
            param("build=3&page=%2Fa.html", "page").as_deref(),
            Some("/a.html")
        );
        assert_eq!(param("build=3", "page"), None);
    }
}
