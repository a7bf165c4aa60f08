//! The build path `site` uses: the same bytes as the straightforward pipeline
//! (`index::build` + `pinyin::vocabulary` + `output::write`, kept as the reference that
//! `tests.rs` compares against), computed so that a rebuild after a small edit is cheap.
//!
//! Owns: per-section work memoised by a hash of the section's content (normalised fields,
//! term ids with positions, the section's JSON record, its vocabulary text), the corpus-wide
//! n-gram counts kept current by adding and subtracting the sections that changed, integer term
//! ids, the reuse of encoded posting lists and output files whose inputs did not change, and the
//! split of the heavy loops over two or more threads.
//!
//! Must never: let thread scheduling, map iteration order or what the cache held before reach
//! the output (every result is merged in a fixed order; `tests.rs` checks cached, uncached and
//! reference builds agree byte for byte), or keep entries the latest build did not use.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::hash::{Hash, Hasher};

use serde_json::json;

use super::fxhash::{FxBuild, FxHasher};
use super::index::{breadcrumb_text, FIELDS, FIELD_B, FIELD_WEIGHT, K1, SCALE};
use super::output::{
    bm25_params, escape_into, estimate_gzip, fnv1a32, hash_name, js, shard_key_split, MAX_LATIN,
    SCRIPT_HEAD, SCRIPT_TAIL, SECTION_SHARD_BYTES, SHARD_THRESHOLD, TERM_SHARD_BYTES,
};
use super::pinyin::{self, CharTable, MAX_VOCAB};
use super::tokenize::{is_cjk, normalize_into, visit_normalized, Kind};
use super::{Layout, SearchOutput, Section};

type FxMap<K, V> = HashMap<K, V, FxBuild>;
type FxSet<K> = HashSet<K, FxBuild>;
/// Up to four characters, zero-padded (as in `pinyin::vocabulary`).
type Gram = [u32; 4];

/// Memoised search work between builds (`site::Cache` keeps one for `guidesmith serve`).
#[derive(Default)]
pub struct Cache {
    /// Per-section work by `section_key`.
    entries: FxMap<u64, Entry>,
    /// Term strings ↔ ids (ids are stable while the cache lives).
    terms: Interner,
    /// How many sections of the last build had each key: what `grams` counts.
    live: FxMap<u64, u32>,
    /// Corpus-wide counts of CJK strings of 1–4 characters (never holds a zero).
    grams: FxMap<Gram, u32>,
    /// Pinyin readings of vocabulary strings and of single characters.
    readings: FxMap<String, Vec<Vec<String>>>,
    char_readings: FxMap<char, Vec<String>>,
    /// The last vocabulary (term, count) list and its JSON.
    py: (Vec<(String, u32)>, String),
    /// The last set of CJK characters and the JSON of their reading table.
    chars: (Vec<char>, String),
    /// Encoded posting list per term id: (fingerprint of its inputs, text).
    posts: FxMap<u32, (u64, String)>,
    /// Output files by fingerprint of their inputs: (path, bytes).
    files: FxMap<u64, (String, Vec<u8>)>,
    /// The last output, by fingerprint of its input (section keys and layout): the entry path
    /// and each file as a key of `files` or, when not kept there, its bytes.
    last: Option<(u64, String, Vec<FileRef>)>,
}

/// An output path and its bytes, as a key of `Cache::files` or owned.
type FileRef = (String, Result<u64, Vec<u8>>);

#[derive(Default)]
struct Interner {
    ids: FxMap<Box<str>, u32>,
    /// CJK terms (one or two characters) by their code points, the hot path while tokenising.
    cjk: FxMap<u64, u32>,
    list: Vec<(Box<str>, Kind)>,
}

impl Interner {
    /// `intern`, keyed by code points for the one- and two-character CJK terms.
    fn intern_token(&mut self, t: &str, kind: Kind) -> u32 {
        if kind != Kind::Cjk {
            return self.intern(t, kind);
        }
        let mut it = t.chars();
        let key = match (it.next(), it.next(), it.next()) {
            (Some(a), b, None) => (u64::from(a) << 32) | b.map_or(0, u64::from),
            _ => return self.intern(t, kind),
        };
        if let Some(&id) = self.cjk.get(&key) {
            return id;
        }
        let id = self.intern(t, kind);
        self.cjk.insert(key, id);
        id
    }

    fn intern(&mut self, t: &str, kind: Kind) -> u32 {
        if let Some(&id) = self.ids.get(t) {
            return id;
        }
        let id = u32::try_from(self.list.len()).unwrap_or(u32::MAX);
        self.ids.insert(t.into(), id);
        self.list.push((t.into(), kind));
        id
    }
}

/// One section's share of the work.
struct Entry {
    /// First position of each field (fields are separated by one unused position).
    fstart: [u32; FIELDS],
    /// Token count per field.
    lens: [u32; FIELDS],
    /// (term id, end of its positions in `pos`); each term once.
    terms: Vec<(u32, u32)>,
    pos: Vec<u32>,
    /// Normalised body, heading (and page title on a page's first section), '\n'-separated:
    /// the text `pinyin::vocabulary` counts strings in.
    vtext: String,
    /// CJK runs of 2–8 characters of the heading (and page title on a page's first section).
    names: Vec<String>,
    /// The section's JSON record after `[<page index>,`: raw length, then script-escaped.
    rec_len: usize,
    rec_esc: String,
}

