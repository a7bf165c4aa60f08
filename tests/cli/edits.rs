//! Incremental correctness: after a sequence of edits of every kind, the site `serve` holds in
//! memory (built through all its caches) is byte-identical to a clean `build` of the same files.

use crate::harness::{hang_guard, Project};
use crate::serve::{assert_served_equals_clean_build, chapter, Serve};

/// A deterministic pseudo-random sequence (no rand dependency; reproducible failures).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n
    }
}

fn guide_yaml(chapters: &[String]) -> String {
    let mut y = String::from("title: 编辑测试\ndescription: 二十次编辑。\nupdated: 2026-11-24\nnotice: 仅供测试。\nnav:\n  - title: 全部\n    chapters:\n");
    for c in chapters {
        y.push_str(&format!("      - chapters/{c}.md\n"));
    }
    y
}

const LIST: &str = "id: demo\ntitle: 演示清单\npurpose: 测试\nchapter: chapters/c0.md\nsections:\n  - title: 材料\n    items:\n      - id: a\n        check: 身份证\n";

#[test]
fn after_20_random_edits_the_served_site_equals_a_clean_build() {
    hang_guard(300, || {
        let p = Project::empty("edits");
        let mut chapters: Vec<String> = (0..6).map(|i| format!("c{i}")).collect();
        for (i, c) in chapters.iter().enumerate() {
            let body = if i == 0 {
                "正文 0，使用[清单](../checklists/demo.yaml)。\n\n## 小节\n"
            } else {
                "正文。\n\n## 小节\n"
            };
            p.write(
                &format!("guide/chapters/{c}.md"),
                chapter(&format!("第{i}章"), body),
            );
        }
        p.write("guide/checklists/demo.yaml", LIST);
        p.write("guide/guide.yaml", guide_yaml(&chapters));
        let s = Serve::start(&p, &[]);
        let mut rng = Lcg(20261124);
        let mut next_id = 6;
        for step in 0..20 {
            let before = s.build();
            let kind = rng.next(5);
            let i = 1 + rng.next(chapters.len() - 1); // chapter 0 owns the checklist
            let marker = format!("第{step}步");
            match kind {
                // Body edit.
                0 => p.write(
                    &format!("guide/chapters/{}.md", chapters[i]),
                    chapter(
                        &format!("第{i}章"),
                        &format!("{marker} 正文。\n\n## 小节\n"),
                    ),
                ),
                // Title edit: the nav and neighbours' prev/next change too.
                1 => p.write(
                    &format!("guide/chapters/{}.md", chapters[i]),
                    chapter(&format!("{marker}标题"), "正文。\n\n## 小节\n"),
                ),
                // Rename a chapter (file and nav entry).
                2 => {
                    let new = format!("c{next_id}");
                    next_id += 1;
                    let old = std::mem::replace(&mut chapters[i], new.clone());
                    std::fs::rename(
                        p.path(&format!("guide/chapters/{old}.md")),
                        p.path(&format!("guide/chapters/{new}.md")),
                    )
                    .expect("rename");
                    p.write(
                        &format!("guide/chapters/{new}.md"),
                        chapter(&marker, "正文。\n\n## 小节\n"),
                    );
                    p.write("guide/guide.yaml", guide_yaml(&chapters));
                }
                // Delete a chapter, or add one when few are left.
                3 => {
                    if chapters.len() > 3 {
                        let old = chapters.remove(i);
                        p.write("guide/guide.yaml", guide_yaml(&chapters));
                        std::fs::remove_file(p.path(&format!("guide/chapters/{old}.md")))
                            .expect("rm");
                    } else {
                        let new = format!("c{next_id}");
                        next_id += 1;
                        p.write(
                            &format!("guide/chapters/{new}.md"),
                            chapter(&marker, "新章。\n"),
                        );
                        chapters.push(new);
                        p.write("guide/guide.yaml", guide_yaml(&chapters));
                    }
                }
                // Checklist edit.
                _ => p.write(
                    "guide/checklists/demo.yaml",
                    LIST.replace("身份证", &marker),
                ),
            }
            s.until(30, &format!("step {step} to be published"), |s| {
                s.build() > before
                    && s.status()["diagnostics"]
                        .as_array()
                        .is_some_and(Vec::is_empty)
            });
        }
        // Let the last batch settle, then compare every file with a clean build.
        std::thread::sleep(std::time::Duration::from_millis(800));
        let compared = assert_served_equals_clean_build(&s, &p);
        assert!(compared > 10);
        // Pages of deleted or renamed chapters are gone from the served site too.
        let (st, _, _) = s.get("/c1.html");
        assert_eq!(
            st == 200,
            chapters.iter().any(|c| c == "c1"),
            "stale page state for c1"
        );
    });
}
