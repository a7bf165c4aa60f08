//! Reading on a phone and a desktop (issue 23): nothing shown twice, section permalinks that
//! copy, a contents list and back-to-top below 1,280 px, copyable phone phrases, the diagram
//! sized, lazy, zoomable and dark, and the call log as cards on a phone.

use headless_chrome::protocol::cdp::Emulation;
use headless_chrome::Tab;

use crate::*;

/// Replaces the clipboard API with a recorder (`window.__copied`), or removes it (`None`), as
/// from a page where the browser does not offer it.
fn clipboard(tab: &Tab, works: bool) -> R {
    let js = if works {
        "window.__copied = null; Object.defineProperty(navigator, 'clipboard', { configurable: true, value: { writeText: function (t) { window.__copied = t; return Promise.resolve(); } } })"
    } else {
        "window.__copied = null; Object.defineProperty(navigator, 'clipboard', { configurable: true, value: undefined }); document.execCommand = function () { return false; }"
    };
    eval(tab, js)?;
    Ok(())
}

fn wait_true(tab: &Tab, js: &str, what: &str) -> R {
    for _ in 0..300 {
        if eval(tab, js)? == serde_json::Value::Bool(true) {
            return Ok(());
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    Err(format!("timed out waiting for {what}").into())
}

#[test]
fn the_home_page_lists_checklists_and_the_notice_once_and_chapters_do_not_repeat_checklists() {
    with_browser(|b| {
        let tab = tab(b)?;
        open(&tab, &file_url("index.html"))?;
        let facts = eval_json(
            &tab,
            r#"(function () {
                var ids = ['appeal', 'before-call', 'call-log', 'complaint-letter', 'evidence', 'shop-visit'];
                var lists = Array.from(document.querySelectorAll('ul, ol')).filter(function (l) {
                    var hrefs = Array.from(l.querySelectorAll('a')).map(function (a) { return a.href; });
                    return ids.every(function (id) { return hrefs.some(function (h) { return h.endsWith('checklists/' + id + '.html'); }); });
                });
                var text = document.body.innerText;
                return { lists: lists.length, notice: text.split('不构成法律意见').length - 1,
                         print: document.querySelectorAll('main a[href="print.html"]').length };
            })()"#,
        )?;
        assert_eq!(facts["lists"], 1, "one list of every checklist (the nav)");
        assert_eq!(facts["notice"], 1, "the not-legal-advice notice once");
        assert_eq!(facts["print"], 1, "the whole-guide print is linked");

        // A scenario page gathers its checklists in its own "相关清单" section: no second box.
        // A chapter that embeds or links every checklist it uses has no box either.
        for page in [
            "scenarios/unknown-charges.html",
            "escalate/regulator.html",
            "service/record.html",
        ] {
            open(&tab, &file_url(page))?;
            let repeated = eval_json(
                &tab,
                r#"(function () {
                    var box = document.querySelector('.related-checklists');
                    if (!box) return [];
                    var body = Array.from(document.querySelectorAll('article.chapter a')).filter(function (a) { return !box.contains(a); });
                    return Array.from(box.querySelectorAll('a')).map(function (a) { return a.href; })
                        .filter(function (h) { return body.some(function (a) { return a.href === h; }); });
                })()"#,
            )?;
            assert_eq!(repeated, serde_json::json!([]), "{page} repeats checklists");
        }
        open(&tab, &file_url("scenarios/unknown-charges.html"))?;
        assert_eq!(
            eval(
                &tab,
                "document.querySelectorAll('.related-checklists').length"
            )?,
            serde_json::json!(0)
        );

        // Each kind of callout looks different from the others, in light and in dark.
        for theme in ["light", "dark"] {
            let styles = eval_json(
                &tab,
                &format!(
                    r#"(function () {{
                    document.documentElement.setAttribute('data-theme', '{theme}');
                    return ['note', 'tip', 'important', 'warning', 'caution'].map(function (k) {{
                        var a = document.createElement('aside');
                        a.className = 'callout callout-' + k;
                        document.querySelector('article').appendChild(a);
                        var s = getComputedStyle(a);
                        var v = s.borderLeftColor + '|' + s.backgroundColor;
                        a.remove();
                        return v;
                    }});
                }})()"#
                ),
            )?;
            let list: Vec<&str> = styles
                .as_array()
                .ok_or("styles")?
                .iter()
                .filter_map(|v| v.as_str())
                .collect();
            let distinct: std::collections::BTreeSet<&&str> = list.iter().collect();
            assert_eq!(distinct.len(), 5, "{theme}: callouts {list:?}");
        }
        assert_no_problems(&tab, "home and chapters")
    });
}

