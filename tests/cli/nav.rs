//! Tests: nav nested below parts (guide.yaml `sections:`): reading order, the sidebar's nested
//! lists (open only along the current page's branch), breadcrumbs, the print page, and the
//! script-drawn nav of a large guide.

use crate::harness::Project;

const HEAD: &str =
    "title: 测试指南\ndescription: 测试用的小指南。\nupdated: 2026-01-01\nnotice: 仅供测试。\n";

/// 一: a, b { c { d }, e }, f; 二: g — three levels below the first part.
fn nested_guide(name: &str) -> Project {
    let p = Project::empty(name);
    p.write(
        "guide/guide.yaml",
        format!(
            "{HEAD}nav:\n  - title: 第一部分\n    chapters:\n      - chapters/a.md\n      - chapter: chapters/b.md\n        sections:\n          - chapter: chapters/c.md\n            sections:\n              - chapters/d.md\n          - chapters/e.md\n      - chapters/f.md\n  - title: 第二部分\n    chapters:\n      - chapters/g.md\n"
        ),
    );
    p.write("guide/index.md", "---\ntitle: 首页\n---\n\n欢迎。\n");
    for (n, t) in [
        ("a", "甲章"),
        ("b", "乙章"),
        ("c", "丙节"),
        ("d", "丁小节"),
        ("e", "戊节"),
        ("f", "己章"),
        ("g", "庚章"),
    ] {
        p.write(
            &format!("guide/chapters/{n}.md"),
            format!("# {t}\n\n正文。\n"),
        );
    }
    p
}

#[test]
fn nested_nav_reads_depth_first_and_nests_the_sidebar_and_breadcrumbs() {
    let p = nested_guide("nav-nested");
    let run = p.run(&["build", "--base-url", "https://example.org/g/"]);
    run.ok();
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    // Prev/next follow the depth-first order: index a b c d e f g.
    let order = ["index", "a", "b", "c", "d", "e", "f", "g"];
    for w in order.windows(2) {
        let page = p.read(&format!("public/{}.html", w[0]));
        assert!(
            page.contains(&format!("rel=\"next\" href=\"{}.html\"", w[1])),
            "{} → {}",
            w[0],
            w[1]
        );
        let next = p.read(&format!("public/{}.html", w[1]));
        assert!(
            next.contains(&format!("rel=\"prev\" href=\"{}.html\"", w[0])),
            "{} ← {}",
            w[1],
            w[0]
        );
    }
    // The sidebar nests; on d's page the branch b → c is open, elsewhere it is closed.
    let d = p.read("public/d.html");
    let branch = "<a href=\"b.html\">乙章</a><details class=\"nav-sections\" open><summary>小节（2）</summary><ol><li><a href=\"c.html\">丙节</a><details class=\"nav-sections\" open><summary>小节（1）</summary><ol><li><a href=\"d.html\" aria-current=\"page\">丁小节</a></li></ol></details></li><li><a href=\"e.html\">戊节</a></li></ol></details></li>";
    assert!(d.contains(branch), "{d}");
    let a = p.read("public/a.html");
    assert!(
        a.contains("<a href=\"b.html\">乙章</a><details class=\"nav-sections\"><summary>"),
        "{a}"
    );
    assert!(!a.contains(" open>"), "{a}");
    // b's own page opens its sections (but not c's).
    let b = p.read("public/b.html");
    assert!(b.contains("aria-current=\"page\">乙章</a><details class=\"nav-sections\" open>"));
    assert!(b.contains("丙节</a><details class=\"nav-sections\"><summary>"));
    // Breadcrumbs: home › part › b › c › d.
    assert!(
        d.contains("<li><span>第一部分</span></li>\n  <li><a href=\"b.html\">乙章</a></li>\n  <li><a href=\"c.html\">丙节</a></li>\n  <li aria-current=\"page\"><span>丁小节</span></li>"),
        "{d}"
    );
    // The print page and the sitemap keep the reading order.
    let print = p.read("public/print.html");
    let at = |t: &str| print.find(&format!("<h1>{t}")).or_else(|| print.find(t));
    let pos: Vec<usize> = ["甲章", "乙章", "丙节", "丁小节", "戊节", "己章", "庚章"]
        .iter()
        .map(|t| at(t).expect("in the print page"))
        .collect();
    assert!(pos.windows(2).all(|w| w[0] < w[1]), "{pos:?}");
    // Its contents indent each chapter by its depth in nav.
    let contents = &print[print.find("class=\"print-contents\"").unwrap()..];
    let contents = &contents[..contents.find("</nav>").unwrap()];
    for (t, li) in [
        ("乙章", "<li>"),
        ("丙节", "<li class=\"d1\">"),
        ("丁小节", "<li class=\"d2\">"),
        ("戊节", "<li class=\"d1\">"),
    ] {
        let entry = contents
            .split("<li")
            .find(|e| e.contains(&format!(">{t}</a>")))
            .expect(t);
        assert_eq!(
            format!("<li{}", &entry[..entry.find('>').unwrap() + 1]),
            li,
            "{t}"
        );
    }
    let sitemap = p.read("public/sitemap.xml");
    let pos: Vec<usize> = order
        .iter()
        .skip(1)
        .map(|n| sitemap.find(&format!("/{n}.html")).expect("in the sitemap"))
        .collect();
    assert!(pos.windows(2).all(|w| w[0] < w[1]), "{sitemap}");
    // Search breadcrumbs name the ancestors.
    let search: String = crate::harness::tree(&p.path("public/search"))
        .values()
        .map(|(bytes, _)| String::from_utf8_lossy(bytes).into_owned())
        .collect();
    assert!(
        search.contains("\"第一部分\",\"乙章\",\"丙节\",\"丁小节\""),
        "{search}"
    );
}

