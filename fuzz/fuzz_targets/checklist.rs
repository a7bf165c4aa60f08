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
    // A checklist with no diagnostic is named after its file; one that does not parse says why
    // (a file with problems may still yield its checklist, without the bad parts).
    match checklist {
        Some(c) if diags.is_empty() => assert_eq!(c.id, "demo"),
        Some(_) => {}
        None => assert!(!diags.is_empty()),
    }
    for d in diags {
        let _ = d.render();
    }
});
