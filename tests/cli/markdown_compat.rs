//! Tests: Markdown written the way contributors learned it elsewhere (mdBook, GitHub) checks
//! and builds — multi-line comments, safe HTML, `.html` and extension-less chapter links,
//! `[x]()` and `#`, `rust,ignore`, chapters without front matter — while what would be broken
//! on the published page (remote images, leftover `{{#include}}`) is reported at file:line:col.

use crate::harness::{golden, Project};
use crate::output::small_guide;

/// The small valid guide plus `chapters/c.md` (in the nav) holding `body`, and `guide_extra`
/// appended to guide.yaml.
fn guide_with(name: &str, body: &str, guide_extra: &str) -> Project {
    let p = Project::empty(name);
    small_guide(&p, "guide");
    let cfg = p.read("guide/guide.yaml") + "      - chapters/c.md\n" + guide_extra;
    p.write("guide/guide.yaml", cfg);
    p.write("guide/chapters/c.md", body);
    p
}

/// The first code block of a page.
pub fn pre(html: &str) -> &str {
    let start = html.find("<pre").expect("a code block");
    let end = html[start..].find("</pre>").expect("closed code block");
    &html[start..start + end]
}

#[test]
fn markdown_from_other_tools_checks_clean_and_builds() {
    let p = guide_with(
        "compat-ok",
        "# 第三章 兼容写法\n\n\
         <!--\n多行注释\n<b>里面的标签</b>\n-->\n\n\
         见[第一章](a.html#话费)、[第二章](b)、[占位]()、[回到顶部](#)。\n\n\
         <details>\n<summary>展开 <code>Vec&lt;T&gt;</code></summary>\n\n**粗体**\n\n</details>\n\n\
         <ruby>汉<rp>(</rp><rt>hàn</rt><rp>)</rp></ruby> 按 <kbd class=\"key\">Ctrl</kbd>，上标<sup>1</sup>。\n\n\
         <span id=\"old-anchor\"></span>\n\n[旧锚点](#old-anchor)\n\n\
         ```rust,ignore\nfn main() {}\n```\n",
        "",
    );
    let r = p.run(&["check"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // The one warning: the placeholder link leads nowhere.
    assert!(
        r.stderr
            .contains("warning: link has no destination: it leads to this same page\n --> guide/chapters/c.md:8:28"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("0 error(s), 1 warning(s)"),
        "{}",
        r.stderr
    );
    p.run(&["build"]).ok();
    let html = p.read("public/c.html");
    for want in [
        "<h1 id=\"第三章-兼容写法\">第三章 兼容写法</h1>",
        "href=\"a.html#%E8%AF%9D%E8%B4%B9\"",
        "href=\"b.html\"",
        "<summary>展开 <code>Vec&lt;T&gt;</code></summary>",
        "<strong>粗体</strong>",
        "<rt>hàn</rt>",
        "<kbd class=\"key\">Ctrl</kbd>",
        "<span id=\"old-anchor\"></span>",
        "data-lang=\"rust\"",
    ] {
        assert!(html.contains(want), "missing {want}");
    }
    // The title heading is the page's title, shown once; the comment is gone.
    assert_eq!(html.matches("第三章 兼容写法</h1>").count(), 1);
    assert!(!html.contains("多行注释"));
    // No front matter: the description is the guide's.
    assert!(html.contains("<meta name=\"description\" content=\"小指南\">"));
    // A link to the title heading's id lands on the page's h1, here and on the print page.
    let b = p.read("guide/chapters/b.md") + "\n[回到第三章](c.md#第三章-兼容写法)\n";
    p.write("guide/chapters/b.md", b);
    p.run(&["build"]).ok();
    let print = p.read("public/print.html");
    let n = print.find("<h1 id=\"c").expect("chapter h1");
    let c3 = print[n..]
        .split("<h1 id=\"")
        .find(|h| h.contains("第三章 兼容写法</h1>"))
        .unwrap();
    let id = &c3[..c3.find('"').unwrap()];
    assert!(id.ends_with("-第三章-兼容写法"), "{id}");
    let encoded: String = url_encode(id);
    assert!(print.contains(&format!("href=\"#{encoded}\"")), "{id}");
}

fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[test]
fn remote_images_and_leftover_mdbook_directives_are_reported_where_they_are() {
    let p = guide_with(
        "compat-bad",
        "---\ntitle: 第三章\n---\n\n\
         ![远程图片](https://example.org/a.png)\n\n\
         ```rust\n{{#rustdoc_include ../listings/ch01/main.rs:here}}\n```\n\n\
         正文 {{#include 片段.md}}\n",
        "",
    );
    let r = p.run(&["check"]);
    golden("compat_remote_image_and_directives.stderr", &r.stderr);
    assert_eq!(r.code, 1, "the remote image is an error\n{}", r.stderr);
}

#[test]
fn remote_images_and_missing_alt_text_follow_the_guides_markdown_options() {
    let body = "# 第三章\n\n![远程图片](https://example.org/a.png)\n\n![](local.png)\n\n\
                <img src=\"https://example.org/b.png\">\n\n![旧图](http://example.org/c.png)\n";
    let extra = "markdown:\n  missing_alt: warning\n  remote_images: allow\n";
    let p = guide_with("compat-images", body, extra);
    p.write("guide/chapters/local.png", "png");
    let r = p.run(&["build"]);
    // https: images pass; plain http: stays refused (mixed content); no alt text only warns.
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        r.stderr.matches("error: remote image").count(),
        1,
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("guide/chapters/c.md:7:"), "{}", r.stderr);
    assert_eq!(
        r.stderr.matches("warning: image without alt text").count(),
        2,
        "{}",
        r.stderr
    );
    p.write(
        "guide/chapters/c.md",
        body.replace("![旧图](http://example.org/c.png)\n", ""),
    );
    let r = p.run(&["build"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let html = p.read("public/c.html");
    assert!(html.contains("img-src 'self' data: https:;"), "{html}");
    assert!(html.contains("src=\"https://example.org/a.png\""), "{html}");
    // Without the options, the same page is refused, and the CSP keeps images on the site.
    let strict = guide_with(
        "compat-images-default",
        &body.replace("![旧图](http://example.org/c.png)\n", ""),
        "",
    );
    strict.write("guide/chapters/local.png", "png");
    let r = strict.run(&["check"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        r.stderr.matches("error: remote image").count(),
        2,
        "{}",
        r.stderr
    );
    assert_eq!(
        r.stderr.matches("error: image without alt text").count(),
        2,
        "{}",
        r.stderr
    );
}

#[test]
fn an_unlisted_chapter_is_a_warning_and_links_to_it_say_why_they_fail() {
    let p = guide_with("compat-unlisted", "# 第三章\n\n见[草稿](d.md)。\n", "");
    p.write("guide/chapters/d.md", "# 草稿\n");
    let r = p.run(&["check"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("warning: chapter is not listed in guide.yaml nav, so it is not published\n --> guide/chapters/d.md"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains(
            "error: link to `chapters/d.md`, which is not in nav and so not published\n --> guide/chapters/c.md:3:2"
        ),
        "{}",
        r.stderr
    );
    // Without the link, the unlisted file only warns and the site builds without it.
    p.write("guide/chapters/c.md", "# 第三章\n");
    p.run(&["build"]).ok();
    assert!(!p.path("public/d.html").exists());
}

#[test]
fn mdbook_options_in_guide_yaml_change_ids_hidden_lines_html_and_anchor_level() {
    let body = "# 第三章\n\n## 什么是所有权？\n\n[所有权](#什么是所有权) [缺](#没有)\n\n\
                ```rust\n# fn hidden() {}\nfn shown() {}\n```\n\n<details><summary>x</summary></details>\n";
    let extra =
        "markdown:\n  heading_ids: mdbook\n  rust_hidden_lines: true\n  missing_anchors: warning\n";
    let p = guide_with("compat-options", body, extra);
    let r = p.run(&["build"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("warning: no heading with id `没有` on this page"),
        "{}",
        r.stderr
    );
    let html = p.read("public/c.html");
    assert!(html.contains("<h2 id=\"什么是所有权\">"), "{html}");
    let code = pre(&html);
    assert!(code.contains("shown") && !code.contains("hidden"), "{code}");
    // `html: strict` brings back the short attribute-free list.
    let strict = guide_with("compat-strict", body, "markdown:\n  html: strict\n");
    let r = strict.run(&["check"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("raw HTML is not allowed here: `<details>`"),
        "{}",
        r.stderr
    );
}
