//! The live-reload socket: `GET /__gs/live?build=N&diag=D&page=P` upgraded to a WebSocket.
//!
//! A WebSocket is not one of the browser's six HTTP/1.1 connections per host, so any number
//! of open tabs leaves page loads alone (issue 21 #7). The socket tells its page, as JSON
//! (`reload::WaitAnswer`), about every build or diagnostics change after the one the page
//! showed; it wakes only on `Shared`'s `watch` channel, which is bumped after the new site is
//! published, so a reload never sees a half-made site. Host and Origin are checked by `http.rs`
//! before the upgrade; here the handshake is checked and answered. Clients only ever send
//! control frames: messages are capped small, and a peer that answers no ping is dropped.

use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

use futures_util::future::{select, Either};
use futures_util::{SinkExt, StreamExt};
use hyper::body::Incoming;
use hyper::header::{self, HeaderValue};
use hyper::Request;
use hyper_util::rt::TokioIo;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

use super::http::{self, param, Response};
use super::paths::site_key;
use super::reload::Shared;

/// A ping goes out after this long without news; a peer silent for two of these is dropped.
const PING_EVERY: Duration = Duration::from_secs(30);
/// Largest frame or message a client may send (they send only pongs and closes).
const MAX_CLIENT_MESSAGE: usize = 4 * 1024;

/// What the page says it shows: its build, the fingerprint of the diagnostics it shows, and
/// its path (to tell whether it changed).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Query {
    pub build: u64,
    pub digest: String,
    pub page: Option<String>,
}

impl Query {
    pub fn parse(query: &str) -> Query {
        Query {
            build: param(query, "build")
                .and_then(|b| b.parse().ok())
                .unwrap_or(0),
            digest: param(query, "diag").unwrap_or_else(|| "0".into()),
            page: param(query, "page").and_then(|p| site_key(&p).ok()),
        }
    }
}

/// Answers a WebSocket handshake with 101 and spawns the session, or refuses it with 400.
pub fn accept(req: &mut Request<Incoming>, shared: Arc<Shared>) -> Response {
    let h = req.headers();
    let has = |name: header::HeaderName, token: &str| {
        h.get_all(name).iter().any(|v| {
            v.to_str()
                .is_ok_and(|v| v.split(',').any(|t| t.trim().eq_ignore_ascii_case(token)))
        })
    };
    let key = h.get(header::SEC_WEBSOCKET_KEY).map(HeaderValue::as_bytes);
    let (true, true, true, Some(key)) = (
        has(header::CONNECTION, "upgrade"),
        has(header::UPGRADE, "websocket"),
        has(header::SEC_WEBSOCKET_VERSION, "13"),
        key,
    ) else {
        return http::text(400, "expected a WebSocket upgrade (version 13)");
    };
    let accept = derive_accept_key(key);
    let query = Query::parse(req.uri().query().unwrap_or(""));
    let upgrade = hyper::upgrade::on(req);
    tokio::spawn(async move {
        if let Ok(io) = upgrade.await {
            session(TokioIo::new(io), shared, query).await;
        }
    });
    let mut r = http::response(101, "text/plain; charset=utf-8", Default::default());
    r.headers_mut().remove(header::CONTENT_TYPE);
    http::set(&mut r, header::CONNECTION, "Upgrade");
    http::set(&mut r, header::UPGRADE, "websocket");
    http::set(&mut r, header::SEC_WEBSOCKET_ACCEPT, &accept);
    r
}

/// What woke a session up.
enum Event {
    /// A rebuild attempt completed (or the server is shutting down: `false`).
    Rebuilt(bool),
    /// A frame from the client (`false`: it closed, failed or broke the protocol).
    Frame(bool),
    Quiet,
}

/// One page's socket: tells it what changed until it goes away.
async fn session<S>(io: S, shared: Arc<Shared>, mut query: Query)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let config = WebSocketConfig::default()
        .read_buffer_size(MAX_CLIENT_MESSAGE)
        .write_buffer_size(0)
        .max_message_size(Some(MAX_CLIENT_MESSAGE))
        .max_frame_size(Some(MAX_CLIENT_MESSAGE));
    let mut ws = WebSocketStream::from_raw_socket(io, Role::Server, Some(config)).await;
    let mut changes = shared.subscribe();
    let mut heard = true;
    loop {
        changes.mark_unchanged();
        let a = shared.news(query.build, &query.digest, query.page.as_deref());
        if a.news {
            let json = serde_json::to_string(&a).unwrap_or_else(|_| "{}".into());
            if ws.send(Message::text(json)).await.is_err() {
                return;
            }
            query.build = a.build;
            query.digest = a.digest;
        }
        let event = {
            let changed = pin!(changes.changed());
            match tokio::time::timeout(PING_EVERY, select(changed, ws.next())).await {
                Err(_) => Event::Quiet,
                Ok(Either::Left((r, _))) => Event::Rebuilt(r.is_ok()),
                Ok(Either::Right((frame, _))) => Event::Frame(matches!(
                    frame,
                    Some(Ok(ref m)) if !m.is_close()
                )),
            }
        };
        match event {
            Event::Rebuilt(true) => {}
            Event::Frame(true) => heard = true,
            Event::Rebuilt(false) | Event::Frame(false) => break,
            Event::Quiet if !heard => break,
            Event::Quiet => {
                heard = false;
                if ws.send(Message::Ping(Default::default())).await.is_err() {
                    return;
                }
            }
        }
    }
    let _ = ws.close(None).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_names_build_diagnostics_and_a_valid_page() {
        let q = Query::parse("build=4&diag=ab12&page=%2Fp%2Fb.html");
        assert_eq!((q.build, q.digest.as_str()), (4, "ab12"));
        assert_eq!(q.page.as_deref(), Some("p/b.html"));
        let junk = Query::parse("build=x&page=%2F..%2Fsecret");
        assert_eq!(
            junk,
            Query {
                build: 0,
                digest: "0".into(),
                page: None
            }
        );
    }
}
