//! Paper (issue 23): the whole guide as one printable page; checklists printed with their
//! canonical URL and a QR code when a base URL is known, with neither when not, never with the
//! browser's own address, and still on one A4 page each.

use std::path::PathBuf;
use std::process::Command;

use headless_chrome::Tab;

use crate::*;

const IDS: [&str; 6] = [
    "appeal",
    "before-call",
    "call-log",
    "complaint-letter",
    "evidence",
    "shop-visit",
];

const BASE: &str = "https://example.org/guide/";

/// The bundled guide built with `--base-url`, once per test process.
pub fn site_with_base_url() -> &'static std::path::Path {
    static DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let out = scratch("site-base-url").join("public");
        let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let run = Command::new(env!("CARGO_BIN_EXE_guidesmith"))
            .args(["build", "--base-url", BASE, "--guide"])
            .arg(repo.join("guide"))
            .arg("--out")
            .arg(&out)
            .output()
            .expect("guidesmith runs");
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        out
    })
}

/// Prints with the browser's own header and footer switched on, as a reader's browser may:
/// the page must leave them no room on a checklist.
fn print_with_browser_header(tab: &Tab) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    Ok(
        tab.print_to_pdf(Some(headless_chrome::types::PrintToPdfOptions {
            prefer_css_page_size: Some(true),
            print_background: Some(true),
            display_header_footer: Some(true),
            ..Default::default()
        }))?,
    )
}

/// The pages of a PDF as `pdftotext -layout` reads them (lines in their order on the page).
fn layout_pages(pdf: &[u8]) -> Result<Vec<String>, Box<dyn std::error::Error>> {
    let path = scratch_root().join("paper-layout.pdf");
    std::fs::write(&path, pdf)?;
    let out = Command::new("pdftotext")
        .arg("-layout")
        .arg(&path)
        .arg("-")
        .output()?;
    let _ = std::fs::remove_file(&path);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    Ok(text.split('\u{c}').map(str::to_owned).collect())
}

#[test]
fn checklists_print_their_canonical_url_and_a_qr_code_only_with_a_base_url() {
    with_browser(|b| {
        let tab = tab(b)?;
        let site = site_with_base_url();
        for id in IDS {
            let url = format!("file://{}/checklists/{id}.html", site.display());
            open(&tab, &url)?;
            assert_no_problems(&tab, id)?;
            // Filled in, as a reader prints it.
            eval(&tab, "document.querySelectorAll('article.checklist .cl-write').forEach(function(f){f.value='已填写的内容';})")?;
            let qr = eval_json(
                &tab,
                "(function (s) { return s ? { vb: s.getAttribute('viewBox'), paths: s.querySelectorAll('path').length } : null; })(document.querySelector('.checklist-page svg.print-qr'))",
            )?;
            assert!(qr["paths"].as_u64().unwrap_or(0) >= 1, "{id}: QR code {qr}");
            let (pages, text) = pdf_pages_and_text(&print_with_browser_header(&tab)?)?;
            assert_eq!(pages, 1, "{id} with URL and QR printed on {pages} pages");
            let flat: String = text.split_whitespace().collect();
            assert!(
                flat.contains(&format!("{BASE}checklists/{id}.html")),
                "{id}: canonical URL missing: {text}"
            );
            assert!(!flat.contains("file://"), "{id}: browser address printed");
        }
        // Print-all: one page each, each with its own URL.
        open(
            &tab,
            &format!("file://{}/checklists/all.html", site.display()),
        )?;
        assert_eq!(
            eval(&tab, "document.querySelectorAll('svg.print-qr').length")?,
            serde_json::json!(IDS.len())
        );
        let (pages, text) = pdf_pages_and_text(&print_with_browser_header(&tab)?)?;
        assert_eq!(pages, IDS.len());
        let per_page: Vec<String> = text
            .split('\u{c}')
            .filter(|p| !p.trim().is_empty())
            .map(|p| p.split_whitespace().collect())
            .collect();
        for (page, id) in per_page.iter().zip(IDS) {
            assert!(
                page.contains(&format!("{BASE}checklists/{id}.html")),
                "{id}: {page}"
            );
        }

        // Without a base URL: neither URL nor QR code, and no browser address either.
        for id in IDS {
            open(&tab, &file_url(&format!("checklists/{id}.html")))?;
            assert_eq!(
                eval(&tab, "document.querySelectorAll('svg.print-qr').length")?,
                serde_json::json!(0)
            );
            let (pages, text) = pdf_pages_and_text(&print_with_browser_header(&tab)?)?;
            assert_eq!(pages, 1, "{id}");
            let flat: String = text.split_whitespace().collect();
            assert!(
                !flat.contains("file:") && !flat.contains(&format!("checklists/{id}.html")),
                "{id}: an address on paper: {text}"
            );
            assert!(text.contains("内容核对日期"), "{id}: footer");
        }
        Ok(())
    });
}

