//! Output files: the JSON payloads wrapped as classic scripts (`GS.load('…')`), the switch
//! between one file and shards, and content-hashed file names.
//!
//! Owns: the payload schema the client reads (version `v: 2`). A guide-sized site is one
//! `search/index-<hash>.js` holding the section texts (the client indexes them on load). Past
//! `SHARD_THRESHOLD` the same posting lists are cut into `search/t-XXX-<hash>.js` term shards
//! (by the 32-bit FNV-1a hash of a term's shard key, mirrored by the client), consecutive
//! sections into `s-XXX-<hash>.js`, the pinyin and Latin vocabulary into `p-<hash>.js`, and a
//! `manifest-<hash>.js` names them all.
//!
//! Must never: emit ES modules, anything that needs `fetch`, or bytes that depend on map
//! iteration order; never panic (serialisation failures degrade to an empty payload).

use std::collections::{BTreeMap, BTreeSet};

use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use serde_json::{json, Value};

use super::index::{
    encode_postings, push_b32, section_impacts, Index, Posting, TermList, FIELD_B, FIELD_WEIGHT,
    K1, MAX_IMPACT, PIVOT, SCALE,
};
use super::pinyin::{override_lines, CharTable};
use super::tokenize::{is_cjk, normalize, Kind};
use super::vocab::VocabEntry;
use super::{SearchOutput, Section};

/// Estimated gzipped bytes above which the index is sharded.
pub const SHARD_THRESHOLD: usize = 300 * 1024;
/// Target raw bytes of postings per term shard.
const TERM_SHARD_BYTES: usize = 24 * 1024;
/// Target raw bytes per section shard.
const SECTION_SHARD_BYTES: usize = 24 * 1024;
/// Latin vocabulary kept for prefix and typo lookups.
const MAX_LATIN: usize = 20_000;

