//! Tools (issue 24) in the browser: the letter builder restores everything after a reload and
//! prints as a one- or two-page A4 letter with each value in place and no page furniture; the
//! appeal pre-check refuses a fee dispute past 5 months and says why; the case log's export →
//! clear → import gives back the same bytes; a hostile string stays text on screen and paper;
//! the letter imports contacts from the case log; the calculator shows its dates.

use headless_chrome::Tab;
use serde_json::Value;

use crate::*;

pub const TOOLS: [&str; 4] = ["appeal", "case-log", "deadlines", "letter"];
const HOSTILE: &str = "</script><img src=x onerror=alert(1)>";

/// Sets a value (as the reader would) and fires the events the page listens to.
const SET: &str = r#"
window.__set = function (el, v) {
  if (el.tagName === 'FIELDSET') { el.querySelectorAll('input').forEach(function (i) { i.checked = i.value === v; }); }
  else { el.value = v; }
  el.dispatchEvent(new Event('input', { bubbles: true }));
  el.dispatchEvent(new Event('change', { bubbles: true }));
};
window.__add = function (group, n) {
  var b = document.querySelector('.tool-repeat[data-repeat="' + group + '"] .tr-add');
  for (var i = 0; i < n; i++) b.click();
  return document.querySelectorAll('.tool-repeat[data-repeat="' + group + '"] .tr-row');
};
"#;

/// Fills every field of the page: text fields get `text(id, n)`, dates a fixed day, selects
/// their first option, yes/no "是"; each group gets two rows.
fn fill_all(tab: &Tab, text: &str) -> R {
    eval(tab, SET)?;
    let js = format!(
        r#"(function () {{
      var text = {text};
      document.querySelectorAll('.tool-repeat').forEach(function (rep) {{ __add(rep.dataset.repeat, 2); }});
      var n = 0;
      document.querySelectorAll('.tool-form [data-field]').forEach(function (el) {{
        n += 1;
        var id = el.dataset.field;
        if (el.tagName === 'FIELDSET') return __set(el, '是');
        if (el.tagName === 'SELECT') return __set(el, el.options[1].value);
        if (el.type === 'date') return __set(el, '2026-11-2' + (n % 10));
        if (el.type === 'time') return __set(el, '09:30');
        __set(el, text(id, n));
      }});
      return n;
    }})()"#
    );
    eval(tab, &js)?;
    Ok(())
}

fn state(tab: &Tab) -> Result<Value, Box<dyn std::error::Error>> {
    eval_json(tab, "GSTool.read(document.querySelector('article.tool'))")
}

/// Text with all whitespace removed (pdftotext breaks lines where the page does).
fn squeeze(s: &str) -> String {
    s.split_whitespace().collect()
}

#[test]
fn letter_builder_restores_everything_after_reload_and_prints_a_clean_a4_letter() {
    with_browser(|b| {
        let tab = tab(b)?;
        let url = file_url("tools/letter.html");
        open(&tab, &url)?;
        fill_all(&tab, "function (id, n) { return id === 'amount' || id === 'days' ? String(10 + n) : '值' + n + id; }")?;
        let before = state(&tab)?;
        reload(&tab)?;
        let after = state(&tab)?;
        assert_eq!(before, after, "state after reload");
        assert_eq!(after["groups"]["facts"].as_array().map(Vec::len), Some(2));

        let (pages, text) = pdf_pages_and_text(&print_pdf(&tab)?)?;
        assert!((1..=2).contains(&pages), "letter printed on {pages} pages");
        let flat = squeeze(&text);
        let mut values: Vec<String> = Vec::new();
        for v in after["fields"]
            .as_object()
            .into_iter()
            .flat_map(|o| o.values())
        {
            values.push(v.as_str().unwrap_or_default().to_owned());
        }
        for rows in after["groups"]
            .as_object()
            .into_iter()
            .flat_map(|o| o.values())
        {
            for row in rows.as_array().into_iter().flatten() {
                for v in row.as_object().into_iter().flat_map(|o| o.values()) {
                    values.push(v.as_str().unwrap_or_default().to_owned());
                }
            }
        }
        for v in values.iter().filter(|v| !v.starts_with("2026-")) {
            assert!(
                flat.contains(&squeeze(v)),
                "value {v:?} missing from the printed letter:\n{text}"
            );
        }
        assert!(flat.contains("2026年11月"), "dates print as 年月日: {text}");
        for part in ["此致", "敬礼", "投诉人：", "附件清单", "的投诉函"] {
            assert!(flat.contains(part), "letter part {part} missing:\n{text}");
        }
        for chrome in [
            "清除全部",
            "导出",
            "打印预览",
            "添加",
            "跳到正文",
            "只留在这台设备",
            "搜索",
            "file:",
        ] {
            assert!(
                !flat.contains(chrome),
                "UI text {chrome:?} printed:\n{text}"
            );
        }
        // Salutation first, then the body, closing, signature and the attachment list, in order.
        let order = ["的投诉函", "：本人", "此致", "敬礼", "投诉人：", "附件清单"];
        let at: Vec<usize> = order
            .iter()
            .map(|p| flat.find(p).unwrap_or(usize::MAX))
            .collect();
        assert!(
            at.windows(2).all(|w| w[0] < w[1]),
            "letter parts out of order {at:?}:\n{text}"
        );
        assert_no_problems(&tab, &url)
    });
}

