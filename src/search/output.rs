//! Output files: the JSON payloads wrapped as classic scripts (`GS.load('…')`), sharding and
//! content hashes.
//!
//! Owns: the payload schema `search.js` reads (version `v: 1`), the switch from one
//! `search/index-<hash>.js` to `search/manifest-<hash>.js` + `t-XXX-<hash>.js` term shards +
//! `s-XXX-<hash>.js` section shards + `p-<hash>.js` pinyin and Latin vocabulary (loaded only
//! by queries that need it), the content hash in file names (`content_hash`) and the
//! 32-bit FNV-1a hash of term → shard (mirrored in search.js).
//!
//! Must never: emit ES modules, anything that needs `fetch`, or bytes that depend on map
//! iteration order; never panic (serialisation failures degrade to an empty payload).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};

use super::index::{
    coarse_code, encode_postings_text, push_b32, resolve_impact, split_count, Columns, Index,
    Posting, BODY, FIELD_B, FIELD_WEIGHT, K1, MAX_IMPACT, PIVOT, SCALE,
};
use super::pinyin::{override_lines, CharTable, VocabEntry};
use super::tokenize::is_cjk;
use super::{Layout, SearchOutput, Section};

/// Estimated gzipped bytes above which the index is sharded.
pub const SHARD_THRESHOLD: usize = 300 * 1024;
/// Target raw bytes of postings per term shard.
pub(super) const TERM_SHARD_BYTES: usize = 24 * 1024;
/// Target raw bytes per section shard.
pub(super) const SECTION_SHARD_BYTES: usize = 24 * 1024;
/// Latin vocabulary kept for prefix and typo lookups.
pub(super) const MAX_LATIN: usize = 20_000;

/// FNV-1a, 32-bit: term → shard (search.js computes the same).
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

pub(super) fn hash_name(bytes: &[u8]) -> String {
    let h = format!("{:016x}", content_hash(bytes));
    h[..10].to_owned()
}

/// A 64-bit content hash for file names: the site's file digest (`digest::digest`, four lanes of
/// eight bytes per step; a build hashes megabytes of index files).
pub fn content_hash(bytes: &[u8]) -> u64 {
    crate::digest::digest(bytes)
}

/// Wraps JSON text as `GS.load('…');` (JSON inside a JS string: parsed with `JSON.parse`).
pub fn script(json: &str) -> Vec<u8> {
    let mut s = String::with_capacity(json.len() + 16);
    s.push_str(SCRIPT_HEAD);
    escape_into(&mut s, json);
    s.push_str(SCRIPT_TAIL);
    s.into_bytes()
}

/// What `script` puts before and after the escaped JSON.
pub(super) const SCRIPT_HEAD: &str = "GS.load('";
pub(super) const SCRIPT_TAIL: &str = "');\n";

/// The character-wise escaping `script` applies (so escaping pieces and joining them equals
/// escaping the joined text).
pub(super) fn escape_into(s: &mut String, json: &str) {
    let b = json.as_bytes();
    let mut done = 0;
    let mut i = 0;
    while i < b.len() {
        if !SPECIAL[usize::from(b[i])] {
            i += 1;
            continue;
        }
        let Some((rep, len)) = script_escape(b, i) else {
            i += 1;
            continue;
        };
        s.push_str(&json[done..i]);
        s.push_str(rep);
        i += len;
        done = i;
    }
    s.push_str(&json[done..]);
}

/// The escape the script's single-quoted string needs for the character at `b[i]` (the JSON
/// text's backslashes, quotes, `<` so no `</script>` can form, and the line separators old
/// engines reject in strings), and the character's length in bytes.
fn script_escape(b: &[u8], i: usize) -> Option<(&'static str, usize)> {
    match b[i] {
        b'\\' => Some(("\\\\", 1)),
        b'\'' => Some(("\\'", 1)),
        b'<' => Some(("\\x3c", 1)),
        0xE2 if b.get(i + 1) == Some(&0x80) && b.get(i + 2) == Some(&0xA8) => Some(("\\u2028", 3)),
        0xE2 if b.get(i + 1) == Some(&0x80) && b.get(i + 2) == Some(&0xA9) => Some(("\\u2029", 3)),
        _ => None,
    }
}