#[test]
fn every_section_heading_has_a_permalink_that_copies_its_url() {
    with_browser(|b| {
        let tab = tab(b)?;
        phone(&tab)?;
        open(&tab, &file_url("escalate/regulator.html"))?;
        let missing = eval_json(
            &tab,
            r#"Array.from(document.querySelectorAll('article.chapter :is(h2, h3, h4)[id]'))
                .filter(function (h) { return !h.closest('.checklist, .summary, .related-checklists'); })
                .filter(function (h) {
                    var a = h.querySelector('a.h-anchor');
                    return !a || a.getAttribute('href') !== '#' + h.id;
                }).map(function (h) { return h.id; })"#,
        )?;
        assert_eq!(
            missing,
            serde_json::json!([]),
            "headings without a permalink"
        );
        let n = eval(&tab, "document.querySelectorAll('a.h-anchor').length")?;
        assert!(n.as_u64().unwrap_or(0) >= 8, "{n}");

        // With the clipboard API: the section's URL is copied and shown in the address bar.
        clipboard(&tab, true)?;
        let a = "document.querySelectorAll('a.h-anchor')[1]";
        eval(&tab, &format!("{a}.click()"))?;
        wait_true(&tab, "window.__copied !== null", "the copy")?;
        let copied = eval_str(&tab, "window.__copied")?;
        let here = eval_str(&tab, "location.href")?;
        assert_eq!(copied, here, "the copied URL is the section's");
        let id = eval_str(&tab, &format!("{a}.parentNode.id"))?;
        assert_eq!(
            eval_str(&tab, "decodeURIComponent(location.hash.slice(1))")?,
            id
        );
        wait_true(
            &tab,
            "document.querySelector('.gs-toast.show') !== null",
            "the toast",
        )?;

        // Without it (as from file:// on some browsers): the URL is shown selected to copy.
        clipboard(&tab, false)?;
        eval(&tab, "document.querySelectorAll('a.h-anchor')[2].click()")?;
        wait_true(
            &tab,
            "document.activeElement && document.activeElement.closest('.gs-toast') !== null",
            "the fallback field",
        )?;
        let field = eval_json(
            &tab,
            "(function (f) { return { v: f.value, s: f.selectionStart, e: f.selectionEnd }; })(document.activeElement)",
        )?;
        let v = field["v"].as_str().unwrap_or_default();
        assert!(v.starts_with("file://") && v.contains('#'), "{field}");
        assert_eq!(field["s"], 0);
        assert_eq!(field["e"].as_u64(), Some(v.encode_utf16().count() as u64));
        assert_no_problems(&tab, "permalinks")
    });
}

