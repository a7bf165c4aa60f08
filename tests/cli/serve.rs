//! `guidesmith serve` over raw TCP (RELIABILITY S1–S8): HTTP clients normalise `..`, so every
//! request here is written byte for byte to a `TcpStream` on 127.0.0.1. The server runs on an
//! ephemeral port (`--port 0`) and prints its URL on the first stdout line. The helpers at the
//! top are shared with `watch.rs`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::harness::{bin, hang_guard, Project};

/// A small two-chapter guide (one chapter in a sub-folder).
pub fn small_guide(name: &str) -> Project {
    let p = Project::empty(name);
    p.write(
        "guide/guide.yaml",
        "title: 测试指南\ndescription: 测试用的小指南。\nupdated: 2026-01-01\nnotice: 仅供测试。\nnav:\n  - title: 第一部分\n    chapters:\n      - chapters/a.md\n      - chapters/p/b.md\n",
    );
    p.write("guide/chapters/a.md", chapter("甲章", "正文 A 初版。"));
    p.write("guide/chapters/p/b.md", chapter("乙章", "正文 B 初版。"));
    p
}

/// Builds the project into `fresh/` and asserts that `serve` answers every one of its files
/// with the same bytes (HTML without the injected live-reload snippet). Returns the count.
pub fn assert_served_equals_clean_build(s: &Serve, p: &Project) -> usize {
    p.run(&["build", "--out", "fresh"]).ok();
    let mut compared = 0;
    for (rel, (bytes, _)) in crate::harness::tree(&p.path("fresh")) {
        if rel.ends_with('/') || rel == ".guidesmith-manifest" {
            continue;
        }
        let (st, _, body) = s.get(&format!("/{rel}"));
        assert_eq!(st, 200, "{rel}");
        let body = if rel.ends_with(".html") {
            strip_snippet(&String::from_utf8_lossy(&body)).into_bytes()
        } else {
            body
        };
        assert!(body == bytes, "{rel} differs from a clean build");
        compared += 1;
    }
    compared
}

/// Collects a child's stderr on a thread, so tests can poll what it has printed so far.
pub fn capture_stderr(child: &mut Child) -> Arc<Mutex<String>> {
    let stderr = Arc::new(Mutex::new(String::new()));
    let mut err = child.stderr.take().expect("stderr is piped");
    let sink = Arc::clone(&stderr);
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = err.read(&mut buf) {
            if n == 0 {
                break;
            }
            sink.lock()
                .expect("stderr lock")
                .push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    });
    stderr
}

/// A chapter file with front matter.
pub fn chapter(title: &str, body: &str) -> String {
    format!("---\ntitle: {title}\ndescription: {title}的说明。\n---\n\n{body}\n")
}

/// A running `guidesmith serve`, killed on drop.
pub struct Serve {
    child: Child,
    pub port: u16,
    pub first_line: String,
    stderr: Arc<Mutex<String>>,
}

impl Serve {
    /// Starts `guidesmith serve --port 0 ARGS…` in the project and waits for its URL line.
    pub fn start(p: &Project, args: &[&str]) -> Serve {
        Serve::start_env(p, args, &[])
    }

