//! The search vocabulary: the strings the client completes, corrects and matches by pinyin —
//! headings, page titles and recurring 2–4 character strings of the text.
//!
//! Owns: counting CJK strings, choosing the vocabulary from the counts, and the readings of its
//! entries. A single build counts strings of three or four characters only where each of their
//! pairs is frequent (`vocabulary`); `serve` keeps every count in `Counts` and updates it by
//! the texts that changed. Both choose from their counts the same way, and the counts they
//! disagree on (strings seen fewer than `MIN_COUNT` times) are never chosen, so both give the
//! same vocabulary.
//!
//! Must never: depend on `HashMap` iteration order for what it returns, grow without bound
//! between rebuilds, or panic on odd input.

use std::collections::{BTreeMap, HashSet};

use rustc_hash::{FxBuildHasher, FxHashMap, FxHashSet};

use super::pinyin::{char_table, has_readings, overrides, CharTable};
use super::tokenize::{is_cjk, normalize};
use super::Section;

/// Recurring strings kept (most frequent first); headings and titles come on top of this.
pub const MAX_VOCAB: usize = 6000;
/// Headings/titles kept (most frequent first).
const MAX_HEADINGS: usize = 4000;
/// A recurring string must occur at least this often.
const MIN_COUNT: u32 = 3;
/// A string whose weakest neighbouring pair is less cohesive than this is two words that happen
/// to meet (前要 in 销户前要…), not a word (see `cohesion`).
const MIN_COHESION: f64 = 0.1;
/// Strings that begin or end with one of these are grammar, not vocabulary.
const EDGE_STOP: &str = "的了着和与或及把被是也就都而吗呢吧啊您你我他她它们这那个之其";

/// One vocabulary string (every character has a reading) and how often it occurs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VocabEntry {
    pub term: String,
    pub count: u32,
}

/// A string of one to four characters, zero-padded.
type Key = [u32; 4];
type CountMap = FxHashMap<Key, u32>;

fn key(g: &[char]) -> Key {
    let mut k = [0u32; 4];
    for (i, c) in g.iter().take(4).enumerate() {
        k[i] = *c as u32;
    }
    k
}

/// The CJK runs of `s` (normalised), each followed by a `'\0'`.
fn push_runs(s: &str, out: &mut Vec<char>) {
    let mut open = false;
    for c in normalize(s).chars() {
        if is_cjk(c) {
            out.push(c);
            open = true;
        } else if open {
            out.push('\0');
            open = false;
        }
    }
    if open {
        out.push('\0');
    }
}

fn runs(flat: &[char]) -> impl Iterator<Item = &[char]> {
    flat.split(|&c| c == '\0').filter(|r| !r.is_empty())
}

/// What the vocabulary is counted over (every section's text and heading, each page's title
/// once), and the heading and title strings with how often each occurs.
fn inputs(sections: &[Section]) -> (Vec<&str>, BTreeMap<String, u32>) {
    let mut texts: Vec<&str> = Vec::new();
    let mut headings: BTreeMap<String, u32> = BTreeMap::new();
    let mut seen_pages: HashSet<&str> = HashSet::new();
    let mut flat = Vec::new();
    for s in sections {
        texts.push(&s.text);
        texts.push(&s.heading);
        let mut names = vec![s.heading.as_str()];
        if seen_pages.insert(s.page.as_str()) {
            texts.push(&s.page_title);
            names.push(s.page_title.as_str());
        }
        for name in names {
            flat.clear();
            push_runs(name, &mut flat);
            for run in runs(&flat).filter(|r| (2..=8).contains(&r.len())) {
                *headings.entry(run.iter().collect()).or_insert(0) += 1;
            }
        }
    }
    (texts, headings)
}

/// The vocabulary of `sections` with readings, sorted by term, plus the reading table for
/// every CJK character of the text.
pub fn vocabulary(sections: &[Section]) -> (Vec<VocabEntry>, CharTable) {
    let (texts, headings) = inputs(sections);
    let mut flat = Vec::new();
    for t in &texts {
        push_runs(t, &mut flat);
    }
    // Characters and pairs first; a string of three or four is counted only where each of its
    // pairs is frequent enough to keep (a longer string is never more frequent than its parts).
    let mut counts = CountMap::default();
    for run in runs(&flat) {
        for n in 1..=2 {
            for g in run.windows(n) {
                *counts.entry(key(g)).or_insert(0) += 1;
            }
        }
    }
    let frequent = |pair: &[char]| counts.get(&key(pair)).is_some_and(|&c| c >= MIN_COUNT);
    let mut longer = CountMap::default();
    for run in runs(&flat) {
        for n in 3..=4 {
            for g in run.windows(n) {
                if g.windows(2).all(frequent) {
                    *longer.entry(key(g)).or_insert(0) += 1;
                }
            }
        }
    }
    counts.extend(longer);
    choose(counts.iter(), &counts, headings)
}

