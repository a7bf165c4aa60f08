//! Command line: parse flags into options, run a command, print, exit.
//!
//! The only layer that prints. Raw flags are turned into the library's option structs here
//! (ripgrep's habit); nothing downstream sees a flag. Exit codes: 0 success, 1 problems in the
//! guide, 2 usage errors or a refused/failed output location.

pub mod serve;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::diag::Diagnostic;
use crate::load::LoadOptions;
use crate::output::{self, OutputError, Protected, RealFs};
use crate::site::{self, BuildOptions, Cache};
use crate::source::DEFAULT_MAX_FILE_BYTES;

#[derive(Parser, Debug)]
#[command(
    name = "guidesmith",
    version,
    about = "Build, check and preview the guide."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Build the static site into the output folder.
    Build(BuildArgs),
    /// Report every problem in the guide (all of them, in one run) without writing anything.
    Check(CheckArgs),
    /// Preview the site on 127.0.0.1, rebuilding and reloading on every save.
    Serve(serve::ServeArgs),
    /// Make a guide folder from a book written for another tool.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Start a new guide: writes a small working guide (guide.yaml, a home page, one chapter,
    /// one checklist) into a new or empty folder.
    Init(InitArgs),
}

#[derive(Args, Debug)]
struct InitArgs {
    /// Where to write the guide (must not exist yet, or be empty).
    #[arg(default_value = "guide", value_name = "DIR")]
    out: PathBuf,
}

#[derive(Subcommand, Debug)]
enum ImportCommand {
    /// Import an mdBook book: book.toml and SUMMARY.md become guide.yaml, chapters are copied
    /// as written with {{#include}} expanded, and every change is listed.
    Mdbook(ImportArgs),
}

#[derive(Args, Debug)]
struct ImportArgs {
    /// The book's folder (the one holding book.toml).
    #[arg(value_name = "PATH")]
    path: PathBuf,
    /// Where to write the guide (must not exist yet, or be empty).
    #[arg(long, default_value = "guide", value_name = "DIR")]
    out: PathBuf,
}

/// Flags shared by every command that reads the guide.
#[derive(Args, Debug, Clone)]
pub struct SourceArgs {
    /// The guide folder.
    #[arg(long, default_value = "guide", value_name = "DIR")]
    pub guide: PathBuf,
    /// Theme: the embedded default, overridden file by file by themes/NAME/ if it exists.
    #[arg(long, default_value = "default", value_name = "NAME")]
    pub theme: String,
    /// Absolute site URL for sitemap.xml, 404.html, og:url and the URL + QR code printed on
    /// checklists (overrides guide.yaml's base_url).
    #[arg(long, value_name = "URL", value_parser = base_url)]
    pub base_url: Option<String>,
    /// Largest accepted input file, in bytes.
    #[arg(long, default_value_t = DEFAULT_MAX_FILE_BYTES, value_name = "BYTES")]
    pub max_file_size: u64,
}

#[derive(Args, Debug)]
struct BuildArgs {
    #[command(flatten)]
    src: SourceArgs,
    /// Output folder (replaced atomically; must be empty or written by guidesmith).
    #[arg(long, default_value = "public", value_name = "DIR")]
    out: PathBuf,
    /// Replace an output folder that holds files guidesmith did not write (dot-files are kept).
    #[arg(long)]
    force: bool,
    /// Keep running and rebuild on every change under the guide and theme folders.
    #[arg(long)]
    watch: bool,
    /// With --watch: poll the file system instead of using native events.
    #[arg(long, requires = "watch")]
    poll: bool,
    /// Print the wall time of each build stage.
    #[arg(long)]
    timings: bool,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
enum Format {
    Human,
    Json,
}

#[derive(Args, Debug)]
struct CheckArgs {
    #[command(flatten)]
    src: SourceArgs,
    /// Output format for diagnostics.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Also check outside http(s) links with curl (needs network; not run in CI).
    #[arg(long)]
    external: bool,
}

/// `--base-url` passes the same check as `base_url` in guide.yaml (RELIABILITY X2); a refused
/// value is a usage error (exit code 2).
fn base_url(s: &str) -> Result<String, String> {
    if crate::config::is_http_url(s) {
        Ok(s.to_owned())
    } else {
        Err("must be an http(s):// address, e.g. https://example.org/guide/".to_owned())
    }
}

impl SourceArgs {
    /// The library's build options for these flags; `drafts` publishes draft chapters (only
    /// `serve`'s preview does).
    pub fn build_options(&self, timings: bool, drafts: bool) -> BuildOptions {
        let display = self.guide.to_string_lossy().replace('\\', "/");
        let theme_dir = PathBuf::from("themes").join(&self.theme);
        BuildOptions {
            load: LoadOptions {
                guide_dir: self.guide.clone(),
                display_root: display.trim_end_matches('/').to_owned(),
                max_file_bytes: self.max_file_size,
                drafts,
            },
            theme_dir: Some((theme_dir, format!("themes/{}", self.theme))),
            base_url: self.base_url.clone(),
            timings,
        }
    }

