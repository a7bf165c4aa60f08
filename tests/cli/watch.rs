//! Watch mode (RELIABILITY W1–W8, O9): scripted file operations against a running
//! `guidesmith serve` (or `build --watch`), observed through `/__gs/status` (build number and
//! completed-rebuild count), the live-reload socket `/__gs/live` and the served pages. Every wait is bounded
//! (`Serve::until`, `hang_guard`); nothing asserts how fast a step was.

use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::harness::{bin, hang_guard, Project};
use crate::serve::{
    assert_served_equals_clean_build, capture_stderr, chapter, header, meta_build, small_guide,
    Serve,
};

fn sleep_ms(ms: u64) {
    std::thread::sleep(Duration::from_millis(ms));
}

/// Waits until the page contains `text`, then until no rebuild happened for 600 ms, and
/// returns how many rebuilds completed since `before`.
fn settle_after(s: &Serve, before: u64, page: &str, text: &str) -> u64 {
    s.until(30, &format!("{page} to contain {text:?}"), |s| {
        s.text(page).is_some_and(|t| t.contains(text))
    });
    let mut last = s.rebuilds();
    let mut quiet_since = Instant::now();
    let end = Instant::now() + Duration::from_secs(30);
    while quiet_since.elapsed() < Duration::from_millis(600) && Instant::now() < end {
        sleep_ms(50);
        let now = s.rebuilds();
        if now != last {
            last = now;
            quiet_since = Instant::now();
        }
    }
    last - before
}

#[test]
fn editor_save_patterns_each_give_exactly_one_rebuild() {
    hang_guard(180, || {
        let p = small_guide("w1");
        let s = Serve::start(&p, &[]);
        let a = p.path("guide/chapters/a.md");

        // In-place write (open without truncation, overwrite).
        let before = s.rebuilds();
        {
            use std::io::{Seek, Write};
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .open(&a)
                .expect("open");
            let text = chapter("甲章", "正文 A 第一版。");
            f.seek(std::io::SeekFrom::Start(0)).expect("seek");
            f.write_all(text.as_bytes()).expect("write");
            let len = text.len() as u64;
            f.set_len(len).expect("set_len");
        }
        assert_eq!(
            settle_after(&s, before, "/a.html", "第一版"),
            1,
            "in-place write"
        );

        // Truncate + write.
        let before = s.rebuilds();
        std::fs::write(&a, chapter("甲章", "正文 A 第二版。")).expect("write");
        assert_eq!(
            settle_after(&s, before, "/a.html", "第二版"),
            1,
            "truncate + write"
        );

        // Temp file + rename over (vim backupcopy=no, JetBrains safe write).
        let before = s.rebuilds();
        let tmp = p.path("guide/chapters/a.md___jb_tmp___");
        std::fs::write(&tmp, chapter("甲章", "正文 A 第三版。")).expect("write tmp");
        std::fs::rename(&tmp, &a).expect("rename over");
        assert_eq!(
            settle_after(&s, before, "/a.html", "第三版"),
            1,
            "temp + rename-over"
        );

        // Rename the original to a backup `~`, write a new file, drop the backup.
        let before = s.rebuilds();
        let backup = p.path("guide/chapters/a.md~");
        std::fs::rename(&a, &backup).expect("rename to ~");
        std::fs::write(&a, chapter("甲章", "正文 A 第四版。")).expect("write new");
        std::fs::remove_file(&backup).expect("remove backup");
        assert_eq!(
            settle_after(&s, before, "/a.html", "第四版"),
            1,
            "rename to ~ + new file"
        );

        // Swap and probe files alone never trigger a rebuild nor reach the site.
        let before = s.rebuilds();
        let build = s.build();
        for junk in [
            ".a.md.swp",
            ".a.md.swx",
            "4913",
            "a.md~",
            ".#a.md",
            "a.md.bck",
            "b.md___jb_old___",
            "#a.md#",
        ] {
            p.write(&format!("guide/chapters/{junk}"), "junk");
        }
        std::fs::remove_file(p.path("guide/chapters/4913")).expect("vim removes its probe");
        sleep_ms(1500);
        assert_eq!(
            s.rebuilds(),
            before,
            "temp files triggered a rebuild:\n{}",
            s.stderr()
        );
        assert_eq!(s.build(), build);
        assert_eq!(s.get("/chapters/.a.md.swp").0, 404);
        assert!(s.status()["diagnostics"]
            .as_array()
            .is_some_and(Vec::is_empty));
    });
}

