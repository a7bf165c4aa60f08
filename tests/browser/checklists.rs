//! Checklists in the browser: saved state, reset, one-page print.

use crate::*;

const IDS: [&str; 6] = [
    "appeal",
    "before-call",
    "call-log",
    "complaint-letter",
    "evidence",
    "shop-visit",
];

#[test]
fn ticks_and_write_ins_survive_a_reload_and_reset_clears_them() {
    with_browser(|b| {
        let tab = tab(b)?;
        let url = file_url("checklists/shop-visit.html");
        // The test's own browser context: nothing stored yet.
        open(&tab, &url)?;
        let first_box =
            "document.querySelector('article.checklist input[type=checkbox][data-key]')";
        let first_field = "document.querySelector('article.checklist .cl-write')";
        eval(&tab, &format!("{first_box}.click()"))?;
        eval(&tab, &format!("(function(f){{f.value='工号 A1234'; f.dispatchEvent(new Event('input'));}})({first_field})"))?;
        let progress = eval_str(&tab, "document.querySelector('.cl-progress').textContent")?;
        assert!(progress.starts_with("已勾选 1 / "), "{progress}");

        reload(&tab)?;
        assert_eq!(
            eval(&tab, &format!("{first_box}.checked"))?,
            serde_json::Value::Bool(true)
        );
        assert_eq!(
            eval_str(&tab, &format!("{first_field}.value"))?,
            "工号 A1234"
        );

        eval(&tab, "window.confirm = function () { return true; }; document.querySelector('.cl-reset').click()")?;
        assert_eq!(
            eval(&tab, &format!("{first_box}.checked"))?,
            serde_json::Value::Bool(false)
        );
        reload(&tab)?;
        assert_eq!(eval_str(&tab, &format!("{first_field}.value"))?, "");
        assert_eq!(
            eval(&tab, "localStorage.getItem('gs-checklist:shop-visit')")?,
            serde_json::Value::Null
        );
        assert_no_problems(&tab, &url)
    });
}

#[test]
fn every_checklist_prints_on_exactly_one_a4_page_with_title_and_no_browser_address() {
    with_browser(|b| {
        let tab = tab(b)?;
        for id in IDS {
            let url = file_url(&format!("checklists/{id}.html"));
            open(&tab, &url)?;
            // Print a filled-in form too: write-ins must not push it onto a second page.
            eval(&tab, "document.querySelectorAll('article.checklist .cl-write').forEach(function(f){f.value='已填写的内容';})")?;
            let (pages, text) = pdf_pages_and_text(&print_pdf(&tab)?)?;
            assert_eq!(pages, 1, "{id} printed on {pages} pages");
            let title = eval_str(&tab, "document.querySelector('.cl-title').textContent")?;
            assert!(
                text.contains(title.trim()),
                "{id}: title {title:?} missing from PDF text"
            );
            // Without a base URL no address is printed: not ours, not the browser's file:// one.
            assert!(
                !text.contains("file:"),
                "{id}: browser address printed: {text}"
            );
            assert!(text.contains("内容核对日期"), "{id}: check date missing");
            assert!(
                !text.contains("清空") && !text.contains("打印这份清单"),
                "{id}: buttons printed"
            );
        }
        Ok(())
    });
}

#[test]
fn print_all_gives_one_page_per_checklist() {
    with_browser(|b| {
        let tab = tab(b)?;
        open(&tab, &file_url("checklists/all.html"))?;
        assert_no_problems(&tab, "all.html")?;
        let (pages, text) = pdf_pages_and_text(&print_pdf(&tab)?)?;
        assert_eq!(pages, IDS.len(), "print-all pages");
        // Each page carries its own checklist, in order.
        let per_page: Vec<&str> = text
            .split('\u{c}')
            .filter(|p| !p.trim().is_empty())
            .collect();
        assert_eq!(per_page.len(), IDS.len());
        let titles = eval_json(
            &tab,
            "Array.from(document.querySelectorAll('.cl-title')).map(h => h.textContent.trim())",
        )?;
        let titles: Vec<String> = titles
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|t| t.as_str())
                    .map(|t| t.split_whitespace().collect())
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(titles.len(), IDS.len(), "{titles:?}");
        for (page, title) in per_page.iter().zip(&titles) {
            let flat: String = page.split_whitespace().collect();
            assert!(flat.contains(title.as_str()), "page for {title}: {page}");
        }
        Ok(())
    });
}

#[test]
fn ticked_boxes_print_ticked_and_blank_mode_prints_them_empty() {
    with_browser(|b| {
        let tab = tab(b)?;
        let url = file_url("checklists/evidence.html");
        // The test's own browser context: nothing stored yet.
        open(&tab, &url)?;
        eval(
            &tab,
            "document.querySelector('article.checklist input[type=checkbox][data-key]').click()",
        )?;
        let ticked = pdf_pages_and_text(&print_pdf(&tab)?)?.1;
        assert!(ticked.contains('✓'), "ticked box prints a tick");
        eval(&tab, "document.querySelector('.cl-blank').click()")?;
        let blank = pdf_pages_and_text(&print_pdf(&tab)?)?.1;
        assert!(!blank.contains('✓'), "blank mode prints empty boxes");
        Ok(())
    });
}
