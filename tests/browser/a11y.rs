//! Accessibility: axe-core finds no violations on the main page types, in light and dark, by
//! system preference and by the theme toggle; the basics axe cannot judge are checked directly.
//!
//! axe-core comes from npm (`npm install --prefix tests/browser/vendor axe-core@4`, as `.ci/run`
//! does) or from `GUIDESMITH_AXE=/path/to/axe.min.js`; without it the axe test prints a `SKIP`
//! line (and fails under `GUIDESMITH_REQUIRE_BROWSER=1`). It is injected over the DevTools
//! protocol, so the pages' CSP does not apply to it.

use std::path::PathBuf;

use headless_chrome::protocol::cdp::Emulation;
use headless_chrome::Tab;

use crate::*;

const PAGES: [&str; 5] = [
    "index.html",
    "prepare/evidence.html",
    "checklists/shop-visit.html",
    "search.html",
    "404.html",
];

/// The axe-core script, or None (a visible `SKIP`, or a failure when CI requires the full
/// suite) when it is not installed.
pub(crate) fn axe_source() -> Option<String> {
    let (path, what) = match std::env::var_os("GUIDESMITH_AXE") {
        Some(p) => {
            let p = PathBuf::from(p);
            let what = format!("axe-core not found at GUIDESMITH_AXE={}", p.display());
            (p, what)
        }
        None => (
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("tests/browser/vendor/node_modules/axe-core/axe.min.js"),
            "axe-core not installed (npm install --prefix tests/browser/vendor axe-core@4)"
                .to_owned(),
        ),
    };
    match std::fs::read_to_string(&path) {
        Ok(s) => Some(s),
        Err(_) => {
            skip(&what);
            None
        }
    }
}

pub(crate) fn emulate_scheme(tab: &Tab, scheme: &str) -> R {
    tab.call_method(Emulation::SetEmulatedMedia {
        media: None,
        features: Some(vec![Emulation::MediaFeature {
            name: "prefers-color-scheme".into(),
            value: scheme.into(),
        }]),
    })?;
    Ok(())
}

/// Runs axe on the current page; returns a readable list of violations (empty = clean).
pub(crate) fn axe_violations(
    tab: &Tab,
    axe: &str,
) -> Result<Vec<String>, Box<dyn std::error::Error>> {
    tab.evaluate(axe, false)?;
    let js = r#"axe.run(document, { resultTypes: ['violations'] }).then(function (r) {
      return JSON.stringify(r.violations.map(function (v) {
        return v.id + ' (' + v.impact + '): ' + v.help + '\n' + v.nodes.map(function (n) {
          return '    ' + n.target.join(' ') + ' — ' + (n.failureSummary || '').replace(/\n/g, ' ');
        }).join('\n');
      }));
    })"#;
    let r = tab.evaluate(js, true)?;
    let s = r
        .value
        .and_then(|v| v.as_str().map(str::to_owned))
        .ok_or("axe returned nothing")?;
    Ok(serde_json::from_str(&s)?)
}

/// A digest of every element's computed colours: equal digests render in the same colours.
const COLOURS: &str = r#"(function () {
  var h = 2166136261, all = document.querySelectorAll('*');
  for (var i = 0; i < all.length; i++) {
    var s = getComputedStyle(all[i]);
    var t = s.color + s.backgroundColor + s.borderTopColor + s.borderBottomColor + s.outlineColor
      + s.textDecorationColor + s.fill + s.stroke + s.boxShadow + s.backgroundImage;
    for (var j = 0; j < t.length; j++) { h = Math.imul(h ^ t.charCodeAt(j), 16777619) >>> 0; }
  }
  return all.length + ':' + h;
})()"#;

