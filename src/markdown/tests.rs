//! Unit tests of the renderer (one pulldown-cmark pass per chapter).

use super::*;

fn r(body: &str) -> Rendered {
    let file = format!("---\ntitle: t\n---\n{body}");
    render(&Input {
        display: "guide/chapters/a/b.md",
        source: "chapters/a/b.md",
        file: &file,
        body_start: 16,
    })
}

#[test]
fn headings_keep_chinese_ids_and_build_toc_and_sections() {
    let x = r("前言\n\n## 整理证据\n\n文字\n\n## 整理证据\n\n### 详单 {#xd}\n");
    assert!(
        x.html.contains("<h2 id=\"整理证据\">整理证据</h2>"),
        "{}",
        x.html
    );
    assert!(x.html.contains("<h2 id=\"整理证据-1\">"), "{}", x.html);
    assert!(x.html.contains("<h3 id=\"xd\">详单</h3>"), "{}", x.html);
    let ids: Vec<_> = x.toc.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["整理证据", "整理证据-1", "xd"]);
    assert_eq!(x.sections[0].text, "前言");
    assert_eq!(x.sections[1].text, "文字");
}

#[test]
fn links_are_rewritten_and_recorded_with_file_positions() {
    let x = r("见[证据](../prepare/evidence.md#整理)和[清单](../../checklists/evidence.yaml)。\n");
    assert!(
        x.html
            .contains("href=\"../prepare/evidence.html#%E6%95%B4%E7%90%86\""),
        "{}",
        x.html
    );
    assert!(
        x.html.contains("href=\"../checklists/evidence.html\""),
        "{}",
        x.html
    );
    assert_eq!(x.links.len(), 2);
    assert_eq!((x.links[0].line, x.links[0].col), (4, 2));
    assert_eq!(
        x.links[0].target,
        Target::Chapter {
            source: "chapters/prepare/evidence.md".into(),
            fragment: Some("整理".into())
        }
    );
}

#[test]
fn spaces_inside_angle_bracket_destinations_are_kept() {
    let x = r("见[有空格](<../prepare/有 空格.md#小 节>)和[百分号](../prepare/有%20空格.md)。\n");
    assert!(x.diags.is_empty(), "{:?}", x.diags);
    let want = Target::Chapter {
        source: "chapters/prepare/有 空格.md".into(),
        fragment: Some("小 节".into()),
    };
    assert_eq!(x.links[0].target, want);
    assert_eq!(
        x.links[1].target,
        Target::Chapter {
            source: "chapters/prepare/有 空格.md".into(),
            fragment: None
        }
    );
    // The href names the page of that file, its space percent-encoded.
    assert!(
        x.html.contains(
            "href=\"../prepare/%E6%9C%89%20%E7%A9%BA%E6%A0%BC.html#%E5%B0%8F%20%E8%8A%82\""
        ),
        "{}",
        x.html
    );
    // Spaces around the destination are not part of it; tabs and line breaks never are.
    let x = r("[a](< ../prepare/a\tb.md >)\n");
    assert_eq!(
        x.links[0].target,
        Target::Chapter {
            source: "chapters/prepare/ab.md".into(),
            fragment: None
        }
    );
}

#[test]
fn unsafe_schemes_raw_html_and_missing_alt_are_errors() {
    for body in [
        "[x](javascript:alert(1))",
        "[x]( JaVaScRiPt:alert(1))",
        "[x](&#106;avascript:alert(1))",
        "[x](data:text/html,hi)",
        "<script>alert(1)</script>",
        "a <img src=x onerror=alert(1)> b",
        "<b style=\"x\">b</b>",
        "![](../../assets/x.svg)",
    ] {
        let x = r(body);
        // One error per offending tag (`<b style>` and `</b>` are two).
        assert!(!x.diags.is_empty(), "{body}: no error");
        assert!(
            !x.html.contains("javascript:")
                && !x.html.contains("<script")
                && !x.html.contains("onerror"),
            "{body}: {}",
            x.html
        );
    }
    let ok = r("按 <kbd>Enter</kbd> 键<br>");
    assert!(ok.diags.is_empty(), "{:?}", ok.diags);
    assert!(ok.html.contains("<kbd>Enter</kbd>"), "{}", ok.html);
}

