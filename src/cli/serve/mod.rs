//! `guidesmith serve` and `guidesmith build --watch`: watch the sources, rebuild, publish.
//!
//! Part of the CLI layer (it prints). Both commands share one loop: wait for a debounced batch
//! of source changes (`watch`), rebuild with a long-lived `site::Cache` so the cost follows the
//! size of the change, then either publish the new `Site` to the in-memory server (`reload`)
//! or write it to disk through `output::write`. A failed rebuild keeps the last good site (in
//! memory or on disk) and reports every diagnostic — in the terminal and, for `serve`, in the
//! browser overlay. The server is `listen` (connections, limits, timeouts: hyper on tokio),
//! `http` (what one request gets) and `live` (the live-reload WebSocket); the rebuild loop runs
//! on its own thread. `serve` never writes files and only opens sockets here.

mod http;
mod listen;
mod live;
mod paths;
mod reload;
mod watch;

use std::collections::BTreeSet;
use std::io::Write;
use std::net::{IpAddr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::cli::{print_diags, report_output, SourceArgs};
use crate::diag::Diagnostic;
use crate::output::{self, RealFs};
use crate::site::{self, Built, Cache};

pub use paths::{site_key, PathError};

/// How long to wait for the rest of a half-written file before reporting it (W8).
const RETRY_WINDOW: Duration = Duration::from_millis(300);

#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    #[command(flatten)]
    pub src: SourceArgs,
    /// Port to listen on (0 picks a free port; the URL is printed on the first line).
    #[arg(long, default_value_t = 3000)]
    pub port: u16,
    /// Address to listen on. Anything but a loopback address exposes the preview to the network.
    #[arg(long, default_value = "127.0.0.1", value_name = "ADDR")]
    pub bind: IpAddr,
    /// Open the site in the default browser.
    #[arg(long)]
    pub open: bool,
    /// Poll the file system instead of using native events (network drives, WSL, containers).
    #[arg(long)]
    pub poll: bool,
    /// Print the wall time of each build stage after every rebuild.
    #[arg(long)]
    pub timings: bool,
    /// Also accept requests for this host name (repeatable), e.g. a LAN name with --bind.
    #[arg(long = "allow-host", value_name = "HOST")]
    pub allow_host: Vec<String>,
}

/// Runs the preview server until interrupted.
pub fn run(args: &ServeArgs) -> ExitCode {
    let listener = match TcpListener::bind(SocketAddr::new(args.bind, args.port)) {
        Ok(l) => l,
        Err(e) => {
            if e.kind() == std::io::ErrorKind::AddrInUse {
                eprintln!(
                    "error: port {} is already in use on {}",
                    args.port, args.bind
                );
                eprintln!(
                    "  = help: stop the other server, or choose another port with --port {} (--port 0 picks a free one)",
                    args.port.wrapping_add(1).max(1024)
                );
            } else {
                eprintln!(
                    "error: cannot listen on {}: {e}",
                    SocketAddr::new(args.bind, args.port)
                );
                eprintln!(
                    "  = help: choose another port with --port, or another address with --bind"
                );
            }
            return ExitCode::from(2);
        }
    };
    let addr = listener
        .local_addr()
        .unwrap_or_else(|_| SocketAddr::new(args.bind, args.port));
    if !args.bind.is_loopback() {
        eprintln!(
            "warning: --bind {} exposes the preview (drafts included) to every machine that can reach this one on port {}; \
             keep the default 127.0.0.1 unless you mean to share it",
            args.bind,
            addr.port()
        );
    }

    let shared = Arc::new(reload::Shared::new());
    let mut rebuilder = Rebuilder::new(&args.src, args.timings, true);
    // Armed before the first build, so no change after this point goes unseen.
    let mut watch = watch::Watch::start(rebuilder.roots(Vec::new()), args.poll);
    for n in watch.take_notices() {
        eprintln!("warning: {n}");
    }
    let started = Instant::now();
    match rebuilder.build(None, &Batch::default()) {
        Ok(b) => {
            rebuilder.warn(&b.warnings);
            let (_, n) = shared.publish(b.site);
            eprintln!("built {n} files in {} ms", started.elapsed().as_millis());
        }
        Err(d) => {
            print_diags(&d);
            shared.fail(&d);
            eprintln!("the first build failed; serving the error overlay until it is fixed");
        }
    }

    let url = format!("http://{addr}/");
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "serving {url}");
        let _ = out.flush();
    }
    eprintln!(
        "watching {} ({}); press Ctrl-C to stop",
        rebuilder.watched(),
        watch.describe()
    );
    if args.open {
        // Best effort: no browser is not an error.
        let _ = std::process::Command::new("xdg-open")
            .arg(&url)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn();
    }

    let sh = Arc::clone(&shared);
    let spawned = std::thread::Builder::new()
        .name("gs-rebuild".into())
        .spawn(move || loop {
            let batch = watch.next_batch();
            for n in watch.take_notices() {
                eprintln!("warning: {n}");
            }
            let started = Instant::now();
            match rebuilder.build(Some(&mut watch), &batch) {
                Ok(b) => {
                    rebuilder.warn(&b.warnings);
                    let before = sh.snapshot().build;
                    let (build, n) = sh.publish(b.site);
                    let what = if build == before {
                        "no change".to_owned()
                    } else {
                        format!("build {build}, {n} files changed")
                    };
                    eprintln!(
                        "rebuilt in {} ms ({} chapters re-rendered; {what})",
                        started.elapsed().as_millis(),
                        b.rendered
                    );
                }
                Err(d) => {
                    print_diags(&d);
                    sh.fail(&d);
                    eprintln!(
                        "rebuild failed; still serving build {}",
                        sh.snapshot().build
                    );
                }
            }
        });
    if let Err(e) = spawned {
        eprintln!("error: cannot start the rebuild thread: {e}");
        return ExitCode::from(1);
    }

    let hosts = http::Server::hosts_for(addr.port(), args.bind, &args.allow_host);
    if let Err(e) = listen::run(listener, Arc::new(http::Server { shared, hosts })) {
        eprintln!("error: the preview server stopped: {e}");
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}

