//! The inverted index: terms → postings with positions and a per-section BM25F impact.
//!
//! Owns: the per-section position space (fields laid out title, heading, breadcrumb, body, code
//! with a gap between fields so no phrase spans two fields), field lengths, BM25F weights, the
//! stored impacts (0 for body-only terms), and the encodings of postings: character varints as
//! the cache keeps them, and the term shards' columns with Rice-coded positions that
//! `search.js` decodes.
//!
//! An impact is the BM25F term-frequency part only, normalised by fixed per-field pivot lengths
//! (`PIVOT`) instead of corpus averages, so it depends on nothing but its own section: an edit
//! changes only the postings of the edited section's terms. The client multiplies it by the
//! idf it computes from the posting list's length at query time.
//!
//! Must never: let map iteration order reach the output (everything is a `BTreeMap` or sorted),
//! panic on empty or huge input, or store anything the client cannot decode.

use std::collections::{BTreeMap, HashMap};

use super::fxhash::FxBuild;
use super::tokenize::{normalize, tokenize_normalized, Kind};
use super::Section;

/// Field order inside a section's position space.
pub const FIELDS: usize = 5;
/// BM25F field weights: page title, heading, breadcrumb, body, code.
pub const FIELD_WEIGHT: [f64; FIELDS] = [4.0, 5.0, 1.5, 1.0, 0.3];
/// Length normalisation per field.
pub const FIELD_B: [f64; FIELDS] = [0.5, 0.5, 0.5, 0.75, 0.75];
pub const K1: f64 = 1.2;
/// Length normalisation pivots per field (tokens), in place of corpus averages.
pub const PIVOT: [f64; FIELDS] = [6.0, 5.0, 4.0, 100.0, 20.0];
/// Impacts are stored as round(saturated tf × SCALE), 1..=31 (one varint character).
pub const SCALE: f64 = 14.0;
/// Largest stored impact.
pub const MAX_IMPACT: u32 = 31;

/// A field length rounded down to its three leading bits (steps of 12.5–25 %), so a small edit
/// rarely changes the impacts of a section's other terms (and the shards they live in).
pub fn coarse_len(len: u32) -> u32 {
    if len < 8 {
        return len;
    }
    let shift = 29 - len.leading_zeros();
    (len >> shift) << shift
}

/// The stored impact of a term with per-field frequencies `tf` in a section with field lengths
/// `lens` (search.js computes the same for the one-file layout).
pub fn impact(tf: &[u32; FIELDS], lens: &[u32; FIELDS]) -> u32 {
    let mut tfw = 0.0;
    for f in 0..FIELDS {
        if tf[f] > 0 {
            let len = f64::from(coarse_len(lens[f]));
            let norm = 1.0 - FIELD_B[f] + FIELD_B[f] * len / PIVOT[f];
            tfw += FIELD_WEIGHT[f] * f64::from(tf[f]) / norm;
        }
    }
    let w = tfw * (K1 + 1.0) / (K1 + tfw) * SCALE;
    // Non-negative and below 2^31: `as` truncates, `x - trunc(x)` is exact.
    let t = w as u32;
    let r = if w - f64::from(t) >= 0.5 { t + 1 } else { t };
    r.clamp(1, MAX_IMPACT)
}

/// Field index of the body.
pub const BODY: usize = 3;

/// The impact as posting lists store it: 0 for a term that occurs only in the section's body
/// (most terms), whose impact the client computes from its position count and the section's
/// coarse body length (`body_impact`; the manifest ships every section's `coarse_code`), else
/// `impact`. Term shards then spend no impact bits on most members; since the stored value
/// depends only on the term's own frequencies, an edit that changes a section's body length
/// changes no stored 0.
pub fn stored_impact(tf: &[u32; FIELDS], lens: &[u32; FIELDS]) -> u32 {
    if is_body_only(tf) {
        0
    } else {
        impact(tf, lens)
    }
}

/// Whether a term's frequencies are all in the body.
fn is_body_only(tf: &[u32; FIELDS]) -> bool {
    tf.iter().enumerate().all(|(f, &n)| (f == BODY) == (n > 0))
}

