//! Shared browser-test helpers: find Chromium, build the site once, open pages, collect errors.

#![allow(dead_code)]

use std::error::Error;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex, OnceLock};

use headless_chrome::protocol::cdp::Page;
use headless_chrome::{Browser, LaunchOptions, Tab};

pub type R = Result<(), Box<dyn Error>>;

/// Records errors, failed loads and CSP violations into `window.__gsProblems`.
const PROBE: &str = r#"
(function () {
  window.__gsProblems = [];
  var push = function (s) { window.__gsProblems.push(String(s)); };
  window.addEventListener('error', function (e) {
    var t = e.target;
    if (t && t !== window && (t.src || t.href)) push('failed to load ' + (t.src || t.href));
    else push('script error: ' + (e.message || e.type));
  }, true);
  window.addEventListener('unhandledrejection', function (e) { push('unhandled rejection: ' + e.reason); });
  document.addEventListener('securitypolicyviolation', function (e) {
    push('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI);
  });
  var ce = console.error;
  console.error = function () { push('console.error: ' + Array.prototype.join.call(arguments, ' ')); return ce.apply(console, arguments); };
})();
"#;

fn chromium_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("GUIDESMITH_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|p| p.exists())
}

/// The browser, or None when tests should be skipped. Panics when CI requires a browser.
pub fn browser() -> Option<Browser> {
    let Some(path) = chromium_path() else {
        if std::env::var("GUIDESMITH_REQUIRE_BROWSER").as_deref() == Ok("1") {
            panic!(
                "GUIDESMITH_REQUIRE_BROWSER=1 but no Chromium found (install Debian's chromium)"
            );
        }
        eprintln!("skipping browser test: no Chromium found");
        return None;
    };
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "gs-chromium-{}-{}",
        std::process::id(),
        N.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
    ));
    let args: Vec<&std::ffi::OsStr> = [
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--allow-file-access-from-files",
    ]
    .iter()
    .map(std::ffi::OsStr::new)
    .collect();
    let opts = LaunchOptions::default_builder()
        .path(Some(path))
        .headless(true)
        .sandbox(false)
        .window_size(Some((1280, 900)))
        .user_data_dir(Some(dir))
        .idle_browser_timeout(std::time::Duration::from_secs(120))
        .args(args)
        .build()
        .expect("launch options are valid");
    Some(Browser::new(opts).expect("Chromium starts"))
}

/// The bundled guide, built once per test process into a temp folder.
pub fn site_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let root = std::env::temp_dir().join(format!("gs-browser-site-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).expect("temp dir");
        let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let out = Command::new(env!("CARGO_BIN_EXE_guidesmith"))
            .args(["build", "--guide"])
            .arg(repo.join("guide"))
            .arg("--out")
            .arg(root.join("public"))
            .current_dir(&root)
            .output()
            .expect("guidesmith runs");
        assert!(
            out.status.success(),
            "build failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        root.join("public")
    })
}

/// `file://` URL of a page of the built site.
pub fn file_url(rel: &str) -> String {
    format!("file://{}/{rel}", site_dir().display())
}

/// A new tab with the problem probe installed on every document.
pub fn tab(browser: &Browser) -> Result<Arc<Tab>, Box<dyn Error>> {
    let tab = browser.new_tab()?;
    tab.call_method(Page::AddScriptToEvaluateOnNewDocument {
        source: PROBE.to_owned(),
        world_name: None,
        include_command_line_api: None,
        run_immediately: None,
    })?;
    Ok(tab)
}

/// Emulates a 390×844 phone screen (the size of the committed phone screenshots).
pub fn phone(tab: &Tab) -> R {
    tab.call_method(
        headless_chrome::protocol::cdp::Emulation::SetDeviceMetricsOverride {
            width: 390,
            height: 844,
            device_scale_factor: 2.0,
            mobile: true,
            scale: None,
            screen_width: None,
            screen_height: None,
            position_x: None,
            position_y: None,
            dont_set_visible_size: None,
            screen_orientation: None,
            viewport: None,
            display_feature: None,
            device_posture: None,
        },
    )?;
    Ok(())
}

