//! A small HTTP/1.1 server over `std::net`: GET and HEAD of the in-memory site, plus the
//! live-reload endpoints under `/__gs/`.
//!
//! One thread per connection (at most `MAX_CONNECTIONS`), one request per connection
//! (`Connection: close`). Every request is bounded: the head must arrive within `HEAD_DEADLINE`,
//! in at most `MAX_HEAD_BYTES` and `MAX_HEADERS` lines, so a slow or hostile client cannot hold
//! a thread or memory (S7). Requests are answered only for allowed `Host` values (DNS
//! rebinding, S4); `/__gs/*` refuses foreign `Origin`s (S6); no response ever carries
//! `Access-Control-Allow-Origin` (S5). Files come only from the published `Site` map, so
//! nothing outside the build can be served, whatever the path (S1, S2).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::paths::{query_value, site_key};
use super::reload::{inject, Shared, LIVE_JS};

/// Longest accepted request head (request line + headers).
pub const MAX_HEAD_BYTES: usize = 16 * 1024;
/// Longest accepted request line; longer ones get a 400.
pub const MAX_REQUEST_LINE: usize = 8 * 1024;
/// Most accepted header lines.
pub const MAX_HEADERS: usize = 100;
/// Concurrent connections (long polls included).
pub const MAX_CONNECTIONS: usize = 128;
/// The whole request head must arrive within this.
const HEAD_DEADLINE: Duration = Duration::from_secs(10);
/// How long a live-reload poll waits for news before answering "no change".
pub const LONG_POLL: Duration = Duration::from_secs(25);

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

    /// Accepts connections forever, one thread each.
    pub fn run(self: Arc<Self>, listener: TcpListener) {
        let active = Arc::new(AtomicUsize::new(0));
        for conn in listener.incoming() {
            let Ok(mut stream) = conn else { continue };
            if active.load(Ordering::SeqCst) >= MAX_CONNECTIONS {
                let _ = stream.set_write_timeout(Some(Duration::from_secs(1)));
                let _ = write_response(
                    &mut stream,
                    &Response::text(503, "too many connections"),
                    false,
                );
                continue;
            }
            active.fetch_add(1, Ordering::SeqCst);
            let guard = Slot(Arc::clone(&active));
            let me = Arc::clone(&self);
            let spawned = std::thread::Builder::new()
                .name("gs-http".into())
                .spawn(move || {
                    let _guard = guard;
                    me.handle(stream);
                });
            // If no thread could be made, the closure (and its guard) was dropped: slot freed.
            drop(spawned);
        }
    }

    fn handle(&self, mut stream: TcpStream) {
        let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
        let _ = stream.set_write_timeout(Some(Duration::from_secs(30)));
        let _ = stream.set_nodelay(true);
        let (resp, head_only) = match read_request(&mut stream) {
            Ok(req) => {
                let head = req.method == "HEAD";
                (self.respond(&req), head)
            }
            Err(ReadError::Closed) => return,
            Err(ReadError::Status(code, why)) => (Response::text(code, why), false),
        };
        let _ = write_response(&mut stream, &resp, head_only);
        let _ = stream.flush();
        // Let the client read the answer before the socket closes (avoids a reset when it
        // sent more than we read, e.g. a request body).
        let _ = stream.shutdown(std::net::Shutdown::Write);
        let _ = stream.set_read_timeout(Some(Duration::from_millis(200)));
        let mut sink = [0u8; 4096];
        for _ in 0..16 {
            match stream.read(&mut sink) {
                Ok(n) if n > 0 => {}
                _ => break,
            }
        }
    }

    fn respond(&self, req: &Request) -> Response {
        let host = req.header("host").unwrap_or("").to_ascii_lowercase();
        if !self.hosts.contains(&host) {
            return Response::text(
                403,
                "forbidden: unexpected Host header (only local names are served; see --allow-host)",
            );
        }
        if req.method != "GET" && req.method != "HEAD" {
            let mut r = Response::text(405, "method not allowed: only GET and HEAD are served");
            r.extra.push(("Allow", "GET, HEAD".into()));
            return r;
        }
        let (path, query) = req.target.split_once('?').unwrap_or((&req.target, ""));
        if let Some(rest) = path.strip_prefix("/__gs/") {
            return self.live(req, rest, query);
        }
        let key = match site_key(path) {
            Ok(k) => k,
            Err(e) => return Response::text(400, e.reason()),
        };
        let snap = self.shared.snapshot();
        if let Some(bytes) = snap.site.files.get(&key) {
            return Response::file(&key, bytes, snap.build);
        }
        if !path.ends_with('/') && snap.site.files.contains_key(&format!("{key}/index.html")) {
            let mut r = Response::text(301, "moved");
            r.extra.push(("Location", format!("{path}/")));
            return r;
        }
        if let Some((build, bytes)) = self.shared.recent_asset(&key) {
            return Response::file(&key, &bytes, build);
        }
        let body = snap
            .site
            .files
            .get("404.html")
            .cloned()
            .unwrap_or_else(|| FALLBACK_404.as_bytes().to_vec().into());
        Response {
            status: 404,
            ..Response::file("404.html", &body, snap.build)
        }
    }

    /// `/__gs/live.js`, `/__gs/wait`, `/__gs/status`.
    fn live(&self, req: &Request, rest: &str, query: &str) -> Response {
        if let Some(origin) = req.header("origin") {
            let origin = origin.to_ascii_lowercase();
            if !self.hosts.iter().any(|h| origin == format!("http://{h}")) {
                return Response::text(403, "forbidden: foreign Origin");
            }
        }
        if req
            .header("sec-fetch-site")
            .is_some_and(|s| s.eq_ignore_ascii_case("cross-site"))
        {
            return Response::text(403, "forbidden: cross-site request");
        }
        let param = |name: &str| {
            query.split('&').find_map(|kv| {
                let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
                (k == name).then(|| query_value(v)).flatten()
            })
        };
        match rest {
            "live.js" => Response::new(
                200,
                "text/javascript; charset=utf-8",
                LIVE_JS.as_bytes().to_vec(),
            ),
            "wait" | "status" => {
                let build = param("build").and_then(|b| b.parse().ok()).unwrap_or(0);
                let digest = param("diag").unwrap_or_else(|| "0".into());
                let page = param("page").and_then(|p| site_key(&p).ok());
                let timeout = if rest == "wait" {
                    LONG_POLL
                } else {
                    Duration::ZERO
                };
                let answer = self.shared.wait(build, &digest, page.as_deref(), timeout);
                let json = serde_json::to_vec(&answer).unwrap_or_else(|_| b"{}".to_vec());
                Response::new(200, "application/json; charset=utf-8", json)
            }
            _ => Response::text(404, "not found"),
        }
    }
}

