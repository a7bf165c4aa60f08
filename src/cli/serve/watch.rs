//! Watching the sources: native events (inotify) or polling, filtered and debounced.
//!
//! Watches the guide folder and the theme folder (`themes/NAME`, when it exists) recursively,
//! never the output. Events for editor temp and swap files (`load::is_ignored_name` on any
//! path component), for reads (our own rebuilds open files), and for anything inside an
//! ignored folder (the output and its staging siblings) are dropped. A batch closes once no
//! event has arrived for `QUIET` or `CAP` after it opened, so a `git checkout` of 200 files is
//! one rebuild (W2). A root that is deleted and recreated (a new inode) re-arms the watcher
//! (W4). If the native watcher cannot start, reports an error, or asks for a rescan (queue
//! overflow), we switch to polling once, with a notice, and ask for a full rebuild (W5).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use notify::event::{AccessKind, AccessMode, EventKind, ModifyKind, RenameMode};
use notify::{Config, PollWatcher, RecommendedWatcher, RecursiveMode, Watcher};

use crate::load::is_ignored_name;

/// A batch closes after this long without a relevant event…
pub const QUIET: Duration = Duration::from_millis(30);
/// …or this long, when the batch is one file whose write just completed (closed after writing,
/// or renamed into place): the common "contributor saved a file" case, which should show at
/// once. A second path in the batch (a checkout, a script) brings back `QUIET`.
pub const QUIET_SAVED: Duration = Duration::from_millis(3);
/// …or this long after it opened, whichever comes first.
pub const CAP: Duration = Duration::from_millis(250);
/// How often the polling backend scans.
pub const POLL_INTERVAL: Duration = Duration::from_millis(200);
/// How often an idle watcher checks whether a root was deleted or recreated.
const TICK: Duration = Duration::from_millis(200);

/// Test seam: `GUIDESMITH_TEST_NATIVE_WATCH=fail` makes the native watcher fail to start, so
/// the polling fallback (W5) can be tested without exhausting inotify limits.
const FAIL_ENV: &str = "GUIDESMITH_TEST_NATIVE_WATCH";

/// What to watch.
#[derive(Debug, Clone)]
pub struct Roots {
    /// Watched recursively when they exist (absolute paths).
    pub roots: Vec<PathBuf>,
    /// Events under these are ignored (the output folder and its staging siblings).
    pub ignore: Vec<PathBuf>,
}

/// Changes collected in one debounce window.
#[derive(Debug, Default)]
pub struct Batch {
    /// Relevant changed paths (absolute).
    pub paths: BTreeSet<PathBuf>,
    /// A root appeared, vanished or the backend changed: rebuild everything.
    pub full: bool,
    /// The latest relevant event completed a write (see `QUIET_SAVED`).
    pub saved: bool,
}

impl Batch {
    pub fn is_empty(&self) -> bool {
        self.paths.is_empty() && !self.full
    }
}

enum Msg {
    /// Changed paths, and whether the event completes a write (close after write, rename-to).
    Paths(Vec<PathBuf>, bool),
    /// The backend lost events or failed.
    Trouble(String),
}

/// The running backend; only kept alive (dropping it stops watching).
type Backend = Box<dyn Watcher + Send>;

/// A running watcher.
pub struct Watch {
    roots: Roots,
    tx: Sender<Msg>,
    rx: Receiver<Msg>,
    backend: Option<Backend>,
    polling: bool,
    /// Identity (device, inode) of each root when it was armed; None if missing.
    armed: Vec<Option<(u64, u64)>>,
    notices: Vec<String>,
}

impl Watch {
    /// Starts watching; `poll` forces the polling backend.
    pub fn start(roots: Roots, poll: bool) -> Watch {
        let (tx, rx) = channel();
        let mut w = Watch {
            armed: vec![None; roots.roots.len()],
            roots,
            tx,
            rx,
            backend: None,
            polling: poll,
            notices: Vec::new(),
        };
        w.arm();
        w
    }

    /// "native (inotify)" or "polling every 200 ms", for the startup line.
    pub fn describe(&self) -> String {
        if self.polling {
            format!("polling every {} ms", POLL_INTERVAL.as_millis())
        } else {
            "native file events".to_owned()
        }
    }

    /// Warnings to show the user (fallbacks), drained.
    pub fn take_notices(&mut self) -> Vec<String> {
        std::mem::take(&mut self.notices)
    }

