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
    match checklist::parse(
        "guide/checklists/demo.yaml",
        "checklists/demo.yaml",
        "demo",
        &text,
    ) {
        Ok(c) => assert_eq!(c.id, "demo"),
        Err(ds) => {
            assert!(!ds.is_empty());
            for d in ds {
                let _ = d.render();
            }
        }
    }
});