/// `guidesmith build --watch`: build, write, then rebuild and rewrite on every change. Holds
/// the output lock while running (O9); a failed rebuild leaves the last good output in place.
pub fn watch_build(src: &SourceArgs, out: &Path, force: bool, poll: bool) -> ExitCode {
    let out_c = match output::check_location(out, &src.protected()) {
        Ok(p) => p,
        Err(e) => return report_output(&e),
    };
    let _lock = match output::Lock::acquire(&out_c) {
        Ok(l) => l,
        Err(e) => return report_output(&e),
    };
    let mut rebuilder = Rebuilder::new(src, false, false);
    let mut last: Option<site::Site> = None;
    // Armed before the first build, so no change after this point goes unseen.
    let ignore = staging_siblings(&out_c);
    let mut watch = watch::Watch::start(rebuilder.roots(ignore), poll);
    for n in watch.take_notices() {
        eprintln!("warning: {n}");
    }
    let started = Instant::now();
    match rebuilder.build(None, &Batch::default()) {
        Ok(b) => {
            rebuilder.warn(&b.warnings);
            match output::write(&RealFs, &b.site, &b.digests, &out_c, force) {
                Ok(r) => {
                    eprintln!(
                        "built {} files into {} in {} ms ({} written, {} unchanged, {} removed)",
                        b.site.files.len(),
                        out.display(),
                        started.elapsed().as_millis(),
                        r.written,
                        r.linked,
                        r.removed
                    );
                    last = Some(b.site);
                }
                // A refused location will not fix itself: stop, as `build` does.
                Err(e) => return report_output(&e),
            }
        }
        Err(d) => {
            print_diags(&d);
            eprintln!("build failed; nothing written, waiting for changes");
        }
    }

    eprintln!(
        "watching {} ({}); press Ctrl-C to stop",
        rebuilder.watched(),
        watch.describe()
    );
    loop {
        let batch = watch.next_batch();
        for n in watch.take_notices() {
            eprintln!("warning: {n}");
        }
        let started = Instant::now();
        match rebuilder.build(Some(&mut watch), &batch) {
            Ok(b) => {
                rebuilder.warn(&b.warnings);
                if last.as_ref() == Some(&b.site) {
                    eprintln!(
                        "rebuilt in {} ms ({} chapters re-rendered; no change)",
                        started.elapsed().as_millis(),
                        b.rendered
                    );
                    continue;
                }
                match output::write(&RealFs, &b.site, &b.digests, &out_c, force) {
                    Ok(r) => {
                        eprintln!(
                            "rebuilt in {} ms ({} chapters re-rendered; {} written, {} unchanged, {} removed)",
                            started.elapsed().as_millis(),
                            b.rendered,
                            r.written,
                            r.linked,
                            r.removed
                        );
                        last = Some(b.site);
                    }
                    Err(e) => {
                        eprintln!("error: {e}");
                        eprintln!("  = note: the previous output is unchanged; will retry on the next change");
                    }
                }
            }
            Err(d) => {
                print_diags(&d);
                eprintln!("rebuild failed; the previous output is unchanged");
            }
        }
    }
}

/// The output folder and the staging/old/lock siblings `output` creates beside it.
fn staging_siblings(out: &Path) -> Vec<PathBuf> {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "site".into());
    let parent = out.parent().unwrap_or(Path::new("."));
    let mut v = vec![out.to_owned()];
    for suffix in ["staging", "old", "lock"] {
        v.push(parent.join(format!(".{name}.guidesmith-{suffix}")));
    }
    v
}

