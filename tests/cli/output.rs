//! Tests: the output directory (RELIABILITY O1–O4, O9, O10). Data-loss rows assert tree
//! hashes, not just exit codes. Fault injection at every file operation and swap step
//! (O4 disk-full/EACCES, O5) lives in src/output.rs (`fault_tests`), behind the `Fs` seam.

use std::path::Path;
use std::process::{Command, Stdio};

use crate::harness::{bin, hang_guard, tree, Project};

/// Writes a small valid guide under `<dir>/` of the project: home, two chapters, a checklist.
pub fn small_guide(p: &Project, dir: &str) {
    p.write(
        &format!("{dir}/guide.yaml"),
        "title: 测试指南\ndescription: 小指南\nupdated: 2026-11-24\nnotice: 不构成法律意见。\nnav:\n  - title: 第一部分\n    chapters:\n      - chapters/a.md\n      - chapters/b.md\n",
    );
    p.write(
        &format!("{dir}/index.md"),
        "---\ntitle: 首页\ndescription: 首页说明\n---\n\n欢迎。见[第一章](chapters/a.md)。\n",
    );
    p.write(
        &format!("{dir}/chapters/a.md"),
        "---\ntitle: 第一章\ndescription: 第一章说明\nchecklists: [demo]\n---\n\n## 话费\n\n正文，见[第二章](b.md#花费)。\n",
    );
    p.write(
        &format!("{dir}/chapters/b.md"),
        "---\ntitle: 第二章\ndescription: 第二章说明\n---\n\n## 花费\n\n正文。\n",
    );
    p.write(
        &format!("{dir}/checklists/demo.yaml"),
        "id: demo\ntitle: 演示清单\npurpose: 演示\nchapter: chapters/a.md\nsections:\n  - title: 一\n    items:\n      - id: id-card\n        check: 身份证\n",
    );
}

fn project() -> Project {
    let p = Project::empty("out");
    small_guide(&p, "guide");
    p
}

/// Runs the binary in `dir` with `HOME` pointing at `home`.
fn run_with_home(dir: &Path, home: &Path, args: &[&str]) -> crate::harness::Run {
    Command::new(bin())
        .args(args)
        .current_dir(dir)
        .env("HOME", home)
        .env_remove("RUST_BACKTRACE")
        .output()
        .expect("guidesmith runs")
        .into()
}

fn canon(p: &Path) -> String {
    p.canonicalize()
        .expect("path exists")
        .to_string_lossy()
        .into_owned()
}

#[test]
fn output_locations_overlapping_sources_root_or_home_are_refused_before_anything_is_touched() {
    let p = Project::empty("o1");
    small_guide(&p, "book/guide");
    p.write("themes/default/static/extra.txt", "theme file");
    let home = Project::empty("o1-home");
    std::os::unix::fs::symlink(p.path("book/guide"), p.path("link-to-guide")).expect("symlink");
    std::os::unix::fs::symlink(&p.root, p.path("book/link-to-root")).expect("symlink");
    let root = canon(&p.root);
    let guide = canon(&p.path("book/guide"));
    let themes = canon(&p.path("themes"));
    let home_c = canon(&home.root);
    let home_s = home.root.to_string_lossy().into_owned();
    // (--out value, the protected path the message must name besides the output)
    let cases: Vec<(&str, String)> = vec![
        (".", root.clone()),
        ("..", root.clone()),
        ("book/guide", guide.clone()),
        ("book/guide/site", guide.clone()),
        ("book", guide.clone()),
        ("themes", themes.clone()),
        ("themes/default/site", themes.clone()),
        (home_s.as_str(), home_c.clone()),
        ("link-to-guide", guide.clone()),
        ("book/link-to-root", root.clone()),
        ("/", "/".to_owned()),
    ];
    let before = tree(&p.root);
    let home_before = tree(&home.root);
    for (out, named) in &cases {
        let r = run_with_home(
            &p.root,
            &home.root,
            &["build", "--guide", "book/guide", "--out", out],
        );
        assert_eq!(r.code, 2, "--out {out}: exit code\n{}", r.stderr);
        assert!(
            r.stderr.contains(&format!("`{named}`")),
            "--out {out}: must name `{named}`\n{}",
            r.stderr
        );
        assert!(
            r.stderr.contains(&format!("`{out}`")),
            "--out {out}: must name the output as given\n{}",
            r.stderr
        );
        assert_eq!(tree(&p.root), before, "--out {out}: project changed");
        assert_eq!(tree(&home.root), home_before, "--out {out}: HOME changed");
    }
    // Also refused when it is the canonical output path that is named: `..` resolves to the
    // folder containing the project.
    let r = run_with_home(
        &p.root,
        &home.root,
        &["build", "--guide", "book/guide", "--out", ".."],
    );
    let parent = canon(p.root.parent().expect("temp project has a parent"));
    assert!(r.stderr.contains(&format!("`{parent}`")), "{}", r.stderr);
}

