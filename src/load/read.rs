//! Reading the guide's files through the `LoadCache`: a parallel prefetch of what the cache
//! cannot answer, then every file in order (chapters, checklists, `guide.yaml`, other files).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::checklist::{self, Checklist};
use crate::config::GuideConfig;
use crate::diag::Diagnostic;
use crate::source;

use super::parse::{chapter_key, config_key, list_key, parse_chapter, parse_config};
use super::walk::Walk;
use super::{Chapter, LoadOptions};

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
    pub(super) chapters: HashMap<u64, Chapter>,
    pub(super) live: std::collections::HashSet<u64>,
    /// Set while a watcher reports every change.
    pub(super) trusted: bool,
    /// The last walk: files (guide-relative, path) and its diagnostics.
    pub(super) walk: Option<Walk>,
    /// Decoded contents of text files by guide-relative path, with the chapter key once known.
    texts: HashMap<String, (Result<String, Diagnostic>, Option<u64>)>,
    /// Contents of other files by guide-relative path.
    bytes: HashMap<String, Result<Vec<u8>, Diagnostic>>,
    /// The last `guide.yaml` parse, keyed by a hash of its text.
    config: Option<(u64, Option<GuideConfig>, Vec<Diagnostic>)>,
    /// Checklist parses keyed by a hash of (path, text), and the keys the last load used.
    pub(super) checklists: HashMap<u64, (Option<Checklist>, Vec<Diagnostic>)>,
    pub(super) checklists_live: std::collections::HashSet<u64>,
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

/// A chapter, checklist or `guide.yaml` read, and parsed unless the cache already has its key,
/// before the main loop.
pub struct Fetched {
    text: Result<String, Diagnostic>,
    /// `chapter_key`, `list_key` or `config_key` of the text.
    key: Option<u64>,
    parsed: Option<Parsed>,
}

