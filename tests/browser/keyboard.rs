//! Keyboard only: real key events (DevTools `Input.dispatchKeyEvent`), no clicks.

use headless_chrome::Tab;

use crate::*;

/// A short description of the focused element: tag, id, class, href/type.
const FOCUSED: &str = r#"(function (e) {
  if (!e || e === document.body) return 'body';
  var s = e.tagName.toLowerCase();
  if (e.id) s += '#' + e.id;
  if (e.className && typeof e.className === 'string') s += '.' + e.className.trim().split(/\s+/).join('.');
  if (e.type) s += '[' + e.type + ']';
  if (e.closest('#gs-nav')) s += ' in-nav';
  if (e.closest('article.checklist')) s += ' in-checklist';
  if (e.hasAttribute('data-key')) s += ' item';
  var cs = getComputedStyle(e);
  var ring = cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 2;
  return s + (ring ? ' ring' : ' NO-RING');
})(document.activeElement)"#;

fn focused(tab: &Tab) -> Result<String, Box<dyn std::error::Error>> {
    eval_str(tab, FOCUSED)
}

/// Presses Tab from the top of the page, up to `max` times or until `stop` matches what got
/// focus; returns what got focus each time.
fn tab_walk_until(
    tab: &Tab,
    max: usize,
    stop: impl Fn(&str) -> bool,
) -> Result<Vec<String>, Box<dyn std::error::Error>> {
    eval(
        tab,
        "document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0)",
    )?;
    let mut seen = Vec::new();
    for _ in 0..max {
        tab.press_key("Tab")?;
        seen.push(focused(tab)?);
        if stop(seen.last().map_or("", String::as_str)) {
            break;
        }
    }
    Ok(seen)
}

fn tab_walk(tab: &Tab, max: usize) -> Result<Vec<String>, Box<dyn std::error::Error>> {
    tab_walk_until(tab, max, |_| false)
}

fn is_item_checkbox(s: &str) -> bool {
    s.contains("in-checklist") && s.contains(" item") && s.contains("[checkbox]")
}

#[test]
fn tab_from_the_top_reaches_skip_link_search_nav_and_checkboxes_with_a_visible_ring() {
    with_browser(|b| {
        let tab = tab(b)?;
        open(&tab, &file_url("checklists/shop-visit.html"))?;
        eval(&tab, "localStorage.removeItem('gs-checklist:shop-visit')")?;
        reload(&tab)?;
        let seen = tab_walk_until(&tab, 100, is_item_checkbox)?;
        assert!(
            seen[0].starts_with("a.skip-link"),
            "first Tab reaches the skip link: {seen:#?}"
        );
        let pos = |pred: &dyn Fn(&str) -> bool| seen.iter().position(|s| pred(s));
        let search = pos(&|s| s.starts_with("input#gs-q")).ok_or("search box not reached")?;
        let nav = pos(&|s| s.contains("in-nav")).ok_or("nav links not reached")?;
        let check = pos(&|s| is_item_checkbox(s))
            .ok_or_else(|| format!("no checklist checkbox reached: {seen:#?}"))?;
        assert!(search < nav && nav < check, "order: {seen:#?}");
        let no_ring: Vec<&String> = seen.iter().filter(|s| s.ends_with("NO-RING")).collect();
        assert!(no_ring.is_empty(), "focus must be visible: {no_ring:#?}");

        // Space ticks the focused checkbox, and the tick is saved.
        tab.press_key(" ")?;
        assert_eq!(
            eval(&tab, "document.activeElement.checked")?,
            serde_json::Value::Bool(true)
        );
        let progress = eval_str(&tab, "document.querySelector('.cl-progress').textContent")?;
        assert!(progress.starts_with("已勾选 1 / "), "{progress}");
        eval(&tab, "localStorage.removeItem('gs-checklist:shop-visit')")?;
        assert_no_problems(&tab, "keyboard walk")
    });
}

#[test]
fn skip_link_moves_focus_to_the_main_content() {
    with_browser(|b| {
        let tab = tab(b)?;
        open(&tab, &file_url("prepare/evidence.html"))?;
        tab_walk(&tab, 1)?;
        tab.press_key("Enter")?;
        std::thread::sleep(std::time::Duration::from_millis(100));
        assert_eq!(eval_str(&tab, "document.activeElement.id")?, "main");
        // The next Tab continues inside the content, not back in the header.
        tab.press_key("Tab")?;
        assert_eq!(
            eval(&tab, "!!document.activeElement.closest('main')")?,
            serde_json::Value::Bool(true)
        );
        Ok(())
    });
}

#[test]
fn slash_focuses_the_search_box_once() {
    with_browser(|b| {
        let tab = tab(b)?;
        open(&tab, &file_url("prepare/evidence.html"))?;
        eval(
            &tab,
            "document.activeElement && document.activeElement.blur()",
        )?;
        tab.press_key("/")?;
        assert_eq!(eval_str(&tab, "document.activeElement.id")?, "gs-q");
        // The key only moved focus: no "/" typed into the box by a second handler.
        assert_eq!(eval_str(&tab, "document.getElementById('gs-q').value")?, "");
        Ok(())
    });
}

#[test]
fn phone_menu_and_theme_toggle_work_from_the_keyboard() {
    with_browser(|b| {
        let tab = tab(b)?;
        phone(&tab)?;
        open(&tab, &file_url("prepare/evidence.html"))?;
        eval(&tab, "localStorage.removeItem('gs-theme')")?;
        reload(&tab)?;
        let seen = tab_walk(&tab, 2)?;
        assert!(seen[1].starts_with("button.nav-toggle"), "{seen:?}");
        tab.press_key("Enter")?;
        assert_eq!(
            eval_str(
                &tab,
                "getComputedStyle(document.getElementById('gs-nav')).display"
            )?,
            "block"
        );
        let now = focused(&tab)?;
        assert!(
            now.contains("in-nav"),
            "focus moves into the open menu: {now}"
        );
        tab.press_key("Escape")?;
        assert_eq!(
            eval_str(
                &tab,
                "getComputedStyle(document.getElementById('gs-nav')).display"
            )?,
            "none"
        );
        assert!(focused(&tab)?.starts_with("button.nav-toggle"));

        // Theme toggle: reachable by Tab and switched with Space.
        let mut found = false;
        for _ in 0..6 {
            tab.press_key("Tab")?;
            if focused(&tab)?.starts_with("button.theme-toggle") {
                found = true;
                break;
            }
        }
        assert!(found, "theme toggle reachable by Tab");
        let before = eval_str(
            &tab,
            "String(document.documentElement.getAttribute('data-theme'))",
        )?;
        tab.press_key(" ")?;
        let after = eval_str(
            &tab,
            "String(document.documentElement.getAttribute('data-theme'))",
        )?;
        assert_ne!(before, after, "Space on the toggle switches the theme");
        eval(&tab, "localStorage.removeItem('gs-theme')")?;
        Ok(())
    });
}