fn section_key(s: &Section, repeated: bool, first: bool) -> u64 {
    let mut h = FxHasher::default();
    (
        &s.page,
        &s.anchor,
        &s.page_title,
        &s.heading,
        &s.breadcrumb,
        &s.text,
        &s.code,
    )
        .hash(&mut h);
    (repeated, first).hash(&mut h);
    h.finish()
}

fn fx<T: Hash + ?Sized>(v: &T) -> u64 {
    let mut h = FxHasher::default();
    v.hash(&mut h);
    h.finish()
}

/// Worker threads for the heavy loops.
fn threads() -> usize {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 4)
}

/// Runs `f` over contiguous chunks of `items` of about equal `weight`, on several threads when
/// the total weight is at least `min`. Results come back in chunk order.
fn par_chunks<T: Sync, R: Send>(
    items: &[T],
    min: usize,
    weight: impl Fn(&T) -> usize,
    f: impl Fn(&[T]) -> R + Sync,
) -> Vec<R> {
    let t = threads();
    let total: usize = items.iter().map(&weight).sum();
    if t < 2 || total < min || items.len() < 2 {
        return vec![f(items)];
    }
    let mut cuts = vec![0];
    let mut acc = 0;
    for (i, it) in items.iter().enumerate() {
        acc += weight(it);
        if acc * t >= total * cuts.len() && cuts.len() < t && i + 1 < items.len() {
            cuts.push(i + 1);
        }
    }
    cuts.push(items.len());
    let f = &f;
    std::thread::scope(|sc| {
        let handles: Vec<_> = cuts
            .windows(2)
            .skip(1)
            .map(|w| {
                let chunk = &items[w[0]..w[1]];
                sc.spawn(move || f(chunk))
            })
            .collect();
        let mut out = vec![f(&items[cuts[0]..cuts[1]])];
        for h in handles {
            match h.join() {
                Ok(r) => out.push(r),
                Err(p) => std::panic::resume_unwind(p),
            }
        }
        out
    })
}

/// One missing section to analyse.
struct Job<'a> {
    key: u64,
    s: &'a Section,
    repeated: bool,
    first: bool,
}

/// Tokenises one section (term ids from the thread's own `Interner`).
fn analyse(j: &Job, local: &mut Interner, norm: &mut String) -> Entry {
    let s = j.s;
    let bc = breadcrumb_text(s);
    let heading = if j.repeated { "" } else { s.heading.as_str() };
    let fields: [&str; FIELDS] = [&s.page_title, heading, &bc, &s.text, &s.code];
    let mut fstart = [0u32; FIELDS];
    let mut lens = [0u32; FIELDS];
    let mut toks: Vec<(u32, u32)> = Vec::new();
    let mut next = 0u32;
    let mut vtext = String::new();
    let mut seen: FxMap<u32, u32> = FxMap::default();
    let mut ids: Vec<u32> = Vec::new();
    for (f, text) in fields.iter().enumerate() {
        norm.clear();
        normalize_into(text, norm);
        fstart[f] = next;
        let (count, end) = visit_normalized(norm, next, |t, pos, kind| {
            let gid = local.intern_token(t, kind);
            let li = *seen.entry(gid).or_insert_with(|| {
                ids.push(gid);
                u32::try_from(ids.len() - 1).unwrap_or(u32::MAX)
            });
            toks.push((li, pos));
        });
        lens[f] = count;
        next = end.saturating_add(1);
        match f {
            0 if j.first => {
                vtext.push_str(norm);
                vtext.push('\n');
            }
            3 => {
                vtext.push_str(norm);
                vtext.push('\n');
            }
            _ => {}
        }
    }
    // The heading as written (the index may have dropped a repeated one).
    let mut hn = String::new();
    normalize_into(&s.heading, &mut hn);
    vtext.push_str(&hn);
    let mut names = Vec::new();
    let mut add_names = |n: &str| {
        for run in n.split(|c: char| !is_cjk(c)) {
            if (2..=8).contains(&run.chars().count()) {
                names.push(run.to_owned());
            }
        }
    };
    add_names(&hn);
    if j.first {
        let mut pn = String::new();
        normalize_into(&s.page_title, &mut pn);
        add_names(&pn);
    }
    // Positions grouped by term, each group ascending (tokens come in position order).
    toks.sort_unstable();
    let mut terms = Vec::with_capacity(ids.len());
    let mut pos = Vec::with_capacity(toks.len());
    for (k, &(li, p)) in toks.iter().enumerate() {
        pos.push(p);
        if toks.get(k + 1).is_none_or(|n| n.0 != li) {
            let end = u32::try_from(pos.len()).unwrap_or(u32::MAX);
            terms.push((ids[li as usize], end));
        }
    }
    let rec = if s.code.is_empty() {
        js(&(&s.anchor, &s.heading, &s.breadcrumb, &s.text))
    } else {
        js(&(&s.anchor, &s.heading, &s.breadcrumb, &s.text, &s.code))
    };
    let tail = rec.get(1..).unwrap_or("");
    let mut rec_esc = String::with_capacity(tail.len() + 8);
    escape_into(&mut rec_esc, tail);
    Entry {
        fstart,
        lens,
        terms,
        pos,
        vtext,
        names,
        rec_len: tail.len(),
        rec_esc,
    }
}

