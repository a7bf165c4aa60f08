//! Writing a `Site` to disk without ever losing a file (RELIABILITY O1–O5, O9, O10).
//!
//! The only module that writes files. The new site is written into a staging directory beside
//! the output (same file system), then swapped in with two renames; the old site is removed
//! only after the new one is in place. A manifest in the output records what we wrote (with
//! content hashes): we only ever replace an output directory that is empty or carries our
//! manifest, files we did not write are never deleted silently, and dot-entries (a `.git` of a
//! gh-pages worktree) are carried over untouched. Unchanged files are hard-linked from the
//! previous output instead of rewritten. All file operations go through the `Fs` seam so tests
//! can inject failures at every step.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use crate::site::{digest, Digests, Site};

/// Name of the manifest file inside the output directory.
pub const MANIFEST: &str = ".guidesmith-manifest";
const MANIFEST_HEADER: &str = "# guidesmith manifest v1: files written by guidesmith (hash path)";

/// The file operations `write` needs; `RealFs` in production, fault injectors in tests.
pub trait Fs: Sync {
    fn create_dir_all(&self, p: &Path) -> io::Result<()>;
    fn write(&self, p: &Path, bytes: &[u8]) -> io::Result<()>;
    fn hard_link(&self, from: &Path, to: &Path) -> io::Result<()>;
    fn rename(&self, from: &Path, to: &Path) -> io::Result<()>;
    fn remove_dir_all(&self, p: &Path) -> io::Result<()>;
}

/// The real file system.
pub struct RealFs;

impl Fs for RealFs {
    fn create_dir_all(&self, p: &Path) -> io::Result<()> {
        std::fs::create_dir_all(p)
    }
    fn write(&self, p: &Path, bytes: &[u8]) -> io::Result<()> {
        std::fs::write(p, bytes)
    }
    fn hard_link(&self, from: &Path, to: &Path) -> io::Result<()> {
        std::fs::hard_link(from, to)
    }
    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        std::fs::rename(from, to)
    }
    fn remove_dir_all(&self, p: &Path) -> io::Result<()> {
        std::fs::remove_dir_all(p)
    }
}

/// Why the output directory was not written.
#[derive(Debug)]
pub enum OutputError {
    /// Refused before touching anything (exit code 2).
    Refused { message: String, help: String },
    /// An I/O failure; the previous site is intact.
    Io { path: PathBuf, error: io::Error },
}

impl std::fmt::Display for OutputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OutputError::Refused { message, help } => write!(f, "{message}\n  = help: {help}"),
            OutputError::Io { path, error } => write!(f, "{}: {error}", path.display()),
        }
    }
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> OutputError + '_ {
    move |error| OutputError::Io {
        path: path.to_owned(),
        error,
    }
}

/// What a write did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct WriteReport {
    pub written: usize,
    pub linked: usize,
    pub removed: usize,
}

/// Directories the output must not be, contain, or sit inside (besides the root itself).
#[derive(Debug, Clone, Default)]
pub struct Protected {
    /// Output may sit inside these but never be them or contain them (project root, $HOME).
    pub roots: Vec<PathBuf>,
    /// Output may not be, contain, or sit inside these (guide/, themes/).
    pub sources: Vec<PathBuf>,
}

/// Canonical form of a path that may not exist yet: canonicalise the longest existing prefix.
pub fn canonical(p: &Path) -> io::Result<PathBuf> {
    let abs = if p.is_absolute() {
        p.to_owned()
    } else {
        std::env::current_dir()?.join(p)
    };
    let mut existing = abs.as_path();
    let mut rest = Vec::new();
    loop {
        match existing.canonicalize() {
            Ok(c) => {
                let mut out = c;
                for r in rest.iter().rev() {
                    out.push(r);
                }
                return Ok(out);
            }
            Err(_) => {
                let Some(name) = existing.file_name() else {
                    return Ok(abs);
                };
                rest.push(name.to_owned());
                existing = existing.parent().unwrap_or(Path::new("/"));
            }
        }
    }
}

