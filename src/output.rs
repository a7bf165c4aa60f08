//! Writing a `Site` to disk without ever losing a file (RELIABILITY O1–O5, O9, O10).
//!
//! The only module that writes files. The new site is written into a staging directory beside
//! the output (same file system), then swapped in with two renames (the previous output moves
//! into an old-copy folder, the staging folder becomes the output); the old copy is removed
//! only after the new one is in place. A manifest in the output records what we wrote (content
//! hash, size, mtime): we only ever replace an output directory that is empty or carries our
//! manifest, files we did not write are never deleted silently, and dot-entries (a `.git` of a
//! gh-pages worktree) are carried over untouched. Unchanged files are hard-linked from the
//! previous output instead of rewritten, but only once verified to still hold the recorded
//! bytes (`reusable`), so a build always leaves exactly the site it computed. The staging and
//! old-copy folders carry our marker from the moment they are made, and `recover` touches
//! nothing under those names that is not a marked real folder (`ours`). The output lock is a
//! kernel advisory lock held for the whole build (`Lock`). All file operations go through the
//! `Fs` seam so tests can inject failures at every step.

use rayon::prelude::*;
use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use crate::digest::digest;
use crate::site::{Digests, Site};

/// Name of the manifest file inside the output directory.
pub const MANIFEST: &str = ".guidesmith-manifest";
const MANIFEST_HEADER: &str =
    "# guidesmith manifest v2: files written by guidesmith (hash size mtime path)";
/// The header of manifests before sizes and times were recorded; still read.
const MANIFEST_HEADER_V1: &str =
    "# guidesmith manifest v1: files written by guidesmith (hash path)";
/// How every manifest starts: the marker of the folders guidesmith makes (see `ours`).
const MARKER_PREFIX: &str = "# guidesmith manifest v";

/// The file operations `write` needs; `RealFs` in production, fault injectors in tests.
pub trait Fs: Sync {
    /// Makes one new folder; fails if anything is at `p` already.
    fn create_dir(&self, p: &Path) -> io::Result<()>;
    fn create_dir_all(&self, p: &Path) -> io::Result<()>;
    fn write(&self, p: &Path, bytes: &[u8]) -> io::Result<()>;
    fn hard_link(&self, from: &Path, to: &Path) -> io::Result<()>;
    fn rename(&self, from: &Path, to: &Path) -> io::Result<()>;
    fn remove_dir_all(&self, p: &Path) -> io::Result<()>;
}

/// The real file system.
pub struct RealFs;

impl Fs for RealFs {
    fn create_dir(&self, p: &Path) -> io::Result<()> {
        std::fs::create_dir(p)
    }
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
            OutputError::Io { path, error } => {
                write!(f, "{}: {error}", path.display())?;
                if error.kind() == io::ErrorKind::ResourceBusy {
                    // A bind mount shares its parent's device, so `check_location` misses it.
                    write!(f, "\n  = help: the output folder is in use or mounted; it is replaced whole by renaming, so build into a folder inside it (e.g. --out public/site)")?;
                }
                Ok(())
            }
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
    if is_mount_point(&out_c) {
        return Err(refused(
            format!(
                "cannot write the site to `{}`: it is a mount point, and the output is replaced \
                 whole by renaming (so a failed build never leaves half a site), which a mount \
                 point does not allow",
                out_c.display()
            ),
            "build into a folder inside it (e.g. --out public/site) or into a plain folder",
        ));
    }
    Ok(out_c)
}

/// A folder on another file system than its parent's (a mount point, which cannot be renamed).
#[cfg(unix)]
fn is_mount_point(p: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    let dev = |p: &Path| std::fs::symlink_metadata(p).map(|m| (m.is_dir(), m.dev()));
    match (dev(p), p.parent().map(dev)) {
        (Ok((true, a)), Some(Ok((_, b)))) => a != b,
        _ => false,
    }
}

#[cfg(not(unix))]
fn is_mount_point(_: &Path) -> bool {
    false
}

fn refused(message: String, help: &str) -> OutputError {
    OutputError::Refused {
        message,
        help: help.to_owned(),
    }
}