#[test]
fn axe_finds_no_violations_in_light_and_dark_by_preference_and_by_toggle() {
    with_browser(|b| {
        let Some(axe) = axe_source() else {
            return Ok(());
        };
        let tab = tab(b)?;
        let mut failures = Vec::new();
        for page in PAGES {
            // Each system preference is checked by axe; the theme chosen with the toggle against
            // the other preference must then colour every element exactly as that preference
            // does. Loaded with no stored theme choice: the test's browser context starts empty,
            // and the choice is removed again after every page.
            let mut by_scheme = std::collections::HashMap::new();
            for scheme in ["light", "dark"] {
                emulate_scheme(&tab, scheme)?;
                open(&tab, &file_url(page))?;
                let what = format!("{page} [system {scheme}]");
                assert_no_problems(&tab, &what)?;
                for v in axe_violations(&tab, &axe)? {
                    failures.push(format!("{what}: {v}"));
                }
                by_scheme.insert(scheme, eval_str(&tab, COLOURS)?);
            }
            for (scheme, chosen) in [("light", "dark"), ("dark", "light")] {
                emulate_scheme(&tab, scheme)?;
                open(&tab, &file_url(page))?;
                let bar = format!(
                    "document.querySelector('meta[name=theme-color][media*={chosen}]').content"
                );
                let want_bar = eval_str(&tab, &bar)?;
                eval(&tab, "document.querySelector('.theme-toggle').click()")?;
                let got = eval_str(&tab, "document.documentElement.getAttribute('data-theme')")?;
                assert_eq!(got, chosen, "{page}: toggle under {scheme} preference");
                let bars = eval_json(
                    &tab,
                    "Array.from(document.querySelectorAll('meta[name=theme-color]'), function (m) { return m.content; })",
                )?;
                assert_eq!(
                    bars,
                    serde_json::json!([want_bar, want_bar]),
                    "{page}: the browser bar takes the {chosen} colour"
                );
                assert_no_problems(&tab, &format!("{page} [system {scheme}, toggle {chosen}]"))?;
                assert_eq!(
                    eval_str(&tab, COLOURS)?,
                    by_scheme[chosen],
                    "{page}: {chosen} chosen under the {scheme} preference is coloured as the \
                     {chosen} preference"
                );
                eval(&tab, "localStorage.removeItem('gs-theme')")?;
            }
        }
        assert!(
            failures.is_empty(),
            "axe-core violations:\n{}",
            failures.join("\n")
        );
        Ok(())
    });
}

#[test]
fn theme_choice_is_remembered_across_pages() {
    with_browser(|b| {
        let tab = tab(b)?;
        emulate_scheme(&tab, "light")?;
        // The test's own browser context: no theme stored yet.
        open(&tab, &file_url("index.html"))?;
        let pressed = "document.querySelector('.theme-toggle').getAttribute('aria-pressed')";
        assert_eq!(eval_str(&tab, pressed)?, "false");
        eval(&tab, "document.querySelector('.theme-toggle').click()")?;
        open(&tab, &file_url("prepare/evidence.html"))?;
        assert_eq!(
            eval_str(&tab, "document.documentElement.getAttribute('data-theme')")?,
            "dark"
        );
        assert_eq!(eval_str(&tab, pressed)?, "true");
        let bg = eval_str(&tab, "getComputedStyle(document.body).backgroundColor")?;
        assert_eq!(bg, "rgb(21, 24, 28)", "dark background applied");
        Ok(())
    });
}

#[test]
fn pages_have_language_landmarks_skip_link_and_one_h1() {
    with_browser(|b| {
        let tab = tab(b)?;
        for page in PAGES {
            open(&tab, &file_url(page))?;
            let facts = eval_json(
                &tab,
                r#"({
                lang: document.documentElement.lang,
                banner: document.querySelectorAll('body > header').length,
                main: document.querySelectorAll('main#main').length,
                nav: document.querySelectorAll('nav#gs-nav[aria-label]').length,
                footer: document.querySelectorAll('body > footer').length,
                h1: document.querySelectorAll('h1').length,
                skip: (function (a) { return a ? a.getAttribute('href') : ''; })(document.querySelector('body > a.skip-link:first-child')),
                search: document.querySelectorAll('form[role=search] input[type=search]').length
            })"#,
            )?;
            assert_eq!(facts["lang"], "zh-CN", "{page}");
            assert_eq!(facts["banner"], 1, "{page}: header landmark");
            assert_eq!(facts["main"], 1, "{page}: main landmark");
            assert_eq!(facts["nav"], 1, "{page}: labelled nav");
            assert_eq!(facts["footer"], 1, "{page}: footer landmark");
            assert_eq!(facts["h1"], 1, "{page}: exactly one h1");
            assert_eq!(facts["skip"], "#main", "{page}: skip link first");
            assert!(
                facts["search"].as_u64().unwrap_or(0) >= 1,
                "{page}: search box"
            );
        }
        // The 404 page offers its own search form and the way home.
        open(&tab, &file_url("404.html"))?;
        assert_eq!(
            eval(
                &tab,
                "document.querySelectorAll('main form[role=search] input[name=q]').length"
            )?,
            serde_json::json!(1)
        );
        Ok(())
    });
}