#[test]
fn say_and_checklist_blocks_and_callouts() {
    let x = r("```say\n您好，<我>\n\n请帮我升级处理\n```\n\n```checklist\nshop-visit\n```\n\n> [!TIP]\n> 提示文字\n");
    assert!(
        x.html
            .contains("<p>您好，&lt;我&gt;</p>\n<p>请帮我升级处理</p>"),
        "{}",
        x.html
    );
    assert!(
        x.html.contains("<!--gs:checklist:shop-visit-->"),
        "{}",
        x.html
    );
    assert!(x.html.contains("<aside class=\"callout callout-tip\" role=\"note\"><p class=\"callout-title\">提示</p>"), "{}", x.html);
    assert_eq!(x.checklists.len(), 1);
}

#[test]
fn hostile_attribute_contexts_are_escaped() {
    let x = r("## t {#a\"b}\n\n```\"><script>\nx\n```\n\n[l](x.md \"t\\\"><script>\")\n");
    assert!(!x.html.contains("<script"), "{}", x.html);
}

#[test]
fn unbounded_highlighting_falls_back_to_plain_text_with_a_located_warning() {
    // Body starts on line 4; the fence on line 6, the long line on line 8.
    let long = "*[".repeat(20_000);
    let x = r(&format!("段落\n\n```markdown\nok\n{long}\n```\n"));
    assert_eq!(x.diags.len(), 1, "{:?}", x.diags);
    let d = &x.diags[0];
    assert!(!d.is_error(), "a warning, not an error");
    assert_eq!((d.line, d.col), (8, 1), "{}", d.render());
    assert!(d.message.contains("40000 characters"), "{}", d.message);
    assert!(
        !x.html.contains("hl-") && x.html.contains("*[*["),
        "plain text"
    );
    // A page's later blocks past its budget: warned at the block's fence.
    let block = format!("```rust\n{}```\n\n", "let x = 1;\n".repeat(8_000));
    let x = r(&block.repeat(8));
    let warned: Vec<usize> = x.diags.iter().map(|d| d.line).collect();
    // 88 000 bytes a block: five fit in 512 KiB, the last three are plain.
    assert_eq!(warned, [5, 6, 7].map(|k| 4 + k * 8_003), "{warned:?}");
    assert!(x.html.contains("hl-"));
    assert!(
        x.diags[0].message.contains("budget"),
        "{}",
        x.diags[0].message
    );
}

#[test]
fn deep_nesting_is_a_diagnostic_not_a_crash() {
    let body = ">".repeat(100_000) + " x\n";
    let x = r(&body);
    assert!(x.diags.iter().any(|d| d.message.contains("nested deeper")));
    // What is nested deeper than reported is dropped, not held (memory grew with the nesting).
    let opened = x.html.matches("<blockquote").count();
    assert!(opened <= MAX_NESTING + 1, "{opened} quotes rendered");
    assert_eq!(opened, x.html.matches("</blockquote>").count());
    let shallow = r(&(">".repeat(MAX_NESTING) + " 字\n"));
    assert!(shallow.diags.is_empty());
    assert_eq!(shallow.html.matches("<blockquote").count(), MAX_NESTING);
    assert!(shallow.html.contains("字"));
    let body = "[".repeat(100_000) + "x\n";
    let x = r(&body);
    assert!(x.diags.is_empty());
}

#[test]
fn resolved_paths_never_escape_or_contain_dot_segments() {
    // Property test over generated link destinations (deterministic, no extra crates).
    let parts = [
        "..", ".", "", "a", "b.md", "%2e%2e", "C:", "\\", "x y", "中文", "...",
    ];
    let mut seed: u64 = 42;
    for _ in 0..20_000 {
        let mut dest = Vec::new();
        for _ in 0..(1 + seed % 6) {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
            dest.push(parts[(seed >> 33) as usize % parts.len()]);
        }
        let dest = dest.join("/");
        if let Some(r) = resolve("chapters/a/b.md", &percent_decode(&dest)) {
            assert!(!r.starts_with('/'), "{dest} → {r}");
            assert!(r.split('/').all(|s| s != ".." && s != "."), "{dest} → {r}");
            let url = page_url(&r);
            assert!(!url.split('/').any(|s| s == ".."), "{dest} → {url}");
        }
    }
}