/// The impact of a term with `count` occurrences, all in the body, in a section whose body has
/// `body_len` tokens: what a stored 0 stands for (search.js computes the same).
pub fn body_impact(count: usize, body_len: u32) -> u32 {
    let mut tf = [0; FIELDS];
    tf[BODY] = u32::try_from(count).unwrap_or(u32::MAX);
    let mut lens = [0; FIELDS];
    lens[BODY] = body_len;
    impact(&tf, &lens)
}

/// `impact` for a stored impact: a stored 0 resolved with `body_impact`.
pub fn resolve_impact(stored: u32, count: usize, body_len: u32) -> u32 {
    if stored == 0 {
        body_impact(count, body_len)
    } else {
        stored
    }
}

/// A field length as the manifest ships it: `coarse_len`'s value as a small code (lengths
/// below 8 as themselves, else 4 × shift + the three leading bits), so most sections take one
/// character. search.js decodes it as `c < 8 ? c : (4 + (c & 3)) << ((c >> 2) - 1)`.
pub fn coarse_code(len: u32) -> u32 {
    if len < 8 {
        return len;
    }
    let shift = 29 - len.leading_zeros();
    4 * shift + (len >> shift)
}

/// One section in one term's posting list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Posting {
    pub section: u32,
    /// As stored (`stored_impact`: 0 for body-only terms).
    pub impact: u32,
    pub positions: Vec<u32>,
}

/// The built index.
#[derive(Debug, Clone, Default)]
pub struct Index {
    pub terms: BTreeMap<String, Vec<Posting>>,
    /// Terms of kind `Word` (Latin/digits).
    pub word_terms: Vec<String>,
    /// Token count per field per section.
    pub field_len: Vec<[u32; FIELDS]>,
    /// Indexed UTF-8 bytes (all fields, page title counted once per page).
    pub text_bytes: usize,
}

struct Acc {
    section: u32,
    tf: [u32; FIELDS],
    positions: Vec<u32>,
}

/// The breadcrumb as indexed (and as search.js indexes it): entries other than the page title.
pub fn breadcrumb_text(s: &Section) -> String {
    let parts: Vec<&str> = s
        .breadcrumb
        .iter()
        .map(String::as_str)
        .filter(|b| *b != s.page_title)
        .collect();
    parts.join(" › ")
}

/// Builds the index over `sections` (section id = position in the slice).
pub fn build(sections: &[Section]) -> Index {
    // Sections are visited in order, so each term's list grows in section order; the map is only
    // looked up here and sorted (into a BTreeMap) before anything leaves this function.
    let mut acc: HashMap<String, (Kind, Vec<Acc>), FxBuild> = HashMap::default();
    let mut field_len = Vec::with_capacity(sections.len());
    let mut text_bytes = 0usize;
    let mut last_page: Option<&str> = None;
    for (id, s) in sections.iter().enumerate() {
        let id = u32::try_from(id).unwrap_or(u32::MAX);
        // The page title is its own field: leave it out of the breadcrumb so it is not indexed twice.
        let bc = breadcrumb_text(s);
        // Checklist items share their group's title as heading: only the first of a run of
        // sections with the same page and heading indexes it (the rest still have it in the
        // breadcrumb), so a checklist page does not win on one repeated heading.
        let repeated = id > 0
            && sections
                .get(id as usize - 1)
                .is_some_and(|p| p.page == s.page && p.heading == s.heading);
        let heading = if repeated { "" } else { s.heading.as_str() };
        let fields: [&str; FIELDS] = [&s.page_title, heading, &bc, &s.text, &s.code];
        if last_page != Some(s.page.as_str()) {
            text_bytes += s.page_title.len();
            last_page = Some(s.page.as_str());
        }
        text_bytes += s.heading.len() + s.text.len() + s.code.len();
        let mut lens = [0u32; FIELDS];
        let mut next = 0u32;
        for (f, text) in fields.iter().enumerate() {
            let (toks, end) = tokenize_normalized(&normalize(text), next);
            lens[f] = u32::try_from(toks.len()).unwrap_or(u32::MAX);
            for t in toks {
                let list = match acc.get_mut(t.text.as_str()) {
                    Some(e) => &mut e.1,
                    None => &mut acc.entry(t.text).or_insert((t.kind, Vec::new())).1,
                };
                if list.last().is_none_or(|a| a.section != id) {
                    list.push(Acc {
                        section: id,
                        tf: [0; FIELDS],
                        positions: Vec::new(),
                    });
                }
                if let Some(a) = list.last_mut() {
                    a.tf[f] += 1;
                    a.positions.push(t.pos);
                }
            }
            // One empty position between fields: no adjacency across them.
            next = end.saturating_add(1);
        }
        field_len.push(lens);
    }

    let mut terms = BTreeMap::new();
    let mut word_terms = Vec::new();
    for (term, (kind, secs)) in acc {
        let mut list = Vec::with_capacity(secs.len());
        for a in secs {
            let sec = a.section;
            let lens = field_len.get(sec as usize).copied().unwrap_or([0; FIELDS]);
            list.push(Posting {
                section: sec,
                impact: stored_impact(&a.tf, &lens),
                positions: a.positions,
            });
        }
        if kind == Kind::Word {
            word_terms.push(term.clone());
        }
        terms.insert(term, list);
    }
    word_terms.sort();
    Index {
        terms,
        word_terms,
        field_len,
        text_bytes,
    }
}