/// Adds `d` × the longest CJK string (up to four characters) ending at each character of
/// `text` to `out`. Every occurrence of a 1–4-character string is the suffix of exactly one of
/// these, so `add_suffixes` turns their counts into the counts `pinyin::vocabulary` takes,
/// with one map update per character instead of four.
fn count_grams(text: &str, d: i64, out: &mut FxMap<Gram, i64>) {
    let mut g = [0u32; 4];
    let mut run = 0usize;
    for c in text.chars() {
        if !is_cjk(c) {
            run = 0;
            g = [0; 4];
            continue;
        }
        if run < 4 {
            g[run] = c as u32;
            run += 1;
        } else {
            g = [g[1], g[2], g[3], c as u32];
        }
        *out.entry(g).or_insert(0) += d;
    }
}

/// Applies `d` × every suffix of the longest-string `m` to the corpus counts.
fn add_suffixes(grams: &mut FxMap<Gram, u32>, m: &Gram, d: i64) {
    let len = m.iter().take_while(|&&x| x != 0).count();
    for n in 1..=len {
        let mut g = [0u32; 4];
        g[..n].copy_from_slice(&m[len - n..len]);
        let new = i64::from(grams.get(&g).copied().unwrap_or(0)) + d;
        if new <= 0 {
            grams.remove(&g);
        } else {
            grams.insert(g, u32::try_from(new).unwrap_or(u32::MAX));
        }
    }
}

/// A script file assembled from JSON pieces (escaped as `output::script` escapes).
struct Script(String);

impl Script {
    fn new(cap: usize) -> Self {
        let mut s = String::with_capacity(cap + 16);
        s.push_str(SCRIPT_HEAD);
        Script(s)
    }
    fn json(&mut self, j: &str) -> &mut Self {
        escape_into(&mut self.0, j);
        self
    }
    fn escaped(&mut self, j: &str) -> &mut Self {
        self.0.push_str(j);
        self
    }
    fn finish(mut self) -> Vec<u8> {
        self.0.push_str(SCRIPT_TAIL);
        self.0.into_bytes()
    }
}

/// Character varints (see `index::encode_postings_text`).
fn push_b32(out: &mut String, mut v: u32) {
    const B32: &[u8; 64] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";
    loop {
        let mut d = v & 31;
        v >>= 5;
        if v > 0 {
            d |= 32;
        }
        out.push(char::from(B32[d as usize]));
        if v == 0 {
            break;
        }
    }
}

/// `search::build_with`, reusing and refreshing `cache`.
pub fn build(sections: &[Section], layout: Layout, cache: &mut Cache) -> SearchOutput {
    let n = sections.len();
    // 1. Which sections are new.
    let mut keys = Vec::with_capacity(n);
    let mut jobs = Vec::new();
    {
        let mut pages: FxSet<&str> = FxSet::default();
        let mut queued: FxSet<u64> = FxSet::default();
        for (i, s) in sections.iter().enumerate() {
            let repeated = i > 0
                && sections
                    .get(i - 1)
                    .is_some_and(|p| p.page == s.page && p.heading == s.heading);
            let first = pages.insert(s.page.as_str());
            let key = section_key(s, repeated, first);
            keys.push(key);
            if !cache.entries.contains_key(&key) && queued.insert(key) {
                jobs.push(Job {
                    key,
                    s,
                    repeated,
                    first,
                });
            }
        }
    }
    let input = fx(&(&keys, layout as u8));
    if let Some((fp, entry, refs)) = &cache.last {
        if *fp == input && jobs.is_empty() {
            let files = refs
                .iter()
                .map(|(path, r)| {
                    let bytes = match r {
                        Ok(k) => cache.files.get(k).map(|f| f.1.clone()).unwrap_or_default(),
                        Err(b) => b.clone(),
                    };
                    (path.clone(), bytes)
                })
                .collect();
            return SearchOutput {
                files,
                entry: entry.clone(),
            };
        }
    }
    cache.last = None;
    // 2. Analyse them (in parallel; term ids are merged into the cache's in chunk order).
    let done = par_chunks(
        &jobs,
        64 * 1024,
        |j| j.s.text.len() + j.s.code.len() + 64,
        |chunk| {
            let mut local = Interner::default();
            let mut norm = String::new();
            let entries: Vec<(u64, Entry)> = chunk
                .iter()
                .map(|j| (j.key, analyse(j, &mut local, &mut norm)))
                .collect();
            (entries, local.list)
        },
    );
    for (entries, list) in done {
        let map: Vec<u32> = list
            .iter()
            .map(|(t, k)| cache.terms.intern(t, *k))
            .collect();
        for (key, mut e) in entries {
            for t in &mut e.terms {
                t.0 = map[t.0 as usize];
            }
            cache.entries.insert(key, e);
        }
    }
    // 3. Corpus n-gram counts: apply the change in how often each key occurs.
    let mut live: FxMap<u64, u32> = FxMap::default();
    for &k in &keys {
        *live.entry(k).or_insert(0) += 1;
    }
    let mut delta: Vec<(u64, i64)> = Vec::new();
    for (&k, &m) in &live {
        let old = cache.live.get(&k).copied().unwrap_or(0);
        if m != old {
            delta.push((k, i64::from(m) - i64::from(old)));
        }
    }
    for (&k, &old) in &cache.live {
        if !live.contains_key(&k) {
            delta.push((k, -i64::from(old)));
        }
    }
    delta.sort_unstable();
    {
        let entries = &cache.entries;
        let parts = par_chunks(
            &delta,
            256 * 1024,
            |(k, _)| entries.get(k).map_or(0, |e| e.vtext.len()),
            |chunk| {
                let mut m: FxMap<Gram, i64> = FxMap::default();
                for (k, d) in chunk {
                    if let Some(e) = entries.get(k) {
                        count_grams(&e.vtext, *d, &mut m);
                    }
                }
                m
            },
        );
        for part in parts {
            // Negative parts only remove what the counts hold, so no total dips below zero.
            for (m, d) in part {
                if d != 0 {
                    add_suffixes(&mut cache.grams, &m, d);
                }
            }
        }
    }
    cache.live = live;
    cache.entries.retain(|k, _| cache.live.contains_key(k));

    let entries = std::mem::take(&mut cache.entries);
    let out = assemble(sections, layout, &keys, &entries, cache);
    cache.entries = entries;
    match out {
        Some(out) => {
            // File names carry a hash of their bytes: a name in `files` is that file.
            let by_name: FxMap<&str, u64> = cache
                .files
                .iter()
                .map(|(k, f)| (f.0.as_str(), *k))
                .collect();
            let refs = out
                .files
                .iter()
                .map(|(path, bytes)| {
                    let r = by_name
                        .get(path.as_str())
                        .copied()
                        .ok_or_else(|| bytes.clone());
                    (path.clone(), r)
                })
                .collect();
            cache.last = Some((input, out.entry.clone(), refs));
            out
        }
        None => {
            // Cannot happen (every key was analysed above); start over rather than misbuild.
            *cache = Cache::default();
            build(sections, layout, cache)
        }
    }
}