#[test]
fn resolve_stays_inside_the_guide() {
    assert_eq!(
        resolve("chapters/a/b.md", "../c.md").as_deref(),
        Some("chapters/c.md")
    );
    assert_eq!(resolve("chapters/b.md", "../../x.md"), None);
    assert_eq!(page_url("chapters/a/b.md"), "a/b.html");
    assert_eq!(page_url("checklists/x.yaml"), "checklists/x.html");
    assert_eq!(root_prefix("a/b.html"), "../");
}

fn r_with(body: &str, opts: RenderOptions) -> Rendered {
    let file = format!("---\ntitle: t\n---\n{body}");
    render_with(
        &Input {
            display: "guide/chapters/a/b.md",
            source: "chapters/a/b.md",
            file: &file,
            body_start: 16,
        },
        &opts,
    )
}

fn messages(x: &Rendered) -> Vec<String> {
    x.diags
        .iter()
        .map(|d| {
            format!(
                "{}:{} {} {}",
                d.line,
                d.col,
                if d.is_error() { "E" } else { "W" },
                d.message
            )
        })
        .collect()
}

#[test]
fn a_multi_line_html_comment_is_not_raw_html() {
    let x = r("前文\n\n<!--\n这是注释\n<b>也是</b>\n-->\n\n后文 <!-- 行内 --> 完\n");
    assert!(x.diags.is_empty(), "{:?}", messages(&x));
    assert!(
        !x.html.contains("注释") && !x.html.contains("行内"),
        "{}",
        x.html
    );
    assert!(x.html.contains("后文"), "{}", x.html);
}

#[test]
fn remote_images_are_errors_because_the_csp_would_block_them() {
    let x = r("![图](https://example.org/a.png)\n\n<img src=\"https://example.org/b.png\" alt=\"b\">\n\n[链接](https://example.org/)\n");
    let m = messages(&x);
    assert_eq!(m.len(), 2, "{m:?}");
    assert!(m.iter().all(|d| d.contains("E remote image")), "{m:?}");
    assert_eq!((x.diags[0].line, x.diags[0].col), (4, 1));
    assert!(x.diags[0]
        .help
        .as_deref()
        .unwrap_or("")
        .contains("download"));
}

#[test]
fn leftover_mdbook_directives_are_warned_at_their_position() {
    let x = r("正文 {{#include ../x.md}}\n\n```rust\n{{#rustdoc_include ../listings/a.rs:here}}\n```\n\n\\{{#include escaped.rs}}\n");
    let m = messages(&x);
    assert_eq!(
        m,
        [
            "4:4 W mdBook directive `{{#include …}}` is not expanded: it is published as written",
            "7:1 W mdBook directive `{{#rustdoc_include …}}` is not expanded: it is published as written",
        ]
    );
    assert_eq!(
        x.diags[1].len,
        "{{#rustdoc_include ../listings/a.rs:here}}".len()
    );
}

#[test]
fn empty_links_warn_and_a_bare_hash_is_the_top_of_the_page() {
    let x = r("[占位]() 和 [回到顶部](#)\n");
    let m = messages(&x);
    assert_eq!(
        m,
        ["4:1 W link has no destination: it leads to this same page"]
    );
    assert!(x.links.is_empty(), "{:?}", x.links);
    assert!(x.html.contains("href=\"#\""), "{}", x.html);
}

#[test]
fn html_page_names_and_extensionless_names_link_to_chapters() {
    let x = r("[a](c.html#节) [b](../d) [c](e.md) [d](../../assets/x.html)\n");
    assert!(x.diags.is_empty(), "{:?}", messages(&x));
    assert_eq!(
        x.links[0].target,
        Target::Page {
            source: "chapters/a/c.md".into(),
            file: "chapters/a/c.html".into(),
            fragment: Some("节".into())
        }
    );
    assert_eq!(
        x.links[1].target,
        Target::Chapter {
            source: "chapters/d.md".into(),
            fragment: None
        }
    );
    assert!(
        x.html.contains("href=\"../a/c.html#%E8%8A%82\""),
        "{}",
        x.html
    );
    assert!(x.html.contains("href=\"../d.html\""), "{}", x.html);
    assert!(x.html.contains("href=\"../assets/x.html\""), "{}", x.html);
}