/// FNV-1a, 32-bit: term → shard (the client computes the same).
pub fn fnv1a32(bytes: &[u8]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for &b in bytes {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// The part of a term that decides its shard: the first character of a CJK term (so a
/// one-character query reads one shard), the first three characters of a word (so prefix
/// expansion of the last typed word reads one shard).
pub fn shard_key(term: &str) -> String {
    match term.chars().next() {
        Some(c) if is_cjk(c) => c.to_string(),
        _ => term.chars().take(3).collect(),
    }
}

/// `shard_key`, except that terms starting with a character in `split` (characters whose terms
/// together would make one oversized shard) are placed by the whole term.
pub fn shard_key_split(term: &str, split: &BTreeSet<char>) -> String {
    match term.chars().next() {
        Some(c) if split.contains(&c) => term.to_owned(),
        _ => shard_key(term),
    }
}

/// The first ten hex digits of the content digest, for file names.
fn hash_name(bytes: &[u8]) -> String {
    let h = format!("{:016x}", crate::digest::digest(bytes));
    h[..10].to_owned()
}

/// A search file: its site path, the hash in its name, its bytes.
#[derive(Debug, Clone)]
struct File {
    path: String,
    hash: String,
    bytes: Arc<Vec<u8>>,
}

impl File {
    /// `search/<stem>-<hash>.js`.
    fn named(stem: &str, bytes: Vec<u8>) -> File {
        let hash = hash_name(&bytes);
        File {
            path: format!("search/{stem}-{hash}.js"),
            hash,
            bytes: Arc::new(bytes),
        }
    }
}

/// Shard files of earlier builds by a digest of what each was made from, for `serve`: an edit
/// changes a few shards, and only those are made again.
#[derive(Debug, Default)]
pub struct FileMemo {
    /// A one-shot build keeps nothing and computes no keys.
    off: bool,
    files: FxHashMap<u64, File>,
    live: FxHashSet<u64>,
}

impl FileMemo {
    pub fn one_shot() -> FileMemo {
        FileMemo {
            off: true,
            ..FileMemo::default()
        }
    }

    /// The files `stems[i]` made by `make(i)`, or made earlier from the same `key(i)`; the
    /// ones to make are made on all cores.
    fn batch(
        &mut self,
        stems: &[String],
        key: impl Fn(usize) -> u64 + Sync,
        make: impl Fn(usize) -> Vec<u8> + Sync,
    ) -> Vec<File> {
        let keys: Vec<Option<u64>> = (0..stems.len())
            .into_par_iter()
            .map(|i| (!self.off).then(|| key(i) ^ crate::digest::digest(stems[i].as_bytes())))
            .collect();
        let made: Vec<Option<File>> = (0..stems.len())
            .into_par_iter()
            .map(|i| match keys[i].and_then(|k| self.files.get(&k)) {
                Some(_) => None,
                None => Some(File::named(&stems[i], make(i))),
            })
            .collect();
        let mut out = Vec::with_capacity(stems.len());
        for (k, made) in keys.into_iter().zip(made) {
            let file = made.or_else(|| k.and_then(|k| self.files.get(&k).cloned()));
            if let (Some(k), Some(f)) = (k, &file) {
                self.live.insert(k);
                self.files.entry(k).or_insert_with(|| f.clone());
            }
            out.extend(file);
        }
        out
    }

    /// Forgets the files the last build did not use.
    fn prune(&mut self) {
        let live = std::mem::take(&mut self.live);
        self.files.retain(|k, _| live.contains(k));
    }
}

/// Wraps JSON text as `GS.load('…');` (JSON inside a single-quoted JS string, parsed with
/// `JSON.parse`): backslashes and quotes escaped, `<` so no `</script>` can form, and the line
/// separators old engines reject in strings.
pub fn script(json: &str) -> Vec<u8> {
    let mut s = String::with_capacity(json.len() + 16);
    s.push_str("GS.load('");
    // Runs without a character to escape are copied whole (a byte scan: 0xE2 starts both line
    // separators).
    let b = json.as_bytes();
    let mut from = 0;
    for (i, &byte) in b.iter().enumerate() {
        let escaped = match byte {
            b'\\' => "\\\\",
            b'\'' => "\\'",
            b'<' => "\\x3c",
            0xE2 if b[i..].starts_with("\u{2028}".as_bytes()) => "\\u2028",
            0xE2 if b[i..].starts_with("\u{2029}".as_bytes()) => "\\u2029",
            _ => continue,
        };
        s.push_str(&json[from..i]);
        s.push_str(escaped);
        from = i + if byte == 0xE2 { 3 } else { 1 };
    }
    s.push_str(&json[from..]);
    s.push_str("');\n");
    // Held until the site is written: no slack from growing.
    s.shrink_to_fit();
    s.into_bytes()
}

/// JSON text of any serialisable value ("null" if serialisation fails, which it cannot for
/// these types).
fn js<T: serde::Serialize + ?Sized>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".to_owned())
}

/// A JSON object from (key, JSON text) pairs, in the given order.
fn obj(fields: &[(&str, &str)]) -> String {
    let mut s = String::from("{");
    for (i, (k, v)) in fields.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&js(*k));
        s.push(':');
        s.push_str(v);
    }
    s.push('}');
    s
}

/// A JSON array from JSON texts.
fn arr(items: &[String]) -> String {
    let mut s = String::with_capacity(items.iter().map(|i| i.len() + 1).sum::<usize>() + 2);
    s.push('[');
    s.push_str(&items.join(","));
    s.push(']');
    s
}

struct Common<'a> {
    pages: String,
    /// (url, title) per page index, for the section shards.
    page_list: Vec<(&'a str, &'a str)>,
    /// Page index of each section.
    sec_page: Vec<usize>,
    sections: &'a [Section],
    py: String,
    chars: String,
    synonyms: String,
    /// {page index: boost} for the pages whose score is scaled.
    boosts: String,
}

