//! Loading the guide: read and parse every input, collecting ALL diagnostics.
//!
//! First stage of the pipeline. Walks `guide/` in sorted order without following symlinks,
//! decodes every file (`source`), parses `guide.yaml`, chapter front matter and checklists, and
//! cross-checks the nav against the files on disk. It never renders and never writes.

use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_saphyr::Spanned;
use walkdir::WalkDir;

use crate::checklist::{self, Checklist};
use crate::config::{self, GuideConfig};
use crate::diag::{self, Diagnostic};
use crate::frontmatter;
use crate::markdown::page_url;
use crate::source;
use crate::yaml::{self, Embedded};

/// Everything the rest of the pipeline needs, read and validated.
#[derive(Debug, Clone)]
pub struct Guide {
    /// How the guide directory is shown in diagnostics (e.g. `guide`).
    pub display_root: String,
    pub config: GuideConfig,
    /// Hash of `guide.yaml`'s text: stands in for everything derived from the config.
    pub config_key: u64,
    /// The home page (`index.md`), if present.
    pub home: Option<Chapter>,
    /// Chapters in nav order.
    pub chapters: Vec<Chapter>,
    /// Checklists sorted by id.
    pub checklists: Vec<Checklist>,
    /// Other files, by guide-relative path.
    pub assets: BTreeMap<String, Vec<u8>>,
}

/// A chapter file: its source text and parsed front matter.
#[derive(Debug, Clone)]
pub struct Chapter {
    /// Guide-relative path, e.g. `chapters/prepare/evidence.md`.
    pub source: String,
    /// Path shown to the user.
    pub display: String,
    /// Page URL relative to the site root.
    pub url: String,
    /// The whole file, normalised (shared: a rebuild copies chapters out of the cache).
    pub text: std::sync::Arc<str>,
    pub body_start: usize,
    /// Byte offset of the front-matter YAML in `text` (for positions of its values).
    pub front_start: usize,
    pub front: FrontMatter,
    /// Index of the nav part it belongs to (None for the home page).
    pub part: Option<usize>,
    /// Hash of (source, display, text): the key of everything derived from this file alone.
    pub key: u64,
}

/// Chapter front matter.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    pub title: String,
    pub description: String,
    /// "本章要点".
    #[serde(default)]
    pub summary: Vec<String>,
    #[serde(default)]
    pub checklists: Vec<Spanned<String>>,
    #[serde(default)]
    pub updated: Option<Spanned<String>>,
}

/// Where to read from and how much to accept.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    pub guide_dir: PathBuf,
    /// How the guide dir is shown in diagnostics (e.g. `guide`).
    pub display_root: String,
    pub max_file_bytes: u64,
}

/// Editor droppings and other files that are never part of the guide (W1).
pub fn is_ignored_name(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".swo")
        || name.ends_with(".tmp")
        || name.ends_with(".bck")
        || name.ends_with(".bak")
        || name.contains("___jb_")
        || name == "4913"
        || name.starts_with('#')
}

/// Parsed chapters keyed by a hash of (path, text): a rebuild re-parses only the files whose
/// bytes changed. Results are pure functions of the key.
///
/// While a watcher vouches for what changed (`changed(Some(..))` before every build), the
/// cache also keeps the file list and every file's decoded contents, and re-reads only the
/// paths the watcher named; a path it does not know as a file (new, deleted, a folder) also
/// re-walks the folder. `changed(None)` (the first build, lost events, a new backend) forgets
/// every file, so that build reads everything afresh.
#[derive(Default)]
pub struct LoadCache {
    chapters: HashMap<u64, Chapter>,
    live: std::collections::HashSet<u64>,
    /// Set while a watcher reports every change.
    trusted: bool,
    /// The last walk: files (guide-relative, path) and its diagnostics.
    walk: Option<Walk>,
    /// Decoded contents of text files by guide-relative path, with the chapter key once known.
    texts: HashMap<String, (Result<String, Diagnostic>, Option<u64>)>,
    /// Contents of other files by guide-relative path.
    bytes: HashMap<String, Result<Vec<u8>, Diagnostic>>,
    /// The last `guide.yaml` parse, keyed by a hash of its text.
    config: Option<(u64, Option<GuideConfig>, Vec<Diagnostic>)>,
    /// Checklist parses keyed by a hash of (path, text), and the keys the last load used.
    checklists: HashMap<u64, (Option<Checklist>, Vec<Diagnostic>)>,
    checklists_live: std::collections::HashSet<u64>,
    /// A single build's loader: nothing is kept for a next load.
    one_shot: bool,
}

