//! The one content digest: xxh3-64 over bytes, for every place that asks "did this change?"
//! (output manifest, service-worker version, content-hashed file names, memo keys).
//!
//! Must never: be used for anything security-relevant (it is not a cryptographic hash).

use xxhash_rust::xxh3::{xxh3_64, Xxh3};

/// Digest of one byte string.
pub fn digest(bytes: &[u8]) -> u64 {
    xxh3_64(bytes)
}

/// Digest of several byte strings, each length-prefixed so that ("ab", "c") ≠ ("a", "bc").
pub fn digest_parts(parts: &[&[u8]]) -> u64 {
    let mut h = Xxh3::new();
    for p in parts {
        h.update(&(p.len() as u64).to_le_bytes());
        h.update(p);
    }
    h.digest()
}

/// Digest of groups of strings, so that ([a, b], [c]) ≠ ([a], [b, c]) (memo keys).
pub fn digest_groups(groups: &[&[&str]]) -> u64 {
    let mut h = Xxh3::new();
    for g in groups {
        h.update(&(g.len() as u64).to_le_bytes());
        for s in *g {
            h.update(&(s.len() as u64).to_le_bytes());
            h.update(s.as_bytes());
        }
    }
    h.digest()
}

/// Digest of a value's JSON serialisation (template contexts and other memo keys).
pub fn digest_json<T: serde::Serialize + ?Sized>(value: &T) -> u64 {
    struct Writer(Xxh3);
    impl std::io::Write for Writer {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.update(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut w = Writer(Xxh3::new());
    // Serialising our own plain structs cannot fail; a failure would only weaken a memo key.
    let _ = serde_json::to_writer(&mut w, value);
    w.0.digest()
}

/// `digest` as 16 hex digits, for content-hashed file names.
pub fn hex(bytes: &[u8]) -> String {
    format!("{:016x}", digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_length_prefixed() {
        assert_ne!(digest_parts(&[b"ab", b"c"]), digest_parts(&[b"a", b"bc"]));
        assert_eq!(digest_parts(&[b"ab"]), digest_parts(&[b"ab"]));
        assert_eq!(hex(b"x").len(), 16);
        assert_ne!(
            digest_groups(&[&["a", "b"], &["c"]]),
            digest_groups(&[&["a"], &["b", "c"]])
        );
    }
}