    /// (Re)creates the backend and watches every existing root.
    fn arm(&mut self) {
        self.backend = None;
        self.armed = self.roots.roots.iter().map(|r| identity(r)).collect();
        if !self.polling {
            match self.native() {
                Ok(b) => {
                    self.backend = Some(b);
                    return;
                }
                Err(e) => self.fall_back(&format!("native file watching failed to start ({e})")),
            }
        }
        let tx = self.tx.clone();
        // notify's poller compares mtimes in whole seconds, so an edit within the second of the
        // previous scan would be missed; comparing contents (a hash per file per scan) catches
        // it. Polling is the fallback, so correctness wins over the extra reads.
        let config = Config::default()
            .with_poll_interval(POLL_INTERVAL)
            .with_compare_contents(true);
        match PollWatcher::new(move |r| forward(&tx, r), config) {
            Ok(mut w) => {
                for r in self.roots.roots.iter().filter(|r| r.is_dir()) {
                    if let Err(e) = w.watch(r, RecursiveMode::Recursive) {
                        self.notices
                            .push(format!("cannot poll {}: {e}", r.display()));
                    }
                }
                self.backend = Some(Box::new(w));
            }
            Err(e) => self.notices.push(format!("cannot watch for changes: {e}")),
        }
    }

    fn native(&self) -> notify::Result<Backend> {
        if std::env::var_os(FAIL_ENV).is_some_and(|v| v == "fail") {
            return Err(notify::Error::generic(
                "disabled by GUIDESMITH_TEST_NATIVE_WATCH=fail",
            ));
        }
        let tx = self.tx.clone();
        let mut w = RecommendedWatcher::new(move |r| forward(&tx, r), Config::default())?;
        for r in self.roots.roots.iter().filter(|r| r.is_dir()) {
            w.watch(r, RecursiveMode::Recursive)?;
        }
        Ok(Box::new(w))
    }

    fn fall_back(&mut self, why: &str) {
        if !self.polling {
            self.polling = true;
            self.notices.push(format!(
                "{why}; falling back to polling every {} ms (pass --poll to skip native watching)",
                POLL_INTERVAL.as_millis()
            ));
        }
    }

    /// Re-arms if a root appeared, vanished or was replaced. True if it did.
    fn rearm_if_moved(&mut self) -> bool {
        let now: Vec<_> = self.roots.roots.iter().map(|r| identity(r)).collect();
        if now == self.armed {
            return false;
        }
        self.arm();
        true
    }

    /// Blocks until a relevant change arrives, then debounces it into one batch.
    pub fn next_batch(&mut self) -> Batch {
        let mut batch = Batch::default();
        while batch.is_empty() {
            match self.rx.recv_timeout(TICK) {
                Ok(m) => self.absorb(m, &mut batch),
                Err(RecvTimeoutError::Timeout) => batch.full |= self.rearm_if_moved(),
                // The sender lives in self, so the channel cannot close; wait a tick anyway.
                Err(RecvTimeoutError::Disconnected) => std::thread::sleep(TICK),
            }
        }
        self.settle(&mut batch);
        batch
    }

    /// Waits up to `within` for a further relevant change, then debounces it. Used to retry
    /// a build that failed on a half-written file (W8). The batch may be empty.
    pub fn more_within(&mut self, within: Duration) -> Batch {
        let mut batch = Batch::default();
        let deadline = Instant::now() + within;
        while batch.is_empty() {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return batch;
            }
            if let Ok(m) = self.rx.recv_timeout(left) {
                self.absorb(m, &mut batch);
            }
        }
        self.settle(&mut batch);
        batch
    }

    /// Collects further events until `QUIET` passes without one, or `CAP` after opening.
    fn settle(&mut self, batch: &mut Batch) {
        let opened = Instant::now();
        let mut last = opened;
        loop {
            let until = (last + quiet_for(batch)).min(opened + CAP);
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            match self.rx.recv_timeout(left) {
                Ok(m) => {
                    let before = batch.paths.len();
                    self.absorb(m, batch);
                    if batch.paths.len() != before {
                        last = Instant::now();
                    }
                }
                Err(_) => break,
            }
        }
        batch.full |= self.rearm_if_moved();
    }

    fn absorb(&mut self, m: Msg, batch: &mut Batch) {
        match m {
            Msg::Paths(ps, done) => {
                let mut any = false;
                for p in ps {
                    if self.relevant(&p) {
                        batch.paths.insert(p);
                        any = true;
                    }
                }
                // The latest relevant event decides: a write that starts again is not done.
                if any {
                    batch.saved = done;
                }
            }
            // While polling, errors are scans racing with deletions (or a missing root, which
            // `rearm_if_moved` handles): the next scan reports what changed.
            Msg::Trouble(why) => {
                if !self.polling {
                    self.fall_back(&format!("native file watching reported a problem ({why})"));
                    self.arm();
                    batch.full = true;
                }
            }
        }
    }

    fn relevant(&self, p: &Path) -> bool {
        if self.roots.ignore.iter().any(|i| p.starts_with(i)) {
            return false;
        }
        self.roots
            .roots
            .iter()
            .any(|root| match p.strip_prefix(root) {
                Ok(rel) => !rel
                    .components()
                    .any(|c| is_ignored_name(&c.as_os_str().to_string_lossy())),
                Err(_) => false,
            })
    }
}

