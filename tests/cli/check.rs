//! Tests: `check` (and `build`) on bad input (RELIABILITY I1–I12, O6–O8, X2, X3, X5, X7, and
//! the facts-hygiene and external-link checks). Every bad-input class has an exact-stderr
//! golden in tests/golden/ (`GUIDESMITH_BLESS=1` rewrites them; review the diff like code), and
//! every golden test asserts the exit code of both `check` and `build` (O8).

use std::io::Write as _;
use std::net::TcpListener;

use crate::harness::{golden, hang_guard, tree, Project, Run};
use crate::output::small_guide;

/// The small valid guide plus `chapters/c.md` (in the nav, linked from nowhere) holding `body`.
fn with_chapter(name: &str, body: impl AsRef<[u8]>) -> Project {
    let p = Project::empty(name);
    small_guide(&p, "guide");
    add_to_nav(&p, "chapters/c.md");
    p.write("guide/chapters/c.md", body);
    p
}

fn add_to_nav(p: &Project, entry: &str) {
    let cfg = p.read("guide/guide.yaml") + &format!("      - {entry}\n");
    p.write("guide/guide.yaml", cfg);
}

fn passes(p: &Project) {
    let r = p.run(&["check"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stderr.contains("error"), "{}", r.stderr);
}

// ---------------------------------------------------------------------------------------------
// Bad input, one table row per case: the project, the exact-stderr golden (when the case has
// one), the exit code, and what else stderr must (not) contain. The runner asserts the exit
// code of both `check` and `build`, and that a failed `build` wrote nothing (O8).

/// What a case expects of `check`'s stderr besides its golden.
#[derive(Clone, Copy, Debug)]
enum Want {
    /// The text appears.
    Has(&'static str),
    /// The text does not appear.
    Lacks(&'static str),
    /// The text appears exactly this many times.
    Times(&'static str, usize),
}
use Want::{Has, Lacks, Times};

/// Runs `check` and `build` on one case's project and asserts everything its row expects.
fn check_case(p: &Project, golden_name: Option<&str>, code: i32, wants: &[Want]) {
    let r = p.run(&["check"]);
    if let Some(name) = golden_name {
        golden(&format!("{name}.stderr"), &r.stderr);
    }
    assert_eq!(r.code, code, "check must exit {code} (O8)\n{}", r.stderr);
    let b = p.run(&["build"]);
    assert_eq!(b.code, code, "build must exit {code} (O8)\n{}", b.stderr);
    if code != 0 {
        assert!(!p.path("public").exists(), "a failed build wrote output");
    }
    for want in wants {
        let ok = match *want {
            Has(s) => r.stderr.contains(s),
            Lacks(s) => !r.stderr.contains(s),
            Times(s, n) => r.stderr.matches(s).count() == n,
        };
        assert!(ok, "stderr does not meet {want:?}\n{}", r.stderr);
    }
}

/// One `#[test]` per row, named by the row: `name: |dir_name| project, [golden "file",]
/// exit CODE, [wants];`.
macro_rules! check_cases {
    ($(
        $(#[$meta:meta])*
        $test:ident: $setup:expr, $(golden $golden:literal,)? exit $code:literal,
            [$($want:expr),* $(,)?];
    )*) => {$(
        $(#[$meta])*
        #[test]
        fn $test() {
            let setup: fn(&str) -> Project = $setup;
            let golden_name: Option<&str> = None $(.or(Some($golden)))?;
            check_case(&setup(stringify!($test)), golden_name, $code, &[$($want),*]);
        }
    )*};
}

check_cases! {
    // Issue 21: a root cause is reported alone, never after (or beside) the errors it causes.
    // `chapters/a.md` fails to load, and nav, the home page's link to it and its checklist's
    // `chapter:` say nothing more.
    a_front_matter_typo_is_the_only_error_not_followed_by_missing_chapter_errors:
        |n| with_file(n, "guide/chapters/a.md", "---\ntitel: 第一章\nchecklists: [demo]\n---\n\n## 话费\n"),
        exit 1, [
            Has("guide/chapters/a.md:2:1"),
            Has("1 error(s), 0 warning(s)"),
            Lacks("missing chapter"),
            Lacks("not used by any chapter"),
        ];
    // `rows: 1e9` is one error at the value, in words, and the chapters naming the checklist
    // (front matter, ```checklist block) say nothing more.
    an_out_of_range_number_is_one_error_at_the_value_in_words:
        |n| {
            let p = with_file(
                n,
                "guide/checklists/demo.yaml",
                "id: demo\ntitle: 演示清单\npurpose: 演示\nchapter: chapters/a.md\nsections:\n  - title: 一\n    items:\n      - {id: t, table: {columns: [甲, 乙], rows: 1e9}}\n",
            );
            let b = p.read("guide/chapters/b.md") + "\n```checklist\ndemo\n```\n";
            p.write("guide/chapters/b.md", b);
            p
        },
        exit 1, [
            Has("guide/checklists/demo.yaml:8:48"),
            Has("expected a whole number from 0 to 255"),
            Has("1 error(s), 0 warning(s)"),
        ];
    an_invalid_updated_date_in_guide_yaml_names_its_line:
        |n| {
            let p = Project::empty(n);
            small_guide(&p, "guide");
            let cfg = p.read("guide/guide.yaml").replace("2026-11-24", "0000-00-00");
            p.write("guide/guide.yaml", cfg);
            p
        },
        exit 1, [Has("guide/guide.yaml:3:10"), Has("found `0000-00-00`")];
    // `extra_css` names stylesheets of the guide: a missing one or another kind of file is a
    // located error.
    extra_css_entries_must_be_css_files_of_the_guide:
        |n| {
            let p = Project::empty(n);
            small_guide(&p, "guide");
            p.write("guide/assets/book.css", ".x { color: red; }\n");
            p.write("guide/assets/book.js", "void 0;\n");
            let cfg = p.read("guide/guide.yaml")
                + "extra_css:\n  - assets/book.css\n  - assets/bok.css\n  - assets/book.js\n";
            p.write("guide/guide.yaml", cfg);
            p
        },
        exit 1, [
            Has("guide/guide.yaml:12:5"),
            Has("`extra_css` lists `assets/bok.css`, which is not a file of the guide"),
            Has("did you mean `assets/book.css`?"),
            Has("guide/guide.yaml:13:5"),
            Has("which is not a `.css` file"),
            Has("2 error(s)"),
        ];
    // I1: front matter, each with Chinese text before the error column (caret by display width).
    unclosed_front_matter_points_at_the_opening_fence:
        |n| with_chapter(n, "---\ntitle: 第三章\n说明：没有结束的前言\n"),
        golden "i1_unclosed_front_matter", exit 1, [];
    // Line 3 of the *file* (not of the front-matter block), caret under the second `:`.
    yaml_syntax_error_is_located_in_the_file_under_chinese_text:
        |n| with_chapter(n, "---\ntitle: 第三章\ndescription: 说明：原因: 不允许\n---\n\n正文\n"),
        golden "i1_yaml_syntax_error", exit 1, [Has("guide/chapters/c.md:3:")];
    wrong_type_is_located_at_the_value:
        |n| with_chapter(
            n,
            "---\ntitle: 第三章\ndescription: 说明\nsummary: [要点一, {甲: 乙}]\n---\n\n正文\n",
        ),
        golden "i1_wrong_type", exit 1, [];
    search_boost_out_of_range_is_located_at_the_value:
        |n| with_chapter(n, "---\ntitle: 第三章\nsearch:\n  boost: 50\n---\n\n正文\n"),
        exit 1, [Has("guide/chapters/c.md:4:10"), Has("`search.boost` must be between 0.1 and 10, found 50")];
    unknown_key_gets_a_did_you_mean_hint:
        |n| with_chapter(n, "---\n{title: 第三章, descripton: 说明}\n---\n\n正文\n"),
        golden "i1_unknown_key", exit 1, [Has("did you mean `description`?")];
    unknown_checklist_key_after_chinese_text_gets_a_hint:
        |n| with_file(
            n,
            "guide/checklists/demo.yaml",
            "id: demo\ntitle: 演示清单\npurpose: 演示\nchapter: chapters/a.md\nsections:\n  - title: 一\n    items:\n      - {id: id-card, check: 身份证原件, noet: 复印件也带上}\n",
        ),
        golden "i1_unknown_checklist_key", exit 1, [Has("did you mean `note`?")];
    missing_required_key_is_reported_with_the_key_name:
        |n| {
            let p = with_chapter(n, "---\ntitle: 第三章\ndescription: 说明\n---\n\n正文\n");
            let list = "id: nopurpose\ntitle: 缺少用途的清单\nchapter: chapters/c.md\nsections:\n  - title: 一\n    items:\n      - id: a\n        check: 勾选\n";
            p.write("guide/checklists/nopurpose.yaml", list);
            p
        },
        golden "i1_missing_key", exit 1, [Has("`purpose`")];
    tab_indentation_is_an_error_with_a_spaces_hint:
        |n| with_chapter(
            n,
            "---\ntitle: 第三章\ndescription: 说明\nsummary:\n\t- 要点\n---\n\n正文\n",
        ),
        golden "i1_tab_indentation", exit 1, [Has("spaces, not tabs")];
    check_reports_every_problem_of_a_broken_guide_in_one_run:
        |_| multi_error_project(),
        golden "multi_error", exit 1, [
            Has("c1.md:1:1"),
            Has("c2.md:3:"),
            Has("c3.md:4:"),
            Has("c4.md:2:1"),
            Has("c5.md:3:1"),
            Has("c6.md:6:"),
            Has("link scheme `javascript:`"),
            Has("c7.md:6:1"),
            Has("image without alt text"),
        ];

    // I3: duplicate keys.
    duplicate_front_matter_key_names_both_occurrences:
        |n| with_chapter(n, "---\ntitle: 第三章\ndescription: 说明\ntitle: 第三章（重复）\n---\n"),
        golden "i3_duplicate_key", exit 1, [Has("c.md:4:1"), Has("line 2, column 1")];
    duplicate_checklist_item_id_names_both_occurrences:
        |n| with_file(
            n,
            "guide/checklists/demo.yaml",
            "id: demo\ntitle: 演示清单\npurpose: 演示\nchapter: chapters/a.md\nsections:\n  - title: 一\n    items:\n      - id: id-card\n        check: 身份证\n      - id: id-card\n        check: 身份证复印件\n",
        ),
        golden "i3_duplicate_item_id", exit 1,
        [Has("demo.yaml:10:13"), Has("line 8, column 13")];

    // I4: encodings. "标题" in GBK is B1 EA CC E2; the line before it is valid Chinese UTF-8.
    gbk_bytes_are_located_with_a_resave_hint:
        |n| with_chapter(
            n,
            [
                "---\ntitle: 第三章\ndescription: 说明 ".as_bytes(),
                b"\xB1\xEA\xCC\xE2\n---\n",
            ]
            .concat(),
        ),
        golden "i4_gbk", exit 1, [Has("c.md:3:17"), Has("GBK")];
    utf16_is_refused_clearly_le:
        |n| with_chapter(n, utf16(true)),
        golden "i4_utf16le", exit 1, [];
    utf16_is_refused_clearly_be:
        |n| with_chapter(n, utf16(false)),
        exit 1, [Has("UTF-16")];
    nul_byte_is_located:
        |n| with_chapter(
            n,
            b"---\ntitle: t\ndescription: d\n---\n\n\xE6\xAD\xA3\xE6\x96\x87\0x\n",
        ),
        golden "i4_nul", exit 1, [Has("c.md:6:3")];

    // I7: broken internal links; X2: dangerous schemes in any spelling.
    broken_internal_links_fail_check_and_build:
        |n| with_chapter(
            n,
            "---\ntitle: 第三章\ndescription: 说明\n---\n\n## 本章\n\n\
             见[缺章](nope.md)、[缺锚](a.md#没有这个)、[本页](#不存在)。\n\n\
             填[清单](../checklists/nope.yaml)，再看[条目](../checklists/demo.yaml#demo-nope)。\n\n\
             ```checklist\nnope\n```\n\n\
             点[这里](javascript:alert(1))。\n",
        ),
        golden "i7_broken_links", exit 1, [
            Has("link to missing chapter `chapters/nope.md`"),
            Has("`chapters/a.md` has no heading with id `没有这个`"),
            Has("no heading with id `不存在` on this page"),
            Has("link to missing checklist `checklists/nope.yaml`"),
            Has("no item anchor `demo-nope`"),
            Has("no checklist with id `nope`"),
            Has("link scheme `javascript:` is not allowed"),
        ];
    // One error per link.
    obfuscated_and_whitespace_prefixed_schemes_are_rejected:
        |n| with_chapter(
            n,
            "---\ntitle: 第三章\ndescription: 说明\n---\n\n\
             1. [实体](&#106;avascript:alert(1))\n\
             2. [十六进制](&#x6A;avascript:alert(1))\n\
             3. [前导空格]( javascript:alert(1))\n\
             4. [尖括号](<  JaVaScRiPt:alert(1)>)\n\
             5. [中间空格](<java script:alert(1)>)\n\
             6. [vb](vbscript:msgbox(1))\n\
             7. [数据](data:text/html,<script>alert(1)</script>)\n\
             8. <javascript:alert(1)>\n\
             9. [引用][r]\n\
             10. ![图片](data:image/svg+xml,<svg/onload=alert(1)>)\n\
             11. [制表符](java&#9;script:alert(1))\n\n\
             [r]: JAVASCRIPT:alert(1)\n",
        ),
        golden "x2_schemes", exit 1, [Times("error: ", 11)];

    // X3: raw HTML; the allowlisted tags on line 18 are not flagged.
    unsafe_raw_html_is_an_error_and_safe_html_is_sanitised:
        |n| with_chapter(
            n,
            "---\ntitle: 第三章\ndescription: 说明\n---\n\n\
             <script>alert(1)</script>\n\n\
             <iframe src=\"https://example.org\"></iframe>\n\n\
             粗体<b onclick=\"alert(1)\">字</b>\n\n\
             红色<span style=\"color:red\">字</span>\n\n\
             图<img src=x onerror=alert(1)>\n\n\
             键<kbd class=\"k\">Ctrl</kbd>\n\n\
             允许：<kbd>Ctrl</kbd>、<br>、<sup>2</sup>\n",
        ),
        golden "x3_raw_html", exit 1, [Lacks("c.md:18:")];

    // I8, O7: heading ids and output-path collisions.
    explicit_heading_id_collision_is_an_error:
        |n| with_chapter(
            n,
            "---\ntitle: 第三章\ndescription: 说明\n---\n\n## 第一节 {#same}\n\n## 第二节 {#same}\n",
        ),
        golden "i8_explicit_collision", exit 1, [];
    case_only_duplicate_outputs_name_both_sources:
        |n| {
            let p = Project::empty(n);
            small_guide(&p, "guide");
            add_to_nav(&p, "chapters/A.md");
            p.write(
                "guide/chapters/A.md",
                "---\ntitle: 大写\ndescription: 说明\n---\n\n正文\n",
            );
            p.write("guide/assets/Logo.svg", "<svg/>");
            p.write("guide/assets/logo.svg", "<svg/>");
            p
        },
        golden "o7_case_only", exit 1, [
            Has("chapters/A.md"),
            Has("chapters/a.md"),
            Has("assets/Logo.svg"),
            Has("assets/logo.svg"),
        ];

    // O6: output paths come from file paths only; `slug`/`path` in front matter are refused.
    slug_and_path_in_front_matter_are_refused_at_load_traversal:
        |n| with_chapter(n, "---\ntitle: 第三章\ndescription: 说明\nslug: ../../etc/passwd\n---\n"),
        golden "o6_slug_traversal", exit 1, [Has("c.md:4:1")];
    slug_and_path_in_front_matter_are_refused_at_load_drive:
        |n| with_chapter(n, "---\ntitle: 第三章\ndescription: 说明\npath: C:\\Windows\\win.ini\n---\n"),
        golden "o6_path_drive", exit 1, [Has("c.md:4:1")];
    slug_and_path_in_front_matter_are_refused_at_load_reserved:
        |n| with_chapter(n, "---\ntitle: 第三章\ndescription: 说明\nslug: 第三章/CON.\n---\n"),
        golden "o6_slug_reserved", exit 1, [Has("c.md:4:1")];

    // I9: symlinks (never followed; each reported with its path).
    #[cfg(unix)]
    symlink_loop_escape_and_dangling_link_are_reported_and_not_followed:
        |n| {
            use std::os::unix::fs::symlink;
            let p = Project::empty(n);
            small_guide(&p, "guide");
            p.write(
                "secret.md",
                "---\ntitle: 机密\ndescription: SECRET-TOKEN\n---\nSECRET-TOKEN\n",
            );
            symlink(".", p.path("guide/chapters/loop")).expect("loop");
            symlink("../../secret.md", p.path("guide/chapters/escape.md")).expect("escape");
            symlink("nowhere.svg", p.path("guide/assets-dangling.svg")).expect("dangling");
            p
        },
        golden "i9_symlinks", exit 1, [Lacks("SECRET-TOKEN")];

    // I10: typo hints everywhere.
    typos_in_front_matter_checklists_nav_and_references_get_hints:
        |n| {
            let p = Project::empty(n);
            small_guide(&p, "guide");
            let cfg = p
                .read("guide/guide.yaml")
                .replace("- chapters/b.md", "- chapters/bb.md");
            p.write("guide/guide.yaml", cfg);
            p.write(
                "guide/chapters/a.md",
                "---\ntitle: 第一章\ndescription: 第一章说明\nchecklists: [dmeo]\n---\n\n## 话费\n\n正文。\n\n```checklist\ndemoo\n```\n",
            );
            p.write(
                "guide/checklists/other.yaml",
                "id: other\ntitle: 另一个\npurpose: 演示\nchapter: chapters/a.md\nsections:\n  - title: 一\n    items:\n      - id: x\n        chek: 身份证\n",
            );
            p
        },
        golden "i10_typos", exit 1, [
            Has("did you mean `demo`?"),
            Has("did you mean `chapters/b.md`?"),
            Has("did you mean `check`?"),
        ];
    typo_in_guide_yaml_gets_a_hint:
        |n| {
            let p = Project::empty(n);
            small_guide(&p, "guide");
            let cfg = p.read("guide/guide.yaml").replace("notice:", "notise:");
            p.write("guide/guide.yaml", cfg);
            p
        },
        golden "i10_config_typo", exit 1, [Has("did you mean `notice`?")];

    // I11: template errors from a theme override in the project, located in the template.
    template_errors_are_located_in_the_template_file_syntax:
        |n| with_file(
            n,
            "themes/default/templates/chapter.html",
            "<p>第三章</p>\n<p>{% if %}</p>\n",
        ),
        golden "i11_syntax", exit 1, [Has("--> themes/default/templates/")];
    template_errors_are_located_in_the_template_file_unknown_filter:
        |n| with_file(
            n,
            "themes/default/templates/chapter.html",
            "<p>标题：</p>\n<p>{{ title | no_such_filter }}</p>\n",
        ),
        golden "i11_unknown_filter", exit 1, [Has("--> themes/default/templates/")];
    template_errors_are_located_in_the_template_file_include_cycle:
        |n| {
            let p = with_file(
                n,
                "themes/default/templates/chapter.html",
                "{% include \"partials/loop.html\" %}\n",
            );
            p.write(
                "themes/default/templates/partials/loop.html",
                "x {% include \"chapter.html\" %}\n",
            );
            p
        },
        golden "i11_include_cycle", exit 1, [Has("--> themes/default/templates/")];

    // I12: file names.
    ntfs_forbidden_characters_in_file_names_are_errors:
        |n| {
            let p = Project::empty(n);
            small_guide(&p, "guide");
            p.write("guide/assets/a:b.svg", "<svg/>");
            p.write("guide/assets/what?.svg", "<svg/>");
            p.write("guide/assets/pipe|star*.svg", "<svg/>");
            p
        },
        golden "i12_ntfs_names", exit 1, [];
    #[cfg(unix)]
    non_utf8_file_names_are_errors:
        |n| {
            use std::os::unix::ffi::OsStrExt;
            let p = Project::empty(n);
            small_guide(&p, "guide");
            let name = std::ffi::OsStr::from_bytes(b"caf\xE9.svg");
            std::fs::create_dir_all(p.path("guide/assets")).expect("mkdir");
            std::fs::write(p.path("guide/assets").join(name), "<svg/>").expect("write");
            p
        },
        golden "i12_non_utf8_name", exit 1, [];

    // Facts hygiene (`forbidden:` in guide.yaml) and orphan checklists.
    forbidden_claims_are_errors_at_their_position_with_the_reason:
        |n| {
            let p = Project::empty(n);
            small_guide(&p, "guide");
            let cfg = p.read("guide/guide.yaml")
                + "forbidden:\n  - text: 15% 滞纳金\n    reason: 条例规定的是每日 3‰ 违约金\n  - text: 5 个月平均\n    reason: 应为此前 3 个月平均费用 5 倍以上\n";
            p.write("guide/guide.yaml", cfg);
            p.write(
                "guide/chapters/b.md",
                "---\ntitle: 第二章\ndescription: 第二章说明\n---\n\n## 花费\n\n欠费要另交 **15%** 滞纳金。巨额费用指超过此前 5 个月平均费用 3 倍。\n\n合法：每日 3‰ 违约金；此前 3 个月平均费用 5 倍以上。\n",
            );
            p.write(
                "guide/checklists/demo.yaml",
                "id: demo\ntitle: 演示清单\npurpose: 演示\nchapter: chapters/a.md\nsections:\n  - title: 一\n    items:\n      - id: id-card\n        check: 核对是否收了 15%滞纳金\n",
            );
            p
        },
        golden "hygiene_forbidden", exit 1,
        [Has("b.md:8:9"), Has("demo.yaml:9:23"), Times("forbidden claim", 3)];
    an_orphan_checklist_is_a_warning_not_an_error:
        |n| with_file(
            n,
            "guide/checklists/lonely.yaml",
            "id: lonely\ntitle: 没人用\npurpose: 演示\nchapter: chapters/a.md\nsections:\n  - title: 一\n    items:\n      - id: x\n        check: 某事\n",
        ),
        golden "orphan_checklist", exit 0,
        [Has("warning: checklist `lonely` is not used"), Lacks("`demo`")];
}

/// The small valid guide plus one more file.
fn with_file(name: &str, rel: &str, text: &str) -> Project {
    let p = Project::empty(name);
    small_guide(&p, "guide");
    p.write(rel, text);
    p
}

/// A valid chapter in UTF-16 (little- or big-endian), with its byte-order mark.
fn utf16(little_endian: bool) -> Vec<u8> {
    let text = "---\ntitle: t\ndescription: d\n---\n";
    let mut out = if little_endian {
        vec![0xFF, 0xFE]
    } else {
        vec![0xFE, 0xFF]
    };
    for unit in text.encode_utf16() {
        out.extend(if little_endian {
            unit.to_le_bytes()
        } else {
            unit.to_be_bytes()
        });
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Around the table: the same broken guide as JSON, encodings that are accepted, heading ids,
// file names that work, the bundled guide's own forbidden list.

/// A guide with one of every I1/I3/I7/I10 problem, each in its own file.
fn multi_error_project() -> Project {
    let p = Project::empty("multi");
    small_guide(&p, "guide");
    let chapters: [(&str, &str); 7] = [
        ("c1", "---\ntitle: 未闭合\n"),
        ("c2", "---\ntitle: 第三章\ndescription: 说明：原因: 不允许\n---\n"),
        ("c3", "---\ntitle: 类型\ndescription: 说明\nsummary: [要点一, {甲: 乙}]\n---\n"),
        ("c4", "---\ntitel: 拼错\ndescription: 说明\n---\n"),
        ("c5", "---\ntitle: 重复\ntitle: 再一次\ndescription: 说明\n---\n"),
        ("c6", "---\ntitle: 链接\ndescription: 说明\n---\n\n见[不存在](nope.md)和[脚本](javascript:alert(1))。\n"),
        ("c7", "---\ntitle: 图片\ndescription: 说明\n---\n\n![](../assets/x.svg)\n"),
    ];
    for (name, text) in chapters {
        add_to_nav(&p, &format!("chapters/{name}.md"));
        p.write(&format!("guide/chapters/{name}.md"), text);
    }
    p
}

#[test]
fn check_format_json_is_valid_json_with_positions_messages_and_help() {
    let p = multi_error_project();
    let r = p.run(&["check", "--format", "json"]);
    assert_eq!(r.code, 1);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("stdout is JSON");
    let list = v.as_array().expect("a JSON array");
    assert!(list.len() >= 9, "{}", r.stdout);
    for d in list {
        for key in ["severity", "path", "line", "col", "message", "help"] {
            assert!(d.get(key).is_some(), "`{key}` missing in {d}");
        }
        assert!(
            d["path"].as_str().is_some_and(|s| s.starts_with("guide/")),
            "{d}"
        );
        assert!(d["line"].is_u64() && d["col"].is_u64(), "{d}");
    }
    let c2 = list
        .iter()
        .find(|d| d["path"] == "guide/chapters/c2.md")
        .expect("c2 reported");
    assert_eq!(c2["line"], 3);
    assert_eq!(c2["severity"], "error");
}

const BROKEN: &str = "---\ntitle: 第三章\ndescription: 说明\n---\n\n见[不存在](nope.md)。\n";

#[test]
fn bom_and_crlf_and_lone_cr_are_accepted_and_keep_positions() {
    let clean = with_chapter("i4-lf", BROKEN).run(&["check"]);
    assert_eq!(clean.code, 1);
    let variants: [(&str, Vec<u8>); 3] = [
        (
            "bom",
            [b"\xEF\xBB\xBF".as_slice(), BROKEN.as_bytes()].concat(),
        ),
        ("crlf", BROKEN.replace('\n', "\r\n").into_bytes()),
        ("cr", BROKEN.replace('\n', "\r").into_bytes()),
    ];
    for (name, bytes) in variants {
        let r = with_chapter(&format!("i4-{name}"), bytes).run(&["check"]);
        assert_eq!(
            r.stderr, clean.stderr,
            "{name}: positions differ from the LF file"
        );
        let ok = with_chapter(
            &format!("i4-{name}-ok"),
            match name {
                "bom" => [
                    b"\xEF\xBB\xBF".as_slice(),
                    b"---\ntitle: t\ndescription: d\n---\n",
                ]
                .concat(),
                "crlf" => {
                    b"---\r\ntitle: t\r\ndescription: d\r\n---\r\n\r\n## \xE6\xA0\x87\r\n".to_vec()
                }
                _ => b"---\rtitle: t\rdescription: d\r---\r".to_vec(),
            },
        );
        passes(&ok);
    }
}

fn ids_of(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find("<h") {
        rest = &rest[i + 2..];
        if let Some(tag) = rest
            .get(..1)
            .filter(|d| ('1'..='6').any(|c| d.starts_with(c)))
        {
            if let Some(id) = rest[1..].strip_prefix(" id=\"") {
                let end = id.find('"').expect("closed id attribute");
                out.push(format!("h{tag} {}", &id[..end]));
            }
        }
    }
    out
}

#[test]
fn heading_ids_keep_chinese_distinguish_homophones_and_are_stable() {
    let body = "---\ntitle: 第三章\ndescription: 说明\n---\n\n\
                ## 话费\n\n## 花费\n\n## 话费\n\n### 话费\n\n## 5G 套餐：变更\n\n\
                ## What's new?\n\n## ！？\n\n## 自定义 {#custom}\n\n## Custom\n\n## 话费-1\n\n## Main\n\n## TOC title\n";
    let p = with_chapter("i8", body);
    p.run(&["build"]).ok();
    let first = ids_of(&p.read("public/c.html"));
    golden("i8_ids.txt", &(first.join("\n") + "\n"));
    // Unique across the whole page, the theme's own ids (`main`, `toc-title` …) included.
    let html = p.read("public/c.html");
    let all: Vec<&str> = html
        .split(" id=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap_or(""))
        .collect();
    let unique: std::collections::HashSet<_> = all.iter().collect();
    assert_eq!(
        unique.len(),
        all.len(),
        "ids are not unique on the page: {all:?}"
    );
    assert!(first.contains(&"h2 话费".to_owned()) && first.contains(&"h2 花费".to_owned()));
    // Same input → same ids.
    std::fs::remove_dir_all(p.path("public")).expect("rm public");
    p.run(&["build"]).ok();
    assert_eq!(ids_of(&p.read("public/c.html")), first);
}

#[test]
fn file_names_with_spaces_and_chinese_build_and_are_linkable() {
    let p = Project::empty("i12-ok");
    small_guide(&p, "guide");
    add_to_nav(&p, "chapters/第 三 章.md");
    p.write(
        "guide/chapters/第 三 章.md",
        "---\ntitle: 第三章\ndescription: 说明\n---\n\n## 小节\n\n回到[第一章](a.md)。\n",
    );
    p.write(
        "guide/chapters/b.md",
        "---\ntitle: 第二章\ndescription: 第二章说明\n---\n\n## 花费\n\n见[第三章](第%20三%20章.md#小节)。\n",
    );
    passes(&p);
    p.run(&["build"]).ok();
    assert!(p.path("public/第 三 章.html").is_file());
}

#[test]
fn the_bundled_guide_passes_its_own_forbidden_list() {
    let p = Project::bundled();
    let cfg = p.read("guide/guide.yaml");
    assert!(
        cfg.contains("forbidden:") && cfg.contains("12381"),
        "list missing"
    );
    passes(&p);
    // And the list bites: a wrong claim added to a chapter is caught.
    let ch = p.read("guide/chapters/intro.md") + "\n遇到问题可以拨打 12381 申诉。\n";
    p.write("guide/chapters/intro.md", ch);
    let r = p.run(&["check"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("forbidden claim"), "{}", r.stderr);
}

// ---------------------------------------------------------------------------------------------
// `check --external` against a local HTTP server (no network needed).

fn serve_statuses(listener: TcpListener, requests: usize) {
    for stream in listener.incoming().take(requests) {
        let Ok(mut s) = stream else { continue };
        let mut buf = [0u8; 2048];
        let n = std::io::Read::read(&mut s, &mut buf).unwrap_or(0);
        let head = String::from_utf8_lossy(&buf[..n]);
        let status = if head.contains(" /gone ") {
            "404 Not Found"
        } else {
            "200 OK"
        };
        let _ = write!(
            s,
            "HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        );
    }
}

#[test]
fn check_external_reports_dead_outside_links_at_their_position() {
    if std::process::Command::new("curl")
        .arg("--version")
        .output()
        .is_err()
    {
        crate::harness::print_skip("curl not installed");
        return;
    }
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let p = with_chapter(
        "external",
        format!("---\ntitle: 第三章\ndescription: 说明\n---\n\n好的[链接](http://127.0.0.1:{port}/ok)；坏的[链接](http://127.0.0.1:{port}/gone)；\n再次[坏的](http://127.0.0.1:{port}/gone)。\n"),
    );
    let server = std::thread::spawn(move || serve_statuses(listener, 2));
    let plain = p.run(&["check"]);
    assert_eq!(
        plain.code, 0,
        "without --external nothing is fetched\n{}",
        plain.stderr
    );
    let r = hang_guard(60, {
        let root = p.root.clone();
        move || {
            Run::from(
                std::process::Command::new(crate::harness::bin())
                    .args(["check", "--external"])
                    .current_dir(root)
                    .output()
                    .expect("runs"),
            )
        }
    });
    let _ = server.join();
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        r.stderr.matches("returned HTTP 404").count(),
        2,
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("c.md:6:"), "{}", r.stderr);
    assert!(r.stderr.contains("c.md:7:"), "{}", r.stderr);
    assert!(
        !r.stderr
            .contains(&format!("404: http://127.0.0.1:{port}/ok")),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("could not be reached"), "{}", r.stderr);
}

// ---------------------------------------------------------------------------------------------
// Hang-guard corpus (I2, I5, I6): each finishes with success or a diagnostic, never a panic.

/// Runs `check` (and, when it passes, `build`) on the project under a 60 s hang-guard and
/// returns the `check` result; exit 101 (panic) or a signal (stack overflow) fails the test.
fn survives(p: &Project, extra: &[&str]) -> Run {
    let root = p.root.clone();
    let args: Vec<String> = extra.iter().map(|s| (*s).to_owned()).collect();
    let r = hang_guard(60, move || {
        let run = |cmd: &str| {
            Run::from(
                std::process::Command::new(crate::harness::bin())
                    .arg(cmd)
                    .args(&args)
                    .current_dir(&root)
                    .env_remove("RUST_BACKTRACE")
                    .output()
                    .expect("runs"),
            )
        };
        let c = run("check");
        let b = run("build");
        (c, b)
    });
    for (what, run) in [("check", &r.0), ("build", &r.1)] {
        assert!(
            run.code == 0 || run.code == 1,
            "{what} crashed (exit {}): {}",
            run.code,
            &run.stderr[..run.stderr.len().min(2000)]
        );
        assert!(!run.stderr.contains("panicked"), "{what} panicked");
    }
    assert_eq!(r.0.code, r.1.code, "check and build disagree");
    r.0
}

fn chapter(body: &str) -> String {
    format!("---\ntitle: 压力\ndescription: 压力测试\n---\n\n{body}\n")
}

#[test]
fn yaml_alias_bomb_is_a_budget_diagnostic() {
    let mut y = String::from("id: demo\ntitle: 演示\npurpose: 演示\nchapter: chapters/a.md\nbomb0: &a0 [x,x,x,x,x,x,x,x,x,x]\n");
    for i in 1..16 {
        let p = i - 1;
        y.push_str(&format!(
            "bomb{i}: &a{i} [*a{p},*a{p},*a{p},*a{p},*a{p},*a{p},*a{p},*a{p},*a{p},*a{p}]\n"
        ));
    }
    y.push_str("sections: []\n");
    let p = Project::empty("bomb");
    small_guide(&p, "guide");
    p.write("guide/checklists/demo.yaml", y);
    let r = survives(&p, &[]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("guide/checklists/demo.yaml"),
        "{}",
        r.stderr
    );
}

#[test]
fn yaml_100k_nested_brackets_and_20k_deep_blocks_are_budget_diagnostics() {
    let brackets = "[".repeat(100_000);
    let p = with_chapter(
        "yaml-brackets",
        format!("---\ntitle: t\ndescription: d\nsummary: {brackets}\n---\n"),
    );
    let r = survives(&p, &[]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("c.md:4:"),
        "{}",
        &r.stderr[..r.stderr.len().min(2000)]
    );

    let blocks = "- ".repeat(20_000) + "x";
    let p = with_chapter(
        "yaml-blocks",
        format!("---\ntitle: t\ndescription: d\nsummary:\n  {blocks}\n---\n"),
    );
    let r = survives(&p, &[]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("c.md:"),
        "{}",
        &r.stderr[..r.stderr.len().min(2000)]
    );
}

#[test]
fn markdown_100k_nested_brackets_and_quotes_survive() {
    let p = with_chapter("md-brackets", chapter(&("[".repeat(100_000) + "x")));
    survives(&p, &[]);
    let p = with_chapter("md-quotes", chapter(&(">".repeat(100_000) + " x")));
    let r = survives(&p, &[]);
    assert!(r.stderr.contains("nested deeper"), "{}", r.stderr);
}

#[test]
fn markdown_4000_nested_lists_survive_with_a_depth_diagnostic() {
    let p = with_chapter("md-lists", chapter(&("- ".repeat(4000) + "x")));
    let r = survives(&p, &[]);
    assert!(r.stderr.contains("nested deeper"), "{}", r.stderr);
    // 2 000 levels by indentation (4 000 would be 16 MB of spaces, over the file cap).
    let indented: String = (0..2000)
        .map(|i| format!("{}- x\n", "  ".repeat(i)))
        .collect();
    let p = with_chapter("md-lists-indented", chapter(&indented));
    survives(&p, &[]);
}

#[test]
fn markdown_100k_nested_emphasis_survives() {
    let n = 100_000;
    let body = "*".repeat(n) + "x" + &"*".repeat(n);
    survives(&with_chapter("md-emph", chapter(&body)), &[]);
    let body = "*a **a ".repeat(n / 2) + &" a**".repeat(n / 2);
    survives(&with_chapter("md-emph-mixed", chapter(&body)), &[]);
}

#[test]
fn a_10_mb_chapter_is_capped_with_a_diagnostic_or_processed_when_allowed() {
    let line = "这是一段很长的正文，用来测试大文件。Some ASCII too.\n\n";
    let body = line.repeat(10 * 1024 * 1024 / line.len() + 1);
    let p = with_chapter("big", chapter(&body));
    let r = survives(&p, &[]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("over the 8388608 byte limit"),
        "{}",
        r.stderr
    );
    let r = survives(&p, &["--max-file-size", "20000000"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn a_1_mb_single_line_is_processed() {
    let body = "长".repeat(350_000);
    let r = survives(&with_chapter("long-line", chapter(&body)), &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

// ---------------------------------------------------------------------------------------------
// X7: CSP and no inline script on every built page; X5: hostile titles in HTML and payloads.

/// Attribute names of every start tag in `html` (a small tokenizer: quotes respected).
fn attributes(html: &str) -> Vec<(String, String)> {
    let b = html.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'<' || !b.get(i + 1).is_some_and(u8::is_ascii_alphabetic) {
            if b[i..].starts_with(b"<!--") {
                i += b[i..]
                    .windows(3)
                    .position(|w| w == b"-->")
                    .map_or(b.len() - i, |e| e + 3);
                continue;
            }
            i += 1;
            continue;
        }
        let start = i + 1;
        let mut j = start;
        while j < b.len() && !b[j].is_ascii_whitespace() && b[j] != b'>' && b[j] != b'/' {
            j += 1;
        }
        let tag = html[start..j].to_ascii_lowercase();
        loop {
            while j < b.len() && (b[j].is_ascii_whitespace() || b[j] == b'/') {
                j += 1;
            }
            if j >= b.len() || b[j] == b'>' {
                break;
            }
            let n0 = j;
            while j < b.len() && !b[j].is_ascii_whitespace() && b[j] != b'=' && b[j] != b'>' {
                j += 1;
            }
            let name = html[n0..j].to_ascii_lowercase();
            if j < b.len() && b[j] == b'=' {
                j += 1;
                if j < b.len() && (b[j] == b'"' || b[j] == b'\'') {
                    let q = b[j];
                    let v0 = j + 1;
                    j = v0
                        + html[v0..]
                            .bytes()
                            .position(|c| c == q)
                            .unwrap_or(b.len() - v0);
                    out.push((tag.clone(), format!("{name}={}", &html[v0..j])));
                    j += 1;
                } else {
                    let v0 = j;
                    while j < b.len() && !b[j].is_ascii_whitespace() && b[j] != b'>' {
                        j += 1;
                    }
                    out.push((tag.clone(), format!("{name}={}", &html[v0..j])));
                }
            } else {
                out.push((tag.clone(), name));
            }
        }
        out.push((tag, String::new()));
        i = j;
    }
    out
}

fn lint_page(path: &str, html: &str) {
    let attrs = attributes(html);
    let csp: Vec<&str> = attrs
        .iter()
        .filter(|(t, a)| {
            t == "meta" && a.starts_with("content=") && html.contains("Content-Security-Policy")
        })
        .map(|(_, a)| a.as_str())
        .filter(|a| a.contains("script-src"))
        .collect();
    assert_eq!(csp.len(), 1, "{path}: one CSP meta expected");
    let csp = csp[0];
    assert!(csp.contains("script-src 'self'"), "{path}: {csp}");
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
        "{path}: {csp}"
    );
    assert!(
        csp.contains("object-src 'none'") && csp.contains("base-uri 'none'"),
        "{path}: {csp}"
    );
    // Every <script> has a src (`attributes` ends each tag with an empty entry).
    let mut has_src = false;
    for (tag, a) in &attrs {
        if tag == "script" {
            if a.is_empty() {
                assert!(has_src, "{path}: <script> without src");
                has_src = false;
            } else {
                has_src |= a.starts_with("src=");
            }
        }
        let name = a.split('=').next().unwrap_or("");
        assert!(
            !(name.starts_with("on") && name.len() > 2),
            "{path}: event handler {a} on <{tag}>"
        );
        let value = a
            .split_once('=')
            .map_or("", |(_, v)| v)
            .trim()
            .to_ascii_lowercase();
        assert!(!value.starts_with("javascript:"), "{path}: {a}");
    }
    assert!(
        !html.to_ascii_lowercase().contains("javascript:"),
        "{path}: javascript: URL"
    );
}

#[test]
fn every_built_page_has_a_strict_csp_and_no_inline_script_or_handlers() {
    let p = Project::bundled();
    p.run(&["build"]).ok();
    let mut pages = 0;
    for (rel, (bytes, _)) in tree(&p.path("public")) {
        if rel.ends_with(".html") {
            lint_page(&rel, &String::from_utf8(bytes).expect("UTF-8 page"));
            pages += 1;
        }
    }
    assert!(pages >= 30, "only {pages} pages linted");
    // The linter itself catches what it must.
    for bad in [
        "<meta http-equiv=\"Content-Security-Policy\" content=\"script-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'\"><p>x</p>",
        "<meta http-equiv=\"Content-Security-Policy\" content=\"script-src 'self'; object-src 'none'; base-uri 'none'\"><script>alert(1)</script>",
        "<meta http-equiv=\"Content-Security-Policy\" content=\"script-src 'self'; object-src 'none'; base-uri 'none'\"><img src=x onerror=alert(1)>",
        "<meta http-equiv=\"Content-Security-Policy\" content=\"script-src 'self'; object-src 'none'; base-uri 'none'\"><a href=\"JavaScript:x\">a</a>",
    ] {
        let caught = std::panic::catch_unwind(|| lint_page("bad.html", bad)).is_err();
        assert!(caught, "lint missed: {bad}");
    }
}

/// Unescapes the entities Tera's HTML escaping produces.
fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&#x2F;", "/")
        .replace("&#47;", "/")
        .replace("&amp;", "&")
}

/// The JSON inside a payload script: `window.X=JSON;` or `GS.load('JSON-in-a-JS-string');`.
fn payload_json(js: &str) -> Option<serde_json::Value> {
    let js = js.trim_end().trim_end_matches(';');
    if let Some(rest) = js.strip_prefix("GS.load('") {
        let inner = rest.strip_suffix("')")?;
        let mut s = String::new();
        let mut it = inner.chars();
        while let Some(c) = it.next() {
            if c != '\\' {
                s.push(c);
                continue;
            }
            match it.next()? {
                'x' => {
                    let h: String = it.by_ref().take(2).collect();
                    s.push(char::from_u32(u32::from_str_radix(&h, 16).ok()?)?);
                }
                'u' => {
                    let h: String = it.by_ref().take(4).collect();
                    s.push(char::from_u32(u32::from_str_radix(&h, 16).ok()?)?);
                }
                other => s.push(other),
            }
        }
        return serde_json::from_str(&s).ok();
    }
    let (_, json) = js.split_once('=')?;
    serde_json::from_str(json).ok()
}

fn contains_string(v: &serde_json::Value, needle: &str) -> bool {
    match v {
        serde_json::Value::String(s) => s == needle,
        serde_json::Value::Array(a) => a.iter().any(|x| contains_string(x, needle)),
        serde_json::Value::Object(o) => o.values().any(|x| contains_string(x, needle)),
        _ => false,
    }
}

#[test]
fn a_hostile_title_is_text_in_html_and_intact_in_json_payloads() {
    let title = "</ScRiPt><script>alert(1)</script> <!-- \u{2028}行\u{2029}段 '\"&";
    let p = Project::empty("x5");
    let mut cfg = String::from("title: 测试\ndescription: d\nupdated: 2026-11-24\nnotice: n\nnav:\n  - title: 全部\n    chapters:\n");
    // More chapters than NAV_INLINE_MAX, so the nav ships as a separate JSON payload script.
    let n = guidesmith::site::NAV_INLINE_MAX + 1;
    for i in 0..n {
        cfg.push_str(&format!("      - chapters/c{i:03}.md\n"));
        let t = if i == 0 {
            format!(
                "\"{}\"",
                title
                    .replace('\\', "\\\\")
                    .replace('"', "\\\"")
                    .replace('\u{2028}', "\\u2028")
                    .replace('\u{2029}', "\\u2029")
            )
        } else {
            format!("第 {i} 章")
        };
        p.write(
            &format!("guide/chapters/c{i:03}.md"),
            format!("---\ntitle: {t}\ndescription: 说明\n---\n\n正文 {i}\n"),
        );
    }
    p.write("guide/guide.yaml", cfg);
    p.run(&["build"]).ok();
    let html = p.read("public/c000.html");
    lint_page("c000.html", &html);
    // The nav payload runs before the page script that draws the nav from it (deferred scripts
    // run in document order).
    let nav_at = html.find("static/nav.").expect("nav script");
    let js_at = html.find("static/guidesmith.").expect("page script");
    assert!(
        nav_at < js_at,
        "the nav payload must load before guidesmith.js"
    );
    assert!(!html.contains("</ScRiPt><script>"), "raw title in HTML");
    assert!(
        !html.contains("<!-- \u{2028}"),
        "raw comment opener in HTML"
    );
    let h1 = html
        .split("<h1>")
        .nth(1)
        .and_then(|s| s.split("</h1>").next())
        .expect("page has an h1");
    assert_eq!(unescape(h1), title, "h1 text differs");
    let t = html
        .split("<title>")
        .nth(1)
        .and_then(|s| s.split("</title>").next())
        .expect("page has a title");
    assert!(unescape(t).starts_with(title), "title element differs: {t}");

    // Data payloads are the scripts that only hand JSON to the page (`window.GSNav=…;`,
    // `GS.load('…');`); theme code (guidesmith.js, search.js, sw.js) is not data.
    let mut payloads = 0;
    for (rel, (bytes, _)) in tree(&p.path("public")) {
        let Ok(js) = String::from_utf8(bytes) else {
            continue;
        };
        if !rel.ends_with(".js") || !(js.starts_with("window.GS") || js.starts_with("GS.load(")) {
            continue;
        }
        let Some(v) = payload_json(&js) else {
            panic!("{rel}: payload is not JSON data")
        };
        if rel.contains("nav.") {
            assert!(contains_string(&v, title), "{rel}: title not intact");
            payloads += 1;
        } else if js.contains("alert(1)") {
            // Any other payload carrying the title (the search index) carries it intact.
            assert!(contains_string(&v, title), "{rel}: title not intact");
        }
    }
    assert_eq!(payloads, 1, "the nav payload script was not found");
}

/// X6 lint: no theme script builds DOM from strings (mdBook CVE-2020-26297 class).
#[test]
fn theme_scripts_never_inject_html_strings() {
    let dir = crate::harness::repo().join("themes/default/static");
    let mut scripts = 0;
    // static/*.js and the search engine's parts (static/search/*.js).
    let mut paths = Vec::new();
    for d in [dir.clone(), dir.join("search")] {
        for e in std::fs::read_dir(&d).expect("theme static dir") {
            paths.push(e.expect("entry").path());
        }
    }
    for path in paths {
        if path.extension().is_some_and(|x| x == "js") {
            let js = std::fs::read_to_string(&path).expect("read script");
            // Property accesses and calls (comments that say "no innerHTML" are fine).
            for sink in [
                ".innerHTML",
                ".outerHTML",
                ".insertAdjacentHTML",
                "document.write",
            ] {
                assert!(!js.contains(sink), "{}: uses {sink}", path.display());
            }
            scripts += 1;
        }
    }
    assert!(scripts >= 6, "theme scripts not found in {}", dir.display());
}

/// Every committed fuzz input (tests/fixtures/fuzz/markdown/) goes through the whole CLI:
/// no panic, and no `javascript:` or `on*=` in any attribute of the page.
#[test]
fn fuzz_regression_inputs_build_without_panics_or_live_attributes() {
    let dir = crate::harness::fixtures().join("fuzz/markdown");
    let mut n = 0;
    for e in std::fs::read_dir(&dir).expect("fuzz fixtures") {
        let path = e.expect("entry").path();
        let body = std::fs::read(&path).expect("read fixture");
        let text = [b"---\ntitle: t\ndescription: d\n---\n".as_slice(), &body].concat();
        let p = with_chapter("fuzz-md", text);
        if survives(&p, &[]).code == 0 {
            let html = p.read("public/c.html");
            for (tag, a) in attributes(&html) {
                let (name, value) = a.split_once('=').unwrap_or((a.as_str(), ""));
                assert!(
                    !(name.starts_with("on") && name.len() > 2),
                    "{}: handler on <{tag}>",
                    path.display()
                );
                assert!(
                    !value.trim().to_ascii_lowercase().starts_with("javascript:"),
                    "{}: {a} on <{tag}>",
                    path.display()
                );
            }
        }
        n += 1;
    }
    assert!(n >= 1, "no fuzz fixtures in {}", dir.display());
}

#[test]
fn yaml_many_documents_and_many_anchors_are_diagnostics_not_hangs() {
    // 1 500 YAML documents in one checklist file.
    let p = Project::empty("yaml-docs");
    small_guide(&p, "guide");
    let docs: String = (0..1500).map(|i| format!("---\nid: d{i}\n")).collect();
    p.write("guide/checklists/demo.yaml", docs);
    let r = survives(&p, &[]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("guide/checklists/demo.yaml"),
        "{}",
        &r.stderr[..r.stderr.len().min(2000)]
    );

    // 200 000 anchors (about 4 MB) in one front matter.
    let anchors: String = (0..200_000).map(|i| format!("  - &a{i} x\n")).collect();
    let p = with_chapter(
        "yaml-anchors",
        format!("---\ntitle: t\ndescription: d\nsummary:\n{anchors}---\n"),
    );
    let r = survives(&p, &[]);
    // Either accepted (anchors are legal) or refused with a located budget diagnostic.
    assert!(
        r.code == 0 || r.stderr.contains("guide/chapters/c.md"),
        "{}",
        &r.stderr[..r.stderr.len().min(2000)]
    );
}

#[test]
fn a_5_mb_checklist_and_a_1_mb_line_are_handled() {
    let p = Project::empty("big-checklist");
    small_guide(&p, "guide");
    let items: String = (0..60_000)
        .map(|i| format!("      - id: i{i}\n        check: 第 {i} 项\n"))
        .collect();
    p.write(
        "guide/checklists/demo.yaml",
        format!("id: demo\ntitle: 大清单\npurpose: 很大\nchapter: chapters/a.md\nsections:\n  - title: 一\n    items:\n{items}"),
    );
    assert!(
        std::fs::metadata(p.path("guide/checklists/demo.yaml"))
            .expect("written")
            .len()
            > 2_000_000
    );
    let r = survives(&p, &[]);
    // serde-saphyr's node budget refuses it, located in the file: not a crash or a hang.
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("YAML is too large"),
        "{}",
        &r.stderr[..r.stderr.len().min(2000)]
    );
    assert!(
        r.stderr.contains("guide/checklists/demo.yaml:"),
        "{}",
        &r.stderr[..r.stderr.len().min(2000)]
    );

    let line = "很长的一行。".repeat(60_000);
    let p = with_chapter(
        "long-line",
        format!("---\ntitle: t\ndescription: d\n---\n{line}\n"),
    );
    let r = survives(&p, &[]);
    assert_eq!(r.code, 0, "{}", &r.stderr[..r.stderr.len().min(2000)]);
}

#[test]
fn over_the_size_cap_is_a_diagnostic_naming_size_and_cap() {
    let p = with_chapter(
        "cap",
        format!(
            "---\ntitle: t\ndescription: d\n---\n{}\n",
            "字".repeat(400_000)
        ),
    );
    let r = survives(&p, &["--max-file-size", "1000000"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("over the 1000000 byte limit"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("--max-file-size"), "{}", r.stderr);
}

// ---------------------------------------------------------------------------------------------
// Bounded work and output on long lines; what is checked is what is published (issue 21).

/// Runs `check` with stderr read through a cap: a run that would print more than `cap` bytes
/// is stopped (so a regression fails the test instead of filling the memory of the machine).
fn check_capped(p: &Project, cap: usize) -> (Option<i32>, String) {
    use std::io::Read as _;
    let root = p.root.clone();
    hang_guard(120, move || {
        let mut child = std::process::Command::new(crate::harness::bin())
            .arg("check")
            .current_dir(&root)
            .env_remove("RUST_BACKTRACE")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("check runs");
        let mut err = Vec::new();
        let stream = child.stderr.take().expect("piped");
        let _ = stream.take(cap as u64 + 1).read_to_end(&mut err);
        if err.len() > cap {
            let _ = child.kill();
        }
        let status = child.wait().expect("wait");
        (status.code(), String::from_utf8_lossy(&err).into_owned())
    })
}

#[test]
fn thousands_of_broken_links_on_one_long_line_give_a_short_report() {
    // 4 000 broken links on one line of about 210 KB (the adversarial case was 10 000 on
    // 0.6 MB: gigabytes of stderr, one copy of the line per diagnostic).
    let links: String = (0..4000)
        .map(|i| format!("见[缺失的第 {i} 章](missing/page-{i:05}.md)，"))
        .collect();
    assert!(links.len() > 200_000);
    let p = with_chapter(
        "long-line-links",
        format!("---\ntitle: 第三章\ndescription: 说明\n---\n\n{links}\n"),
    );
    let (code, err) = check_capped(&p, 256 * 1024);
    assert_eq!(code, Some(1), "{}", &err[..err.len().min(2000)]);
    assert!(err.len() < 64 * 1024, "{} bytes of stderr", err.len());
    assert!(
        err.contains(
            "… and 3980 more errors like `link to missing chapter …` in guide/chapters/c.md"
        ),
        "{}",
        &err[..err.len().min(4000)]
    );
    assert!(err.ends_with("4000 error(s), 0 warning(s)\n"), "{err}");
    // Each shown line is a window around its link, cut with `...`, caret under the link.
    let shown: Vec<&str> = err.lines().filter(|l| l.starts_with("6 | ")).collect();
    assert_eq!(shown.len(), 20, "{err}");
    for l in &shown {
        assert!(l.chars().count() < 140, "{l}");
        assert!(l.starts_with("6 | ...") || l.starts_with("6 | 见"), "{l}");
        assert!(l.ends_with("..."), "{l}");
    }
    // The caret starts under the `[` of the diagnostic's own link, by display width.
    use unicode_width::UnicodeWidthStr as _;
    for block in err.split("error: ").filter(|b| b.contains("c.md:6:")) {
        let i: usize = block
            .split("page-")
            .nth(1)
            .and_then(|t| t.get(..5))
            .and_then(|n| n.parse().ok())
            .expect("message names the page");
        let mut lines = block.lines().skip_while(|l| !l.starts_with("6 | "));
        let src = &lines.next().expect("source line")[4..];
        let caret = &lines.next().expect("caret line")[4..];
        let at = src
            .find(&format!("[缺失的第 {i} 章]"))
            .unwrap_or_else(|| panic!("link {i} in its window: {src}"));
        assert_eq!(caret.find('^'), Some(src[..at].width()), "{src}\n{caret}");
    }
}

#[test]
fn a_quadratic_highlighting_input_is_shown_plain_with_a_located_warning() {
    // syntect's Markdown grammar took 51 s on this 180 KB line.
    let line = "*[".repeat(90_000);
    let p = with_chapter(
        "hl-quadratic",
        format!(
            "---\ntitle: 第三章\ndescription: 说明\n---\n\n正文。\n\n```markdown\n{line}\n```\n"
        ),
    );
    let r = survives(&p, &[]);
    assert_eq!(r.code, 0, "{}", &r.stderr[..r.stderr.len().min(2000)]);
    assert!(
        r.stderr
            .contains("warning: code block of 176 KiB is shown without highlighting"),
        "{}",
        &r.stderr[..r.stderr.len().min(2000)]
    );
    assert!(
        r.stderr.contains("--> guide/chapters/c.md:8:1"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.len() < 4000, "{} bytes", r.stderr.len());
    let page = p.read("public/c.html");
    assert!(page.contains("<code>*[*[*["), "plain escaped text");
}

#[test]
fn claims_hidden_by_escapes_entities_and_invisible_characters_are_still_forbidden() {
    let p = Project::empty("hygiene-published");
    small_guide(&p, "guide");
    let cfg = p.read("guide/guide.yaml")
        + "forbidden:\n  - text: 15% 滞纳金\n    reason: 条例规定的是每日 3‰ 违约金\n";
    p.write("guide/guide.yaml", cfg);
    // Each line renders "15% 滞纳金" on the page (line 8 onwards).
    let variants = [
        "一 15\\% 滞纳金。",
        "二 15&#37; 滞纳金。",
        "三 1\u{200B}5% 滞纳金。",
        "四 15\u{AD}% 滞纳金。",
        "五 15<!-- 注 -->% 滞纳金。",
        "六 15<sub></sub>% 滞纳金。",
    ];
    p.write(
        "guide/chapters/b.md",
        format!(
            "---\ntitle: 第二章\ndescription: 第二章说明\n---\n\n## 花费\n\n{}\n",
            variants.join("\n\n")
        ),
    );
    let r = p.run(&["check"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    for (i, _) in variants.iter().enumerate() {
        let at = format!("guide/chapters/b.md:{}:3", 8 + 2 * i);
        assert!(r.stderr.contains(&at), "missing {at}\n{}", r.stderr);
    }
    assert_eq!(
        r.stderr.matches("forbidden claim").count(),
        variants.len(),
        "{}",
        r.stderr
    );
    let b = p.run(&["build"]);
    assert_eq!(b.code, 1, "{}", b.stderr);
}

#[test]
fn angle_bracket_link_destinations_keep_their_spaces() {
    let p = Project::empty("spaces-in-links");
    small_guide(&p, "guide");
    add_to_nav(&p, "chapters/prepare/有 空格.md");
    p.write(
        "guide/chapters/prepare/有 空格.md",
        "---\ntitle: 有空格\ndescription: 说明\n---\n\n## 小 节\n\n正文。\n",
    );
    p.write(
        "guide/chapters/b.md",
        "---\ntitle: 第二章\ndescription: 第二章说明\n---\n\n## 花费\n\n见[有空格](<prepare/有 空格.md>)和[小节](<prepare/有 空格.md#小-节>)。\n",
    );
    passes(&p);
    p.run(&["build"]).ok();
    assert!(p.path("public/prepare/有 空格.html").is_file());
    let b = p.read("public/b.html");
    assert!(
        b.contains("href=\"prepare/%E6%9C%89%20%E7%A9%BA%E6%A0%BC.html\""),
        "{b}"
    );
}

#[test]
fn a_chapter_twenty_folders_deep_is_found_built_and_linkable() {
    let p = Project::empty("deep");
    small_guide(&p, "guide");
    let dir: String = (1..=20).map(|i| format!("d{i}/")).collect();
    let rel = format!("chapters/{dir}deep.md");
    add_to_nav(&p, &rel);
    let up = "../".repeat(20);
    p.write(
        &format!("guide/{rel}"),
        format!(
            "---\ntitle: 很深\ndescription: 二十层\n---\n\n## 深处\n\n回到[第一章]({up}a.md)。\n"
        ),
    );
    p.write(
        "guide/chapters/b.md",
        format!("---\ntitle: 第二章\ndescription: 第二章说明\n---\n\n## 花费\n\n见[深处]({dir}deep.md#深处)。\n"),
    );
    passes(&p);
    p.run(&["build"]).ok();
    assert!(p.path(&format!("public/{dir}deep.html")).is_file());
    let page = p.read(&format!("public/{dir}deep.html"));
    assert!(page.contains(&format!("href=\"{up}a.html\"")), "{page}");
}