/// What `Fetched` parsed.
pub enum Parsed {
    Chapter(Result<Chapter, Vec<Diagnostic>>),
    List((Option<Checklist>, Vec<Diagnostic>)),
    Config((Option<GuideConfig>, Vec<Diagnostic>)),
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

/// Reads and parses, on all cores, every chapter, checklist and `guide.yaml` that the cache
/// cannot answer (each is a pure function of its bytes). `read_all` takes the results in file
/// order, so diagnostics and the cache end up exactly as a sequential load leaves them.
pub fn prefetch<'f>(
    files: &'f [(String, PathBuf)],
    opts: &LoadOptions,
    show: &(dyn Fn(&str) -> String + Sync),
    cache: &LoadCache,
) -> HashMap<&'f str, Fetched> {
    let mut todo: Vec<(&str, &Path)> = files
        .iter()
        .filter(|(rel, _)| {
            if rel.ends_with(".md") {
                memo_key(cache, rel).is_none()
            } else {
                (rel == "guide.yaml" || source::checklist_stem(rel).is_some())
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
    todo.into_par_iter()
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
                } else if let Some(stem) = source::checklist_stem(rel) {
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
        .collect()
}

/// What `read_all` found: the parsed config with its text, the home page, chapters by path,
/// checklists and other files.
#[derive(Default)]
pub struct Read {
    pub config: Option<(GuideConfig, String)>,
    pub home: Option<Chapter>,
    pub chapters: HashMap<String, Chapter>,
    pub checklists: Vec<Checklist>,
    pub tools: Vec<crate::tool::Tool>,
    pub assets: BTreeMap<String, Vec<u8>>,
    /// Chapters, checklists and tools that could not be read or parsed (their own errors are
    /// reported), by guide-relative path.
    pub failed: BTreeSet<String>,
}

/// Takes every file in order: from the prefetch, from the cache, or read now.
pub fn read_all(
    files: &[(String, PathBuf)],
    opts: &LoadOptions,
    show: &dyn Fn(&str) -> String,
    cache: &mut LoadCache,
    mut fetched: HashMap<&str, Fetched>,
    diags: &mut Vec<Diagnostic>,
) -> Read {
    let mut read = Read::default();
    if !cache.one_shot {
        cache.chapters.reserve(fetched.len());
    }
    let max = opts.max_file_bytes;
    for (rel, path) in files {
        let display = show(rel);
        if rel == "guide.yaml" {
            let (text, key, pre) = cache.take_text(rel, path, &display, max, &mut fetched);
            match text {
                Ok(text) => {
                    let (c, ds) = read_config(cache, &display, &text, key, pre);
                    diags.extend(ds);
                    read.config = c.map(|c| (c, text));
                }
                Err(d) => diags.push(d),
            }
        } else if rel.ends_with(".md") {
            let pre = fetched.remove(rel.as_str());
            match load_chapter(path, rel, &display, max, cache, pre) {
                Ok(ch) if rel == "index.md" => read.home = Some(ch),
                Ok(ch) => {
                    read.chapters.insert(rel.clone(), ch);
                }
                Err(mut ds) => {
                    read.failed.insert(rel.clone());
                    diags.append(&mut ds);
                }
            }
        } else if let Some(stem) = source::checklist_stem(rel) {
            let (text, key, pre) = cache.take_text(rel, path, &display, max, &mut fetched);
            match text {
                Ok(text) => {
                    let (list, ds) = read_checklist(cache, (rel, stem, &display), &text, key, pre);
                    if list.is_none() {
                        read.failed.insert(rel.clone());
                    }
                    read.checklists.extend(list);
                    diags.extend(ds);
                }
                Err(d) => {
                    read.failed.insert(rel.clone());
                    diags.push(d);
                }
            }
        } else if let Some(stem) = source::tool_stem(rel) {
            // A handful of small files: parsed on every load, no cache needed.
            match cache.read_text(rel, path, &display, max).0 {
                Ok(text) => {
                    let (tool, ds) = crate::tool::parse(&display, rel, stem, &text);
                    if tool.is_none() {
                        read.failed.insert(rel.clone());
                    }
                    read.tools.extend(tool);
                    diags.extend(ds);
                }
                Err(d) => {
                    read.failed.insert(rel.clone());
                    diags.push(d);
                }
            }
        } else {
            match cache.read_bytes(rel, path, &display, max) {
                Ok(bytes) => {
                    read.assets.insert(rel.clone(), bytes);
                }
                Err(d) => diags.push(d),
            }
        }
    }
    read
}

/// `guide.yaml`'s parse: the cache's while the text is the same, else the prefetch's or a
/// fresh one.
fn read_config(
    cache: &mut LoadCache,
    display: &str,
    text: &str,
    key: Option<u64>,
    pre: Option<Parsed>,
) -> (Option<GuideConfig>, Vec<Diagnostic>) {
    let key = key.unwrap_or_else(|| config_key(display, text));
    if let Some((k, c, ds)) = &cache.config {
        if *k == key {
            return (c.clone(), ds.clone());
        }
    }
    let (c, ds) = match pre {
        Some(Parsed::Config(p)) => p,
        _ => parse_config(text, display),
    };
    if !cache.one_shot {
        cache.config = Some((key, c.clone(), ds.clone()));
    }
    (c, ds)
}

/// A checklist's parse, through the cache.
fn read_checklist(
    cache: &mut LoadCache,
    (rel, stem, display): (&str, &str, &str),
    text: &str,
    key: Option<u64>,
    pre: Option<Parsed>,
) -> (Option<Checklist>, Vec<Diagnostic>) {
    let key = key.unwrap_or_else(|| list_key(display, rel, text));
    let pre = match pre {
        Some(Parsed::List(p)) => Some(p),
        _ => None,
    };
    let parse = || pre.unwrap_or_else(|| checklist::parse(display, rel, stem, text));
    if cache.one_shot {
        return parse();
    }
    cache.checklists_live.insert(key);
    let (list, ds) = cache.checklists.entry(key).or_insert_with(parse);
    (list.clone(), ds.clone())
}