/// Refuses dangerous output locations (O1). Nothing is touched.
pub fn check_location(out: &Path, protected: &Protected) -> Result<PathBuf, OutputError> {
    let out_c = canonical(out).map_err(io_err(out))?;
    if out_c.parent().is_none() || out.as_os_str().is_empty() {
        return Err(refused(
            format!("refusing to write the site to `{}`", out_c.display()),
            "choose an empty folder such as public/",
        ));
    }
    let both = |p: &Path| {
        format!("`{}` (resolves to `{}`)", out.display(), out_c.display())
            + &format!(" and `{}`", p.display())
    };
    for root in &protected.roots {
        let Ok(r) = canonical(root) else { continue };
        if out_c == r || r.starts_with(&out_c) {
            return Err(refused(
                format!(
                    "refusing to write the site to {}: the output would replace or contain it",
                    both(&r)
                ),
                "use a dedicated output folder such as public/",
            ));
        }
    }
    for src in &protected.sources {
        let Ok(s) = canonical(src) else { continue };
        if out_c == s || s.starts_with(&out_c) || out_c.starts_with(&s) {
            return Err(refused(
                format!(
                    "refusing to write the site to {}: output and sources must not overlap",
                    both(&s)
                ),
                "use an output folder outside guide/ and themes/, such as public/",
            ));
        }
    }
    Ok(out_c)
}

fn refused(message: String, help: &str) -> OutputError {
    OutputError::Refused {
        message,
        help: help.to_owned(),
    }
}

/// Reads the manifest of an existing output directory: path → content hash.
fn read_manifest(out: &Path) -> Option<BTreeMap<String, u64>> {
    let text = std::fs::read_to_string(out.join(MANIFEST)).ok()?;
    let mut lines = text.lines();
    if lines.next()? != MANIFEST_HEADER {
        return None;
    }
    Some(
        lines
            .filter_map(|l| {
                let (h, p) = l.split_once(' ')?;
                Some((p.to_owned(), u64::from_str_radix(h, 16).ok()?))
            })
            .collect(),
    )
}

/// Every file path (relative, `/`-separated) under `dir`, not following symlinks.
fn list_files(dir: &Path) -> Vec<String> {
    walkdir::WalkDir::new(dir)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| !e.file_type().is_dir())
        .filter_map(|e| {
            e.path()
                .strip_prefix(dir)
                .ok()
                .map(|p| p.to_string_lossy().replace('\\', "/"))
        })
        .collect()
}

fn staging_paths(out: &Path) -> (PathBuf, PathBuf) {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "site".into());
    let parent = out.parent().unwrap_or(Path::new("."));
    (
        parent.join(format!(".{name}.guidesmith-staging")),
        parent.join(format!(".{name}.guidesmith-old")),
    )
}

/// Finishes or undoes an interrupted swap from an earlier run (O4, O5).
pub fn recover(fs: &dyn Fs, out: &Path) -> Result<(), OutputError> {
    let (staging, old) = staging_paths(out);
    if old.exists() {
        if out.exists() {
            // The swap completed; only the old copy's removal was interrupted. Carry over any
            // dot-entries that did not make it across, then drop the old copy.
            carry_dot_entries(fs, &old, out)?;
            fs.remove_dir_all(&old).map_err(io_err(&old))?;
        } else {
            // Crash between the two renames: roll back to the previous complete site.
            fs.rename(&old, out).map_err(io_err(out))?;
        }
    }
    if staging.exists() {
        if out.exists() {
            carry_dot_entries(fs, &staging, out)?;
        }
        fs.remove_dir_all(&staging).map_err(io_err(&staging))?;
    }
    Ok(())
}

/// Moves top-level dot-entries (except our manifest) from `from` into `to` if `to` lacks them.
fn carry_dot_entries(fs: &dyn Fs, from: &Path, to: &Path) -> Result<(), OutputError> {
    let Ok(entries) = std::fs::read_dir(from) else {
        return Ok(());
    };
    let mut names: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.file_name())
        .collect();
    names.sort();
    for name in names {
        let s = name.to_string_lossy();
        if s.starts_with('.') && s != MANIFEST && !to.join(&name).exists() {
            fs.rename(&from.join(&name), &to.join(&name))
                .map_err(io_err(&from.join(&name)))?;
        }
    }
    Ok(())
}