use watch::Batch;

/// Builds with a long-lived cache, retrying once when a just-changed file is half-written.
struct Rebuilder {
    opts: site::BuildOptions,
    cache: Cache,
    guide: PathBuf,
    theme: PathBuf,
    display_root: String,
    shown: String,
    /// The warnings last printed: a rebuild repeats them only when they change.
    warned: Vec<Diagnostic>,
}

impl Rebuilder {
    /// `drafts`: `serve` previews draft chapters; `build --watch` writes what `build` would.
    fn new(src: &SourceArgs, timings: bool, drafts: bool) -> Rebuilder {
        let opts = src.build_options(timings, drafts);
        let guide = output::canonical(&src.guide).unwrap_or_else(|_| src.guide.clone());
        let theme_rel = opts
            .theme_dir
            .as_ref()
            .map(|(p, _)| p.clone())
            .unwrap_or_default();
        let theme = output::canonical(&theme_rel).unwrap_or(theme_rel);
        let display_root = opts.load.display_root.clone();
        let shown = format!(
            "{}/ and {}/",
            display_root,
            opts.theme_dir
                .as_ref()
                .map_or("themes/default", |(_, d)| d.as_str())
        );
        Rebuilder {
            opts,
            cache: Cache::default(),
            guide,
            theme,
            display_root,
            shown,
            warned: Vec::new(),
        }
    }

    fn roots(&self, ignore: Vec<PathBuf>) -> watch::Roots {
        watch::Roots {
            roots: vec![self.guide.clone(), self.theme.clone()],
            ignore,
        }
    }

    /// Prints a build's warnings unless they are the ones printed last time.
    fn warn(&mut self, warnings: &[Diagnostic]) {
        if warnings == self.warned.as_slice() {
            if !warnings.is_empty() {
                eprintln!("{} warning(s), as before", warnings.len());
            }
            return;
        }
        print_diags(warnings);
        self.warned = warnings.to_vec();
    }

    fn watched(&self) -> &str {
        &self.shown
    }

    /// Builds; if it fails on invalid UTF-8 in a file changed in `batch` (an editor still
    /// writing a multi-byte character), waits for the rest of the write and tries once more
    /// before reporting (W8).
    fn build(
        &mut self,
        watch: Option<&mut watch::Watch>,
        batch: &Batch,
    ) -> Result<Built, Vec<Diagnostic>> {
        // The watcher is armed before the first build, so from the first build on it reports
        // every change: the loader re-reads only what it names.
        self.tell_cache(watch.is_some().then_some(batch));
        let first = site::build(&self.opts, &mut self.cache);
        let Err(diags) = &first else { return first };
        let Some(watch) = watch else { return first };
        if !self.half_written(diags, &batch.paths) {
            return first;
        }
        let more = watch.more_within(RETRY_WINDOW);
        // Re-read the half-written file too, even if no further event came for it.
        let mut again = Batch {
            paths: batch.paths.clone(),
            full: batch.full || more.full,
            saved: false,
        };
        again.paths.extend(more.paths);
        self.tell_cache(Some(&again));
        site::build(&self.opts, &mut self.cache)
    }

    /// Passes what changed to the build cache: guide-relative paths, or "anything" for a full
    /// batch, the first build, or a path outside both watched folders.
    fn tell_cache(&mut self, batch: Option<&Batch>) {
        let Some(batch) = batch.filter(|b| !b.full) else {
            self.cache.changed(None);
            return;
        };
        let mut rels = Vec::new();
        for p in &batch.paths {
            if let Ok(rel) = p.strip_prefix(&self.guide) {
                let rel = rel.to_string_lossy().replace('\\', "/");
                if rel.is_empty() {
                    self.cache.changed(None);
                    return;
                }
                rels.push(rel);
            } else if !p.starts_with(&self.theme) {
                self.cache.changed(None);
                return;
            }
        }
        self.cache.changed(Some(&rels));
    }

    fn half_written(&self, diags: &[Diagnostic], changed: &BTreeSet<PathBuf>) -> bool {
        let shown: BTreeSet<String> = changed
            .iter()
            .filter_map(|p| p.strip_prefix(&self.guide).ok())
            .map(|rel| {
                format!(
                    "{}/{}",
                    self.display_root,
                    rel.to_string_lossy().replace('\\', "/")
                )
            })
            .collect();
        // The other errors are usually knock-on effects (a nav entry that "could not be
        // loaded", links to that chapter), so one such file is reason enough to wait.
        diags.iter().any(|d| {
            d.is_error() && d.message.starts_with("invalid UTF-8") && shown.contains(&d.path)
        })
    }
}
