//! Sharing, installing and printing (issue 23), from the built files: Open Graph tags (escaped),
//! canonical URLs and QR codes only with a base URL, no relative sitemap, the manifest's theme
//! colour, the 404 page's per-folder helpers, the whole-guide print page, and chapters that do
//! not list a checklist twice.

use crate::harness::*;

const BASE: &str = "https://example.org/guide/";

#[test]
fn without_a_base_url_there_is_no_sitemap_and_the_404_page_finds_its_root_by_folder() {
    let p = Project::fixture("basic");
    p.run(&["build"]).ok();
    assert!(
        !p.path("public/sitemap.xml").exists(),
        "a sitemap needs absolute URLs"
    );
    let nf = p.read("public/404.html");
    assert!(
        nf.contains("<script src=\"404.js\" data-css=\"static/style."),
        "{nf}"
    );
    assert!(
        !nf.contains("rel=\"stylesheet\""),
        "the helper adds the stylesheet"
    );
    assert!(p.read("public/404.js").contains("var root = \"\";"));
    assert!(p.read("public/part/404.js").contains("var root = \"../\";"));
    assert!(p
        .read("public/checklists/404.js")
        .contains("var root = \"../\";"));
    assert!(
        !p.path("public/static/404.js").exists(),
        "only folders with pages"
    );

    let a = p.read("public/a.html");
    for tag in [
        "<meta property=\"og:type\" content=\"article\">",
        "<meta property=\"og:title\" content=\"第一章：话费\">",
        "<meta property=\"og:description\" content=\"关于话费的一章\">",
        "<meta property=\"og:site_name\" content=\"测试指南\">",
        "<meta property=\"og:locale\" content=\"zh_CN\">",
        "<meta name=\"twitter:card\" content=\"summary\">",
    ] {
        assert!(a.contains(tag), "{tag}");
    }
    assert!(!a.contains("og:url") && !a.contains("rel=\"canonical\""));
    // The manifest link is added by the page script over http(s) only (file:// refuses it).
    assert!(!a.contains("rel=\"manifest\""));
    assert!(a.contains("data-manifest=\"static/manifest.webmanifest\""));
    // The manifest's theme colour is the page's (light) theme colour.
    let m: serde_json::Value =
        serde_json::from_str(&p.read("public/static/manifest.webmanifest")).expect("json");
    let colour = m["theme_color"].as_str().unwrap_or_default();
    assert!(
        a.contains(&format!(
            "<meta name=\"theme-color\" content=\"{colour}\" media=\"(prefers-color-scheme: light)\">"
        )),
        "manifest theme_color {colour} differs from the page's"
    );
    // Checklists print neither a URL nor a QR code.
    let c = p.read("public/checklists/demo.html");
    assert!(!c.contains("print-qr") && !c.contains("print-url") && !c.contains("data-path"));
}

#[test]
fn with_a_base_url_pages_carry_their_canonical_url_and_checklists_a_qr_code() {
    let p = Project::fixture("basic");
    p.run(&["build", "--base-url", BASE]).ok();
    let sm = p.read("public/sitemap.xml");
    assert!(
        sm.contains("<loc>https://example.org/guide/a.html</loc>"),
        "{sm}"
    );
    assert!(!p.path("public/404.js").exists());
    let a = p.read("public/a.html");
    assert!(a.contains("<meta property=\"og:url\" content=\"https://example.org/guide/a.html\">"));
    assert!(a.contains("<link rel=\"canonical\" href=\"https://example.org/guide/a.html\">"));
    let c = p.read("public/checklists/demo.html");
    assert!(
        c.contains("<svg class=\"print-qr\" aria-hidden=\"true\""),
        "{c}"
    );
    assert!(c.contains(
        "在线版：<span class=\"print-url\">https://example.org/guide/checklists/demo.html</span>"
    ));
    let all = p.read("public/checklists/all.html");
    assert_eq!(all.matches("<svg class=\"print-qr\"").count(), 1);
    let nf = p.read("public/404.html");
    assert!(
        nf.contains("href=\"https://example.org/guide/static/style."),
        "absolute assets"
    );
    assert!(!nf.contains("og:url"));
}

#[test]
fn open_graph_values_from_front_matter_are_escaped() {
    let p = Project::fixture("basic");
    let a = p.read("guide/chapters/a.md").replace(
        "title: 第一章：话费",
        "title: '话费 \"><script>alert(1)</script>'",
    );
    p.write("guide/chapters/a.md", a);
    p.run(&["build"]).ok();
    let html = p.read("public/a.html");
    assert!(!html.contains("<script>alert"), "raw front matter in HTML");
    assert!(html.contains(
        "<meta property=\"og:title\" content=\"话费 &quot;&gt;&lt;script&gt;alert(1)&lt;&#x2F;script&gt;\">"
    ) || html.contains("<meta property=\"og:title\" content=\"话费 &quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;\">"), "{html}");
}