/// Writes `site` to `out` (already checked by `check_location`), atomically. `known` may hold
/// the digests of some of its files (`Built::digests`); the others are computed here.
pub fn write(
    fs: &dyn Fs,
    site: &Site,
    known: &Digests,
    out: &Path,
    force: bool,
) -> Result<WriteReport, OutputError> {
    recover(fs, out)?;
    let previous = if out.exists() {
        if !out.is_dir() {
            return Err(refused(
                format!("`{}` exists and is not a folder", out.display()),
                "remove it or choose another output folder",
            ));
        }
        let manifest = read_manifest(out);
        let known = manifest.clone().unwrap_or_default();
        let unknown: Vec<String> = list_files(out)
            .into_iter()
            .filter(|p| p != MANIFEST && !known.contains_key(p))
            .filter(|p| !(force && p.starts_with('.')))
            .filter(|p| !(manifest.is_some() && p.starts_with('.')))
            .collect();
        if !unknown.is_empty() && !force {
            let shown: Vec<&str> = unknown.iter().take(10).map(String::as_str).collect();
            let more = if unknown.len() > 10 {
                format!(" and {} more", unknown.len() - 10)
            } else {
                String::new()
            };
            let why = if manifest.is_some() {
                "contains files guidesmith did not write"
            } else {
                "is not empty and was not written by guidesmith"
            };
            return Err(refused(
                format!("output folder `{}` {why}: {}{more}", out.display(), shown.join(", ")),
                "move those files elsewhere, choose another --out, or pass --force to replace them (dot-files such as .git are always kept)",
            ));
        }
        known
    } else {
        BTreeMap::new()
    };

    let (staging, old) = staging_paths(out);
    fs.create_dir_all(&staging).map_err(io_err(&staging))?;
    let mut report = WriteReport::default();
    let mut manifest = String::from(MANIFEST_HEADER);
    manifest.push('\n');
    let result = (|| {
        // Folders first (once each), then the files on all cores: file creation dominates.
        let mut dirs: Vec<PathBuf> = site
            .files
            .keys()
            .filter_map(|rel| staging.join(rel).parent().map(Path::to_path_buf))
            .collect();
        dirs.dedup();
        dirs.sort();
        dirs.dedup();
        for dir in &dirs {
            fs.create_dir_all(dir).map_err(io_err(dir))?;
        }
        let files: Vec<(&String, &crate::site::Blob)> = site.files.iter().collect();
        // Two writers at most: more only contend on the directory lock (measured: system time
        // grows past wall time with 4). Results come back in file order, so the manifest stays
        // sorted.
        let done = crate::site::on_some_cores(files, 2, 2, |(rel, bytes)| {
            let dest = staging.join(rel);
            let hash = known
                .get(rel.as_str())
                .copied()
                .unwrap_or_else(|| digest(bytes));
            let unchanged = previous.get(rel) == Some(&hash) && out.join(rel).is_file();
            let linked = unchanged && fs.hard_link(&out.join(rel), &dest).is_ok();
            if !linked {
                fs.write(&dest, bytes).map_err(io_err(&dest))?;
            }
            Ok::<_, OutputError>((linked, format!("{hash:016x} {rel}\n")))
        });
        for file in done {
            let (linked, line) = file?;
            if linked {
                report.linked += 1;
            } else {
                report.written += 1;
            }
            manifest.push_str(&line);
        }
        fs.write(&staging.join(MANIFEST), manifest.as_bytes())
            .map_err(io_err(&staging))?;
        if out.exists() {
            carry_dot_entries(fs, out, &staging)?;
            fs.rename(out, &old).map_err(io_err(out))?;
        }
        fs.rename(&staging, out).map_err(io_err(out))?;
        Ok::<(), OutputError>(())
    })();
    if let Err(e) = result {
        // Leave at least one complete site: restore the old one, drop the staging copy.
        let _ = recover(fs, out);
        return Err(e);
    }
    report.removed = previous
        .keys()
        .filter(|p| !site.files.contains_key(*p))
        .count();
    if old.exists() {
        fs.remove_dir_all(&old).map_err(io_err(&old))?;
    }
    Ok(report)
}