/// What the manifest knows of one file it lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Entry {
    hash: u64,
    /// Size and modification time when it was written (none in v1 manifests).
    stat: Option<Stat>,
}

/// A file's size and modification time (nanoseconds since the Unix epoch).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stat {
    size: u64,
    mtime: u128,
}

impl Stat {
    /// The stat of a regular file (never of a symbolic link, which does not count as one).
    fn of(path: &Path) -> Option<Stat> {
        let m = std::fs::symlink_metadata(path).ok()?;
        if !m.file_type().is_file() {
            return None;
        }
        let mtime = m
            .modified()
            .ok()?
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?
            .as_nanos();
        Some(Stat {
            size: m.len(),
            mtime,
        })
    }
}

/// The manifest of an existing output: what it lists, and when it was written (its mtime).
struct Manifest {
    entries: BTreeMap<String, Entry>,
    written: Option<u128>,
}

/// Reads the manifest of an existing output directory (v2, or v1 without stats).
fn read_manifest(out: &Path) -> Option<Manifest> {
    let path = out.join(MANIFEST);
    // Only a regular file: a link could pass someone else's file off as our list.
    if !std::fs::symlink_metadata(&path).ok()?.file_type().is_file() {
        return None;
    }
    let text = std::fs::read_to_string(&path).ok()?;
    let mut lines = text.lines();
    let v2 = match lines.next()? {
        MANIFEST_HEADER => true,
        MANIFEST_HEADER_V1 => false,
        _ => return None,
    };
    let entries = lines
        .filter_map(|l| {
            let (hash, stat, path) = if v2 {
                // hash size mtime path (the path last: it may hold spaces)
                let mut parts = l.splitn(4, ' ');
                let hash = parts.next()?;
                let size = parts.next()?.parse().ok();
                let mtime = parts.next()?.parse().ok();
                let stat = size.zip(mtime).map(|(size, mtime)| Stat { size, mtime });
                (hash, stat, parts.next()?)
            } else {
                let (hash, path) = l.split_once(' ')?;
                (hash, None, path)
            };
            let hash = u64::from_str_radix(hash, 16).ok()?;
            Some((path.to_owned(), Entry { hash, stat }))
        })
        .collect();
    Some(Manifest {
        entries,
        written: Stat::of(&path).map(|s| s.mtime),
    })
}

/// Whether the previous output's copy of a file may be hard-linked into the new site: it must
/// be a regular file holding exactly the bytes the manifest says (hash `want`). Trusted without
/// reading when its size and mtime are those recorded and it is older than the manifest (a file
/// as new as the manifest could have been edited within the clock's resolution, as git's
/// "racily clean" entries); otherwise it is read and digested again, so a page edited after the
/// build is never reused. Returns its stat for the new manifest.
fn reusable(old: &Path, entry: &Entry, want: u64, written: Option<u128>) -> Option<Stat> {
    if entry.hash != want {
        return None;
    }
    let now = Stat::of(old)?;
    let trusted = entry.stat == Some(now) && written.is_some_and(|w| now.mtime < w);
    if trusted {
        return Some(now);
    }
    let bytes = std::fs::read(old).ok()?;
    (digest(&bytes) == want && Stat::of(old) == Some(now)).then_some(now)
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

/// Inside the old-copy folder, the previous output (moved there whole by the swap).
const OLD_SITE: &str = "site";

/// True when something (a file, folder or link, even a dangling one) is at `p`.
fn present(p: &Path) -> bool {
    std::fs::symlink_metadata(p).is_ok()
}

/// True when `p` is a real folder, not a symbolic link to one.
fn real_dir(p: &Path) -> bool {
    std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_dir())
}

