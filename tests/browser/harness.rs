//! Shared browser-test helpers: one Chromium for the whole test binary (each test in its own
//! incognito context), the site built once, pages opened, errors collected, temp files removed.

#![allow(dead_code)]

use std::error::Error;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use headless_chrome::protocol::cdp::{Page, Target};
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

fn require_all() -> bool {
    std::env::var("GUIDESMITH_REQUIRE_BROWSER").as_deref() == Ok("1")
}

/// Reports a prerequisite that is missing: a failure when CI requires the full suite
/// (`GUIDESMITH_REQUIRE_BROWSER=1`), else one `SKIP` line naming the test. The line is written
/// to stderr directly, past the test harness's output capture, so it shows next to `ok`.
pub fn skip(what: &str) {
    let test = std::thread::current()
        .name()
        .unwrap_or("browser test")
        .to_owned();
    if require_all() {
        panic!("GUIDESMITH_REQUIRE_BROWSER=1 but {what}");
    }
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr(), "SKIP {test}: {what}");
}

fn chromium_path() -> Result<PathBuf, String> {
    if let Some(p) = std::env::var_os("GUIDESMITH_CHROMIUM") {
        let p = PathBuf::from(p);
        return if p.exists() {
            Ok(p)
        } else {
            Err(format!(
                "GUIDESMITH_CHROMIUM={} does not exist",
                p.display()
            ))
        };
    }
    [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|p| p.exists())
    .ok_or_else(|| {
        "Chromium not found (Debian: apt-get install chromium poppler-utils fonts-noto-cjk; or set GUIDESMITH_CHROMIUM)".to_owned()
    })
}

// ---------------------------------------------------------------------------------------------
// Temporary files: everything under one folder per test process, removed when it exits.

/// This process's scratch folder (`gs-browser-<pid>` in the temp folder): Chromium's profile
/// and temp files, the built site, the tests' own folders. Removed at exit, after Chromium
/// has been stopped, whether the tests passed or not.
pub fn scratch_root() -> &'static Path {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    ROOT.get_or_init(|| {
        let root = std::env::temp_dir().join(format!("gs-browser-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).expect("temp dir is writable");
        let _ = SCRATCH.set(root.clone());
        cleanup_at_exit();
        root
    })
}

/// A fresh, empty folder `name` inside [`scratch_root`].
pub fn scratch(name: &str) -> PathBuf {
    let dir = scratch_root().join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

static SCRATCH: OnceLock<PathBuf> = OnceLock::new();
static CHROMIUM_PID: AtomicU32 = AtomicU32::new(0);

extern "C" {
    fn atexit(f: extern "C" fn()) -> i32;
    fn kill(pid: i32, sig: i32) -> i32;
    fn waitpid(pid: i32, status: *mut i32, options: i32) -> i32;
}

/// The browser lives in a static, which Rust never drops, and libtest has no hook after the
/// last test: so the C library's `atexit` stops Chromium and removes our temp files.
fn cleanup_at_exit() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: registers a function without arguments that never unwinds.
        unsafe { atexit(cleanup) };
    });
}

extern "C" fn cleanup() {
    let _ = std::panic::catch_unwind(|| {
        let pid = CHROMIUM_PID.load(Ordering::SeqCst);
        if pid != 0 {
            stop(pid as i32);
        }
        if let Some(root) = SCRATCH.get() {
            remove_all(root);
        }
        // Folders a test made on its own, named `gs-…-<pid>` by this process.
        let suffix = format!("-{}", std::process::id());
        if let Ok(rd) = std::fs::read_dir(std::env::temp_dir()) {
            for e in rd.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if name.starts_with("gs-") && name.ends_with(&suffix) {
                    remove_all(&e.path());
                }
            }
        }
    });
}