/// How long a batch waits for further events: short after a completed save of one file.
fn quiet_for(batch: &Batch) -> Duration {
    if batch.saved && batch.paths.len() == 1 && !batch.full {
        QUIET_SAVED
    } else {
        QUIET
    }
}

/// Turns a backend event into a message; drops reads (our own rebuilds open every file).
fn forward(tx: &Sender<Msg>, r: notify::Result<notify::Event>) {
    let msg = match r {
        Ok(e) if e.need_rescan() => Msg::Trouble("events were lost; a rescan is needed".into()),
        Ok(e) => match e.kind {
            EventKind::Access(AccessKind::Close(AccessMode::Write)) => Msg::Paths(e.paths, true),
            EventKind::Access(_) => return,
            EventKind::Modify(ModifyKind::Name(RenameMode::To | RenameMode::Both)) => {
                Msg::Paths(e.paths, true)
            }
            _ => Msg::Paths(e.paths, false),
        },
        Err(e) => Msg::Trouble(e.to_string()),
    };
    let _ = tx.send(msg);
}

/// (device, inode) of a directory, or None if it is missing.
#[cfg(unix)]
fn identity(p: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(p)
        .ok()
        .filter(|m| m.is_dir())
        .map(|m| (m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn identity(p: &Path) -> Option<(u64, u64)> {
    p.is_dir().then_some((0, 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_completed_save_of_one_file_closes_the_batch_early() {
        let (tx, rx) = channel();
        let send = |kind: EventKind, paths: &[&str]| {
            let mut e = notify::Event::new(kind);
            for p in paths {
                e = e.add_path(PathBuf::from(p));
            }
            forward(&tx, Ok(e));
        };
        let close = EventKind::Access(AccessKind::Close(AccessMode::Write));
        let moved_to = EventKind::Modify(ModifyKind::Name(RenameMode::To));
        let data = EventKind::Modify(ModifyKind::Data(notify::event::DataChange::Any));
        let mut w = Watch {
            roots: Roots {
                roots: vec![PathBuf::from("/p/guide")],
                ignore: Vec::new(),
            },
            tx: tx.clone(),
            rx: channel().1,
            backend: None,
            polling: true,
            armed: vec![None],
            notices: Vec::new(),
        };
        let mut batch = Batch::default();
        let absorb = |w: &mut Watch, b: &mut Batch| {
            while let Ok(m) = rx.try_recv() {
                w.absorb(m, b);
            }
        };
        // A write in progress waits the full quiet time…
        send(data, &["/p/guide/a.md"]);
        absorb(&mut w, &mut batch);
        assert_eq!(quiet_for(&batch), QUIET);
        // …closing it after writing completes the save…
        send(close, &["/p/guide/a.md"]);
        absorb(&mut w, &mut batch);
        assert_eq!(quiet_for(&batch), QUIET_SAVED);
        // …an editor's own temp file does not count as a second path…
        send(data, &["/p/guide/.a.md.swp"]);
        absorb(&mut w, &mut batch);
        assert_eq!(quiet_for(&batch), QUIET_SAVED);
        // …but a second real file (a checkout) brings the full quiet time back.
        send(moved_to, &["/p/guide/b.md"]);
        absorb(&mut w, &mut batch);
        assert_eq!(quiet_for(&batch), QUIET);

        // A rename into place (atomic save) completes a save too; a read never does.
        let mut batch = Batch::default();
        send(moved_to, &["/p/guide/c.md"]);
        send(EventKind::Access(AccessKind::Read), &["/p/guide/c.md"]);
        absorb(&mut w, &mut batch);
        assert_eq!(batch.paths.len(), 1);
        assert_eq!(quiet_for(&batch), QUIET_SAVED);
        // A full rebuild request is never hurried.
        batch.full = true;
        assert_eq!(quiet_for(&batch), QUIET);
    }

    #[test]
    fn temp_files_and_ignored_dirs_are_not_relevant() {
        let (tx, rx) = channel();
        let w = Watch {
            roots: Roots {
                roots: vec![PathBuf::from("/p/guide")],
                ignore: vec![PathBuf::from("/p/guide/out")],
            },
            tx,
            rx,
            backend: None,
            polling: true,
            armed: vec![None],
            notices: Vec::new(),
        };
        for p in ["/p/guide/a.md", "/p/guide/chapters/x.md", "/p/guide"] {
            assert!(w.relevant(Path::new(p)), "{p}");
        }
        for p in [
            "/p/guide/.a.md.swp",
            "/p/guide/a.md~",
            "/p/guide/4913",
            "/p/guide/.#a.md",
            "/p/guide/a.md.bck",
            "/p/guide/a.md___jb_tmp___",
            "/p/guide/.git/index",
            "/p/guide/out/index.html",
            "/p/public/index.html",
        ] {
            assert!(!w.relevant(Path::new(p)), "{p}");
        }
    }
}