#[test]
fn below_1280_px_a_chapter_has_a_contents_list_and_back_to_top() {
    with_browser(|b| {
        let tab = tab(b)?;
        phone(&tab)?;
        let url = file_url("escalate/regulator.html");
        open(&tab, &url)?;
        let facts = eval_json(
            &tab,
            r#"(function () {
                var d = document.querySelector('details.toc-inline');
                var aside = Array.from(document.querySelectorAll('aside.toc a')).map(function (a) { return a.getAttribute('href'); });
                return { shown: !!d && getComputedStyle(d).display !== 'none',
                         top: d ? d.getBoundingClientRect().top : 1e9,
                         links: d ? Array.from(d.querySelectorAll('a')).map(function (a) { return a.getAttribute('href'); }) : [],
                         aside: aside,
                         asideShown: getComputedStyle(document.querySelector('aside.toc')).display !== 'none' };
            })()"#,
        )?;
        assert_eq!(facts["shown"], true, "本页内容 on a phone");
        assert!(
            facts["top"].as_f64().unwrap_or(1e9) < 844.0,
            "at the top: {facts}"
        );
        assert_eq!(
            facts["links"], facts["aside"],
            "same entries as the wide TOC"
        );
        assert_eq!(facts["asideShown"], false);
        // Choosing an entry goes to the section and closes the list.
        eval(
            &tab,
            "document.querySelector('details.toc-inline').open = true",
        )?;
        eval(
            &tab,
            "document.querySelectorAll('details.toc-inline a')[3].click()",
        )?;
        assert_eq!(
            eval(&tab, "document.querySelector('details.toc-inline').open")?,
            false
        );
        assert!(eval(&tab, "window.scrollY")?.as_f64().unwrap_or(0.0) > 500.0);

        // Back to top: hidden at the top, shown once scrolled, a real link to the content.
        eval(&tab, "window.scrollTo(0, 0)")?;
        wait_true(&tab, "!document.body.classList.contains('scrolled')", "top")?;
        let top_link = "document.querySelector('.to-top a')";
        assert_eq!(
            eval_str(&tab, &format!("getComputedStyle({top_link}).visibility"))?,
            "hidden"
        );
        eval(&tab, "window.scrollTo(0, 4000)")?;
        wait_true(
            &tab,
            "document.body.classList.contains('scrolled')",
            "scrolled",
        )?;
        let shown = eval_json(
            &tab,
            &format!("(function (a) {{ var r = a.getBoundingClientRect(); return {{ v: getComputedStyle(a).visibility, bottom: r.bottom, href: a.getAttribute('href') }}; }})({top_link})"),
        )?;
        assert_eq!(shown["v"], "visible", "{shown}");
        assert!(
            shown["bottom"].as_f64().unwrap_or(1e9) <= 844.0,
            "in view: {shown}"
        );
        assert_eq!(shown["href"], "#main");
        eval(&tab, &format!("{top_link}.click()"))?;
        wait_true(&tab, "window.scrollY < 100", "back at the top")?;

        // From 1,280 px the aside TOC takes over.
        viewport(&tab, 1366, 900, 1.0, false)?;
        open(&tab, &url)?;
        let wide = eval_json(
            &tab,
            "[getComputedStyle(document.querySelector('details.toc-inline')).display, getComputedStyle(document.querySelector('aside.toc')).display, getComputedStyle(document.querySelector('.to-top')).display]",
        )?;
        assert_eq!(wide, serde_json::json!(["none", "block", "none"]));
        assert_no_problems(&tab, "contents and back to top")
    });
}

#[test]
fn every_phone_phrase_box_has_a_copy_button_with_a_fallback() {
    with_browser(|b| {
        let tab = tab(b)?;
        open(&tab, &file_url("service/explain.html"))?;
        let counts = eval_json(
            &tab,
            "[document.querySelectorAll('aside.say').length, document.querySelectorAll('aside.say > button.say-copy').length]",
        )?;
        assert!(counts[0].as_u64().unwrap_or(0) >= 1, "{counts}");
        assert_eq!(counts[0], counts[1], "a button on every 话术 box");
        let expected = eval_str(
            &tab,
            "Array.from(document.querySelectorAll('aside.say')[0].querySelectorAll('p:not(.say-title)')).map(function (p) { return p.textContent; }).join('\\n')",
        )?;
        assert!(!expected.is_empty());

        clipboard(&tab, true)?;
        eval(&tab, "document.querySelector('button.say-copy').click()")?;
        wait_true(&tab, "window.__copied !== null", "the copy")?;
        assert_eq!(eval_str(&tab, "window.__copied")?, expected);
        assert_eq!(
            eval_str(
                &tab,
                "document.querySelector('button.say-copy').textContent"
            )?,
            "已复制"
        );

        // No clipboard API: the phrase itself is selected for the reader to copy.
        clipboard(&tab, false)?;
        eval(
            &tab,
            "getSelection().removeAllRanges(); document.querySelector('button.say-copy').click()",
        )?;
        wait_true(
            &tab,
            "getSelection().toString().length > 0",
            "the selection",
        )?;
        let selected = eval_str(&tab, "getSelection().toString()")?;
        let squash = |s: &str| s.split_whitespace().collect::<String>();
        assert_eq!(squash(&selected), squash(&expected));
        assert_eq!(
            eval_str(
                &tab,
                "document.querySelector('button.say-copy').textContent"
            )?,
            "已选中"
        );
        assert_no_problems(&tab, "phrase copy")
    });
}

