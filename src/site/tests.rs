//! The rebuild cache's contract: every cached rebuild equals a clean build.

use super::*;
use crate::load::LoadOptions;
use std::path::Path;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

fn opts(guide: &Path) -> BuildOptions {
    BuildOptions {
        load: LoadOptions {
            guide_dir: guide.to_path_buf(),
            display_root: "guide".into(),
            max_file_bytes: crate::source::DEFAULT_MAX_FILE_BYTES,
            drafts: false,
        },
        theme_dir: None,
        base_url: None,
        timings: false,
    }
}

/// Every rebuild through a watcher-style cache (told which files changed) must give the
/// same bytes as a clean one-shot build: nothing the page, form, load or digest caches
/// keep may go stale.
fn assert_digests_match(b: &Built, step: usize) {
    for (path, bytes) in &b.site.files {
        match b.digests.get(path) {
            Some(&d) => assert_eq!(
                d,
                crate::digest::digest(bytes),
                "step {step}: stale digest of {path}"
            ),
            None => assert!(
                path == "sw.js" || path == "sitemap.xml",
                "step {step}: no digest for {path}"
            ),
        }
    }
    assert!(b.digests.keys().all(|p| b.site.files.contains_key(p)));
}

#[test]
fn told_rebuilds_equal_clean_builds() {
    let root = std::env::temp_dir().join(format!("gs-site-cache-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let _cleanup = RemoveOnDrop(root.clone());
    let guide = root.join("guide");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/basic/guide"),
        &guide,
    );
    let a = guide.join("chapters/a.md");
    // Embed the checklist in chapter a, so a checklist edit must reach a's page.
    let text = std::fs::read_to_string(&a).unwrap() + "\n```checklist\ndemo\n```\n";
    std::fs::write(&a, text).unwrap();

    let o = opts(&guide);
    let mut cache = Cache::default();
    cache.changed(None);
    let first = build(&o, &mut cache).expect("fixture builds");
    assert_digests_match(&first, 0);
    assert_eq!(first.site, build(&o, &mut Cache::one_shot()).unwrap().site);

    let edit = |rel: &str, f: &dyn Fn(String) -> String| {
        let p = guide.join(rel);
        let old = std::fs::read_to_string(&p).unwrap_or_default();
        std::fs::write(&p, f(old)).unwrap();
    };
    let nav_c = |s: String| s + "  - title: 第三部分\n    chapters:\n      - chapters/new/c.md\n";
    type Step<'s> = (Vec<&'s str>, Box<dyn Fn() + 's>);
    let steps: Vec<Step> = vec![
        (
            vec!["checklists/demo.yaml"],
            Box::new(|| {
                edit("checklists/demo.yaml", &|s| {
                    s.replace("身份证原件", "身份证和复印件")
                })
            }),
        ),
        (
            vec!["chapters/part/b.md"],
            Box::new(|| edit("chapters/part/b.md", &|s| s + "\n新加的一段。\n")),
        ),
        (
            // A new folder and file: the watcher names the folder.
            vec!["chapters/new", "guide.yaml"],
            Box::new(|| {
                std::fs::create_dir_all(guide.join("chapters/new")).unwrap();
                edit("chapters/new/c.md", &|_| {
                    "---\ntitle: 第三章\ndescription: 新的一章\n---\n\n正文。\n".into()
                });
                edit("guide.yaml", &nav_c);
            }),
        ),
        (
            vec!["guide.yaml"],
            Box::new(|| edit("guide.yaml", &|s| s.replace("测试指南", "改名的指南"))),
        ),
        (
            vec!["chapters/a.md"],
            Box::new(|| {
                edit("chapters/a.md", &|s| {
                    s.replace("第一章：话费", "第一章：账单")
                })
            }),
        ),
        (
            vec!["chapters/new/c.md", "guide.yaml"],
            Box::new(|| {
                std::fs::remove_file(guide.join("chapters/new/c.md")).unwrap();
                edit("guide.yaml", &|s| {
                    s.replace(
                        "  - title: 第三部分\n    chapters:\n      - chapters/new/c.md\n",
                        "",
                    )
                });
            }),
        ),
    ];
    for (i, (told, step)) in steps.iter().enumerate() {
        step();
        let rels: Vec<String> = told.iter().map(|s| (*s).to_owned()).collect();
        cache.changed(Some(&rels));
        let warm = build(&o, &mut cache).unwrap_or_else(|d| panic!("step {i}: {d:?}"));
        let clean = build(&o, &mut Cache::one_shot()).expect("clean build");
        assert!(
            warm.site == clean.site,
            "step {i}: cached rebuild differs from a clean build"
        );
        // The digests handed to `output::write` are those of the files now in the site
        // (a cached rebuild takes most of them from its memo).
        for b in [&warm, &clean] {
            assert_digests_match(b, i);
        }
        assert_ne!(warm.site, first.site, "step {i} changed the site");
    }
}

/// Removes a scratch folder when the test ends, passed or failed.
struct RemoveOnDrop(std::path::PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
