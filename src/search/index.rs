//! The inverted index: terms → postings with positions and a per-section BM25F impact.
//!
//! Owns: the per-section position space (fields laid out title, heading, breadcrumb, body, code
//! with a gap between fields so no phrase spans two fields), the BM25F ranking constants and
//! formula (mirrored by the client's `impact`), and the one encoding of posting lists:
//! character varints of section deltas, impacts, position counts (times two, plus one when the
//! term is in the title or heading field: the head flag) and position deltas.
//!
//! An impact is the BM25F term-frequency part only, normalised by fixed per-field pivot lengths
//! (`PIVOT`) instead of corpus averages, so it depends on nothing but its own section: a section
//! is analysed once (`analyse`) and its result reused until its text changes. The client
//! multiplies it by the idf it computes from the posting list's length at query time.
//!
//! Must never: let map iteration order reach the output (the index is a `BTreeMap`), panic on
//! empty or huge input, or store anything the client cannot decode.

use std::collections::BTreeMap;
use std::sync::Arc;

use rustc_hash::{FxHashMap, FxHashSet};

use super::tokenize::{normalize_into, visit_normalized, Kind};
use super::Section;

/// Field order inside a section's position space.
pub const FIELDS: usize = 5;
/// The fields a posting's head flag covers: a term there names what the section is about.
const TITLE: usize = 0;
const HEADING: usize = 1;
/// BM25F field weights: page title, heading, breadcrumb, body, code.
pub const FIELD_WEIGHT: [f64; FIELDS] = [4.0, 5.0, 1.5, 1.0, 0.3];
/// Length normalisation per field.
pub const FIELD_B: [f64; FIELDS] = [0.5, 0.5, 0.5, 0.3, 0.75];
/// BM25 term-frequency saturation.
pub const K1: f64 = 1.2;
/// Length normalisation pivots per field (tokens), in place of corpus averages.
pub const PIVOT: [f64; FIELDS] = [6.0, 5.0, 4.0, 50.0, 20.0];
/// Impacts are stored as round(saturated tf × SCALE), 1..=31 (one varint character).
pub const SCALE: f64 = 14.0;
/// Largest stored impact.
pub const MAX_IMPACT: u32 = 31;

/// A field length rounded down to its three leading bits, so lengths that differ by a few
/// tokens weigh the same.
pub fn coarse_len(len: u32) -> u32 {
    if len < 8 {
        return len;
    }
    let shift = 29 - len.leading_zeros();
    (len >> shift) << shift
}

/// The impact of a term with per-field frequencies `tf` in a section with field lengths `lens`.
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
    // Round half up, as the client's Math.round does: non-negative and below 2^31, so `as`
    // truncates and `w - trunc(w)` is exact.
    let t = w as u32;
    let r = if w - f64::from(t) >= 0.5 { t + 1 } else { t };
    r.clamp(1, MAX_IMPACT)
}

/// One section in one term's posting list (decoded form, for tests and `char_lists`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Posting {
    pub section: u32,
    pub impact: u32,
    /// The term is in the section's title or heading field.
    pub head: bool,
    pub positions: Vec<u32>,
}

/// One term of an analysed section, borrowed from its `Analysed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SectionTerm<'a> {
    pub term: &'a str,
    pub kind: Kind,
    pub impact: u32,
    /// In the title or heading field.
    pub head: bool,
    pub positions: &'a [u32],
}

/// Where one term's text and positions end in its section's buffers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct TermEnd {
    text: u32,
    positions: u32,
    impact: u8,
    head: bool,
    kind: Kind,
}

/// A section's terms in order of first occurrence, and its token count per field. Flat (three
/// buffers per section however many terms it has) because a large guide holds millions of them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Analysed {
    text: String,
    ends: Vec<TermEnd>,
    positions: Vec<u32>,
    pub field_len: [u32; FIELDS],
}