/// Checks that `p` (the staging or old-copy name beside the output) is one of ours before
/// `recover` touches it: a real folder (never a symbolic link, which would lead elsewhere,
/// e.g. into $HOME) that carries our marker — a regular file named `.guidesmith-manifest`
/// starting with our header, which `write` puts there first thing — or holds nothing but
/// that file (a run stopped while writing it). Anything else under that name (committed in a
/// cloned repository, or made by hand) is refused, never followed, moved or deleted.
fn ours(p: &Path) -> Result<bool, OutputError> {
    let Ok(meta) = std::fs::symlink_metadata(p) else {
        return Ok(false);
    };
    let not_ours = |why: &str| {
        Err(refused(
            format!(
                "refusing to touch `{}`: {why}; guidesmith uses this name beside the output for its own staging and old copies, but did not make this one",
                p.display()
            ),
            "move it out of the way yourself (it may hold someone's files, or lead to them), then build again",
        ))
    };
    if meta.file_type().is_symlink() {
        return not_ours("it is a symbolic link");
    }
    if !meta.is_dir() {
        return not_ours("it is not a folder");
    }
    let marker = p.join(MANIFEST);
    let marked = std::fs::symlink_metadata(&marker).is_ok_and(|m| m.file_type().is_file())
        && std::fs::read(&marker).is_ok_and(|b| b.starts_with(MARKER_PREFIX.as_bytes()));
    if marked {
        return Ok(true);
    }
    let only_marker = std::fs::read_dir(p).is_ok_and(|entries| {
        entries
            .filter_map(Result::ok)
            .all(|e| e.file_name() == MANIFEST && e.file_type().is_ok_and(|t| t.is_file()))
    });
    if only_marker {
        return Ok(true);
    }
    not_ours("it holds files but no guidesmith marker")
}

/// Finishes or undoes an interrupted swap from an earlier run (O4, O5). Only folders `ours`
/// accepts are touched; anything else there is a refusal (exit code 2).
pub fn recover(fs: &dyn Fs, out: &Path) -> Result<(), OutputError> {
    let (staging, old) = staging_paths(out);
    // Check both before touching either.
    let old_ours = ours(&old)?;
    let staging_ours = ours(&staging)?;
    let previous = old.join(OLD_SITE);
    if old_ours && present(&previous) && !real_dir(&previous) {
        return Err(refused(
            format!(
                "refusing to touch `{}`: it is not a folder guidesmith moved there",
                previous.display()
            ),
            "move the folder around it out of the way yourself, then build again",
        ));
    }
    if old_ours {
        if present(out) {
            // The swap completed; only the old copy's removal was interrupted. Carry over any
            // dot-entries that did not make it across, then drop the old copy.
            if real_dir(&previous) {
                carry_dot_entries(fs, &previous, out)?;
            }
        } else if real_dir(&previous) {
            // Crash between the two renames: roll back to the previous complete site.
            fs.rename(&previous, out).map_err(io_err(out))?;
        }
        fs.remove_dir_all(&old).map_err(io_err(&old))?;
    }
    if staging_ours {
        if present(out) {
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
        if s.starts_with('.') && s != MANIFEST && !present(&to.join(&name)) {
            fs.rename(&from.join(&name), &to.join(&name))
                .map_err(io_err(&from.join(&name)))?;
        }
    }
    Ok(())
}

/// Makes a fresh folder beside the output and marks it as ours (see `ours`).
fn make_ours(fs: &dyn Fs, dir: &Path) -> Result<(), OutputError> {
    fs.create_dir(dir).map_err(io_err(dir))?;
    fs.write(
        &dir.join(MANIFEST),
        format!("{MANIFEST_HEADER}\n").as_bytes(),
    )
    .map_err(io_err(dir))
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
        let listed = manifest.as_ref().map(|m| &m.entries);
        let unknown: Vec<String> = list_files(out)
            .into_iter()
            .filter(|p| p != MANIFEST && !listed.is_some_and(|l| l.contains_key(p)))
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
        manifest
    } else {
        None
    };
    let (previous, written) = match previous {
        Some(m) => (m.entries, m.written),
        None => (BTreeMap::new(), None),
    };

    let (staging, old) = staging_paths(out);
    if let Some(parent) = staging.parent().filter(|p| !p.exists()) {
        fs.create_dir_all(parent).map_err(io_err(parent))?;
    }
    make_ours(fs, &staging)?;
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
        // Results come back in file order, so the manifest stays sorted.
        let done: Vec<Result<_, OutputError>> = files
            .into_par_iter()
            .map(|(rel, bytes)| {
                let dest = staging.join(rel);
                let hash = known
                    .get(rel.as_str())
                    .copied()
                    .unwrap_or_else(|| digest(bytes));
                // Reuse the previous copy only when it verifiably holds these bytes (`reusable`).
                let from = out.join(rel);
                let reused = previous
                    .get(rel)
                    .and_then(|e| reusable(&from, e, hash, written))
                    .filter(|_| fs.hard_link(&from, &dest).is_ok());
                let stat = match reused {
                    Some(stat) => Some(stat),
                    None => {
                        fs.write(&dest, bytes).map_err(io_err(&dest))?;
                        Stat::of(&dest)
                    }
                };
                let line = match stat {
                    Some(s) => format!("{hash:016x} {} {} {rel}\n", s.size, s.mtime),
                    None => format!("{hash:016x} - - {rel}\n"),
                };
                Ok::<_, OutputError>((reused.is_some(), line))
            })
            .collect();
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
            // The previous output moves whole into a fresh marked folder, so that a run
            // stopped before the next rename finds it there, recognisably ours (`recover`).
            make_ours(fs, &old)?;
            fs.rename(out, &old.join(OLD_SITE)).map_err(io_err(out))?;
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
    if present(&old) {
        fs.remove_dir_all(&old).map_err(io_err(&old))?;
    }
    Ok(report)
}

