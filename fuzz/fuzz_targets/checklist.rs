//! Checklist loader: any bytes → decode → checklist::parse. Invariant: no panic, every
//! diagnostic renders.
#![no_main]

use guidesmith::checklist;
use guidesmith::source;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = source::decode(data, "guide/checklists/demo.yaml") else {
        return;
    };
    let (checklist, diags) = checklist::parse(
        "guide/checklists/demo.yaml",
        "checklists/demo.yaml",
        "demo",
        &text,
    );
    // A checklist that parses keeps its id; one that does not says why.
    match checklist {
        Some(c) => assert_eq!(c.id, "demo"),
        None => assert!(!diags.is_empty()),
    }
    for d in diags {
        let _ = d.render();
    }
});