/// Alphabet of the text varints: 5 data bits per character, 32 = "more characters follow".
pub const B32: &[u8; 64] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";

/// Appends `v` as a character varint (5 bits per character, low bits first). Character-aligned
/// numbers gzip about 12 % better than base64 of byte varints, and need no escaping in JSON.
pub fn push_b32(out: &mut String, mut v: u32) {
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

/// Appends one section's part of a posting list after its section delta: one character for
/// the stored impact (0..=31, `stored_impact`) with bit 32 set unless the term has exactly one
/// position, then (bit set) the position count as a varint, then the position deltas (first
/// absolute).
pub fn push_fragment(out: &mut String, impact: u32, positions: &[u32]) {
    let one = positions.len() == 1;
    let head = impact.min(MAX_IMPACT) | if one { 0 } else { 32 };
    out.push(char::from(B32[head as usize]));
    if !one {
        push_b32(out, u32::try_from(positions.len()).unwrap_or(u32::MAX));
    }
    let mut last = 0u32;
    for &pos in positions {
        push_b32(out, pos.wrapping_sub(last));
        last = pos;
    }
}

/// Encodes one posting list as the cache keeps it: the count, then per section its delta from
/// the previous one and `push_fragment`. Term shards ship it split by `Columns::push`.
pub fn encode_postings_text(list: &[Posting]) -> String {
    let mut out = String::new();
    push_b32(&mut out, u32::try_from(list.len()).unwrap_or(u32::MAX));
    let mut prev = 0u32;
    for p in list {
        push_b32(&mut out, p.section.wrapping_sub(prev));
        prev = p.section;
        push_fragment(&mut out, p.impact, &p.positions);
    }
    out
}

/// Splits an `encode_postings_text` list into its count varint and its members.
pub fn split_count(text: &str) -> (&str, &str) {
    let mut end = 0;
    read_b32(text.as_bytes(), &mut end)
        .and_then(|_| Some((text.get(..end)?, text.get(end..)?)))
        .unwrap_or(("", text))
}

/// The four columns of a term shard, which `search.js` reads in step. Deflate codes one kind
/// of number at a time in them (its Huffman tables follow the data block by block), which makes
/// term shards smaller than lists written member after member.
///
/// - 0: per list, its count, its Rice parameter `k` and its members' section deltas
///   (character varints);
/// - 1: per member, its impact character (`push_fragment`'s head: a stored impact, bit 32 set
///   when a position count follows);
/// - 2: those position counts (character varints);
/// - 3: every position delta (per member the first position absolute, then gaps) Rice-coded
///   with its list's `k`: the quotient `d >> k` in unary (ones, then a zero), then the low
///   `k` bits, most significant first; the bits fill the `B32` alphabet's 64 characters six at
///   a time, high bit first. Positions are most of a shard's information, and deflate cannot
///   find the bits in character varints that Rice codes leave out (measured on the N=1000
///   corpus: term shards 7 % smaller than with varint positions).
#[derive(Default)]
pub struct Columns {
    text: [Vec<u8>; 3],
    bits: BitChars,
    /// One list's position deltas, reused.
    gaps: Vec<u32>,
}

impl Columns {
    /// Empties the columns for the next shard (keeping their buffers).
    pub fn clear(&mut self) {
        self.text.iter_mut().for_each(Vec::clear);
        self.bits.out.clear();
        (self.bits.acc, self.bits.n) = (0, 0);
    }

    /// Appends one posting list: `count` is its count (encoded) and `members` the list as
    /// `encode_postings_text` writes it after the count. Section deltas, heads and counts are
    /// copied as they are (so the columns hold only ASCII), positions re-coded; a byte outside
    /// the alphabet or a cut-off varint ends the list there.
    pub fn push(&mut self, count: &str, members: &str) {
        let [deltas, heads, counts] = &mut self.text;
        deltas.extend_from_slice(count.as_bytes());
        // The list's Rice parameter (one character: k < 32) goes here once the gaps are known.
        let k_at = deltas.len();
        deltas.push(B32[0]);
        self.gaps.clear();
        let b = members.as_bytes();
        // About as many characters as the varints had.
        self.bits.out.reserve(b.len());
        let mut i = 0usize;
        // Byte by byte: most varints are one or two characters, too short for a copy call each.
        'members: while i < b.len() {
            if copy_b32s(b, &mut i, 1, deltas).is_none() {
                break;
            }
            let Some(&h) = b.get(i).filter(|&&h| B32_KIND[usize::from(h)] != 2) else {
                break;
            };
            heads.push(h);
            i += 1;
            let n = if b32_val(h) & 32 == 0 {
                1
            } else {
                let st = i;
                let Some(n) = read_b32(b, &mut i) else { break };
                let Some(c) = b.get(st..i).filter(|c| c.is_ascii()) else {
                    break;
                };
                counts.extend_from_slice(c);
                n
            };
            for _ in 0..n {
                let Some(g) = read_b32(b, &mut i) else {
                    break 'members;
                };
                self.gaps.push(g);
            }
        }
        let k = rice_k(&self.gaps);
        deltas[k_at] = B32[k as usize & 31];
        for &g in &self.gaps {
            self.bits.rice(g, k);
        }
    }

    /// The four columns as text (ASCII: only alphabet characters are ever written).
    pub fn finish(&mut self) -> [&str; 4] {
        self.bits.flush();
        let [a, b, c] = &self.text;
        [a, b, c, &self.bits.out].map(|c| std::str::from_utf8(c).unwrap_or(""))
    }
}

