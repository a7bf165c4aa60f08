//! The inverted index: terms → postings with positions and a per-section BM25F impact.
//!
//! Owns: the per-section position space (fields laid out title, heading, breadcrumb, body, code
//! with a gap between fields so no phrase spans two fields), field lengths, BM25F weights, and
//! the varint encoding of postings that `search.js` decodes.
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

/// One section in one term's posting list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Posting {
    pub section: u32,
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
                impact: impact(&a.tf, &lens),
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
/// the impact (1..=31) with bit 32 set unless the term has exactly one position, then (bit set)
/// the position count as a varint, then the position deltas (first absolute).
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
/// the previous one and `push_fragment`. Term shards ship it split by `push_columns`.
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

/// Appends one posting list to the four columns of a term shard, which `search.js` reads in
/// step. Deflate then codes one kind of number at a time (its Huffman tables follow the data
/// block by block), which makes term shards about 3 % smaller than lists written member after
/// member. Columns: 0, the list's count (`count`, encoded) and its members' section deltas;
/// 1, each member's impact character (bit 32: a position count follows); 2, those position
/// counts; 3, the position deltas. `members` is the list as `encode_postings_text` writes it
/// after the count. The varints are copied as they are (so the columns hold only ASCII),
/// never decoded and written again; a byte outside the alphabet or a cut-off varint stops the
/// copy.
pub fn push_columns(cols: &mut [Vec<u8>; 4], count: &str, members: &str) {
    let [deltas, heads, counts, positions] = cols;
    deltas.extend_from_slice(count.as_bytes());
    let b = members.as_bytes();
    let mut i = 0usize;
    // Byte by byte: most varints are one or two characters, too short for a copy call each.
    while i < b.len() {
        if copy_b32s(b, &mut i, 1, deltas).is_none() {
            return;
        }
        let Some(&h) = b.get(i).filter(|&&h| B32_KIND[usize::from(h)] != 2) else {
            return;
        };
        heads.push(h);
        i += 1;
        let n = if b32_val(h) & 32 == 0 {
            1
        } else {
            let st = i;
            let Some(n) = read_b32(b, &mut i) else { return };
            let Some(c) = b.get(st..i).filter(|c| c.is_ascii()) else {
                return;
            };
            counts.extend_from_slice(c);
            n
        };
        if copy_b32s(b, &mut i, n, positions).is_none() {
            return;
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
pub fn b32_val(c: u8) -> u32 {
    match c {
        b'0'..=b'9' => u32::from(c - b'0'),
        b'A'..=b'Z' => u32::from(c - b'A') + 10,
        b'a'..=b'z' => u32::from(c - b'a') + 36,
        b'-' => 62,
        _ => 63,
    }
}

/// Reads one character varint at `*i` (None at the end of `b` or on overflow).
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
        assert!(l[0].impact > l[1].impact);
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

    #[test]
    fn columns_carry_every_varint_in_order() {
        let list = three(40);
        let text = encode_postings_text(&list);
        let (count, members) = split_count(&text);
        assert_eq!((count, members), ("3", "3q21h9b1101_0"));
        let mut cols: [Vec<u8>; 4] = Default::default();
        push_columns(&mut cols, count, members);
        // count 3, deltas 3, 37 (two characters), 1 | heads | counts 2, 0 | positions 1, 299, 0
        assert_eq!(
            cols,
            ["33b11", "q1_", "20", "1h90"].map(|c| c.as_bytes().to_vec())
        );
        // A second list continues each column.
        push_columns(&mut cols, "1", "210");
        assert_eq!(
            cols,
            ["33b1112", "q1_1", "20", "1h900"].map(|c| c.as_bytes().to_vec())
        );
        // Truncated or foreign input stops the copy without panicking.
        for bad in ["3q", "3q2", "\u{e9}", "_", "3\u{e9}1"] {
            let mut c: [Vec<u8>; 4] = Default::default();
            push_columns(&mut c, "1", bad);
            assert!(c.iter().all(|c| c.is_ascii()));
        }
        assert_eq!(split_count(""), ("", ""));
        assert_eq!(split_count("_1x"), ("_1", "x"));
    }
}
