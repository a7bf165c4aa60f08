//! Slugger: ids are non-empty, unique per page, stable across runs, and free of characters
//! that would break out of an attribute or a URL fragment.
#![no_main]

use std::collections::HashSet;

use guidesmith::slug::{slugify, Slugger};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // Each line is one heading on the same page.
    let headings: Vec<&str> = text.lines().take(256).collect();
    let mut a = Slugger::default();
    let mut b = Slugger::default();
    let mut seen = HashSet::new();
    for h in &headings {
        let s = slugify(h);
        assert!(
            !s.contains(['"', '<', '>', '&', '\'', ' ', '#', '/']),
            "slug {s:?} of {h:?}"
        );
        let id = a.unique(h);
        assert!(!id.is_empty());
        assert_eq!(id, b.unique(h), "not deterministic");
        assert!(seen.insert(id.clone()), "duplicate id {id:?}");
    }
});