/// The Rice parameter for a list's position gaps: the `k` in 0..=31 that codes them in the
/// fewest bits (the smallest such `k`), searched around log2 of their mean.
pub fn rice_k(gaps: &[u32]) -> u32 {
    if gaps.is_empty() {
        return 0;
    }
    let sum: u64 = gaps.iter().map(|&g| u64::from(g)).sum();
    let mean = sum / gaps.len() as u64;
    let guess = 63 - (mean | 1).leading_zeros();
    // The quotients' sums for k = lo..lo + 3, in one pass.
    let lo = guess.saturating_sub(2);
    let mut q = [0u64; 4];
    for &g in gaps {
        for (j, s) in q.iter_mut().enumerate() {
            *s += u64::from(g.checked_shr(lo + j as u32).unwrap_or(0));
        }
    }
    let (mut best, mut best_cost) = (0, u64::MAX);
    for (j, s) in q.iter().enumerate() {
        let k = lo + j as u32;
        if k > 31 {
            break;
        }
        let c = s + (1 + u64::from(k)) * gaps.len() as u64;
        if c < best_cost {
            (best, best_cost) = (k, c);
        }
    }
    best
}

/// Bits written six to a character of the `B32` alphabet, high bit first.
#[derive(Default)]
struct BitChars {
    out: Vec<u8>,
    /// Bits not yet written: the low `n` bits of `acc` (n < 30 between calls).
    acc: u64,
    n: u32,
}

impl BitChars {
    /// Appends the low `n` bits of `v` (n ≤ 34), high bit first. Whole characters leave in
    /// fives (one capacity check per five).
    #[inline]
    fn put(&mut self, v: u64, n: u32) {
        self.acc = (self.acc << n) | (v & ((1u64 << n) - 1));
        self.n += n;
        if self.n >= 30 {
            self.n -= 30;
            let w = self.acc >> self.n;
            self.out.extend_from_slice(&[
                B32[(w >> 24 & 63) as usize],
                B32[(w >> 18 & 63) as usize],
                B32[(w >> 12 & 63) as usize],
                B32[(w >> 6 & 63) as usize],
                B32[(w & 63) as usize],
            ]);
        }
    }