/// Decrements the connection count when a connection thread ends (or never starts).
struct Slot(Arc<AtomicUsize>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Shown for unknown paths while no site has been built yet (the overlay explains why).
const FALLBACK_404: &str = "<!doctype html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>guidesmith</title></head>\n<body><h1>页面不存在</h1><p>The site has not been built yet, or this page does not exist.</p></body></html>\n";

/// A parsed request head.
#[derive(Debug)]
pub struct Request {
    pub method: String,
    pub target: String,
    /// Lowercase names.
    pub headers: Vec<(String, String)>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Debug, PartialEq, Eq)]
pub enum ReadError {
    /// The client went away (or sent nothing in time): no answer.
    Closed,
    /// Answer with this status and reason.
    Status(u16, &'static str),
}

/// Reads one request head, enforcing the size, count and time limits.
pub fn read_request(stream: &mut impl Read) -> Result<Request, ReadError> {
    let started = Instant::now();
    let mut buf: Vec<u8> = Vec::with_capacity(1024);
    let mut chunk = [0u8; 2048];
    let end = loop {
        if let Some(i) = find_head_end(&buf) {
            break i;
        }
        if buf.len() > MAX_HEAD_BYTES {
            return Err(too_big(&buf));
        }
        if started.elapsed() > HEAD_DEADLINE {
            return Err(ReadError::Status(408, "request head took too long"));
        }
        match stream.read(&mut chunk) {
            Ok(0) => {
                return Err(if buf.is_empty() {
                    ReadError::Closed
                } else {
                    ReadError::Status(400, "incomplete request")
                })
            }
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) if buf.is_empty() => return Err(ReadError::Closed),
            Err(_) => return Err(ReadError::Status(408, "request head took too long")),
        }
    };
    if end > MAX_HEAD_BYTES {
        return Err(too_big(&buf[..end]));
    }
    parse_head(&buf[..end])
}