/// An exclusive lock on an output directory (O9), released on drop.
pub struct Lock {
    path: PathBuf,
}

impl Lock {
    /// Takes the lock beside `out`, or fails naming the process that holds it.
    pub fn acquire(out: &Path) -> Result<Lock, OutputError> {
        let name = out
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "site".into());
        let parent = out.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent).map_err(io_err(parent))?;
        let path = parent.join(format!(".{name}.guidesmith-lock"));
        for _ in 0..2 {
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(mut f) => {
                    use std::io::Write;
                    let _ = writeln!(f, "{}", std::process::id());
                    return Ok(Lock { path });
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                    let pid = std::fs::read_to_string(&path)
                        .unwrap_or_default()
                        .trim()
                        .to_owned();
                    let alive = pid.parse::<u32>().is_ok_and(|p| {
                        Path::new(&format!("/proc/{p}")).exists() || !Path::new("/proc").exists()
                    });
                    if alive && !pid.is_empty() {
                        return Err(refused(
                            format!("output folder `{}` is in use by another guidesmith process (PID {pid})", out.display()),
                            "stop the other `guidesmith build --watch`/`serve`, or use another --out",
                        ));
                    }
                    // Stale lock from a process that died: take it over.
                    let _ = std::fs::remove_file(&path);
                }
                Err(e) => return Err(OutputError::Io { path, error: e }),
            }
        }
        Err(refused(
            format!("could not lock `{}`", out.display()),
            "try again",
        ))
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Fault injection through the `Fs` seam (RELIABILITY O4, O5): every operation of a write is
/// made to fail in turn, or the process is made to "die" there, and after each the invariant
/// is checked: the previous site is intact or the new one is complete, and never neither.
#[cfg(test)]
mod fault_tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Fails operation number `at` (0-based) with `error`; with `crash`, every later operation
    /// fails too, as if the process had died there (nothing after it reaches the disk).
    struct Faulty {
        at: usize,
        crash: bool,
        error: i32,
        count: AtomicUsize,
    }

    impl Faulty {
        fn new(at: usize, crash: bool, error: i32) -> Faulty {
            Faulty {
                at,
                crash,
                error,
                count: AtomicUsize::new(0),
            }
        }
        fn step(&self) -> io::Result<()> {
            let n = self.count.fetch_add(1, Ordering::SeqCst);
            if n == self.at || (self.crash && n > self.at) {
                Err(io::Error::from_raw_os_error(self.error))
            } else {
                Ok(())
            }
        }
        fn ops(&self) -> usize {
            self.count.load(Ordering::SeqCst)
        }
    }

    impl Fs for Faulty {
        fn create_dir_all(&self, p: &Path) -> io::Result<()> {
            self.step()?;
            RealFs.create_dir_all(p)
        }
        fn write(&self, p: &Path, bytes: &[u8]) -> io::Result<()> {
            self.step()?;
            RealFs.write(p, bytes)
        }
        fn hard_link(&self, from: &Path, to: &Path) -> io::Result<()> {
            self.step()?;
            RealFs.hard_link(from, to)
        }
        fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
            self.step()?;
            RealFs.rename(from, to)
        }
        fn remove_dir_all(&self, p: &Path) -> io::Result<()> {
            self.step()?;
            RealFs.remove_dir_all(p)
        }
    }

    const ENOSPC: i32 = 28;
    const EACCES: i32 = 13;
    const EXDEV: i32 = 18;

    static N: AtomicUsize = AtomicUsize::new(0);

    /// A fresh scratch folder (removed on drop) holding `out` = `<dir>/public`.
    struct Scratch(PathBuf);
    impl Scratch {
        fn new() -> Scratch {
            let n = N.fetch_add(1, Ordering::SeqCst);
            let p = std::env::temp_dir().join(format!("gs-output-{}-{n}", std::process::id()));
            let _ = std::fs::remove_dir_all(&p);
            std::fs::create_dir_all(&p).expect("temp dir is writable");
            Scratch(p)
        }
        fn out(&self) -> PathBuf {
            self.0.join("public")
        }
    }
    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn site(pairs: &[(&str, &str)]) -> Site {
        Site {
            files: pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.as_bytes().to_vec().into()))
                .collect(),
        }
    }

    /// The old and the new site: one file unchanged (hard-linked), one changed, one removed,
    /// one added, in nested folders.
    fn sites() -> (Site, Site) {
        let a = site(&[
            ("index.html", "<p>旧首页</p>"),
            ("a/one.html", "same"),
            ("a/two.html", "old two"),
            ("gone.html", "removed in the new site"),
        ]);
        let b = site(&[
            ("index.html", "<p>新首页</p>"),
            ("a/one.html", "same"),
            ("a/two.html", "new two"),
            ("b/c/three.html", "added"),
        ]);
        (a, b)
    }

    /// Files under `dir` except our manifest and dot-entries.
    fn site_files(dir: &Path) -> BTreeMap<String, crate::site::Blob> {
        list_files(dir)
            .into_iter()
            .filter(|p| !p.starts_with('.'))
            .map(|p| {
                let bytes = std::fs::read(dir.join(&p)).expect("listed file is readable");
                (p, bytes.into())
            })
            .collect()
    }

    fn is(dir: &Path, s: &Site) -> bool {
        dir.is_dir() && site_files(dir) == s.files
    }

    fn dot_git_kept(out: &Path) -> bool {
        std::fs::read_to_string(out.join(".git/HEAD"))
            .ok()
            .as_deref()
            == Some("ref: main\n")
    }

    /// `write` without known digests or `--force`, as the fault-injection tests do it.
    fn write_fresh(fs: &dyn Fs, site: &Site, out: &Path) -> Result<WriteReport, OutputError> {
        write(fs, site, &Digests::new(), out, false)
    }

    /// Writes `a` (plus a `.git` a user keeps in the output), then counts the operations a
    /// clean write of `b` takes.
    fn prepared(a: &Site) -> Scratch {
        let s = Scratch::new();
        write_fresh(&RealFs, a, &s.out()).expect("first write succeeds");
        std::fs::create_dir_all(s.out().join(".git")).expect("mkdir .git");
        std::fs::write(s.out().join(".git/HEAD"), "ref: main\n").expect("write HEAD");
        s
    }

    fn clean_ops(a: &Site, b: &Site) -> usize {
        let s = prepared(a);
        let f = Faulty::new(usize::MAX, false, ENOSPC);
        write_fresh(&f, b, &s.out()).expect("clean write succeeds");
        assert!(is(&s.out(), b));
        f.ops()
    }

    #[test]
    fn an_error_at_any_operation_leaves_the_old_site_or_the_new_one() {
        let (a, b) = sites();
        let total = clean_ops(&a, &b);
        assert!(total >= 8, "a write takes several operations ({total})");
        for error in [ENOSPC, EACCES, EXDEV] {
            for at in 0..total {
                let s = prepared(&a);
                let out = s.out();
                let res = write_fresh(&Faulty::new(at, false, error), &b, &out);
                let (staging, old) = staging_paths(&out);
                match res {
                    Ok(_) => assert!(is(&out, &b), "op {at}: Ok but the new site is incomplete"),
                    Err(e) => {
                        assert!(
                            matches!(e, OutputError::Io { .. }),
                            "op {at}: unexpected {e}"
                        );
                        assert!(
                            is(&out, &a) || is(&out, &b),
                            "op {at} (errno {error}): neither site is complete: {:?}",
                            site_files(&out).keys().collect::<Vec<_>>()
                        );
                    }
                }
                assert!(dot_git_kept(&out), "op {at}: .git lost");
                // The next run (real file system) cleans up and succeeds.
                write_fresh(&RealFs, &b, &out).expect("next write succeeds");
                assert!(is(&out, &b), "op {at}: rebuild incomplete");
                assert!(dot_git_kept(&out), "op {at}: .git lost on rebuild");
                assert!(!staging.exists() && !old.exists(), "op {at}: leftovers");
            }
        }
    }

    /// At least one complete site exists: the output is the old or the new site, or (crash
    /// between the two renames) the output is missing and the old copy is complete.
    fn one_complete_site(out: &Path, a: &Site, b: &Site) -> bool {
        let (_, old) = staging_paths(out);
        is(out, a) || is(out, b) || (!out.exists() && is(&old, a))
    }

    #[test]
    fn a_crash_at_any_operation_is_recovered_by_the_next_run() {
        let (a, b) = sites();
        let total = clean_ops(&a, &b);
        let mut between_renames = 0;
        for at in 0..total {
            let s = prepared(&a);
            let out = s.out();
            let (staging, old) = staging_paths(&out);
            let _ = write_fresh(&Faulty::new(at, true, EXDEV), &b, &out);
            assert!(
                one_complete_site(&out, &a, &b),
                "crash at op {at}: no complete site left"
            );
            if !out.exists() {
                between_renames += 1;
            }
            // `recover` rolls forward or back; afterwards the output is a whole site.
            recover(&RealFs, &out).expect("recover succeeds");
            assert!(is(&out, &a) || is(&out, &b), "crash at op {at}: recover");
            assert!(!staging.exists() && !old.exists(), "crash at op {at}");
            assert!(dot_git_kept(&out), "crash at op {at}: .git lost");
        }
        assert_eq!(
            between_renames, 1,
            "exactly one op sits between the renames"
        );
    }

    /// The three swap steps, failed one by one with EXDEV (rename across devices) and checked
    /// after each: rename out → old, rename staging → out, remove old.
    #[test]
    fn each_swap_step_failing_keeps_a_complete_site() {
        let (a, b) = sites();
        let total = clean_ops(&a, &b);
        // The swap is the last three operations of a write (after the dot-entry carry-over).
        for (step, at) in [total - 3, total - 2, total - 1].into_iter().enumerate() {
            for crash in [false, true] {
                let s = prepared(&a);
                let out = s.out();
                let res = write_fresh(&Faulty::new(at, crash, EXDEV), &b, &out);
                assert!(
                    res.is_err(),
                    "swap step {step} crash={crash}: error reported"
                );
                assert!(
                    one_complete_site(&out, &a, &b),
                    "swap step {step} crash={crash}"
                );
                if step < 2 && !crash {
                    // Before the new site is in place, a failed swap restores the old one.
                    assert!(is(&out, &a), "swap step {step}: rolled back");
                }
                if step == 2 {
                    // The new site is in place; only removing the old copy failed.
                    assert!(is(&out, &b), "swap step {step}: new site kept");
                }
                recover(&RealFs, &out).expect("recover");
                assert!(is(&out, &a) || is(&out, &b));
                assert!(dot_git_kept(&out));
            }
        }
    }

    #[test]
    fn a_held_lock_names_its_pid_and_is_released_on_drop() {
        let s = Scratch::new();
        let lock = Lock::acquire(&s.out()).expect("first lock");
        let err = Lock::acquire(&s.out()).err().expect("second lock refused");
        assert!(
            err.to_string()
                .contains(&format!("PID {}", std::process::id())),
            "{err}"
        );
        drop(lock);
        Lock::acquire(&s.out()).expect("lock free again after drop");
    }

    #[test]
    fn a_stale_lock_of_a_dead_process_is_taken_over() {
        let s = Scratch::new();
        // PIDs are below 2^22 on Linux, so this one cannot be alive.
        std::fs::write(s.0.join(".public.guidesmith-lock"), "4294967\n").expect("plant lock");
        Lock::acquire(&s.out()).expect("stale lock taken over");
    }
}