impl Common<'_> {
    /// Section `i`'s JSON record: [page, anchor, heading, breadcrumb, text(, code)]. Made when
    /// its file is written, so a large guide never holds every record at once.
    fn record(&self, i: usize) -> String {
        let (s, pid) = (&self.sections[i], self.sec_page[i]);
        if s.code.is_empty() {
            js(&(pid, &s.anchor, &s.heading, &s.breadcrumb, &s.text))
        } else {
            js(&(pid, &s.anchor, &s.heading, &s.breadcrumb, &s.text, &s.code))
        }
    }
}

/// What ships beside the sections: the pinyin vocabulary, the reading table, the synonyms.
pub struct Extra<'a> {
    pub vocab: &'a [VocabEntry],
    pub chars: &'a CharTable,
    pub ranking: &'a super::Ranking,
}

fn common<'a>(sections: &'a [Section], extra: &Extra) -> Common<'a> {
    let vocab = extra.vocab;
    let mut page_ids: BTreeMap<&str, usize> = BTreeMap::new();
    let mut pages: Vec<(&str, &str)> = Vec::new();
    let mut sec_page = Vec::with_capacity(sections.len());
    for s in sections {
        let pid = *page_ids.entry(s.page.as_str()).or_insert_with(|| {
            pages.push((&s.page, &s.page_title));
            pages.len() - 1
        });
        sec_page.push(pid);
    }
    // Readings are not shipped: the client recomputes them from `chars` + `ovr` exactly as
    // `pinyin::readings` does (checked by tests/search/vectors.js).
    let py = json!({
        "t": vocab.iter().map(|e| e.term.as_str()).collect::<Vec<_>>(),
        "c": vocab.iter().map(|e| e.count).collect::<Vec<_>>(),
        "ovr": override_lines(),
    });
    let boosts: BTreeMap<usize, f64> = pages
        .iter()
        .enumerate()
        .filter_map(|(i, (url, _))| Some((i, *extra.ranking.boosts.get(*url)?)))
        .collect();
    Common {
        boosts: js(&boosts),
        pages: js(&pages),
        page_list: pages,
        sec_page,
        sections,
        py: js(&py),
        chars: js(extra.chars),
        synonyms: js(&synonym_groups(&extra.ranking.synonyms)),
    }
}

/// Synonym groups as the client matches them: each word normalised as queries are.
fn synonym_groups(groups: &[Vec<String>]) -> Vec<Vec<String>> {
    groups
        .iter()
        .map(|g| g.iter().map(|w| normalize(w.trim())).collect())
        .collect()
}

/// One file: the section records carry all indexed text, and the client derives the postings
/// (same tokenizer, same BM25F constants) when it loads. For a guide-sized site that is far
/// smaller than shipping postings, which gzip to about the size of the text.
pub fn write_single(sections: &[Section], extra: &Extra) -> SearchOutput {
    let c = common(sections, extra);
    let n = sections.len();
    let bytes = script(&obj(&[
        ("v", "2"),
        ("k", "\"single\""),
        ("n", &js(&n)),
        ("pages", &c.pages),
        (
            "secs",
            &arr(&(0..n).map(|i| c.record(i)).collect::<Vec<_>>()),
        ),
        ("bm", &js(&bm25_params())),
        ("syn", &c.synonyms),
        ("pb", &c.boosts),
        ("py", &c.py),
        ("chars", &c.chars),
    ]));
    let f = File::named("index", bytes);
    SearchOutput {
        files: vec![(f.path.clone(), f.bytes)],
        entry: f.path,
    }
}

