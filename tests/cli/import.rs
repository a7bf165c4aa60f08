//! Tests: `guidesmith import mdbook` turns a small mdBook book (tests/fixtures/mdbook-mini:
//! prefix chapter, part heading, chapters nested three deep (kept as nav `sections`), a draft (kept as a `draft: true` chapter), an include with an anchor, an
//! image, a chapter with no heading, a file not in SUMMARY.md) into a guide that `check`
//! passes and `build` publishes, and reports what it changed.

use crate::harness::{fixtures, golden, Project};

fn imported(name: &str) -> (Project, crate::harness::Run) {
    let p = Project::empty(name);
    let book = fixtures().join("mdbook-mini");
    let r = p.run(&[
        "import",
        "mdbook",
        book.to_str().expect("UTF-8 path"),
        "--out",
        "guide",
    ]);
    (p, r)
}

#[test]
fn an_mdbook_book_imports_checks_clean_and_builds() {
    let (p, r) = imported("import-ok");
    r.ok();
    golden(
        "import_mdbook_report.stdout",
        &r.stdout
            .replace(p.root.to_str().expect("UTF-8 path"), "$PROJECT"),
    );
    // guide.yaml: the date it was imported is to be reviewed, so it is masked here.
    let yaml = p.read("guide/guide.yaml");
    let masked: String = yaml
        .lines()
        .map(|l| {
            if l.starts_with("updated: ") {
                "updated: YYYY-MM-DD"
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    golden("import_mdbook_guide.yaml", &(masked + "\n"));
    // Chapters as written, the include expanded (outside the anchor: hidden lines).
    assert_eq!(
        p.read("guide/chapters/ch01.md"),
        "# 第一章\n\n```rust,ignore\n# use std::io;\n# \nfn main() {\n    println!(\"你好\");\n}\n```\n\n转义的写法：`\\{{#include x.md}}`。\n"
    );
    assert_eq!(
        p.read("guide/chapters/notitle.md"),
        "---\ntitle: \"没有标题\"\n---\n\n没有标题的章节。\n"
    );
    assert!(p.path("guide/chapters/img/a.svg").is_file());
    assert!(!p.path("guide/chapters/unlisted.md").exists());
    // mdBook's draft `- [草稿]()` becomes a draft chapter in its place in the nav.
    assert_eq!(
        p.read("guide/chapters/drafts/draft-1.md"),
        "---\ntitle: \"草稿\"\ndraft: true\n---\n"
    );

    let c = p.run(&["check"]);
    assert_eq!(c.code, 0, "{}", c.stderr);
    assert!(c.stderr.contains("no problems found"), "{}", c.stderr);
    p.run(&["build"]).ok();
    assert!(!p.path("public/drafts").exists(), "drafts are not built");
    assert!(
        !p.read("public/intro.html").contains("草稿"),
        "nor in the nav"
    );
    let ch01 = p.read("public/ch01.html");
    let code = crate::markdown_compat::pre(&ch01);
    assert!(code.contains("main") && code.contains("你好"), "{code}");
    assert!(
        !code.contains("ANCHOR") && !code.contains("std"),
        "hidden lines shown\n{code}"
    );
    let install = p.read("public/ch01/install.html");
    assert!(install.contains("<h1 id=\"安装\">安装</h1>"), "{install}");
    assert!(!install.contains("译者注"), "{install}");
    assert!(
        install
            .contains("<img alt=\"示意图\" src=\"../img/a.svg\" class=\"gs-svg center\" width=\"50%\" loading=\"lazy\""),
        "{install}"
    );
    // SUMMARY.md's third level stays nested: under 安装 in the sidebar and the breadcrumbs.
    assert!(
        install.contains("aria-current=\"page\">安装</a><details class=\"nav-sections\" open><summary>小节（1）</summary><ol><li><a href=\"../notitle.html\">没有标题</a>"),
        "{install}"
    );
    let notitle = p.read("public/notitle.html");
    assert!(
        notitle.contains(
            "<li><a href=\"ch01/install.html\">安装</a></li>\n  <li aria-current=\"page\">"
        ),
        "{notitle}"
    );
    let intro = p.read("public/intro.html");
    assert!(intro.contains("href=\"ch01/install.html\"") && intro.contains("href=\"ch01.html\""));
    // The book's own stylesheet (book.toml `additional-css`) is loaded after the theme's on
    // every page; its script is reported, not carried over.
    assert!(
        install.contains("<link rel=\"stylesheet\" href=\"../assets/book/book.css\">"),
        "{install}"
    );
    assert!(p
        .read("public/assets/book/book.css")
        .contains(".ferris-explain"));
    assert!(!p.path("public/assets/book/book.js").exists());
}

#[test]
fn import_refuses_a_folder_that_is_not_empty_and_a_folder_without_a_book() {
    let p = Project::empty("import-refuse");
    p.write("guide/keep.txt", "mine");
    let book = fixtures().join("mdbook-mini");
    let r = p.run(&["import", "mdbook", book.to_str().expect("UTF-8 path")]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("is not empty"), "{}", r.stderr);
    assert_eq!(p.read("guide/keep.txt"), "mine");
    let r = p.run(&["import", "mdbook", "no-such-book", "--out", "new"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("book.toml"), "{}", r.stderr);
    assert!(!p.path("new").exists());
}

#[test]
fn init_writes_a_guide_that_checks_clean_and_never_overwrites() {
    let p = Project::empty("init");
    let r = p.run(&["init", "mine"]);
    r.ok();
    assert!(
        r.stdout.contains("guidesmith serve --guide mine"),
        "{}",
        r.stdout
    );
    let c = p.run(&["check", "--guide", "mine"]);
    assert_eq!(c.code, 0, "{}", c.stderr);
    assert!(c.stderr.contains("no problems found"), "{}", c.stderr);
    p.run(&["build", "--guide", "mine", "--out", "site"]).ok();
    let page = p.read("site/intro.html");
    assert!(
        page.contains("示例清单"),
        "the embedded checklist is rendered"
    );
    // A second init into the same folder refuses and changes nothing.
    let before = crate::harness::tree(&p.path("mine"));
    let again = p.run(&["init", "mine"]);
    assert_eq!(again.code, 2, "{}", again.stderr);
    assert!(again.stderr.contains("not empty"), "{}", again.stderr);
    assert_eq!(crate::harness::tree(&p.path("mine")), before);
}