impl LoadCache {
    /// A loader for a single build: parses are not copied into the cache.
    pub fn one_shot() -> LoadCache {
        LoadCache {
            one_shot: true,
            ..LoadCache::default()
        }
    }

    /// Which guide-relative paths changed since the last load (`None`: anything may have). The
    /// caller promises to report every later change before each load.
    pub fn changed(&mut self, rels: Option<&[String]>) {
        self.trusted = true;
        let Some(rels) = rels else {
            self.walk = None;
            self.texts.clear();
            self.bytes.clear();
            return;
        };
        for rel in rels {
            let known = self
                .walk
                .as_ref()
                .is_some_and(|(files, _)| files.iter().any(|(r, p)| r == rel && p.is_file()));
            if !known {
                self.walk = None;
                let under = format!("{rel}/");
                self.texts.retain(|k, _| !k.starts_with(&under));
                self.bytes.retain(|k, _| !k.starts_with(&under));
            }
            self.texts.remove(rel);
            self.bytes.remove(rel);
        }
    }

    /// A text file's contents, key and parse from the prefetch (remembered as `read_text`
    /// would), or its contents read now.
    fn take_text(
        &mut self,
        rel: &str,
        path: &Path,
        display: &str,
        max: u64,
        fetched: &mut HashMap<&str, Fetched>,
    ) -> (Result<String, Diagnostic>, Option<u64>, Option<Parsed>) {
        match fetched.remove(rel) {
            Some(f) => {
                if self.trusted {
                    self.texts.insert(rel.to_owned(), (f.text.clone(), None));
                }
                (f.text, f.key, f.parsed)
            }
            None => (self.read_text(rel, path, display, max).0, None, None),
        }
    }

    fn read_text(
        &mut self,
        rel: &str,
        path: &Path,
        display: &str,
        max: u64,
    ) -> (Result<String, Diagnostic>, Option<u64>) {
        if self.trusted {
            if let Some((text, key)) = self.texts.get(rel) {
                return (text.clone(), *key);
            }
        }
        let text = source::read_text(path, display, max).map(|s| s.text);
        if self.trusted {
            self.texts.insert(rel.to_owned(), (text.clone(), None));
        }
        (text, None)
    }

    fn read_bytes(
        &mut self,
        rel: &str,
        path: &Path,
        display: &str,
        max: u64,
    ) -> Result<Vec<u8>, Diagnostic> {
        if self.trusted {
            if let Some(b) = self.bytes.get(rel) {
                return b.clone();
            }
        }
        let read = match std::fs::metadata(path) {
            Ok(m) if m.len() > max => Err(Diagnostic::error(
                display,
                format!("file is {} bytes, over the {} byte limit", m.len(), max),
            )
            .with_help("shrink the file, or raise the limit with --max-file-size")),
            _ => std::fs::read(path)
                .map_err(|e| Diagnostic::error(display, format!("cannot read file: {e}"))),
        };
        if self.trusted {
            self.bytes.insert(rel.to_owned(), read.clone());
        }
        read
    }
}

/// Reads and validates the whole guide.
pub fn load(opts: &LoadOptions) -> (Option<Guide>, Vec<Diagnostic>) {
    load_cached(opts, &mut LoadCache::default())
}

/// `load`, reusing chapters parsed by earlier calls with the same cache.
pub fn load_cached(opts: &LoadOptions, cache: &mut LoadCache) -> (Option<Guide>, Vec<Diagnostic>) {
    let result = load_inner(opts, cache);
    let live = std::mem::take(&mut cache.live);
    cache.chapters.retain(|k, _| live.contains(k));
    let live = std::mem::take(&mut cache.checklists_live);
    cache.checklists.retain(|k, _| live.contains(k));
    result
}

