//! Offline: served over http://127.0.0.1, the service worker caches the whole guide; with the
//! server stopped, pages, checklists and search still work. A new build is installed completely
//! and only then replaces the old one, on the next navigation.
//!
//! The static server is written here on `std::net` (no dependency): bound to 127.0.0.1 on an
//! ephemeral port, GET only, paths confined to the served folder, each connection on its own
//! short-lived thread with timeouts, and the whole server capped in lifetime and connections.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use headless_chrome::Tab;

use crate::*;

struct Server {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    fn start(root: PathBuf) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        listener
            .set_nonblocking(true)
            .expect("nonblocking listener");
        let addr = listener.local_addr().expect("local addr");
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            let started = Instant::now();
            let mut served = 0usize;
            // Bounded: stops by itself after 3 minutes or 5,000 connections.
            while !flag.load(Ordering::SeqCst)
                && started.elapsed() < Duration::from_secs(180)
                && served < 5_000
            {
                match listener.accept() {
                    Ok((conn, _)) => {
                        served += 1;
                        let root = root.clone();
                        std::thread::spawn(move || {
                            let _ = handle(conn, &root);
                        });
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
            // Dropping the listener closes the port: the browser now gets "connection refused".
        });
        Server {
            addr,
            stop,
            thread: Some(thread),
        }
    }

    fn url(&self, rel: &str) -> String {
        format!("http://{}/{rel}", self.addr)
    }

    fn stop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "svg" => "image/svg+xml",
        "webmanifest" => "application/manifest+json",
        "json" => "application/json",
        "xml" => "application/xml",
        "png" => "image/png",
        _ => "application/octet-stream",
    }
}

fn handle(mut conn: TcpStream, root: &Path) -> std::io::Result<()> {
    conn.set_nonblocking(false)?;
    conn.set_read_timeout(Some(Duration::from_secs(5)))?;
    conn.set_write_timeout(Some(Duration::from_secs(5)))?;
    let mut req = Vec::new();
    let mut buf = [0u8; 4096];
    while !req.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = conn.read(&mut buf)?;
        if n == 0 || req.len() > 16 * 1024 {
            return Ok(());
        }
        req.extend_from_slice(&buf[..n]);
    }
    let head = String::from_utf8_lossy(&req);
    let mut parts = head.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or("/"));
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let file = percent_decode(path).and_then(|p| {
        let rel = Path::new(p.trim_start_matches('/'));
        let safe = rel.components().all(|c| matches!(c, Component::Normal(_)));
        let mut f = root.join(rel);
        if p.ends_with('/') {
            f = f.join("index.html");
        }
        (safe && f.is_file()).then_some(f)
    });
    let (status, ctype, body) = match (method, file) {
        ("GET", Some(f)) => ("200 OK", content_type(&f), std::fs::read(&f)?),
        ("GET", None) => (
            "404 Not Found",
            "text/plain; charset=utf-8",
            b"not found".to_vec(),
        ),
        _ => (
            "405 Method Not Allowed",
            "text/plain; charset=utf-8",
            Vec::new(),
        ),
    };
    let header = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n",
        body.len()
    );
    conn.write_all(header.as_bytes())?;
    conn.write_all(&body)?;
    conn.flush()
}