/// Navigates and waits until the new document has loaded (its deferred scripts have run).
pub fn open(tab: &Tab, url: &str) -> R {
    let _ = tab.evaluate("window.__gsOld = true", false);
    tab.navigate_to(url)?;
    wait_fresh(tab)
}

fn wait_fresh(tab: &Tab) -> R {
    for _ in 0..500 {
        let fresh = eval_str(
            tab,
            "String(!window.__gsOld && document.readyState === 'complete')",
        )
        .unwrap_or_default();
        if fresh == "true" {
            return Ok(());
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    Err("page did not load within 5 s".into())
}

/// Evaluates JavaScript and returns its JSON value.
pub fn eval(tab: &Tab, js: &str) -> Result<serde_json::Value, Box<dyn Error>> {
    let r = tab.evaluate(js, true)?;
    Ok(r.value.unwrap_or(serde_json::Value::Null))
}

/// Evaluates an expression whose value is JSON-serialisable (arrays, objects) and returns it.
pub fn eval_json(tab: &Tab, expr: &str) -> Result<serde_json::Value, Box<dyn Error>> {
    let s = eval_str(tab, &format!("JSON.stringify({expr})"))?;
    Ok(serde_json::from_str(&s)?)
}

/// Reloads the current page and waits until it has loaded again.
pub fn reload(tab: &Tab) -> R {
    eval(tab, "window.__gsOld = true; location.reload()")?;
    wait_fresh(tab)
}

pub fn eval_str(tab: &Tab, js: &str) -> Result<String, Box<dyn Error>> {
    Ok(match eval(tab, js)? {
        serde_json::Value::String(s) => s,
        other => other.to_string(),
    })
}

/// The problems the probe recorded on the current page.
pub fn problems(tab: &Tab) -> Result<Vec<String>, Box<dyn Error>> {
    let v = eval(
        tab,
        "JSON.stringify(window.__gsProblems || ['probe missing'])",
    )?;
    let s = v.as_str().unwrap_or("[]").to_owned();
    Ok(serde_json::from_str(&s)?)
}

pub fn assert_no_problems(tab: &Tab, what: &str) -> R {
    let p = problems(tab)?;
    assert!(p.is_empty(), "{what}: {p:#?}");
    Ok(())
}

/// Prints the current page to PDF (A4, CSS page size, no browser header/footer).
pub fn print_pdf(tab: &Tab) -> Result<Vec<u8>, Box<dyn Error>> {
    let pdf = tab.print_to_pdf(Some(headless_chrome::types::PrintToPdfOptions {
        prefer_css_page_size: Some(true),
        print_background: Some(true),
        display_header_footer: Some(false),
        ..Default::default()
    }))?;
    Ok(pdf)
}

/// Number of pages and the text of a PDF, via poppler's pdfinfo/pdftotext.
pub fn pdf_pages_and_text(pdf: &[u8]) -> Result<(usize, String), Box<dyn Error>> {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let path = std::env::temp_dir().join(format!(
        "gs-print-{}-{}.pdf",
        std::process::id(),
        N.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
    ));
    std::fs::write(&path, pdf)?;
    let info = Command::new("pdfinfo")
        .arg(&path)
        .output()
        .map_err(|e| format!("pdfinfo (poppler-utils) is required: {e}"))?;
    let info = String::from_utf8_lossy(&info.stdout).into_owned();
    let pages = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .ok_or("pdfinfo printed no page count")?;
    let text = Command::new("pdftotext").arg(&path).arg("-").output()?;
    let _ = std::fs::remove_file(&path);
    Ok((pages, String::from_utf8_lossy(&text.stdout).into_owned()))
}

/// Runs `f` with a browser, or skips when there is none (see module docs).
pub fn with_browser(f: impl FnOnce(&Browser) -> R) {
    static LOCK: Mutex<()> = Mutex::new(());
    // One Chromium at a time: the machine has two cores.
    let _g = LOCK.lock().unwrap_or_else(|p| p.into_inner());
    let Some(b) = browser() else { return };
    if let Err(e) = f(&b) {
        panic!("browser test failed: {e}");
    }
}