/// Bytes that `escape_into` or `push_json_str` may rewrite: everything else is copied in runs.
static SPECIAL: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        t[b] = true;
        b += 1;
    }
    t[b'"' as usize] = true;
    t[b'\\' as usize] = true;
    t[b'\'' as usize] = true;
    t[b'<' as usize] = true;
    t[0xE2] = true;
    t
};

/// `escape_into(out, &js(text))` in one pass, without the JSON text in between: `text` as a
/// JSON string, escaped for the script's single-quoted string (the search records are most of
/// the bytes the index writes).
pub(super) fn push_json_str(out: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    let b = text.as_bytes();
    let mut done = 0;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if !SPECIAL[usize::from(c)] {
            i += 1;
            continue;
        }
        // JSON's escapes (serde_json's), then `escape_into`'s on top: a JSON backslash doubles.
        let (rep, len): (&str, usize) = match c {
            b'"' => ("\\\\\"", 1),
            b'\\' => ("\\\\\\\\", 1),
            b'\n' => ("\\\\n", 1),
            b'\r' => ("\\\\r", 1),
            b'\t' => ("\\\\t", 1),
            0x08 => ("\\\\b", 1),
            0x0c => ("\\\\f", 1),
            0..=0x1f => ("", 1),
            _ => match script_escape(b, i) {
                Some(r) => r,
                None => {
                    i += 1;
                    continue;
                }
            },
        };
        out.push_str(&text[done..i]);
        if rep.is_empty() {
            // Other control characters: JSON's \u00XX, its backslash doubled.
            out.push_str("\\\\u00");
            out.push(char::from(HEX[usize::from(c >> 4)]));
            out.push(char::from(HEX[usize::from(c & 0xf)]));
        } else {
            out.push_str(rep);
        }
        i += len;
        done = i;
    }
    out.push_str(&text[done..]);
    out.push('"');
}

/// JSON text of any serialisable value ("null" if serialisation fails, which it cannot for
/// these types).
pub(super) fn js<T: serde::Serialize + ?Sized>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".to_owned())
}

/// A JSON object from (key, JSON text) pairs, in the given order.
pub(super) fn obj(fields: &[(&str, &str)]) -> String {
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
    /// One JSON record per section: [page, anchor, heading, breadcrumb, text(, code)].
    secs: Vec<String>,
    latin: String,
    py: String,
    chars: String,
}

fn common<'a>(
    sections: &'a [Section],
    idx: &Index,
    vocab: &[VocabEntry],
    chars: &CharTable,
) -> Common<'a> {
    let mut page_ids: BTreeMap<&str, usize> = BTreeMap::new();
    let mut pages: Vec<(&str, &str)> = Vec::new();
    let mut secs = Vec::with_capacity(sections.len());
    let mut sec_page = Vec::with_capacity(sections.len());
    for s in sections {
        let pid = *page_ids.entry(s.page.as_str()).or_insert_with(|| {
            pages.push((&s.page, &s.page_title));
            pages.len() - 1
        });
        sec_page.push(pid);
        secs.push(if s.code.is_empty() {
            js(&(pid, &s.anchor, &s.heading, &s.breadcrumb, &s.text))
        } else {
            js(&(pid, &s.anchor, &s.heading, &s.breadcrumb, &s.text, &s.code))
        });
    }
    let latin: Vec<&String> = idx
        .word_terms
        .iter()
        .filter(|t| t.chars().any(char::is_alphabetic))
        .take(MAX_LATIN)
        .collect();
    // Readings are not shipped: search.js recomputes them from `chars` + `ovr` exactly as
    // `pinyin::readings` does (checked by tests/search/vectors.js).
    let py = json!({
        "t": vocab.iter().map(|e| e.term.as_str()).collect::<Vec<_>>(),
        "c": vocab.iter().map(|e| e.count).collect::<Vec<_>>(),
        "ovr": override_lines(),
    });
    Common {
        pages: js(&pages),
        page_list: pages,
        sec_page,
        secs,
        latin: js(&latin),
        py: js(&py),
        chars: js(chars),
    }
}