#[test]
fn code_info_strings_take_the_language_before_the_comma() {
    let x = r("```rust,ignore\nfn main() {}\n```\n\n```ignore\nlet x = 1;\n```\n");
    assert_eq!(
        x.html.matches("data-lang=\"rust\"").count(),
        2,
        "{}",
        x.html
    );
    assert!(x.html.contains("hl-"), "{}", x.html);
    assert!(!x.html.contains("code-note"), "{}", x.html);
}

#[test]
fn listings_marked_as_not_compiling_or_panicking_say_so_above_the_code() {
    let x = r(
        "```rust,does_not_compile\nfn main() { let x: i32 = \"a\"; }\n```\n\n\
               ```rust,panics\nfn main() { panic!() }\n```\n\n```compile_fail\nx\n```\n",
    );
    let notes: Vec<&str> = x
        .html
        .split("<p class=\"code-note\" role=\"note\">")
        .skip(1)
        .collect();
    assert_eq!(notes.len(), 3, "{}", x.html);
    assert!(
        notes[0].starts_with("注意：这段代码无法编译</p>\n<pre class=\"code\" data-lang=\"rust\"")
    );
    assert!(notes[1].starts_with("注意：这段代码运行时会 panic</p>"));
    assert!(notes[2].starts_with("注意：这段代码无法编译</p>"));
}

#[test]
fn rust_hidden_lines_are_dropped_only_when_asked() {
    let body = "```rust\n# use std::io;\n#[derive(Debug)]\nstruct A;\n#\n    # fn hidden() {}\n## not hidden\n```\n";
    let shown = r(body);
    assert!(shown.html.contains("use"), "{}", shown.html);
    let opts = RenderOptions {
        rust_hidden_lines: true,
        ..RenderOptions::default()
    };
    let x = r_with(body, opts);
    assert!(
        !x.html.contains("use") && !x.html.contains("hidden()"),
        "{}",
        x.html
    );
    assert!(
        x.html.contains("derive") && x.html.contains("not"),
        "{}",
        x.html
    );
    assert_eq!(
        x.sections[0].code,
        "#[derive(Debug)]\nstruct A;\n# not hidden"
    );
}

#[test]
fn mdbook_heading_ids_on_request() {
    let body = "## 什么是所有权？\n\n## Hello, World!\n\n## Hello, World!\n";
    let ids = |x: &Rendered| x.toc.iter().map(|t| t.id.clone()).collect::<Vec<_>>();
    assert_eq!(
        ids(&r(body)),
        ["什么是所有权", "hello-world", "hello-world-1"]
    );
    let opts = RenderOptions {
        ids: IdStyle::MdBook,
        ..RenderOptions::default()
    };
    let x = r_with("## 生命周期省略（lifetime elision）\n\n## a_b c\n", opts);
    assert_eq!(ids(&x), ["生命周期省略lifetime-elision", "a_b-c"]);
}

#[test]
fn the_title_h1_is_not_rendered_twice_but_its_id_still_resolves() {
    let body = "<!-- 注释 -->\n# 第一章 所有权\n\n正文\n\n# 另一个一级标题\n";
    assert_eq!(leading_h1(body).as_deref(), Some("第一章 所有权"));
    assert_eq!(leading_h1("正文\n\n# 标题\n"), None);
    assert_eq!(leading_h1("## 安装\n\n正文\n").as_deref(), Some("安装"));
    assert_eq!(leading_h1("### 小节\n"), None);
    let opts = RenderOptions {
        title_h1: true,
        ..RenderOptions::default()
    };
    let x = r_with(body, opts);
    assert!(!x.html.contains("所有权</h1>"), "{}", x.html);
    assert!(x.html.contains("另一个一级标题</h1>"), "{}", x.html);
    assert!(x.ids.contains(&"第一章-所有权".to_owned()), "{:?}", x.ids);
    // Without the option the heading is rendered as before.
    assert!(r(body).html.contains("所有权</h1>"));
}

