//! The build path `site` uses: the same bytes as the straightforward pipeline
//! (`index::build` + `pinyin::vocabulary` + `output::write`, kept as the reference that
//! `tests.rs` compares against), computed so that a rebuild after a small edit is cheap.
//!
//! Owns: per-section work memoised by a hash of the section's content (normalised fields,
//! term ids with each term's encoded posting fragment, the section's JSON record, its
//! vocabulary text), the last build's sections per position (compared instead of re-hashed),
//! the corpus-wide n-gram counts and the ranked vocabulary kept current by adding and
//! subtracting the sections that changed, integer term ids, posting lists patched in place
//! (a changed section's fragments spliced in or out), the reuse of output files whose inputs
//! did not change, and the split of the heavy loops over two or more threads.
//!
//! Must never: let thread scheduling, map iteration order or what the cache held before reach
//! the output (every result is merged in a fixed order; `tests.rs` checks cached, uncached and
//! reference builds agree byte for byte), or keep entries the latest build did not use.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::hash::{Hash, Hasher};

use super::fxhash::{FxBuild, FxHasher};
use super::index::{
    b32_val, body_impact, breadcrumb_text, each_posting, impact, push_b32, push_fragment,
    stored_impact, Columns, BODY, FIELDS,
};
use super::output::{
    bm25_params, body_codes, escape_into, estimate_gzip, fnv1a32, hash_name, js, page_runs,
    push_json_str, shard_key_split, vocab_buckets, MAX_LATIN, SCRIPT_HEAD, SCRIPT_TAIL,
    SECTION_SHARD_BYTES, SHARD_THRESHOLD, TERM_SHARD_BYTES,
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
    /// Built for one build only: keep nothing that serves only later builds, and free work
    /// as soon as the build no longer needs it (lower peak memory).
    one_shot: bool,
    /// The last build's sections with their flags (repeated heading, first of its page) and key.
    prev: Vec<Prev>,
    /// Whether some section's heading names changed since `heads` was counted.
    heads_dirty: bool,
    /// Index of each page's first section, and each section's page index (None: recompute).
    pages: Option<(Vec<usize>, Vec<usize>)>,
    /// Per-section work by `section_key`.
    entries: FxMap<u64, Entry>,
    /// Term strings ↔ ids (ids are stable while the cache lives).
    terms: Interner,
    /// How many sections of the last build had each key: what `grams` counts.
    live: FxMap<u64, u32>,
    /// Corpus-wide counts of CJK strings of 1–4 characters (never holds a zero).
    grams: Grams,
    /// Whether each vocabulary string has pinyin readings, and readings of single characters.
    readings: FxMap<String, bool>,
    char_readings: FxMap<char, Vec<String>>,
    /// The last vocabulary JSON.
    py: String,
    /// The most frequent heading names (at most `MAX_HEADINGS`, sorted by string).
    heads: Vec<(String, u32)>,
    /// The last merge of vocabulary strings and heading names.
    vmerge: VMerge,
    /// The last set of CJK characters and the JSON of their reading table.
    chars: (Vec<char>, String),
    /// Posting list per term id (sharded layout), for the sections `inv_keys`.
    inv: Vec<Postings>,
    inv_keys: Vec<u64>,
    /// Term shard layout and files of the last sharded build.
    tfiles: TermFiles,
    /// Per term id (as `sharded_files` fills it): first character if CJK, else 0 (u32::MAX for
    /// the character lists), and the term's length in bytes.
    tinfo: Vec<(u32, u32)>,
    /// Output files by fingerprint of their inputs: (path, bytes).
    files: FxMap<u64, (String, Blob)>,
    /// The last output, by fingerprint of its input (section keys and layout): the entry path
    /// and each file as a key of `files` or, when not kept there, its bytes.
    last: Option<(u64, String, Vec<FileRef>)>,
}

/// The merged vocabulary list of the last build: the recurring strings it was made from, per
/// kept string its index in those and in the heading names (u32::MAX: absent), and the JSON
/// array body of the strings.
#[derive(Default)]
struct VMerge {
    grams: Vec<Gram>,
    src: Vec<(u32, u32)>,
    tj: String,
}

/// What the last build saw at one position of its section list.
struct Prev {
    s: Section,
    repeated: bool,
    first: bool,
    key: u64,
    /// Length of the section's JSON record (`Entry::rec_len`) and its heading names.
    rec_len: usize,
    names: Vec<String>,
}

impl Cache {
    /// A cache for a single build (`search::build`): the same output with less memory.
    pub fn one_shot() -> Self {
        Cache {
            one_shot: true,
            ..Cache::default()
        }
    }
}

/// An output path and its bytes, as a key of `Cache::files` or owned.
type FileRef = (String, Result<u64, Blob>);

/// A shared output file.
type Blob = std::sync::Arc<Vec<u8>>;

#[derive(Default)]
struct Interner {
    ids: FxMap<Box<str>, u32>,
    /// CJK terms of up to seven UTF-8 bytes by those bytes (see `intern_token`), the hot path
    /// while tokenising.
    cjk: FxMap<u64, u32>,
    list: Vec<(Box<str>, Kind)>,
    /// Per term: the dense ids (in `chars`) of its characters if it is a one- or
    /// two-character CJK term, else `NO_CHAR`. Read for every term of every section, so it is
    /// a flat array beside the strings, and the ids index small per-section tables.
    pair: Vec<[u32; 2]>,
    char_ids: FxMap<char, u32>,
    chars: Vec<char>,
}

/// No character (see `Interner::pair`).
const NO_CHAR: u32 = u32::MAX;

impl Interner {
    /// `intern`, keyed by their UTF-8 bytes and length packed in one word for the CJK terms of
    /// up to seven bytes (bigrams of characters below U+10000: nearly all tokens), so the hot
    /// path neither hashes a string nor decodes its characters.
    fn intern_token(&mut self, t: &str, kind: Kind) -> u32 {
        let b = t.as_bytes();
        if kind != Kind::Cjk || b.len() > 7 {
            return self.intern(t, kind);
        }
        let mut w = [0u8; 8];
        w[..b.len()].copy_from_slice(b);
        w[7] = b.len() as u8;
        let key = u64::from_le_bytes(w);
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
        let mut pair = [NO_CHAR; 2];
        let mut it = t.chars();
        if let (Kind::Cjk, Some(a), b, None) = (kind, it.next(), it.next(), it.next()) {
            // (Not the "\u{1}<c>" keys of the one-character lists.)
            for (k, c) in std::iter::once(a)
                .chain(b)
                .filter(|&c| is_cjk(c))
                .enumerate()
            {
                let next = to_u32(self.chars.len());
                pair[k] = *self.char_ids.entry(c).or_insert(next);
                if pair[k] == next {
                    self.chars.push(c);
                }
            }
        }
        self.pair.push(pair);
        id
    }
}

/// One section's share of the work.
struct Entry {
    /// (term id, end of its posting fragment in `frag`), sorted by term id; each term once.
    /// Besides real terms, "\u{1}<c>" for each CJK character of the section's one- and
    /// two-character terms (the precomputed one-character lists of split characters).
    terms: Vec<(u32, u32)>,
    /// Per term, the section's part of its posting list after the section delta: stored impact,
    /// position count, position deltas (character varints). Depends on this section only.
    frag: String,
    /// Normalised body, heading (and page title on a page's first section), '\n'-separated:
    /// the text `pinyin::vocabulary` counts strings in.
    vtext: String,
    /// CJK runs of 2–8 characters of the heading (and page title on a page's first section).
    names: Vec<String>,
    /// The section's JSON record after `[<page index>,`: raw length, then script-escaped.
    rec_len: usize,
    rec_esc: String,
    /// Tokens in the body: what the impacts stored as 0 depend on (`stored_impact`).
    body: u32,
}

impl Entry {
    /// The fragment of the `k`-th term.
    fn frag_of(&self, k: usize) -> &str {
        frag_at(&self.terms, &self.frag, k)
    }