    /// Folders the output must never overlap.
    pub fn protected(&self) -> Protected {
        let mut roots = vec![PathBuf::from(".")];
        if let Some(home) = std::env::var_os("HOME") {
            roots.push(PathBuf::from(home));
        }
        Protected {
            roots,
            sources: vec![self.guide.clone(), PathBuf::from("themes")],
        }
    }
}

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match cli.command {
        Command::Build(a) => build(&a),
        Command::Check(a) => check(&a),
        Command::Serve(a) => serve::run(&a),
        Command::Import(ImportCommand::Mdbook(a)) => import_mdbook(&a),
        Command::Init(a) => init(&a),
    }
}

/// Entries of one kind shown in the import report; the rest are counted.
const REPORT_ENTRIES: usize = 8;

fn import_mdbook(a: &ImportArgs) -> ExitCode {
    let imported = match crate::import::mdbook(&a.path) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    if let Err(e) = crate::import::write(&a.out, &imported.files) {
        eprintln!("error: {e}");
        return ExitCode::from(2);
    }
    let r = &imported.report;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "imported {} chapters in {} parts, {} other files into {}; expanded {} include directives",
        r.chapters,
        r.parts,
        r.other_files,
        a.out.display(),
        r.includes
    );
    for (kind, items) in &r.notes {
        let _ = writeln!(out, "{kind} ({}):", items.len());
        for item in items.iter().take(REPORT_ENTRIES) {
            let _ = writeln!(out, "  {item}");
        }
        if items.len() > REPORT_ENTRIES {
            let _ = writeln!(out, "  … and {} more", items.len() - REPORT_ENTRIES);
        }
    }
    let _ = writeln!(
        out,
        "next: guidesmith check --guide {} (review guide.yaml's updated and notice)",
        a.out.display()
    );
    ExitCode::SUCCESS
}

fn init(a: &InitArgs) -> ExitCode {
    match crate::scaffold::init(&a.out) {
        Ok(n) => {
            println!(
                "wrote a new guide ({n} files) into {0}\nnext: guidesmith serve --guide {0}",
                a.out.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

/// Prints diagnostics to stderr, errors and warnings alike.
pub fn print_diags(diags: &[Diagnostic]) {
    let mut err = std::io::stderr().lock();
    // Of one kind of problem in one file, the first few and a count (see `diag::report`).
    for block in crate::diag::report(diags) {
        let _ = writeln!(err, "{block}");
    }
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let warnings = diags.len() - errors;
    if errors + warnings > 0 {
        let _ = writeln!(err, "{errors} error(s), {warnings} warning(s)");
    }
}

fn build(a: &BuildArgs) -> ExitCode {
    if a.watch {
        return serve::watch_build(&a.src, &a.out, a.force, a.poll);
    }
    let out = match output::check_location(&a.out, &a.src.protected()) {
        Ok(p) => p,
        Err(e) => return report_output(&e),
    };
    let _lock = match output::Lock::acquire(&out) {
        Ok(l) => l,
        Err(e) => return report_output(&e),
    };
    let started = std::time::Instant::now();
    let mut clock = crate::site::Stopwatch::new(a.timings);
    let built = match site::build(
        &a.src.build_options(a.timings, false),
        &mut Cache::one_shot(),
    ) {
        Ok(b) => b,
        Err(diags) => {
            print_diags(&diags);
            return ExitCode::from(1);
        }
    };
    print_diags(&built.warnings);
    clock.lap("build");
    match output::write(&RealFs, &built.site, &built.digests, &out, a.force) {
        Ok(r) => {
            clock.lap("write");
            eprintln!(
                "built {} files into {} in {} ms ({} written, {} unchanged, {} removed)",
                built.site.files.len(),
                a.out.display(),
                started.elapsed().as_millis(),
                r.written,
                r.linked,
                r.removed
            );
            // The process ends next and the kernel takes its memory back at once: freeing the
            // site's thousands of buffers one by one first only delays the exit.
            std::mem::forget(built);
            ExitCode::SUCCESS
        }
        Err(e) => report_output(&e),
    }
}

/// Prints an output error; refused locations exit 2, I/O failures 1.
pub fn report_output(e: &OutputError) -> ExitCode {
    eprintln!("error: {e}");
    match e {
        OutputError::Refused { .. } => ExitCode::from(2),
        OutputError::Io { .. } => {
            eprintln!("  = note: the previous site (if any) is unchanged");
            ExitCode::from(1)
        }
    }
}

fn check(a: &CheckArgs) -> ExitCode {
    // Outside links are checked once the guide builds (they come from its render pass).
    let diags = match site::build(&a.src.build_options(false, false), &mut Cache::one_shot()) {
        Ok(b) if a.external => {
            let root = a.src.guide.to_string_lossy();
            let mut diags = b.warnings;
            diags.extend(crate::external::check(&root, &b.outside));
            crate::diag::sort(&mut diags);
            diags
        }
        Ok(b) => b.warnings,
        Err(d) => d,
    };
    let failed = diags.iter().any(Diagnostic::is_error);
    match a.format {
        Format::Human => {
            print_diags(&diags);
            if diags.is_empty() {
                eprintln!("no problems found");
            }
        }
        Format::Json => {
            let json = serde_json::to_string_pretty(&diags).unwrap_or_else(|_| "[]".into());
            println!("{json}");
        }
    }
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