/// Writes the search files.
pub fn write(
    sections: &[Section],
    idx: &Index,
    vocab: &[VocabEntry],
    chars: &CharTable,
    layout: Layout,
) -> SearchOutput {
    let c = common(sections, idx, vocab, chars);
    let n = js(&sections.len());
    let bm = js(&bm25_params());

    // One file: the section records carry all indexed text, and search.js derives the postings
    // (same tokenizer, same BM25F constants) when it loads. For a guide-sized site that is far
    // smaller than shipping postings (measured on the real guide: postings alone gzip to about
    // the size of the text) and costs a few milliseconds once.
    let sharded = match layout {
        Layout::Single => false,
        Layout::Sharded => true,
        Layout::Auto => estimate_gzip(sections) > SHARD_THRESHOLD,
    };
    if !sharded {
        let secs = arr(&c.secs);
        let bytes = script(&obj(&[
            ("v", "1"),
            ("k", "\"single\""),
            ("n", &n),
            ("pages", &c.pages),
            ("secs", &secs),
            ("bm", &bm),
            ("py", &c.py),
            ("chars", &c.chars),
        ]));
        let path = format!("search/index-{}.js", hash_name(&bytes));
        return SearchOutput {
            files: vec![(path.clone(), bytes.into())],
            entry: path,
        };
    }

    let mut files = Vec::new();
    let posts: Vec<(&String, String)> = idx
        .terms
        .iter()
        .map(|(t, l)| (t, encode_postings_text(l)))
        .collect();
    // Term shards. A CJK character whose terms would fill more than a few shards on their own
    // is split: its terms are placed by the whole term (listed in the manifest as `split`).
    let total: usize = posts.iter().map(|p| p.0.len() + p.1.len() + 6).sum();
    let nshards = (total / TERM_SHARD_BYTES)
        .clamp(16, 4096)
        .next_power_of_two();
    let mut per_char: BTreeMap<char, usize> = BTreeMap::new();
    for (t, p) in &posts {
        if let Some(c) = t.chars().next().filter(|&c| is_cjk(c)) {
            *per_char.entry(c).or_insert(0) += t.len() + p.len() + 6;
        }
    }
    let split: BTreeSet<char> = per_char
        .into_iter()
        .filter(|&(_, size)| size > 4 * TERM_SHARD_BYTES)
        .map(|(c, _)| c)
        .collect();
    // A split character's one-character query cannot scan its terms (they are spread over many
    // shards), so it gets one precomputed list: every section containing the character, with the
    // best impact of its terms there and no positions, stored as term "\u{1}<char>" in the
    // character's own shard.
    let mut char_posts: Vec<(String, String)> = Vec::new();
    for &c in &split {
        let mut best: BTreeMap<u32, u32> = BTreeMap::new();
        for (t, list) in &idx.terms {
            let mut it = t.chars();
            let (a, b, rest) = (it.next(), it.next(), it.next());
            if rest.is_none() && (a == Some(c) || (b == Some(c) && a.is_some_and(is_cjk))) {
                for p in list {
                    let body = idx.field_len.get(p.section as usize).map_or(0, |l| l[BODY]);
                    let imp = resolve_impact(p.impact, p.positions.len(), body);
                    let e = best.entry(p.section).or_insert(0);
                    *e = (*e).max(imp);
                }
            }
        }
        let list: Vec<Posting> = best
            .into_iter()
            .map(|(section, impact)| Posting {
                section,
                impact,
                positions: Vec::new(),
            })
            .collect();
        char_posts.push((format!("\u{1}{c}"), encode_postings_text(&list)));
    }
    let mut posts = posts;
    posts.extend(char_posts.iter().map(|(t, p)| (t, p.clone())));
    let mut buckets: Vec<Vec<usize>> = vec![Vec::new(); nshards];
    for (i, (t, _)) in posts.iter().enumerate() {
        let key = match t.strip_prefix('\u{1}') {
            Some(c) => c.to_owned(),
            None => shard_key_split(t, &split),
        };
        let b = fnv1a32(key.as_bytes()) as usize & (nshards - 1);
        buckets[b].push(i);
    }
    // Vocabulary strings ride with the shard of their first two characters, so a CJK query
    // knows the words starting at the bigrams it loads (search.js weighs long runs by them)
    // without loading the pinyin file.
    let vocab_b = vocab_buckets(vocab.iter().map(|e| e.term.as_str()), &split, nshards);
    let mut term_hashes = Vec::with_capacity(nshards);
    for (b, members) in buckets.iter().enumerate() {
        if members.is_empty() {
            term_hashes.push(String::new());
            continue;
        }
        let terms: Vec<&String> = members.iter().map(|&i| posts[i].0).collect();
        let mut cols = Columns::default();
        for &i in members {
            let (count, rest) = split_count(&posts[i].1);
            cols.push(count, rest);
        }
        let cols = cols.finish();
        let mut fields = vec![
            ("k", "\"t\"".to_owned()),
            ("i", js(&b)),
            ("terms", js(&terms)),
            ("c", js(&cols)),
        ];
        if !vocab_b[b].is_empty() {
            fields.push(("v", js(&vocab_b[b])));
        }
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let bytes = script(&obj(&fields));
        let h = hash_name(&bytes);
        files.push((format!("search/t-{b:03x}-{h}.js"), bytes));
        term_hashes.push(h);
    }
    // Section shards: consecutive sections, ~SECTION_SHARD_BYTES each.
    let mut starts = Vec::new();
    let mut sec_hashes = Vec::new();
    let mut i = 0;
    while i < c.secs.len() {
        let start = i;
        let mut size = 0;
        while i < c.secs.len() && (i == start || size < SECTION_SHARD_BYTES) {
            size += c.secs[i].len();
            i += 1;
        }
        let n = starts.len();
        // The pages these sections belong to: {page index: [url, title]}.
        let mut pg: BTreeMap<usize, (&str, &str)> = BTreeMap::new();
        for &p in &c.sec_page[start..i] {
            if let Some(e) = c.page_list.get(p) {
                pg.insert(p, *e);
            }
        }
        let bytes = script(&obj(&[
            ("k", "\"s\""),
            ("i", &js(&n)),
            ("start", &js(&start)),
            ("pages", &js(&pg)),
            ("secs", &arr(&c.secs[start..i])),
        ]));
        let h = hash_name(&bytes);
        files.push((format!("search/s-{n:03x}-{h}.js"), bytes));
        starts.push(start);
        sec_hashes.push(h);
    }
    // Pinyin and Latin vocabulary: only queries typed in Latin letters (and homophone checks)
    // need it, so it is a file of its own, loaded on demand.
    let pbytes = script(&obj(&[
        ("k", "\"p\""),
        ("latin", &c.latin),
        ("py", &c.py),
        ("chars", &c.chars),
    ]));
    let ph = hash_name(&pbytes);
    files.push((format!("search/p-{ph}.js"), pbytes));
    let bytes = script(&obj(&[
        ("v", "1"),
        ("k", "\"manifest\""),
        ("n", &n),
        ("ts", &js(&nshards)),
        ("split", &js(&split.iter().collect::<String>())),
        ("th", &js(&term_hashes)),
        ("ss", &js(&starts)),
        ("sh", &js(&sec_hashes)),
        ("pc", &js(&page_runs(&c.sec_page))),
        (
            "bl",
            &js(&body_codes(idx.field_len.iter().map(|l| l[BODY]))),
        ),
        ("ph", &js(&ph)),
        ("bm", &bm),
    ]));
    let entry = format!("search/manifest-{}.js", hash_name(&bytes));
    files.push((entry.clone(), bytes));
    files.sort_by(|a, b| a.0.cmp(&b.0));
    let files = files.into_iter().map(|(p, b)| (p, b.into())).collect();
    SearchOutput { files, entry }
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

/// Every section's body length for the sharded manifest (`bl`): `coarse_code` as a character
/// varint per section, so the client can compute the impacts stored as 0 (`stored_impact`).
pub(super) fn body_codes(lens: impl Iterator<Item = u32>) -> String {
    let mut out = String::new();
    for len in lens {
        push_b32(&mut out, coarse_code(len));
    }
    out
}

/// Per term shard, the vocabulary strings placed there (by the shard of their first two
/// characters), in string order.
pub(super) fn vocab_buckets<'a>(
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
pub(super) fn bm25_params() -> Value {
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