fn too_big(buf: &[u8]) -> ReadError {
    let line_len = buf.iter().position(|&b| b == b'\n').unwrap_or(buf.len());
    if line_len > MAX_REQUEST_LINE {
        ReadError::Status(400, "request line too long")
    } else {
        ReadError::Status(431, "request header fields too large")
    }
}

/// Index of the end of the head (after the blank line), accepting bare LF line ends.
fn find_head_end(buf: &[u8]) -> Option<usize> {
    let crlf = buf.windows(4).position(|w| w == b"\r\n\r\n").map(|i| i + 4);
    let lf = buf.windows(2).position(|w| w == b"\n\n").map(|i| i + 2);
    match (crlf, lf) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Parses a complete request head (without the body).
pub fn parse_head(head: &[u8]) -> Result<Request, ReadError> {
    let bad = |why| Err(ReadError::Status(400, why));
    let mut lines = head
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l));
    let first = lines.next().unwrap_or_default();
    if first.len() > MAX_REQUEST_LINE {
        return bad("request line too long");
    }
    let Ok(first) = std::str::from_utf8(first) else {
        return bad("request line is not valid UTF-8");
    };
    let parts: Vec<&str> = first.split(' ').collect();
    let [method, target, version] = parts[..] else {
        return bad("malformed request line");
    };
    if method.is_empty() || !method.bytes().all(|b| b.is_ascii_uppercase()) {
        return bad("malformed method");
    }
    if version != "HTTP/1.1" && version != "HTTP/1.0" {
        return Err(ReadError::Status(
            505,
            "only HTTP/1.0 and HTTP/1.1 are supported",
        ));
    }
    if target.is_empty() || target.bytes().any(|b| b <= b' ' || b == 0x7f) {
        return bad("malformed request target");
    }
    let mut headers = Vec::new();
    for line in lines {
        if line.is_empty() {
            break;
        }
        if headers.len() >= MAX_HEADERS {
            return Err(ReadError::Status(431, "too many header fields"));
        }
        if line[0] == b' ' || line[0] == b'\t' {
            return bad("folded header lines are not accepted");
        }
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            return bad("malformed header line");
        };
        let name = &line[..colon];
        if name.is_empty()
            || !name
                .iter()
                .all(|&b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
        {
            return bad("malformed header name");
        }
        let value = String::from_utf8_lossy(&line[colon + 1..])
            .trim()
            .to_owned();
        headers.push((String::from_utf8_lossy(name).to_ascii_lowercase(), value));
    }
    if headers.iter().filter(|(n, _)| n == "host").count() != 1 {
        return bad("exactly one Host header is required");
    }
    Ok(Request {
        method: method.to_owned(),
        target: target.to_owned(),
        headers,
    })
}

/// A response about to be written.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
    /// The build the body came from, sent as `X-GS-Build`.
    pub build: Option<u64>,
    pub extra: Vec<(&'static str, String)>,
}

impl Response {
    fn new(status: u16, content_type: &'static str, body: Vec<u8>) -> Response {
        Response {
            status,
            content_type,
            body,
            build: None,
            extra: Vec::new(),
        }
    }