#[test]
fn a_burst_of_200_changes_is_at_most_two_rebuilds_and_matches_a_clean_build() {
    hang_guard(300, || {
        let p = Project::empty("w2");
        let n = 200;
        let mut yaml = String::from("title: 大指南\ndescription: 两百章。\nupdated: 2026-01-01\nnotice: 仅供测试。\nnav:\n  - title: 全部\n    chapters:\n");
        for i in 0..n {
            yaml.push_str(&format!("      - chapters/c{i:03}.md\n"));
            p.write(
                &format!("guide/chapters/c{i:03}.md"),
                chapter(&format!("第{i}章"), "初版。"),
            );
        }
        p.write("guide/guide.yaml", yaml);
        let s = Serve::start(&p, &[]);
        let before = s.rebuilds();
        // Like `git checkout`: every file rewritten as fast as we can.
        for i in 0..n {
            p.write(
                &format!("guide/chapters/c{i:03}.md"),
                chapter(&format!("第{i}章"), &format!("改版 {i}。")),
            );
        }
        let last = format!("/c{:03}.html", n - 1);
        let rebuilds = settle_after(&s, before, &last, &format!("改版 {}。", n - 1));
        assert!(
            rebuilds <= 2,
            "{rebuilds} rebuilds for one burst:\n{}",
            s.stderr()
        );

        assert_served_equals_clean_build(&s, &p);
    });
}

#[test]
fn one_edit_is_one_rebuild_with_no_loop_afterwards() {
    hang_guard(120, || {
        let p = small_guide("w3");
        let s = Serve::start(&p, &[]);
        let (before, build) = (s.rebuilds(), s.build());
        p.write("guide/chapters/a.md", chapter("甲章", "正文 A 改了一次。"));
        s.until(30, "the edit", |s| {
            s.text("/a.html").is_some_and(|t| t.contains("改了一次"))
        });
        assert_eq!(s.build(), build + 1);
        let after = s.rebuilds();
        sleep_ms(3000);
        assert_eq!(s.rebuilds(), after, "rebuild loop:\n{}", s.stderr());
        assert_eq!(after, before + 1);
        assert_eq!(s.build(), build + 1);
    });
}

#[test]
fn renamed_deleted_and_recreated_directories_rearm_the_watch() {
    hang_guard(240, || {
        let p = small_guide("w4");
        let s = Serve::start(&p, &[]);
        let yaml = |dir: &str| {
            format!("title: 测试指南\ndescription: 测试用的小指南。\nupdated: 2026-01-01\nnotice: 仅供测试。\nnav:\n  - title: 第一部分\n    chapters:\n      - chapters/a.md\n      - chapters/{dir}/b.md\n")
        };

        // Rename a directory (and point the nav at it).
        std::fs::rename(p.path("guide/chapters/p"), p.path("guide/chapters/q")).expect("mv dir");
        p.write("guide/guide.yaml", yaml("q"));
        s.until(30, "the renamed page", |s| s.get("/q/b.html").0 == 200);
        assert_eq!(s.get("/p/b.html").0, 404);
        // The watch covers the renamed directory.
        p.write("guide/chapters/q/b.md", chapter("乙章", "正文 B 在 q 里。"));
        s.until(30, "an edit inside the renamed dir", |s| {
            s.text("/q/b.html").is_some_and(|t| t.contains("在 q 里"))
        });

        // Delete and recreate it.
        std::fs::remove_dir_all(p.path("guide/chapters/q")).expect("rm -r");
        s.until(30, "the failure", |s| {
            s.status()["diagnostics"]
                .as_array()
                .is_some_and(|d| !d.is_empty())
        });
        p.write("guide/chapters/q/b.md", chapter("乙章", "正文 B 重建。"));
        s.until(30, "the recreated page", |s| {
            s.text("/q/b.html").is_some_and(|t| t.contains("重建"))
        });
        p.write(
            "guide/chapters/q/b.md",
            chapter("乙章", "正文 B 重建后再改。"),
        );
        s.until(30, "an edit in the recreated dir", |s| {
            s.text("/q/b.html").is_some_and(|t| t.contains("再改"))
        });

        // The whole guide/ goes away: the overlay says so, the last good site stays.
        let build = s.build();
        std::fs::rename(p.path("guide"), p.path("guide-away")).expect("mv guide");
        s.until(30, "the missing-guide diagnostic", |s| {
            let (_, _, b) = s.get(&format!("/__gs/status?build={build}&page=%2Fa.html"));
            String::from_utf8_lossy(&b).contains("guide directory not found")
        });
        assert!(
            s.text("/q/b.html").is_some_and(|t| t.contains("再改")),
            "last good site still served"
        );
        std::fs::rename(p.path("guide-away"), p.path("guide")).expect("restore guide");
        s.until(30, "recovery", |s| {
            s.status()["diagnostics"]
                .as_array()
                .is_some_and(Vec::is_empty)
        });
        p.write("guide/chapters/a.md", chapter("甲章", "正文 A 恢复后。"));
        s.until(30, "an edit after the guide came back", |s| {
            s.text("/a.html").is_some_and(|t| t.contains("恢复后"))
        });

        // Deleted outright and written anew.
        std::fs::remove_dir_all(p.path("guide")).expect("rm -r guide");
        s.until(30, "the missing-guide diagnostic again", |s| {
            s.status().to_string().contains("guide directory not found")
        });
        let fresh = small_guide("w4-fresh");
        crate::harness::copy_dir(&fresh.path("guide"), &p.path("guide"));
        s.until(30, "recovery from a new guide/", |s| {
            s.text("/p/b.html").is_some_and(|t| t.contains("初版"))
        });
        p.write(
            "guide/chapters/p/b.md",
            chapter("乙章", "正文 B 最后一版。"),
        );
        s.until(30, "an edit in the new guide/", |s| {
            s.text("/p/b.html").is_some_and(|t| t.contains("最后一版"))
        });
    });
}

