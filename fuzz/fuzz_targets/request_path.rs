//! Request-path validator of `serve` (RELIABILITY S1): whatever the path, an accepted key is
//! relative, has no empty, `.` or `..` segment, no backslash, colon or control character.
#![no_main]

use guidesmith::cli::serve::site_key;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(raw) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(key) = site_key(raw) {
        assert!(!key.starts_with('/'), "absolute key {key:?} from {raw:?}");
        assert!(
            !key.contains('\\') && !key.contains(':'),
            "{key:?} from {raw:?}"
        );
        assert!(!key.chars().any(char::is_control), "{key:?} from {raw:?}");
        for seg in key.split('/') {
            assert!(!seg.is_empty(), "empty segment in {key:?} from {raw:?}");
            assert!(
                !seg.chars().all(|c| c == '.' || c == ' '),
                "dot segment in {key:?} from {raw:?}"
            );
        }
    }
});