#[test]
fn a_chapter_lists_only_the_checklists_its_body_does_not_already_link() {
    let p = Project::fixture("basic");
    // b.md links the demo checklist in its text; naming it in front matter adds no box.
    let b = p.read("guide/chapters/part/b.md").replace(
        "updated: 2026-10-01",
        "updated: 2026-10-01\nchecklists: [demo]",
    );
    p.write("guide/chapters/part/b.md", b);
    p.run(&["build"]).ok();
    assert!(p
        .read("public/a.html")
        .contains("class=\"related-checklists\""));
    assert!(!p
        .read("public/part/b.html")
        .contains("class=\"related-checklists\""));
}

#[test]
fn the_print_page_holds_every_chapter_with_its_own_ids_and_links_into_itself() {
    let p = Project::fixture("basic");
    p.run(&["build"]).ok();
    let html = p.read("public/print.html");
    assert!(html.contains("<section class=\"print-chapter\" id=\"c0\""));
    assert!(html.contains("<section class=\"print-chapter\" id=\"c1\""));
    assert!(
        html.contains("<h2 id=\"c0-话费\">"),
        "ids prefixed per chapter"
    );
    // a.md → part/b.md#花费, b.md → ../a.md#话费: links into this page.
    assert!(
        html.contains("href=\"#c1-%E8%8A%B1%E8%B4%B9\"") || html.contains("href=\"#c1-花费\""),
        "{html}"
    );
    assert!(html.contains("href=\"#c0-%E8%AF%9D%E8%B4%B9\"") || html.contains("href=\"#c0-话费\""));
    // Other relative URLs are rebased on the root.
    assert!(html.contains("src=\"assets/pic.svg\""));
    assert!(html.contains("href=\"checklists/demo.html\""));
    // Linked from the home page and every chapter.
    assert!(p.read("public/index.html").contains("href=\"print.html\""));
    assert!(p
        .read("public/part/b.html")
        .contains("href=\"../print.html\""));
}

/// Width and height of a PNG, from its IHDR chunk.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "a PNG signature");
    let be = |i: usize| u32::from_be_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    (be(16), be(20))
}

#[test]
fn the_touch_icon_and_share_image_ship_as_png_and_og_image_needs_a_base_url() {
    let p = Project::fixture("basic");
    p.run(&["build"]).ok();
    let png = |rel: &str| std::fs::read(p.path(rel)).expect(rel);
    assert_eq!(
        png_size(&png("public/static/apple-touch-icon.png")),
        (180, 180)
    );
    assert_eq!(png_size(&png("public/static/share.png")), (1200, 630));
    let a = p.read("public/part/b.html");
    assert!(
        a.contains("<link rel=\"apple-touch-icon\" href=\"../static/apple-touch-icon.png\">"),
        "{a}"
    );
    // og:image must be absolute: without a base URL there is none.
    assert!(!a.contains("og:image") && a.contains("content=\"summary\""));
    // The 404 page's helper adds the touch icon from the site root it finds.
    let nf = p.read("public/404.html");
    assert!(
        nf.contains("data-touch-icon=\"static/apple-touch-icon.png\""),
        "{nf}"
    );
    // The manifest lists the PNG beside the SVG, and the service worker precaches both.
    let m: serde_json::Value =
        serde_json::from_str(&p.read("public/static/manifest.webmanifest")).expect("json");
    let icons: Vec<&str> = m["icons"]
        .as_array()
        .expect("icons")
        .iter()
        .filter_map(|i| i["src"].as_str())
        .collect();
    assert_eq!(icons, ["icon.svg", "apple-touch-icon.png"]);
    let sw = p.read("public/sw.js");
    assert!(sw.contains("\"static/apple-touch-icon.png\"") && sw.contains("\"static/share.png\""));

    p.run(&["build", "--base-url", BASE]).ok();
    let a = p.read("public/part/b.html");
    for tag in [
        "<meta property=\"og:image\" content=\"https://example.org/guide/static/share.png\">",
        "<meta property=\"og:image:width\" content=\"1200\">",
        "<meta property=\"og:image:height\" content=\"630\">",
        "<meta name=\"twitter:card\" content=\"summary_large_image\">",
        "<link rel=\"apple-touch-icon\" href=\"../static/apple-touch-icon.png\">",
    ] {
        assert!(a.contains(tag), "{tag}\n{a}");
    }
    let nf = p.read("public/404.html");
    assert!(nf.contains(
        "<link rel=\"apple-touch-icon\" href=\"https://example.org/guide/static/apple-touch-icon.png\">"
    ));
}