#[test]
fn appeal_precheck_refuses_a_fee_dispute_past_five_months_and_says_why() {
    with_browser(|b| {
        let tab = tab(b)?;
        let url = file_url("tools/appeal.html");
        open(&tab, &url)?;
        eval(&tab, SET)?;
        let answer = |field: &str, v: &str| {
            eval(
                &tab,
                &format!("__set(document.querySelector('[data-field=\"{field}\"]'), {v:?})"),
            )
        };
        let result = || {
            eval_json(&tab, "({cls: document.querySelector('.check-result').className, text: document.querySelector('.check-result').textContent, n: document.querySelectorAll('.check-refusals > li').length})")
        };
        assert!(result()?["text"]
            .as_str()
            .unwrap_or("")
            .contains("还有问题没有回答"));
        for (f, v) in [
            ("direct", "是"),
            ("dispute", "收费争议"),
            ("complained-first", "是"),
            ("complained", "2020-02-01"),
            ("answer", "已答复，但我不满意"),
            ("settled", "否"),
            ("elsewhere", "否"),
            ("event", "2020-01-01"),
        ] {
            answer(f, v)?;
        }
        let r = result()?;
        let text = r["text"].as_str().unwrap_or_default();
        assert!(
            r["cls"].as_str().unwrap_or("").contains("check-refused"),
            "{r}"
        );
        assert_eq!(r["n"], 1, "exactly one reason: {text}");
        assert!(
            text.contains("不会被受理") && text.contains("超过 5 个月"),
            "{text}"
        );
        assert!(
            text.contains("《电信用户申诉处理办法》第十一条"),
            "the rule cited: {text}"
        );
        assert!(text.contains("法律途径"), "what to do instead: {text}");
        // The same dispute that happened today is not refused.
        answer("event", &eval_str(&tab, "GSDates.today()")?)?;
        answer("complained", &eval_str(&tab, "GSDates.today()")?)?;
        let r = result()?;
        assert!(
            r["cls"].as_str().unwrap_or("").contains("check-clear"),
            "{r}"
        );
        // Not complained to the carrier first: refused, with what to do.
        answer("complained-first", "否")?;
        let r = result()?;
        assert!(
            r["text"].as_str().unwrap_or("").contains("先向运营商投诉"),
            "{r}"
        );
        assert_no_problems(&tab, &url)
    });
}

/// The text the page exports, caught at `URL.createObjectURL`.
fn export(tab: &Tab) -> Result<String, Box<dyn std::error::Error>> {
    eval(tab, "window.__blob = null; URL.createObjectURL = function (b) { window.__blob = b; return 'blob:x'; }; URL.revokeObjectURL = function () {}; HTMLAnchorElement.prototype.click = function () {}; document.querySelector('.tool-export').click()")?;
    eval_str(tab, "window.__blob.text()")
}