/// A private copy of the built site, so a test can change it like a new build would.
fn copy_site(name: &str) -> PathBuf {
    let dst = std::env::temp_dir().join(format!("gs-offline-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dst);
    let mut stack = vec![site_dir().to_owned()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("site dir") {
            let p = e.expect("entry").path();
            let to = dst.join(p.strip_prefix(site_dir()).expect("under site"));
            if p.is_dir() {
                stack.push(p);
            } else {
                std::fs::create_dir_all(to.parent().expect("parent")).expect("mkdir");
                std::fs::copy(&p, &to).expect("copy");
            }
        }
    }
    dst
}

/// Number of files `sw.js` precaches (its `var FILES = [...]` line).
fn precache_count(site: &Path) -> usize {
    let sw = std::fs::read_to_string(site.join("sw.js")).expect("sw.js is built");
    let line = sw
        .lines()
        .find_map(|l| l.strip_prefix("var FILES = "))
        .expect("FILES line");
    let files: Vec<String> =
        serde_json::from_str(line.trim_end_matches(';')).expect("FILES is JSON");
    files.len()
}

/// Waits (up to 20 s) until a service worker is active and its cache holds `want` entries.
fn wait_for_cache(tab: &Tab, want: usize) -> R {
    let js = r#"navigator.serviceWorker.getRegistration().then(function (r) {
      var state = r && r.active ? r.active.state : 'none';
      return caches.keys().then(function (ks) {
        return Promise.all(ks.map(function (k) {
          return caches.open(k).then(function (c) { return c.keys(); }).then(function (x) { return x.length; });
        }));
      }).then(function (n) { return JSON.stringify({ state: state, sizes: n }); });
    })"#;
    let mut last = String::new();
    for _ in 0..200 {
        let v = tab.evaluate(js, true)?;
        last = v
            .value
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let s: serde_json::Value = serde_json::from_str(&last).unwrap_or_default();
        let sizes: Vec<usize> = serde_json::from_value(s["sizes"].clone()).unwrap_or_default();
        if s["state"] == "activated" && sizes == [want] {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err(format!("service worker did not cache {want} files: {last}").into())
}

fn h1(tab: &Tab) -> Result<String, Box<dyn std::error::Error>> {
    eval_str(tab, "(document.querySelector('h1')||{}).textContent||''")
}

#[test]
fn after_one_visit_the_guide_works_with_the_server_gone() {
    with_browser(|b| {
        let site = copy_site("basic");
        let mut server = Server::start(site.clone());
        let tab = tab(b)?;
        open(&tab, &server.url("index.html"))?;
        assert_no_problems(&tab, "index over http")?;
        wait_for_cache(&tab, precache_count(&site))?;

        server.stop();
        assert!(
            TcpStream::connect(server.addr).is_err(),
            "the server is really gone"
        );

        reload(&tab)?;
        assert_eq!(h1(&tab)?, "电信纠纷维权指南");
        assert_eq!(
            eval(&tab, "!!navigator.serviceWorker.controller")?,
            serde_json::Value::Bool(true),
            "the reloaded page is served by the worker"
        );
        for (page, title) in [
            ("prepare/evidence.html", "整理证据"),
            ("checklists/shop-visit.html", "去营业厅前的清单"),
            ("search.html", "搜索"),
        ] {
            open(&tab, &server.url(page))?;
            assert_eq!(h1(&tab)?, title, "{page} offline");
            assert_no_problems(&tab, page)?;
            let css = eval_str(&tab, "getComputedStyle(document.body).lineBreak")?;
            assert_eq!(css, "strict", "{page}: the stylesheet came from the cache");
        }
        // An unknown page offline gets the cached 404 page, with its search box.
        open(&tab, &server.url("no/such/page.html"))?;
        assert_eq!(h1(&tab)?, "页面不存在");

        // Search offline: the engine, loaded only now that the reader types, and the index come
        // from the cache.
        open(&tab, &server.url("prepare/evidence.html"))?;
        let has_index = eval(
            &tab,
            "(function (q) { return /\\.js$/.test(q.getAttribute('data-index') || '') && /\\.js$/.test(q.getAttribute('data-engine') || ''); })(document.getElementById('gs-q'))",
        )?;
        if has_index == serde_json::Value::Bool(true) {
            assert_eq!(
                eval(&tab, "window.GS === undefined")?,
                serde_json::Value::Bool(true),
                "the search engine loaded before the reader searched"
            );
            eval(&tab, "(function (q) { q.focus(); q.value = '投诉'; q.dispatchEvent(new Event('input')); })(document.getElementById('gs-q'))")?;
            let mut hits = 0;
            for _ in 0..100 {
                hits = eval(
                    &tab,
                    "document.querySelectorAll('#gs-results a[href]').length",
                )?
                .as_u64()
                .unwrap_or(0);
                if hits > 0 {
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            assert!(hits > 0, "offline search found nothing for 投诉");
            assert_no_problems(&tab, "offline search")?;
            // The search page with a query in its URL comes from the cache too.
            open(&tab, &server.url("search.html?q=%E6%8A%95%E8%AF%89"))?;
            for _ in 0..100 {
                hits = eval(
                    &tab,
                    "document.querySelectorAll('#gs-search-page a[href]').length",
                )?
                .as_u64()
                .unwrap_or(0);
                if hits > 0 {
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            assert!(hits > 0, "offline search page found nothing for 投诉");
            assert_no_problems(&tab, "offline search page")?;
        } else {
            eprintln!("note: no search index in this build yet; offline search not checked");
        }
        Ok(())
    });
}

#[test]
fn a_new_build_takes_over_only_when_fully_cached_and_never_mixes_versions() {
    with_browser(|b| {
        let site = copy_site("update");
        let mut server = Server::start(site.clone());
        let tab = tab(b)?;
        let n = precache_count(&site);
        open(&tab, &server.url("index.html"))?;
        wait_for_cache(&tab, n)?;
        reload(&tab)?;
        assert_eq!(h1(&tab)?, "电信纠纷维权指南");

        // "Build 2": one page and the worker's version change, as a real rebuild would.
        let idx = site.join("index.html");
        let html = std::fs::read_to_string(&idx)?;
        std::fs::write(
            &idx,
            html.replacen("<h1>电信纠纷维权指南</h1>", "<h1>第二版</h1>", 1),
        )?;
        let sw = std::fs::read_to_string(site.join("sw.js"))?;
        let v1 = sw
            .lines()
            .find_map(|l| l.strip_prefix("var VERSION = '"))
            .map(|v| v.trim_end_matches("';").to_owned())
            .ok_or("VERSION line")?;
        std::fs::write(site.join("sw.js"), sw.replace(&v1, "0000000000000002"))?;

        // The browser finds the new worker; it installs fully and waits.
        let waiting = r#"navigator.serviceWorker.getRegistration().then(function (r) {
          return r.update().then(function () {
            return new Promise(function (done) {
              var t0 = Date.now();
              (function poll() {
                if (r.waiting || Date.now() - t0 > 15000) done(r.waiting ? r.waiting.state : 'none');
                else setTimeout(poll, 100);
              })();
            });
          });
        })"#;
        let state = tab.evaluate(waiting, true)?.value;
        assert_eq!(
            state,
            Some(serde_json::json!("installed")),
            "new worker waits"
        );
        // Meanwhile this page is still the old build, from the old cache.
        assert_eq!(h1(&tab)?, "电信纠纷维权指南");

        // Next navigation: the new build takes over, whole.
        open(&tab, &server.url("index.html"))?;
        let mut title = String::new();
        for _ in 0..100 {
            title = h1(&tab).unwrap_or_default();
            if title == "第二版" {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        assert_eq!(title, "第二版", "the next navigation shows the new build");
        // Only the new cache is left, and it is complete.
        server.stop();
        let keys = tab
            .evaluate(
                "caches.keys().then(function (k) { return JSON.stringify(k); })",
                true,
            )?
            .value
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let keys: Vec<String> = serde_json::from_str(&keys)?;
        assert_eq!(keys.len(), 1, "old cache deleted: {keys:?}");
        assert!(keys[0].ends_with(":0000000000000002"), "{keys:?}");
        wait_for_cache(&tab, n)?;
        open(&tab, &server.url("prepare/evidence.html"))?;
        assert_eq!(h1(&tab)?, "整理证据");
        assert_no_problems(&tab, "new build offline")?;
        Ok(())
    });
}