#[test]
fn the_diagram_is_sized_lazy_opens_full_size_and_has_a_dark_rendering() {
    with_browser(|b| {
        let tab = tab(b)?;
        phone(&tab)?;
        open(&tab, &file_url("escalate/regulator.html"))?;
        let img = "document.querySelector('a.figure-zoom > img')";
        let facts = eval_json(
            &tab,
            &format!("(function (i) {{ var r = i.getBoundingClientRect(); return {{ w: i.getAttribute('width'), h: i.getAttribute('height'), lazy: i.loading, rw: r.width, rh: r.height, href: i.parentNode.getAttribute('href') }}; }})({img})"),
        )?;
        assert_eq!(facts["w"], "720");
        assert_eq!(facts["h"], "1040");
        assert_eq!(facts["lazy"], "lazy");
        assert_eq!(facts["href"], "../assets/escalation-path.svg");
        // Its box has the image's proportions before it loads: no layout shift.
        let (rw, rh) = (
            facts["rw"].as_f64().unwrap_or(0.0),
            facts["rh"].as_f64().unwrap_or(0.0),
        );
        assert!(
            rw > 300.0 && (rh - rw * 1040.0 / 720.0).abs() < 2.0,
            "{facts}"
        );

        // A tap opens it full size: the smallest text (15 px in the SVG) is at least 12 px.
        eval(
            &tab,
            &format!("{img}.scrollIntoView(); {img}.parentNode.click()"),
        )?;
        wait_true(
            &tab,
            "!!document.querySelector('dialog.gs-zoom[open] img') && document.querySelector('dialog.gs-zoom img').complete",
            "the full-size view",
        )?;
        let zoom = eval_json(
            &tab,
            "(function (i) { return { w: i.getBoundingClientRect().width, src: i.getAttribute('src') }; })(document.querySelector('dialog.gs-zoom img'))",
        )?;
        let scale = zoom["w"].as_f64().unwrap_or(0.0) / 720.0;
        assert!(
            15.0 * scale >= 12.0,
            "text at {:.1} px: {zoom}",
            15.0 * scale
        );
        tab.press_key("Escape")?;
        assert_eq!(
            eval(&tab, "document.querySelector('dialog.gs-zoom').open")?,
            false
        );

        // Dark mode: the white diagram is shown inverted, not as a bright block.
        let filter = |theme: &str| {
            eval_str(
                &tab,
                &format!("document.documentElement.setAttribute('data-theme', '{theme}'); getComputedStyle({img}).filter"),
            )
        };
        assert!(filter("dark")?.contains("invert"), "dark rendering");
        assert_eq!(filter("light")?, "none");
        assert_no_problems(&tab, "diagram")
    });
}