fn import(tab: &Tab, text: &str) -> R {
    let js = format!(
        "(function () {{ var dt = new DataTransfer(); dt.items.add(new File([{lit}], 'backup.json', {{ type: 'application/json' }})); var i = document.querySelector('.tool-import'); i.files = dt.files; i.dispatchEvent(new Event('change')); }})()",
        lit = serde_json::to_string(text)?
    );
    eval(tab, &js)?;
    // FileReader is asynchronous: wait for the page's message.
    for _ in 0..200 {
        if !eval_str(tab, "document.querySelector('.tool-message').textContent")?.is_empty() {
            return Ok(());
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    Err("import gave no message".into())
}

#[test]
fn case_log_export_clear_import_restores_it_byte_for_byte() {
    with_browser(|b| {
        let tab = tab(b)?;
        let url = file_url("tools/case-log.html");
        open(&tab, &url)?;
        fill_all(
            &tab,
            &format!(
                "function (id, n) {{ return n % 3 ? '第' + n + '项\\n第二行' : {HOSTILE:?}; }}"
            ),
        )?;
        let stored = || eval(&tab, "localStorage.getItem('gs-tool:case-log')");
        let file = export(&tab)?;
        assert_eq!(
            stored()?,
            Value::String(file.clone()),
            "export is what is stored"
        );
        assert!(file.contains("onerror"), "{file}");

        eval(&tab, "window.confirm = function () { return true; }; document.querySelector('.tool-clear').click()")?;
        assert_eq!(stored()?, Value::Null, "cleared");
        assert_eq!(
            eval(&tab, "document.querySelectorAll('.tr-row').length")?,
            0
        );

        eval(
            &tab,
            "document.querySelector('.tool-message').textContent = ''",
        )?;
        import(&tab, &file)?;
        assert_eq!(
            stored()?,
            Value::String(file.clone()),
            "import restores the same bytes"
        );
        assert_eq!(export(&tab)?, file, "and exports them again");
        assert_eq!(
            eval(&tab, "document.querySelectorAll('.tr-row').length")?,
            2
        );

        // A bad file gets a clear message and changes nothing.
        for bad in [
            "{not json",
            "{\"v\":1,\"tool\":\"letter\",\"fields\":{},\"groups\":{}}",
        ] {
            eval(
                &tab,
                "document.querySelector('.tool-message').textContent = ''",
            )?;
            import(&tab, bad)?;
            let msg = eval_str(&tab, "document.querySelector('.tool-message').textContent")?;
            assert!(msg.contains("没有做任何改动"), "{msg}");
            assert_eq!(
                stored()?,
                Value::String(file.clone()),
                "a bad file changed the state"
            );
        }
        assert_no_problems(&tab, &url)
    });
}

#[test]
fn hostile_text_in_every_field_stays_text_on_screen_and_on_paper() {
    with_browser(|b| {
        let tab = tab(b)?;
        for id in TOOLS {
            let url = file_url(&format!("tools/{id}.html"));
            open(&tab, &url)?;
            eval(
                &tab,
                "window.__alerts = 0; window.alert = function () { window.__alerts += 1; }",
            )?;
            fill_all(&tab, &format!("function () {{ return {HOSTILE:?}; }}"))?;
            reload(&tab)?;
            eval(
                &tab,
                "window.__alerts = 0; window.alert = function () { window.__alerts += 1; }",
            )?;
            let filled = eval(&tab, &format!("Array.from(document.querySelectorAll('.tool-form input[type=text], .tool-form textarea')).every(function (e) {{ return e.value === {HOSTILE:?}; }})"))?;
            assert_eq!(filled, Value::Bool(true), "{id}: values restored as typed");
            assert_eq!(
                eval(
                    &tab,
                    "document.querySelectorAll('main img, main script').length"
                )?,
                0,
                "{id}: markup was made"
            );
            assert_eq!(eval(&tab, "window.__alerts")?, 0, "{id}: script ran");
            if id == "deadlines" {
                continue;
            }
            let shown = eval_str(&tab, "document.querySelector('.tool-doc').textContent")?;
            assert!(shown.contains(HOSTILE), "{id}: not shown as text: {shown}");
            let (_, text) = pdf_pages_and_text(&print_pdf(&tab)?)?;
            assert!(
                squeeze(&text).contains(&squeeze(HOSTILE)),
                "{id}: not printed as text:\n{text}"
            );
            assert_no_problems(&tab, &url)?;
        }
        Ok(())
    });
}

#[test]
fn letter_imports_contacts_and_evidence_from_the_case_log() {
    with_browser(|b| {
        let tab = tab(b)?;
        open(&tab, &file_url("tools/case-log.html"))?;
        eval(&tab, SET)?;
        eval(
            &tab,
            r#"(function () {
            var rows = __add('entries', 3);
            var put = function (row, f, v) { __set(row.querySelector('[data-field="' + f + '"]'), v); };
            put(rows[0], 'kind', '联系记录'); put(rows[0], 'staff', 'A1234'); put(rows[0], 'promised', '三天内回电');
            put(rows[1], 'kind', '证据'); put(rows[1], 'what', '三月账单截图');
            put(rows[2], 'kind', '其他'); put(rows[2], 'what', '不该导入');
        })()"#,
        )?;
        open(&tab, &file_url("tools/letter.html"))?;
        eval(
            &tab,
            "document.querySelectorAll('.tr-import').forEach(function (b) { b.click(); })",
        )?;
        let s = state(&tab)?;
        assert_eq!(s["groups"]["contacts"][0]["staff"], "A1234", "{s}");
        assert_eq!(s["groups"]["contacts"][0]["promised"], "三天内回电", "{s}");
        assert_eq!(s["groups"]["evidence"][0]["what"], "三月账单截图", "{s}");
        assert_eq!(
            s["groups"]["evidence"].as_array().map(Vec::len),
            Some(1),
            "{s}"
        );
        // Importing again adds nothing twice.
        eval(
            &tab,
            "document.querySelectorAll('.tr-import').forEach(function (b) { b.click(); })",
        )?;
        assert_eq!(
            state(&tab)?["groups"]["contacts"].as_array().map(Vec::len),
            Some(1)
        );
        Ok(())
    });
}

