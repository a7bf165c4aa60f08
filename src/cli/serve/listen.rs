//! The preview server's connections: hyper's HTTP/1.1 on a current-thread tokio runtime.
//!
//! Every connection is a task, not a thread, so thousands of idle or slow clients cost a few
//! KiB each and no fixed connection cap turns anyone away (issue 21 #8). Each is bounded all
//! the same: the request head must arrive within `HEAD_DEADLINE` (from the first byte asked
//! for, so idle keep-alive connections close too) in at most `MAX_HEAD_BYTES` and
//! `MAX_HEADERS` lines (hyper answers 431 past them), and a connection that moves no byte
//! either way for `STALL` is dropped (a client that stops reading its answer). A closed
//! connection lingers briefly, reading what the client still sends, so an answer sent before
//! the whole request was read (431, 405) is not lost to a reset. When the process runs out of
//! file descriptors, accepting pauses briefly instead of spinning.
//! WebSocket sessions leave this module's watch at the upgrade and keep their own (`live.rs`).

use std::convert::Infallible;
use std::io;
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;

use super::http::Server;

/// Longest accepted request head (request line + headers).
pub const MAX_HEAD_BYTES: usize = 16 * 1024;
/// Most accepted header lines.
pub const MAX_HEADERS: usize = 100;
/// The whole request head must arrive within this (also the keep-alive idle time).
const HEAD_DEADLINE: Duration = Duration::from_secs(10);
/// A connection that moves no byte for this long is dropped.
const STALL: Duration = Duration::from_secs(30);
/// How long accepting pauses after an error such as "too many open files".
const ACCEPT_PAUSE: Duration = Duration::from_millis(50);
/// How long a closed connection keeps reading (and dropping) what the client still sends.
const LINGER: Duration = Duration::from_millis(500);

/// Serves `listener` forever on a current-thread runtime.
pub fn run(listener: std::net::TcpListener, server: Arc<Server>) -> io::Result<()> {
    listener.set_nonblocking(true)?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()?;
    rt.block_on(accept(listener, server))
}

async fn accept(listener: std::net::TcpListener, server: Arc<Server>) -> io::Result<()> {
    let listener = tokio::net::TcpListener::from_std(listener)?;
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(HEAD_DEADLINE)
        .max_buf_size(MAX_HEAD_BYTES)
        .max_header_size(MAX_HEAD_BYTES)
        .max_headers(MAX_HEADERS)
        // A client may shut its write side after the request and still read the answer.
        .half_close(true);
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(_) => {
                tokio::time::sleep(ACCEPT_PAUSE).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let http = http.clone();
        let server = Arc::clone(&server);
        tokio::spawn(connection(http, stream, server));
    }
}

/// Drives one connection until it ends, fails, upgrades or stalls.
async fn connection(http: http1::Builder, stream: TcpStream, server: Arc<Server>) {
    let moved = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let io = Watched {
        inner: Some(stream),
        moved: Arc::clone(&moved),
        started,
    };
    let service = service_fn(move |req| {
        let server = Arc::clone(&server);
        async move { Ok::<_, Infallible>(server.respond(req)) }
    });
    let mut conn = pin!(http
        .serve_connection(TokioIo::new(io), service)
        .with_upgrades());
    loop {
        if tokio::time::timeout(STALL / 3, conn.as_mut()).await.is_ok() {
            return;
        }
        let last = Duration::from_millis(moved.load(Ordering::Relaxed));
        if started.elapsed().saturating_sub(last) > STALL {
            return; // dropping the connection closes it
        }
    }
}

/// A stream that records when a byte last moved (milliseconds since `started`) and lingers
/// when dropped.
struct Watched {
    /// Present until dropped.
    inner: Option<TcpStream>,
    moved: Arc<AtomicU64>,
    started: Instant,
}

impl Drop for Watched {
    fn drop(&mut self) {
        let handle = tokio::runtime::Handle::try_current();
        if let (Some(stream), Ok(handle)) = (self.inner.take(), handle) {
            handle.spawn(linger(stream));
        }
    }
}

/// Closes our side, then reads what the client still sends for up to `LINGER` (at most 64 KiB).
async fn linger(mut stream: TcpStream) {
    let _ = stream.shutdown().await;
    let mut sink = [0u8; 4096];
    let drain = async {
        for _ in 0..16 {
            if !matches!(stream.read(&mut sink).await, Ok(n) if n > 0) {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(LINGER, drain).await;
}

impl Watched {
    fn stream(&mut self) -> Pin<&mut TcpStream> {
        Pin::new(
            self.inner
                .as_mut()
                .expect("the stream is present until dropped"),
        )
    }

    fn stamp<T>(&self, p: &Poll<io::Result<T>>) {
        if matches!(p, Poll::Ready(Ok(_))) {
            let ms = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
            self.moved.store(ms, Ordering::Relaxed);
        }
    }
}

impl AsyncRead for Watched {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let me = self.get_mut();
        let p = me.stream().poll_read(cx, buf);
        me.stamp(&p);
        p
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let me = self.get_mut();
        let p = me.stream().poll_write(cx, buf);
        me.stamp(&p);
        p
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut().stream().poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut().stream().poll_shutdown(cx)
    }
}
