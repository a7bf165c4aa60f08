//! Search in the browser from `file://`: lazy loading, results with deep links, no injection.

use crate::*;

fn wait_results(
    tab: &headless_chrome::Tab,
) -> Result<serde_json::Value, Box<dyn std::error::Error>> {
    for _ in 0..300 {
        let v = eval_json(
            tab,
            "Array.from(document.querySelectorAll('#gs-search-page a[href]')).map(a => a.getAttribute('href'))",
        )?;
        if v.as_array().is_some_and(|a| !a.is_empty()) {
            return Ok(v);
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    Err("no search results within 6 s".into())
}

#[test]
fn search_page_answers_chinese_and_pinyin_queries_from_file_url() {
    with_browser(|b| {
        let tab = tab(b)?;
        // Nothing search-related loads before the reader asks for it: neither the engine nor
        // the index.
        open(&tab, &file_url("prepare/evidence.html"))?;
        let loaded = eval(
            &tab,
            "!!window.GS || Array.from(document.scripts).some(s => /search\\/index|static\\/search\\./.test(s.src))",
        )?;
        assert_eq!(
            loaded,
            serde_json::Value::Bool(false),
            "search engine or index loaded before any search"
        );

        for (q, expect) in [
            ("投诉部门", "escalate/complaint-dept.html"),
            ("xhzw", "scenarios/number-porting.html"),
            ("12300", "escalate/regulator.html"),
            // A pinyin phrase whose words the guide never writes together (工信部投诉).
            ("gongxinbutousu", "escalate/regulator.html"),
        ] {
            open(&tab, &format!("{}?q={}", file_url("search.html"), q))?;
            let hrefs = wait_results(&tab)?;
            let hrefs: Vec<String> = serde_json::from_value(hrefs)?;
            assert!(
                hrefs.iter().take(5).any(|h| h.contains(expect)),
                "{q}: {hrefs:?}"
            );
            assert!(
                hrefs.iter().all(|h| h.contains("?hl=") || h.contains('#')),
                "deep links: {hrefs:?}"
            );
            assert_no_problems(&tab, q)?;
        }
        Ok(())
    });
}

#[test]
fn hostile_query_is_shown_as_text_and_never_becomes_markup() {
    with_browser(|b| {
        let tab = tab(b)?;
        let q = "%22%3E%3Cimg%20src%3Dx%20onerror%3Dwindow.__pwned%3D1%3E投诉";
        open(&tab, &format!("{}?q={q}", file_url("search.html")))?;
        wait_results(&tab)?;
        let injected = eval(
            &tab,
            "document.querySelectorAll('main img[src=x], #gs-results img').length",
        )?;
        assert_eq!(injected, serde_json::json!(0));
        assert_eq!(
            eval(&tab, "window.__pwned === undefined")?,
            serde_json::Value::Bool(true)
        );
        assert_no_problems(&tab, "hostile query")
    });
}

#[test]
fn arriving_from_a_result_highlights_the_terms() {
    with_browser(|b| {
        let tab = tab(b)?;
        open(
            &tab,
            &format!(
                "{}?hl=%E8%AF%A6%E5%8D%95#top",
                file_url("prepare/evidence.html")
            ),
        )?;
        let mut marks = serde_json::Value::Null;
        for _ in 0..100 {
            marks = eval(&tab, "document.querySelectorAll('main mark').length")?;
            if marks.as_u64().unwrap_or(0) > 0 {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        assert!(marks.as_u64().unwrap_or(0) > 0, "no <mark> for 详单");
        Ok(())
    });
}

#[test]
fn the_engine_loads_when_the_reader_types_in_the_box_and_answers_in_the_dropdown() {
    with_browser(|b| {
        let tab = tab(b)?;
        open(&tab, &file_url("prepare/evidence.html"))?;
        // Typed before the engine has arrived: it searches what is in the box once it is in.
        eval(
            &tab,
            "(function (q) { q.focus(); q.value = '携号转网'; q.dispatchEvent(new Event('input')); })(document.getElementById('gs-q'))",
        )?;
        let mut hrefs = serde_json::Value::Null;
        for _ in 0..300 {
            hrefs = eval_json(
                &tab,
                "Array.from(document.querySelectorAll('#gs-results a[href]')).map(a => a.getAttribute('href'))",
            )?;
            if hrefs.as_array().is_some_and(|a| !a.is_empty()) {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let hrefs: Vec<String> = serde_json::from_value(hrefs)?;
        assert!(
            hrefs
                .iter()
                .any(|h| h.contains("scenarios/number-porting.html")),
            "{hrefs:?}"
        );
        assert_eq!(
            eval(
                &tab,
                "document.getElementById('gs-q').getAttribute('aria-expanded')"
            )?,
            serde_json::json!("true")
        );
        // One engine script, injected once.
        assert_eq!(
            eval(
                &tab,
                "Array.from(document.scripts).filter(s => /static\\/search\\./.test(s.src)).length"
            )?,
            serde_json::json!(1)
        );
        assert_no_problems(&tab, "dropdown")
    });
}

#[test]
fn results_on_the_search_page_are_plain_links_that_tab_reaches() {
    with_browser(|b| {
        let tab = tab(b)?;
        open(&tab, &format!("{}?q=投诉", file_url("search.html")))?;
        wait_results(&tab)?;
        // No listbox roles on the page's list (the dropdown keeps them): nothing nested, and
        // every result is in the tab order.
        let roles = eval_str(
            &tab,
            "Array.from(document.querySelectorAll('#gs-search-page [role]')).map(e => e.getAttribute('role')).join(',')",
        )?;
        assert!(
            !roles.contains("option") && !roles.contains("listbox"),
            "{roles}"
        );
        let first = eval_str(
            &tab,
            "document.querySelector('#gs-search-page .gs-list a').id",
        )?;
        // Start just before the results (the sidebar's links come first on a desktop page).
        eval(
            &tab,
            "var p = document.getElementById('gs-search-page'); p.tabIndex = -1; p.focus()",
        )?;
        let mut reached = false;
        for _ in 0..5 {
            tab.press_key("Tab")?;
            if eval_str(&tab, "document.activeElement.id")? == first {
                reached = true;
                break;
            }
        }
        assert!(reached, "Tab never reached the first result ({first})");
        assert_no_problems(&tab, "search page")?;
        Ok(())
    });
}