    /// Appends `v` Rice-coded with parameter `k` (≤ 31).
    #[inline]
    fn rice(&mut self, v: u32, k: u32) {
        let mut q = v >> k;
        while q >= 32 {
            self.put(u64::MAX, 32);
            q -= 32;
        }
        // q ones, then a zero, then the low k bits.
        let low = u64::from(v) & ((1u64 << k) - 1);
        if q + 1 + k <= 34 {
            self.put((((1u64 << q) - 1) << (k + 1)) | low, q + 1 + k);
        } else {
            self.put(((1u64 << q) - 1) << 1, q + 1);
            self.put(low, k);
        }
    }

    /// Writes the bits still held, the last character padded with zero bits.
    fn flush(&mut self) {
        while self.n >= 6 {
            self.n -= 6;
            self.out.push(B32[(self.acc >> self.n & 63) as usize]);
        }
        if self.n > 0 {
            self.out.push(B32[(self.acc << (6 - self.n) & 63) as usize]);
            self.n = 0;
        }
    }
}

/// Per byte: 1 for a character that ends a varint (values below 32), 0 for one that does not,
/// 2 for a byte outside the alphabet.
const B32_KIND: [u8; 256] = {
    let mut t = [2u8; 256];
    let mut d = 0;
    while d < 64 {
        t[B32[d] as usize] = if d < 32 { 1 } else { 0 };
        d += 1;
    }
    t
};

/// Copies the `n` character varints at `*i` to `out` (None if `b` ends first or holds a byte
/// outside the alphabet there).
#[inline]
fn copy_b32s(b: &[u8], i: &mut usize, n: u32, out: &mut Vec<u8>) -> Option<()> {
    let mut left = n;
    while left > 0 {
        let c = *b.get(*i)?;
        let kind = B32_KIND[usize::from(c)];
        if kind == 2 {
            return None;
        }
        *i += 1;
        out.push(c);
        left -= u32::from(kind);
    }
    Some(())
}

/// Value of one character of the varint alphabet (`B32`); characters outside it read as 63.
#[inline]
pub fn b32_val(c: u8) -> u32 {
    u32::from(B32_VAL[usize::from(c)])
}

/// `b32_val` of every byte.
const B32_VAL: [u8; 256] = {
    let mut t = [63u8; 256];
    let mut d = 0;
    while d < 64 {
        t[B32[d] as usize] = d as u8;
        d += 1;
    }
    t
};

/// Reads one character varint at `*i` (None at the end of `b` or on overflow).
#[inline(always)]
fn read_b32(b: &[u8], i: &mut usize) -> Option<u32> {
    let (mut v, mut shift) = (0u32, 0u32);
    loop {
        let d = b32_val(*b.get(*i)?);
        *i += 1;
        v |= (d & 31).checked_shl(shift)?;
        shift += 5;
        if d & 32 == 0 {
            return Some(v);
        }
    }
}

/// Calls `f(section, impact, positions)` for each member of a posting list without its leading
/// count (per member: the section delta, then `push_fragment`). None on malformed text.
pub fn each_posting(text: &str, mut f: impl FnMut(u32, u32, &[u32])) -> Option<()> {
    let b = text.as_bytes();
    let (mut i, mut sec) = (0usize, 0u32);
    let mut positions = Vec::new();
    while i < b.len() {
        sec = sec.wrapping_add(read_b32(b, &mut i)?);
        let head = b32_val(*b.get(i)?);
        i += 1;
        let n = if head & 32 == 0 {
            1
        } else {
            read_b32(b, &mut i)?
        };
        positions.clear();
        let mut p = 0u32;
        for _ in 0..n {
            p = p.wrapping_add(read_b32(b, &mut i)?);
            positions.push(p);
        }
        f(sec, head & 31, &positions);
    }
    Some(())
}

