//! What the benchmarks share: settings from the environment and the generated corpus.

use std::path::{Path, PathBuf};
use std::process::Command;

/// An environment setting, or its default.
pub fn env(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

/// The N-chapter corpus folder (with `guide/`), generated on first use with the shared
/// generator (`$SHARED/gen_corpus.py`) and adapted by `bench/neutral_to_guidesmith.py`.
pub fn corpus(n: usize) -> PathBuf {
    let work = std::env::var_os("BENCH_WORK").map_or_else(
        || std::env::temp_dir().join("guidesmith-bench"),
        PathBuf::from,
    );
    let site = work.join(format!("rebuild-{n}"));
    if site.join("guide/guide.yaml").is_file() {
        return site;
    }
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shared =
        std::env::var_os("SHARED").map_or_else(|| here.join("../shared/bench"), PathBuf::from);
    let chapters = n.to_string();
    let steps = [
        Command::new("python3")
            .arg(shared.join("gen_corpus.py"))
            .args(["--chapters", &chapters, "--checklists", "20", "--seed", "1"])
            .args(["--format", "neutral", "--force", "--out"])
            .arg(&site)
            .status(),
        Command::new("python3")
            .arg(here.join("bench/neutral_to_guidesmith.py"))
            .arg(&site)
            .status(),
    ];
    for st in steps {
        assert!(
            st.expect("python3 runs").success(),
            "corpus generation failed"
        );
    }
    site
}

/// The middle chapter of a guide: its path and its guide-relative path.
pub fn middle_chapter(guide: &Path) -> (PathBuf, String) {
    let mut chapters: Vec<PathBuf> = std::fs::read_dir(guide.join("chapters"))
        .expect("chapters folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    chapters.sort();
    let target = chapters[chapters.len() / 2].clone();
    let rel = target
        .strip_prefix(guide)
        .expect("under guide")
        .to_string_lossy()
        .replace('\\', "/");
    (target, rel)
}
