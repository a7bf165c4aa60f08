//! In-process rebuild cost: what `serve` does after a contributor saves one chapter.
//!
//! Builds a generated corpus once with a watcher-style cache, then repeatedly appends a line to
//! the middle chapter, tells the cache which file changed (as the watcher does) and rebuilds,
//! printing the median and p90 of the rebuild (`TIMINGS=1` also prints every stage of every
//! rebuild to stderr). No debounce, HTTP or disk writes: those are measured end to end by
//! `bench/edit_latency.sh`.
//!
//!   cargo bench --bench rebuild
//!   N=5000 EDITS=30 cargo bench --bench rebuild
//!
//! Env: N (chapters, 1000), EDITS (rebuilds measured, 40), BENCH_WORK (scratch, default
//! $TMPDIR/guidesmith-bench), SHARED (the shared kit's bench folder, default ../shared/bench
//! beside the repository, for gen_corpus.py).

use std::time::{Duration, Instant};

use guidesmith::load::LoadOptions;
use guidesmith::site::{self, BuildOptions, Cache};

#[path = "common/mod.rs"]
mod common;
use common::{corpus, env, middle_chapter};

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing useful either way.
    let n: usize = env("N", "1000").parse().expect("N is a number");
    let edits: usize = env("EDITS", "40").parse().expect("EDITS is a number");
    let root = corpus(n);
    let guide = root.join("guide");
    let opts = BuildOptions {
        load: LoadOptions {
            guide_dir: guide.clone(),
            display_root: "guide".into(),
            max_file_bytes: guidesmith::source::DEFAULT_MAX_FILE_BYTES,
            drafts: false,
        },
        theme_dir: None,
        base_url: None,
        timings: env("TIMINGS", "") == "1",
    };
    let (target, rel) = middle_chapter(&guide);
    let original = std::fs::read_to_string(&target).expect("chapter readable");

    let mut cache = Cache::default();
    cache.changed(None);
    let t = Instant::now();
    let first = site::build(&opts, &mut cache).expect("corpus builds");
    println!(
        "N={n}: first build {:.0} ms, {} files; editing {rel}",
        t.elapsed().as_secs_f64() * 1e3,
        first.site.files.len()
    );

    let mut totals = Vec::new();
    for i in 0..edits {
        let text = format!("{original}\n编辑 {i}：又补充了一句。\n");
        std::fs::write(&target, text).expect("write chapter");
        let t = Instant::now();
        cache.changed(Some(std::slice::from_ref(&rel)));
        let built = site::build(&opts, &mut cache).expect("rebuild");
        totals.push(t.elapsed());
        assert_eq!(
            built.rendered, 1,
            "exactly the edited chapter is re-rendered"
        );
    }
    std::fs::write(&target, original).expect("restore chapter");

    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let pct = |v: &mut Vec<Duration>, p: f64| {
        v.sort();
        v[((v.len() - 1) as f64 * p).round() as usize]
    };
    println!("{:>9}  {:>8}  {:>8}", "", "median", "p90");
    let (m, p) = (pct(&mut totals, 0.5), pct(&mut totals, 0.9));
    println!("{:>9}  {:>6.2} ms  {:>6.2} ms", "rebuild", ms(m), ms(p));
}
