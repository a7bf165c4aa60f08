//! `guidesmith serve` under load and its live-reload WebSocket (issue 21 #7, #8), over raw TCP
//! on 127.0.0.1 like `serve.rs`: many open live-reload sockets and a thousand slow clients must
//! not keep a page from loading, the socket's handshake keeps the Host/Origin fences, and a
//! socket is told about an edit only once the new site is published. Time bounds are generous
//! hang-guards (seconds where the old server never answered), not speed claims.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::harness::hang_guard;
use crate::serve::{chapter, meta_build, small_guide, Serve};

/// RFC 6455's sample key and the accept value it must get back.
const KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";
const ACCEPT: &str = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

/// A minimal WebSocket client of `/__gs/live` (server frames are unmasked; ours are masked with
/// a zero key, which RFC 6455 allows).
pub struct LiveSocket {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl LiveSocket {
    /// Sends the upgrade request with `extra` header lines; `Ok` once the server answers 101
    /// with the right accept key, else `Err((status, head))`.
    pub fn open(
        port: u16,
        host: &str,
        query: &str,
        extra: &str,
    ) -> Result<LiveSocket, (u16, String)> {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .expect("timeout");
        let req = format!(
            "GET /__gs/live?{query} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {KEY}\r\nSec-WebSocket-Version: 13\r\n{extra}\r\n"
        );
        stream.write_all(req.as_bytes()).expect("send handshake");
        let mut buf = Vec::new();
        let mut chunk = [0u8; 4096];
        let end = loop {
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i;
            }
            match stream.read(&mut chunk) {
                Ok(n) if n > 0 => buf.extend_from_slice(&chunk[..n]),
                _ => return Err((0, String::from_utf8_lossy(&buf).into_owned())),
            }
        };
        let head = String::from_utf8_lossy(&buf[..end]).into_owned();
        let status = crate::serve::status_of(&head);
        if status != 101 || crate::serve::header(&head, "sec-websocket-accept") != Some(ACCEPT) {
            return Err((status, head));
        }
        buf.drain(..end + 4);
        Ok(LiveSocket { stream, buf })
    }

    /// The next text message as JSON; `None` if the socket closes or nothing comes within
    /// `secs`. Pings are answered on the way.
    pub fn next_json(&mut self, secs: u64) -> Option<serde_json::Value> {
        let end = Instant::now() + Duration::from_secs(secs);
        loop {
            let (op, payload) = self.frame(end)?;
            match op {
                0x1 => return serde_json::from_slice(&payload).ok(),
                0x9 => self.send(0xA, &payload),
                0x8 => return None,
                _ => {}
            }
        }
    }

    fn send(&mut self, op: u8, payload: &[u8]) {
        let mut f = vec![0x80 | op, 0x80 | payload.len() as u8, 0, 0, 0, 0];
        f.extend_from_slice(payload);
        let _ = self.stream.write_all(&f);
    }

    /// Reads one frame (opcode, payload) before `end`.
    fn frame(&mut self, end: Instant) -> Option<(u8, Vec<u8>)> {
        loop {
            if self.buf.len() >= 2 {
                let len7 = usize::from(self.buf[1] & 0x7f);
                let (len, at) = match len7 {
                    126 if self.buf.len() >= 4 => (
                        usize::from(u16::from_be_bytes([self.buf[2], self.buf[3]])),
                        4,
                    ),
                    127 if self.buf.len() >= 10 => {
                        let b: [u8; 8] = self.buf[2..10].try_into().ok()?;
                        (usize::try_from(u64::from_be_bytes(b)).ok()?, 10)
                    }
                    126 | 127 => (usize::MAX, 0),
                    n => (n, 2),
                };
                if len != usize::MAX && self.buf.len() >= at + len {
                    let op = self.buf[0] & 0x0f;
                    let payload = self.buf[at..at + len].to_vec();
                    self.buf.drain(..at + len);
                    return Some((op, payload));
                }
            }
            let left = end.checked_duration_since(Instant::now())?;
            self.stream
                .set_read_timeout(Some(left.max(Duration::from_millis(1))))
                .ok()?;
            let mut chunk = [0u8; 4096];
            match self.stream.read(&mut chunk) {
                Ok(n) if n > 0 => self.buf.extend_from_slice(&chunk[..n]),
                _ => return None,
            }
        }
    }
}

/// The socket query of a page that shows build `build`.
fn query(build: u64, page: &str) -> String {
    format!("build={build}&page={}", page.replace('/', "%2F"))
}

/// Times `GET path` and asserts it answers 200 within `secs`.
fn loads_within(s: &Serve, path: &str, secs: u64) -> Duration {
    let t = Instant::now();
    let (st, _, _) = s.get(path);
    let took = t.elapsed();
    assert_eq!(st, 200, "{path}");
    assert!(took < Duration::from_secs(secs), "{path} took {took:?}");
    took
}

#[test]
fn twenty_open_live_reload_sockets_leave_page_loads_alone_and_all_hear_the_edit() {
    hang_guard(120, || {
        let p = small_guide("ws20");
        let s = Serve::start(&p, &[]);
        let build = s.build();
        let origin = format!("Origin: http://{}\r\n", s.host());
        let mut tabs: Vec<LiveSocket> = (0..20)
            .map(|i| {
                LiveSocket::open(s.port, &s.host(), &query(build, "/a.html"), &origin)
                    .unwrap_or_else(|e| panic!("socket {i}: {e:?}"))
            })
            .collect();
        // A 21st page (and its stylesheet's page again) loads at once.
        loads_within(&s, "/p/b.html", 5);
        loads_within(&s, "/a.html", 5);
        p.write("guide/chapters/a.md", chapter("甲章", "正文 A 第二版。"));
        for (i, t) in tabs.iter_mut().enumerate() {
            let m = t
                .next_json(30)
                .unwrap_or_else(|| panic!("tab {i} heard nothing"));
            assert_eq!(m["page_changed"], true, "tab {i}: {m}");
            assert!(m["build"].as_u64() > Some(build), "tab {i}: {m}");
        }
    });
}

