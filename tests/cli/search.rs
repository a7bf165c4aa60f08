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
    skip("Node.js not found (Debian: apt-get install nodejs)");
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

/// The Node checks load the client through `tests/search/client.js`, which joins the theme's
/// parts itself: it must give the bytes a build ships (`search::client`).
#[test]
fn node_checks_join_the_client_exactly_as_the_build_ships_it() {
    if node().is_none() {
        return;
    }
    let r = run_node(&["tests/search/client.js"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let theme = guidesmith::theme::load_files(None).expect("the default theme loads");
    let shipped = guidesmith::search::client::client_script(&theme.files);
    assert!(shipped.contains("GS.query = "), "{shipped}");
    assert!(
        r.stdout == shipped,
        "tests/search/client.js and src/search/client.rs join the client differently"
    );
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

/// The sections of a built site, read back from its one-file index (`search/index.js`:
/// `GS.load('<escaped JSON>')` with pages `[url, title]` and records
/// `[page, anchor, heading, breadcrumb, text(, code)]`).
fn sections_of(index: &str) -> Vec<guidesmith::search::Section> {
    let body = index
        .strip_prefix("GS.load('")
        .and_then(|s| s.strip_suffix("');\n"))
        .expect("an index script");
    let mut json = String::with_capacity(body.len());
    let mut it = body.chars();
    while let Some(c) = it.next() {
        if c != '\\' {
            json.push(c);
            continue;
        }
        match it.next() {
            Some('x') => json.push(char::from(
                u8::from_str_radix(&it.by_ref().take(2).collect::<String>(), 16).expect("hex"),
            )),
            Some('u') => json.push(
                char::from_u32(
                    u32::from_str_radix(&it.by_ref().take(4).collect::<String>(), 16).expect("hex"),
                )
                .expect("char"),
            ),
            Some(e) => json.push(e),
            None => {}
        }
    }
    let v: serde_json::Value = serde_json::from_str(&json).expect("index JSON");
    let pages = v["pages"].as_array().expect("pages");
    let s = |x: &serde_json::Value| x.as_str().unwrap_or("").to_owned();
    v["secs"]
        .as_array()
        .expect("secs")
        .iter()
        .map(|r| {
            let page = &pages[r[0].as_u64().expect("page index") as usize];
            guidesmith::search::Section {
                page: s(&page[0]),
                page_title: s(&page[1]),
                anchor: s(&r[1]),
                heading: s(&r[2]),
                breadcrumb: r[3]
                    .as_array()
                    .map(|b| b.iter().map(s).collect())
                    .unwrap_or_default(),
                text: s(&r[4]),
                code: s(&r[5]),
            }
        })
        .collect()
}

#[test]
fn sharded_layout_answers_a_cold_query_as_with_every_shard_loaded() {
    if node().is_none() {
        return;
    }
    // The bundled guide's sections, indexed in the sharded layout (as a large site would be).
    let p = Project::bundled();
    p.run(&["build"]).ok();
    let sections = sections_of(&p.read("public/search/index.js"));
    assert!(sections.len() > 100, "{} sections", sections.len());
    let out = guidesmith::search::build_with(
        &sections,
        guidesmith::search::Layout::Sharded,
        &mut Default::default(),
    );
    let site = p.path("sharded");
    for (rel, bytes) in &out.files {
        let f = site.join(rel);
        std::fs::create_dir_all(f.parent().expect("a folder")).expect("mkdir");
        std::fs::write(f, &bytes[..]).expect("write");
    }
    // The same sections in the one-file layout, whose client derives the posting lists from the
    // text: the lists decoded from the term shards must equal them.
    let one = p.path("one-file");
    for (rel, bytes) in &guidesmith::search::build_with(
        &sections,
        guidesmith::search::Layout::Single,
        &mut Default::default(),
    )
    .files
    {
        let f = one.join(rel);
        std::fs::create_dir_all(f.parent().expect("a folder")).expect("mkdir");
        std::fs::write(f, &bytes[..]).expect("write");
    }
    let r = run_node(&[
        "tests/search/shards.js",
        site.to_str().expect("utf-8 path"),
        one.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains(" 0 failed"), "{}", r.stdout);
    assert!(r.stdout.contains("\n0 answers differ"), "{}", r.stdout);
    assert!(
        r.stdout.contains(", 0 differ from the one-file"),
        "{}",
        r.stdout
    );
}