/// Term shards, section shards, the pinyin file and the manifest naming them.
pub fn write_sharded(
    sections: &[Section],
    idx: &Index,
    extra: &Extra,
    memo: &mut FileMemo,
) -> SearchOutput {
    let n = sections.len();
    let mut files = Vec::new();
    let latin: Vec<&str> = idx
        .lists
        .iter()
        .filter(|t| t.kind == Kind::Word && t.term.chars().any(char::is_alphabetic))
        .map(|t| &*t.term)
        .take(MAX_LATIN)
        .collect();
    let latin = js(&latin);
    let (nshards, split, term_hashes) = term_shards(idx, extra.vocab, &mut files, memo);
    let c = &common(sections, extra);
    let (starts, sec_hashes) = section_shards(c, &mut files, memo);
    memo.prune();
    let p = File::named(
        "p",
        script(&obj(&[
            ("k", "\"p\""),
            ("latin", &latin),
            ("py", &c.py),
            ("chars", &c.chars),
        ])),
    );
    let ph = p.hash.clone();
    files.push(p);
    let bytes = script(&obj(&[
        ("v", "2"),
        ("k", "\"manifest\""),
        ("n", &js(&n)),
        ("ts", &js(&nshards)),
        ("split", &js(&split.iter().collect::<String>())),
        ("th", &js(&term_hashes)),
        ("ss", &js(&starts)),
        ("sh", &js(&sec_hashes)),
        ("pc", &js(&page_runs(&c.sec_page))),
        ("ph", &js(&ph)),
        ("bm", &js(&bm25_params())),
        ("syn", &c.synonyms),
        ("pb", &c.boosts),
    ]));
    let manifest = File::named("manifest", bytes);
    let entry = manifest.path.clone();
    files.push(manifest);
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let files = files.into_iter().map(|f| (f.path, f.bytes)).collect();
    SearchOutput { files, entry }
}

/// Cuts the posting lists into term shards (appended to `files`); returns the shard count,
/// the split characters and each shard's hash ("" for an empty shard).
fn term_shards(
    idx: &Index,
    vocab: &[VocabEntry],
    files: &mut Vec<File>,
    memo: &mut FileMemo,
) -> (usize, BTreeSet<char>, Vec<String>) {
    let mut posts: Vec<(&str, &str)> = idx
        .lists
        .iter()
        .map(|t| (&*t.term, t.list.as_str()))
        .collect();
    let total: usize = posts.iter().map(|p| p.0.len() + p.1.len() + 6).sum();
    let nshards = (total / TERM_SHARD_BYTES)
        .clamp(16, 4096)
        .next_power_of_two();
    let split = split_chars(&posts);
    let extra = char_lists(idx, &split);
    posts.extend(extra.iter().map(|(t, l)| (t.as_str(), l.as_str())));
    let mut buckets: Vec<Vec<usize>> = vec![Vec::new(); nshards];
    for (i, (t, _)) in posts.iter().enumerate() {
        let key = match t.strip_prefix('\u{1}') {
            Some(c) => c.to_owned(),
            None => shard_key_split(t, &split),
        };
        buckets[fnv1a32(key.as_bytes()) as usize & (nshards - 1)].push(i);
    }
    // Vocabulary strings ride with the shard of their first two characters, so a CJK query
    // knows the words starting at the bigrams it loads without loading the pinyin file.
    let vocab_b = vocab_buckets(vocab.iter().map(|e| e.term.as_str()), &split, nshards);
    let full: Vec<usize> = (0..nshards).filter(|&b| !buckets[b].is_empty()).collect();
    let terms: Vec<Vec<&str>> = full
        .iter()
        .map(|&b| buckets[b].iter().map(|&i| posts[i].0).collect())
        .collect();
    let lists: Vec<Vec<&str>> = full
        .iter()
        .map(|&b| buckets[b].iter().map(|&i| posts[i].1).collect())
        .collect();
    let stems: Vec<String> = full.iter().map(|b| format!("t-{b:03x}")).collect();
    let key = |j: usize| crate::digest::digest_groups(&[&terms[j], &lists[j], &vocab_b[full[j]]]);
    let made = memo.batch(&stems, key, |j| {
        let (b, vocab) = (full[j], &vocab_b[full[j]]);
        let mut fields = vec![
            ("k", "\"t\"".to_owned()),
            ("i", js(&b)),
            ("terms", js(&terms[j])),
            ("p", js(&lists[j])),
        ];
        if !vocab.is_empty() {
            fields.push(("v", js(vocab)));
        }
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        script(&obj(&fields))
    });
    let mut hashes = vec![String::new(); nshards];
    for (&b, file) in full.iter().zip(made) {
        hashes[b] = file.hash.clone();
        files.push(file);
    }
    (nshards, split, hashes)
}