    /// Replaces thread-local term ids by `map[id]` and re-sorts by the new ids.
    fn remap(&mut self, map: &[u32]) {
        let mut parts: Vec<(u32, usize)> = (0..self.terms.len())
            .map(|k| (map[self.terms[k].0 as usize], k))
            .collect();
        parts.sort_unstable();
        let mut frag = String::with_capacity(self.frag.len());
        let mut terms = Vec::with_capacity(parts.len());
        for (id, k) in parts {
            frag.push_str(self.frag_of(k));
            terms.push((id, u32::try_from(frag.len()).unwrap_or(u32::MAX)));
        }
        self.terms = terms;
        self.frag = frag;
    }
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

/// Where to cut `items` (total weight `total`) into at most `parts` consecutive runs of about
/// equal weight: the start of each run, then `items.len()`.
fn weighted_cuts<T>(
    items: &[T],
    weight: impl Fn(&T) -> usize,
    total: usize,
    parts: usize,
) -> Vec<usize> {
    let mut cuts = vec![0];
    let mut acc = 0;
    for (i, it) in items.iter().enumerate() {
        acc += weight(it);
        if acc * parts >= total * cuts.len() && cuts.len() < parts && i + 1 < items.len() {
            cuts.push(i + 1);
        }
    }
    cuts.push(items.len());
    cuts
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
    let cuts = weighted_cuts(items, &weight, total, t);
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
    /// Position of (the first occurrence of) the section in the build's list.
    at: u32,
    s: &'a Section,
    repeated: bool,
    first: bool,
}

/// Buffers `analyse` reuses from one section to the next (one per thread).
#[derive(Default)]
struct Scratch {
    norm: String,
    /// (chunk-local index of the term in `ids`, position) per token.
    toks: Vec<(u32, u32)>,
    /// Per thread-local term id: the section stamp it was last seen in and its index in `ids`.
    slot: Vec<(u32, u32)>,
    stamp: u32,
    ids: Vec<u32>,
    tfs: Vec<[u32; FIELDS]>,
    /// Per character (dense id, `Interner::pair`): the section stamp it was last seen in and
    /// its best impact there.
    cslot: Vec<(u32, u32)>,
    /// Positions grouped by term, and each group's end in them.
    positions: Vec<u32>,
    ends: Vec<u32>,
    /// The characters (dense ids) of the section's CJK terms, each once.
    best: Vec<u32>,
    key: String,
    /// The last section's results, as `Entry` describes them.
    terms: Vec<(u32, u32)>,
    frag: String,
    vtext: String,
}

/// The fragment of the `k`-th term of `terms` in `frag` (see `Entry`).
fn frag_at<'a>(terms: &[(u32, u32)], frag: &'a str, k: usize) -> &'a str {
    let start = if k == 0 { 0 } else { terms[k - 1].1 as usize };
    frag.get(start..terms[k].1 as usize).unwrap_or("")
}

/// Total job weight below which analysis stays on one thread.
const ANALYSE_MIN: usize = 64 * 1024;

impl Job<'_> {
    /// Analysis cost, roughly: the section's text bytes.
    fn weight(&self) -> usize {
        self.s.text.len() + self.s.code.len() + 64
    }
}

/// Tokenises one section (term ids from the thread's own `Interner`). Its term list, fragments
/// and vocabulary text are left in `sc`; the entry gets copies of them (and the escaped record)
/// only when `keep` (a one-shot build streams them instead).
fn analyse(j: &Job, local: &mut Interner, sc: &mut Scratch, keep: bool) -> Entry {
    let s = j.s;
    let bc = breadcrumb_text(s);
    let heading = if j.repeated { "" } else { s.heading.as_str() };
    let fields: [&str; FIELDS] = [&s.page_title, heading, &bc, &s.text, &s.code];
    let mut lens = [0u32; FIELDS];
    let mut next = 0u32;
    sc.toks.clear();
    sc.vtext.clear();
    sc.ids.clear();
    sc.tfs.clear();
    sc.stamp = sc.stamp.wrapping_add(1);
    if sc.stamp == 0 {
        sc.slot.clear();
        sc.cslot.clear();
        sc.stamp = 1;
    }
    for (f, text) in fields.iter().enumerate() {
        sc.norm.clear();
        normalize_into(text, &mut sc.norm);
        let Scratch {
            norm,
            toks,
            slot,
            stamp,
            ids,
            tfs,
            ..
        } = &mut *sc;
        let (count, end) = visit_normalized(norm, next, |t, pos, kind| {
            let gid = local.intern_token(t, kind);
            let g = gid as usize;
            if slot.len() <= g {
                slot.resize(g + 1, (0, 0));
            }
            if slot[g].0 != *stamp {
                slot[g] = (*stamp, to_u32(ids.len()));
                ids.push(gid);
                tfs.push([0; FIELDS]);
            }
            let li = slot[g].1;
            tfs[li as usize][f] += 1;
            toks.push((li, pos));
        });
        lens[f] = count;
        next = end.saturating_add(1);
        if f == 3 || (f == 0 && j.first) {
            sc.vtext.push_str(&sc.norm);
            sc.vtext.push('\n');
        }
    }
    // The heading as written (the index may have dropped a repeated one).
    sc.norm.clear();
    normalize_into(&s.heading, &mut sc.norm);
    sc.vtext.push_str(&sc.norm);
    let mut names = Vec::new();
    let mut add_names = |n: &str| {
        for run in n.split(|c: char| !is_cjk(c)) {
            if (2..=8).contains(&run.chars().count()) {
                names.push(run.to_owned());
            }
        }
    };
    add_names(&sc.norm);
    if j.first {
        sc.norm.clear();
        normalize_into(&s.page_title, &mut sc.norm);
        add_names(&sc.norm);
    }
    // Positions grouped by term in term order, each group ascending (tokens come in position
    // order): a counting sort.
    sc.ends.clear();
    let mut acc = 0u32;
    for tf in &sc.tfs {
        sc.ends.push(acc);
        acc += tf.iter().sum::<u32>();
    }
    sc.positions.clear();
    sc.positions.resize(sc.toks.len(), 0);
    for &(li, pos) in &sc.toks {
        let at = &mut sc.ends[li as usize];
        sc.positions[*at as usize] = pos;
        *at += 1;
    }
    sc.terms.clear();
    sc.frag.clear();
    sc.best.clear();
    let mut k = 0;
    // Most terms occur once, in the body: their impact is the same throughout the section.
    const BODY_ONCE: [u32; FIELDS] = [0, 0, 0, 1, 0];
    let body_once = impact(&BODY_ONCE, &lens);
    for li in 0..sc.ids.len() {
        let e = sc.ends[li] as usize;
        let gid = sc.ids[li];
        let tf = &sc.tfs[li];
        let stored = stored_impact(tf, &lens);
        push_fragment(&mut sc.frag, stored, &sc.positions[k..e]);
        sc.terms.push((gid, to_u32(sc.frag.len())));
        k = e;
        if !keep {
            // A one-shot build makes the character lists it ships afterwards
            // (`add_char_lists`).
            continue;
        }
        let imp = if stored > 0 {
            stored
        } else if *tf == BODY_ONCE {
            body_once
        } else {
            impact(tf, &lens)
        };
        for &c in local.pair.get(gid as usize).into_iter().flatten() {
            if c == NO_CHAR {
                break;
            }
            let c = c as usize;
            if sc.cslot.len() <= c {
                sc.cslot.resize(c + 1, (0, 0));
            }
            let slot = &mut sc.cslot[c];
            if slot.0 == sc.stamp {
                slot.1 = slot.1.max(imp);
            } else {
                *slot = (sc.stamp, imp);
                sc.best.push(c as u32);
            }
        }
    }
    // Per character, its best impact, in character order.
    let chars = &local.chars;
    sc.best
        .sort_unstable_by_key(|&c| chars.get(c as usize).copied().unwrap_or_default());
    for i in 0..sc.best.len() {
        let c = sc.best[i];
        let imp = sc.cslot[c as usize].1;
        sc.key.clear();
        sc.key.push('\u{1}');
        sc.key.extend(local.chars.get(c as usize));
        let gid = local.intern_token(&sc.key, Kind::Cjk);
        push_fragment(&mut sc.frag, imp, &[]);
        sc.terms.push((gid, to_u32(sc.frag.len())));
    }
    let (rec_len, rec_esc) = if keep {
        record(s)
    } else {
        (record_len(s), String::new())
    };
    Entry {
        terms: if keep { sc.terms.clone() } else { Vec::new() },
        frag: if keep { sc.frag.clone() } else { String::new() },
        vtext: if keep {
            sc.vtext.clone()
        } else {
            String::new()
        },
        names,
        rec_len,
        rec_esc,
        body: lens[BODY],
    }
}

/// Bytes serde_json writes for the string `s` (quotes included).
fn json_str_len(s: &str) -> usize {
    /// Bytes a JSON escape adds for each byte (serde_json's escapes).
    static EXTRA: [u8; 256] = {
        let mut t = [0u8; 256];
        let mut b = 0;
        while b < 0x20 {
            t[b] = 5;
            b += 1;
        }
        t[b'"' as usize] = 1;
        t[b'\\' as usize] = 1;
        t[b'\n' as usize] = 1;
        t[b'\r' as usize] = 1;
        t[b'\t' as usize] = 1;
        t[0x08] = 1;
        t[0x0c] = 1;
        t
    };
    2 + s.len()
        + s.bytes()
            .map(|b| usize::from(EXTRA[usize::from(b)]))
            .sum::<usize>()
}

/// `record(s).0` without writing the record.
fn record_len(s: &Section) -> usize {
    let bc: usize = s.breadcrumb.iter().map(|b| json_str_len(b) + 1).sum();
    let bc = 1 + bc.max(1);
    let code = if s.code.is_empty() {
        0
    } else {
        1 + json_str_len(&s.code)
    };
    json_str_len(&s.anchor)
        + 1
        + json_str_len(&s.heading)
        + 1
        + bc
        + 1
        + json_str_len(&s.text)
        + code
        + 1
}

/// The length of a section's JSON record after its leading `[`, and that part script-escaped.
fn record(s: &Section) -> (usize, String) {
    let len = record_len(s);
    let mut esc = String::with_capacity(len + 8);
    push_record(&mut esc, s);
    (len, esc)
}