#[test]
fn a_broken_chapter_keeps_the_last_good_page_and_reports_file_line_col() {
    hang_guard(120, || {
        let p = small_guide("w6");
        let s = Serve::start(&p, &[]);
        let build = s.build();
        p.write("guide/chapters/p/b.md", "---\ntitel: <img src=x onerror=alert(1)>\ndescription: 坏了。\n---\n\n正文 B 坏版本。\n");
        s.until(30, "the failure", |s| {
            s.status()["diagnostics"]
                .as_array()
                .is_some_and(|d| !d.is_empty())
        });
        // Asked with the current build and no known diagnostics: answers at once.
        let (st, _, body) = s.get(&format!("/__gs/status?build={build}&page=%2Fp%2Fb.html"));
        assert_eq!(st, 200);
        let v: serde_json::Value = serde_json::from_slice(&body).expect("json");
        assert_eq!(v["build"].as_u64(), Some(build), "no new build on failure");
        assert_eq!(v["page_changed"], false);
        let texts: Vec<&str> = v["diagnostics"]
            .as_array()
            .expect("list")
            .iter()
            .filter_map(|d| d["text"].as_str())
            .collect();
        let all = texts.join("\n");
        assert!(all.contains("guide/chapters/p/b.md:2:1"), "{all}");
        assert!(all.contains("did you mean `title`?"), "{all}");
        assert!(all.contains("^"), "caret line: {all}");
        // The terminal shows the same location.
        s.until(10, "the terminal report", |s| {
            s.stderr().contains("--> guide/chapters/p/b.md:2:1")
        });
        let page = s.text("/p/b.html").expect("still served");
        assert!(
            page.contains("初版") && !page.contains("坏版本"),
            "last good page"
        );
        assert_eq!(meta_build(&page), Some(build));

        // A page showing the current digest hears nothing until the fix; the fix clears
        // everything.
        let digest = v["digest"].as_str().expect("digest").to_owned();
        let query = format!("build={build}&diag={digest}&page=%2Fp%2Fb.html");
        let mut socket = crate::serve_live::LiveSocket::open(s.port, &s.host(), &query, "")
            .expect("live-reload socket");
        assert!(socket.next_json(1).is_none(), "no news before the fix");
        p.write("guide/chapters/p/b.md", chapter("乙章", "正文 B 修好了。"));
        let v = socket.next_json(30).expect("told about the fix");
        assert_eq!(v["news"], true);
        assert_eq!(v["diagnostics"].as_array().map(Vec::len), Some(0), "{v}");
        assert_eq!(v["page_changed"], true, "the fixed page reloads");
        assert!(s.text("/p/b.html").is_some_and(|t| t.contains("修好了")));
    });
}

