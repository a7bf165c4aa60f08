//! Unit tests of the raw-HTML sanitiser, with a host that records what it is asked.

use super::*;

#[derive(Default)]
struct Rec {
    urls: Vec<(String, bool)>,
    anchors: Vec<String>,
    errors: Vec<String>,
    warnings: Vec<String>,
}

impl Host for Rec {
    fn url(&mut self, value: &str, image: bool, _at: Span) -> String {
        self.urls.push((value.to_owned(), image));
        if value.to_ascii_lowercase().contains("script:") {
            self.errors.push(format!("scheme {value}"));
            return "#".into();
        }
        value.to_owned()
    }
    fn anchor(&mut self, id: &str, _at: Span) -> bool {
        self.anchors.push(id.to_owned());
        id != "main"
    }
    fn error(&mut self, _at: Span, message: String, _help: &str) {
        self.errors.push(message);
    }
    fn warning(&mut self, _at: Span, message: String, _help: &str) {
        self.warnings.push(message);
    }
    fn missing_alt(&mut self, _at: Span, _help: &str) {
        self.errors.push("image without alt text".into());
    }
}

/// Feeds each string as one event (`block` lines) and finishes the page.
fn run(policy: HtmlPolicy, events: &[&str], block: bool) -> (String, Rec) {
    let mut s = Sanitizer::new(policy);
    let mut host = Rec::default();
    let mut out = String::new();
    for (i, e) in events.iter().enumerate() {
        s.feed(e, Ok(i * 100), block, &mut out, &mut host);
    }
    s.finish(&mut out, &mut host);
    (out, host)
}

fn safe(html: &str) -> (String, Rec) {
    run(HtmlPolicy::Safe, &html.lines().collect::<Vec<_>>(), true)
}

#[test]
fn a_comment_over_several_lines_of_a_block_is_dropped_without_errors() {
    let (out, h) = safe("<!--\n第一行 <b>\n  <script>x</script>\n-->\n<kbd>K</kbd>");
    assert_eq!(out, "<kbd>K</kbd>");
    assert!(
        h.errors.is_empty() && h.warnings.is_empty(),
        "{:?}",
        h.errors
    );
    let (out, h) = safe("<!-- one --> 文 <!-->空<!--->");
    assert_eq!(out, " 文 空");
    assert!(h.errors.is_empty());
}

#[test]
fn documentation_html_is_kept_and_written_canonically() {
    let (out, h) = safe(
        "<details open>\n<SUMMARY class=\"x y\">点击展开</SUMMARY>\n\
         <ruby>汉<rp>(</rp><rt>hàn</rt><rp>)</rp></ruby>\n\
         <figure><img src='a.svg' alt=\"图 &amp; 说明\" width=320 height=\"50%\"><figcaption>说明</figcaption></figure>\n\
         <span id=\"anchor\"></span><a name=n2></a><sup>1</sup><code>Vec&lt;T&gt;</code><em>强调</em>\n</details>",
    );
    assert!(
        h.errors.is_empty() && h.warnings.is_empty(),
        "{:?} {:?}",
        h.errors,
        h.warnings
    );
    for want in [
        "<details open=\"\">",
        "<summary class=\"x y\">点击展开</summary>",
        "<ruby>汉<rp>(</rp><rt>hàn</rt><rp>)</rp></ruby>",
        "<img src=\"a.svg\" alt=\"图 &amp; 说明\" width=\"320\" height=\"50%\">",
        "<span id=\"anchor\"></span><a name=\"n2\"></a>",
        "<code>Vec&lt;T&gt;</code><em>强调</em>",
        "</details>",
    ] {
        assert!(out.contains(want), "missing {want}\n{out}");
    }
    assert_eq!(h.anchors, ["anchor", "n2"]);
    assert_eq!(h.urls, [("a.svg".to_owned(), true)]);
}

#[test]
fn a_tag_split_over_lines_of_a_block_is_joined() {
    let (out, h) =
        safe("<img alt=\"两张表\"\nsrc=\"img/t.svg\" class=\"center\" style=\"width: 50%;\" />");
    assert_eq!(
        out,
        "<img alt=\"两张表\" src=\"img/t.svg\" class=\"center\" width=\"50%\">"
    );
    assert!(
        h.errors.is_empty() && h.warnings.is_empty(),
        "{:?}",
        h.warnings
    );
}