/// Appends the script-escaped tail of section `s`'s JSON record (after its leading `[`):
/// `"anchor","heading",[breadcrumb…],"text"(,"code")]`, written once, already escaped.
fn push_record(out: &mut String, s: &Section) {
    push_json_str(out, &s.anchor);
    out.push(',');
    push_json_str(out, &s.heading);
    out.push_str(",[");
    for (i, b) in s.breadcrumb.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_json_str(out, b);
    }
    out.push_str("],");
    push_json_str(out, &s.text);
    if !s.code.is_empty() {
        out.push(',');
        push_json_str(out, &s.code);
    }
    out.push(']');
}

/// Counts per CJK string of 1–4 characters: strings of characters below U+10000 (nearly all)
/// packed into one word, so a count costs one cheap hash.
#[derive(Default)]
struct GramCounts {
    narrow: FxMap<u64, i64>,
    wide: FxMap<Gram, i64>,
}

impl GramCounts {
    fn add(&mut self, g: &Gram, d: i64) {
        if g.iter().all(|&c| c < 0x1_0000) {
            let k = g.iter().fold(0u64, |k, &c| (k << 16) | u64::from(c));
            *self.narrow.entry(k).or_insert(0) += d;
        } else {
            *self.wide.entry(*g).or_insert(0) += d;
        }
    }

    /// Every (string, count), in no particular order.
    fn into_counts(self) -> impl Iterator<Item = (Gram, i64)> {
        let narrow = self.narrow.into_iter().map(|(k, d)| {
            let mut g = [0u32; 4];
            for (i, c) in g.iter_mut().enumerate() {
                *c = ((k >> (48 - 16 * i)) & 0xFFFF) as u32;
            }
            (g, d)
        });
        narrow.chain(self.wide)
    }
}

/// Adds `d` × the longest CJK string (up to four characters) ending at each character of
/// `text` to `out`. Every occurrence of a 1–4-character string is the suffix of exactly one of
/// these, so `add_suffixes` turns their counts into the counts `pinyin::vocabulary` takes,
/// with one map update per character instead of four.
fn count_grams(text: &str, d: i64, out: &mut GramCounts) {
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
        out.add(&g, d);
    }
}

/// Corpus-wide counts of CJK strings of 1–4 characters and what `pinyin::vocabulary` derives
/// from them, kept current as counts change.
#[derive(Default)]
struct Grams {
    /// Count per string (never holds a zero).
    counts: FxMap<Gram, u32>,
    /// Strings of 2–3 characters → the counted strings one character longer that start or end
    /// with them (what decides whether a string is "closed").
    ext: FxMap<Gram, Vec<Gram>>,
    /// Recurring closed strings as (count, string), as `vocabulary` ranks them, and the count
    /// each is filed under.
    ranked: BTreeSet<(std::cmp::Reverse<u32>, Gram)>,
    filed: FxMap<Gram, u32>,
    /// Strings whose vocabulary status may have changed since the last `refresh`, unless `all`.
    touched: FxSet<Gram>,
    all: bool,
    /// The characters counted (strings of length 1).
    chars: BTreeSet<char>,
    /// One-shot build: no `ext` index (closedness is checked by one scan instead).
    no_ext: bool,
}

fn gram_len(g: &Gram) -> usize {
    g.iter().take_while(|&&x| x != 0).count()
}

/// The string `g` without its last / first character.
fn gram_subs(g: &Gram, len: usize) -> [Gram; 2] {
    let mut pre = *g;
    pre[len - 1] = 0;
    let mut suf = [0u32; 4];
    suf[..len - 1].copy_from_slice(&g[1..len]);
    [pre, suf]
}

impl Grams {
    /// Applies `d` × every suffix of the longest-string `m` to the counts.
    fn add_suffixes(&mut self, m: &Gram, d: i64) {
        let len = gram_len(m);
        if self.counts.is_empty() {
            self.all = true;
        }
        if !self.all {
            // Every substring of `m`: its count or the count of a longer string around it changed.
            for a in 0..len {
                for b in a + 1..=len {
                    let mut t = [0u32; 4];
                    t[..b - a].copy_from_slice(&m[a..b]);
                    self.touched.insert(t);
                }
            }
        }
        for n in 1..=len {
            let mut g = [0u32; 4];
            g[..n].copy_from_slice(&m[len - n..len]);
            let old = self.counts.get(&g).copied().unwrap_or(0);
            let new = i64::from(old) + d;
            if new <= 0 {
                self.counts.remove(&g);
                if n == 1 {
                    self.chars.remove(&char::from_u32(g[0]).unwrap_or('\0'));
                }
                if n >= 3 && old > 0 && !self.no_ext {
                    for sub in gram_subs(&g, n) {
                        if let Some(l) = self.ext.get_mut(&sub) {
                            if let Some(i) = l.iter().position(|x| *x == g) {
                                l.swap_remove(i);
                            }
                            if l.is_empty() {
                                self.ext.remove(&sub);
                            }
                        }
                    }
                }
            } else {
                self.counts
                    .insert(g, u32::try_from(new).unwrap_or(u32::MAX));
                if n == 1 && old == 0 {
                    self.chars.extend(char::from_u32(g[0]));
                }
                if n >= 3 && old == 0 && !self.no_ext {
                    for sub in gram_subs(&g, n) {
                        self.ext.entry(sub).or_default().push(g);
                    }
                }
            }
        }
    }

    /// Whether `g` (counted `c` times) is vocabulary: 2–4 characters, recurring, closed (no
    /// string one character longer has the same count) and not starting or ending with a stop
    /// character.
    fn qualifies(&self, g: &Gram, c: u32, stop: &[u32], not_closed: &FxSet<Gram>) -> bool {
        let len = gram_len(g);
        len >= 2
            && c >= pinyin::MIN_COUNT
            && !stop.contains(&g[0])
            && !stop.contains(&g[len - 1])
            && !not_closed.contains(g)
            && !self
                .ext
                .get(g)
                .is_some_and(|l| l.iter().any(|e| self.counts.get(e) == Some(&c)))
    }

