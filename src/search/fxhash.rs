//! A small, fast, non-cryptographic hasher for the build's internal maps (the same
//! rotate-multiply scheme as rustc's FxHash). Build input is trusted, so no DoS concern.
//!
//! Must never: be used for anything whose iteration order reaches the output (callers sort).

use std::hash::{BuildHasherDefault, Hasher};

/// Rotate-multiply hasher over 8-byte words.
#[derive(Debug, Default, Clone, Copy)]
pub struct FxHasher {
    hash: u64,
}

const SEED: u64 = 0x517c_c1b7_2722_0a95;

impl FxHasher {
    fn add(&mut self, w: u64) {
        self.hash = (self.hash.rotate_left(5) ^ w).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut b = [0u8; 8];
            b.copy_from_slice(c);
            self.add(u64::from_le_bytes(b));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut b = [0u8; 8];
            b[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(b));
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    fn finish(&self) -> u64 {
        // The product's well-mixed high bits into the low bits hash tables index by (as
        // rustc-hash 2 does): otherwise keys differing only in their high bits, such as packed
        // characters, share buckets.
        self.hash.rotate_left(26)
    }
}

/// `HashMap<K, V, FxBuild>` / `HashSet<K, FxBuild>`.
pub type FxBuild = BuildHasherDefault<FxHasher>;