/// Steps 4–5 of `build`: vocabulary and files from the sections' entries.
fn assemble(
    sections: &[Section],
    layout: Layout,
    keys: &[u64],
    entries: &FxMap<u64, Entry>,
    cache: &mut Cache,
) -> Option<SearchOutput> {
    let n = sections.len();
    let secs: Vec<&Entry> = keys.iter().filter_map(|k| entries.get(k)).collect();
    if secs.len() != n {
        return None;
    }

    // 4. Vocabulary and pinyin tables.
    let (py, chars) = vocabulary(&secs, cache);

    // 5. Output.
    let mut page_ids: FxMap<&str, usize> = FxMap::default();
    let mut pages: Vec<(&str, &str)> = Vec::new();
    let mut sec_page = Vec::with_capacity(n);
    for s in sections {
        let pid = *page_ids.entry(s.page.as_str()).or_insert_with(|| {
            pages.push((&s.page, &s.page_title));
            pages.len() - 1
        });
        sec_page.push(pid);
    }
    let nj = js(&n);
    let bm = js(&bm25_params());
    let sharded = match layout {
        Layout::Single => false,
        Layout::Sharded => true,
        Layout::Auto => estimate_gzip(sections) > SHARD_THRESHOLD,
    };
    if !sharded {
        cache.posts.clear();
        cache.files.clear();
        let cap: usize = secs.iter().map(|e| e.rec_esc.len() + 8).sum();
        let mut sc = Script::new(cap + py.len() + chars.len() + 256);
        sc.json("{\"v\":1,\"k\":\"single\",\"n\":")
            .json(&nj)
            .json(",\"pages\":")
            .json(&js(&pages))
            .json(",\"secs\":[");
        for (i, e) in secs.iter().enumerate() {
            if i > 0 {
                sc.escaped(",");
            }
            sc.escaped("[")
                .escaped(&sec_page[i].to_string())
                .escaped(",")
                .escaped(&e.rec_esc);
        }
        sc.json("],\"bm\":")
            .json(&bm)
            .json(",\"py\":")
            .json(&py)
            .json(",\"chars\":")
            .json(&chars)
            .json("}");
        let bytes = sc.finish();
        let path = format!("search/index-{}.js", hash_name(&bytes));
        return Some(SearchOutput {
            files: vec![(path.clone(), bytes)],
            entry: path,
        });
    }
    Some(sharded_files(
        keys, &secs, &pages, &sec_page, &nj, &bm, &py, &chars, cache,
    ))
}