#[test]
fn safe_html_in_a_chapter_keeps_markdown_between_its_lines() {
    let x = r("<details>\n<summary>展开</summary>\n\n**粗体** 和 [链接](c.md)\n\n</details>\n\n<span id=\"old-anchor\"></span>\n\n[跳](#old-anchor)\n");
    assert!(x.diags.is_empty(), "{:?}", messages(&x));
    assert!(
        x.html.contains("<details>\n<summary>展开</summary>"),
        "{}",
        x.html
    );
    assert!(x.html.contains("<strong>粗体</strong>"), "{}", x.html);
    assert!(x.ids.contains(&"old-anchor".to_owned()));
    let theme = r("<span id=\"main\"></span>\n");
    assert_eq!(
        messages(&theme),
        ["4:1 E id `main` is used by the page itself"]
    );
}

#[test]
fn outside_links_and_images_are_recorded_with_their_positions() {
    let res = r("见 [工信部](https://www.miit.gov.cn/) 和 [本地](a.md)，[邮件](mailto:a@b.c)。\n");
    let found: Vec<(&str, usize, usize)> = res
        .outside
        .iter()
        .map(|o| (o.url.as_str(), o.line, o.col))
        .collect();
    assert_eq!(found, [("https://www.miit.gov.cn/", 4, 3)]);
}

#[test]
fn footnotes_are_numbered_by_first_use_and_listed_at_the_bottom_with_back_links() {
    let x = r("第一[^b]，第二[^a]，再提[^b]。\n\n[^a]: 注释甲\n\n[^b]: 注释乙 a&b\n\n[^c]: 没人引用\n\n## 后面的小节\n\n正文\n");
    let h = &x.html;
    // References: numbered in order of first use; only the first carries the back-link target.
    assert!(
        h.contains("<sup class=\"footnote-ref\"><a id=\"fnref-b\" href=\"#fn-b\">1</a></sup>"),
        "{h}"
    );
    assert!(h.contains("<a id=\"fnref-a\" href=\"#fn-a\">2</a>"), "{h}");
    assert!(h.contains("<a href=\"#fn-b\">1</a>"), "{h}");
    // Definitions: after the last section, in reference order, unreferenced last.
    let notes = h
        .find("<section class=\"footnotes\"")
        .expect("notes section");
    assert!(notes > h.find("后面的小节").unwrap_or(usize::MAX), "{h}");
    let (b, a, c) = (
        h.find("id=\"fn-b\""),
        h.find("id=\"fn-a\""),
        h.find("id=\"fn-c\""),
    );
    assert!(b < a && a < c, "{h}");
    assert!(h.contains("注释乙 a&amp;b"), "{h}");
    assert!(h.contains("href=\"#fnref-b\""), "{h}");
    assert!(!h[c.unwrap_or(0)..].contains("fnref-c"), "{h}");
    assert!(x.ids.contains(&"fn-a".to_owned()), "{:?}", x.ids);
    // A page without footnotes gets no section.
    assert!(!r("正文\n").html.contains("footnotes"));
}

#[test]
fn an_alt_text_size_suffix_sizes_the_image_and_leaves_the_alt_clean() {
    let x = r("![流程图|300](../../assets/a.png)\n\n![示意 *图*|320x200](../../assets/b.png \"题注\")\n\n![比例|50%](../../assets/c.png)\n\n![A|B](../../assets/d.png)\n\n| 表 |\n|---|\n| ![表中图\\|120](../../assets/e.png) |\n");
    for want in [
        "<img src=\"../assets/a.png\" alt=\"流程图\" width=\"300\" />",
        "<img src=\"../assets/b.png\" alt=\"示意 图\" title=\"题注\" width=\"320\" height=\"200\" />",
        "<img src=\"../assets/c.png\" alt=\"比例\" width=\"50%\" />",
        "<img src=\"../assets/d.png\" alt=\"A|B\" />",
        "<img src=\"../assets/e.png\" alt=\"表中图\" width=\"120\" />",
    ] {
        assert!(x.html.contains(want), "{want}\n{}", x.html);
    }
    // The destination is still checked and recorded like any image's.
    assert_eq!(x.links.len(), 5, "{:?}", x.links);
    let y = r("![|300](../../assets/a.png)\n");
    assert!(messages(&y)
        .iter()
        .any(|m| m.contains("image without alt text")));
}
