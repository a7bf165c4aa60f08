//! Whole-site smoke tests from `file://`.

use crate::*;

/// Every HTML page of the built site, relative to its root.
fn pages() -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![site_dir().to_owned()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("site dir") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "html") {
                out.push(
                    p.strip_prefix(site_dir())
                        .expect("under")
                        .to_string_lossy()
                        .into_owned(),
                );
            }
        }
    }
    out.sort();
    out
}

#[test]
fn every_page_opens_from_file_url_without_errors_or_csp_violations() {
    with_browser(|b| {
        let tab = tab(b)?;
        let all = pages();
        assert!(all.len() > 30, "expected the whole guide, got {all:?}");
        for p in &all {
            open(&tab, &file_url(p))?;
            assert_no_problems(&tab, p)?;
            let h1 = eval_str(&tab, "(document.querySelector('h1')||{}).textContent||''")?;
            assert!(!h1.trim().is_empty(), "{p} has no h1");
            let csp = eval_str(&tab, "(document.querySelector('meta[http-equiv=Content-Security-Policy]')||{}).content||''")?;
            assert!(
                csp.contains("script-src 'self'") && csp.contains("object-src 'none'"),
                "{p}: {csp}"
            );
        }
        Ok(())
    });
}

#[test]
fn nav_links_lead_to_pages_that_mark_themselves_current() {
    with_browser(|b| {
        let tab = tab(b)?;
        open(&tab, &file_url("index.html"))?;
        let links = eval_json(
            &tab,
            "Array.from(document.querySelectorAll('#gs-nav a')).map(a => a.href)",
        )?;
        let links: Vec<String> = serde_json::from_value(links)?;
        assert!(links.len() >= 30, "{links:?}");
        for href in links {
            open(&tab, &href)?;
            assert_no_problems(&tab, &href)?;
            let current = eval_str(
                &tab,
                "(document.querySelector('#gs-nav a[aria-current=page]')||{}).href||''",
            )?;
            assert_eq!(current, href, "the nav marks the page being shown");
        }
        Ok(())
    });
}

#[test]
fn phone_layout_hides_nav_until_the_menu_button_opens_it() {
    with_browser(|b| {
        let tab = tab(b)?;
        phone(&tab)?;
        open(&tab, &file_url("prepare/evidence.html"))?;
        let visible = "getComputedStyle(document.getElementById('gs-nav')).display";
        assert_eq!(eval_str(&tab, visible)?, "none");
        let overflow = eval(
            &tab,
            "document.documentElement.scrollWidth > window.innerWidth",
        )?;
        assert_eq!(
            overflow,
            serde_json::Value::Bool(false),
            "page scrolls sideways on a phone"
        );
        eval(&tab, "document.querySelector('.nav-toggle').click()")?;
        assert_eq!(eval_str(&tab, visible)?, "block");
        assert_eq!(
            eval_str(
                &tab,
                "document.querySelector('.nav-toggle').getAttribute('aria-expanded')"
            )?,
            "true"
        );
        Ok(())
    });
}