#[test]
fn on_a_phone_the_call_log_rows_are_labelled_cards_that_save_and_print_as_the_form() {
    with_browser(|b| {
        let tab = tab(b)?;
        phone(&tab)?;
        let url = file_url("checklists/call-log.html");
        open(&tab, &url)?;
        let row = |i: usize| format!("document.querySelectorAll('table.cl-table tbody tr')[{i}]");
        let card = eval_json(
            &tab,
            &format!(
                r#"(function (tr) {{
                var labels = Array.from(tr.querySelectorAll('.cl-cell-label')).map(function (l) {{ return getComputedStyle(l).display === 'none' ? '' : l.textContent; }});
                var widths = Array.from(tr.querySelectorAll('input')).map(function (i) {{ return i.getBoundingClientRect().width; }});
                return {{ display: getComputedStyle(tr).display, labels: labels, minWidth: Math.min.apply(null, widths),
                         overflow: document.documentElement.scrollWidth > innerWidth,
                         shown: Array.from(tr.parentNode.rows).filter(function (r) {{ return getComputedStyle(r).display !== 'none'; }}).length }};
            }})({})"#,
                row(0)
            ),
        )?;
        assert_eq!(card["display"], "block", "{card}");
        assert_eq!(
            card["labels"],
            serde_json::json!([
                "日期时间",
                "渠道",
                "工号",
                "工单号",
                "沟通内容",
                "对方承诺",
                "期限",
                "跟进日期"
            ])
        );
        assert!(card["minWidth"].as_f64().unwrap_or(0.0) > 150.0, "{card}");
        assert_eq!(card["overflow"], false);
        assert_eq!(card["shown"], 1, "one empty card to start with");

        // Fill the first card, add a second: saved like the other fields.
        let fill = |sel: String, v: &str| {
            format!(
                "(function (f) {{ f.value = '{v}'; f.dispatchEvent(new Event('input')); }})({sel})"
            )
        };
        eval(
            &tab,
            &fill(format!("{}.querySelector('input')", row(0)), "12-01 10:00"),
        )?;
        eval(&tab, "document.querySelector('button.cl-add-row').click()")?;
        assert_eq!(
            eval_str(&tab, &format!("getComputedStyle({}).display", row(1)))?,
            "block"
        );
        eval(
            &tab,
            &fill(format!("{}.querySelectorAll('input')[3]", row(1)), "GD-778"),
        )?;
        reload(&tab)?;
        assert_eq!(
            eval_str(&tab, &format!("{}.querySelector('input').value", row(0)))?,
            "12-01 10:00"
        );
        assert_eq!(
            eval_str(
                &tab,
                &format!("{}.querySelectorAll('input')[3].value", row(1))
            )?,
            "GD-778"
        );
        assert_eq!(
            eval_str(&tab, &format!("getComputedStyle({}).display", row(2)))?,
            "block",
            "filled cards and one empty card"
        );

        // Print: still the ruled form with every row, on one page.
        tab.call_method(Emulation::SetEmulatedMedia {
            media: Some("print".into()),
            features: None,
        })?;
        let printed = eval_json(
            &tab,
            "[getComputedStyle(document.querySelector('table.cl-table thead')).position, Array.from(document.querySelectorAll('table.cl-table tbody tr')).filter(function (r) { return getComputedStyle(r).display === 'table-row'; }).length, getComputedStyle(document.querySelector('.cl-cell-label')).display]",
        )?;
        assert_eq!(printed, serde_json::json!(["static", 10, "none"]));
        let (pages, text) = pdf_pages_and_text(&print_pdf(&tab)?)?;
        assert_eq!(pages, 1, "call log prints on one page");
        assert!(text.contains("工单号") && text.contains("GD-778"), "{text}");
        assert_no_problems(&tab, "call log cards")
    });
}

#[test]
fn from_file_urls_pages_carry_no_manifest_link() {
    with_browser(|b| {
        let tab = tab(b)?;
        open(&tab, &file_url("index.html"))?;
        assert_eq!(
            eval(
                &tab,
                "document.querySelectorAll('link[rel=manifest]').length"
            )?,
            serde_json::json!(0)
        );
        assert_eq!(
            eval_str(&tab, "document.body.getAttribute('data-manifest')")?,
            "static/manifest.webmanifest"
        );
        assert_no_problems(&tab, "index")
    });
}

#[test]
fn on_a_phone_with_the_keyboard_up_the_search_dropdown_ends_on_screen() {
    with_browser(|b| {
        let tab = tab(b)?;
        // 390 × 450: a phone screen with the on-screen keyboard taking the rest.
        viewport(&tab, 390, 450, 1.0, true)?;
        open(&tab, &file_url("prepare/evidence.html"))?;
        // The header's search button opens the box and focuses it.
        eval(&tab, "document.querySelector('.search-toggle').click()")?;
        assert_eq!(eval_str(&tab, "document.activeElement.id")?, "gs-q");
        eval(
            &tab,
            "(function (q) { q.value = '投诉'; q.dispatchEvent(new Event('input')); })(document.getElementById('gs-q'))",
        )?;
        wait_true(
            &tab,
            "document.querySelectorAll('#gs-results a[href]').length > 3",
            "results",
        )?;
        let r = eval_json(
            &tab,
            "(function (r) { var b = r.getBoundingClientRect(); return { bottom: b.bottom, h: innerHeight, scroll: r.scrollHeight > r.clientHeight }; })(document.getElementById('gs-results'))",
        )?;
        assert!(
            r["bottom"].as_f64().unwrap_or(1e9) <= r["h"].as_f64().unwrap_or(0.0),
            "dropdown runs off the screen: {r}"
        );
        assert_eq!(r["scroll"], true, "the rest scrolls inside it: {r}");
        // Scrolled to its end, the last result's last line shows in full.
        let last = eval_json(
            &tab,
            "(function (r) { r.scrollTop = r.scrollHeight; var items = r.querySelectorAll('a[href]'); var a = items[items.length - 1].getBoundingClientRect(); return { bottom: a.bottom, box: r.getBoundingClientRect().bottom, left: r.getBoundingClientRect().left, right: r.getBoundingClientRect().right, w: innerWidth }; })(document.getElementById('gs-results'))",
        )?;
        let f = |k: &str| last[k].as_f64().unwrap_or(f64::NAN);
        assert!(f("bottom") <= f("box"), "last result cut off: {last}");
        assert!(
            f("left") >= 0.0 && f("right") <= f("w"),
            "dropdown off the sides: {last}"
        );
        // Chrome on Android shrinks the layout viewport for the keyboard only when asked to.
        let meta = eval_str(
            &tab,
            "document.querySelector('meta[name=viewport]').content",
        )?;
        assert!(
            meta.contains("interactive-widget=resizes-content"),
            "{meta}"
        );
        assert_no_problems(&tab, "search dropdown")
    });
}