    fn text(status: u16, msg: &str) -> Response {
        Response::new(
            status,
            "text/plain; charset=utf-8",
            format!("{status} {msg}\n").into_bytes(),
        )
    }

    /// A site file; HTML gets the live-reload snippet.
    fn file(key: &str, bytes: &[u8], build: u64) -> Response {
        let ct = content_type(key);
        let body = if ct.starts_with("text/html") {
            inject(bytes, build)
        } else {
            bytes.to_vec()
        };
        Response {
            build: Some(build),
            ..Response::new(200, ct, body)
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "Unknown",
    }
}

fn write_response(w: &mut impl Write, r: &Response, head_only: bool) -> std::io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nReferrer-Policy: no-referrer\r\nConnection: close\r\n",
        r.status,
        reason(r.status),
        r.content_type,
        r.body.len()
    );
    if let Some(b) = r.build {
        head.push_str(&format!("X-GS-Build: {b}\r\n"));
    }
    for (k, v) in &r.extra {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    w.write_all(head.as_bytes())?;
    if !head_only {
        w.write_all(&r.body)?;
    }
    Ok(())
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

    fn parse(s: &[u8]) -> Result<Request, ReadError> {
        read_request(&mut std::io::Cursor::new(s.to_vec()))
    }

    #[test]
    fn good_request_parses() {
        let r = parse(b"GET /a.html?x=1 HTTP/1.1\r\nHost: 127.0.0.1:3000\r\nX-A:  b \r\n\r\n")
            .expect("parses");
        assert_eq!(
            (r.method.as_str(), r.target.as_str()),
            ("GET", "/a.html?x=1")
        );
        assert_eq!(r.header("x-a"), Some("b"));
    }

    #[test]
    fn malformed_requests_get_4xx_without_panicking() {
        let many: String = (0..1000).map(|i| format!("X-{i}: y\r\n")).collect();
        let huge = format!(
            "GET / HTTP/1.1\r\nHost: a\r\nX: {}\r\n\r\n",
            "y".repeat(MAX_HEAD_BYTES)
        );
        let long_line = format!(
            "GET /{} HTTP/1.1\r\nHost: a\r\n\r\n",
            "a".repeat(MAX_HEAD_BYTES)
        );
        let cases: Vec<(Vec<u8>, u16)> = vec![
            (b"garbage\r\n\r\n".to_vec(), 400),
            (b"GET /\r\n\r\n".to_vec(), 400),
            (b"GET / HTTP/2.0\r\nHost: a\r\n\r\n".to_vec(), 505),
            (b"get / HTTP/1.1\r\nHost: a\r\n\r\n".to_vec(), 400),
            (b"GET / HTTP/1.1\r\n\r\n".to_vec(), 400),
            (
                b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n".to_vec(),
                400,
            ),
            (
                b"GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n".to_vec(),
                400,
            ),
            (
                b"GET / HTTP/1.1\r\nHost: a\r\nno colon\r\n\r\n".to_vec(),
                400,
            ),
            (b"GET /\xff\xfe HTTP/1.1\r\nHost: a\r\n\r\n".to_vec(), 400),
            (
                b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n".to_vec(),
                400,
            ),
            (b"GET / HTTP/1.1\r\nHost: a".to_vec(), 400),
            (
                format!("GET / HTTP/1.1\r\nHost: a\r\n{many}\r\n").into_bytes(),
                431,
            ),
            (huge.into_bytes(), 431),
            (long_line.into_bytes(), 400),
        ];
        for (req, want) in cases {
            match parse(&req) {
                Err(ReadError::Status(code, _)) => assert_eq!(
                    code,
                    want,
                    "{:?}",
                    String::from_utf8_lossy(&req[..req.len().min(60)])
                ),
                other => panic!(
                    "{:?}: {other:?}",
                    String::from_utf8_lossy(&req[..req.len().min(60)])
                ),
            }
        }
        assert_eq!(parse(b"").err(), Some(ReadError::Closed));
    }

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
}
