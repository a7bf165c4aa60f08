//! Tools (issue 24): tool YAML errors located with a "did you mean", cross-file references
//! checked, tool pages built, and the tools' date and state modules checked in Node (the date
//! vectors name the facts.md row each rule rests on). Without Node the Node checks skip
//! locally, and fail when CI requires the full suite (`GUIDESMITH_REQUIRE_BROWSER=1`).

use std::process::Command;

use crate::harness::*;
use crate::output::small_guide;

/// A small valid tool for `chapters/a.md` of the small guide.
pub const TOOL: &str = "id: demo\ntitle: 演示工具\npurpose: 演示\nchapter: chapters/a.md\nchecklists: [demo]\nsections:\n  - title: 一\n    fields:\n      - id: name\n        label: 姓名\n      - id: event\n        label: 日期\n        type: date\n    repeat:\n      id: facts\n      item: 一件事\n      fields:\n        - id: what\n          label: 内容\nrules:\n  - id: last\n    label: 最晚\n    from: event\n    add: {months: 5}\n    basis: 某办法第十一条\n    facts: §3\ndocument:\n  title: 函\n  blocks:\n    - kind: paragraph\n      text: 本人{name}。\n    - kind: list\n      each: facts\n      text: \"{what}\"\n";

fn project(name: &str, tool: &str) -> Project {
    let p = Project::empty(name);
    small_guide(&p, "guide");
    p.write("guide/tools/demo.yaml", tool);
    p
}

/// `check` fails and its stderr has every one of `wants`.
fn refused(name: &str, tool: &str, wants: &[&str]) {
    let r = project(name, tool).run(&["check"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    for w in wants {
        assert!(r.stderr.contains(w), "missing {w:?} in:\n{}", r.stderr);
    }
}

#[test]
fn a_valid_tool_passes_check_and_builds_its_page_and_the_index() {
    let p = project("tool_ok", TOOL);
    let r = p.run(&["check"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = p.run(&["build"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let page = p.read("public/tools/demo.html");
    assert!(page.contains("data-tool=\"demo\""), "{page}");
    assert!(page.contains("data-slot=\"name\""), "{page}");
    assert!(page.contains("data-unit=\"months\""), "{page}");
    assert!(
        page.contains("static/tools."),
        "tool page loads the tools script"
    );
    assert!(p.read("public/tools/index.html").contains("演示工具"));
    // Chapter pages do not pay for the tools: no tools script or stylesheet.
    assert!(!p.read("public/a.html").contains("static/tools."));
    // The checklist links to the tool that goes with it.
    assert!(p
        .read("public/checklists/demo.html")
        .contains("tools/demo.html"));
}

#[test]
fn tool_unknown_key_is_located_with_a_did_you_mean() {
    let t = TOOL.replace("        label: 姓名", "        lable: 姓名");
    refused(
        "tool_key",
        &t,
        &["--> guide/tools/demo.yaml:10:9", "did you mean `label`?"],
    );
}

#[test]
fn tool_unknown_field_type_gets_a_hint() {
    let t = TOOL.replace("type: date", "type: dat");
    refused(
        "tool_type",
        &t,
        &[
            "--> guide/tools/demo.yaml:13:15",
            "unknown field type `dat`",
            "did you mean `date`?",
        ],
    );
}

#[test]
fn document_placeholder_naming_no_field_gets_a_hint() {
    let t = TOOL.replace("本人{name}", "本人{nmae}");
    refused(
        "tool_slot",
        &t,
        &["unknown field placeholder `nmae`", "did you mean `name`?"],
    );
}

#[test]
fn rule_must_name_a_date_field_a_facts_section_and_one_unit() {
    let t = TOOL
        .replace("from: event", "from: evnt")
        .replace("facts: §3", "facts: 第三节");
    refused(
        "tool_rule",
        &t,
        &[
            "unknown date field `evnt`",
            "did you mean `event`?",
            "facts.md section like `§3`",
        ],
    );
    let t = TOOL.replace("{months: 5}", "{months: 5, days: 3}");
    refused(
        "tool_add",
        &t,
        &["exactly one of days, months, years, workdays"],
    );
}

#[test]
fn references_to_chapters_checklists_and_imported_tools_are_checked() {
    let t = TOOL
        .replace("chapter: chapters/a.md", "chapter: chapters/aa.md")
        .replace("checklists: [demo]", "checklists: [dmeo]")
        .replace(
            "      item: 一件事\n",
            "      item: 一件事\n      import: {tool: case-log, group: entries}\n",
        );
    refused(
        "tool_refs",
        &t,
        &[
            "no chapter `chapters/aa.md`\n --> guide/tools/demo.yaml:4:10",
            "no checklist with id `dmeo`",
            "did you mean `demo`?",
            "`import` names no tool `case-log`",
        ],
    );
}

#[test]
fn send_needs_rules_and_a_target_group_with_the_fields_it_names() {
    let t = format!("{TOOL}send: {{tool: demo, group: facts, date: what, text: what}}\n");
    refused("tool_send", &t, &["group `facts` has no date field `what`"]);
    let t = format!("{TOOL}send: {{tool: demo, group: fatcs, date: what, text: what}}\n");
    refused("tool_send2", &t, &["tool `demo` has no group `fatcs`"]);
    let t = TOOL.split("rules:").next().unwrap_or_default().to_owned()
        + "send: {tool: demo, group: facts, date: what, text: what}\n";
    refused("tool_send3", &t, &["this tool has no `rules`"]);
}

#[test]
fn forbidden_claims_are_found_in_tool_files_too() {
    let p = project(
        "tool_forbidden",
        &TOOL.replace("purpose: 演示", "purpose: 打 12381 申诉"),
    );
    let cfg = p.read("guide/guide.yaml")
        + "forbidden:\n  - text: 12381 申诉\n    reason: 12381 不是申诉电话\n";
    p.write("guide/guide.yaml", cfg);
    let r = p.run(&["check"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("--> guide/tools/demo.yaml:3:"),
        "{}",
        r.stderr
    );
}

#[test]
fn chapter_links_to_missing_tools_are_errors() {
    let p = project("tool_link", TOOL);
    p.write("guide/chapters/b.md", "---\ntitle: 第二章\n---\n\n## 花费\n\n用[工具](../tools/demo.yaml)，别用[这个](../tools/dmeo.yaml)。\n");
    let r = p.run(&["check"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("link to missing tool `tools/dmeo.yaml`"),
        "{}",
        r.stderr
    );
    assert_eq!(
        r.stderr.matches("link to missing tool").count(),
        1,
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("did you mean `tools/demo.yaml`?"),
        "{}",
        r.stderr
    );
}

fn node(script: &str) {
    if Command::new("node").arg("--version").output().is_err() {
        return skip("Node.js not found (Debian: apt-get install nodejs)");
    }
    let out = Command::new("node")
        .arg(script)
        .current_dir(repo())
        .output()
        .expect("node runs");
    let r = Run::from(out);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains(" passed, 0 failed"), "{}", r.stdout);
}

#[test]
fn date_rules_pass_their_vectors_in_node() {
    node("tests/tools/dates.test.js");
}

#[test]
fn saved_state_round_trips_and_bad_files_are_refused_in_node() {
    node("tests/tools/state.test.js");
}