fn load_inner(opts: &LoadOptions, cache: &mut LoadCache) -> (Option<Guide>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let root = &opts.guide_dir;
    let show = |rel: &str| format!("{}/{rel}", opts.display_root.trim_end_matches('/'));
    if !root.is_dir() {
        diags.push(
            Diagnostic::error(opts.display_root.clone(), "guide directory not found")
                .with_help("run in the folder that contains guide/, or pass --guide DIR"),
        );
        return (None, diags);
    }

    let (files, walk_diags) = match cache.walk.as_ref().filter(|_| cache.trusted) {
        Some(w) => w.clone(),
        None => {
            let w = walk(root, &show);
            if cache.trusted {
                cache.walk = Some(w.clone());
            }
            w
        }
    };
    diags.extend(walk_diags);

    // Chapters, checklists and guide.yaml that the cache cannot answer are read and parsed on
    // all cores first (each is a pure function of its bytes); the loop below takes their
    // results in file order, so diagnostics and the cache end up exactly as a sequential load
    // leaves them.
    let mut todo: Vec<(&str, &Path)> = files
        .iter()
        .filter(|(rel, _)| {
            if rel.ends_with(".md") {
                memo_key(cache, rel).is_none()
            } else {
                (rel == "guide.yaml" || checklist_stem(rel).is_some())
                    && !(cache.trusted && cache.texts.contains_key(rel.as_str()))
            }
        })
        .map(|(rel, path)| (rel.as_str(), path.as_path()))
        .collect();
    // guide.yaml (the largest file) and the checklists first: a core that starts on them
    // leaves the chapters to the others, rather than one core finishing with them alone.
    todo.sort_by_key(|(rel, _)| rel.ends_with(".md"));
    let (chapters_done, lists_done) = (&cache.chapters, &cache.checklists);
    let config_done = cache.config.as_ref().map(|c| c.0);
    // Contents a watcher vouches for are taken from the memo, as `LoadCache::read_text` does.
    let memo = cache.trusted.then_some(&cache.texts);
    let mut fetched: HashMap<&str, Fetched> = todo
        .into_par_iter()
        .map(|(rel, path)| {
            let display = show(rel);
            let text = match memo.and_then(|m| m.get(rel)) {
                Some((text, _)) => text.clone(),
                None => source::read_text(path, &display, opts.max_file_bytes).map(|s| s.text),
            };
            let (mut key, mut parsed) = (None, None);
            if let Ok(t) = &text {
                if rel == "guide.yaml" {
                    let k = config_key(&display, t);
                    key = Some(k);
                    parsed =
                        (config_done != Some(k)).then(|| Parsed::Config(parse_config(t, &display)));
                } else if let Some(stem) = checklist_stem(rel) {
                    let k = list_key(&display, rel, t);
                    key = Some(k);
                    parsed = (!lists_done.contains_key(&k))
                        .then(|| Parsed::List(checklist::parse(&display, rel, stem, t)));
                } else {
                    let k = chapter_key(rel, &display, t);
                    key = Some(k);
                    parsed = (!chapters_done.contains_key(&k))
                        .then(|| Parsed::Chapter(parse_chapter(t, rel, &display, k)));
                }
            }
            (rel, Fetched { text, key, parsed })
        })
        .collect();

    let mut config = None;
    let mut home = None;
    let mut chapters: HashMap<String, Chapter> = HashMap::with_capacity(files.len());
    if !cache.one_shot {
        cache.chapters.reserve(fetched.len());
    }
    let mut checklists = Vec::new();
    let mut assets = BTreeMap::new();
    for (rel, path) in &files {
        let display = show(rel);
        if rel == "guide.yaml" {
            let (text, key, pre) =
                cache.take_text(rel, path, &display, opts.max_file_bytes, &mut fetched);
            match text {
                Ok(text) => {
                    let key = key.unwrap_or_else(|| config_key(&display, &text));
                    let (c, ds) = match (&cache.config, pre) {
                        (Some((k, c, ds)), _) if *k == key => (c.clone(), ds.clone()),
                        (_, pre) => {
                            let (c, ds) = match pre {
                                Some(Parsed::Config(p)) => p,
                                _ => parse_config(&text, &display),
                            };
                            if !cache.one_shot {
                                cache.config = Some((key, c.clone(), ds.clone()));
                            }
                            (c, ds)
                        }
                    };
                    diags.extend(ds);
                    config = c.map(|c| (c, text));
                }
                Err(d) => diags.push(d),
            }
        } else if rel.ends_with(".md") {
            let pre = fetched.remove(rel.as_str());
            match load_chapter(path, rel, &display, opts.max_file_bytes, cache, pre) {
                Ok(ch) if rel == "index.md" => home = Some(ch),
                Ok(ch) => {
                    chapters.insert(rel.clone(), ch);
                }
                Err(mut ds) => diags.append(&mut ds),
            }
        } else if let Some(stem) = checklist_stem(rel) {
            let (text, key, pre) =
                cache.take_text(rel, path, &display, opts.max_file_bytes, &mut fetched);
            match text {
                Ok(text) => {
                    let key = key.unwrap_or_else(|| list_key(&display, rel, &text));
                    let pre = match pre {
                        Some(Parsed::List(p)) => Some(p),
                        _ => None,
                    };
                    let parse =
                        || pre.unwrap_or_else(|| checklist::parse(&display, rel, stem, &text));
                    if cache.one_shot {
                        let (list, ds) = parse();
                        checklists.extend(list);
                        diags.extend(ds);
                    } else {
                        cache.checklists_live.insert(key);
                        let (list, ds) = cache.checklists.entry(key).or_insert_with(parse);
                        checklists.extend(list.iter().cloned());
                        diags.extend(ds.iter().cloned());
                    }
                }
                Err(d) => diags.push(d),
            }
        } else {
            match cache.read_bytes(rel, path, &display, opts.max_file_bytes) {
                Ok(bytes) => {
                    assets.insert(rel.clone(), bytes);
                }
                Err(d) => diags.push(d),
            }
        }
    }

    let Some((config, config_text)) = config else {
        if !files.iter().any(|(r, _)| r == "guide.yaml") {
            diags.push(
                Diagnostic::error(show("guide.yaml"), "guide.yaml is missing")
                    .with_help("create guide/guide.yaml with title, description, updated, notice and nav (docs/content-model.md)"),
            );
        }
        return (None, diags);
    };

    // Nav ↔ files.
    let cfg_display = show("guide.yaml");
    let cfg_src = Embedded {
        path: &cfg_display,
        file: &config_text,
        start: 0,
    };
    let mut ordered = Vec::new();
    let mut seen: HashMap<&str, (usize, usize)> = HashMap::new();
    for (pi, part) in config.nav.iter().enumerate() {
        for entry in &part.chapters {
            let pos = cfg_src.file_pos(&entry.referenced);
            if let Some((l, c)) = seen.get(entry.value.as_str()) {
                diags.push(
                    cfg_src
                        .diag_at(
                            &entry.referenced,
                            format!("`{}` is listed twice in nav", entry.value),
                        )
                        .with_help(format!("first listed at line {l}, column {c}")),
                );
                continue;
            }
            seen.insert(&entry.value, pos);
            match chapters.remove(&entry.value) {
                Some(mut ch) => {
                    ch.part = Some(pi);
                    ordered.push(ch);
                }
                None => {
                    let known = files.iter().any(|(r, _)| *r == entry.value);
                    let msg = if known {
                        format!(
                            "nav entry `{}` could not be loaded (see its own error)",
                            entry.value
                        )
                    } else {
                        format!("nav entry `{}` has no file", entry.value)
                    };
                    let cands: Vec<&str> = files
                        .iter()
                        .map(|(r, _)| r.as_str())
                        .filter(|r| r.ends_with(".md"))
                        .collect();
                    let mut d = cfg_src.diag_at(&entry.referenced, msg);
                    if !known {
                        d = d.with_help(match diag::did_you_mean(&entry.value, cands) {
                            Some(s) => format!("did you mean `{s}`?"),
                            None => "create the file, or remove the entry from nav".into(),
                        });
                    }
                    diags.push(d);
                }
            }
        }
    }
    let mut missing: Vec<_> = chapters.into_values().collect();
    missing.sort_by(|a, b| a.source.cmp(&b.source));
    for ch in missing {
        diags.push(
            Diagnostic::error(
                ch.display.clone(),
                "chapter is not listed in guide.yaml nav",
            )
            .with_help(format!(
                "add `- {}` to a part's chapters in guide.yaml",
                ch.source
            )),
        );
    }

    // Two sources, one output path (O7), including case-only differences.
    let mut outputs: HashMap<String, &str> = HashMap::new();
    let pages = home
        .iter()
        .chain(ordered.iter())
        .map(|c| (c.url.clone(), c.display.as_str()));
    let lists = checklists
        .iter()
        .map(|c| (page_url(&c.source), c.source.as_str()));
    let asset_urls = assets.keys().map(|a| (page_url(a), a.as_str()));
    for (url, src) in pages.chain(lists).chain(asset_urls) {
        if let Some(first) = outputs.insert(url.to_lowercase(), src) {
            diags.push(
                Diagnostic::error(
                    src.to_owned(),
                    format!("`{src}` and `{first}` would both be written to `{url}`"),
                )
                .with_help("rename one of them; output paths must differ in more than letter case"),
            );
        }
    }

    checklists.sort_by(|a, b| a.id.cmp(&b.id));
    let config_key = crate::digest::digest_parts(&[config_text.as_bytes()]);
    let guide = Guide {
        display_root: opts.display_root.trim_end_matches('/').to_owned(),
        config,
        config_key,
        home,
        chapters: ordered,
        checklists,
        assets,
    };
    (Some(guide), diags)
}