impl Analysed {
    /// The section's terms, in order of first occurrence.
    pub fn terms(&self) -> impl Iterator<Item = SectionTerm<'_>> {
        let mut from = (0usize, 0usize);
        self.ends.iter().map(move |e| {
            let (t, p) = (e.text as usize, e.positions as usize);
            let term = SectionTerm {
                term: self.text.get(from.0..t).unwrap_or(""),
                kind: e.kind,
                impact: u32::from(e.impact),
                head: e.head,
                positions: self.positions.get(from.1..p).unwrap_or(&[]),
            };
            from = (t, p);
            term
        })
    }
}

/// One term and its encoded posting list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermList {
    pub term: Box<str>,
    pub kind: Kind,
    /// The posting list as `encode_postings` writes it.
    pub list: String,
}

/// The built index: every term's encoded posting list.
#[derive(Debug, Clone, Default)]
pub struct Index {
    /// Sorted by term.
    pub lists: Vec<TermList>,
    /// Token count per field per section.
    pub field_len: Vec<[u32; FIELDS]>,
}

impl Index {
    /// The encoded posting list of `term`.
    pub fn list(&self, term: &str) -> Option<&str> {
        let i = self.lists.binary_search_by(|t| (*t.term).cmp(term)).ok()?;
        Some(&self.lists[i].list)
    }
}

/// The breadcrumb as indexed (and as the client indexes it): entries other than the page title.
pub fn breadcrumb_text(s: &Section) -> String {
    let parts: Vec<&str> = s
        .breadcrumb
        .iter()
        .map(String::as_str)
        .filter(|b| *b != s.page_title)
        .collect();
    parts.join(" › ")
}

/// The heading as indexed: checklist items share their group's title as heading, so only the
/// first of a run of sections with the same page and heading indexes it (the rest still have
/// it in the breadcrumb), and a checklist page does not win on one repeated heading.
pub fn indexed_heading(sections: &[Section], id: usize) -> &str {
    let s = &sections[id];
    let repeated = id > 0
        && sections
            .get(id - 1)
            .is_some_and(|p| p.page == s.page && p.heading == s.heading);
    if repeated {
        ""
    } else {
        &s.heading
    }
}

/// Tokenises one section's fields (`heading` as `indexed_heading` gives it). The fields are
/// normalised into one buffer so every token is a slice of it (no string per token).
pub fn analyse(s: &Section, heading: &str) -> Analysed {
    let bc = breadcrumb_text(s);
    let fields: [&str; FIELDS] = [&s.page_title, heading, &bc, &s.text, &s.code];
    let mut norm = String::new();
    let mut bounds = [0usize; FIELDS + 1];
    for (f, text) in fields.iter().enumerate() {
        normalize_into(text, &mut norm);
        bounds[f + 1] = norm.len();
    }
    let mut at: FxHashMap<&str, usize> = FxHashMap::default();
    let mut first: Vec<(&str, Kind, [u32; FIELDS])> = Vec::new();
    let mut occurrences: Vec<(usize, u32)> = Vec::new();
    let mut field_len = [0u32; FIELDS];
    let mut next = 0u32;
    for f in 0..FIELDS {
        let text = &norm[bounds[f]..bounds[f + 1]];
        let (count, end) = visit_normalized(text, next, |token, pos, kind| {
            let i = *at.entry(token).or_insert_with(|| {
                first.push((token, kind, [0; FIELDS]));
                first.len() - 1
            });
            first[i].2[f] += 1;
            occurrences.push((i, pos));
        });
        field_len[f] = count;
        // One empty position between fields: no adjacency across them.
        next = end.saturating_add(1);
    }
    flatten(&first, &occurrences, field_len)
}

/// Lays out `analyse`'s terms and occurrences in the flat form, positions grouped per term
/// (a counting sort, so each term's positions stay ascending).
fn flatten(
    first: &[(&str, Kind, [u32; FIELDS])],
    occurrences: &[(usize, u32)],
    field_len: [u32; FIELDS],
) -> Analysed {
    let n32 = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
    let mut fill = vec![0usize; first.len() + 1];
    for &(i, _) in occurrences {
        fill[i + 1] += 1;
    }
    for i in 0..first.len() {
        fill[i + 1] += fill[i];
    }
    let mut ends = Vec::with_capacity(first.len());
    let mut text = String::with_capacity(first.iter().map(|t| t.0.len()).sum());
    for (i, (term, kind, tf)) in first.iter().enumerate() {
        text.push_str(term);
        ends.push(TermEnd {
            text: n32(text.len()),
            positions: n32(fill[i + 1]),
            impact: u8::try_from(impact(tf, &field_len)).unwrap_or(u8::MAX),
            head: tf[TITLE] + tf[HEADING] > 0,
            kind: *kind,
        });
    }
    let mut positions = vec![0u32; occurrences.len()];
    for &(i, pos) in occurrences {
        positions[fill[i]] = pos;
        fill[i] += 1;
    }
    Analysed {
        text,
        ends,
        positions,
        field_len,
    }
}