/// CJK characters whose terms would fill more than a few shards on their own: their terms are
/// placed by the whole term (listed in the manifest as `split`).
fn split_chars(posts: &[(&str, &str)]) -> BTreeSet<char> {
    let mut per_char: BTreeMap<char, usize> = BTreeMap::new();
    for (t, p) in posts {
        if let Some(c) = t.chars().next().filter(|&c| is_cjk(c)) {
            *per_char.entry(c).or_insert(0) += t.len() + p.len() + 6;
        }
    }
    per_char
        .into_iter()
        .filter(|&(_, size)| size > 4 * TERM_SHARD_BYTES)
        .map(|(c, _)| c)
        .collect()
}

/// A split character's one-character query cannot scan its terms (they are spread over many
/// shards), so it gets one precomputed list: every section containing the character, with the
/// best impact of its terms there and no positions, stored as term "\u{1}<char>" in the
/// character's own shard.
fn char_lists(idx: &Index, split: &BTreeSet<char>) -> Vec<(String, String)> {
    // One pass over the terms: a one- or two-character term counts for its first character,
    // and for its second when the first is CJK too.
    // Best impact per section, indexed by section (0 = absent: impacts are at least 1).
    let mut best: BTreeMap<char, Vec<u32>> = BTreeMap::new();
    let sections = idx.field_len.len();
    for TermList { term, list, .. } in &idx.lists {
        let mut it = term.chars();
        let (Some(a), b, None) = (it.next(), it.next(), it.next()) else {
            continue;
        };
        let second = b.filter(|&b| b != a && is_cjk(a));
        let wanted: Vec<char> = [Some(a), second]
            .into_iter()
            .flatten()
            .filter(|c| split.contains(c))
            .collect();
        if wanted.is_empty() {
            continue;
        }
        let postings = section_impacts(list).unwrap_or_default();
        for c in wanted {
            let best = best.entry(c).or_insert_with(|| vec![0; sections]);
            for &(section, impact) in &postings {
                if let Some(e) = best.get_mut(section as usize) {
                    *e = (*e).max(impact);
                }
            }
        }
    }
    best.into_iter()
        .map(|(c, impacts)| {
            let list: Vec<Posting> = (0u32..)
                .zip(impacts)
                .filter(|&(_, impact)| impact > 0)
                .map(|(section, impact)| Posting {
                    section,
                    impact,
                    head: false,
                    positions: Vec::new(),
                })
                .collect();
            (format!("\u{1}{c}"), encode_postings(&list))
        })
        .collect()
}

/// Section shards of consecutive sections, ~SECTION_SHARD_BYTES of text each (appended to
/// `files`); returns each shard's first section and hash.
fn section_shards(
    c: &Common,
    files: &mut Vec<File>,
    memo: &mut FileMemo,
) -> (Vec<usize>, Vec<String>) {
    let mut ranges = Vec::new();
    let mut i = 0;
    while i < c.sections.len() {
        let start = i;
        let mut size = 0;
        while i < c.sections.len() && (i == start || size < SECTION_SHARD_BYTES) {
            let s = &c.sections[i];
            size += s.text.len() + s.code.len() + s.heading.len() + s.anchor.len() + 16;
            i += 1;
        }
        ranges.push((start, i));
    }
    let stems: Vec<String> = (0..ranges.len()).map(|n| format!("s-{n:03x}")).collect();
    let made = memo.batch(
        &stems,
        |n| section_key(c, ranges[n].0, ranges[n].1),
        |n| section_shard(c, n, ranges[n].0, ranges[n].1),
    );
    let starts = ranges.iter().map(|r| r.0).collect();
    let hashes = made.iter().map(|f| f.hash.clone()).collect();
    files.extend(made);
    (starts, hashes)
}