#[test]
fn a_sibling_whose_name_merely_starts_with_the_guide_name_is_allowed() {
    let p = Project::empty("o1-prefix");
    small_guide(&p, "book/guide");
    let home = Project::empty("o1-prefix-home");
    let inside_home = home.path("sites/public");
    for out in [
        "book/guide-out",
        "guide-out",
        inside_home.to_str().expect("utf-8 temp path"),
    ] {
        let r = run_with_home(
            &p.root,
            &home.root,
            &["build", "--guide", "book/guide", "--out", out],
        );
        assert_eq!(r.code, 0, "--out {out}\n{}", r.stderr);
        let dir = if Path::new(out).is_absolute() {
            Path::new(out).to_owned()
        } else {
            p.path(out)
        };
        assert!(dir.join("a.html").is_file(), "--out {out}: no a.html");
    }
}

fn write_existing(p: &Project, files: &[(&str, &str)]) {
    for (rel, content) in files {
        p.write(rel, content);
    }
}

#[test]
fn a_foreign_output_folder_is_refused_listing_its_entries_and_force_keeps_dot_entries() {
    // A gh-pages worktree: `.git/HEAD` and notes.txt.
    let p = project();
    write_existing(
        &p,
        &[
            ("public/.git/HEAD", "ref: refs/heads/gh-pages\n"),
            ("public/notes.txt", "mine"),
        ],
    );
    let before = tree(&p.root);
    let r = p.run(&["build"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("notes.txt"), "{}", r.stderr);
    assert!(r.stderr.contains(".git/HEAD"), "{}", r.stderr);
    assert!(r.stderr.contains("--force"), "{}", r.stderr);
    assert_eq!(tree(&p.root), before, "refusal touched files");

    p.run(&["build", "--force"]).ok();
    assert_eq!(p.read("public/.git/HEAD"), "ref: refs/heads/gh-pages\n");
    assert!(p.path("public/index.html").is_file());
    // Our output now; the next plain build neither refuses nor drops `.git`.
    p.run(&["build"]).ok();
    assert_eq!(p.read("public/.git/HEAD"), "ref: refs/heads/gh-pages\n");

    // A linked worktree: `.git` is a file.
    let p = project();
    write_existing(
        &p,
        &[
            ("public/.git", "gitdir: /elsewhere/.git/worktrees/gh\n"),
            ("public/notes.txt", "mine"),
        ],
    );
    let before = tree(&p.root);
    let r = p.run(&["build"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("notes.txt") && r.stderr.contains(".git"),
        "{}",
        r.stderr
    );
    assert_eq!(tree(&p.root), before);
    p.run(&["build", "--force"]).ok();
    assert_eq!(
        p.read("public/.git"),
        "gitdir: /elsewhere/.git/worktrees/gh\n"
    );
    p.run(&["build"]).ok();
    assert_eq!(
        p.read("public/.git"),
        "gitdir: /elsewhere/.git/worktrees/gh\n"
    );
}

#[test]
fn a_removed_chapter_disappears_and_an_unknown_file_is_a_refusal_not_a_delete() {
    let p = project();
    p.run(&["build"]).ok();
    assert!(p.path("public/b.html").is_file());
    // Remove chapter b (file, nav entry and the link to it).
    std::fs::remove_file(p.path("guide/chapters/b.md")).expect("rm");
    let cfg = p
        .read("guide/guide.yaml")
        .replace("      - chapters/b.md\n", "");
    p.write("guide/guide.yaml", cfg);
    p.write(
        "guide/chapters/a.md",
        "---\ntitle: 第一章\ndescription: 第一章说明\nchecklists: [demo]\n---\n\n## 话费\n\n正文。\n",
    );
    p.run(&["build"]).ok();
    assert!(!p.path("public/b.html").exists(), "stale page left behind");
    assert!(p.path("public/a.html").is_file());

    p.write("public/mine.txt", "the user's file");
    let before = tree(&p.path("public"));
    let r = p.run(&["build"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("mine.txt"), "{}", r.stderr);
    assert_eq!(tree(&p.path("public")), before, "output changed on refusal");
    assert_eq!(p.read("public/mine.txt"), "the user's file");
}

#[test]
fn a_failing_build_leaves_the_previous_site_byte_identical() {
    let p = project();
    p.run(&["build"]).ok();
    let site = tree(&p.path("public"));

    // A content error in the last chapter.
    let good_b = p.read("guide/chapters/b.md");
    p.write("guide/chapters/b.md", "---\ntitle: [未闭合\n---\n");
    let r = p.run(&["build"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("guide/chapters/b.md:2:"), "{}", r.stderr);
    assert_eq!(tree(&p.path("public")), site);
    p.write("guide/chapters/b.md", good_b);

    // A template error (unknown filter) in a theme override.
    p.write(
        "themes/default/templates/chapter.html",
        "<p>{{ title | no_such_filter }}</p>\n",
    );
    let r = p.run(&["build"]);
    assert_ne!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("themes/default/templates/"),
        "{}",
        r.stderr
    );
    assert_eq!(tree(&p.path("public")), site);
    assert!(!p.path(".public.guidesmith-staging").exists());
}

/// A guide large enough that writing its output takes a while: many chapters and assets.
fn large_guide(p: &Project) {
    let mut nav = String::from(
        "title: 大指南\ndescription: 很大\nupdated: 2026-11-24\nnotice: 不构成法律意见。\nnav:\n  - title: 全部\n    chapters:\n",
    );
    let para = "这是一段用来把页面撑大的正文，包含中文和 ASCII text。".repeat(40);
    for i in 0..400 {
        nav.push_str(&format!("      - chapters/c{i:04}.md\n"));
        p.write(
            &format!("guide/chapters/c{i:04}.md"),
            format!("---\ntitle: 第 {i} 章\ndescription: 说明 {i}\n---\n\n## 小节\n\n{para}\n"),
        );
    }
    p.write("guide/guide.yaml", nav);
    // 120 × 1 MiB of assets: the write phase dominates, so a kill lands in it.
    let blob = vec![b'x'; 1 << 20];
    for i in 0..120 {
        let mut b = blob.clone();
        b[0] = (i % 256) as u8;
        p.write(&format!("guide/assets/blob{i:03}.bin"), b);
    }
}

#[test]
fn sigkill_during_a_build_keeps_the_old_site_and_the_next_build_cleans_up() {
    let p = Project::empty("o4-kill");
    small_guide(&p, "guide");
    p.run(&["build"]).ok();
    let old_site = tree(&p.path("public"));
    let small = p.path("guide");
    std::fs::remove_dir_all(&small).expect("rm small guide");
    large_guide(&p);
    let staging = p.path(".public.guidesmith-staging");
    let root = p.root.clone();
    let killed_in_staging = hang_guard(60, move || {
        let mut child = Command::new(bin())
            .args(["build"])
            .current_dir(&root)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn build");
        // Kill as soon as the staging copy exists (or when the build ends on its own).
        let mut seen = false;
        loop {
            if staging.exists() {
                seen = true;
                break;
            }
            if child.try_wait().expect("try_wait").is_some() {
                break;
            }
            std::thread::yield_now();
        }
        let _ = child.kill(); // SIGKILL on unix
        let _ = child.wait();
        seen
    });
    assert!(
        killed_in_staging,
        "the build finished before it could be killed mid-write"
    );
    assert!(
        p.path(".public.guidesmith-staging").exists(),
        "staging left by the kill"
    );
    assert_eq!(
        tree(&p.path("public")),
        old_site,
        "old site changed by the killed build"
    );

    let r = hang_guard(60, {
        let root = p.root.clone();
        move || {
            Command::new(bin())
                .arg("build")
                .current_dir(root)
                .output()
                .expect("rebuild runs")
        }
    });
    assert_eq!(
        r.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
    assert!(p.path("public/c0399.html").is_file());
    assert!(p.path("public/assets/blob119.bin").is_file());
    for leftover in [
        ".public.guidesmith-staging",
        ".public.guidesmith-old",
        ".public.guidesmith-lock",
    ] {
        assert!(!p.path(leftover).exists(), "{leftover} left behind");
    }
}

#[test]
fn a_second_build_on_a_locked_output_fails_naming_the_holders_pid() {
    let p = project();
    p.run(&["build"]).ok();
    let site = tree(&p.path("public"));
    let lock = guidesmith::output::Lock::acquire(&p.path("public")).expect("lock");
    let r = p.run(&["build"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!("PID {}", std::process::id())),
        "{}",
        r.stderr
    );
    assert_eq!(tree(&p.path("public")), site, "a locked output was written");
    drop(lock);
    p.run(&["build"]).ok();
}

#[test]
fn a_build_while_build_watch_runs_fails_naming_the_watchers_pid() {
    let p = project();
    let root = p.root.clone();
    let lock = p.path(".public.guidesmith-lock");
    let mut watcher = Command::new(bin())
        .args(["build", "--watch"])
        .current_dir(&root)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn build --watch");
    let pid = watcher.id();
    hang_guard(30, move || {
        while !lock.exists() {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    });
    let r = p.run(&["build"]);
    let _ = watcher.kill();
    let _ = watcher.wait();
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains(&format!("PID {pid}")), "{}", r.stderr);
}

#[cfg(unix)]
#[test]
fn build_and_check_never_write_into_read_only_sources() {
    use std::os::unix::fs::PermissionsExt;
    let p = project();
    p.write("themes/default/static/extra.css", "body{}\n");
    let set = |dir: &Path, file_mode: u32, dir_mode: u32| {
        let mut all: Vec<_> = walkdir::WalkDir::new(dir)
            .into_iter()
            .filter_map(Result::ok)
            .map(|e| (e.path().to_owned(), e.file_type().is_dir()))
            .collect();
        // Directories last when locking, so their files can still be changed first.
        all.sort_by_key(|(_, d)| *d);
        for (path, is_dir) in all {
            let mode = if is_dir { dir_mode } else { file_mode };
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).expect("chmod");
        }
    };
    set(&p.path("guide"), 0o444, 0o555);
    set(&p.path("themes"), 0o444, 0o555);
    let guide = tree(&p.path("guide"));
    let themes = tree(&p.path("themes"));
    p.run(&["check"]).ok();
    p.run(&["build"]).ok();
    p.run(&["build"]).ok();
    assert_eq!(tree(&p.path("guide")), guide, "guide/ changed");
    assert_eq!(tree(&p.path("themes")), themes, "themes/ changed");
    assert!(p.path("public/index.html").is_file());
}

/// A stand-in $HOME with dot-files, as a link committed in a cloned repository would reach.
fn fake_home(p: &Project) -> std::path::PathBuf {
    p.write("home/.bashrc", "alias ll='ls -l'\n");
    p.write("home/.ssh/id_ed25519", "secret\n");
    p.write("home/thesis.txt", "mine\n");
    p.path("home")
}

#[test]
fn planted_staging_and_old_names_are_refused_never_followed_moved_or_deleted() {
    for name in [".public.guidesmith-old", ".public.guidesmith-staging"] {
        for with_output in [false, true] {
            // A symbolic link to $HOME under our name.
            let p = project();
            if with_output {
                p.run(&["build"]).ok();
            }
            let home = fake_home(&p);
            std::os::unix::fs::symlink(&home, p.path(name)).expect("symlink");
            let before = tree(&p.root);
            let r = p.run(&["build"]);
            assert_eq!(
                r.code, 2,
                "{name}: refused like other output locations\n{}",
                r.stderr
            );
            assert!(
                r.stderr.contains(name) && r.stderr.contains("symbolic link"),
                "{}",
                r.stderr
            );
            assert_eq!(
                tree(&p.root),
                before,
                "{name} (output: {with_output}): touched"
            );
            assert!(p.path(name).is_symlink(), "the link was renamed");

            // A real folder of someone's files under our name.
            let p = project();
            if with_output {
                p.run(&["build"]).ok();
            }
            p.write(&format!("{name}/thesis.txt"), "mine\n");
            p.write(&format!("{name}/.config/app"), "mine\n");
            let before = tree(&p.root);
            let r = p.run(&["build"]);
            assert_eq!(r.code, 2, "{}", r.stderr);
            assert!(r.stderr.contains("no guidesmith marker"), "{}", r.stderr);
            assert_eq!(tree(&p.root), before, "{name}: a user's folder was touched");
        }
    }
}

#[test]
fn an_output_file_edited_after_the_build_is_restored_by_the_next_build() {
    let p = project();
    p.run(&["build"]).ok();
    let clean = tree(&p.path("public"));
    let page = p.read("public/a.html");
    // Same length (size alone cannot tell), then longer, then replaced by a link.
    let same_size = page.replacen("正文", "假文", 1);
    assert_eq!(same_size.len(), page.len());
    for (i, edit) in [same_size, page.clone() + "<script>x</script>"]
        .iter()
        .enumerate()
    {
        p.write("public/a.html", edit);
        let r = p.run(&["build"]);
        r.ok();
        assert!(r.stderr.contains("(1 written,"), "edit {i}: {}", r.stderr);
        assert_eq!(
            p.read("public/a.html"),
            page,
            "edit {i}: tampered bytes kept"
        );
    }
    std::fs::remove_file(p.path("public/a.html")).expect("rm");
    p.write("elsewhere.html", &page);
    std::os::unix::fs::symlink(p.path("elsewhere.html"), p.path("public/a.html")).expect("ln");
    p.run(&["build"]).ok();
    assert!(
        !p.path("public/a.html").is_symlink(),
        "a link was reused as a page"
    );
    // Exactly the site a clean build computes (the manifest's stat columns aside).
    let now = tree(&p.path("public"));
    assert_eq!(
        now.keys().collect::<Vec<_>>(),
        clean.keys().collect::<Vec<_>>()
    );
    for (k, v) in &now {
        if k != ".guidesmith-manifest" {
            assert_eq!(v.0, clean[k].0, "{k}");
        }
    }
}

#[test]
fn three_builds_started_together_leave_one_complete_site_or_refuse_cleanly() {
    use std::sync::{Arc, Barrier};
    let reference = project();
    reference.run(&["build"]).ok();
    let clean = tree(&reference.path("public"));
    let p = project();
    // 20 rounds here; GUIDESMITH_LOCK_ROUNDS=200 for the stress run.
    let rounds: u64 = std::env::var("GUIDESMITH_LOCK_ROUNDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(20);
    hang_guard(15 * rounds, move || {
        // Byte for byte the clean build's site (the manifest's stat columns aside).
        let same_site = |dir: &Path| {
            let now = tree(dir);
            now.keys().eq(clean.keys())
                && now
                    .iter()
                    .all(|(k, v)| k == ".guidesmith-manifest" || v.0 == clean[k].0)
        };
        for round in 0..rounds {
            // Half the rounds start with no output, half over the last round's.
            if round % 2 == 0 {
                let _ = std::fs::remove_dir_all(p.path("public"));
            }
            let start = Arc::new(Barrier::new(3));
            let builds: Vec<_> = (0..3)
                .map(|_| {
                    let start = Arc::clone(&start);
                    let root = p.root.clone();
                    std::thread::spawn(move || {
                        start.wait();
                        Command::new(bin())
                            .arg("build")
                            .current_dir(root)
                            .env_remove("RUST_BACKTRACE")
                            .output()
                            .expect("guidesmith runs")
                    })
                })
                .collect();
            let runs: Vec<crate::harness::Run> = builds
                .into_iter()
                .map(|b| b.join().expect("build thread").into())
                .collect();
            for r in &runs {
                let refused = r.code == 2 && r.stderr.contains("in use by another guidesmith");
                assert!(
                    r.code == 0 || refused,
                    "round {round}: neither success nor a clean refusal (exit {})\n{}",
                    r.code,
                    r.stderr
                );
            }
            assert!(runs.iter().any(|r| r.code == 0), "round {round}: no build");
            assert!(
                same_site(&p.path("public")),
                "round {round}: the output is not the site a clean build makes"
            );
            for leftover in [
                ".public.guidesmith-staging",
                ".public.guidesmith-old",
                ".public.guidesmith-lock",
            ] {
                assert!(!p.path(leftover).exists(), "round {round}: {leftover} left");
            }
        }
    });
}

/// `--out` on a mount point: refused up front, saying why (the output is swapped in by
/// renaming) and what to do, instead of a bare "Device or resource busy" after the build.
#[cfg(target_os = "linux")]
#[test]
fn an_output_on_a_mount_point_is_refused_saying_why_and_what_to_do() {
    let p = project();
    let out = p.path("mnt");
    std::fs::create_dir_all(&out).unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "tmpfs"])
        .arg(&out)
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        crate::harness::print_skip("cannot mount a tmpfs here (needs root)");
        return;
    }
    let r = p.run(&["build", "--out", "mnt"]);
    let listing = std::fs::read_dir(&out).map(|d| d.count());
    let _ = Command::new("umount").arg(&out).status();
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("is a mount point"), "{}", r.stderr);
    assert!(r.stderr.contains("--out public/site"), "{}", r.stderr);
    assert_eq!(listing.ok(), Some(0), "nothing written into the mount");
}