#[test]
fn scripts_styles_handlers_and_unsafe_urls_are_errors_and_never_written() {
    for (html, needle) in [
        ("<script>alert(1)</script>", "not allowed"),
        ("<style>p{}</style>", "not allowed"),
        ("<iframe src=\"https://x\"></iframe>", "not allowed"),
        ("<b onclick=\"alert(1)\">字</b>", "event handler"),
        ("<img src=x alt=a ONERROR=alert(1)>", "event handler"),
        ("<a href=\"java&Tab;script&colon;alert(1)\">x</a>", "scheme"),
        ("<a href=\"&#106;avascript:alert(1)\">x</a>", "scheme"),
        ("<!DOCTYPE html>", "not allowed"),
        ("<img src=\"a.png\">", "alt text"),
    ] {
        let (out, h) = safe(html);
        assert!(
            h.errors.iter().any(|e| e.contains(needle)),
            "{html}: {:?}",
            h.errors
        );
        let lower = out.to_ascii_lowercase();
        assert!(
            !lower.contains("<script")
                && !lower.contains("<style")
                && !lower.contains("<iframe")
                && !lower.contains("onclick")
                && !lower.contains("onerror")
                && !lower.contains("javascript"),
            "{html} → {out}"
        );
    }
}

#[test]
fn attribute_values_are_escaped_and_unknown_attributes_dropped() {
    let (out, h) = safe("<span title='a\"><script>' data-x=1 style=\"color:red\">t</span>");
    assert_eq!(out, "<span title=\"a&quot;&gt;&lt;script&gt;\">t</span>");
    assert_eq!(h.warnings.len(), 2, "{:?}", h.warnings);
}

#[test]
fn text_keeps_character_references_and_escapes_the_rest() {
    let (out, _) = safe("<p>a &lt; b &amp;&amp; c & d &#x4E2D; &nbsp;\"</p>");
    assert_eq!(
        out,
        "<p>a &lt; b &amp;&amp; c &amp; d &#x4E2D; &nbsp;&quot;</p>"
    );
}

#[test]
fn types_outside_backticks_are_shown_as_text_with_a_warning() {
    let (out, h) = run(HtmlPolicy::Safe, &["<T>", "</T>", "<String>"], false);
    assert_eq!(out, "&lt;T&gt;&lt;/T&gt;&lt;String&gt;");
    assert_eq!(h.warnings.len(), 3);
    assert!(h.errors.is_empty());
}

#[test]
fn open_elements_are_closed_at_the_end_and_stray_end_tags_dropped() {
    let (out, h) = run(HtmlPolicy::Safe, &["<details>", "<p>", "</span>"], true);
    assert_eq!(out, "<details><p></p></details>");
    // `<details>` never closed, `</span>` closes nothing; `<p>` may be left open.
    assert_eq!(h.warnings.len(), 2, "{:?}", h.warnings);
    let (out, _) = run(HtmlPolicy::Safe, &["<div><span>", "</div>"], true);
    assert_eq!(out, "<div><span></span></div>");
}

#[test]
fn strict_policy_allows_only_attribute_free_inline_tags() {
    let (out, h) = run(HtmlPolicy::Strict, &["<kbd>", "</kbd>", "<br/>"], false);
    assert_eq!(out, "<kbd></kbd><br>");
    assert!(h.errors.is_empty());
    let (_, h) = run(HtmlPolicy::Strict, &["<details>", "<kbd class=k>"], false);
    assert_eq!(h.errors.len(), 2, "{:?}", h.errors);
}

#[test]
fn decode_handles_numeric_and_scheme_hiding_references() {
    assert_eq!(decode("&#106;ava&#x73;cript&colon;"), "javascript:");
    assert_eq!(decode("a&amp;b&unknown;c&#0;"), "a&b&unknown;c\u{fffd}");
    assert_eq!(decode("&#106"), "j");
}