#[test]
fn pages_fetched_during_20_rebuilds_are_never_404_or_mixed() {
    hang_guard(300, || {
        let p = small_guide("w7");
        // A theme override whose stylesheet changes with every edit, so page and asset names
        // change together (the hard case for a transient 404).
        p.write(
            "themes/default/static/style.css",
            "/* rev 0 */ body { margin: 0 }\n",
        );
        let s = Serve::start(&p, &[]);
        let stop = Arc::new(Mutex::new(false));
        let port = s.port;
        let host = s.host();
        let flag = Arc::clone(&stop);
        let client = std::thread::spawn(move || {
            let get = |path: &str| {
                crate::serve::raw(
                    port,
                    format!("GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n").as_bytes(),
                )
            };
            let (mut fetches, mut last_build) = (0u64, 0u64);
            while !*flag.lock().expect("flag") {
                for page in ["/a.html", "/p/b.html", "/"] {
                    let (st, head, body) = get(page);
                    assert_eq!(st, 200, "{page} during rebuilds");
                    let html = String::from_utf8_lossy(&body).into_owned();
                    let b = meta_build(&html).expect("build meta");
                    assert_eq!(
                        header(&head, "x-gs-build").and_then(|h| h.parse().ok()),
                        Some(b),
                        "{page}: header and meta agree"
                    );
                    assert!(
                        b >= last_build,
                        "builds never go backwards ({b} < {last_build})"
                    );
                    last_build = b;
                    let rev = html
                        .split("rev ")
                        .nth(1)
                        .and_then(|r| r.split('。').next())
                        .and_then(|r| r.parse::<u64>().ok());
                    let css = html
                        .split("href=\"")
                        .filter_map(|r| r.split('"').next())
                        .find(|u| u.contains("static/style."))
                        .expect("css")
                        .to_owned();
                    let css = css.trim_start_matches("../").to_owned();
                    let (cst, _, cbody) = get(&format!("/{css}"));
                    assert_eq!(cst, 200, "{css} referenced by {page} (build {b})");
                    // The stylesheet is the one written with this page's edit (or, if the two
                    // writes fell into separate batches, the one written just before it).
                    if let (Some(rev), true) = (rev, page == "/a.html") {
                        let c = String::from_utf8_lossy(&cbody).into_owned();
                        assert!(
                            c.contains(&format!("/* rev {rev} */"))
                                || c.contains(&format!("/* rev {} */", rev + 1)),
                            "{page} rev {rev} with {css}: {c}"
                        );
                    }
                    fetches += 1;
                }
            }
            fetches
        });
        let mut build = s.build();
        for i in 1..=20 {
            p.write(
                "themes/default/static/style.css",
                format!("/* rev {i} */ body {{ margin: 0 }}\n"),
            );
            p.write(
                "guide/chapters/a.md",
                chapter("甲章", &format!("正文 rev {i}。")),
            );
            s.until(30, &format!("build after edit {i}"), |s| s.build() > build);
            s.until(30, &format!("edit {i} visible"), |s| {
                s.text("/a.html")
                    .is_some_and(|t| t.contains(&format!("rev {i}。")))
            });
            build = s.build();
        }
        *stop.lock().expect("flag") = true;
        let fetches = client
            .join()
            .expect("the client saw no 404 and no mixed builds");
        assert!(fetches > 0);
    });
}

#[test]
fn half_written_utf8_is_retried_not_reported() {
    hang_guard(120, || {
        let p = small_guide("w8");
        let s = Serve::start(&p, &[]);
        let a = p.path("guide/chapters/a.md");
        // Completed within the debounce window, and just after it (the retry path).
        for (gap, word) in [(5u64, "完成甲"), (90, "完成乙")] {
            let full = chapter("甲章", &format!("正文{word}"));
            let bytes = full.as_bytes();
            // Cut inside the last Chinese character of the body (3 bytes in UTF-8).
            let cut = full
                .rfind(word.chars().last().expect("char"))
                .expect("present")
                + 1;
            std::fs::write(&a, &bytes[..cut]).expect("half");
            sleep_ms(gap);
            use std::io::Write;
            std::fs::OpenOptions::new()
                .append(true)
                .open(&a)
                .expect("open")
                .write_all(&bytes[cut..])
                .expect("rest");
            s.until(30, word, |s| {
                s.text("/a.html").is_some_and(|t| t.contains(word))
            });
        }
        sleep_ms(500);
        assert!(
            !s.stderr().contains("invalid UTF-8"),
            "reported a transient file:\n{}",
            s.stderr()
        );
        assert!(s.status()["diagnostics"]
            .as_array()
            .is_some_and(Vec::is_empty));

        // A file that stays broken is reported.
        std::fs::write(&a, b"---\ntitle: \xe7\x94\n").expect("broken");
        s.until(30, "the report", |s| s.stderr().contains("invalid UTF-8"));
    });
}

#[test]
fn poll_mode_picks_up_edits() {
    hang_guard(120, || {
        let p = small_guide("poll");
        let s = Serve::start(&p, &["--poll"]);
        s.until(10, "the startup line", |s| {
            s.stderr().contains("polling every")
        });
        p.write("guide/chapters/a.md", chapter("甲章", "正文 A 轮询。"));
        s.until(30, "the polled edit", |s| {
            s.text("/a.html").is_some_and(|t| t.contains("轮询"))
        });
        p.write("guide/chapters/p/c.md", chapter("丙章", "新文件。"));
        // A chapter outside nav is a warning (printed, not shown in the overlay).
        s.until(30, "the new file's warning", |s| {
            s.stderr().contains("not listed in guide.yaml nav")
        });
    });
}