#[test]
fn deadline_calculator_shows_each_date_with_its_rule() {
    with_browser(|b| {
        let tab = tab(b)?;
        let url = file_url("tools/deadlines.html");
        open(&tab, &url)?;
        eval(&tab, SET)?;
        for (f, v) in [
            ("event", "2026-01-31"),
            ("complained", "2026-12-25"),
            ("appealed", "2026-12-11"),
        ] {
            eval(
                &tab,
                &format!("__set(document.querySelector('[data-field=\"{f}\"]'), '{v}')"),
            )?;
        }
        let out = |rule: &str| {
            eval_str(
                &tab,
                &format!("document.querySelector('[data-rule=\"{rule}\"]').textContent"),
            )
        };
        assert!(
            out("fee-last")?.contains("2026年6月30日（星期二）"),
            "{}",
            out("fee-last")?
        );
        assert!(out("fee-last")?.contains("第十一条"));
        assert!(
            out("wait")?.contains("2027年1月9日（星期六）"),
            "{}",
            out("wait")?
        );
        let weekend = |rule: &str| {
            let q =
                format!("document.querySelector('[data-rule=\"{rule}\"] .rule-weekend').hidden");
            eval(&tab, &q)
        };
        assert_eq!(
            weekend("wait")?,
            Value::Bool(false),
            "a Saturday is flagged"
        );
        assert_eq!(weekend("decide")?, Value::Bool(true), "a Friday is not");
        assert!(
            out("decide")?.contains("2026年12月18日（星期五）"),
            "{}",
            out("decide")?
        );
        assert!(out("decide")?.contains("没有考虑法定节假日"));
        assert!(out("answer")?.contains("填写“受理机构收到全部材料的日期”后显示"));
        // The dates go into the case log as rows of kind 期限, once.
        eval(&tab, "document.querySelector('.tool-send').click(); document.querySelector('.tool-send').click()")?;
        let log = eval_json(
            &tab,
            "JSON.parse(localStorage.getItem('gs-tool:case-log')).groups.entries",
        )?;
        let rows = log.as_array().cloned().unwrap_or_default();
        assert_eq!(rows.len(), 4, "{log}");
        assert!(rows.iter().all(|r| r["kind"] == "期限"), "{log}");
        assert!(
            rows.iter().any(|r| r["date"] == "2026-06-30"
                && r["what"].as_str().unwrap_or("").contains("收费争议")),
            "{log}"
        );
        open(&tab, &file_url("tools/case-log.html"))?;
        assert_eq!(
            eval(&tab, "document.querySelectorAll('.tr-row').length")?,
            4
        );
        let doc = eval_str(&tab, "document.querySelector('.tool-doc').textContent")?;
        assert!(doc.contains("2026年6月30日 期限"), "{doc}");
        open(&tab, &url)?;
        let (pages, text) = pdf_pages_and_text(&print_pdf(&tab)?)?;
        assert!(pages <= 2, "{pages} pages");
        assert!(squeeze(&text).contains("2026年6月30日"), "{text}");
        assert_no_problems(&tab, &url)
    });
}

