//! Pinyin keys for the search vocabulary (build side only; the browser never sees a pinyin table,
//! only the small map from each vocabulary string to its readings).
//!
//! Owns: readings of vocabulary strings, heteronym expansion with a cap, the reviewed override file `pinyin_overrides.txt`, and the
//! per-character reading table used for homophone (IME) typo lookups.
//!
//! Must never: ship a reading the override file contradicts, expand without a cap, depend on
//! `HashMap` iteration order for anything it returns, or panic on odd input.

use std::collections::{BTreeMap, BTreeSet};

use pinyin::ToPinyinMulti;

use super::tokenize::is_cjk;

const OVERRIDES: &str = include_str!("pinyin_overrides.txt");

/// At most this many readings per vocabulary string.
pub const MAX_VARIANTS: usize = 4;
/// At most this many readings of one character are considered.
const MAX_READINGS_PER_CHAR: usize = 2;

/// The override file's lines (for the client, which recomputes readings the same way).
pub fn override_lines() -> Vec<&'static str> {
    OVERRIDES
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
}

/// The parsed override file: (word, syllables), longest words first.
pub fn overrides() -> Vec<(Vec<char>, Vec<&'static str>)> {
    let mut out: Vec<(Vec<char>, Vec<&'static str>)> = OVERRIDES
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let mut parts = l.split_whitespace();
            let word: Vec<char> = parts.next()?.chars().collect();
            let syl: Vec<&'static str> = parts.collect();
            (word.len() == syl.len()).then_some((word, syl))
        })
        .collect();
    out.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
    out
}

/// The crate's readings of one character, plain, de-duplicated, first reading first.
pub fn char_readings(c: char) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    if let Some(multi) = c.to_pinyin_multi() {
        for p in multi {
            let s = p.plain().replace('ü', "v");
            if !s.is_empty() && !out.contains(&s) {
                out.push(s);
            }
            if out.len() == MAX_READINGS_PER_CHAR {
                break;
            }
        }
    }
    out
}