#[test]
fn nested_nav_errors_are_located_in_guide_yaml() {
    let p = nested_guide("nav-bad");
    p.write(
        "guide/guide.yaml",
        format!(
            "{HEAD}nav:\n  - title: 第一部分\n    chapters:\n      - chapter: chapters/a.md\n        sections:\n          - chapter: chapters/b.md\n            sections:\n              - chapter: chapters/c.md\n                sections:\n                  - chapter: chapters/d.md\n                    sections:\n                      - chapters/e.md\n      - chapters/f.md\n      - chapters/g.md\n"
        ),
    );
    let r = p.run(&["check"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains(
            "error: `chapters/e.md` is nested too deeply in nav\n  --> guide/guide.yaml:16:25\n"
        ),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("nests at most 4 levels"), "{}", r.stderr);
    assert!(
        r.stderr.contains("1 error(s), 0 warning(s)"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("not listed"), "{}", r.stderr);
    p.write(
        "guide/guide.yaml",
        format!("{HEAD}nav:\n  - title: 第一部分\n    chapters:\n      - chapter: chapters/a.md\n        section: [chapters/b.md]\n"),
    );
    let r = p.run(&["check"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains(" --> guide/guide.yaml:9:9\n"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("unknown field `section`"), "{}", r.stderr);
}

#[test]
fn large_guide_nav_script_carries_the_nesting() {
    let p = Project::empty("nav-large");
    let mut yaml = format!(
        "{HEAD}nav:\n  - title: 第一部分\n    chapters:\n      - chapter: chapters/top.md\n        sections:\n"
    );
    p.write("guide/index.md", "---\ntitle: 首页\n---\n\n欢迎。\n");
    p.write("guide/chapters/top.md", "# 总章\n\n正文。\n");
    for i in 0..201 {
        yaml.push_str(&format!("          - chapters/s{i}.md\n"));
        p.write(
            &format!("guide/chapters/s{i}.md"),
            format!("# 第{i}节\n\n正文。\n"),
        );
    }
    p.write("guide/guide.yaml", yaml);
    p.run(&["build"]).ok();
    let nav = std::fs::read_dir(p.path("public/static"))
        .expect("static/")
        .filter_map(Result::ok)
        .find(|e| e.file_name().to_string_lossy().starts_with("nav."))
        .map(|e| std::fs::read_to_string(e.path()).expect("nav script"))
        .expect("a large guide has static/nav.*.js");
    assert!(
        nav.starts_with("window.GSNav=[{\"title\":\"第一部分\",\"chapters\":[{\"title\":\"总章\",\"url\":\"top.html\",\"children\":[{\"title\":\"第0节\",\"url\":\"s0.html\"},"),
        "{}",
        &nav[..200]
    );
    let s7 = p.read("public/s7.html");
    assert!(
        s7.contains("<a href=\"top.html\">总章</a></li>"),
        "breadcrumb"
    );
}

#[test]
fn sections_of_a_draft_left_out_move_up_to_its_place() {
    let p = nested_guide("nav-draft");
    p.write(
        "guide/chapters/b.md",
        "---\ndraft: true\n---\n\n# 乙章\n\n正文。\n",
    );
    p.run(&["build"]).ok();
    assert!(!p.path("public/b.html").exists());
    let c = p.read("public/c.html");
    // c and e now sit in the part beside a and f; d stays under c.
    assert!(
        c.contains("<li><a href=\"a.html\">甲章</a></li>\n      <li><a href=\"c.html\" aria-current=\"page\">丙节</a><details class=\"nav-sections\" open>"),
        "{c}"
    );
    assert!(
        c.contains(
            "<li><a href=\"e.html\">戊节</a></li>\n      <li><a href=\"f.html\">己章</a></li>"
        ),
        "{c}"
    );
    assert!(!c.contains("乙章"), "nor in breadcrumbs: {c}");
    assert!(c.contains("rel=\"prev\" href=\"a.html\""), "{c}");
}