#[test]
fn a_failing_native_watcher_falls_back_to_polling_once() {
    hang_guard(120, || {
        let p = small_guide("w5");
        let s = Serve::start_env(&p, &[], &[("GUIDESMITH_TEST_NATIVE_WATCH", "fail")]);
        p.write("guide/chapters/a.md", chapter("甲章", "正文 A 回退。"));
        s.until(30, "the edit via polling", |s| {
            s.text("/a.html").is_some_and(|t| t.contains("回退"))
        });
        p.write("guide/chapters/a.md", chapter("甲章", "正文 A 再回退。"));
        s.until(30, "a second edit", |s| {
            s.text("/a.html").is_some_and(|t| t.contains("再回退"))
        });
        assert_eq!(
            s.stderr().matches("falling back to polling").count(),
            1,
            "{}",
            s.stderr()
        );
    });
}

/// A running `guidesmith build --watch`, killed on drop.
struct WatchBuild {
    child: Child,
    stderr: Arc<Mutex<String>>,
}

impl WatchBuild {
    fn start(p: &Project) -> WatchBuild {
        let mut child = Command::new(bin())
            .args(["build", "--watch", "--out", "public"])
            .current_dir(&p.root)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("build --watch starts");
        let stderr = capture_stderr(&mut child);
        let w = WatchBuild { child, stderr };
        w.until(60, "watching", |e| e.contains("watching "));
        w
    }

    fn err(&self) -> String {
        self.stderr.lock().expect("lock").clone()
    }

    fn until(&self, secs: u64, what: &str, f: impl Fn(&str) -> bool) {
        let end = Instant::now() + Duration::from_secs(secs);
        while Instant::now() < end {
            if f(&self.err()) {
                return;
            }
            sleep_ms(20);
        }
        panic!("timed out waiting for {what}:\n{}", self.err());
    }
}

impl Drop for WatchBuild {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[cfg(unix)]
#[test]
fn build_watch_rewrites_only_changed_files_and_holds_the_lock() {
    use std::os::unix::fs::MetadataExt;
    hang_guard(120, || {
        let p = small_guide("bw");
        let w = WatchBuild::start(&p);
        let ino = |rel: &str| std::fs::metadata(p.path(rel)).map(|m| m.ino()).expect(rel);
        let css = std::fs::read_dir(p.path("public/static"))
            .expect("static")
            .filter_map(Result::ok)
            .map(|e| format!("public/static/{}", e.file_name().to_string_lossy()))
            .find(|n| n.ends_with(".css"))
            .expect("css");
        let (css_ino, b_ino, a_ino) = (ino(&css), ino("public/p/b.html"), ino("public/a.html"));

        p.write("guide/chapters/a.md", chapter("甲章", "正文 A 写盘。"));
        w.until(30, "the rebuild", |e| e.contains("rebuilt in"));
        assert!(p.read("public/a.html").contains("写盘"));
        assert_ne!(ino("public/a.html"), a_ino, "changed file rewritten");
        assert_eq!(
            ino(&css),
            css_ino,
            "unchanged asset kept (hard-linked), not rewritten"
        );
        assert_eq!(ino("public/p/b.html"), b_ino, "unchanged page kept");
        // The page itself, print.html (which holds every chapter), the search index (its text
        // changed) and sw.js, whose precache version hashes every file.
        assert!(w.err().contains("4 written, 16 unchanged"), "{}", w.err());

        // No loop: the staging dir and output are outside the watched folders (W3).
        sleep_ms(3000);
        assert_eq!(w.err().matches("rebuilt in").count(), 1, "{}", w.err());

        // A broken edit keeps the last good output.
        let before = crate::harness::tree(&p.path("public"));
        p.write("guide/chapters/a.md", "---\ntitel: x\n---\n");
        w.until(30, "the failure", |e| e.contains("rebuild failed"));
        assert!(
            crate::harness::tree(&p.path("public")) == before,
            "output unchanged after a failed rebuild"
        );

        // O9: a second build on the same output fails naming the holder.
        let r = p.run(&["build", "--out", "public"]);
        assert_ne!(r.code, 0);
        assert!(
            r.stderr.contains(&format!("PID {}", w.child.id())),
            "{}",
            r.stderr
        );
    });
}
