//! Search, end to end in Node: the shared tokeniser vectors, the labelled query set
//! (recall@5 ≥ 0.95, MRR@5 ≥ 0.85) and the substring properties, over the built bundled guide.
//! Node.js ships with the CI machine image; without it these skip locally, and fail when CI
//! requires the full suite (`GUIDESMITH_REQUIRE_BROWSER=1`).

use std::process::Command;

use crate::harness::*;

fn node() -> Option<&'static str> {
    if Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        return Some("node");
    }
    if std::env::var("GUIDESMITH_REQUIRE_BROWSER").as_deref() == Ok("1") {
        panic!("Node.js is required for the search checks (install Debian's nodejs)");
    }
    eprintln!("skipping search checks: no node");
    None
}

fn run_node(args: &[&str]) -> Run {
    let out = Command::new("node")
        .args(args)
        .current_dir(repo())
        .output()
        .expect("node runs");
    Run::from(out)
}

#[test]
fn tokeniser_vectors_agree_between_rust_and_javascript() {
    if node().is_none() {
        return;
    }
    let r = run_node(&["tests/search/vectors.js"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains(" passed, 0 failed"), "{}", r.stdout);
}

#[test]
fn labelled_queries_meet_recall_and_mrr_and_substrings_are_always_found() {
    if node().is_none() {
        return;
    }
    let p = Project::bundled();
    p.run(&["build"]).ok();
    let site = p.path("public");
    let site = site.to_str().expect("utf-8 path");
    let r = run_node(&["tests/search/eval.js", site]);
    assert_eq!(r.code, 0, "quality below target:\n{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("PASS"), "{}", r.stdout);
    let r = run_node(&["tests/search/props.js", site]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains(" 0 failed"), "{}", r.stdout);
}
