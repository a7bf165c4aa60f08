//! `guidesmith build`: the whole pipeline on fixture guides and on the bundled guide.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::harness::*;

/// Every `href`/`src` value in an HTML page, and the search box's engine and index (attribute
/// values are double-quoted by our theme).
fn refs(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in [" href=\"", " src=\"", " data-engine=\"", " data-index=\""] {
        let mut rest = html;
        while let Some(i) = rest.find(attr) {
            rest = &rest[i + attr.len()..];
            if let Some(end) = rest.find('"') {
                out.push(rest[..end].replace("&amp;", "&"));
                rest = &rest[end..];
            }
        }
    }
    out
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8(out).expect("fragments are UTF-8")
}

fn ids(html: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = html;
    while let Some(i) = rest.find(" id=\"") {
        rest = &rest[i + 5..];
        if let Some(end) = rest.find('"') {
            out.insert(rest[..end].to_owned());
        }
    }
    out
}

/// Asserts every internal reference of every page resolves to a file (and fragment) in `site`.
fn assert_links_resolve(site: &Path) -> usize {
    let files = tree(site);
    let mut checked = 0;
    for (rel, (bytes, _)) in &files {
        if !rel.ends_with(".html") || rel == "404.html" {
            continue;
        }
        let html = String::from_utf8_lossy(bytes);
        let dir = Path::new(rel).parent().unwrap_or(Path::new(""));
        for r in refs(&html) {
            if r.starts_with("http:")
                || r.starts_with("https:")
                || r.starts_with("mailto:")
                || r.starts_with("tel:")
            {
                continue;
            }
            assert!(!r.starts_with('/'), "{rel}: root-absolute link {r}");
            let (path, frag) = r
                .split_once('#')
                .map_or((r.as_str(), None), |(p, f)| (p, Some(f)));
            let path = path.split('?').next().unwrap_or(path);
            let target = if path.is_empty() {
                rel.clone()
            } else {
                let mut parts: Vec<String> = dir
                    .iter()
                    .map(|s| s.to_string_lossy().into_owned())
                    .collect();
                for seg in path.split('/') {
                    match seg {
                        ".." => {
                            assert!(parts.pop().is_some(), "{rel}: {r} escapes the site");
                        }
                        "." | "" => {}
                        s => parts.push(s.to_owned()),
                    }
                }
                parts.join("/")
            };
            assert!(
                files.contains_key(&target),
                "{rel}: link {r} → missing {target}"
            );
            if let Some(f) = frag.filter(|f| !f.is_empty()) {
                // Browsers match the percent-decoded fragment against ids.
                let f = &percent_decode(f);
                let t = String::from_utf8_lossy(&files[&target].0).into_owned();
                assert!(
                    ids(&t).contains(f),
                    "{rel}: link {r} → no id {f} in {target}"
                );
            }
            checked += 1;
        }
    }
    checked
}

#[test]
fn bundled_guide_builds_a_page_per_chapter_and_every_internal_link_resolves() {
    let p = Project::bundled();
    let r = p.run(&["build"]);
    r.ok();
    assert!(r.stderr.contains("built "), "{}", r.stderr);
    let cfg = p.read("guide/guide.yaml");
    let chapters: Vec<&str> = cfg
        .lines()
        .filter_map(|l| l.trim().strip_prefix("- chapters/"))
        .collect();
    assert!(chapters.len() >= 25, "{chapters:?}");
    for c in &chapters {
        let page = format!("public/{}", c.replace(".md", ".html"));
        assert!(p.path(&page).is_file(), "missing {page}");
    }
    for page in [
        "index.html",
        "404.html",
        "search.html",
        "checklists/index.html",
        "checklists/all.html",
    ] {
        assert!(
            p.path(&format!("public/{page}")).is_file(),
            "missing {page}"
        );
    }
    let n = assert_links_resolve(&p.path("public"));
    assert!(n > 500, "only {n} references checked");
}

#[test]
fn bundled_guide_passes_check_with_no_warnings() {
    let p = Project::bundled();
    let r = p.run(&["check"]);
    r.ok();
    assert_eq!(r.stderr.trim(), "no problems found");
}