/// Every section's analysis, in section order (tests and benchmarks; builds use `Memo`).
pub fn analyse_all(sections: &[Section]) -> Vec<Arc<Analysed>> {
    (0..sections.len())
        .map(|i| Arc::new(analyse(&sections[i], indexed_heading(sections, i))))
        .collect()
}

/// One term's posting list as it is written, section by section in ascending order.
#[derive(Debug, Default)]
struct ListWriter {
    count: u32,
    last: u32,
    body: String,
}

impl ListWriter {
    fn push(&mut self, section: u32, impact: u32, head: bool, positions: &[u32]) {
        push_b32(&mut self.body, section.wrapping_sub(self.last));
        self.last = section;
        self.count += 1;
        push_b32(&mut self.body, impact);
        // The position count, shifted to make room for the head flag.
        let count = u32::try_from(positions.len()).unwrap_or(u32::MAX >> 1);
        push_b32(&mut self.body, count << 1 | u32::from(head));
        let mut last = 0u32;
        for &pos in positions {
            push_b32(&mut self.body, pos.wrapping_sub(last));
            last = pos;
        }
    }

    /// The list: its length, then the postings.
    fn finish(self) -> String {
        let mut out = String::with_capacity(self.body.len() + 4);
        push_b32(&mut out, self.count);
        out.push_str(&self.body);
        out
    }
}

/// Joins analysed sections, added in section order, into encoded posting lists. Holds no
/// analysis, so a build can analyse and add a slice of sections at a time.
#[derive(Debug, Default)]
pub struct Assembler {
    lists: FxHashMap<Box<str>, (Kind, ListWriter)>,
    field_len: Vec<[u32; FIELDS]>,
}

impl Assembler {
    /// Adds the next section (its id is the number of sections added before it).
    pub fn add(&mut self, a: &Analysed) {
        let section = u32::try_from(self.field_len.len()).unwrap_or(u32::MAX);
        self.field_len.push(a.field_len);
        for t in a.terms() {
            let w = match self.lists.get_mut(t.term) {
                Some((_, w)) => w,
                None => {
                    let e = (t.kind, ListWriter::default());
                    &mut self.lists.entry(t.term.into()).or_insert(e).1
                }
            };
            w.push(section, t.impact, t.head, t.positions);
        }
    }

    pub fn finish(self) -> Index {
        let mut lists: Vec<TermList> = self
            .lists
            .into_iter()
            .map(|(term, (kind, w))| TermList {
                term,
                kind,
                list: w.finish(),
            })
            .collect();
        lists.sort_unstable_by(|a, b| a.term.cmp(&b.term));
        Index {
            lists,
            field_len: self.field_len,
        }
    }
}