#[test]
fn axe_finds_no_violations_on_the_tool_pages_filled_in_light_and_dark() {
    with_browser(|b| {
        let Some(axe) = crate::a11y::axe_source() else {
            return Ok(());
        };
        let tab = tab(b)?;
        let mut failures = Vec::new();
        for scheme in ["light", "dark"] {
            crate::a11y::emulate_scheme(&tab, scheme)?;
            for id in TOOLS.iter().chain(["index"].iter()) {
                open(&tab, &file_url(&format!("tools/{id}.html")))?;
                if *id != "index" {
                    fill_all(&tab, "function (id, n) { return '内容' + n; }")?;
                }
                for v in crate::a11y::axe_violations(&tab, &axe)? {
                    failures.push(format!("tools/{id} [{scheme}]: {v}"));
                }
                phone(&tab)?;
                for v in crate::a11y::axe_violations(&tab, &axe)? {
                    failures.push(format!("tools/{id} phone [{scheme}]: {v}"));
                }
                viewport(&tab, 1280, 900, 1.0, false)?;
                eval(&tab, "localStorage.clear()")?;
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

/// Sample answers for the screenshots: (field, value) for the page, and rows per group.
fn sample(id: &str) -> &'static str {
    match id {
        "letter" => {
            r#"{"fields": {"carrier": "中国移动××省××市分公司", "department": "客户投诉处理部门", "subject": "号码 138××××0000 不明扣费", "name": "张××", "number": "138××××0000", "phone": "138××××0000", "address": "××市××区××路 1 号", "summary": "今年 9 月至 11 月，我的账单每月多出一笔 10 元的“视频会员”费，我从未订购这项业务。", "amount": "30", "demand": "退还 9 月至 11 月被扣的“视频会员”费共 30 元；取消该业务，并书面说明它的开通时间、开通渠道和开通依据。", "days": "15", "reply": "短信", "date": "2026-12-07"},
            "groups": {"facts": [{"date": "2026-09-01", "what": "账单首次出现“视频会员”10 元。"}, {"date": "2026-11-02", "what": "查看已订业务，发现该业务“已开通”，开通时间不明。"}],
                       "contacts": [{"date": "2026-11-03", "channel": "客服热线", "staff": "A1234", "ticket": "2026110300123", "promised": "3 个工作日内回电，至今未回。"}],
                       "evidence": [{"what": "9 月至 11 月账单截图"}, {"what": "已订业务列表截图"}, {"what": "与客服沟通的短信截图"}]}}"#
        }
        "appeal" => {
            r#"{"fields": {"direct": "是", "dispute": "收费争议", "event": "2026-03-01", "complained-first": "是", "complained": "2026-11-03", "answer": "已答复，但我不满意", "settled": "否", "elsewhere": "否", "name": "张××"}, "groups": {}}"#
        }
        "deadlines" => {
            r#"{"fields": {"event": "2026-09-01", "knew": "2026-11-02", "complained": "2026-11-03", "appealed": "2026-12-07"}, "groups": {}}"#
        }
        _ => {
            r#"{"fields": {"carrier": "中国移动××市分公司", "number": "138××××0000", "problem": "每月多扣 10 元“视频会员”费，从未订购。"},
            "groups": {"entries": [{"kind": "证据", "date": "2026-11-02", "what": "截图保存 9 月至 11 月账单"}, {"kind": "联系记录", "date": "2026-11-03", "time": "10:15", "channel": "客服热线", "staff": "A1234", "ticket": "2026110300123", "what": "要求查明并退费", "promised": "3 个工作日内回电", "deadline": "2026-11-06"}]}}"#
        }
    }
}

fn shot(tab: &Tab, path: &std::path::Path) -> R {
    use headless_chrome::protocol::cdp::Page::CaptureScreenshotFormatOption;
    let png = tab.capture_screenshot(CaptureScreenshotFormatOption::Png, None, None, true)?;
    std::fs::write(path, png)?;
    Ok(())
}

/// Regenerates docs/screenshots/tool-*.png: each tool filled with sample answers, on a phone
/// (390×844: the top, then the result) and a desktop (1366×800, the result), and the letter as
/// printed (page 1 through pdftoppm). Run on purpose: `cargo test --test browser -- --ignored
/// screenshots`.
#[test]
#[ignore]
fn screenshots_of_the_tools() {
    with_browser(|b| {
        let tab = tab(b)?;
        let out = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/screenshots");
        for id in TOOLS {
            open(&tab, &file_url(&format!("tools/{id}.html")))?;
            let js = format!("(function (s) {{ var a = document.querySelector('article.tool'); GSTool.fill(a, s); GSTool.save(a); }})({})", sample(id));
            eval(&tab, &js)?;
            let result = "document.querySelector('.tool-checks, .tool-rules, .tool-preview').scrollIntoView(); window.scrollBy(0, -130)";
            phone(&tab)?;
            reload(&tab)?;
            shot(&tab, &out.join(format!("tool-{id}-phone.png")))?;
            eval(&tab, result)?;
            shot(&tab, &out.join(format!("tool-{id}-phone-result.png")))?;
            viewport(&tab, 1366, 800, 1.0, false)?;
            reload(&tab)?;
            eval(&tab, result)?;
            shot(&tab, &out.join(format!("tool-{id}-desktop.png")))?;
            if id == "letter" {
                let pdf = scratch_root().join("letter.pdf");
                std::fs::write(&pdf, print_pdf(&tab)?)?;
                let status = std::process::Command::new("pdftoppm")
                    .args(["-png", "-r", "80", "-f", "1", "-l", "2"])
                    .arg(&pdf)
                    .arg(out.join("tool-letter-print"))
                    .status()?;
                assert!(status.success(), "pdftoppm");
            }
        }
        Ok(())
    });
}

#[test]
fn the_letter_builder_works_from_the_keyboard_alone() {
    with_browser(|b| {
        let tab = tab(b)?;
        let url = file_url("tools/letter.html");
        open(&tab, &url)?;
        let focused = |tab: &Tab| {
            eval_str(tab, "(function (e) { return e.tagName + '.' + e.className + '#' + (e.dataset.field || ''); })(document.activeElement)")
        };
        // Tab to the first field, type, then on to the "add a fact" button and press Enter.
        let mut seen = Vec::new();
        for _ in 0..80 {
            tab.press_key("Tab")?;
            let f = focused(&tab)?;
            if f.ends_with("#carrier") {
                tab.type_str("中国移动")?;
            }
            if f.starts_with("BUTTON.tr-add") {
                tab.press_key("Enter")?;
                break;
            }
            seen.push(f);
        }
        // The new row's first field has the focus; typing fills it and it is saved.
        assert!(
            focused(&tab)?.ends_with("#date"),
            "focus after add: {}",
            focused(&tab)?
        );
        // A date field's year, month and day are stops of their own.
        for _ in 0..5 {
            tab.press_key("Tab")?;
            if focused(&tab)?.ends_with("#what") {
                break;
            }
        }
        tab.type_str("营业厅办理")?;
        let s = state(&tab)?;
        assert_eq!(s["fields"]["carrier"], "中国移动", "{s} after {seen:?}");
        assert_eq!(s["groups"]["facts"][0]["what"], "营业厅办理", "{s}");
        // Every field has a label the keyboard user hears.
        let unlabelled = eval(&tab, "Array.from(document.querySelectorAll('.tool input:not([type=radio]), .tool textarea, .tool select')).filter(function (e) { return !(e.labels && e.labels.length); }).length")?;
        assert_eq!(unlabelled, 0);
        assert_no_problems(&tab, &url)
    });
}

#[test]
fn saved_answers_the_page_cannot_read_are_kept_aside_not_overwritten() {
    with_browser(|b| {
        let tab = tab(b)?;
        let url = file_url("tools/letter.html");
        open(&tab, &url)?;
        let bad = r#"{"v":1,"tool":"letter","fields":{"reply":"飞鸽传书"},"groups":{}}"#;
        eval(
            &tab,
            &format!("localStorage.setItem('gs-tool:letter', {bad:?})"),
        )?;
        reload(&tab)?;
        let msg = eval_str(&tab, "document.querySelector('.tool-message').textContent")?;
        assert!(
            msg.contains("读不出来") && msg.contains("没有删除"),
            "{msg}"
        );
        assert_eq!(
            eval(&tab, "localStorage.getItem('gs-tool:letter:unreadable')")?,
            Value::String(bad.into())
        );
        // Typing afterwards saves afresh and leaves the unreadable copy alone.
        eval(&tab, SET)?;
        eval(
            &tab,
            "__set(document.querySelector('[data-field=\"name\"]'), '张三')",
        )?;
        assert_eq!(
            eval(&tab, "localStorage.getItem('gs-tool:letter:unreadable')")?,
            Value::String(bad.into())
        );
        assert!(eval_str(&tab, "localStorage.getItem('gs-tool:letter')")?.contains("张三"));
        assert_no_problems(&tab, &url)
    });
}