    pub fn start_env(p: &Project, args: &[&str], env: &[(&str, &str)]) -> Serve {
        let mut cmd = Command::new(bin());
        cmd.arg("serve")
            .args(["--port", "0"])
            .args(args)
            .current_dir(&p.root);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("guidesmith serve starts");
        let stderr = capture_stderr(&mut child);
        let out = child.stdout.take().expect("piped stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(out);
            let mut line = String::new();
            let _ = r.read_line(&mut line);
            let _ = tx.send(line);
            // Keep draining so the server never writes into a closed pipe.
            let mut rest = Vec::new();
            let _ = r.read_to_end(&mut rest);
        });
        let first_line = rx.recv_timeout(Duration::from_secs(60)).unwrap_or_default();
        let port = first_line
            .trim()
            .rsplit(':')
            .next()
            .and_then(|s| s.trim_end_matches('/').parse().ok())
            .unwrap_or_else(|| {
                let _ = child.kill();
                panic!(
                    "no URL line; stdout {first_line:?}; stderr:\n{}",
                    stderr.lock().expect("lock")
                )
            });
        Serve {
            child,
            port,
            first_line,
            stderr,
        }
    }

    pub fn stderr(&self) -> String {
        self.stderr.lock().expect("stderr lock").clone()
    }

    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Sends raw bytes, returns (status, head, body). Status 0 if the server closed silently.
    pub fn raw(&self, req: &[u8]) -> (u16, String, Vec<u8>) {
        raw(self.port, req)
    }

    /// `GET path` with our Host header.
    pub fn get(&self, path: &str) -> (u16, String, Vec<u8>) {
        self.raw(format!("GET {path} HTTP/1.1\r\nHost: {}\r\n\r\n", self.host()).as_bytes())
    }

    /// The page's body as text, if it is served with 200.
    pub fn text(&self, path: &str) -> Option<String> {
        let (s, _, b) = self.get(path);
        (s == 200).then(|| String::from_utf8_lossy(&b).into_owned())
    }

    /// `/__gs/status` as JSON.
    pub fn status(&self) -> serde_json::Value {
        let (s, _, b) = self.get("/__gs/status");
        assert_eq!(s, 200, "status endpoint");
        serde_json::from_slice(&b).expect("status is JSON")
    }

    pub fn rebuilds(&self) -> u64 {
        self.status()["rebuilds"].as_u64().expect("rebuilds")
    }

    pub fn build(&self) -> u64 {
        self.status()["build"].as_u64().expect("build")
    }

    /// Polls `f` every 20 ms until it holds; panics after `secs` (a hang-guard, not a timing
    /// assertion).
    pub fn until(&self, secs: u64, what: &str, f: impl Fn(&Serve) -> bool) {
        let end = Instant::now() + Duration::from_secs(secs);
        while Instant::now() < end {
            if f(self) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("timed out waiting for {what}; stderr:\n{}", self.stderr());
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Raw request to 127.0.0.1:port; reads until the server closes.
pub fn raw(port: u16, req: &[u8]) -> (u16, String, Vec<u8>) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(40)))
        .expect("timeout");
    let _ = s.write_all(req);
    // Nothing more is coming: a truncated request gets its answer at once, not after a timeout.
    let _ = s.shutdown(std::net::Shutdown::Write);
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
        return (0, String::from_utf8_lossy(&buf).into_owned(), Vec::new());
    };
    let head = String::from_utf8_lossy(&buf[..end]).into_owned();
    (status_of(&head), head, buf[end + 4..].to_vec())
}