/// Decodes `encode_postings_text` (None on malformed text).
pub fn decode_postings_text(s: &str) -> Option<Vec<Posting>> {
    let b = s.as_bytes();
    let mut i = 0usize;
    let n = read_b32(b, &mut i)?;
    let mut out = Vec::new();
    each_posting(s.get(i..)?, |section, impact, positions| {
        out.push(Posting {
            section,
            impact,
            positions: positions.to_vec(),
        });
    })?;
    (out.len() == n as usize).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sec(heading: &str, text: &str) -> Section {
        Section {
            page: "p.html".into(),
            anchor: heading.into(),
            page_title: "指南".into(),
            heading: heading.into(),
            breadcrumb: vec!["第一部分".into()],
            text: text.into(),
            code: "curl x".into(),
        }
    }

    #[test]
    fn positions_are_per_field_with_gaps() {
        let idx = build(&[sec("投诉", "先投诉")]);
        // title 指南@0, heading 投诉@2, breadcrumb 第一@4…, body 先投@?, 投诉@?
        let p = &idx.terms["投诉"][0];
        assert_eq!(p.positions.len(), 2);
        assert_eq!(p.positions[0], 2);
        assert_eq!(idx.field_len[0], [1, 1, 3, 2, 2]);
        assert!(idx.word_terms.contains(&"curl".to_string()));
        assert!(!idx.terms.contains_key("南投"));
    }

    #[test]
    fn heading_hits_outweigh_body_hits() {
        let idx = build(&[
            sec("投诉", "正文"),
            sec("其他", "正文里有投诉"),
            sec("x", "y"),
        ]);
        let l = &idx.terms["投诉"];
        // The body-only hit is stored as 0 and resolved from the section's body length.
        assert_eq!(l[1].impact, 0);
        let body = resolve_impact(l[1].impact, l[1].positions.len(), idx.field_len[1][BODY]);
        assert!(l[0].impact > body && body > 0);
    }

    /// Three members: two positions, one, none; `second` is the second member's section.
    fn three(second: u32) -> Vec<Posting> {
        let p = |section, impact, positions| Posting {
            section,
            impact,
            positions,
        };
        vec![
            p(3, 20, vec![1, 300]),
            p(second, 1, vec![0]),
            p(second + 1, 31, vec![]),
        ]
    }

    #[test]
    fn postings_round_trip_shape() {
        let list = three(10);
        let text = encode_postings_text(&list);
        // count 3; delta 3, impact 20 | 32, 2 positions, 1, 299; delta 7, impact 1, 0; …
        assert_eq!(text, "33q21h97101_0");
        assert_eq!(decode_postings_text(&text), Some(list));
        assert_eq!(decode_postings_text("3"), None);
    }

    /// Reads the columns back (as `search.js` does): `terms` lists of (section, stored
    /// impact, positions).
    fn read_columns(cols: &[&str; 4], terms: usize) -> Vec<Vec<Posting>> {
        let b = cols.map(str::as_bytes);
        let (mut i0, mut i1, mut i2, mut bit) = (0, 0, 0, 0usize);
        let mut next_bit = || {
            let c = b[3].get(bit / 6).map_or(0, |&c| b32_val(c));
            let v = (c >> (5 - bit % 6)) & 1;
            bit += 1;
            v
        };
        (0..terms)
            .map(|_| {
                let n = read_b32(b[0], &mut i0).expect("count");
                let k = read_b32(b[0], &mut i0).expect("k");
                let mut sec = 0;
                (0..n)
                    .map(|_| {
                        sec += read_b32(b[0], &mut i0).expect("delta");
                        let h = b32_val(b[1][i1]);
                        i1 += 1;
                        let np = if h & 32 == 0 {
                            1
                        } else {
                            read_b32(b[2], &mut i2).expect("count")
                        };
                        let mut p = 0;
                        let positions = (0..np)
                            .map(|_| {
                                let mut q = 0;
                                while next_bit() == 1 {
                                    q += 1;
                                }
                                for _ in 0..k {
                                    q = q * 2 + next_bit();
                                }
                                p += q;
                                p
                            })
                            .collect();
                        Posting {
                            section: sec,
                            impact: h & 31,
                            positions,
                        }
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn columns_carry_every_list_in_order() {
        let list = three(40);
        let text = encode_postings_text(&list);
        let (count, members) = split_count(&text);
        assert_eq!((count, members), ("3", "3q21h9b1101_0"));
        let mut cols = Columns::default();
        cols.push(count, members);
        // A second list continues each column.
        cols.push("1", "210");
        // Column 0: count 3, k 6 (gaps 1, 299, 0), deltas 3, 37 (two characters), 1; count 1,
        // k 0, delta 2. Heads; position counts 2, 0. Rice bits: 0 000001 | 11110 101011 |
        // 0 000000, then 0 (k 0), padded: 000000 111110 101011 000000 000000.
        assert_eq!(cols.finish(), ["363b11102", "q1_1", "20", "0-h00"]);
        assert_eq!(
            read_columns(&cols.finish(), 2),
            vec![
                list,
                vec![Posting {
                    section: 2,
                    impact: 1,
                    positions: vec![0]
                }]
            ]
        );
        cols.clear();
        assert_eq!(cols.finish(), ["", "", "", ""]);
        // Truncated or foreign input stops the list without panicking.
        for bad in ["3q", "3q2", "\u{e9}", "_", "3\u{e9}1"] {
            let mut c = Columns::default();
            c.push("1", bad);
            assert!(c.finish().iter().all(|c| c.is_ascii()));
        }
        assert_eq!(split_count(""), ("", ""));
        assert_eq!(split_count("_1x"), ("_1", "x"));
    }

    #[test]
    fn columns_round_trip_lists_of_every_shape() {
        // A small deterministic generator: gaps from 0 to past 2^20, so every Rice parameter
        // from 0 up and long unary runs are exercised.
        let mut seed = 0x2545_f491_u64;
        let mut rnd = |n: u32| {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            ((seed >> 33) as u32) % n.max(1)
        };
        let mut lists = Vec::new();
        for t in 0..300 {
            let scale = 1 << (t % 22);
            let mut sec = 0;
            let list: Vec<Posting> = (0..rnd(12))
                .map(|_| {
                    sec += rnd(50);
                    let mut p = 0;
                    let positions = (0..rnd(6))
                        .map(|_| {
                            // Now and then one gap far above the list's others.
                            p += if rnd(9) == 0 {
                                rnd(1 << 24)
                            } else {
                                rnd(scale)
                            };
                            p
                        })
                        .collect();
                    Posting {
                        section: sec,
                        impact: rnd(32),
                        positions,
                    }
                })
                .collect();
            lists.push(list);
        }
        let mut cols = Columns::default();
        for l in &lists {
            let text = encode_postings_text(l);
            let (count, members) = split_count(&text);
            cols.push(count, members);
        }
        assert_eq!(read_columns(&cols.finish(), lists.len()), lists);
    }

    #[test]
    fn rice_k_is_the_cheapest_parameter() {
        let cost = |g: &[u32], k: u32| -> u64 {
            g.iter()
                .map(|&x| u64::from(x >> k) + 1 + u64::from(k))
                .sum()
        };
        for gaps in [
            vec![],
            vec![0],
            vec![1, 299, 0],
            vec![5; 40],
            vec![u32::MAX],
            vec![0, 0, 0, 1 << 20],
            (0..200).map(|i| i * 37 % 1000).collect(),
        ] {
            let k = rice_k(&gaps);
            let best = (0..32).map(|k| cost(&gaps, k)).min().unwrap_or(0);
            assert_eq!(cost(&gaps, k), best, "{gaps:?}");
        }
    }

    /// The length `coarse_code` stands for, as search.js reads it.
    fn coarse_decode(code: u32) -> u32 {
        if code < 8 {
            code
        } else {
            (4 + (code & 3)) << ((code >> 2) - 1)
        }
    }

    #[test]
    fn stored_impacts_resolve_to_the_impact() {
        assert_eq!(
            (0..100_000)
                .map(coarse_code)
                .map(coarse_decode)
                .collect::<Vec<_>>(),
            (0..100_000).map(coarse_len).collect::<Vec<_>>()
        );
        assert_eq!(coarse_code(7), 7);
        assert_eq!(coarse_code(8), 8);
        assert!(coarse_code(448) < 32 && coarse_code(512) >= 32);
        for body in [0, 1, 9, 100, 700, 5000] {
            for tf in [
                [0, 0, 0, 1, 0],
                [0, 0, 0, 4, 0],
                [1, 0, 0, 2, 0],
                [0, 0, 0, 0, 3],
                [0, 2, 0, 0, 0],
            ] {
                let lens = [6, 5, 4, body, 20];
                let stored = stored_impact(&tf, &lens);
                assert_eq!(stored == 0, tf == [0, 0, 0, tf[BODY], 0] && tf[BODY] > 0);
                assert_eq!(
                    resolve_impact(stored, tf[BODY] as usize, body),
                    impact(&tf, &lens),
                    "{tf:?} body {body}"
                );
            }
        }
    }
}
