//! Nested nav (guide.yaml `sections:`) in the browser: the template's sidebar and the one the
//! large-guide script draws open the current page's branch only, expand from the keyboard,
//! and fit a 320 px phone.

use std::path::PathBuf;
use std::process::Command;

use crate::*;

/// Builds a guide whose first part nests four levels deep (`deep` chapters at the bottom) plus
/// `extra` flat chapters (over 200 in all: the nav comes from static/nav.*.js). → the site.
fn nested_site(name: &str, extra: usize) -> PathBuf {
    let root = scratch(name);
    let g = root.join("guide");
    let write = |rel: &str, text: String| {
        let p = g.join(rel);
        std::fs::create_dir_all(p.parent().expect("has a folder")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    };
    let mut yaml = String::from(
        "title: 测试指南\ndescription: 测试。\nupdated: 2026-01-01\nnotice: 仅供测试。\nnav:\n  - title: 第一部分\n    chapters:\n      - chapter: chapters/l1.md\n        sections:\n          - chapter: chapters/l2.md\n            sections:\n              - chapter: chapters/l3.md\n                sections:\n                  - chapters/l4.md\n          - chapter: chapters/other.md\n            sections:\n              - chapters/other-child.md\n",
    );
    for (n, t) in [
        ("l1", "第一层很长的章节标题用来检查窄屏换行"),
        ("l2", "第二层"),
        ("l3", "第三层"),
        ("l4", "第四层最深处的小节标题也很长很长"),
        ("other", "旁支"),
        ("other-child", "旁支之下"),
    ] {
        write(&format!("chapters/{n}.md"), format!("# {t}\n\n正文。\n"));
    }
    if extra > 0 {
        yaml.push_str("  - title: 其余\n    chapters:\n");
        for i in 0..extra {
            yaml.push_str(&format!("      - chapters/x{i}.md\n"));
            write(
                &format!("chapters/x{i}.md"),
                format!("# 第{i}章\n\n正文。\n"),
            );
        }
    }
    write("guide.yaml", yaml);
    write("index.md", "---\ntitle: 首页\n---\n\n欢迎。\n".into());
    let out = Command::new(env!("CARGO_BIN_EXE_guidesmith"))
        .args(["build", "--guide", "guide", "--out", "public"])
        .current_dir(&root)
        .output()
        .expect("guidesmith runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    root.join("public")
}

#[test]
fn nested_nav_opens_the_current_branch_expands_by_keyboard_and_fits_320px() {
    with_browser(|b| {
        let tab = tab(b)?;
        for (name, extra) in [("nav-inline", 0), ("nav-script", 210)] {
            let site = nested_site(name, extra);
            viewport(&tab, 320, 640, 2.0, true)?;
            open(&tab, &format!("file://{}/l4.html", site.display()))?;
            assert_no_problems(&tab, name)?;
            eval(&tab, "document.querySelector('.nav-toggle').click()")?;
            eval(
                &tab,
                r#"window.__gsNavFacts = function () {
                const cur = document.querySelector('#gs-nav a[aria-current=page]');
                const open = Array.from(document.querySelectorAll('#gs-nav details[open] > summary'))
                    .map(s => s.parentElement.previousElementSibling.textContent);
                const all = document.querySelectorAll('#gs-nav details.nav-sections').length;
                return {
                    current: cur ? cur.textContent : '',
                    shown: !!(cur && cur.offsetParent),
                    open, all,
                    wide: document.documentElement.scrollWidth > window.innerWidth,
                    navWide: document.getElementById('gs-nav').scrollWidth >
                        document.getElementById('gs-nav').clientWidth,
                };
            }"#,
            )?;
            let facts = eval_json(&tab, "window.__gsNavFacts()")?;
            assert_eq!(
                facts["current"], "第四层最深处的小节标题也很长很长",
                "{name}: {facts}"
            );
            assert_eq!(facts["shown"], true, "{name}: the current page is shown");
            assert_eq!(
                facts["open"],
                serde_json::json!(["第一层很长的章节标题用来检查窄屏换行", "第二层", "第三层"]),
                "{name}: only the current branch is open"
            );
            assert_eq!(facts["all"], 4, "{name}");
            assert_eq!(
                facts["wide"], false,
                "{name}: page scrolls sideways at 320 px"
            );
            assert_eq!(
                facts["navWide"], false,
                "{name}: nav scrolls sideways at 320 px"
            );
            // The closed branch's summary takes focus and Enter opens it.
            let other =
                "document.querySelector('#gs-nav a[href$=\"other.html\"]').nextElementSibling";
            eval(&tab, &format!("{other}.querySelector('summary').focus()"))?;
            assert_eq!(eval(&tab, &format!("{other}.open"))?, false, "{name}");
            tab.press_key("Enter")?;
            std::thread::sleep(std::time::Duration::from_millis(100));
            assert_eq!(eval(&tab, &format!("{other}.open"))?, true, "{name}");
            if extra > 0 {
                // On a wide screen the sidebar scrolls itself to the current chapter, far down
                // the list; the page itself stays at its top.
                viewport(&tab, 1280, 800, 1.0, false)?;
                open(&tab, &format!("file://{}/x200.html", site.display()))?;
                let seen = eval_json(
                    &tab,
                    r#"(() => {
                    const nav = document.getElementById('gs-nav');
                    const cur = nav.querySelector('a[aria-current=page]');
                    const n = nav.getBoundingClientRect(), c = cur.getBoundingClientRect();
                    return { inside: c.top >= n.top && c.bottom <= n.bottom,
                             scrolled: nav.scrollTop, page: window.scrollY };
                })()"#,
                )?;
                assert_eq!(seen["inside"], true, "{name}: {seen}");
                assert_eq!(seen["page"], 0, "{name}: {seen}");
            }
        }
        Ok(())
    });
}
