//! Edit → browser reloaded: how long after a contributor saves a chapter the open page in a real
//! browser shows the new text.
//!
//! Starts `guidesmith serve` on a generated corpus, opens the middle chapter in headless
//! Chromium, then repeatedly appends a unique line to that chapter and polls the page (every
//! 2 ms, over the DevTools protocol) until its text contains the line: the time covers the
//! watcher, the rebuild, the live-reload long poll, the page reload and the new page's parse.
//!
//!   cargo bench --bench reload
//!   N=1000 EDITS=20 cargo bench --bench reload
//!
//! Env: N (chapters, 1000), EDITS (20), BENCH_WORK (/tmp/guidesmith-bench), SHARED
//! (/work/shared/bench), GUIDESMITH_CHROMIUM (default /usr/bin/chromium).

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use headless_chrome::{Browser, LaunchOptions};

fn env(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

/// The corpus folder (with `guide/`), generated on first use (shared with the rebuild bench).
fn corpus(n: usize) -> PathBuf {
    let work = PathBuf::from(env("BENCH_WORK", "/tmp/guidesmith-bench"));
    let site = work.join(format!("rebuild-{n}"));
    if site.join("guide/guide.yaml").is_file() {
        return site;
    }
    let shared = PathBuf::from(env("SHARED", "/work/shared/bench"));
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    for cmd in [
        Command::new("python3")
            .arg(shared.join("gen_corpus.py"))
            .args([
                "--chapters",
                &n.to_string(),
                "--checklists",
                "20",
                "--seed",
                "1",
            ])
            .args(["--format", "neutral", "--force", "--out"])
            .arg(&site)
            .status(),
        Command::new("python3")
            .arg(here.join("bench/neutral_to_guidesmith.py"))
            .arg(&site)
            .status(),
    ] {
        assert!(
            cmd.expect("python3 runs").success(),
            "corpus generation failed"
        );
    }
    site
}

fn main() {
    let n: usize = env("N", "1000").parse().expect("N is a number");
    let edits: usize = env("EDITS", "20").parse().expect("EDITS is a number");
    let chromium = PathBuf::from(env("GUIDESMITH_CHROMIUM", "/usr/bin/chromium"));
    if !chromium.exists() {
        eprintln!("no Chromium at {}; skipping", chromium.display());
        return;
    }
    let root = corpus(n);
    let guide = root.join("guide");
    let mut chapters: Vec<PathBuf> = std::fs::read_dir(guide.join("chapters"))
        .expect("chapters folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    chapters.sort();
    let target = chapters[chapters.len() / 2].clone();
    let stem = target
        .file_stem()
        .expect("stem")
        .to_string_lossy()
        .into_owned();
    let original = std::fs::read_to_string(&target).expect("chapter readable");

    let mut server = Command::new(env!("CARGO_BIN_EXE_guidesmith"))
        .args(["serve", "--port", "0", "--guide"])
        .arg(&guide)
        .current_dir(&root)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("guidesmith serve starts");
    let mut line = String::new();
    std::io::BufReader::new(server.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("serve prints its URL");
    let base = line.trim().trim_start_matches("serving ").to_owned();
    let url = format!("{base}{stem}.html");

    let browser = Browser::new(
        LaunchOptions::default_builder()
            .path(Some(chromium))
            .headless(true)
            .sandbox(false)
            .args(vec![std::ffi::OsStr::new("--disable-gpu")])
            .idle_browser_timeout(Duration::from_secs(120))
            .build()
            .expect("launch options"),
    )
    .expect("Chromium starts");
    let tab = browser.new_tab().expect("tab");
    tab.navigate_to(&url).expect("open page");
    tab.wait_until_navigated().expect("page loads");
    println!("N={n}: serving {url}");

    let shows = |marker: &str| -> bool {
        let js =
            format!("document.body !== null && document.body.innerText.indexOf('{marker}') >= 0");
        tab.evaluate(&js, false)
            .ok()
            .and_then(|r| r.value)
            .and_then(|v| v.as_bool())
            .unwrap_or(false)
    };
    let mut times = Vec::new();
    for i in 0..edits {
        std::thread::sleep(Duration::from_millis(700));
        let marker = format!("重载标记{i}号");
        std::fs::write(&target, format!("{original}\n{marker}\n")).expect("write chapter");
        let t = Instant::now();
        while !shows(&marker) {
            assert!(
                t.elapsed() < Duration::from_secs(10),
                "page never showed edit {i}"
            );
            std::thread::sleep(Duration::from_millis(2));
        }
        times.push(t.elapsed());
        println!("edit {i}: {:.0} ms", t.elapsed().as_secs_f64() * 1e3);
    }
    std::fs::write(&target, original).expect("restore chapter");
    let _ = server.kill();
    let _ = server.wait();

    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "edit -> browser shows the new text: median {:.0} ms, p90 {:.0} ms, min {:.0}, max {:.0} (n={})",
        ms(times[times.len() / 2]),
        ms(times[(times.len() * 9) / 10]),
        ms(times[0]),
        ms(times[times.len() - 1]),
        times.len()
    );
}