/// Updates `idx`, the index of `old`, to be the index of `new` (as many sections; `changed`
/// lists the ids where they differ): only the posting lists of the terms of changed sections
/// are decoded and written again.
pub fn patch(idx: &mut Index, changed: &[usize], old: &[Arc<Analysed>], new: &[Arc<Analysed>]) {
    let id = |i: usize| u32::try_from(i).unwrap_or(u32::MAX);
    let gone: FxHashSet<u32> = changed.iter().map(|&i| id(i)).collect();
    let mut terms: BTreeMap<&str, (Kind, Vec<Posting>)> = BTreeMap::new();
    for &i in changed {
        for t in old[i].terms() {
            terms.entry(t.term).or_insert((t.kind, Vec::new()));
        }
        for t in new[i].terms() {
            let entry = terms.entry(t.term).or_insert((t.kind, Vec::new()));
            entry.1.push(Posting {
                section: id(i),
                impact: t.impact,
                head: t.head,
                positions: t.positions.to_vec(),
            });
        }
        idx.field_len[i] = new[i].field_len;
    }
    let mut added = Vec::new();
    for (term, (kind, fresh)) in terms {
        let at = idx.lists.binary_search_by(|t| (*t.term).cmp(term));
        let mut list = match at {
            Ok(k) => decode_postings(&idx.lists[k].list).unwrap_or_default(),
            Err(_) => Vec::new(),
        };
        list.retain(|p| !gone.contains(&p.section));
        list.extend(fresh);
        list.sort_by_key(|p| p.section);
        let encoded = if list.is_empty() {
            String::new()
        } else {
            encode_postings(&list)
        };
        match at {
            Ok(k) => idx.lists[k].list = encoded,
            Err(_) if !encoded.is_empty() => added.push(TermList {
                term: term.into(),
                kind,
                list: encoded,
            }),
            Err(_) => {}
        }
    }
    // A term no section has any more is dropped; new terms go to their place.
    idx.lists.retain(|t| !t.list.is_empty());
    if !added.is_empty() {
        idx.lists.extend(added);
        idx.lists.sort_unstable_by(|a, b| a.term.cmp(&b.term));
    }
}

/// The index of analysed sections (section id = position in the slice).
pub fn assemble(analysed: &[Arc<Analysed>]) -> Index {
    let mut asm = Assembler::default();
    for a in analysed {
        asm.add(a);
    }
    asm.finish()
}

/// Alphabet of the text varints: 5 data bits per character, 32 = "more characters follow".
/// Character-aligned numbers need no escaping in JSON and gzip well.
pub const B32: &[u8; 64] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";

/// Each alphabet byte's value (`u8::MAX` for bytes outside the alphabet).
const B32_VALUE: [u8; 256] = {
    let mut t = [u8::MAX; 256];
    let mut i = 0;
    while i < B32.len() {
        t[B32[i] as usize] = i as u8;
        i += 1;
    }
    t
};

/// Appends `v` as a character varint (5 bits per character, low bits first).
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

/// Encodes one posting list: its length, then per section the delta from the previous
/// section, the impact, the position count and the position deltas (first absolute).
pub fn encode_postings(list: &[Posting]) -> String {
    let mut w = ListWriter::default();
    for p in list {
        w.push(p.section, p.impact, p.head, &p.positions);
    }
    w.finish()
}

/// Reads `encode_postings` back (`serve`'s patching, tests); `None` if cut off.
pub fn decode_postings(text: &str) -> Option<Vec<Posting>> {
    let mut out = Vec::new();
    walk_postings(text, true, |section, impact, head, positions| {
        out.push(Posting {
            section,
            impact,
            head,
            positions: positions.to_vec(),
        });
    })?;
    Some(out)
}

/// Each posting's section and impact, the positions skipped unread (`output::char_lists`
/// reads every list of its characters' terms).
pub fn section_impacts(text: &str) -> Option<Vec<(u32, u32)>> {
    let mut out = Vec::new();
    walk_postings(text, false, |section, impact, _, _| {
        out.push((section, impact))
    })?;
    Some(out)
}

/// Calls `f(section, impact, head, positions)` per posting of an encoded list; the positions
/// are decoded only when `positions` is true (else `f` sees none). `None` if cut off.
fn walk_postings(
    text: &str,
    positions: bool,
    mut f: impl FnMut(u32, u32, bool, &[u32]),
) -> Option<()> {
    let mut r = VarintReader {
        bytes: text.as_bytes(),
        at: 0,
    };
    let mut section = 0u32;
    let mut pos = Vec::new();
    for _ in 0..r.read()? {
        section = section.wrapping_add(r.read()?);
        let impact = r.read()?;
        let count_head = r.read()?;
        pos.clear();
        let mut last = 0u32;
        for _ in 0..count_head >> 1 {
            if positions {
                last = last.wrapping_add(r.read()?);
                pos.push(last);
            } else {
                r.skip()?;
            }
        }
        f(section, impact, count_head & 1 == 1, &pos);
    }
    Some(())
}

