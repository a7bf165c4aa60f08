//! Heading ids: readable, deterministic, unique per page, Chinese kept.
//!
//! `## 整理证据` → `整理证据`; Latin is lower-cased; punctuation and spaces become `-`. Chinese
//! characters are kept (not romanised), so homophones such as 话费/花费 stay distinct. Repeats
//! get `-1`, `-2` suffixes in document order.

use std::collections::HashSet;

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
    used: HashSet<String>,
}

impl Slugger {
    /// Reserves an explicit id; false when it was already taken.
    pub fn reserve(&mut self, id: &str) -> bool {
        self.used.insert(id.to_owned())
    }

    /// A unique id for heading text: the slug, or the slug with `-1`, `-2` … appended.
    pub fn unique(&mut self, text: &str) -> String {
        let mut base = slugify(text);
        if base.is_empty() {
            base = "section".to_owned();
        }
        if self.used.insert(base.clone()) {
            return base;
        }
        (1..)
            .map(|n| format!("{base}-{n}"))
            .find(|c| self.used.insert(c.clone()))
            .unwrap_or(base)
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
    fn duplicates_get_numbered_suffixes() {
        let mut s = Slugger::default();
        assert_eq!(s.unique("下一步"), "下一步");
        assert_eq!(s.unique("下一步"), "下一步-1");
        assert_eq!(s.unique("下一步"), "下一步-2");
        assert_eq!(s.unique("！？"), "section");
    }
}