#[test]
fn the_phone_header_is_one_compact_row_with_44_px_buttons_and_a_search_button() {
    with_browser(|b| {
        let tab = tab(b)?;
        let facts = "(function () { var s = function (q) { var e = document.querySelector(q); var r = e.getBoundingClientRect(); return [Math.round(r.width), Math.round(r.height)]; }; return { header: document.querySelector('.site-header').getBoundingClientRect().height, nav: s('.nav-toggle'), search: s('.search-toggle'), theme: s('.theme-toggle'), box: s('#gs-q'), title: s('.site-title') }; })()";
        for width in [320, 390] {
            viewport(&tab, width, 844, 2.0, true)?;
            open(&tab, &file_url("prepare/evidence.html"))?;
            let f = eval_json(&tab, facts)?;
            assert!(f["header"].as_f64().unwrap_or(1e9) <= 64.0, "{width}: {f}");
            for b in ["nav", "search", "theme"] {
                assert!(
                    f[b][0].as_u64() >= Some(44) && f[b][1].as_u64() >= Some(44),
                    "{width} {b}: {f}"
                );
            }
            assert_eq!(f["box"], serde_json::json!([0, 0]), "box closed: {f}");
            // Open: the box takes the title's place in the same row; pressed again, it closes.
            eval(&tab, "document.querySelector('.search-toggle').click()")?;
            let f = eval_json(&tab, facts)?;
            assert!(
                f["header"].as_f64().unwrap_or(1e9) <= 64.0,
                "{width} open: {f}"
            );
            assert!(f["box"][0].as_u64() >= Some(150), "{width} open: {f}");
            assert_eq!(f["title"], serde_json::json!([0, 0]), "{width} open: {f}");
            assert_eq!(
                eval_str(
                    &tab,
                    "document.querySelector('.search-toggle').getAttribute('aria-expanded')"
                )?,
                "true"
            );
            // Below 384 px the theme button makes room for the box while it is open.
            let theme_open = if width < 384 {
                serde_json::json!([0, 0])
            } else {
                serde_json::json!([44, 44])
            };
            assert_eq!(f["theme"], theme_open, "{width} open: {f}");
            eval(&tab, "document.querySelector('.search-toggle').click()")?;
            let f = eval_json(&tab, facts)?;
            assert_eq!(
                (&f["box"], &f["theme"]),
                (&serde_json::json!([0, 0]), &serde_json::json!([44, 44])),
                "{width} closed: {f}"
            );
            // The search page shows the box from the start.
            open(&tab, &file_url("search.html"))?;
            let f = eval_json(&tab, facts)?;
            assert!(
                f["header"].as_f64().unwrap_or(1e9) <= 64.0 && f["box"][0].as_u64() >= Some(150),
                "{width} search page: {f}"
            );
        }
        // Without the page script the button is a link to the search page.
        assert!(eval_str(
            &tab,
            "document.querySelector('.search-toggle').getAttribute('href')"
        )?
        .ends_with("search.html"));
        assert_no_problems(&tab, "phone header")
    });
}