#[test]
fn two_builds_are_byte_identical() {
    let p = Project::fixture("basic");
    p.run(&["build", "--out", "one"]).ok();
    p.run(&["build", "--out", "two"]).ok();
    let (a, b) = (tree(&p.path("one")), tree(&p.path("two")));
    assert!(a.len() > 10);
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (k, v) in &a {
        if k == ".guidesmith-manifest" {
            // Our bookkeeping records each file's size and mtime (to verify what a later
            // build reuses); the hashes and paths it lists are the same.
            assert_eq!(hashes_and_paths(&v.0), hashes_and_paths(&b[k].0));
            continue;
        }
        assert_eq!(v.0, b[k].0, "{k} differs between builds");
    }
    // And a rebuild into the same folder changes nothing.
    p.run(&["build", "--out", "one"]).ok();
    assert_eq!(tree(&p.path("one")), a);
}

/// The manifest's lines without their size and mtime columns (`hash size mtime path`).
fn hashes_and_paths(manifest: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(manifest)
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.splitn(4, ' ').collect();
            format!("{} {}", f[0], f[3])
        })
        .collect()
}

/// Replaces content hashes in asset names (`style.1a2b3c4d5e.css`) so goldens do not churn
/// whenever a theme file changes; the hashing itself is tested separately.
fn unhash(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find('.') {
        out.push_str(&rest[..=i]);
        rest = &rest[i + 1..];
        let hex = rest.bytes().take_while(u8::is_ascii_hexdigit).count();
        if hex == 10 && (rest[10..].starts_with(".css") || rest[10..].starts_with(".js")) {
            out.push_str("HASH");
            rest = &rest[10..];
        }
    }
    out.push_str(rest);
    out
}

#[test]
fn fixture_chapter_html_matches_golden() {
    let p = Project::fixture("basic");
    p.run(&["build"]).ok();
    golden("basic-chapter-a.html", &unhash(&p.read("public/a.html")));
    golden(
        "basic-chapter-b.html",
        &unhash(&p.read("public/part/b.html")),
    );
    golden(
        "basic-checklist.html",
        &unhash(&p.read("public/checklists/demo.html")),
    );
    assert_links_resolve(&p.path("public"));
}

#[test]
fn fixture_pages_have_nav_breadcrumbs_pager_toc_and_edit_link() {
    let p = Project::fixture("basic");
    p.run(&["build"]).ok();
    let a = p.read("public/a.html");
    assert!(
        a.contains("<title>第一章：话费 · 测试指南</title>"),
        "title"
    );
    assert!(
        a.contains("<a href=\"a.html\" aria-current=\"page\">第一章：话费</a>"),
        "nav marks current"
    );
    assert!(
        a.contains("<a class=\"pager-prev\" rel=\"prev\" href=\"index.html\">"),
        "prev is home"
    );
    assert!(
        a.contains("<a class=\"pager-next\" rel=\"next\" href=\"part/b.html\">"),
        "next"
    );
    assert!(
        a.contains("<li class=\"toc-l2\"><a href=\"#话费\">话费</a></li>"),
        "toc"
    );
    assert!(
        a.contains("href=\"https://example.org/edit/chapters/a.md\""),
        "edit link"
    );
    assert!(
        a.contains("<h2 id=\"summary-title\" class=\"summary-title\">本章要点</h2>"),
        "summary"
    );
    assert!(
        a.contains("href=\"checklists/demo.html\">演示清单</a>（可勾选、可打印）"),
        "related checklist"
    );
    let b = p.read("public/part/b.html");
    assert!(b.contains("<span>第二部分</span>"), "breadcrumb part");
    assert!(
        b.contains("<time datetime=\"2026-10-01\">2026-10-01</time>"),
        "per-page check date"
    );
    assert!(
        b.contains("<article class=\"checklist\" id=\"e-cl-demo\""),
        "embedded checklist"
    );
    assert!(b.contains("class=\"hl-"), "rust code highlighted");
    assert!(b.contains("&lt;hi&gt;"), "code escaped");
}