/// SIGTERM (Chromium shuts down cleanly), then SIGKILL after 5 s; reaps the process.
fn stop(pid: i32) {
    const SIGKILL: i32 = 9;
    const SIGTERM: i32 = 15;
    const WNOHANG: i32 = 1;
    let mut status = 0;
    // SAFETY: plain system calls on our own child's pid.
    unsafe {
        kill(pid, SIGTERM);
        for _ in 0..500 {
            let r = waitpid(pid, &mut status, WNOHANG);
            if r == pid || r < 0 {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        kill(pid, SIGKILL);
        waitpid(pid, &mut status, 0);
    }
}

/// `remove_dir_all`, retried briefly: Chromium's helper processes may still be exiting.
fn remove_all(dir: &Path) {
    for _ in 0..50 {
        if std::fs::remove_dir_all(dir).is_ok() || !dir.exists() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

// ---------------------------------------------------------------------------------------------
// One Chromium for all tests; each test gets its own incognito context.

struct Shared {
    browser: Browser,
    /// Keeps DevTools messages flowing (held for the life of the process); see [`launch`].
    heartbeat: Arc<Tab>,
}

/// Starts the shared Chromium, or None when it is not installed.
///
/// headless_chrome's reader thread holds the connection's lock while it waits up to 100 ms for
/// a message, then sleeps 100 ms, so on a quiet connection every DevTools call takes about
/// 100 ms (rust-headless-chrome issue #446). A heartbeat tab logging to the console every few
/// milliseconds keeps messages coming, so a call costs a few milliseconds: the browser tests
/// run about three times faster. It lives in the default context, apart from the tests' own.
fn launch() -> Option<Shared> {
    let path = match chromium_path() {
        Ok(p) => p,
        Err(e) => {
            if require_all() {
                panic!("GUIDESMITH_REQUIRE_BROWSER=1 but {e}");
            }
            return None;
        }
    };
    let tmp = scratch("chromium-tmp");
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
        .user_data_dir(Some(scratch("chromium-profile")))
        // Chromium's own temp files (its singleton socket folder …) go into our folder too.
        .process_envs(Some(
            [("TMPDIR".to_owned(), tmp.to_string_lossy().into_owned())].into(),
        ))
        .idle_browser_timeout(std::time::Duration::from_secs(600))
        .args(args)
        .build()
        .expect("launch options are valid");
    let browser = Browser::new(opts).expect("Chromium starts");
    CHROMIUM_PID.store(browser.get_process_id().unwrap_or(0), Ordering::SeqCst);
    let heartbeat = browser.new_tab().expect("heartbeat tab");
    heartbeat.enable_runtime().expect("heartbeat runtime");
    heartbeat
        .evaluate("setInterval(function () { console.debug(''); }, 4)", false)
        .expect("heartbeat starts");
    Some(Shared { browser, heartbeat })
}

/// One test's share of the browser: its own incognito browser context (own storage, cache
/// and service workers) and the tabs it opened, closed when the test ends, passed or failed.
/// (The emptied context stays until Chromium exits: headless_chrome cannot send the
/// browser-level `Target.disposeBrowserContext`, and a tab's session is not allowed to.)
pub struct Session {
    shared: &'static Shared,
    context: String,
    tabs: Mutex<Vec<Arc<Tab>>>,
}

impl Session {
    fn new(shared: &'static Shared) -> Result<Session, Box<dyn Error>> {
        let context = shared.browser.new_context()?.get_id().to_owned();
        Ok(Session {
            shared,
            context,
            tabs: Mutex::new(Vec::new()),
        })
    }

    /// A new blank tab in this test's context (without the problem probe: see [`tab`]).
    pub fn new_tab(&self) -> Result<Arc<Tab>, Box<dyn Error>> {
        let tab = self
            .shared
            .browser
            .new_tab_with_options(Target::CreateTarget {
                url: "about:blank".into(),
                left: None,
                top: None,
                width: None,
                height: None,
                window_state: None,
                browser_context_id: Some(self.context.clone()),
                enable_begin_frame_control: None,
                new_window: None,
                background: None,
                for_tab: None,
                hidden: None,
            })?;
        self.tabs
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(Arc::clone(&tab));
        Ok(tab)
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        for tab in self
            .tabs
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .drain(..)
        {
            let _ = tab.close_target();
        }
    }
}

/// The bundled guide, built once per test process into a temp folder.
pub fn site_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let root = scratch("site");
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

/// A new tab in the test's own context, with the problem probe installed on every document.
pub fn tab(session: &Session) -> Result<Arc<Tab>, Box<dyn Error>> {
    let tab = session.new_tab()?;
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
    viewport(tab, 390, 844, 2.0, true)
}

/// Emulates a screen of `width`×`height` CSS pixels.
pub fn viewport(tab: &Tab, width: u32, height: u32, scale: f64, mobile: bool) -> R {
    tab.call_method(
        headless_chrome::protocol::cdp::Emulation::SetDeviceMetricsOverride {
            width,
            height,
            device_scale_factor: scale,
            mobile,
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
    static N: AtomicUsize = AtomicUsize::new(0);
    let path = scratch_root().join(format!("print-{}.pdf", N.fetch_add(1, Ordering::SeqCst)));
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

/// Runs `f` with a fresh incognito context of the shared browser, or skips when there is no
/// Chromium (see module docs).
pub fn with_browser(f: impl FnOnce(&Session) -> R) {
    static SHARED: OnceLock<Option<Shared>> = OnceLock::new();
    static LOCK: Mutex<()> = Mutex::new(());
    // One test in the browser at a time: the machine has two cores.
    let _g = LOCK.lock().unwrap_or_else(|p| p.into_inner());
    let Some(shared) = SHARED.get_or_init(launch) else {
        return skip(&chromium_path().err().unwrap_or_default());
    };
    let session =
        Session::new(shared).unwrap_or_else(|e| panic!("a browser context for the test: {e}"));
    if let Err(e) = f(&session) {
        panic!("browser test failed: {e}");
    }
}