/// The vocabulary JSON (`py`) and the character reading table JSON (`chars`), from the cache's
/// n-gram counts and the sections' names, exactly as `pinyin::vocabulary` + `output` make them.
fn vocabulary(secs: &[&Entry], cache: &mut Cache) -> (String, String) {
    let counts = &cache.grams;
    let mut headings: FxMap<&str, u32> = FxMap::default();
    for e in secs {
        for nm in &e.names {
            *headings.entry(nm.as_str()).or_insert(0) += 1;
        }
    }
    let mut not_closed: FxSet<Gram> = FxSet::default();
    for (k, &c) in counts {
        let len = k.iter().take_while(|&&x| x != 0).count();
        if len >= 3 {
            let mut pre = *k;
            pre[len - 1] = 0;
            let mut suf = [0u32; 4];
            suf[..len - 1].copy_from_slice(&k[1..len]);
            for sub in [pre, suf] {
                if counts.get(&sub) == Some(&c) {
                    not_closed.insert(sub);
                }
            }
        }
    }
    let stop: Vec<u32> = pinyin::EDGE_STOP.chars().map(|c| c as u32).collect();
    let mut all_chars: Vec<char> = Vec::new();
    let mut recurring: Vec<(u32, Gram)> = Vec::new();
    for (k, &c) in counts {
        let len = k.iter().take_while(|&&x| x != 0).count();
        if len == 1 {
            all_chars.extend(char::from_u32(k[0]));
            continue;
        }
        if len == 0 || c < pinyin::MIN_COUNT || not_closed.contains(k) {
            continue;
        }
        if stop.contains(&k[0]) || stop.contains(&k[len - 1]) {
            continue;
        }
        recurring.push((c, *k));
    }
    all_chars.sort_unstable();
    // Zero-padded code points order like the strings they spell.
    recurring.sort_unstable_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    recurring.truncate(MAX_VOCAB);
    let recurring: Vec<(u32, String)> = recurring
        .into_iter()
        .map(|(c, k)| {
            let t: String = k
                .iter()
                .take_while(|&&x| x != 0)
                .filter_map(|&x| char::from_u32(x))
                .collect();
            (c, t)
        })
        .collect();

    let mut heads: Vec<(u32, String)> = headings
        .into_iter()
        .map(|(t, c)| (c, t.to_owned()))
        .collect();
    heads.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    heads.truncate(pinyin::MAX_HEADINGS);
    let mut merged: BTreeMap<String, u32> = BTreeMap::new();
    for (c, t) in recurring.into_iter().chain(heads) {
        let e = merged.entry(t).or_insert(0);
        *e = (*e).max(c);
    }
    // Readings, memoised per string (entries no longer used are dropped once they pile up).
    let rd = &mut cache.readings;
    let ovr = if merged.keys().all(|t| rd.contains_key(t)) {
        Vec::new()
    } else {
        pinyin::overrides()
    };
    let mut terms: Vec<&str> = Vec::new();
    let mut tcounts: Vec<u32> = Vec::new();
    for (t, c) in &merged {
        let r = match rd.get(t) {
            Some(r) => r,
            None => rd
                .entry(t.clone())
                .or_insert_with(|| pinyin::readings(t, &ovr)),
        };
        if !r.is_empty() {
            terms.push(t);
            tcounts.push(*c);
        }
    }
    if rd.len() > 2 * merged.len() + 1024 {
        rd.retain(|t, _| merged.contains_key(t));
    }
    let sig: Vec<(&str, u32)> = terms.iter().copied().zip(tcounts.iter().copied()).collect();
    if cache.py.1.is_empty()
        || cache.py.0.len() != sig.len()
        || cache
            .py
            .0
            .iter()
            .zip(&sig)
            .any(|(a, b)| a.0 != b.0 || a.1 != b.1)
    {
        let py = js(&json!({
            "t": terms,
            "c": tcounts,
            "ovr": pinyin::override_lines(),
        }));
        cache.py = (sig.iter().map(|&(t, c)| (t.to_owned(), c)).collect(), py);
    }
    if cache.chars.1.is_empty() || cache.chars.0 != all_chars {
        let mut by_reading: CharTable = BTreeMap::new();
        let cr = &mut cache.char_readings;
        cr.retain(|c, _| all_chars.binary_search(c).is_ok());
        for &c in &all_chars {
            let rs = cr.entry(c).or_insert_with(|| pinyin::char_readings(c));
            for (rank, r) in rs.iter().enumerate() {
                if let Some(slot) = by_reading.entry(r.clone()).or_default().get_mut(rank) {
                    slot.push(c);
                }
            }
        }
        cache.chars = (all_chars, js(&by_reading));
    }
    (cache.py.1.clone(), cache.chars.1.clone())
}

/// `x.round().clamp(1.0, 1_000_000.0) as u32` (as `index::build` stores impacts), without the
/// libm call for the usual range: for 0 ≤ x < 2^31, `x - trunc(x)` is exact.
fn round_impact(x: f64) -> u32 {
    if (0.0..2_147_483_648.0).contains(&x) {
        let t = x as u32;
        let r = if x - f64::from(t) >= 0.5 { t + 1 } else { t };
        r.clamp(1, 1_000_000)
    } else {
        x.round().clamp(1.0, 1_000_000.0) as u32
    }
}

/// A well-mixed 64-bit value (splitmix64's finaliser).
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    x ^= x >> 30;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^= x >> 27;
    x = x.wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