    /// Re-files the touched strings in `ranked`.
    fn refresh(&mut self) {
        let stop: Vec<u32> = pinyin::EDGE_STOP.chars().map(|c| c as u32).collect();
        let touched = std::mem::take(&mut self.touched);
        if std::mem::take(&mut self.all) || touched.len() * 2 > self.counts.len() {
            self.ranked.clear();
            self.filed.clear();
            // Without the extension index: the strings a one-longer string with the same count
            // starts or ends with.
            let mut not_closed: FxSet<Gram> = FxSet::default();
            if self.no_ext {
                for (k, &c) in &self.counts {
                    let len = gram_len(k);
                    if len >= 3 {
                        for sub in gram_subs(k, len) {
                            if self.counts.get(&sub) == Some(&c) {
                                not_closed.insert(sub);
                            }
                        }
                    }
                }
            }
            for (g, &c) in &self.counts {
                if self.qualifies(g, c, &stop, &not_closed) {
                    self.ranked.insert((std::cmp::Reverse(c), *g));
                    self.filed.insert(*g, c);
                }
            }
            return;
        }
        for g in touched {
            if let Some(old) = self.filed.remove(&g) {
                self.ranked.remove(&(std::cmp::Reverse(old), g));
            }
            if let Some(&c) = self.counts.get(&g) {
                if self.qualifies(&g, c, &stop, &FxSet::default()) {
                    self.ranked.insert((std::cmp::Reverse(c), g));
                    self.filed.insert(g, c);
                }
            }
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
    /// Section `s`'s escaped record: kept in its entry, or (one-shot builds keep none) written
    /// here.
    fn record(&mut self, e: &Entry, s: &Section) -> &mut Self {
        if e.rec_esc.is_empty() {
            push_record(&mut self.0, s);
        } else {
            self.0.push_str(&e.rec_esc);
        }
        self
    }
    fn finish(mut self) -> Vec<u8> {
        self.0.push_str(SCRIPT_TAIL);
        // Output files are held until written: no growth slack.
        self.0.shrink_to_fit();
        self.0.into_bytes()
    }
}

/// `search::build_with`, reusing and refreshing `cache`.
pub fn build(sections: &[Section], layout: Layout, cache: &mut Cache) -> SearchOutput {
    build_notify(sections, layout, cache, || {})
}

/// `build`, calling `analysed` as soon as the sections are analysed: the work left after that
/// is mostly serial, so a caller running this on a thread of its own can start work for the
/// other cores then. When the last build's output is reused as is, `analysed` is dropped
/// without a call.
pub fn build_notify(
    sections: &[Section],
    layout: Layout,
    cache: &mut Cache,
    analysed: impl FnOnce(),
) -> SearchOutput {
    let n = sections.len();
    // 1. Which sections are new.
    let mut keys = Vec::with_capacity(n);
    let mut flags = Vec::with_capacity(n);
    let mut jobs = Vec::new();
    {
        let mut pages: FxSet<&str> = FxSet::default();
        for (i, s) in sections.iter().enumerate() {
            let repeated = i > 0
                && sections
                    .get(i - 1)
                    .is_some_and(|p| p.page == s.page && p.heading == s.heading);
            flags.push((repeated, pages.insert(s.page.as_str())));
        }
        // Comparing with the last build's section is much cheaper than hashing it again; the
        // others are hashed on all cores (a first build hashes all the text).
        let known: Vec<Option<u64>> = sections
            .iter()
            .zip(&flags)
            .enumerate()
            .map(|(i, (s, &(repeated, first)))| match cache.prev.get(i) {
                Some(p) if p.repeated == repeated && p.first == first && p.s == *s => Some(p.key),
                _ => None,
            })
            .collect();
        let todo: Vec<usize> = (0..n).filter(|&i| known[i].is_none()).collect();
        let mut hashed = par_chunks(
            &todo,
            ANALYSE_MIN,
            |&i| sections[i].text.len() + 64,
            |chunk| {
                chunk
                    .iter()
                    .map(|&i| section_key(&sections[i], flags[i].0, flags[i].1))
                    .collect::<Vec<u64>>()
            },
        )
        .into_iter()
        .flatten();
        let mut queued: FxSet<u64> = FxSet::default();
        for (i, s) in sections.iter().enumerate() {
            let (key, known) = match known[i] {
                Some(k) => (k, true),
                None => (hashed.next().unwrap_or_default(), false),
            };
            keys.push(key);
            let (repeated, first) = flags[i];
            // A key the last build had at this position has its entry. (A one-shot build
            // analyses every section its own way.)
            if !cache.one_shot && !known && !cache.entries.contains_key(&key) && queued.insert(key)
            {
                jobs.push(Job {
                    key,
                    at: to_u32(i),
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
    if cache.one_shot {
        return build_one_shot(sections, layout, &keys, &flags, cache, analysed);
    }
    // 2. Analyse them (in parallel; term ids are merged into the cache's in chunk order).
    let done = par_chunks(&jobs, ANALYSE_MIN, Job::weight, |chunk| {
        let (mut local, mut sc) = (Interner::default(), Scratch::default());
        let entries: Vec<(u64, Entry)> = chunk
            .iter()
            .map(|j| (j.key, analyse(j, &mut local, &mut sc, true)))
            .collect();
        (entries, local.list)
    });
    analysed();
    for (entries, list) in done {
        let map: Vec<u32> = list
            .iter()
            .map(|(t, k)| cache.terms.intern(t, *k))
            .collect();
        for (key, mut e) in entries {
            e.remap(&map);
            cache.entries.insert(key, e);
        }
    }
    // Remember the sections whose key changed for the next build's comparison.
    if cache.prev.len() != n {
        cache.heads_dirty = true;
        cache.pages = None;
    }
    cache.prev.truncate(n);
    let remember = if cache.one_shot { 0 } else { n };
    for (i, s) in sections.iter().enumerate().take(remember) {
        if cache.prev.get(i).is_some_and(|p| p.key == keys[i]) {
            continue;
        }
        let Some(e) = cache.entries.get(&keys[i]) else {
            // Cannot happen (every key was analysed); forget the rest rather than misalign.
            cache.prev.truncate(i);
            cache.heads_dirty = true;
            cache.pages = None;
            break;
        };
        match cache.prev.get(i) {
            Some(p) => {
                if p.names != e.names {
                    cache.heads_dirty = true;
                }
                if p.s.page != s.page || p.s.page_title != s.page_title {
                    cache.pages = None;
                }
            }
            None => {
                cache.heads_dirty = true;
                cache.pages = None;
            }
        }
        let v = Prev {
            s: s.clone(),
            repeated: flags[i].0,
            first: flags[i].1,
            key: keys[i],
            rec_len: e.rec_len,
            names: e.names.clone(),
        };
        match cache.prev.get_mut(i) {
            Some(p) => *p = v,
            None => cache.prev.push(v),
        }
    }
    // 3. Corpus n-gram counts: apply the change in how often each key occurs.
    cache.grams.no_ext = cache.one_shot;
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
                let mut m = GramCounts::default();
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
            for (m, d) in part.into_counts() {
                if d != 0 {
                    cache.grams.add_suffixes(&m, d);
                }
            }
        }
    }
    cache.live = live;

    let sharded = match layout {
        Layout::Single => false,
        Layout::Sharded => true,
        Layout::Auto => estimate_gzip(sections) > SHARD_THRESHOLD,
    };
    let mut entries = std::mem::take(&mut cache.entries);
    // Posting lists: patched for the sections that changed (the entries of the sections they
    // replace are still in `entries`), or rebuilt.
    let dirty = if sharded {
        update_postings(&keys, &entries, cache)
    } else {
        None
    };
    entries.retain(|k, _| cache.live.contains_key(k));
    if cache.one_shot {
        // Only the records and names are still needed.
        for e in entries.values_mut() {
            e.terms = Vec::new();
            e.frag = String::new();
            e.vtext = String::new();
        }
    }
    let out = assemble(sections, sharded, &keys, &entries, dirty.as_deref(), cache);
    cache.entries = entries;
    match out {
        Some(out) if cache.one_shot => out,
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

/// One batch of a one-shot build's sections, analysed by one worker: consecutive sections, so
/// batches merged in order give every posting list in section order.
#[derive(Default)]
struct Batch {
    /// The worker-local id of each term the batch has, in order of first occurrence.
    terms: Vec<u32>,
    /// Per term of the batch: [first member, last member, count, bytes] of its posting list over
    /// the batch's sections, encoded as if the list started here (sharded builds only).
    heads: Vec<[u32; 4]>,
    /// The lists' bytes in section order, and each piece's term (batch index) and end.
    log: String,
    ends: Vec<(u32, u32)>,
    slim: Vec<(u64, Entry)>,
}

/// What one analysis worker returns: its batches (by batch number), its term list (ids of
/// `Batch::terms`) and its n-gram counts.
type WorkerOut = (Vec<(usize, Batch)>, Vec<(Box<str>, Kind)>, GramCounts);

/// A one-shot build's section analysis on all cores. The jobs are cut into a few batches per
/// core by weight, and each core takes the next batch when it is done with its last (on a shared
/// machine one core can run slower for a while). Each worker keeps one term table across its
/// batches.
fn analyse_batches(jobs: &[Job], sharded: bool) -> Vec<WorkerOut> {
    let t = threads();
    let total: usize = jobs.iter().map(Job::weight).sum();
    let workers = if total < ANALYSE_MIN || jobs.len() < 2 {
        1
    } else {
        t
    };
    const BATCHES_PER_CORE: usize = 4;
    let want = if workers == 1 {
        1
    } else {
        workers * BATCHES_PER_CORE
    };
    let cuts = weighted_cuts(jobs, Job::weight, total, want);
    let batches: Vec<&[Job]> = cuts.windows(2).map(|w| &jobs[w[0]..w[1]]).collect();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let (batches, next) = (&batches, &next);
    let work = move || -> WorkerOut {
        let (mut local, mut sc) = (Interner::default(), Scratch::default());
        let mut grams = GramCounts::default();
        // Per worker-local term: (batch stamp, index in that batch).
        let mut slot: Vec<(u32, u32)> = Vec::new();
        let mut done = Vec::new();
        loop {
            let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(chunk) = batches.get(k) else {
                return (done, local.list, grams);
            };
            let stamp = to_u32(done.len() + 1);
            let mut b = Batch {
                slim: Vec::with_capacity(chunk.len()),
                ..Batch::default()
            };
            for j in *chunk {
                let e = analyse(j, &mut local, &mut sc, false);
                count_grams(&sc.vtext, 1, &mut grams);
                let si = j.at;
                for kk in 0..sc.terms.len() {
                    let id = sc.terms[kk].0 as usize;
                    if slot.len() <= id {
                        slot.resize(id + 1, (0, 0));
                    }
                    if slot[id].0 != stamp {
                        slot[id] = (stamp, to_u32(b.terms.len()));
                        b.terms.push(to_u32(id));
                        if sharded {
                            b.heads.push([si, 0, 0, 0]);
                        }
                    }
                    if !sharded {
                        continue;
                    }
                    let bi = slot[id].1;
                    let h = &mut b.heads[bi as usize];
                    let start = b.log.len();
                    push_b32(&mut b.log, si.wrapping_sub(h[1]));
                    b.log.push_str(frag_at(&sc.terms, &sc.frag, kk));
                    h[1] = si;
                    h[2] += 1;
                    h[3] += to_u32(b.log.len() - start);
                    b.ends.push((bi, to_u32(b.log.len())));
                }
                b.slim.push((j.key, e));
            }
            done.push((k, b));
        }
    };
    std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..workers).map(|_| scope.spawn(work)).collect();
        let mut out = vec![work()];
        for h in helpers {
            out.push(h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)));
        }
        out
    })
}

/// Merges a one-shot build's batches, in batch (section) order: terms are interned into `terms`
/// in order of first occurrence over all sections (the ids a sequential analysis gives), each
/// posting list is sized exactly first and then filled from the batches' logs, and the entries
/// are added to `entries`.
fn merge_batches(
    batches: Vec<(usize, usize, Batch)>,
    lists: &[Vec<(Box<str>, Kind)>],
    terms: &mut Interner,
    inv: &mut Vec<Postings>,
    entries: &mut FxMap<u64, Entry>,
) {
    const NONE: u32 = u32::MAX;
    let mut maps: Vec<Vec<u32>> = lists.iter().map(|l| vec![NONE; l.len()]).collect();
    // Per batch, the global id of each of its terms; per global term, [count, last, bytes].
    let mut gids: Vec<Vec<u32>> = Vec::with_capacity(batches.len());
    let mut meta: Vec<(u32, u32, usize)> = Vec::new();
    for (_, w, b) in &batches {
        let (map, list) = (&mut maps[*w], &lists[*w]);
        let mut ids = Vec::with_capacity(b.terms.len());
        for (bi, &lid) in b.terms.iter().enumerate() {
            let lid = lid as usize;
            if map[lid] == NONE {
                let (t, k) = &list[lid];
                map[lid] = terms.intern(t, *k);
            }
            let g = map[lid];
            ids.push(g);
            let Some(h) = b.heads.get(bi) else {
                continue;
            };
            if meta.len() <= g as usize {
                meta.resize(g as usize + 1, (0, 0, 0));
            }
            let m = &mut meta[g as usize];
            // Re-encoding the first delta against the list so far.
            m.2 += if m.0 == 0 {
                h[3] as usize
            } else {
                h[3] as usize - b32_len(h[0]) + b32_len(h[0].wrapping_sub(m.1))
            };
            m.0 += h[2];
            m.1 = h[1];
        }
        gids.push(ids);
    }
    inv.resize_with(terms.list.len(), Postings::default);
    for (g, &(count, last, bytes)) in meta.iter().enumerate() {
        if count > 0 {
            inv[g] = Postings {
                count,
                last,
                text: String::with_capacity(bytes),
                ..Postings::default()
            };
        }
    }
    // Appended with no growth slack: these lists are most of the index's memory.
    let mut last: Vec<u32> = vec![0; meta.len()];
    for ((_, _, b), ids) in batches.into_iter().zip(&gids) {
        let mut seen = vec![false; b.heads.len()];
        let mut at = 0;
        for &(bi, end) in &b.ends {
            let (bi, end) = (bi as usize, end as usize);
            let piece = b.log.get(at..end).unwrap_or("");
            at = end;
            let g = ids[bi] as usize;
            let text = &mut inv[g].text;
            if seen[bi] {
                text.push_str(piece);
                continue;
            }
            seen[bi] = true;
            let h = b.heads[bi];
            if text.is_empty() {
                text.push_str(piece);
            } else {
                push_b32(text, h[0].wrapping_sub(last[g]));
                text.push_str(piece.get(b32_len(h[0])..).unwrap_or(""));
            }
            last[g] = h[1];
        }
        entries.extend(b.slim);
    }
}

/// `build` for a one-shot cache, with less memory: each batch of sections streams its terms'
/// fragments straight into a log of posting-list pieces and its worker's n-gram counts (no
/// per-section term lists, fragments or vocabulary text are kept), and the batches are merged
/// in order (`analyse_batches`, `merge_batches`).
fn build_one_shot(
    sections: &[Section],
    layout: Layout,
    keys: &[u64],
    flags: &[(bool, bool)],
    cache: &mut Cache,
    analysed: impl FnOnce(),
) -> SearchOutput {
    let sharded = match layout {
        Layout::Single => false,
        Layout::Sharded => true,
        Layout::Auto => estimate_gzip(sections) > SHARD_THRESHOLD,
    };
    let jobs: Vec<Job> = sections
        .iter()
        .zip(keys.iter().zip(flags))
        .enumerate()
        .map(|(i, (s, (&key, &(repeated, first))))| Job {
            key,
            at: to_u32(i),
            s,
            repeated,
            first,
        })
        .collect();
    let workers = analyse_batches(&jobs, sharded);
    analysed();
    cache.grams.no_ext = true;
    cache.heads_dirty = true;
    cache.pages = None;
    cache.inv = Vec::new();
    let mut entries: FxMap<u64, Entry> = FxMap::default();
    let mut counts = Vec::with_capacity(workers.len());
    let mut lists = Vec::with_capacity(workers.len());
    let mut batches = Vec::new();
    for (w, (done, list, grams)) in workers.into_iter().enumerate() {
        counts.push(grams);
        lists.push(list);
        batches.extend(done.into_iter().map(|(k, b)| (k, w, b)));
    }
    batches.sort_unstable_by_key(|b| b.0);
    // The n-gram counts (for the pinyin vocabulary) merge on a thread of their own while the
    // posting lists merge here: they share nothing.
    let Cache {
        grams, terms, inv, ..
    } = &mut *cache;
    std::thread::scope(|scope| {
        scope.spawn(|| {
            for c in counts {
                for (m, d) in c.into_counts() {
                    grams.add_suffixes(&m, d);
                }
            }
            grams.refresh();
        });
        merge_batches(batches, &lists, terms, inv, &mut entries);
    });
    let mut live: FxMap<u64, u32> = FxMap::default();
    for &k in keys {
        *live.entry(k).or_insert(0) += 1;
    }
    cache.live = live;
    if sharded {
        let (_, split) = shard_plan(cache);
        let body: Vec<u32> = keys
            .iter()
            .map(|k| entries.get(k).map_or(0, |e| e.body))
            .collect();
        add_char_lists(cache, &split, &body);
    }
    match assemble(sections, sharded, keys, &entries, None, cache) {
        Some(out) => out,
        None => {
            // Cannot happen (every section was analysed); build without the shortcut.
            *cache = Cache::default();
            build(sections, layout, cache)
        }
    }
}

/// Steps 4–5 of `build`: vocabulary and files from the sections' entries.
fn assemble(
    sections: &[Section],
    sharded: bool,
    keys: &[u64],
    entries: &FxMap<u64, Entry>,
    dirty: Option<&[bool]>,
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
    // Pages in order of first appearance (by the index of their first section) and the page of
    // each section: kept while no section changed its page or page title.
    if cache.pages.as_ref().is_none_or(|p| p.1.len() != n) {
        let mut page_ids: FxMap<&str, usize> = FxMap::default();
        let mut first = Vec::new();
        let mut sec_page = Vec::with_capacity(n);
        for (i, s) in sections.iter().enumerate() {
            let pid = *page_ids.entry(s.page.as_str()).or_insert_with(|| {
                first.push(i);
                first.len() - 1
            });
            sec_page.push(pid);
        }
        cache.pages = Some((first, sec_page));
    }
    let (first, sec_page) = cache.pages.take().unwrap_or_default();
    let pages: Vec<(&str, &str)> = first
        .iter()
        .filter_map(|&i| sections.get(i))
        .map(|s| (s.page.as_str(), s.page_title.as_str()))
        .collect();
    let nj = js(&n);
    let bm = js(&bm25_params());
    if !sharded {
        cache.inv = Vec::new();
        cache.inv_keys = Vec::new();
        cache.tfiles = TermFiles::default();
        cache.files.clear();
        let cap: usize = secs.iter().map(|e| e.rec_len + 16).sum();
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
                .record(e, &sections[i]);
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
        cache.pages = Some((first, sec_page));
        return Some(SearchOutput {
            files: vec![(path.clone(), bytes.into())],
            entry: path,
        });
    }
    let out = sharded_files(
        sections, keys, &secs, &pages, &sec_page, &nj, &bm, &py, &chars, dirty, cache,
    );
    cache.pages = Some((first, sec_page));
    Some(out)
}

/// The vocabulary JSON (`py`) and the character reading table JSON (`chars`), from the cache's
/// n-gram counts and the sections' names, exactly as `pinyin::vocabulary` + `output` make them.
fn vocabulary(secs: &[&Entry], cache: &mut Cache) -> (String, String) {
    cache.grams.refresh();
    // Heading names: recounted only when some section's names changed.
    let recounted = std::mem::take(&mut cache.heads_dirty);
    if recounted {
        let mut headings: FxMap<&str, u32> = FxMap::default();
        for e in secs {
            for nm in &e.names {
                *headings.entry(nm.as_str()).or_insert(0) += 1;
            }
        }
        let mut heads: Vec<(u32, &str)> = headings.into_iter().map(|(t, c)| (c, t)).collect();
        heads.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(b.1)));
        heads.truncate(pinyin::MAX_HEADINGS);
        let mut heads: Vec<(String, u32)> =
            heads.into_iter().map(|(c, t)| (t.to_owned(), c)).collect();
        heads.sort_by(|a, b| a.0.cmp(&b.0));
        cache.heads = heads;
    }
    // The most frequent recurring strings, in string order (zero-padded code points order like
    // the strings they spell).
    let mut rec: Vec<(Gram, u32)> = cache
        .grams
        .ranked
        .iter()
        .take(MAX_VOCAB)
        .map(|(c, g)| (*g, c.0))
        .collect();
    rec.sort_unstable_by_key(|a| a.0);
    let all_chars: Vec<char> = cache.grams.chars.iter().copied().collect();
    // Merge both lists (max count for a string in both), keep strings with readings, and write
    // the JSON `pinyin::vocabulary` + `output` write: {"c":[…],"ovr":[…],"t":[…]}. The merge
    // (which strings, from which list) is kept while the strings stay the same; usually only
    // counts change.
    let heads = &cache.heads;
    let vm = &mut cache.vmerge;
    if recounted || vm.grams.len() != rec.len() || vm.grams.iter().zip(&rec).any(|(a, b)| *a != b.0)
    {
        vm.grams = rec.iter().map(|r| r.0).collect();
        vm.src.clear();
        vm.tj.clear();
        let rd = &mut cache.readings;
        let mut ovr: Option<Vec<(Vec<char>, Vec<&'static str>)>> = None;
        let (mut i, mut j) = (0, 0);
        let mut gs = String::new();
        const NONE: u32 = u32::MAX;
        while i < rec.len() || j < heads.len() {
            gs.clear();
            if let Some((g, _)) = rec.get(i) {
                gs.extend(
                    g.iter()
                        .take_while(|&&x| x != 0)
                        .filter_map(|&x| char::from_u32(x)),
                );
            }
            let (t, src): (&str, (u32, u32)) = match (rec.get(i), heads.get(j)) {
                (Some(_), Some(hd)) if gs.as_str() == hd.0 => {
                    i += 1;
                    j += 1;
                    (&hd.0, (to_u32(i - 1), to_u32(j - 1)))
                }
                (Some(_), Some(hd)) if gs.as_str() < hd.0.as_str() => {
                    i += 1;
                    (&gs, (to_u32(i - 1), NONE))
                }
                (Some(_), None) => {
                    i += 1;
                    (&gs, (to_u32(i - 1), NONE))
                }
                (_, Some(hd)) => {
                    j += 1;
                    (&hd.0, (NONE, to_u32(j - 1)))
                }
                (None, None) => break,
            };
            let has = match rd.get(t) {
                Some(&b) => b,
                None => {
                    let o = ovr.get_or_insert_with(pinyin::overrides);
                    let b = pinyin::has_readings(t, o.as_slice());
                    rd.insert(t.to_owned(), b);
                    b
                }
            };
            if !has {
                continue;
            }
            if !vm.src.is_empty() {
                vm.tj.push(',');
            }
            vm.src.push(src);
            if t.chars().any(|c| c == '"' || c == '\\' || c < ' ') {
                vm.tj.push_str(&js(t));
            } else {
                vm.tj.push('"');
                vm.tj.push_str(t);
                vm.tj.push('"');
            }
        }
        if rd.len() > 4 * (rec.len() + heads.len()) + 4096 {
            rd.clear();
        }
    }
    let mut cj = String::with_capacity(6 * vm.src.len() + 16);
    for (k, &(i, j)) in vm.src.iter().enumerate() {
        let a = rec.get(i as usize).map_or(0, |r| r.1);
        let b = heads.get(j as usize).map_or(0, |h| h.1);
        if k > 0 {
            cj.push(',');
        }
        cj.push_str(&a.max(b).to_string());
    }
    let tj = &vm.tj;
    let mut py = String::with_capacity(tj.len() + cj.len() + 4096);
    py.push_str("{\"c\":[");
    py.push_str(&cj);
    py.push_str("],\"ovr\":");
    py.push_str(&js(&pinyin::override_lines()));
    py.push_str(",\"t\":[");
    py.push_str(tj);
    py.push_str("]}");
    cache.py = py;
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
    (cache.py.clone(), cache.chars.1.clone())
}

/// One term's posting list without its leading count: per member section, the delta from the
/// previous member and that section's fragment (`Entry::frag`). Kept current by splicing when
/// a few sections change.
#[derive(Default)]
struct Postings {
    /// Member sections, ascending (not kept for a one-shot build: `count` and `last` only).
    members: Vec<u32>,
    count: u32,
    last: u32,
    /// End of each member's segment in `text`.
    ends: Vec<u32>,
    text: String,
}

/// Characters `push_b32` writes for `v`.
fn b32_len(mut v: u32) -> usize {
    let mut n = 1;
    while v >= 32 {
        v >>= 5;
        n += 1;
    }
    n
}

fn to_u32(v: usize) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

impl Postings {
    fn start(&self, j: usize) -> usize {
        if j == 0 {
            0
        } else {
            self.ends[j - 1] as usize
        }
    }

