//! Heading ids: readable, deterministic, unique per page, Chinese kept.
//!
//! `## 整理证据` → `整理证据`; Latin is lower-cased; punctuation and spaces become `-`. Chinese
//! characters are kept (not romanised), so homophones such as 话费/花费 stay distinct. Repeats
//! get `-1`, `-2` suffixes in document order. `IdStyle::MdBook` makes the ids mdBook makes
//! instead, so anchors into a book imported from mdBook keep working.

use std::collections::{HashMap, HashSet};

use serde::Deserialize;

/// How heading text becomes an id.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "lowercase")]
pub enum IdStyle {
    /// `slugify`: punctuation (ASCII and CJK) becomes `-`, runs collapse.
    #[default]
    Guidesmith,
    /// mdBook 0.4's `normalize_id`: letters, digits, `_` and `-` kept (ASCII lower-cased),
    /// whitespace becomes `-`, everything else (full-width punctuation too) is dropped.
    #[serde(rename = "mdbook")]
    MdBook,
}

/// mdBook's id for heading text (`normalize_id` in mdBook 0.4's `utils`).
pub fn mdbook_id(text: &str) -> String {
    text.trim()
        .chars()
        .filter_map(|c| {
            if c.is_alphanumeric() || c == '_' || c == '-' {
                Some(c.to_ascii_lowercase())
            } else if c.is_whitespace() {
                Some('-')
            } else {
                None
            }
        })
        .collect()
}

/// Turns heading text into an id fragment (may be empty for punctuation-only headings).
pub fn slugify(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut dash = false;
    for c in text.chars() {
        if c.is_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.extend(c.to_lowercase());
        } else if c == '_' || c == '-' || c.is_whitespace() || c.is_ascii_punctuation() {
            dash = true;
        } else {
            // CJK punctuation (，。：（）《》 …) separates words like a space.
            dash = true;
        }
    }
    out
}

/// Hands out unique ids within one page.
#[derive(Debug, Default)]
pub struct Slugger {
    style: IdStyle,
    used: HashSet<String>,
    /// Per base id, the next suffix worth trying: every smaller one is taken already (ids are
    /// never released), so repeats of one heading cost O(1) each instead of O(repeats).
    next: HashMap<String, usize>,
}

impl Slugger {
    /// A slugger making ids in `style`.
    pub fn new(style: IdStyle) -> Slugger {
        Slugger {
            style,
            ..Slugger::default()
        }
    }

    /// Reserves an explicit id; false when it was already taken.
    pub fn reserve(&mut self, id: &str) -> bool {
        self.used.insert(id.to_owned())
    }

    /// A unique id for heading text: the slug, or the slug with `-1`, `-2` … appended.
    pub fn unique(&mut self, text: &str) -> String {
        let mut base = match self.style {
            IdStyle::Guidesmith => slugify(text),
            IdStyle::MdBook => mdbook_id(text),
        };
        if base.is_empty() {
            base = "section".to_owned();
        }
        if self.used.insert(base.clone()) {
            return base;
        }
        // The first free `base-n` for n ≥ 1, as before; suffixes below `next` were found taken
        // (or handed out) by earlier calls, and `used` only grows, so they need no second look.
        // Each taken id is skipped at most once per base: linear over the page.
        let n = self.next.entry(base.clone()).or_insert(1);
        loop {
            let candidate = format!("{base}-{n}");
            *n += 1;
            if self.used.insert(candidate.clone()) {
                return candidate;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_chinese_and_folds_latin() {
        assert_eq!(slugify("整理证据"), "整理证据");
        assert_eq!(slugify("5G 套餐：变更"), "5g-套餐-变更");
        assert_eq!(slugify("What's new?"), "what-s-new");
        assert_ne!(slugify("话费"), slugify("花费"));
    }

    #[test]
    fn mdbook_ids_drop_punctuation_and_keep_underscores() {
        assert_eq!(mdbook_id("什么是所有权？"), "什么是所有权");
        assert_eq!(mdbook_id("`Vec<T>` 与 Hello_World"), "vect-与-hello_world");
        assert_eq!(mdbook_id("Hello, World!"), "hello-world");
        assert_eq!(
            mdbook_id("生命周期省略（lifetime elision）"),
            "生命周期省略lifetime-elision"
        );
        let mut s = Slugger::new(IdStyle::MdBook);
        assert_eq!(s.unique("A B"), "a-b");
        assert_eq!(s.unique("A B"), "a-b-1");
    }

    #[test]
    fn duplicates_get_numbered_suffixes() {
        let mut s = Slugger::default();
        assert_eq!(s.unique("下一步"), "下一步");
        assert_eq!(s.unique("下一步"), "下一步-1");
        assert_eq!(s.unique("下一步"), "下一步-2");
        assert_eq!(s.unique("！？"), "section");
    }

    /// The ids handed out before the per-base counter: the first free `base-n`, searched from 1.
    fn unique_by_search(used: &mut HashSet<String>, text: &str) -> String {
        let mut base = slugify(text);
        if base.is_empty() {
            base = "section".to_owned();
        }
        if used.insert(base.clone()) {
            return base;
        }
        (1..)
            .map(|n| format!("{base}-{n}"))
            .find(|c| used.insert(c.clone()))
            .unwrap_or(base)
    }

    #[test]
    fn counter_ids_equal_the_first_free_suffix_for_mixed_headings() {
        // Headings that collide with each other's suffixes ("a-1" written out, "a" repeated,
        // reserved ids in between), in generated orders: the same ids as the plain search.
        let texts = [
            "a",
            "a-1",
            "a 2",
            "A",
            "a-1-1",
            "b",
            "！",
            "section-1",
            "a-3",
        ];
        let mut seed: u64 = 7;
        for _ in 0..300 {
            let mut s = Slugger::default();
            let mut used = HashSet::new();
            for id in ["a-2", "main"] {
                s.reserve(id);
                used.insert(id.to_owned());
            }
            for _ in 0..40 {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
                let t = texts[(seed >> 33) as usize % texts.len()];
                assert_eq!(s.unique(t), unique_by_search(&mut used, t), "{t}");
            }
        }
    }

    #[test]
    fn many_repeated_headings_take_linear_time() {
        // 100 000 repeats: the old search from -1 made ~5·10⁹ probes (minutes); the counter
        // makes 10⁵. Hang-guard, no timing asserted otherwise.
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut s = Slugger::default();
            let mut last = String::new();
            for _ in 0..100_000 {
                last = s.unique("重复的标题");
            }
            let _ = tx.send(last);
        });
        let last = rx
            .recv_timeout(std::time::Duration::from_secs(60))
            .expect("100 000 repeated headings finish within 60 s");
        assert_eq!(last, "重复的标题-99999");
    }
}