/// Whether `readings(term, ovr)` is non-empty, without building the readings: every character
/// an override does not cover has a reading of its own. (The vocabulary asks this of tens of
/// thousands of strings on every full build.)
pub fn has_readings(term: &str, ovr: &[(Vec<char>, Vec<&'static str>)]) -> bool {
    let chars: Vec<char> = term.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match ovr
            .iter()
            .find(|(w, _)| w.first() == Some(&c) && chars[i..].starts_with(w))
        {
            Some((w, _)) => i += w.len(),
            None => {
                let own = c
                    .to_pinyin_multi()
                    .is_some_and(|m| m.into_iter().any(|p| !p.plain().is_empty()));
                if !own {
                    return false;
                }
                i += 1;
            }
        }
    }
    !chars.is_empty()
}

/// Readings of a CJK string: overrides pinned first, then heteronym combinations ordered by how
/// many non-default readings they use, capped at `MAX_VARIANTS`. Empty when a character has none.
pub fn readings(term: &str, ovr: &[(Vec<char>, Vec<&'static str>)]) -> Vec<Vec<String>> {
    let chars: Vec<char> = term.chars().collect();
    if chars.is_empty() {
        return Vec::new();
    }
    let mut options: Vec<Vec<String>> = vec![Vec::new(); chars.len()];
    let mut i = 0;
    while i < chars.len() {
        let hit = ovr
            .iter()
            .find(|(w, _)| w.first() == Some(&chars[i]) && chars[i..].starts_with(w));
        if let Some((w, syl)) = hit {
            for (k, s) in syl.iter().enumerate() {
                options[i + k] = vec![(*s).to_owned()];
            }
            i += w.len();
        } else {
            i += 1;
        }
    }
    let mut polyphonic = 0;
    for (k, c) in chars.iter().enumerate() {
        if options[k].is_empty() {
            let mut r = char_readings(*c);
            if r.is_empty() {
                return Vec::new();
            }
            if r.len() > 1 {
                polyphonic += 1;
                if polyphonic > 4 {
                    r.truncate(1);
                }
            }
            options[k] = r;
        }
    }
    // Enumerate index vectors (at most 3^4 = 81), order by non-default count then lexicographic.
    let mut combos: Vec<Vec<usize>> = vec![Vec::new()];
    for opt in &options {
        let mut next = Vec::with_capacity(combos.len() * opt.len());
        for c in &combos {
            for j in 0..opt.len() {
                let mut v = c.clone();
                v.push(j);
                next.push(v);
            }
        }
        combos = next;
    }
    combos.sort_by_key(|v| (v.iter().filter(|&&j| j > 0).count(), v.clone()));
    combos
        .into_iter()
        .take(MAX_VARIANTS)
        .map(|v| {
            v.iter()
                .enumerate()
                .map(|(k, &j)| options[k][j].clone())
                .collect()
        })
        .collect()
}

/// The 3,755 common characters (GB2312 level 1, decoded from their GBK codes): a query typed
/// with an IME homophone (详丹 for 详单) uses characters the guide may never contain, and the
/// client can correct it only if it knows their readings.
fn common_chars() -> impl Iterator<Item = char> {
    let codes = (0xB0u8..=0xD7).flat_map(|hi| (0xA1u8..=0xFE).map(move |lo| [hi, lo]));
    codes
        .filter(|&[hi, lo]| hi < 0xD7 || lo <= 0xF9)
        .filter_map(|code| {
            let (text, _, bad) = encoding_rs::GBK.decode(&code);
            text.chars().next().filter(|&c| !bad && is_cjk(c))
        })
}

/// Reading → [characters whose first reading it is, characters whose second reading it is].
pub type CharTable = BTreeMap<String, [String; 2]>;

/// The reading table for `chars` (the text's CJK characters) and the common characters.
pub fn char_table(chars: impl IntoIterator<Item = char>) -> CharTable {
    let mut all: BTreeSet<char> = chars.into_iter().collect();
    all.extend(common_chars());
    let mut by_reading: CharTable = BTreeMap::new();
    for c in all {
        for (rank, r) in char_readings(c).into_iter().enumerate() {
            if let Some(slot) = by_reading.entry(r).or_default().get_mut(rank) {
                slot.push(c);
            }
        }
    }
    by_reading
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(term: &str) -> (Vec<String>, Vec<String>) {
        let r = readings(term, &overrides());
        let full = r.iter().map(|v| v.concat()).collect();
        let ini = r
            .iter()
            .map(|v| v.iter().filter_map(|s| s.chars().next()).collect())
            .collect();
        (full, ini)
    }

    #[test]
    fn has_readings_agrees_with_readings() {
        let ovr = overrides();
        let mut terms: Vec<String> = ovr.iter().map(|(w, _)| w.iter().collect()).collect();
        for t in [
            "投诉",
            "携号转网",
            "调解",
            "还款",
            "a投诉",
            "投诉1",
            "",
            "〇",
            "㐀",
            "長還",
            "行长",
            "重庆银行",
            "5G套餐",
            "ー",
            "投\u{3000}诉",
        ] {
            terms.push(t.to_owned());
        }
        // Every CJK character of a slice of the basic block, alone and after a multi-reading one.
        for c in ('\u{4e00}'..='\u{4fff}').chain('\u{9fa0}'..='\u{9fff}') {
            terms.push(c.to_string());
            terms.push(format!("行{c}"));
        }
        let mut yes = 0;
        for t in &terms {
            let want = !readings(t, &ovr).is_empty();
            assert_eq!(has_readings(t, &ovr), want, "{t:?}");
            yes += usize::from(want);
        }
        // Both answers occur in the sample.
        assert!(yes > 100 && yes < terms.len(), "{yes} of {}", terms.len());
    }

    #[test]
    fn override_file_is_well_formed_and_uses_real_readings() {
        let mut bad = Vec::new();
        let mut n = 0;
        for l in OVERRIDES.lines().map(str::trim) {
            if l.is_empty() || l.starts_with('#') {
                continue;
            }
            n += 1;
            let mut parts = l.split_whitespace();
            let word: Vec<char> = parts.next().unwrap_or("").chars().collect();
            let syl: Vec<&str> = parts.collect();
            if word.len() != syl.len() {
                bad.push(format!("{l}: syllable count"));
                continue;
            }
            for (c, s) in word.iter().zip(&syl) {
                if !char_readings(*c).iter().any(|r| r == s)
                    && !c
                        .to_pinyin_multi()
                        .is_some_and(|m| m.into_iter().any(|p| p.plain().replace('ü', "v") == *s))
                {
                    bad.push(format!("{l}: {c} is never read {s}"));
                }
            }
        }
        assert!(n >= 20);
        assert!(bad.is_empty(), "{bad:#?}");
    }

    #[test]
    fn domain_words_get_the_right_reading() {
        assert_eq!(keys("调解").0, ["tiaojie"]);
        assert_eq!(keys("调解").1, ["tj"]);
        assert_eq!(keys("还款").0, ["huankuan"]);
        assert_eq!(keys("银行").0, ["yinhang"]);
        assert_eq!(keys("重置").0, ["chongzhi"]);
        assert_eq!(keys("行业").0, ["hangye"]);
        // Override inside a longer string still applies.
        assert!(keys("银行卡").0.iter().all(|k| k.starts_with("yinhang")));
    }

    #[test]
    fn heteronyms_expand_with_a_cap() {
        let (full, _) = keys("投诉");
        assert_eq!(full[0], "tousu");
        let (full, _) = keys("长还行重");
        assert!(full.len() <= MAX_VARIANTS && full.len() > 1);
        assert!(readings("abc", &overrides()).is_empty());
    }
}
