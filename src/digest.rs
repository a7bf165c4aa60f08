//! The site's file digest: one fast 64-bit hash for every file's bytes (the output manifest,
//! the service worker's version, the search files' names). Its own module so the search
//! benchmark harness (`bench/search`), which compiles `src/search/` alone, gets it too.

/// Fast 64-bit digest of a file's bytes, for change detection: the output manifest and the
/// service worker's cache version. Stable across runs and platforms. Four independent lanes take
/// 32 bytes per step, so the multiplications overlap instead of each waiting for the last
/// (a one-shot build digests every byte of the site).
pub fn digest(bytes: &[u8]) -> u64 {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    let word = |w: &[u8]| {
        let mut a = [0u8; 8];
        a.copy_from_slice(w);
        u64::from_le_bytes(a)
    };
    let len = (bytes.len() as u64).wrapping_mul(K);
    let mut lanes = [
        len ^ 0x2545_f491_4f6c_dd1d,
        len ^ 0x6a09_e667_f3bc_c908,
        len ^ 0xbb67_ae85_84ca_a73b,
        len ^ 0x3c6e_f372_fe94_f82b,
    ];
    let mut blocks = bytes.chunks_exact(32);
    for b in &mut blocks {
        for (i, h) in lanes.iter_mut().enumerate() {
            *h = (*h ^ word(&b[8 * i..8 * i + 8]))
                .wrapping_mul(K)
                .rotate_left(31);
        }
    }
    let mut h = lanes
        .iter()
        .fold(0, |acc: u64, &l| (acc.rotate_left(27) ^ l).wrapping_mul(K));
    let mut words = blocks.remainder().chunks_exact(8);
    for w in &mut words {
        h = (h ^ word(w)).wrapping_mul(K).rotate_left(31);
    }
    let mut last = [0u8; 8];
    last[..words.remainder().len()].copy_from_slice(words.remainder());
    h = (h ^ u64::from_le_bytes(last)).wrapping_mul(K);
    h ^ (h >> 29)
}