    fn prev(&self, j: usize) -> u32 {
        if j == 0 {
            0
        } else {
            self.members[j - 1]
        }
    }

    /// Length of the delta varint at `at`.
    fn delta_len(&self, at: usize) -> usize {
        let b = self.text.as_bytes();
        let mut e = at;
        while e < b.len() && b32_val(b[e]) & 32 != 0 {
            e += 1;
        }
        (e + 1 - at).min(b.len().saturating_sub(at))
    }

    /// Replaces `text[a..b]` (inside segment `j`) by `with` and moves the later segment ends.
    fn splice(&mut self, j: usize, a: usize, b: usize, with: &str) {
        self.text.replace_range(a..b, with);
        let diff = with.len() as i64 - (b - a) as i64;
        if diff != 0 {
            for x in &mut self.ends[j..] {
                *x = (i64::from(*x) + diff) as u32;
            }
        }
    }

    /// Re-encodes the delta of segment `j` (its predecessor changed).
    fn fix_delta(&mut self, j: usize) {
        if j >= self.members.len() {
            return;
        }
        let st = self.start(j);
        let len = self.delta_len(st);
        let mut d = String::new();
        push_b32(&mut d, self.members[j].wrapping_sub(self.prev(j)));
        self.splice(j, st, st + len, &d);
    }