/// Parses and validates `guide.yaml`.
fn parse_config(text: &str, display: &str) -> (Option<GuideConfig>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let e = Embedded {
        path: display,
        file: text,
        start: 0,
    };
    match yaml::parse::<GuideConfig>(&e) {
        Ok(c) => {
            // URL-valued settings end up in href attributes (RELIABILITY X2).
            for (key, url) in [("base_url", &c.base_url), ("edit_url", &c.edit_url)] {
                let Some(url) = url else { continue };
                let lower = url.trim().to_ascii_lowercase();
                if !(lower.starts_with("https://") || lower.starts_with("http://")) {
                    let line = text
                        .lines()
                        .position(|l| l.trim_start().starts_with(&format!("{key}:")))
                        .map_or(0, |i| i + 1);
                    let col = text
                        .lines()
                        .nth(line.saturating_sub(1))
                        .and_then(|l| l.find(':'))
                        .map_or(1, |c| c + 3);
                    let d = Diagnostic::error(
                        display,
                        format!("`{key}` must be an http(s):// address, found `{url}`"),
                    );
                    let d = if line > 0 { d.at(text, line, col) } else { d };
                    diags.push(
                        d.with_help("write the full address, e.g. https://example.org/guide/"),
                    );
                }
            }
            if !config::is_date(&c.updated) {
                diags.push(Diagnostic::error(
                    display,
                    format!(
                        "`updated` must be a date like 2026-11-24, found `{}`",
                        c.updated
                    ),
                ));
            }
            (Some(c), diags)
        }
        Err(d) => {
            diags.push(d);
            (None, diags)
        }
    }
}

