//! `--timings`: the wall time and resident memory after each build stage, printed to stderr.
//! Off by default, and then it measures nothing.

use std::time::Instant;

/// Prints one line per stage when enabled.
pub struct Stopwatch {
    last: Option<Instant>,
}

impl Stopwatch {
    pub fn new(enabled: bool) -> Stopwatch {
        Stopwatch {
            last: enabled.then(Instant::now),
        }
    }

    /// Ends the stage `name` (which began when the last one ended).
    pub fn lap(&mut self, name: &str) {
        let Some(last) = self.last else { return };
        let now = Instant::now();
        let rss = rss_kib()
            .map(|k| format!("  (RSS {:.0} MiB)", k as f64 / 1024.0))
            .unwrap_or_default();
        eprintln!(
            "{name:>8}: {:>7.1} ms{rss}",
            (now - last).as_secs_f64() * 1000.0
        );
        self.last = Some(now);
    }
}

/// The process's current resident set size in KiB, where the OS tells it cheaply (Linux).
fn rss_kib() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4)
}
