//! Shared test helpers: temporary project folders, running the binary, tree hashes.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

/// A temporary project folder, removed on drop.
pub struct Project {
    pub root: PathBuf,
}

impl Drop for Project {
    fn drop(&mut self) {
        let _ = make_writable(&self.root);
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

fn make_writable(p: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    for e in walkdir(p) {
        let mode = if e.is_dir() { 0o755 } else { 0o644 };
        let _ = std::fs::set_permissions(&e, std::fs::Permissions::from_mode(mode));
    }
    Ok(())
}

fn walkdir(p: &Path) -> Vec<PathBuf> {
    let mut out = vec![p.to_owned()];
    let mut i = 0;
    while i < out.len() {
        let cur = out[i].clone();
        if cur.is_dir() && !cur.is_symlink() {
            if let Ok(rd) = std::fs::read_dir(&cur) {
                let mut v: Vec<PathBuf> = rd.filter_map(Result::ok).map(|e| e.path()).collect();
                v.sort();
                out.extend(v);
            }
        }
        i += 1;
    }
    out
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

impl Project {
    /// An empty project folder.
    pub fn empty(name: &str) -> Project {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let root = std::env::temp_dir().join(format!("gs-test-{}-{name}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).expect("temp dir is writable");
        Project { root }
    }

    /// A copy of `tests/fixtures/<name>/` (which holds a `guide/`).
    pub fn fixture(name: &str) -> Project {
        let p = Project::empty(name);
        copy_dir(&fixtures().join(name), &p.root);
        p
    }

    /// A project holding a copy of the bundled guide.
    pub fn bundled() -> Project {
        let p = Project::empty("bundled");
        copy_dir(&repo().join("guide"), &p.root.join("guide"));
        p
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    pub fn write(&self, rel: &str, content: impl AsRef<[u8]>) {
        let p = self.root.join(rel);
        std::fs::create_dir_all(p.parent().expect("has parent")).expect("mkdir");
        std::fs::write(p, content).expect("write");
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.root.join(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
    }

    /// `guidesmith ARGS…` run in the project folder.
    pub fn run(&self, args: &[&str]) -> Run {
        let out = Command::new(bin())
            .args(args)
            .current_dir(&self.root)
            .env_remove("RUST_BACKTRACE")
            .output()
            .expect("guidesmith runs");
        Run::from(out)
    }
}

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_guidesmith")
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixtures() -> PathBuf {
    repo().join("tests/fixtures")
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).unwrap_or_else(|e| panic!("{}: {e}", from.display())) {
        let e = e.expect("entry");
        let dest = to.join(e.file_name());
        if e.file_type().expect("type").is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).expect("copy");
        }
    }
}

/// The result of one run of the binary.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(o: Output) -> Run {
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

impl Run {
    pub fn ok(&self) -> &Self {
        assert_eq!(self.code, 0, "expected success\nstderr:\n{}", self.stderr);
        self
    }
}

/// Every file under `dir`: relative path → (bytes, unix mode). Symlinks as their target text.
pub fn tree(dir: &Path) -> BTreeMap<String, (Vec<u8>, u32)> {
    use std::os::unix::fs::MetadataExt;
    let mut out = BTreeMap::new();
    for p in walkdir(dir) {
        let Ok(meta) = std::fs::symlink_metadata(&p) else {
            continue;
        };
        let rel = p
            .strip_prefix(dir)
            .expect("under dir")
            .to_string_lossy()
            .into_owned();
        if meta.file_type().is_symlink() {
            let t = std::fs::read_link(&p)
                .map(|t| t.to_string_lossy().into_owned())
                .unwrap_or_default();
            out.insert(rel, (t.into_bytes(), meta.mode()));
        } else if meta.is_file() {
            out.insert(rel, (std::fs::read(&p).unwrap_or_default(), meta.mode()));
        } else {
            out.insert(rel + "/", (Vec::new(), meta.mode()));
        }
    }
    out
}

/// Compares `actual` with the golden file `tests/golden/<name>`; `GUIDESMITH_BLESS=1` rewrites it.
pub fn golden(name: &str, actual: &str) {
    let path = repo().join("tests/golden").join(name);
    if std::env::var_os("GUIDESMITH_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, actual).expect("write golden");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!("missing golden {name}; run with GUIDESMITH_BLESS=1 to create it")
    });
    assert_eq!(
        actual, expected,
        "golden {name} differs (GUIDESMITH_BLESS=1 to update after review)"
    );
}

/// Reports a missing prerequisite (Node.js, curl): a failure when CI requires the full suite
/// (`GUIDESMITH_REQUIRE_BROWSER=1`), else one `SKIP` line naming the test, written to stderr
/// directly (past the test harness's output capture) so it shows next to `ok`.
pub fn skip(what: &str) {
    if std::env::var("GUIDESMITH_REQUIRE_BROWSER").as_deref() == Ok("1") {
        panic!("GUIDESMITH_REQUIRE_BROWSER=1 but {what}");
    }
    print_skip(what);
}

/// Prints the `SKIP` line only: for optional tools CI does not install either (curl).
pub fn print_skip(what: &str) {
    let test = std::thread::current().name().unwrap_or("test").to_owned();
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr(), "SKIP {test}: {what}");
}

/// Runs `f` on a thread and fails the test if it does not finish within `secs` (hang-guard).
pub fn hang_guard<T: Send + 'static>(secs: u64, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(std::time::Duration::from_secs(secs))
        .unwrap_or_else(|_| panic!("did not finish within {secs} s"))
}
