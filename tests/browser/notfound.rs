//! The 404 page at any depth (issue 23): a mistyped URL inside a section is answered with
//! 404.html, whose URLs are written for the site root. Built without a base URL, it still
//! finds its stylesheet, script and links: on a static host (emulated from `file://` by putting
//! 404.html where the mistyped page would be) and under `guidesmith serve`.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use headless_chrome::Tab;

use crate::*;

/// Checks that the 404 page at `url` is styled, scripted and links to the site root `root`.
fn assert_working_404(tab: &Tab, url: &str, root: &str) -> R {
    open(tab, url)?;
    // The helper adds the page script after the body is parsed: wait for it to run.
    for _ in 0..300 {
        if eval(tab, "!!document.querySelector('.theme-toggle[aria-pressed]') && document.styleSheets.length > 0 && getComputedStyle(document.querySelector('.site-header')).position === 'sticky'")? == true {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let facts = eval_json(
        tab,
        r#"({
            h1: document.querySelector('h1').textContent,
            sticky: getComputedStyle(document.querySelector('.site-header')).position,
            home: document.querySelector('main .card-list a').href,
            title: document.querySelector('.site-title').href,
            form: document.querySelector('main form').action,
            css: Array.from(document.querySelectorAll('link[rel=stylesheet]')).map(function (l) { return l.href; }),
            engine: document.getElementById('gs-q').getAttribute('data-engine'),
            dataRoot: document.body.getAttribute('data-root')
        })"#,
    )?;
    assert_eq!(facts["h1"], "页面不存在", "{url}");
    assert_eq!(facts["sticky"], "sticky", "{url}: styled");
    assert_eq!(facts["home"], format!("{root}index.html"), "{url}");
    assert_eq!(facts["title"], format!("{root}index.html"), "{url}");
    assert_eq!(facts["form"], format!("{root}search.html"), "{url}");
    let css = facts["css"][0].as_str().unwrap_or_default();
    assert!(
        css.starts_with(&format!("{root}static/style.")),
        "{url}: {css}"
    );
    // The page script runs: the theme toggle works, and search finds its files from the root.
    eval(tab, "document.querySelector('.theme-toggle').click()")?;
    assert!(
        eval(tab, "document.documentElement.hasAttribute('data-theme')")? == true,
        "{url}: page script"
    );
    let engine = facts["engine"].as_str().unwrap_or_default();
    let resolved = eval_str(tab, &format!("new URL({engine:?}, location.href).href"))?;
    assert!(
        resolved.starts_with(&format!("{root}static/search.")),
        "{resolved}"
    );
    assert_no_problems(tab, url)
}

#[test]
fn a_mistyped_url_in_a_section_gets_the_styled_404_page_from_a_static_host() {
    with_browser(|b| {
        let tab = tab(b)?;
        let dir = scratch("notfound-static");
        let out = dir.join("public");
        let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let run = Command::new(env!("CARGO_BIN_EXE_guidesmith"))
            .args(["build", "--guide"])
            .arg(repo.join("guide"))
            .arg("--out")
            .arg(&out)
            .output()?;
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        // What a static host answers for /escalate/nope.html, /checklists/x.html, /nope.html.
        let page = std::fs::read(out.join("404.html"))?;
        for rel in ["escalate/nope.html", "checklists/x.html", "nope.html"] {
            std::fs::write(out.join(rel), &page)?;
        }
        let root = format!("file://{}/", out.display());
        for rel in ["escalate/nope.html", "checklists/x.html", "nope.html"] {
            assert_working_404(&tab, &format!("{root}{rel}"), &root)?;
        }
        Ok(())
    });
}

#[test]
fn a_mistyped_url_in_a_section_gets_the_styled_404_page_under_serve() {
    with_browser(|b| {
        let tab = tab(b)?;
        let dir = scratch("notfound-serve");
        let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let mut child = Command::new(env!("CARGO_BIN_EXE_guidesmith"))
            .args(["serve", "--port", "0", "--guide"])
            .arg(repo.join("guide"))
            .current_dir(&dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()?;
        let out = child.stdout.take().ok_or("stdout")?;
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(out);
            let mut line = String::new();
            let _ = r.read_line(&mut line);
            let _ = tx.send(line);
            let _ = std::io::copy(&mut r, &mut std::io::sink());
        });
        let line = rx.recv_timeout(Duration::from_secs(60)).unwrap_or_default();
        let port: Option<u16> = line
            .trim()
            .trim_end_matches('/')
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok());
        let result = (|| -> R {
            let port = port.ok_or_else(|| format!("serve printed no URL: {line:?}"))?;
            let root = format!("http://127.0.0.1:{port}/");
            for rel in ["escalate/nope.html", "scenarios/typo.html", "nope.html"] {
                assert_working_404(&tab, &format!("{root}{rel}"), &root)?;
            }
            // Over http the page links the web manifest (from file:// it does not).
            let manifest = eval_str(
                &tab,
                "(document.querySelector('link[rel=manifest]') || {}).href || ''",
            )?;
            assert_eq!(manifest, format!("{root}static/manifest.webmanifest"));
            Ok(())
        })();
        let _ = child.kill();
        let _ = child.wait();
        result
    });
}
