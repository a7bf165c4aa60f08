//! `guidesmith serve` in the browser: live reload keeps the scroll position, a broken file shows
//! a located overlay made of text (never markup) while the last good page stays, fixing it
//! clears the overlay, and the served pages raise no CSP violation (RELIABILITY S9, W6, X7).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::*;

struct Server {
    child: Child,
    port: u16,
    root: std::path::PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

fn chapter(title: &str, body: &str) -> String {
    format!("---\ntitle: {title}\ndescription: {title}的说明。\n---\n\n{body}\n")
}

fn start() -> Server {
    let root = scratch("serve");
    let w = |rel: &str, text: &str| {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    };
    w("guide/guide.yaml", "title: 预览测试\ndescription: 预览。\nupdated: 2026-11-24\nnotice: 仅供测试。\nnav:\n  - title: 全部\n    chapters:\n      - chapters/a.md\n");
    let long: String = (0..80)
        .map(|i| format!("第 {i} 段：一段足够长的正文，用来让页面可以向下滚动。\n\n"))
        .collect();
    w(
        "guide/chapters/a.md",
        &chapter("甲章", &format!("初版正文。\n\n{long}")),
    );
    w(
        "guide/checklists/demo.yaml",
        "id: demo\ntitle: 演示清单\npurpose: 测试\nchapter: chapters/a.md\nsections:\n  - title: 材料\n    items:\n      - id: a\n        check: 身份证\n",
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_guidesmith"))
        .args(["serve", "--port", "0"])
        .current_dir(&root)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve starts");
    let out = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut r = BufReader::new(out);
        let mut line = String::new();
        let _ = r.read_line(&mut line);
        let _ = tx.send(line);
        let _ = std::io::copy(&mut r, &mut std::io::sink());
    });
    let line = rx.recv_timeout(Duration::from_secs(60)).unwrap_or_default();
    let port = line
        .trim()
        .trim_end_matches('/')
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("serve prints its URL");
    Server { child, port, root }
}

fn wait_for(tab: &headless_chrome::Tab, js: &str, what: &str) -> R {
    for _ in 0..1500 {
        if eval(tab, js).ok() == Some(serde_json::Value::Bool(true)) {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Err(format!("timed out waiting for {what}").into())
}

#[test]
fn live_reload_keeps_scroll_and_build_errors_show_a_located_text_overlay() {
    with_browser(|b| {
        let s = start();
        let tab = tab(b)?;
        let url = format!("http://127.0.0.1:{}/a.html", s.port);
        open(&tab, &url)?;
        wait_for(
            &tab,
            "!!document.querySelector('meta[name=gs-build]')",
            "the live-reload snippet",
        )?;
        eval(&tab, "window.scrollTo(0, 1200)")?;
        let y0 = eval(&tab, "window.scrollY")?.as_f64().unwrap_or(0.0);
        assert!(y0 > 1000.0, "page did not scroll: {y0}");

        // Edit → the open page reloads with the new text at the same scroll position.
        let long: String = (0..80)
            .map(|i| format!("第 {i} 段：一段足够长的正文，用来让页面可以向下滚动。\n\n"))
            .collect();
        std::fs::write(
            s.root.join("guide/chapters/a.md"),
            chapter("甲章", &format!("第二版正文。\n\n{long}")),
        )?;
        wait_for(
            &tab,
            "document.body && document.body.textContent.includes('第二版正文')",
            "the reloaded page",
        )?;
        wait_for(
            &tab,
            &format!("Math.abs(window.scrollY - {y0}) < 40"),
            "the scroll position to be restored",
        )?;
        assert_no_problems(&tab, "after reload")?;

        // Break the checklist with markup in the message: a text overlay, old page still served.
        std::fs::write(
            s.root.join("guide/checklists/demo.yaml"),
            "id: demo\ntitle: 演示清单\npurpose: 测试\nchapter: chapters/a.md\nsections:\n  - title: 材料\n    items:\n      - id: a\n        chek: <img src=x onerror=window.__pwned=1>\n",
        )?;
        wait_for(
            &tab,
            "!!document.getElementById('gs-overlay')",
            "the error overlay",
        )?;
        let text = eval_str(&tab, "document.getElementById('gs-overlay').textContent")?;
        assert!(
            text.contains("guide/checklists/demo.yaml:9:9"),
            "overlay lacks file:line:col: {text}"
        );
        assert!(
            text.contains("<img src=x onerror=window.__pwned=1>"),
            "markup not shown literally: {text}"
        );
        assert_eq!(
            eval(&tab, "document.querySelectorAll('#gs-overlay img').length")?,
            serde_json::json!(0)
        );
        assert_eq!(
            eval(&tab, "window.__pwned === undefined")?,
            serde_json::Value::Bool(true)
        );
        assert!(
            eval_str(&tab, "document.body.textContent")?.contains("第二版正文"),
            "last good page kept"
        );

        // Fix → the overlay goes away.
        std::fs::write(
            s.root.join("guide/checklists/demo.yaml"),
            "id: demo\ntitle: 演示清单\npurpose: 测试\nchapter: chapters/a.md\nsections:\n  - title: 材料\n    items:\n      - id: a\n        check: 身份证原件\n",
        )?;
        wait_for(
            &tab,
            "!document.getElementById('gs-overlay')",
            "the overlay to clear",
        )?;
        assert_no_problems(&tab, "serve mode (CSP, scripts)")?;
        Ok(())
    });
}

#[test]
fn twenty_open_tabs_leave_a_new_page_loading_and_all_reload_after_an_edit() {
    with_browser(|b| {
        let s = start();
        let url = format!("http://127.0.0.1:{}/a.html", s.port);
        // Each tab holds its live-reload connection open. Over HTTP/1.1 long polls the 7th
        // tab could not load: a browser opens at most 6 connections per host.
        let mut tabs = Vec::new();
        for i in 0..20 {
            let t = tab(b)?;
            open(&t, &url).map_err(|e| format!("tab {i}: {e}"))?;
            tabs.push(t);
        }
        let extra = tab(b)?;
        open(&extra, &format!("http://127.0.0.1:{}/", s.port))
            .map_err(|e| format!("the 21st page: {e}"))?;
        // Its load time, for docs/performance.md (a figure, not a timed assertion).
        let ms = eval(
            &extra,
            "Math.round(performance.getEntriesByType('navigation')[0].duration)",
        )?;
        eprintln!("21st page with 20 tabs open: loaded in {ms} ms");
        let long: String = (0..80)
            .map(|i| format!("第 {i} 段：一段足够长的正文，用来让页面可以向下滚动。\n\n"))
            .collect();
        std::fs::write(
            s.root.join("guide/chapters/a.md"),
            chapter("甲章", &format!("第三版正文。\n\n{long}")),
        )?;
        for (i, t) in tabs.iter().enumerate() {
            wait_for(
                t,
                "document.body && document.body.textContent.includes('第三版正文')",
                &format!("tab {i} to reload"),
            )?;
        }
        assert_no_problems(&tabs[0], "twenty tabs (CSP, scripts)")?;
        for t in tabs {
            let _ = t.close(false);
        }
        Ok(())
    });
}