#[test]
fn broken_chapter_fails_with_a_located_error_and_leaves_the_previous_site_untouched() {
    let p = Project::fixture("basic");
    p.run(&["build"]).ok();
    let before = tree(&p.path("public"));
    p.write(
        "guide/chapters/part/b.md",
        "---\ntitle: 第二章\ndescriptoin: 拼错了\n---\n正文\n",
    );
    let r = p.run(&["build"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("guide/chapters/part/b.md:3:1"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("did you mean `description`?"),
        "{}",
        r.stderr
    );
    assert_eq!(
        tree(&p.path("public")),
        before,
        "previous site must be byte-identical"
    );
}

#[test]
fn all_problems_are_reported_in_one_run() {
    let p = Project::fixture("basic");
    p.write("guide/chapters/a.md", "---\ntitle: 甲\ndescription: 乙\nchecklists: [dmeo]\n---\n见[缺失](nope.md)与[坏链](javascript:alert(1))。\n\n## 标题 {#x}\n\n## 再来 {#x}\n");
    p.write(
        "guide/checklists/demo.yaml",
        "id: demo\ntitle: t\npurpose: p\nchapter: chapters/zz.md\nsections: []\n",
    );
    let r = p.run(&["check"]);
    assert_eq!(r.code, 1);
    for needle in [
        "guide/chapters/a.md:4:14",
        "no checklist with id `dmeo`",
        "link to missing chapter `chapters/nope.md`",
        "link scheme `javascript:` is not allowed",
        "heading id `x` is used twice",
        "a checklist needs at least one section",
    ] {
        assert!(
            r.stderr.contains(needle),
            "missing {needle:?} in:\n{}",
            r.stderr
        );
    }
}

#[test]
fn hostile_strings_from_yaml_and_front_matter_come_out_as_text() {
    let p = Project::fixture("basic");
    let evil = r#"<img src=x onerror=alert(1)>"'&</script><script>alert(2)</script>"#;
    let q = evil.replace('\\', "\\\\").replace('"', "\\\"");
    let cfg = p
        .read("guide/guide.yaml")
        .replace("title: 测试指南", &format!("title: \"{q}\""));
    p.write("guide/guide.yaml", cfg);
    p.write(
        "guide/chapters/a.md",
        format!("---\ntitle: \"{q}\"\ndescription: \"{q}\"\nsummary: [\"{q}\"]\nchecklists: [demo]\n---\n## 话费\n\n## 花费\n\n正文\n"),
    );
    let list = p
        .read("guide/checklists/demo.yaml")
        .replace("title: 演示清单", &format!("title: \"{q}\""))
        .replace("check: 身份证原件", &format!("check: \"{q}\""))
        .replace("note: 办理业务要核验身份", &format!("note: \"{q}\""))
        .replace("field: 客服工号", &format!("field: \"{q}\""))
        .replace(
            "columns: [日期, 工号, 内容]",
            &format!("columns: [\"{q}\", b]"),
        );
    p.write("guide/checklists/demo.yaml", list);
    p.run(&["build"]).ok();
    let mut pages = 0;
    for (rel, (bytes, _)) in tree(&p.path("public")) {
        if !rel.ends_with(".html") {
            continue;
        }
        let html = String::from_utf8_lossy(&bytes);
        assert!(!html.contains("<img src=x"), "{rel}: raw <img> leaked");
        assert!(
            !html.contains("<script>alert"),
            "{rel}: raw <script> leaked"
        );
        assert!(!html.contains("onerror=alert(1)>\""), "{rel}");
        pages += 1;
    }
    assert!(pages > 5);
    let a = p.read("public/a.html");
    assert!(
        a.contains("&lt;img src=x onerror=alert(1)&gt;"),
        "title shown as text"
    );
    assert!(
        a.contains("<meta name=\"description\" content=\"&lt;img src=x onerror=alert(1)&gt;&quot;"),
        "meta description escaped"
    );
}

#[test]
fn sitemap_lists_every_page_and_uses_the_base_url() {
    let p = Project::fixture("basic");
    p.run(&["build", "--base-url", "https://example.org/guide"])
        .ok();
    let sm = p.read("public/sitemap.xml");
    for u in [
        "index.html",
        "a.html",
        "part/b.html",
        "checklists/demo.html",
    ] {
        assert!(
            sm.contains(&format!("<loc>https://example.org/guide/{u}</loc>")),
            "{u}: {sm}"
        );
    }
    let nf = p.read("public/404.html");
    assert!(
        nf.contains("href=\"https://example.org/guide/index.html\""),
        "404 links absolute"
    );
}

#[test]
fn theme_override_replaces_one_file_and_keeps_the_rest() {
    let p = Project::fixture("basic");
    p.write(
        "themes/mine/templates/partials/footer.html",
        "<footer class=\"site-footer\">自定义页脚 {{ site.title }}</footer>\n",
    );
    p.run(&["build", "--theme", "mine"]).ok();
    let a = p.read("public/a.html");
    assert!(a.contains("自定义页脚 测试指南"), "override used");
    assert!(
        a.contains("class=\"breadcrumbs"),
        "other templates still embedded defaults"
    );
}

#[test]
fn static_assets_get_content_hashed_names() {
    let p = Project::fixture("basic");
    p.run(&["build"]).ok();
    let files: BTreeMap<String, _> = tree(&p.path("public"));
    let css: Vec<&String> = files
        .keys()
        .filter(|k| k.starts_with("static/style.") && k.ends_with(".css"))
        .collect();
    assert_eq!(css.len(), 1, "{css:?}");
    assert!(p
        .read("public/a.html")
        .contains(&format!("href=\"{}\"", css[0])));
    p.write("themes/default/static/style.css", "body { color: red; }\n");
    p.run(&["build"]).ok();
    let after: Vec<String> = tree(&p.path("public"))
        .into_keys()
        .filter(|k| k.starts_with("static/style."))
        .collect();
    assert_eq!(after.len(), 1);
    assert_ne!(&after[0], css[0], "changed CSS gets a new name");
}

#[test]
fn checklist_semantic_errors_are_located_and_match_golden() {
    let p = Project::fixture("basic");
    p.write(
        "guide/checklists/demo.yaml",
        "id: demo\ntitle: 演示清单\npurpose: 测试\nchapter: chapters/a.md\nsections:\n  - title: 证件\n    items:\n      - id: id-card\n        check: 身份证\n      - id: id-card\n        check: 户口本\n      - id: Bad_Id\n        check: x\n      - id: both\n        check: 勾选\n        field: 又要填写\n  - title: 空的部分\n    items: []\n",
    );
    p.write(
        "guide/checklists/extra.yaml",
        "id: extra\ntitle: 额外\npurpose: 测试\nchapter: chapters/nope.md\nsections:\n  - title: 一\n    items:\n      - id: a\n        check: 甲\n        lines: 2\n",
    );
    p.write(
        "guide/checklists/long.yaml",
        format!(
            "id: long\ntitle: 太长的清单\npurpose: 超过一页\nchapter: chapters/a.md\nsections:\n  - title: 一\n    items:\n{}",
            (0..40).map(|i| format!("      - id: i{i}\n        check: 第 {i} 项要核对的内容写得比较长一些\n        note: 这里是说明文字\n")).collect::<String>()
        ),
    );
    p.write(
        "guide/checklists/typo.yaml",
        "id: typo\ntitel: 拼错\npurpose: p\nchapter: chapters/a.md\nsections: []\n",
    );
    let r = p.run(&["check"]);
    assert_eq!(r.code, 1);
    golden("checklist-errors.stderr", &r.stderr);
}

#[test]
fn url_settings_must_be_http_addresses() {
    let p = Project::fixture("basic");
    let cfg = p.read("guide/guide.yaml").replace(
        "edit_url: https://example.org/edit/{path}",
        "edit_url: javascript:alert(1)//{path}",
    );
    p.write("guide/guide.yaml", cfg);
    let r = p.run(&["check"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("guide/guide.yaml:5:11"), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("`edit_url` must be an http(s):// address"),
        "{}",
        r.stderr
    );
}

#[test]
fn base_url_flag_is_validated_like_guide_yaml() {
    let p = Project::fixture("basic");
    for bad in [
        "javascript:alert(1)//",
        "data:text/html,x",
        "//example.org/",
    ] {
        for cmd in ["build", "check"] {
            let r = p.run(&[cmd, "--base-url", bad]);
            assert_eq!(r.code, 2, "{cmd} --base-url {bad}\n{}", r.stderr);
            assert!(
                r.stderr.contains("must be an http(s):// address"),
                "{}",
                r.stderr
            );
        }
        assert!(!p.path("public").exists(), "nothing written");
    }
    p.run(&["build", "--base-url", "https://example.org/guide/"])
        .ok();
    assert!(p
        .read("public/sitemap.xml")
        .contains("https://example.org/guide/"));
}

#[test]
fn undefined_template_variable_is_located_in_the_template() {
    let p = Project::fixture("basic");
    p.write(
        "themes/default/templates/partials/footer.html",
        "<footer>{{ nope.missing }}</footer>\n",
    );
    let r = p.run(&["build"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("Variable `nope` is not defined"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("themes/default/templates/partials/footer.html:1:12"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("1 | <footer>{{ nope.missing }}</footer>"),
        "{}",
        r.stderr
    );
    assert!(
        !p.path("public").exists(),
        "nothing written on a failed build"
    );
}

/// A small guide whose middle chapter is a draft that the other two link to.
fn guide_with_a_draft(name: &str) -> Project {
    let p = Project::empty(name);
    p.write(
        "guide/guide.yaml",
        "title: 测试指南\ndescription: 测试用的小指南。\nupdated: 2026-01-01\nnotice: 仅供测试。\nnav:\n  - title: 第一部分\n    chapters:\n      - chapters/a.md\n      - chapters/draft.md\n      - chapters/b.md\n  - title: 只有草稿\n    chapters:\n      - chapters/draft2.md\n",
    );
    p.write(
        "guide/chapters/a.md",
        "---\ntitle: 甲章\n---\n\n正文，见[草稿章](draft.md#小节)。\n",
    );
    p.write(
        "guide/chapters/draft.md",
        "---\ntitle: 草稿章\ndraft: true\n---\n\n## 小节\n\n独有词语甲乙丙丁。\n",
    );
    p.write(
        "guide/chapters/draft2.md",
        "---\ndraft: true\n---\n\n# 又一草稿\n\n正文。\n",
    );
    p.write("guide/chapters/b.md", "---\ntitle: 乙章\n---\n\n正文。\n");
    p
}

#[test]
fn draft_chapter_is_left_out_of_build_and_links_to_it_are_warnings() {
    let p = guide_with_a_draft("draft-build");
    let run = p.run(&["build", "--base-url", "https://example.org/g/"]);
    run.ok();
    assert!(
        run.stderr.contains(
            "warning: link to `chapters/draft.md`, a draft: this build leaves it out\n --> guide/chapters/a.md:5:5\n"
        ),
        "{}",
        run.stderr
    );
    assert!(!p.path("public/draft.html").exists());
    assert!(!p.path("public/draft2.html").exists());
    // Not in nav, prev/next, sitemap, print page or search.
    let a = p.read("public/a.html");
    assert_eq!(a.matches("草稿章").count(), 1, "only the body's link: {a}");
    assert!(
        !a.contains("只有草稿"),
        "a part of drafts only is not shown"
    );
    assert!(a.contains("rel=\"next\" href=\"b.html\""), "{a}");
    let b = p.read("public/b.html");
    assert!(b.contains("rel=\"prev\" href=\"a.html\""), "{b}");
    assert!(!b.contains("draft.html") && !b.contains("草稿"), "{b}");
    assert!(!p.read("public/sitemap.xml").contains("draft"));
    assert!(!p.read("public/print.html").contains("独有词语"));
    let search: String = tree(&p.path("public/search"))
        .values()
        .map(|(bytes, _)| String::from_utf8_lossy(bytes).into_owned())
        .collect();
    assert!(
        search.contains("乙章") && !search.contains("独有"),
        "{search}"
    );
    // `check` says the same and passes.
    let check = p.run(&["check"]);
    assert_eq!(check.code, 0, "{}", check.stderr);
    assert!(check.stderr.contains("a draft: this build leaves it out"));
}