#[allow(clippy::too_many_arguments)]
fn sharded_files(
    keys: &[u64],
    secs: &[&Entry],
    pages: &[(&str, &str)],
    sec_page: &[usize],
    nj: &str,
    bm: &str,
    py: &str,
    chars: &str,
    cache: &mut Cache,
) -> SearchOutput {
    let n = secs.len();
    // Field length normalisation, per section and field (same expression as `index::build`).
    let nf = n.max(1) as f64;
    let mut avg = [0f64; FIELDS];
    for e in secs {
        for (a, &l) in avg.iter_mut().zip(&e.lens) {
            *a += f64::from(l);
        }
    }
    for a in &mut avg {
        *a = (*a / nf).max(1.0);
    }
    let norms: Vec<[f64; FIELDS]> = secs
        .iter()
        .map(|e| {
            let mut v = [0f64; FIELDS];
            for f in 0..FIELDS {
                v[f] = 1.0 - FIELD_B[f] + FIELD_B[f] * f64::from(e.lens[f]) / avg[f];
            }
            v
        })
        .collect();
    // Everything below walks the sections in order (their entries are contiguous in memory);
    // per-term state lives in small arrays indexed by term id.
    let nterms = cache.terms.list.len();
    let list = &cache.terms.list;
    let mut df = vec![0u32; nterms];
    let mut sec_off = Vec::with_capacity(n + 1);
    sec_off.push(0usize);
    for e in secs {
        for &(id, _) in &e.terms {
            df[id as usize] += 1;
        }
        sec_off.push(sec_off.last().copied().unwrap_or(0) + e.terms.len());
    }
    let idf: Vec<f64> = df
        .iter()
        .map(|&d| {
            let d = f64::from(d);
            (1.0 + (nf - d + 0.5) / (d + 0.5)).ln()
        })
        .collect();
    let mut order: Vec<u32> = (0..nterms as u32).filter(|&i| df[i as usize] > 0).collect();
    order.sort_unstable_by(|a, b| list[*a as usize].0.cmp(&list[*b as usize].0));

    // Impacts (in section order, aligned with the entries' term lists) and an order-independent
    // fingerprint of each term's posting list: sections, their content keys, impacts.
    let all_secs: Vec<usize> = (0..n).collect();
    let parts = par_chunks(
        &all_secs,
        200_000,
        |&si| secs[si].terms.len() + 1,
        |chunk| {
            let mut fp = vec![0u64; nterms];
            let mut imps = Vec::new();
            for &si in chunk {
                let e = secs[si];
                let norm = &norms[si];
                let mut p0 = 0usize;
                for &(id, end) in &e.terms {
                    let mut tf = [0u32; FIELDS];
                    let mut f = 0;
                    for &p in &e.pos[p0..end as usize] {
                        while f + 1 < FIELDS && e.fstart[f + 1] <= p {
                            f += 1;
                        }
                        tf[f] += 1;
                    }
                    p0 = end as usize;
                    let mut tfw = 0.0;
                    for f in 0..FIELDS {
                        if tf[f] > 0 {
                            tfw += FIELD_WEIGHT[f] * f64::from(tf[f]) / norm[f];
                        }
                    }
                    let idf = idf[id as usize];
                    let w = idf * tfw * (K1 + 1.0) / (K1 + tfw);
                    let impact = round_impact(w * SCALE);
                    imps.push(impact);
                    let x = keys[si] ^ (((si as u64) << 32) | u64::from(impact));
                    let slot = &mut fp[id as usize];
                    *slot = slot.wrapping_add(mix(x));
                }
            }
            (fp, imps)
        },
    );
    let mut fp = vec![0u64; nterms];
    let mut impacts: Vec<u32> = Vec::with_capacity(sec_off[n]);
    for (f, imps) in parts {
        for (a, b) in fp.iter_mut().zip(f) {
            *a = a.wrapping_add(b);
        }
        impacts.extend(imps);
    }

    // Re-encode the lists whose fingerprint changed (each thread encodes its share of the
    // terms, scanning the sections in order).
    let todo: Vec<u32> = order
        .iter()
        .copied()
        .filter(|&id| cache.posts.get(&id).is_none_or(|o| o.0 != fp[id as usize]))
        .collect();
    let outs: Vec<(u32, String)> = par_chunks(
        &todo,
        50_000,
        |&id| df[id as usize] as usize,
        |mine| {
            let mut slot_of = vec![u32::MAX; nterms];
            let mut outs: Vec<(u32, String)> = Vec::with_capacity(mine.len());
            for &id in mine {
                slot_of[id as usize] = outs.len() as u32;
                let mut s = String::new();
                push_b32(&mut s, df[id as usize]);
                outs.push((id, s));
            }
            let mut prev = vec![0u32; outs.len()];
            for (si, e) in secs.iter().enumerate() {
                let mut p0 = 0usize;
                for (k, &(id, end)) in e.terms.iter().enumerate() {
                    let ps = &e.pos[p0..end as usize];
                    p0 = end as usize;
                    let o = slot_of[id as usize];
                    if o == u32::MAX {
                        continue;
                    }
                    let o = o as usize;
                    let out = &mut outs[o].1;
                    let si = si as u32;
                    push_b32(out, si.wrapping_sub(prev[o]));
                    prev[o] = si;
                    push_b32(out, impacts[sec_off[si as usize] + k]);
                    push_b32(out, u32::try_from(ps.len()).unwrap_or(u32::MAX));
                    let mut last = 0u32;
                    for &p in ps {
                        push_b32(out, p.wrapping_sub(last));
                        last = p;
                    }
                }
            }
            outs
        },
    )
    .into_iter()
    .flatten()
    .collect();
    for (id, text) in outs {
        cache.posts.insert(id, (fp[id as usize], text));
    }
    cache
        .posts
        .retain(|&id, _| df.get(id as usize).is_some_and(|&d| d > 0));
    let posts = &cache.posts;
    let text_of = |id: u32| posts.get(&id).map_or("", |p| p.1.as_str());

    // Term shards (as `output::write`).
    let total: usize = order
        .iter()
        .map(|&id| list[id as usize].0.len() + text_of(id).len() + 6)
        .sum();
    let nshards = (total / TERM_SHARD_BYTES)
        .clamp(16, 4096)
        .next_power_of_two();
    let mut per_char: BTreeMap<char, usize> = BTreeMap::new();
    for &id in &order {
        let t = &list[id as usize].0;
        if let Some(c) = t.chars().next().filter(|&c| is_cjk(c)) {
            *per_char.entry(c).or_insert(0) += t.len() + text_of(id).len() + 6;
        }
    }
    let split: Vec<char> = per_char
        .into_iter()
        .filter(|&(_, size)| size > 4 * TERM_SHARD_BYTES)
        .map(|(c, _)| c)
        .collect();
    // Per split character: every section containing it with the best impact of its one- and
    // two-character terms there, no positions.
    let mut contrib: FxMap<u32, Vec<usize>> = FxMap::default();
    for &id in &order {
        let mut it = list[id as usize].0.chars();
        let (a, b, rest) = (it.next(), it.next(), it.next());
        if rest.is_some() {
            continue;
        }
        for (k, &c) in split.iter().enumerate() {
            if a == Some(c) || (b == Some(c) && a.is_some_and(is_cjk)) {
                contrib.entry(id).or_default().push(k);
            }
        }
    }
    let mut best = vec![vec![0u32; n]; split.len()];
    if !contrib.is_empty() {
        let mut is_contrib = vec![false; nterms];
        for &id in contrib.keys() {
            is_contrib[id as usize] = true;
        }
        for (si, e) in secs.iter().enumerate() {
            for (k, &(id, _)) in e.terms.iter().enumerate() {
                if !is_contrib[id as usize] {
                    continue;
                }
                let imp = impacts[sec_off[si] + k];
                for &c in contrib.get(&id).map_or(&[][..], Vec::as_slice) {
                    let b = &mut best[c][si];
                    *b = (*b).max(imp);
                }
            }
        }
    }
    let mut char_posts: Vec<(String, String)> = Vec::new();
    for (k, &c) in split.iter().enumerate() {
        let best = &best[k];
        let mut out = String::new();
        let cnt = best.iter().filter(|&&b| b > 0).count();
        push_b32(&mut out, u32::try_from(cnt).unwrap_or(u32::MAX));
        let mut prev = 0u32;
        for (si, &imp) in best.iter().enumerate() {
            if imp > 0 {
                let si = si as u32;
                push_b32(&mut out, si.wrapping_sub(prev));
                prev = si;
                push_b32(&mut out, imp);
                push_b32(&mut out, 0);
            }
        }
        char_posts.push((format!("\u{1}{c}"), out));
    }
    let split: BTreeSet<char> = split.into_iter().collect();
    // (term, posting text, fingerprint) in output order.
    let mut all: Vec<(&str, &str, u64)> = order
        .iter()
        .map(|&id| (&*list[id as usize].0, text_of(id), fp[id as usize]))
        .collect();
    all.extend(
        char_posts
            .iter()
            .map(|(t, p)| (t.as_str(), p.as_str(), fx(p))),
    );
    let mut buckets: Vec<Vec<usize>> = vec![Vec::new(); nshards];
    for (i, (t, _, _)) in all.iter().enumerate() {
        let key = match t.strip_prefix('\u{1}') {
            Some(c) => c.to_owned(),
            None => shard_key_split(t, &split),
        };
        let b = fnv1a32(key.as_bytes()) as usize & (nshards - 1);
        buckets[b].push(i);
    }

    // Every file as (fingerprint, how to build it); built in parallel when not cached.
    enum Spec<'a> {
        Terms(usize, &'a [usize]),
        Secs(usize, usize, usize),
    }
    let mut specs: Vec<(u64, Spec)> = Vec::new();
    for (b, members) in buckets.iter().enumerate() {
        if members.is_empty() {
            continue;
        }
        let mut h = FxHasher::default();
        ("t", b).hash(&mut h);
        for &i in members {
            all[i].0.hash(&mut h);
            h.write_u64(all[i].2);
        }
        specs.push((h.finish(), Spec::Terms(b, members)));
    }
    let mut starts = Vec::new();
    let mut i = 0;
    while i < n {
        let st = i;
        let mut size = 0;
        while i < n && (i == st || size < SECTION_SHARD_BYTES) {
            size += 2 + digits(sec_page[i]) + secs[i].rec_len;
            i += 1;
        }
        let k = starts.len();
        let mut h = FxHasher::default();
        ("s", k, st, i).hash(&mut h);
        for j in st..i {
            h.write_u64(keys[j]);
            h.write_usize(sec_page[j]);
            let (u, t) = pages.get(sec_page[j]).copied().unwrap_or(("", ""));
            (u, t).hash(&mut h);
        }
        specs.push((h.finish(), Spec::Secs(k, st, i)));
        starts.push(st);
    }
    let todo: Vec<&(u64, Spec)> = specs
        .iter()
        .filter(|(fp, _)| !cache.files.contains_key(fp))
        .collect();
    let built = par_chunks(
        &todo,
        256 * 1024,
        |(_, s)| match s {
            Spec::Terms(_, m) => m.iter().map(|&i| all[i].1.len() + 16).sum(),
            Spec::Secs(_, a, b) => (*a..*b).map(|j| secs[j].rec_esc.len()).sum(),
        },
        |chunk| {
            chunk
                .iter()
                .map(|(fp, s)| {
                    let (name, bytes) = match s {
                        Spec::Terms(b, members) => {
                            let terms: Vec<&str> = members.iter().map(|&i| all[i].0).collect();
                            let cap: usize = members.iter().map(|&i| all[i].1.len() + 3).sum();
                            let mut sc = Script::new(cap + 64 * members.len());
                            sc.json("{\"k\":\"t\",\"i\":")
                                .json(&b.to_string())
                                .json(",\"terms\":")
                                .json(&js(&terms))
                                .escaped(",\"post\":[");
                            for (k, &i) in members.iter().enumerate() {
                                sc.escaped(if k == 0 { "\"" } else { ",\"" })
                                    .escaped(all[i].1)
                                    .escaped("\"");
                            }
                            sc.escaped("]}");
                            let bytes = sc.finish();
                            let h = hash_name(&bytes);
                            (format!("search/t-{b:03x}-{h}.js"), bytes)
                        }
                        Spec::Secs(k, a, b) => {
                            let mut pg: BTreeMap<usize, (&str, &str)> = BTreeMap::new();
                            for &p in &sec_page[*a..*b] {
                                if let Some(e) = pages.get(p) {
                                    pg.insert(p, *e);
                                }
                            }
                            let cap: usize = (*a..*b).map(|j| secs[j].rec_esc.len() + 8).sum();
                            let mut sc = Script::new(cap + 256);
                            sc.json("{\"k\":\"s\",\"i\":")
                                .json(&k.to_string())
                                .json(",\"start\":")
                                .json(&a.to_string())
                                .json(",\"pages\":")
                                .json(&js(&pg))
                                .json(",\"secs\":[");
                            for j in *a..*b {
                                if j > *a {
                                    sc.escaped(",");
                                }
                                sc.escaped("[")
                                    .escaped(&sec_page[j].to_string())
                                    .escaped(",")
                                    .escaped(&secs[j].rec_esc);
                            }
                            sc.escaped("]}");
                            let bytes = sc.finish();
                            let h = hash_name(&bytes);
                            (format!("search/s-{k:03x}-{h}.js"), bytes)
                        }
                    };
                    (*fp, name, bytes)
                })
                .collect::<Vec<_>>()
        },
    );
    for (fp, name, bytes) in built.into_iter().flatten() {
        cache.files.insert(fp, (name, bytes));
    }
    let used: FxSet<u64> = specs.iter().map(|(fp, _)| *fp).collect();
    cache.files.retain(|fp, _| used.contains(fp));

    let mut term_hashes: Vec<String> = vec![String::new(); nshards];
    let mut sec_hashes: Vec<String> = Vec::new();
    let mut files = Vec::with_capacity(specs.len() + 1);
    for (fp, s) in &specs {
        let Some((name, bytes)) = cache.files.get(fp) else {
            continue;
        };
        // "search/t-XXX-<hash>.js": the hash is the part between the last '-' and ".js".
        let h = name
            .rsplit('-')
            .next()
            .and_then(|x| x.strip_suffix(".js"))
            .unwrap_or("")
            .to_owned();
        match s {
            Spec::Terms(b, _) => term_hashes[*b] = h,
            Spec::Secs(..) => sec_hashes.push(h),
        }
        files.push((name.clone(), bytes.clone()));
    }
    let latin: Vec<&str> = order
        .iter()
        .map(|&id| &list[id as usize])
        .filter(|(t, k)| *k == Kind::Word && t.chars().any(char::is_alphabetic))
        .map(|(t, _)| &**t)
        .take(MAX_LATIN)
        .collect();
    let mut sc = Script::new(py.len() + chars.len() + 64 * 1024);
    sc.json("{\"v\":1,\"k\":\"manifest\",\"n\":")
        .json(nj)
        .json(",\"ts\":")
        .json(&nshards.to_string())
        .json(",\"split\":")
        .json(&js(&split.iter().collect::<String>()))
        .json(",\"th\":")
        .json(&js(&term_hashes))
        .json(",\"ss\":")
        .json(&js(&starts))
        .json(",\"sh\":")
        .json(&js(&sec_hashes))
        .json(",\"latin\":")
        .json(&js(&latin))
        .json(",\"bm\":")
        .json(bm)
        .json(",\"py\":")
        .json(py)
        .json(",\"chars\":")
        .json(chars)
        .json("}");
    let bytes = sc.finish();
    let entry = format!("search/manifest-{}.js", hash_name(&bytes));
    files.push((entry.clone(), bytes));
    files.sort_by(|a, b| a.0.cmp(&b.0));
    SearchOutput { files, entry }
}

fn digits(mut v: usize) -> usize {
    let mut d = 1;
    while v >= 10 {
        v /= 10;
        d += 1;
    }
    d
}