/// The guide's files (guide-relative path, path) and what went wrong listing them.
type Walk = (Vec<(String, PathBuf)>, Vec<Diagnostic>);

/// Lists the guide's files in sorted order, without following symlinks (reported instead).
fn walk(root: &Path, show: &dyn Fn(&str) -> String) -> Walk {
    let mut diags = Vec::new();
    let mut files: Vec<(String, PathBuf)> = Vec::new();
    let walker = WalkDir::new(root)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_ignored_name(&e.file_name().to_string_lossy()));
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let p = e
                    .path()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default();
                diags.push(Diagnostic::error(p, format!("cannot read: {e}")));
                continue;
            }
        };
        let Ok(rel) = entry.path().strip_prefix(root) else {
            continue;
        };
        let Some(rel) = rel.to_str().map(|s| s.replace('\\', "/")) else {
            diags.push(
                Diagnostic::error(
                    entry.path().display().to_string(),
                    "file name is not valid UTF-8",
                )
                .with_help("rename the file using UTF-8 characters"),
            );
            continue;
        };
        if entry.path_is_symlink() {
            diags.push(
                Diagnostic::error(show(&rel), "symbolic links are not followed")
                    .with_help("copy the file into guide/ instead of linking to it"),
            );
            continue;
        }
        if entry.file_type().is_file() {
            if let Some(bad) = rel
                .chars()
                .find(|c| "<>:\"|?*\\".contains(*c) || c.is_control())
            {
                diags.push(
                    Diagnostic::error(
                        show(&rel),
                        format!("file name contains `{bad}`, which some systems cannot store"),
                    )
                    .with_help("rename the file using letters, digits, Chinese characters and -"),
                );
                continue;
            }
            files.push((rel, entry.into_path()));
        }
    }

    (files, diags)
}

/// A chapter, checklist or `guide.yaml` read, and parsed unless the cache already has its key,
/// before the main loop.
struct Fetched {
    text: Result<String, Diagnostic>,
    /// `chapter_key`, `list_key` or `config_key` of the text.
    key: Option<u64>,
    parsed: Option<Parsed>,
}

/// What `Fetched` parsed.
enum Parsed {
    Chapter(Result<Chapter, Vec<Diagnostic>>),
    List((Option<Checklist>, Vec<Diagnostic>)),
    Config((Option<GuideConfig>, Vec<Diagnostic>)),
}