/// Every string count of the last build's texts, for `serve`: a rebuild counts only the texts
/// that changed.
#[derive(Default)]
pub struct Counts {
    counts: CountMap,
    /// Keys `choose` looks at: every character, and every string counted `MIN_COUNT` times or
    /// more.
    candidates: FxHashSet<Key>,
    /// The texts counted, by digest, and how many times each was counted.
    texts: FxHashMap<u64, (String, u32)>,
}

impl Counts {
    /// `vocabulary(sections)`, from the counts updated by what changed since the last call.
    pub fn vocabulary(&mut self, sections: &[Section]) -> (Vec<VocabEntry>, CharTable) {
        let (texts, headings) = inputs(sections);
        let mut now: FxHashMap<u64, (&str, u32)> = FxHashMap::default();
        for t in texts {
            now.entry(crate::digest::digest(t.as_bytes()))
                .or_insert((t, 0))
                .1 += 1;
        }
        for (k, (text, was)) in &self.texts {
            let is = now.get(k).map_or(0, |e| e.1);
            if is < *was {
                let delta = -i64::from(was - is);
                count(&mut self.counts, &mut self.candidates, text, delta);
            }
        }
        self.texts.retain(|k, _| now.contains_key(k));
        for (k, (text, is)) in now {
            let entry = self.texts.entry(k).or_insert_with(|| (text.to_owned(), 0));
            let was = std::mem::replace(&mut entry.1, is);
            if is > was {
                let delta = i64::from(is - was);
                count(&mut self.counts, &mut self.candidates, text, delta);
            }
        }
        let candidates = self
            .candidates
            .iter()
            .filter_map(|k| Some((k, self.counts.get(k)?)));
        choose(candidates, &self.counts, headings)
    }
}

/// Adds `delta` to the count of every one- to four-character string of the CJK runs of `text`
/// (a count that reaches zero is dropped) and keeps `candidates` up to date.
fn count(counts: &mut CountMap, candidates: &mut FxHashSet<Key>, text: &str, delta: i64) {
    let mut flat = Vec::new();
    push_runs(text, &mut flat);
    for run in runs(&flat) {
        for n in 1..=4 {
            for g in run.windows(n) {
                let k = key(g);
                let e = counts.entry(k).or_insert(0);
                *e = u32::try_from(i64::from(*e) + delta).unwrap_or(0);
                let c = *e;
                if c == 0 {
                    counts.remove(&k);
                }
                if c == 0 || (n > 1 && c < MIN_COUNT) {
                    candidates.remove(&k);
                } else {
                    candidates.insert(k);
                }
            }
        }
    }
}

/// How much the string holds together: over its neighbouring pairs, the least of (count of the
/// pair) / (count of the rarer of its two characters). 销户 is most of what 销 occurs in; 前要
/// is a sliver of both 前 and 要.
fn cohesion(chars: &[char], counts: &CountMap) -> f64 {
    let count = |g: &[char]| f64::from(counts.get(&key(g)).copied().unwrap_or(0));
    chars
        .windows(2)
        .map(|p| count(p) / count(&p[..1]).min(count(&p[1..])).max(1.0))
        .fold(f64::INFINITY, f64::min)
}