/// An exclusive lock on an output directory (O9), held from before the build until the site
/// is written: an advisory lock (`flock`) on a file beside the output, taken atomically by the
/// kernel and released by it when the process ends, however it ends. The file holds the
/// holder's PID, for the refusal message only: it is never what decides who holds the lock.
pub struct Lock {
    file: std::fs::File,
    path: PathBuf,
}

impl Lock {
    /// Takes the lock beside `out`, or fails naming the process that holds it.
    pub fn acquire(out: &Path) -> Result<Lock, OutputError> {
        use std::io::Write;
        let name = out
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "site".into());
        let parent = out.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent).map_err(io_err(parent))?;
        let path = parent.join(format!(".{name}.guidesmith-lock"));
        // A lock file its holder removed (on release) after we opened it is not the lock any
        // more: then we open the new one and try again.
        for _ in 0..100 {
            if std::fs::symlink_metadata(&path).is_ok_and(|m| !m.file_type().is_file()) {
                return Err(refused(
                    format!(
                        "refusing to use `{}` as the output lock: it is not a regular file (a symbolic link or a folder)",
                        path.display()
                    ),
                    "remove it yourself, then build again",
                ));
            }
            let mut file = std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)
                .map_err(io_err(&path))?;
            match file.try_lock() {
                Ok(()) => {}
                Err(std::fs::TryLockError::WouldBlock) => {
                    let pid = holder(&path)
                        .map_or_else(|| "PID unknown".to_owned(), |p| format!("PID {p}"));
                    return Err(refused(
                        format!("output folder `{}` is in use by another guidesmith process ({pid})", out.display()),
                        "wait for it to finish, stop the other `guidesmith build --watch`, or use another --out",
                    ));
                }
                Err(std::fs::TryLockError::Error(error)) => {
                    return Err(OutputError::Io { path, error })
                }
            }
            if !same_file(&file, &path) {
                continue;
            }
            file.set_len(0).map_err(io_err(&path))?;
            writeln!(file, "{}", std::process::id()).map_err(io_err(&path))?;
            return Ok(Lock { file, path });
        }
        Err(refused(
            format!("could not lock `{}`", out.display()),
            "try again",
        ))
    }
}