/// A cursor over character varints (`push_b32`).
struct VarintReader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl VarintReader<'_> {
    fn digit(&mut self) -> Option<u32> {
        let d = B32_VALUE[usize::from(*self.bytes.get(self.at)?)];
        self.at += 1;
        (d != u8::MAX).then_some(u32::from(d))
    }

    fn read(&mut self) -> Option<u32> {
        let (mut v, mut shift) = (0u32, 0u32);
        loop {
            let d = self.digit()?;
            v |= (d & 31).checked_shl(shift)?;
            shift += 5;
            if d & 32 == 0 {
                return Some(v);
            }
        }
    }

    fn skip(&mut self) -> Option<()> {
        while self.digit()? & 32 != 0 {}
        Some(())
    }
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

    fn postings(analysed: &[Arc<Analysed>], term: &str) -> Vec<Posting> {
        let idx = assemble(analysed);
        idx.list(term).and_then(decode_postings).unwrap_or_default()
    }

    #[test]
    fn positions_are_per_field_with_gaps() {
        let a = analyse_all(&[sec("投诉", "先投诉")]);
        // title 指南@0, heading 投诉@2, breadcrumb 第一@4…, body 先投@?, 投诉@?
        let p = &postings(&a, "投诉")[0];
        assert_eq!(p.positions.len(), 2);
        assert_eq!(p.positions[0], 2);
        let idx = assemble(&a);
        assert_eq!(idx.field_len[0], [1, 1, 3, 2, 2]);
        assert!(idx
            .lists
            .iter()
            .any(|t| &*t.term == "curl" && t.kind == Kind::Word));
        assert!(idx.list("南投").is_none());
        // Each term's positions are its own, ascending.
        for t in a[0].terms() {
            assert!(t.positions.windows(2).all(|w| w[0] < w[1]), "{t:?}");
        }
    }

    #[test]
    fn heading_hits_outweigh_body_hits() {
        let a = analyse_all(&[
            sec("投诉", "正文"),
            sec("其他", "正文里有投诉"),
            sec("x", "y"),
        ]);
        let l = postings(&a, "投诉");
        assert!(l[0].impact > l[1].impact && l[1].impact > 0);
    }

    #[test]
    fn a_repeated_heading_is_indexed_once() {
        let secs = [sec("清单", "甲"), sec("清单", "乙")];
        assert_eq!(indexed_heading(&secs, 0), "清单");
        assert_eq!(indexed_heading(&secs, 1), "");
    }

    #[test]
    fn postings_round_trip() {
        let p = |section, impact, head, positions| Posting {
            section,
            impact,
            head,
            positions,
        };
        let list = vec![
            p(3, 20, false, vec![1, 300]),
            p(10, 1, true, vec![0]),
            p(11, 31, false, vec![]),
        ];
        let text = encode_postings(&list);
        // count 3; delta 3, impact 20, 2 positions (×2), 1, 299 (2 chars); delta 7, 1,
        // 1 position in the head (×2 + 1), 0; delta 1, 31, 0
        assert_eq!(text, "33K41h971301V0");
        assert_eq!(decode_postings(&text), Some(list));
        assert_eq!(decode_postings("3"), None);
        assert_eq!(decode_postings(""), None);
    }

    #[test]
    fn a_patched_index_equals_a_fresh_one() {
        let texts = [
            "投诉工号",
            "套餐变更",
            "投诉",
            "x1 工号",
            "变更套餐投诉",
            "",
        ];
        let secs: Vec<Section> = texts.iter().map(|t| sec("h", t)).collect();
        let old = analyse_all(&secs);
        let mut edited = secs.clone();
        edited[1].text = "新词汇出现".into();
        edited[3].text = "投诉".into();
        edited[5].text = "工号 y2".into();
        let new = analyse_all(&edited);
        let mut idx = assemble(&old);
        patch(&mut idx, &[1, 3, 5], &old, &new);
        let fresh = assemble(&new);
        assert_eq!(idx.lists, fresh.lists);
        assert_eq!(idx.field_len, fresh.field_len);
    }
}