/// Chooses the vocabulary from the counts: recurring, closed and cohesive strings (most
/// frequent first, up to `MAX_VOCAB`), then headings and titles; each with its readings.
/// `candidates` must hold every character and every string counted `MIN_COUNT` times or more.
fn choose<'a>(
    candidates: impl Iterator<Item = (&'a Key, &'a u32)> + Clone,
    counts: &CountMap,
    headings: BTreeMap<String, u32>,
) -> (Vec<VocabEntry>, CharTable) {
    // Closed strings only: drop a string whose every occurrence extends to the same longer one.
    let mut not_closed: HashSet<Key, FxBuildHasher> = HashSet::default();
    for (k, &c) in candidates.clone() {
        let n = k.iter().take_while(|&&x| x != 0).count();
        if n >= 3 && c >= MIN_COUNT {
            let mut pre = *k;
            pre[n - 1] = 0;
            let mut suf = [0u32; 4];
            suf[..n - 1].copy_from_slice(&k[1..n]);
            for sub in [pre, suf] {
                if counts.get(&sub) == Some(&c) {
                    not_closed.insert(sub);
                }
            }
        }
    }
    let stop: Vec<char> = EDGE_STOP.chars().collect();
    let mut all_chars = Vec::new();
    let mut recurring: Vec<(u32, String)> = Vec::new();
    for (k, &c) in candidates {
        let chars: Vec<char> = k
            .iter()
            .take_while(|&&x| x != 0)
            .filter_map(|&x| char::from_u32(x))
            .collect();
        if chars.len() == 1 {
            all_chars.push(chars[0]);
            continue;
        }
        if c < MIN_COUNT || not_closed.contains(k) {
            continue;
        }
        let (Some(first), Some(last)) = (chars.first(), chars.last()) else {
            continue;
        };
        if stop.contains(first) || stop.contains(last) {
            continue;
        }
        if cohesion(&chars, counts) < MIN_COHESION {
            continue;
        }
        recurring.push((c, chars.into_iter().collect()));
    }
    recurring.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    recurring.truncate(MAX_VOCAB);

    let mut heads: Vec<(u32, String)> = headings.into_iter().map(|(t, c)| (c, t)).collect();
    heads.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    heads.truncate(MAX_HEADINGS);

    let mut merged: BTreeMap<String, u32> = BTreeMap::new();
    for (c, t) in recurring.into_iter().chain(heads) {
        let e = merged.entry(t).or_insert(0);
        *e = (*e).max(c);
    }
    let ovr = overrides();
    let vocab = merged
        .into_iter()
        .filter(|(term, _)| has_readings(term, &ovr))
        .map(|(term, count)| VocabEntry { term, count })
        .collect();
    (vocab, char_table(all_chars))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sec(page: &str, title: &str, heading: &str, text: &str) -> Section {
        Section {
            page: page.into(),
            anchor: String::new(),
            page_title: title.into(),
            heading: heading.into(),
            breadcrumb: vec![],
            text: text.into(),
            code: String::new(),
        }
    }

    #[test]
    fn vocabulary_finds_recurring_words_and_headings() {
        let secs = vec![
            sec(
                "a.html",
                "携号转网",
                "办理携号转网",
                "携号转网受阻怎么办？投诉。先投诉，再投诉。",
            ),
            sec(
                "b.html",
                "调解",
                "调解",
                "可以申请调解。携号转网不成就投诉。",
            ),
        ];
        let (v, chars) = vocabulary(&secs);
        let terms: Vec<&str> = v.iter().map(|e| e.term.as_str()).collect();
        assert!(terms.contains(&"携号转网"), "{terms:?}");
        assert!(terms.contains(&"投诉"), "{terms:?}");
        assert!(terms.contains(&"调解"), "{terms:?}");
        // 携号 always continues as 携号转网: not a vocabulary string of its own.
        assert!(!terms.contains(&"携号"), "{terms:?}");
        assert!(chars.get("tou").is_some_and(|s| s[0].contains('投')));
        let mut sorted = terms.clone();
        sorted.sort();
        assert_eq!(terms, sorted);
    }

    #[test]
    fn counts_kept_between_rebuilds_choose_what_a_fresh_count_chooses() {
        let words = [
            "携号转网",
            "投诉",
            "调解",
            "的",
            "申诉",
            "工信部",
            "，",
            "套餐变更",
            "退费",
        ];
        let text = |seed: usize, len: usize| -> String {
            (0..len)
                .map(|i| words[(seed * 7 + i * i * 3 + i) % words.len()])
                .collect()
        };
        let mut secs: Vec<Section> = (0..12)
            .map(|i| {
                sec(
                    &format!("p{}.html", i / 3),
                    "标题",
                    "小节",
                    &text(i, 20 + i),
                )
            })
            .collect();
        let mut counts = Counts::default();
        for round in 0..8 {
            assert_eq!(counts.vocabulary(&secs), vocabulary(&secs), "round {round}");
            // Edit one section, drop another, duplicate a third.
            let n = secs.len();
            secs[round % n].text = text(round + 50, 10 + round);
            if round % 3 == 1 {
                secs.remove((round * 5) % n);
            }
            if round % 3 == 2 {
                let copy = secs[round % secs.len()].clone();
                secs.push(copy);
            }
        }
        assert_eq!(counts.vocabulary(&[]), vocabulary(&[]));
        assert!(counts.counts.is_empty() && counts.texts.is_empty());
        assert!(counts.candidates.is_empty());
    }
}
