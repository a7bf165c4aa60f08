//! Edit → browser reloaded: how long after a contributor saves a chapter the open page in a real
//! browser shows the new text.
//!
//! Starts `guidesmith serve` on a generated corpus, opens the middle chapter in headless
//! Chromium, then repeatedly appends a unique line to that chapter and polls the page (every
//! 2 ms, over the DevTools protocol) until its text contains the line: the time covers the
//! watcher, the rebuild, the live-reload socket, the page reload and the new page's parse.
//!
//!   cargo bench --bench reload
//!   N=1000 EDITS=20 cargo bench --bench reload
//!
//! Env: N (chapters, 1000), EDITS (20), BENCH_WORK ($TMPDIR/guidesmith-bench), SHARED
//! (../shared/bench beside the repository), GUIDESMITH_CHROMIUM (default /usr/bin/chromium).

use std::io::BufRead;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use headless_chrome::{Browser, LaunchOptions};

#[path = "common/mod.rs"]
mod common;
use common::{corpus, env, middle_chapter};

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
    let (target, _) = middle_chapter(&guide);
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
