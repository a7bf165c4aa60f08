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

/// One round over every page: it opens without errors or CSP violations, has an h1 and the
/// CSP; and every nav link leads to a page that marks that link as the current page.
#[test]
fn every_page_opens_from_file_url_without_errors_or_csp_violations() {
    with_browser(|b| {
        let tab = tab(b)?;
        let all = pages();
        assert!(all.len() > 30, "expected the whole guide, got {all:?}");
        // Page URL → the nav link it marks current (`""` when none).
        let mut current = std::collections::BTreeMap::new();
        let mut nav: Vec<String> = Vec::new();
        for p in &all {
            let url = file_url(p);
            open(&tab, &url)?;
            assert_no_problems(&tab, p)?;
            let facts = eval_json(
                &tab,
                r#"({
                h1: (document.querySelector('h1') || {}).textContent || '',
                csp: (document.querySelector('meta[http-equiv=Content-Security-Policy]') || {}).content || '',
                url: location.href,
                current: (document.querySelector('#gs-nav a[aria-current=page]') || {}).href || '',
                nav: Array.from(document.querySelectorAll('#gs-nav a')).map(a => a.href)
            })"#,
            )?;
            let h1 = facts["h1"].as_str().unwrap_or_default();
            assert!(!h1.trim().is_empty(), "{p} has no h1");
            let csp = facts["csp"].as_str().unwrap_or_default();
            assert!(
                csp.contains("script-src 'self'") && csp.contains("object-src 'none'"),
                "{p}: {csp}"
            );
            if p == "index.html" {
                nav = serde_json::from_value(facts["nav"].clone())?;
            }
            current.insert(
                facts["url"].as_str().unwrap_or_default().to_owned(),
                facts["current"].as_str().unwrap_or_default().to_owned(),
            );
        }
        // The nav as the home page shows it: every link's page marks itself current.
        assert!(nav.len() >= 30, "{nav:?}");
        for href in &nav {
            let marked = current
                .get(href)
                .ok_or_else(|| format!("nav link {href} is not a page of the site"))?;
            assert_eq!(marked, href, "the nav marks the page being shown");
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