    fn push(&mut self, sec: u32, frag: &str, keep: bool) {
        push_b32(&mut self.text, sec.wrapping_sub(self.last));
        self.text.push_str(frag);
        self.last = sec;
        self.count += 1;
        if keep {
            self.members.push(sec);
            self.ends.push(to_u32(self.text.len()));
        }
    }

    /// Sets (or with `None` removes) section `sec`'s fragment; true if the list changed.
    fn set(&mut self, sec: u32, frag: Option<&str>) -> bool {
        match (self.members.binary_search(&sec), frag) {
            (Ok(j), Some(f)) => {
                let st = self.start(j);
                let end = self.ends[j] as usize;
                let dl = self.delta_len(st);
                if self.text.get(st + dl..end) == Some(f) {
                    return false;
                }
                self.splice(j, st + dl, end, f);
                true
            }
            (Ok(j), None) => {
                let st = self.start(j);
                let end = self.ends[j] as usize;
                self.splice(j, st, end, "");
                self.ends.remove(j);
                self.members.remove(j);
                self.count = to_u32(self.members.len());
                self.last = self.members.last().copied().unwrap_or(0);
                self.fix_delta(j);
                true
            }
            (Err(_), None) => false,
            (Err(j), Some(f)) => {
                let st = self.start(j);
                let mut seg = String::with_capacity(f.len() + 4);
                push_b32(&mut seg, sec.wrapping_sub(self.prev(j)));
                seg.push_str(f);
                self.text.insert_str(st, &seg);
                for x in &mut self.ends[j..] {
                    *x += to_u32(seg.len());
                }
                self.ends.insert(j, to_u32(st + seg.len()));
                self.members.insert(j, sec);
                self.count = to_u32(self.members.len());
                self.last = self.members.last().copied().unwrap_or(0);
                self.fix_delta(j + 1);
                true
            }
        }
    }
}

/// Brings `cache.inv` up to date with the sections `keys` (their entries are in `entries`, and
/// so are those of the keys `cache.inv` was built for). Returns which term ids changed, or
/// `None` when every list was rebuilt.
fn update_postings(
    keys: &[u64],
    entries: &FxMap<u64, Entry>,
    cache: &mut Cache,
) -> Option<Vec<bool>> {
    let n = keys.len();
    let nterms = cache.terms.list.len();
    cache.inv.resize_with(nterms, Postings::default);
    let old = std::mem::take(&mut cache.inv_keys);
    let changed: Vec<usize> = if old.len() == n && n > 0 {
        (0..n).filter(|&i| keys[i] != old[i]).collect()
    } else {
        (0..n).collect()
    };
    let patch = !cache.one_shot
        && old.len() == n
        && n > 0
        && changed.len() <= n / 16 + 4
        && changed
            .iter()
            .all(|&i| entries.contains_key(&old[i]) && entries.contains_key(&keys[i]));
    cache.inv_keys = keys.to_vec();
    if patch {
        let mut dirty = vec![false; nterms];
        for &i in &changed {
            let (Some(o), Some(e)) = (entries.get(&old[i]), entries.get(&keys[i])) else {
                continue;
            };
            let si = to_u32(i);
            let (mut a, mut b) = (0, 0);
            while a < o.terms.len() || b < e.terms.len() {
                let ia = o.terms.get(a).map_or(u32::MAX, |t| t.0);
                let ib = e.terms.get(b).map_or(u32::MAX, |t| t.0);
                let (id, frag) = if ib <= ia {
                    let f = e.frag_of(b);
                    if ia == ib {
                        a += 1;
                    }
                    b += 1;
                    (ib, Some(f))
                } else {
                    a += 1;
                    (ia, None)
                };
                if cache.inv[id as usize].set(si, frag) {
                    dirty[id as usize] = true;
                }
            }
        }
        return Some(dirty);
    }
    for p in &mut cache.inv {
        *p = Postings::default();
    }
    let keep = !cache.one_shot;
    for (si, k) in keys.iter().enumerate() {
        let Some(e) = entries.get(k) else { continue };
        for (k, &(id, _)) in e.terms.iter().enumerate() {
            cache.inv[id as usize].push(to_u32(si), e.frag_of(k), keep);
        }
    }
    None
}

/// The term shard layout of the last sharded build and its files.
#[derive(Default)]
struct TermFiles {
    /// Shard count and split characters the buckets below were computed for.
    sig: (usize, Vec<char>),
    /// Shard of each term id (u32::MAX: not computed yet; u32::MAX - 1: not shipped).
    bucket: Vec<u32>,
    /// Per shard: key of its file in `Cache::files` and the file's content hash.
    files: Vec<Option<(u64, String)>>,
    /// Per shard: hash of the vocabulary strings it carries.
    vh: Vec<u64>,
}

/// The term shard count and the split characters (as `output::write`): a CJK character whose
/// terms would fill more than a few shards on their own is split, its terms placed by the
/// whole term. Character lists ("\u{1}<c>") count for neither.
fn shard_plan(cache: &mut Cache) -> (usize, Vec<char>) {
    let list = &cache.terms.list;
    let inv = &cache.inv;
    let nterms = list.len().min(inv.len());
    // Per term id: its first character if CJK (else 0) and its length; u32::MAX for the
    // character lists (compact, so this loop does not visit every term's string).
    let tinfo = &mut cache.tinfo;
    for (t, _) in &list[tinfo.len().min(nterms)..nterms] {
        tinfo.push(if t.starts_with('\u{1}') {
            (u32::MAX, 0)
        } else {
            let c = t.chars().next().filter(|&c| is_cjk(c)).map_or(0, u32::from);
            (c, to_u32(t.len()))
        });
    }
    let mut total = 0usize;
    let mut per_char: FxMap<u32, usize> = FxMap::default();
    for (p, &(c, len)) in inv.iter().zip(tinfo.iter()).take(nterms) {
        if p.count == 0 || c == u32::MAX {
            continue;
        }
        let size = len as usize + b32_len(p.count) + p.text.len() + 6;
        total += size;
        if c != 0 {
            *per_char.entry(c).or_insert(0) += size;
        }
    }
    let nshards = (total / TERM_SHARD_BYTES)
        .clamp(16, 4096)
        .next_power_of_two();
    let mut split: Vec<char> = per_char
        .into_iter()
        .filter(|&(_, size)| size > 4 * TERM_SHARD_BYTES)
        .filter_map(|(c, _)| char::from_u32(c))
        .collect();
    split.sort_unstable();
    (nshards, split)
}

/// A one-shot build's character lists ("\u{1}<c>": per section, the best impact of the
/// one- and two-character terms containing c), made from the merged posting lists for the
/// split characters only, the only ones the shards ship. The cached path gets them from each
/// section's analysis instead; both give the same lists.
fn add_char_lists(cache: &mut Cache, split: &[char], body: &[u32]) {
    if split.is_empty() {
        return;
    }
    // Per split character, the terms containing it.
    let terms = &cache.terms;
    let mut by_char: Vec<Vec<u32>> = vec![Vec::new(); split.len()];
    let nterms = terms.list.len().min(cache.inv.len());
    for id in (0..nterms).filter(|&id| !terms.list[id].0.starts_with('\u{1}')) {
        for &d in terms.pair[id].iter().take_while(|&&d| d != NO_CHAR) {
            let Some(&c) = terms.chars.get(d as usize) else {
                continue;
            };
            if let Ok(k) = split.binary_search(&c) {
                by_char[k].push(to_u32(id));
            }
        }
    }
    let inv = &cache.inv;
    // Most stored 0s stand for one body occurrence: its impact once per section.
    let once: Vec<u32> = body.iter().map(|&len| body_impact(1, len)).collect();
    let work: Vec<usize> = (0..split.len()).collect();
    let lists = par_chunks(
        &work,
        256 * 1024,
        |&k| {
            by_char[k]
                .iter()
                .map(|&id| inv[id as usize].text.len())
                .sum()
        },
        |chunk| {
            let mut best = vec![0u32; body.len()];
            let mut frag = String::new();
            chunk
                .iter()
                .map(|&k| {
                    best.iter_mut().for_each(|b| *b = 0);
                    for &id in &by_char[k] {
                        // The merged lists are well formed: a `None` cannot stop this early.
                        let _ = each_posting(&inv[id as usize].text, |sec, imp, pos| {
                            let sec = sec as usize;
                            let (Some(b), Some(&len)) = (best.get_mut(sec), body.get(sec)) else {
                                return;
                            };
                            let imp = match (imp, pos.len()) {
                                (0, 1) => once[sec],
                                (0, n) => body_impact(n, len),
                                _ => imp,
                            };
                            *b = (*b).max(imp);
                        });
                    }
                    let mut l = Postings::default();
                    for (sec, &imp) in best.iter().enumerate().filter(|b| *b.1 > 0) {
                        frag.clear();
                        push_fragment(&mut frag, imp, &[]);
                        l.push(to_u32(sec), &frag, false);
                    }
                    l.text.shrink_to_fit();
                    l
                })
                .collect::<Vec<_>>()
        },
    );
    for (c, l) in split.iter().zip(lists.into_iter().flatten()) {
        let id = cache.terms.intern(&format!("\u{1}{c}"), Kind::Cjk) as usize;
        if cache.inv.len() <= id {
            cache.inv.resize_with(id + 1, Postings::default);
        }
        cache.inv[id] = l;
    }
}

#[allow(clippy::too_many_arguments)]
fn sharded_files(
    sections: &[Section],
    keys: &[u64],
    secs: &[&Entry],
    pages: &[(&str, &str)],
    sec_page: &[usize],
    nj: &str,
    bm: &str,
    py: &str,
    chars: &str,
    dirty: Option<&[bool]>,
    cache: &mut Cache,
) -> SearchOutput {
    let n = secs.len();
    let (nshards, split) = shard_plan(cache);
    let list = &cache.terms.list;
    let inv = &cache.inv;
    let nterms = list.len().min(inv.len());
    let pseudo = |t: &str| t.starts_with('\u{1}');
    let tf = &mut cache.tfiles;
    let sig = (nshards, split);
    let all_dirty = dirty.is_none() || tf.sig != sig;
    if tf.sig != sig {
        tf.sig = sig;
        tf.bucket.clear();
        tf.files = vec![None; nshards];
        tf.vh = vec![0; nshards];
    }
    let split = &tf.sig.1;
    let split_set: BTreeSet<char> = split.iter().copied().collect();
    tf.bucket.resize(nterms, u32::MAX);
    let mut buckets: Vec<Vec<u32>> = vec![Vec::new(); nshards];
    let mut dirty_b = vec![all_dirty; nshards];
    // Vocabulary strings per shard (as `output::write`); a shard whose list changed is rebuilt.
    let words: Vec<String> = serde_json::from_str::<serde_json::Value>(py)
        .ok()
        .and_then(|v| serde_json::from_value(v.get("t")?.clone()).ok())
        .unwrap_or_default();
    let vocab_b = vocab_buckets(words.iter().map(String::as_str), &split_set, nshards);
    for (b, v) in vocab_b.iter().enumerate() {
        let h = fx(v);
        if tf.vh[b] != h {
            tf.vh[b] = h;
            dirty_b[b] = true;
        }
    }
    for id in 0..nterms {
        let mut b = tf.bucket[id];
        if b == u32::MAX {
            let t = &list[id].0;
            b = match t.strip_prefix('\u{1}') {
                Some(c) if c.chars().next().is_some_and(|c| split_set.contains(&c)) => {
                    fnv1a32(c.as_bytes()) & (nshards as u32 - 1)
                }
                Some(_) => u32::MAX - 1,
                None => fnv1a32(shard_key_split(t, &split_set).as_bytes()) & (nshards as u32 - 1),
            };
            tf.bucket[id] = b;
        }
        if b == u32::MAX - 1 {
            continue;
        }
        if dirty.is_some_and(|d| d.get(id) == Some(&true)) {
            dirty_b[b as usize] = true;
        }
        if inv[id].count > 0 {
            buckets[b as usize].push(to_u32(id));
        }
    }
    // Rebuild the shards whose terms changed: real terms by term, then split characters' lists.
    let todo: Vec<usize> = (0..nshards).filter(|&b| dirty_b[b]).collect();
    let built = par_chunks(
        &todo,
        256 * 1024,
        |&b| {
            buckets[b]
                .iter()
                .map(|&id| inv[id as usize].text.len() + 16)
                .sum()
        },
        |chunk| {
            // Column buffers, reused for every shard of the chunk.
            let mut cols = Columns::default();
            chunk
                .iter()
                .map(|&b| {
                    let mut members: Vec<u32> = buckets[b].clone();
                    if members.is_empty() {
                        return (b, None);
                    }
                    members.sort_unstable_by(|&x, &y| {
                        let (tx, ty) = (&list[x as usize].0, &list[y as usize].0);
                        (pseudo(tx), tx).cmp(&(pseudo(ty), ty))
                    });
                    let terms: Vec<&str> =
                        members.iter().map(|&id| &*list[id as usize].0).collect();
                    let cap: usize = members
                        .iter()
                        .map(|&id| inv[id as usize].text.len() + 8)
                        .sum();
                    let mut sc = Script::new(cap + 64 * members.len());
                    sc.json("{\"k\":\"t\",\"i\":")
                        .json(&b.to_string())
                        .json(",\"terms\":")
                        .json(&js(&terms))
                        .escaped(",\"c\":[");
                    cols.clear();
                    let mut head = String::new();
                    for &id in &members {
                        let p = &inv[id as usize];
                        head.clear();
                        push_b32(&mut head, p.count);
                        cols.push(&head, &p.text);
                    }
                    for (k, c) in cols.finish().iter().enumerate() {
                        // ASCII: the columns hold alphabet characters only.
                        sc.escaped(if k == 0 { "\"" } else { ",\"" })
                            .escaped(c)
                            .escaped("\"");
                    }
                    sc.escaped("]");
                    if !vocab_b[b].is_empty() {
                        sc.json(",\"v\":").json(&js(&vocab_b[b]));
                    }
                    sc.escaped("}");
                    let bytes = sc.finish();
                    let h = hash_name(&bytes);
                    (b, Some((format!("search/t-{b:03x}-{h}.js"), h, bytes)))
                })
                .collect::<Vec<_>>()
        },
    );
    for (b, f) in built.into_iter().flatten() {
        tf.files[b] = f.map(|(name, h, bytes)| {
            let key = fx(&name);
            cache.files.insert(key, (name, bytes.into()));
            (key, h)
        });
    }

    let mut latin: Vec<&str> = (0..nterms)
        .filter(|&id| inv[id].count > 0)
        .map(|id| &list[id])
        .filter(|(t, k)| *k == Kind::Word && t.chars().any(char::is_alphabetic))
        .map(|(t, _)| &**t)
        .collect();
    latin.sort_unstable();
    latin.truncate(MAX_LATIN);
    if cache.one_shot {
        // The posting lists are all in term shard files now: free them before the section
        // shards double the memory of the section texts.
        cache.inv = Vec::new();
    }
    // Section shards: consecutive sections, ~SECTION_SHARD_BYTES each.
    let mut specs: Vec<(u64, usize, usize, usize)> = Vec::new();
    let mut starts = Vec::new();
    let mut i = 0;
    while i < n {
        let st = i;
        let mut size = 0;
        while i < n && (i == st || size < SECTION_SHARD_BYTES) {
            // The record length as remembered per position (no visit to each entry).
            let rl = match cache.prev.get(i) {
                Some(p) if p.key == keys[i] => p.rec_len,
                _ => secs[i].rec_len,
            };
            size += 2 + digits(sec_page[i]) + rl;
            i += 1;
        }
        let k = starts.len();
        // A section's key covers its page's URL and title.
        let mut h = FxHasher::default();
        ("s", k, st, i).hash(&mut h);
        for j in st..i {
            h.write_u64(keys[j]);
            h.write_usize(sec_page[j]);
        }
        specs.push((h.finish(), k, st, i));
        starts.push(st);
    }
    let todo: Vec<&(u64, usize, usize, usize)> = specs
        .iter()
        .filter(|(fp, ..)| !cache.files.contains_key(fp))
        .collect();
    let built = par_chunks(
        &todo,
        256 * 1024,
        |(_, _, a, b)| (*a..*b).map(|j| secs[j].rec_len).sum(),
        |chunk| {
            chunk
                .iter()
                .map(|&&(fp, k, a, b)| {
                    let mut pg: BTreeMap<usize, (&str, &str)> = BTreeMap::new();
                    for &p in &sec_page[a..b] {
                        if let Some(e) = pages.get(p) {
                            pg.insert(p, *e);
                        }
                    }
                    let cap: usize = (a..b).map(|j| secs[j].rec_len + 16).sum();
                    let mut sc = Script::new(cap + 256);
                    sc.json("{\"k\":\"s\",\"i\":")
                        .json(&k.to_string())
                        .json(",\"start\":")
                        .json(&a.to_string())
                        .json(",\"pages\":")
                        .json(&js(&pg))
                        .json(",\"secs\":[");
                    for j in a..b {
                        if j > a {
                            sc.escaped(",");
                        }
                        sc.escaped("[")
                            .escaped(&sec_page[j].to_string())
                            .escaped(",")
                            .record(secs[j], &sections[j]);
                    }
                    sc.escaped("]}");
                    let bytes = sc.finish();
                    let h = hash_name(&bytes);
                    (fp, format!("search/s-{k:03x}-{h}.js"), bytes)
                })
                .collect::<Vec<_>>()
        },
    );
    for (fp, name, bytes) in built.into_iter().flatten() {
        cache.files.insert(fp, (name, bytes.into()));
    }
    let tf = &cache.tfiles;
    let mut used: FxSet<u64> = specs.iter().map(|s| s.0).collect();
    used.extend(tf.files.iter().flatten().map(|f| f.0));
    cache.files.retain(|fp, _| used.contains(fp));

    let mut files = Vec::with_capacity(specs.len() + nshards + 1);
    let mut term_hashes: Vec<&str> = Vec::with_capacity(nshards);
    // A one-shot build hands its files over instead of copying them.
    let one_shot = cache.one_shot;
    let mut take = |k: &u64| -> Option<(String, Blob)> {
        if one_shot {
            cache.files.remove(k)
        } else {
            cache.files.get(k).cloned()
        }
    };
    for f in &tf.files {
        match f.as_ref().and_then(|(k, h)| Some((take(k)?, h))) {
            Some((file, h)) => {
                files.push(file);
                term_hashes.push(h);
            }
            None => term_hashes.push(""),
        }
    }
    let mut sec_hashes: Vec<String> = Vec::with_capacity(specs.len());
    for (fp, ..) in &specs {
        let Some((name, bytes)) = take(fp) else {
            continue;
        };
        // "search/s-XXX-<hash>.js": the hash is the part between the last '-' and ".js".
        let h = name
            .rsplit('-')
            .next()
            .and_then(|x| x.strip_suffix(".js"))
            .unwrap_or("")
            .to_owned();
        sec_hashes.push(h);
        files.push((name, bytes));
    }
    // Pinyin and Latin vocabulary in a file of its own (as `output::write`).
    let mut sc = Script::new(py.len() + chars.len() + 64 * 1024);
    sc.json("{\"k\":\"p\",\"latin\":")
        .json(&js(&latin))
        .json(",\"py\":")
        .json(py)
        .json(",\"chars\":")
        .json(chars)
        .json("}");
    let pbytes = sc.finish();
    let ph = hash_name(&pbytes);
    files.push((format!("search/p-{ph}.js"), pbytes.into()));
    let mut sc = Script::new(64 * 1024);
    sc.json("{\"v\":1,\"k\":\"manifest\",\"n\":")
        .json(nj)
        .json(",\"ts\":")
        .json(&nshards.to_string())
        .json(",\"split\":")
        .json(&js(&tf.sig.1.iter().collect::<String>()))
        .json(",\"th\":")
        .json(&js(&term_hashes))
        .json(",\"ss\":")
        .json(&js(&starts))
        .json(",\"sh\":")
        .json(&js(&sec_hashes))
        .json(",\"pc\":")
        .json(&js(&page_runs(sec_page)))
        .json(",\"bl\":")
        .json(&js(&body_codes(secs.iter().map(|e| e.body))))
        .json(",\"ph\":")
        .json(&js(&ph))
        .json(",\"bm\":")
        .json(bm)
        .json("}");
    let bytes = sc.finish();
    let entry = format!("search/manifest-{}.js", hash_name(&bytes));
    files.push((entry.clone(), bytes.into()));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_serde_json_records_script_escaped() {
        let tricky = "引号\"反斜杠\\换行\n回车\r制表\t\u{8}\u{c}\u{1}\u{1f}\u{7f}</script>'é😀\u{2028}\u{2029}“”";
        let mut cases = Vec::new();
        for bc in [
            vec![],
            vec!["清单".to_owned()],
            vec![tricky.to_owned(), "a".into()],
        ] {
            for code in ["", "fn main() {}", tricky] {
                cases.push(Section {
                    page: "a.html".into(),
                    anchor: "t-1".into(),
                    page_title: "标题".into(),
                    heading: tricky.into(),
                    breadcrumb: bc.clone(),
                    text: format!("正文 {tricky}"),
                    code: code.into(),
                });
            }
        }
        cases.push(Section {
            page: String::new(),
            anchor: String::new(),
            page_title: String::new(),
            heading: String::new(),
            breadcrumb: vec![],
            text: String::new(),
            code: String::new(),
        });
        for s in &cases {
            // The reference: serde_json's record, then the script escaping.
            let json = if s.code.is_empty() {
                js(&(&s.anchor, &s.heading, &s.breadcrumb, &s.text))
            } else {
                js(&(&s.anchor, &s.heading, &s.breadcrumb, &s.text, &s.code))
            };
            let mut want = String::new();
            escape_into(&mut want, &json[1..]);
            let (len, esc) = record(s);
            assert_eq!(len, json.len() - 1, "{s:?}");
            assert_eq!(esc, want, "{s:?}");
        }
    }
}