/// What section shard `start..end` is made from.
fn section_key(c: &Common, start: usize, end: usize) -> u64 {
    let pids: Vec<String> = c.sec_page[start..end]
        .iter()
        .map(usize::to_string)
        .collect();
    let groups: Vec<Vec<&str>> = (start..end)
        .map(|i| {
            let s = &c.sections[i];
            let (url, title) = c.page_list.get(c.sec_page[i]).copied().unwrap_or_default();
            let mut g = vec![
                pids[i - start].as_str(),
                url,
                title,
                &s.anchor,
                &s.heading,
                &s.text,
                &s.code,
            ];
            g.extend(s.breadcrumb.iter().map(String::as_str));
            g
        })
        .collect();
    let first = start.to_string();
    let head = [first.as_str()];
    let mut all: Vec<&[&str]> = vec![&head];
    all.extend(groups.iter().map(Vec::as_slice));
    crate::digest::digest_groups(&all)
}

/// Section shard `n`: the records of sections `start..end` and the pages they belong to.
fn section_shard(c: &Common, n: usize, start: usize, end: usize) -> Vec<u8> {
    let secs: Vec<String> = (start..end).map(|i| c.record(i)).collect();
    // The pages these sections belong to: {page index: [url, title]}.
    let mut pg: BTreeMap<usize, (&str, &str)> = BTreeMap::new();
    for &p in &c.sec_page[start..end] {
        if let Some(e) = c.page_list.get(p) {
            pg.insert(p, *e);
        }
    }
    script(&obj(&[
        ("k", "\"s\""),
        ("i", &js(&n)),
        ("start", &js(&start)),
        ("pages", &js(&pg)),
        ("secs", &arr(&secs)),
    ]))
}

/// The page of every section, for the sharded manifest (`pc`), so the client groups hits by
/// page without loading their section shards. Per run of consecutive sections on one page:
/// `push_b32(2 * length)` when the run's page is the previous run's page + 1 (always, when
/// sections come grouped by page in page order), else `push_b32(2 * length + 1)` and the page.
pub(super) fn page_runs(sec_page: &[usize]) -> String {
    let mut out = String::new();
    let mut prev: Option<usize> = None;
    let mut i = 0;
    while i < sec_page.len() {
        let p = sec_page[i];
        let len = sec_page[i..].iter().take_while(|&&q| q == p).count();
        let next = prev.map_or(0, |q| q + 1);
        let head = u32::try_from(2 * len).unwrap_or(u32::MAX - 1);
        if p == next {
            push_b32(&mut out, head);
        } else {
            push_b32(&mut out, head | 1);
            push_b32(&mut out, u32::try_from(p).unwrap_or(u32::MAX));
        }
        prev = Some(p);
        i += len;
    }
    out
}

/// Per term shard, the vocabulary strings placed there (by the shard of their first two
/// characters), in string order.
fn vocab_buckets<'a>(
    words: impl Iterator<Item = &'a str>,
    split: &BTreeSet<char>,
    nshards: usize,
) -> Vec<Vec<&'a str>> {
    let mut out: Vec<Vec<&str>> = vec![Vec::new(); nshards];
    for w in words {
        let head: String = w.chars().take(2).collect();
        let b = fnv1a32(shard_key_split(&head, split).as_bytes()) as usize & (nshards - 1);
        out[b].push(w);
    }
    for v in &mut out {
        v.sort_unstable();
    }
    out
}

/// BM25F constants, shipped so the client computes the same impacts in the one-file layout.
fn bm25_params() -> Value {
    json!({
        "w": FIELD_WEIGHT,
        "b": FIELD_B,
        "piv": PIVOT,
        "k1": K1,
        "scale": SCALE,
        "max": MAX_IMPACT,
    })
}

/// The one-file layout is mostly text, which gzips to roughly 40 % (Chinese prose).
pub(super) fn estimate_gzip(sections: &[Section]) -> usize {
    let t: usize = sections
        .iter()
        .map(|s| s.text.len() + s.code.len() + s.heading.len() + s.anchor.len() + s.page.len() + 16)
        .sum();
    t * 2 / 5
}