/// The soft limit on open files, from /proc (None where there is no /proc).
fn open_files_limit() -> Option<usize> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

#[test]
fn a_thousand_slow_clients_neither_lock_out_requests_nor_stay_connected() {
    hang_guard(180, || {
        // The server (a child, same limit) holds one descriptor per client too: stay below it.
        let n = open_files_limit().map_or(1000, |l| l.saturating_sub(150).clamp(100, 1000));
        let p = small_guide("slow");
        let s = Serve::start(&p, &[]);
        let host = s.host();
        let head = format!("GET /a.html HTTP/1.1\r\nHost: {host}\r\nX-Slow: ");
        let mut slow: Vec<Option<TcpStream>> = (0..n)
            .map(|_| TcpStream::connect(("127.0.0.1", s.port)).ok())
            .collect();
        let opened = slow.iter().filter(|c| c.is_some()).count();
        assert!(opened * 10 >= n * 9, "only {opened} of {n} connected");
        let started = Instant::now();
        let mut worst = Duration::ZERO;
        // One byte a second from every client; normal requests in between.
        for sec in 0..25 {
            let byte = &head.as_bytes()[sec.min(head.len() - 1)..][..1];
            for c in slow.iter_mut() {
                if c.as_mut().is_some_and(|s| s.write_all(byte).is_err()) {
                    *c = None; // the server closed it
                }
            }
            worst = worst.max(loads_within(&s, "/a.html", 5));
            if slow.iter().all(Option::is_none) {
                break;
            }
            let next = Duration::from_secs(sec as u64 + 1);
            std::thread::sleep(next.saturating_sub(started.elapsed()));
        }
        let left = slow.iter().filter(|c| c.is_some()).count();
        assert_eq!(
            left, 0,
            "{left} of {n} slow clients still connected after 25 s"
        );
        eprintln!("{n} slow clients: slowest normal request {worst:?}");
        assert_eq!(s.get("/").0, 200);
    });
}

#[test]
fn live_reload_upgrades_keep_the_host_and_origin_fences() {
    hang_guard(60, || {
        let p = small_guide("wsfence");
        let s = Serve::start(&p, &[]);
        let (port, host) = (s.port, s.host());
        let q = query(1, "/a.html");
        let refused = |host: &str, extra: &str| match LiveSocket::open(port, host, &q, extra) {
            Ok(_) => panic!("upgrade accepted with Host {host} and {extra:?}"),
            Err((st, _)) => st,
        };
        for origin in [
            "http://evil.example",
            "null",
            "http://127.0.0.1.evil.example",
            &format!("https://{host}"),
        ] {
            assert_eq!(
                refused(&host, &format!("Origin: {origin}\r\n")),
                403,
                "{origin}"
            );
        }
        assert_eq!(refused(&host, "Sec-Fetch-Site: cross-site\r\n"), 403);
        let origin = format!("Origin: http://{host}\r\n");
        assert_eq!(refused(&format!("evil.example:{port}"), &origin), 403);
        assert_eq!(refused("localhost", &origin), 403);
        // No upgrade asked for: a plain 400, never a hanging socket.
        let (st, head, _) = s.get("/__gs/live");
        assert_eq!(st, 400, "{head}");
        assert!(LiveSocket::open(
            port,
            &format!("localhost:{port}"),
            &q,
            &origin.replace("127.0.0.1", "localhost")
        )
        .is_ok());
        assert!(
            LiveSocket::open(port, &host, &q, "").is_ok(),
            "no Origin: not a browser"
        );
    });
}

#[test]
fn a_socket_is_told_about_an_edit_only_once_the_new_site_is_published() {
    hang_guard(120, || {
        let p = small_guide("wsedit");
        let s = Serve::start(&p, &[]);
        let build = s.build();
        let origin = format!("Origin: http://{}\r\n", s.host());
        let mut a = LiveSocket::open(s.port, &s.host(), &query(build, "/a.html"), &origin)
            .expect("socket for a.html");
        let mut b = LiveSocket::open(s.port, &s.host(), &query(build, "/p/b.html"), &origin)
            .expect("socket for b.html");
        assert!(
            a.next_json(1).is_none(),
            "nothing to tell an up-to-date page"
        );
        p.write("guide/chapters/a.md", chapter("甲章", "正文 A 改过了。"));
        let m = a.next_json(30).expect("told about the edit");
        assert_eq!(m["page_changed"], true, "{m}");
        let told = m["build"].as_u64().expect("build");
        assert!(told > build);
        // Already published when told: the page has the edit and that build number.
        let page = s.text("/a.html").expect("page");
        assert!(page.contains("改过了"));
        assert!(meta_build(&page) >= Some(told));
        // The other page hears of the new build but need not reload.
        let m = b.next_json(30).expect("b told");
        assert_eq!(m["page_changed"], false, "{m}");
        // A broken save: the overlay's diagnostics arrive, located.
        p.write("guide/chapters/a.md", "---\ntitel: x\n---\n");
        let m = a.next_json(30).expect("told about the failure");
        assert!(m.to_string().contains("guide/chapters/a.md:2:1"), "{m}");
        assert_eq!(m["page_changed"], false);
    });
}