/// Issue 23's new states: the whole-guide print page, a chapter on a phone with its contents
/// list open, a copy toast shown and the diagram opened full size, the call log as cards, the
/// phone search open with results, the phone menu open, the search page with results; in both
/// schemes.
#[test]
fn axe_finds_no_violations_in_the_reading_and_printing_states() {
    with_browser(|b| {
        let Some(axe) = axe_source() else {
            return Ok(());
        };
        let tab = tab(b)?;
        let mut failures = Vec::new();
        for scheme in ["light", "dark"] {
            emulate_scheme(&tab, scheme)?;
            open(&tab, &file_url("print.html"))?;
            for v in axe_violations(&tab, &axe)? {
                failures.push(format!("print.html [{scheme}]: {v}"));
            }
            phone(&tab)?;
            open(&tab, &file_url("escalate/regulator.html"))?;
            eval(&tab, "document.querySelector('details.toc-inline').open = true; Object.defineProperty(navigator, 'clipboard', { configurable: true, value: { writeText: function () { return Promise.resolve(); } } }); document.querySelector('button.say-copy') && document.querySelector('button.say-copy').click()")?;
            for v in axe_violations(&tab, &axe)? {
                failures.push(format!("regulator contents open [{scheme}]: {v}"));
            }
            eval(&tab, "document.querySelector('a.figure-zoom').click()")?;
            for v in axe_violations(&tab, &axe)? {
                failures.push(format!("regulator diagram open [{scheme}]: {v}"));
            }
            open(&tab, &file_url("checklists/call-log.html"))?;
            for v in axe_violations(&tab, &axe)? {
                failures.push(format!("call-log cards [{scheme}]: {v}"));
            }
            assert_no_problems(&tab, "call-log")?;
            // The phone header with its search box opened by the search button, results shown.
            open(&tab, &file_url("prepare/evidence.html"))?;
            eval(&tab, "document.querySelector('.search-toggle').click(); (function (q) { q.value = '投诉'; q.dispatchEvent(new Event('input')); })(document.getElementById('gs-q'))")?;
            for _ in 0..300 {
                if eval(
                    &tab,
                    "document.querySelectorAll('#gs-results a[href]').length > 3",
                )? == serde_json::Value::Bool(true)
                {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            for v in axe_violations(&tab, &axe)? {
                failures.push(format!("phone search open [{scheme}]: {v}"));
            }
            // The phone menu open.
            open(&tab, &file_url("prepare/evidence.html"))?;
            eval(&tab, "document.querySelector('.nav-toggle').click()")?;
            let open_menu = eval_str(
                &tab,
                "document.querySelector('.nav-toggle').getAttribute('aria-expanded')",
            )?;
            assert_eq!(open_menu, "true", "the menu opened");
            for v in axe_violations(&tab, &axe)? {
                failures.push(format!("phone menu open [{scheme}]: {v}"));
            }
            // The search page with results (a plain list of links).
            open(&tab, &format!("{}?q=投诉", file_url("search.html")))?;
            for _ in 0..300 {
                if eval(
                    &tab,
                    "document.querySelectorAll('#gs-search-page a[href]').length > 3",
                )? == serde_json::Value::Bool(true)
                {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            for v in axe_violations(&tab, &axe)? {
                failures.push(format!("search results page [{scheme}]: {v}"));
            }
        }
        assert!(
            failures.is_empty(),
            "axe-core violations:\n{}",
            failures.join("\n")
        );
        Ok(())
    });
}