/// The stem of a checklist file (`checklists/<stem>.yaml` or `.yml`, no deeper folder).
fn checklist_stem(rel: &str) -> Option<&str> {
    rel.strip_prefix("checklists/")
        .and_then(|s| s.strip_suffix(".yaml").or_else(|| s.strip_suffix(".yml")))
        .filter(|s| !s.contains('/'))
}

fn list_key(display: &str, rel: &str, text: &str) -> u64 {
    crate::digest::digest_parts(&[display.as_bytes(), rel.as_bytes(), text.as_bytes()])
}

fn config_key(display: &str, text: &str) -> u64 {
    crate::digest::digest_parts(&[display.as_bytes(), text.as_bytes()])
}

/// The key of a chapter the cache holds and a watcher vouches is unchanged.
fn memo_key(cache: &LoadCache, rel: &str) -> Option<u64> {
    cache
        .texts
        .get(rel)
        .filter(|_| cache.trusted)
        .and_then(|(_, k)| *k)
        .filter(|k| cache.chapters.contains_key(k))
}

fn chapter_key(rel: &str, display: &str, text: &str) -> u64 {
    crate::digest::digest_parts(&[rel.as_bytes(), display.as_bytes(), text.as_bytes()])
}

fn load_chapter(
    path: &Path,
    rel: &str,
    display: &str,
    max: u64,
    cache: &mut LoadCache,
    pre: Option<Fetched>,
) -> Result<Chapter, Vec<Diagnostic>> {
    // Unchanged since the last load (the watcher named no change): no need to copy the text.
    if let Some(key) = memo_key(cache, rel) {
        cache.live.insert(key);
        return Ok(cache.chapters[&key].clone());
    }
    let (text, key, parsed) = match pre {
        Some(f) => {
            if cache.trusted {
                cache.texts.insert(rel.to_owned(), (f.text.clone(), None));
            }
            let parsed = match f.parsed {
                Some(Parsed::Chapter(c)) => Some(c),
                _ => None,
            };
            (f.text, f.key, parsed)
        }
        None => (cache.read_text(rel, path, display, max).0, None, None),
    };
    let text = text.map_err(|d| vec![d])?;
    let key = key.unwrap_or_else(|| chapter_key(rel, display, &text));
    if let Some(memo) = cache.texts.get_mut(rel) {
        memo.1 = Some(key);
    }
    cache.live.insert(key);
    if let Some(hit) = cache.chapters.get(&key) {
        return Ok(hit.clone());
    }
    let ch = match parsed {
        Some(ch) => ch,
        None => parse_chapter(&text, rel, display, key),
    }?;
    if !cache.one_shot {
        cache.chapters.insert(key, ch.clone());
    }
    Ok(ch)
}

fn parse_chapter(
    text: &str,
    rel: &str,
    display: &str,
    key: u64,
) -> Result<Chapter, Vec<Diagnostic>> {
    let split = frontmatter::split(text).map_err(|_| {
        vec![Diagnostic::error(display, "front matter is not closed")
            .at(text, 1, 1)
            .with_len(3)
            .with_help("add a line with only `---` after the front matter")]
    })?;
    let Some((start, end)) = split.yaml else {
        return Err(vec![Diagnostic::error(
            display,
            "chapter has no front matter",
        )
        .at(text, 1, 1)
        .with_help("start the file with ---, title: …, description: …, ---")]);
    };
    let yaml_text = &text[..end];
    let e = Embedded {
        path: display,
        file: yaml_text,
        start,
    };
    let front: FrontMatter = yaml::parse(&e).map_err(|mut d| {
        // Re-attach the full file's source line (the slice ends at the closing fence).
        if d.line > 0 {
            d.source_line = text.lines().nth(d.line - 1).map(str::to_owned);
        }
        vec![d]
    })?;
    let mut diags = Vec::new();
    if front.title.trim().is_empty() {
        diags.push(Diagnostic::error(display, "`title` is empty").at(text, 2, 1));
    }
    if let Some(u) = &front.updated {
        if !config::is_date(&u.value) {
            diags.push(e.diag_at(
                &u.referenced,
                format!(
                    "`updated` must be a date like 2026-11-24, found `{}`",
                    u.value
                ),
            ));
        }
    }
    if !diags.is_empty() {
        return Err(diags);
    }
    Ok(Chapter {
        source: rel.to_owned(),
        display: display.to_owned(),
        url: page_url(rel),
        body_start: split.body_start,
        front_start: start,
        text: text.into(),
        front,
        part: None,
        key,
    })
}