#[test]
fn the_whole_guide_prints_with_cover_contents_and_every_chapter_on_a_new_page() {
    with_browser(|b| {
        let tab = tab(b)?;
        // Linked from the home page and from every chapter's print actions.
        open(&tab, &file_url("index.html"))?;
        assert!(
            eval(
                &tab,
                "!!document.querySelector('main a[href=\"print.html\"]')"
            )? == true
        );
        open(&tab, &file_url("escalate/regulator.html"))?;
        assert!(eval(&tab, "!!document.querySelector('.page-actions a[href=\"../print.html\"]') && !document.querySelector('.page-actions button.print-page').hidden")? == true);

        open(&tab, &file_url("print.html"))?;
        assert_no_problems(&tab, "print.html")?;
        let facts = eval_json(
            &tab,
            r##"(function () {
                var ids = Array.from(document.querySelectorAll('[id]')).map(function (e) { return e.id; });
                var broken = Array.from(document.querySelectorAll('main a[href^="#"]')).map(function (a) { return decodeURIComponent(a.getAttribute('href').slice(1)); })
                    .filter(function (id) { return id && !document.getElementById(id); });
                return {
                    titles: Array.from(document.querySelectorAll('.print-chapter > h1')).map(function (h) { return h.textContent.trim(); }),
                    contents: document.querySelectorAll('.print-contents a').length,
                    heads: Array.from(document.querySelectorAll('.print-chapter :is(h2, h3)')).map(function (h) { return h.textContent.replace(/（本节链接）$/, '').replace(/#$/, '').trim(); }),
                    duplicates: ids.length - new Set(ids).size,
                    broken: broken,
                    external: Array.from(document.querySelectorAll('.print-chapter a[href^="http"]')).map(function (a) { return a.getAttribute('href'); })
                };
            })()"##,
        )?;
        let titles: Vec<String> = serde_json::from_value(facts["titles"].clone())?;
        assert!(titles.len() >= 30, "{titles:?}");
        assert_eq!(facts["contents"].as_u64(), Some(titles.len() as u64));
        assert_eq!(facts["duplicates"], 0, "ids unique across chapters");
        assert_eq!(
            facts["broken"],
            serde_json::json!([]),
            "in-page links resolve"
        );

        let pdf = print_pdf(&tab)?;
        let (pages, text) = pdf_pages_and_text(&pdf)?;
        let sheets: Vec<&str> = text.split('\u{c}').collect();
        assert!(
            pages >= titles.len() + 2,
            "{pages} pages for {} chapters",
            titles.len()
        );
        let squash = |s: &str| s.split_whitespace().collect::<String>();
        // The cover, then the contents, then each chapter at the top of a page of its own.
        assert!(
            squash(sheets[0]).contains("电信纠纷维权指南"),
            "cover: {}",
            sheets[0]
        );
        assert!(
            squash(sheets[1]).starts_with("目录"),
            "contents: {}",
            sheets[1]
        );
        let mut from = 2;
        let mut starts = std::collections::BTreeSet::new();
        for t in &titles {
            // The title opens the page (after the part's name on a part's first chapter).
            let found = (from..sheets.len()).find(|&i| {
                let lines: Vec<&str> = sheets[i].lines().filter(|l| !l.trim().is_empty()).collect();
                (0..2.min(lines.len())).any(|skip| {
                    squash(&lines[skip..lines.len().min(skip + 3)].join("")).starts_with(&squash(t))
                })
            });
            let i = found.ok_or_else(|| format!("chapter {t:?} does not start a page"))?;
            starts.insert(i);
            from = i + 1;
        }
        // No heading is left alone at the bottom of a page (its section going on overleaf).
        let heads: Vec<String> = serde_json::from_value(facts["heads"].clone())?;
        let laid = layout_pages(&pdf)?;
        for (i, sheet) in laid.iter().enumerate() {
            let last = sheet
                .lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("");
            let continued = i + 1 < laid.len() && !starts.contains(&(i + 1));
            assert!(
                !continued || !heads.iter().any(|h| squash(h) == squash(last)),
                "page {} ends with the heading {last:?}",
                i + 1
            );
        }
        // Outside links print their address.
        let external: Vec<String> = serde_json::from_value(facts["external"].clone())?;
        let flat = squash(&text);
        for url in external.iter().take(5) {
            assert!(flat.contains(url.as_str()), "{url} not printed");
        }
        Ok(())
    });
}