/// The status code of a response head (`HTTP/1.1 200 OK` → 200); 0 if there is none.
pub fn status_of(head: &str) -> u16 {
    head.split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// A response header's value (case-insensitive name).
pub fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().skip(1).find_map(|l| {
        let (n, v) = l.split_once(':')?;
        n.eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

/// Removes what `serve` injects, whatever its build number and host: the live-reload snippet
/// and the socket it adds to the CSP's `connect-src 'self'`.
pub fn strip_snippet(html: &str) -> String {
    let csp = "connect-src 'self' ws://";
    let html = match html.find(csp) {
        Some(i) => {
            let at = i + csp.len() - " ws://".len();
            let end = html[at..].find([';', '"']).map_or(html.len(), |e| at + e);
            format!("{}{}", &html[..at], &html[end..])
        }
        None => html.to_owned(),
    };
    let Some(start) = html.find("<meta name=\"gs-build\"") else {
        return html.to_owned();
    };
    let end_tag = "<script src=\"/__gs/live.js\" defer></script>";
    let Some(end) = html[start..].find(end_tag) else {
        return html;
    };
    format!("{}{}", &html[..start], &html[start + end + end_tag.len()..])
}

/// The build number in a served page's `<meta name="gs-build">`.
pub fn meta_build(html: &str) -> Option<u64> {
    let i = html.find("<meta name=\"gs-build\" content=\"")?
        + "<meta name=\"gs-build\" content=\"".len();
    html[i..].split('"').next()?.parse().ok()
}

#[test]
fn traversal_is_refused_and_files_beside_the_guide_are_never_served() {
    hang_guard(120, || {
        let p = small_guide("s1");
        p.write("secret.txt", "TOP-SECRET-S1");
        let s = Serve::start(&p, &[]);
        let long = format!("/{}", "a/".repeat(2000));
        let attacks = [
            "/../secret.txt",
            "/../../secret.txt",
            "/%2e%2e/secret.txt",
            "/%2E%2E/secret.txt",
            "/..%2fsecret.txt",
            "/..%2Fsecret.txt",
            "/.%2e/secret.txt",
            "/%2e./secret.txt",
            "/p/../../secret.txt",
            "/p/%2e%2e/%2e%2e/secret.txt",
            "/..%5csecret.txt",
            "/..%5Csecret.txt",
            "/..\\secret.txt",
            "/C:/secret.txt",
            "/c%3A/secret.txt",
            "/c%3a%5csecret.txt",
            "//etc/passwd",
            "//secret.txt",
            "/secret.txt%00.html",
            "/%00",
            "/%c0%ae%c0%ae/secret.txt",
            long.as_str(),
            // Plain names that exist beside the site, not in it (S2 by construction).
            "/secret.txt",
            "/guide/secret.txt",
            "/guide/guide.yaml",
            "/chapters/a.md",
            "/guide/chapters/a.md",
        ];
        for a in attacks {
            let (st, _, body) = s.get(a);
            assert!(st == 400 || st == 404, "{a}: status {st}");
            assert!(
                !String::from_utf8_lossy(&body).contains("TOP-SECRET"),
                "{a} leaked the secret"
            );
        }
        let (st, _, body) = s.get("/");
        assert_eq!(st, 200, "server still answers");
        assert!(String::from_utf8_lossy(&body).contains("测试指南"));
    });
}

#[cfg(unix)]
#[test]
fn symlinks_planted_beside_the_site_are_not_followed() {
    hang_guard(120, || {
        let p = small_guide("s2");
        p.write("secret.txt", "TOP-SECRET-S2");
        let s = Serve::start(&p, &[]);
        // Planted after start: the server serves from memory, the file system is never asked.
        std::os::unix::fs::symlink(p.path("secret.txt"), p.path("guide/assets-link.txt"))
            .expect("symlink");
        for path in ["/assets-link.txt", "/guide/assets-link.txt"] {
            let (st, _, body) = s.get(path);
            assert_eq!(st, 404, "{path}");
            assert!(!String::from_utf8_lossy(&body).contains("TOP-SECRET"));
        }
    });
}

#[test]
fn startup_line_names_loopback_and_wide_bind_warns() {
    hang_guard(120, || {
        let p = small_guide("s3");
        let s = Serve::start(&p, &[]);
        assert!(
            s.first_line.starts_with("serving http://127.0.0.1:"),
            "{:?}",
            s.first_line
        );
        assert!(!s.stderr().contains("warning: --bind"));
        drop(s);
        let s = Serve::start(&p, &["--bind", "0.0.0.0"]);
        assert!(
            s.first_line.starts_with("serving http://0.0.0.0:"),
            "{:?}",
            s.first_line
        );
        s.until(10, "the exposure warning", |s| {
            s.stderr()
                .contains("warning: --bind 0.0.0.0 exposes the preview")
        });
    });
}

#[test]
fn forged_host_is_refused_and_local_names_are_accepted() {
    hang_guard(120, || {
        let p = small_guide("s4");
        let s = Serve::start(&p, &["--allow-host", "dev.test"]);
        let port = s.port;
        let req = |host: &str| {
            s.raw(format!("GET / HTTP/1.1\r\nHost: {host}\r\n\r\n").as_bytes())
                .0
        };
        for bad in [
            format!("evil.example:{port}"),
            "evil.example".into(),
            format!("127.0.0.1:{}", port.wrapping_add(1)),
            "localhost".into(),
            format!("127.0.0.1.evil.example:{port}"),
        ] {
            assert_eq!(req(&bad), 403, "Host: {bad}");
        }
        for good in [
            format!("127.0.0.1:{port}"),
            format!("localhost:{port}"),
            format!("LOCALHOST:{port}"),
            format!("[::1]:{port}"),
            format!("dev.test:{port}"),
        ] {
            assert_eq!(req(&good), 200, "Host: {good}");
        }
        assert_eq!(s.raw(b"GET / HTTP/1.1\r\n\r\n").0, 400, "no Host");
    });
}

#[test]
fn no_response_carries_access_control_allow_origin() {
    hang_guard(120, || {
        let p = small_guide("s5");
        let s = Serve::start(&p, &[]);
        let page = s.text("/a.html").expect("page");
        let css = page
            .split("href=\"")
            .filter_map(|r| r.split('"').next())
            .find(|u| u.contains("static/style."))
            .expect("css link");
        let css = format!("/{}", css.trim_start_matches("./"));
        let origin = format!("http://{}", s.host());
        for path in [
            "/",
            "/a.html",
            css.as_str(),
            "/no-such-page.html",
            "/__gs/live.js",
            "/__gs/live?build=0",
            "/__gs/status?build=0",
            "/__gs/status",
            "/../x",
        ] {
            let req = format!(
                "GET {path} HTTP/1.1\r\nHost: {}\r\nOrigin: {origin}\r\n\r\n",
                s.host()
            );
            let (st, head, _) = s.raw(req.as_bytes());
            assert!(st != 0, "{path}: no answer");
            assert!(
                header(&head, "access-control-allow-origin").is_none(),
                "{path}: {head}"
            );
        }
        let (st, head, _) = s.get("/no-such-page.html");
        assert_eq!(st, 404);
        assert_eq!(
            header(&head, "content-type"),
            Some("text/html; charset=utf-8")
        );
    });
}

#[test]
fn live_reload_refuses_foreign_origins_and_survives_junk() {
    hang_guard(120, || {
        let p = small_guide("s6");
        let s = Serve::start(&p, &[]);
        let host = s.host();
        for origin in [
            "http://evil.example",
            "null",
            "http://127.0.0.1.evil.example",
            "https://127.0.0.1:1",
        ] {
            for path in ["/__gs/live?build=0", "/__gs/live.js", "/__gs/status"] {
                let req =
                    format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nOrigin: {origin}\r\n\r\n");
                assert_eq!(s.raw(req.as_bytes()).0, 403, "{path} with Origin {origin}");
            }
        }
        let req = format!(
            "GET /__gs/status?build=0 HTTP/1.1\r\nHost: {host}\r\nSec-Fetch-Site: cross-site\r\n\r\n"
        );
        assert_eq!(s.raw(req.as_bytes()).0, 403);
        // An upgrade handshake with a foreign Origin, then non-protocol frames.
        let upgrade = format!(
            "GET /__gs/live HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nOrigin: http://evil.example\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        );
        let frames: &[u8] = b"\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58";
        assert_eq!(s.raw(&[upgrade.as_bytes(), frames].concat()).0, 403);
        // Empty lines before a request line are skipped (RFC 9112 2.2): with nothing after
        // them there is no request to answer.
        let junk: [&[u8]; 5] = [
            b"\r\n\r\n",
            b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
            b"\x00\x00\x00\x00\r\n\r\n",
            b"\x81\xfe\xff\xff garbage frame\r\n\r\n",
            &[0xffu8; 3000],
        ];
        for j in junk {
            let (st, _, _) = s.raw(j);
            assert!(st == 0 || (400..500).contains(&st), "junk got {st}");
        }
        assert_eq!(s.get("/").0, 200, "still serving after junk");
        let (st, head, body) = s.get("/__gs/status?build=0");
        assert_eq!(st, 200);
        assert_eq!(
            header(&head, "content-type"),
            Some("application/json; charset=utf-8")
        );
        let v: serde_json::Value = serde_json::from_slice(&body).expect("json");
        assert_eq!(v["build"], 1);
    });
}

#[test]
fn malformed_requests_get_4xx_and_the_server_keeps_answering() {
    hang_guard(120, || {
        let p = small_guide("s7");
        let s = Serve::start(&p, &[]);
        let host = s.host();
        let many: String = (0..1000).map(|i| format!("X-H{i}: v\r\n")).collect();
        let huge = "v".repeat(64 * 1024);
        let mut bad: Vec<Vec<u8>> = vec![
            format!("GET /%zz HTTP/1.1\r\nHost: {host}\r\n\r\n").into_bytes(),
            format!("GET /%e6%9 HTTP/1.1\r\nHost: {host}\r\n\r\n").into_bytes(),
            format!("GET /%ff%fe.html HTTP/1.1\r\nHost: {host}\r\n\r\n").into_bytes(),
            [
                b"GET /\xff\xfe.html HTTP/1.1\r\nHost: ".as_slice(),
                host.as_bytes(),
                b"\r\n\r\n",
            ]
            .concat(),
            format!("GET / HTTP/1.1\r\nHost: {host}\r\n{many}\r\n").into_bytes(),
            format!("GET / HTTP/1.1\r\nHost: {host}\r\nX-Big: {huge}\r\n\r\n").into_bytes(),
            format!("GET / HTTP/9.9\r\nHost: {host}\r\n\r\n").into_bytes(),
            b"GET\r\n\r\n".to_vec(),
        ];
        for m in [
            "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE",
        ] {
            bad.push(
                format!("{m} / HTTP/1.1\r\nHost: {host}\r\nContent-Length: 5\r\n\r\nhello")
                    .into_bytes(),
            );
        }
        for req in &bad {
            let (st, head, _) = s.raw(req);
            let shown = String::from_utf8_lossy(&req[..req.len().min(40)]).into_owned();
            assert!((400..506).contains(&st), "{shown:?} got {st}");
            if req.starts_with(b"POST") {
                assert_eq!(st, 405);
                assert_eq!(header(&head, "allow"), Some("GET, HEAD"));
            }
        }
        let (st, head, body) =
            s.raw(format!("HEAD /a.html HTTP/1.1\r\nHost: {host}\r\n\r\n").as_bytes());
        assert_eq!(st, 200);
        assert!(body.is_empty(), "HEAD has no body");
        assert!(header(&head, "content-length").is_some_and(|l| l != "0"));
        assert_eq!(s.get("/").0, 200);
        assert!(!s.stderr().contains("panicked"), "{}", s.stderr());
    });
}

#[test]
fn port_in_use_exits_2_naming_the_port() {
    hang_guard(120, || {
        let p = small_guide("s8");
        let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = taken.local_addr().expect("addr").port().to_string();
        let r = p.run(&["serve", "--port", &port]);
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert!(
            r.stderr.contains(&format!("port {port} is already in use")),
            "{}",
            r.stderr
        );
        assert!(r.stderr.contains("--port"), "{}", r.stderr);
        drop(taken);
    });
}

#[test]
fn served_bytes_equal_build_output_except_the_injected_snippet() {
    hang_guard(180, || {
        let p = crate::harness::Project::bundled();
        p.run(&["build", "--out", "public"]).ok();
        let built = crate::harness::tree(&p.path("public"));
        let s = Serve::start(&p, &[]);
        let build = s.build();
        let snippet = format!("<meta name=\"gs-build\" content=\"{build}\"><script src=\"/__gs/live.js\" defer></script></head>");
        let mut html = 0;
        for (rel, (bytes, _)) in &built {
            if rel.ends_with('/') || rel == ".guidesmith-manifest" {
                continue;
            }
            let (st, head, body) = s.get(&format!("/{rel}"));
            assert_eq!(st, 200, "{rel}");
            let ct = header(&head, "content-type").unwrap_or_default().to_owned();
            if rel.ends_with(".html") {
                html += 1;
                assert_eq!(ct, "text/html; charset=utf-8", "{rel}");
                let text = String::from_utf8(body).expect("utf-8 page");
                assert_eq!(
                    text.matches(&snippet).count(),
                    1,
                    "{rel}: one snippet right before </head>"
                );
                assert_eq!(strip_snippet(&text).as_bytes(), bytes.as_slice(), "{rel}");
            } else {
                assert_eq!(&body, bytes, "{rel}");
                if rel.ends_with(".css")
                    || rel.ends_with(".js")
                    || rel.ends_with(".xml")
                    || rel.ends_with(".svg")
                {
                    assert!(ct.ends_with("charset=utf-8"), "{rel}: {ct}");
                }
            }
        }
        assert!(html > 5, "the bundled guide has pages");
        // `/` and `dir/` map to index.html.
        assert_eq!(
            s.text("/").map(|t| strip_snippet(&t)),
            s.text("/index.html").map(|t| strip_snippet(&t))
        );
    });
}

#[test]
fn live_client_is_served_and_builds_overlays_from_text_nodes_only() {
    hang_guard(60, || {
        let p = small_guide("live");
        let s = Serve::start(&p, &[]);
        let (st, head, body) = s.get("/__gs/live.js");
        assert_eq!(st, 200);
        assert_eq!(
            header(&head, "content-type"),
            Some("text/javascript; charset=utf-8")
        );
        let js = String::from_utf8(body).expect("utf-8");
        let code: String = js
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        for banned in [
            ".innerHTML",
            "outerHTML",
            "insertAdjacentHTML",
            "document.write",
            "eval(",
        ] {
            assert!(!code.contains(banned), "live.js uses {banned}");
        }
        assert!(code.contains("createTextNode"));
    });
}

#[test]
fn serve_previews_drafts_with_a_badge_and_build_leaves_them_out() {
    hang_guard(120, || {
        let p = small_guide("serve-draft");
        p.write(
            "guide/chapters/p/b.md",
            "---\ntitle: 乙章\ndraft: true\n---\n\n正文 B。\n",
        );
        let s = Serve::start(&p, &[]);
        let (st, _, body) = s.get("/p/b.html");
        assert_eq!(st, 200);
        let page = String::from_utf8_lossy(&body);
        assert!(
            page.contains("<h1>乙章 <span class=\"draft-badge\">草稿</span></h1>"),
            "{page}"
        );
        let (_, _, a) = s.get("/a.html");
        let a = String::from_utf8_lossy(&a);
        assert!(
            a.contains("乙章 <span class=\"draft-badge\">草稿</span></a></li>"),
            "the nav marks it: {a}"
        );
        assert!(a.contains("rel=\"next\" href=\"p/b.html\""), "{a}");
        drop(s);
        p.run(&["build"]).ok();
        assert!(!p.path("public/p/b.html").exists());
    });
}