/// The PID in a held lock file. Its holder writes it just after taking the lock, so wait a
/// little for it (a complete line) before giving up.
fn holder(path: &Path) -> Option<u32> {
    for _ in 0..50 {
        if let Ok(text) = std::fs::read_to_string(path) {
            if let Some(pid) = text.strip_suffix('\n').and_then(|t| t.trim().parse().ok()) {
                return Some(pid);
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    None
}

/// True when `path` names the very file `file` has open (not a link, not a replacement).
#[cfg(unix)]
fn same_file(file: &std::fs::File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::symlink_metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_: &std::fs::File, path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_file())
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Remove the file while still holding the lock, and only while it is still the one we
        // locked: a process that opened it meanwhile sees it gone once it gets the lock, and
        // takes the new one (`acquire`). The lock itself is released when `file` closes.
        if same_file(&self.file, &self.path) {
            let _ = std::fs::remove_file(&self.path);
        }
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
        fn create_dir(&self, p: &Path) -> io::Result<()> {
            self.step()?;
            RealFs.create_dir(p)
        }
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
        is(out, a) || is(out, b) || (!out.exists() && is(&old.join(OLD_SITE), a))
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
    /// after each: rename out → old/site, rename staging → out, remove old.
    #[test]
    fn each_swap_step_failing_keeps_a_complete_site() {
        let (a, b) = sites();
        let total = clean_ops(&a, &b);
        // The swap is the last three operations of a write (after the dot-entry carry-over and
        // making the marked old-copy folder).
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

    /// A stand-in for $HOME: dot-files that must never move.
    fn home(s: &Scratch) -> PathBuf {
        let home = s.0.join("home");
        std::fs::create_dir_all(home.join(".ssh")).expect("mkdir home");
        std::fs::write(home.join(".bashrc"), "alias ll='ls -l'\n").expect("write");
        std::fs::write(home.join(".ssh/id_ed25519"), "secret\n").expect("write");
        std::fs::write(home.join("notes.txt"), "mine\n").expect("write");
        home
    }

    /// Every entry under `dir` with its bytes (symlinks as their target), for before/after.
    fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
        walkdir::WalkDir::new(dir)
            .follow_links(false)
            .sort_by_file_name()
            .into_iter()
            .filter_map(Result::ok)
            .map(|e| {
                let rel = e.path().strip_prefix(dir).expect("under dir");
                let rel = rel.to_string_lossy().into_owned();
                let bytes = if e.path_is_symlink() {
                    let t = std::fs::read_link(e.path()).expect("readlink");
                    t.to_string_lossy().into_owned().into_bytes()
                } else if e.file_type().is_file() {
                    std::fs::read(e.path()).expect("read")
                } else {
                    b"<dir>".to_vec()
                };
                (rel, bytes)
            })
            .collect()
    }

    #[test]
    fn recover_refuses_links_and_unmarked_folders_under_its_names() {
        let (a, b) = sites();
        for name in [".public.guidesmith-old", ".public.guidesmith-staging"] {
            for with_output in [true, false] {
                // A symbolic link (committed in a cloned repository) to a home folder.
                let s = Scratch::new();
                let home = home(&s);
                if with_output {
                    write_fresh(&RealFs, &a, &s.out()).expect("first write");
                }
                std::os::unix::fs::symlink(&home, s.0.join(name)).expect("symlink");
                let before = snapshot(&s.0);
                let err = write_fresh(&RealFs, &b, &s.out()).expect_err("refused");
                assert!(matches!(err, OutputError::Refused { .. }), "{err}");
                assert!(
                    err.to_string().contains(name) && err.to_string().contains("symbolic link"),
                    "{err}"
                );
                assert_eq!(
                    snapshot(&s.0),
                    before,
                    "{name} (output: {with_output}): touched"
                );
                let err = recover(&RealFs, &s.out()).expect_err("recover refuses too");
                assert!(matches!(err, OutputError::Refused { .. }), "{err}");
                assert_eq!(snapshot(&s.0), before);

                // A real folder holding someone's files, without our marker.
                let s = Scratch::new();
                if with_output {
                    write_fresh(&RealFs, &a, &s.out()).expect("first write");
                }
                std::fs::create_dir_all(s.0.join(name).join(".config")).expect("mkdir");
                std::fs::write(s.0.join(name).join("thesis.txt"), "mine").expect("write");
                std::fs::write(s.0.join(name).join(".config/x"), "mine").expect("write");
                let before = snapshot(&s.0);
                let err = write_fresh(&RealFs, &b, &s.out()).expect_err("refused");
                assert!(err.to_string().contains("no guidesmith marker"), "{err}");
                assert_eq!(snapshot(&s.0), before, "{name}: user folder touched");

                // A file, and a marked folder whose old site is a link: refused as well.
                let s = Scratch::new();
                std::fs::write(s.0.join(name), "a file").expect("write");
                write_fresh(&RealFs, &b, &s.out()).expect_err("a file is refused");
                assert_eq!(
                    std::fs::read_to_string(s.0.join(name)).expect("kept"),
                    "a file"
                );
            }
        }
        let s = Scratch::new();
        let home = home(&s);
        let old = s.0.join(".public.guidesmith-old");
        std::fs::create_dir(&old).expect("mkdir");
        std::fs::write(old.join(MANIFEST), format!("{MANIFEST_HEADER}\n")).expect("marker");
        std::os::unix::fs::symlink(&home, old.join(OLD_SITE)).expect("symlink");
        let before = snapshot(&s.0);
        write_fresh(&RealFs, &b, &s.out()).expect_err("a linked old site is refused");
        assert_eq!(snapshot(&s.0), before);
    }

    #[test]
    fn empty_or_marker_only_folders_left_by_a_stopped_run_are_removed() {
        let (a, b) = sites();
        for marker in [None, Some("# guid"), Some(MANIFEST_HEADER)] {
            for name in [".public.guidesmith-old", ".public.guidesmith-staging"] {
                let s = Scratch::new();
                write_fresh(&RealFs, &a, &s.out()).expect("first write");
                std::fs::create_dir(s.0.join(name)).expect("mkdir");
                if let Some(m) = marker {
                    std::fs::write(s.0.join(name).join(MANIFEST), m).expect("marker");
                }
                write_fresh(&RealFs, &b, &s.out()).expect("recovered and written");
                assert!(is(&s.out(), &b));
                assert!(!present(&s.0.join(name)), "{name} left");
            }
        }
    }

    #[test]
    fn an_edited_or_replaced_output_file_is_rewritten_not_reused() {
        let (a, _) = sites();
        let s = Scratch::new();
        let out = s.out();
        write_fresh(&RealFs, &a, &out).expect("first write");
        let clean = write_fresh(&RealFs, &a, &out).expect("second write");
        assert_eq!((clean.written, clean.linked), (0, 4), "nothing to rewrite");

        // Same size, new bytes; a longer file; a file replaced by a symlink to one with the
        // right bytes elsewhere.
        std::fs::write(out.join("a/one.html"), "SAME").expect("edit");
        std::fs::write(out.join("a/two.html"), "old two, edited").expect("edit");
        let elsewhere = s.0.join("elsewhere.html");
        std::fs::write(&elsewhere, "removed in the new site").expect("write");
        std::fs::remove_file(out.join("gone.html")).expect("rm");
        std::os::unix::fs::symlink(&elsewhere, out.join("gone.html")).expect("symlink");
        let r = write_fresh(&RealFs, &a, &out).expect("third write");
        assert!(is(&out, &a), "the computed site, byte for byte");
        assert!(!std::fs::symlink_metadata(out.join("gone.html"))
            .expect("there")
            .file_type()
            .is_symlink());
        assert_eq!((r.written, r.linked), (3, 1), "{r:?}");

        // Same size and the same mtime as recorded (mtime set back by hand): the file is
        // trusted only if it is older than the manifest; then its edit goes unseen, as in git.
        // Newer than (or as new as) the manifest, it is read again.
        let one = out.join("a/one.html");
        let recorded = std::fs::metadata(&one)
            .and_then(|m| m.modified())
            .expect("mtime");
        std::fs::write(&one, "SAME").expect("edit");
        let f = std::fs::File::options()
            .write(true)
            .open(&one)
            .expect("open");
        f.set_modified(recorded).expect("set mtime");
        let manifest = std::fs::File::options()
            .write(true)
            .open(out.join(MANIFEST))
            .expect("open");
        manifest.set_modified(recorded).expect("set manifest mtime");
        write_fresh(&RealFs, &a, &out).expect("fourth write");
        assert!(
            is(&out, &a),
            "a file as new as the manifest is digested again"
        );
    }

    #[test]
    fn a_linked_manifest_does_not_make_a_folder_ours() {
        let (_, b) = sites();
        let s = Scratch::new();
        let list = s.0.join("list");
        std::fs::write(
            &list,
            format!("{MANIFEST_HEADER}\n0000000000000000 - - notes.txt\n"),
        )
        .expect("write");
        std::fs::create_dir_all(s.out()).expect("mkdir");
        std::fs::write(s.out().join("notes.txt"), "mine").expect("write");
        std::os::unix::fs::symlink(&list, s.out().join(MANIFEST)).expect("symlink");
        let err = write_fresh(&RealFs, &b, &s.out()).expect_err("refused");
        assert!(err.to_string().contains("notes.txt"), "{err}");
        assert_eq!(
            std::fs::read_to_string(s.out().join("notes.txt")).expect("kept"),
            "mine"
        );
    }

    #[test]
    fn manifests_of_version_1_are_read_and_their_files_verified() {
        let (a, _) = sites();
        let s = Scratch::new();
        let out = s.out();
        write_fresh(&RealFs, &a, &out).expect("first write");
        let v1: String = std::iter::once(MANIFEST_HEADER_V1.to_owned())
            .chain(
                a.files
                    .iter()
                    .map(|(p, b)| format!("{:016x} {p}", digest(b))),
            )
            .map(|l| l + "\n")
            .collect();
        std::fs::write(out.join(MANIFEST), v1).expect("write v1");
        std::fs::write(out.join("index.html"), "tampered").expect("edit");
        let r = write_fresh(&RealFs, &a, &out).expect("written over a v1 output");
        assert!(is(&out, &a));
        assert_eq!((r.written, r.linked), (1, 3), "{r:?}");
        let text = std::fs::read_to_string(out.join(MANIFEST)).expect("manifest");
        assert!(text.starts_with(MANIFEST_HEADER), "{text}");
        assert!(text.contains(" a/one.html\n"), "{text}");
    }

    #[test]
    fn paths_with_spaces_survive_the_manifest() {
        let a = site(&[("有 空格/第 三 章.html", "x"), ("index.html", "y")]);
        let s = Scratch::new();
        write_fresh(&RealFs, &a, &s.out()).expect("first write");
        let r = write_fresh(&RealFs, &a, &s.out()).expect("second write");
        assert!(is(&s.out(), &a));
        assert_eq!(r.linked + r.written, 2);
        let m = read_manifest(&s.out()).expect("manifest");
        assert!(m.entries.contains_key("有 空格/第 三 章.html"));
    }

    #[test]
    fn a_symlink_at_the_lock_path_is_refused_and_its_target_untouched() {
        let s = Scratch::new();
        let target = s.0.join("target.txt");
        std::fs::write(&target, "keep me\n").expect("write");
        std::os::unix::fs::symlink(&target, s.0.join(".public.guidesmith-lock")).expect("symlink");
        let err = Lock::acquire(&s.out()).err().expect("refused");
        assert!(matches!(err, OutputError::Refused { .. }), "{err}");
        assert_eq!(std::fs::read_to_string(&target).expect("read"), "keep me\n");
    }

    #[test]
    fn a_lock_is_never_shared_and_its_file_never_removed_by_another_process() {
        // Threads stand in for processes (each `acquire` opens its own file description, which
        // is what `flock` locks): many rounds of several at once, and at no instant two holders.
        let s = Scratch::new();
        let out = s.out();
        let holders = AtomicUsize::new(0);
        for _ in 0..50 {
            let got = AtomicUsize::new(0);
            std::thread::scope(|scope| {
                for _ in 0..4 {
                    scope.spawn(|| {
                        if let Ok(lock) = Lock::acquire(&out) {
                            got.fetch_add(1, Ordering::SeqCst);
                            assert_eq!(holders.fetch_add(1, Ordering::SeqCst), 0, "two holders");
                            std::thread::sleep(std::time::Duration::from_micros(200));
                            holders.fetch_sub(1, Ordering::SeqCst);
                            drop(lock);
                        }
                    });
                }
            });
            assert!(got.load(Ordering::SeqCst) >= 1, "someone got the lock");
        }
        assert!(
            !present(&s.0.join(".public.guidesmith-lock")),
            "released and removed"
        );
    }

    #[test]
    fn a_stale_lock_of_a_dead_process_is_taken_over() {
        let s = Scratch::new();
        // PIDs are below 2^22 on Linux, so this one cannot be alive.
        std::fs::write(s.0.join(".public.guidesmith-lock"), "4294967\n").expect("plant lock");
        Lock::acquire(&s.out()).expect("stale lock taken over");
    }
}
