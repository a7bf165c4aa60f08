//! Crude guide reader for developing search: guide/ Markdown + checklists → Sections → files.
//! Usage: guide2idx GUIDE_DIR OUT_DIR [single|sharded|auto] [--html] [--phases] [--edit]
//! Prints entry, sizes, timing as JSON; `--html` also writes one plain HTML page per page (for
//! running Pagefind over the same text); `--edit` also times cached rebuilds (unchanged, and
//! after appending to one section's text, as `guidesmith serve` does after a chapter edit).
use search_bench::search::{build_cached_with, build_with, Cache, Layout, Section};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

fn slugify(text: &str) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in text.chars() {
        if c.is_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.extend(c.to_lowercase());
        } else {
            dash = true;
        }
    }
    if out.is_empty() {
        out.push_str("section");
    }
    out
}

fn unique(used: &mut HashSet<String>, base: String) -> String {
    if used.insert(base.clone()) {
        return base;
    }
    (1..)
        .map(|n| format!("{base}-{n}"))
        .find(|c| used.insert(c.clone()))
        .unwrap()
}

fn inline(s: &str) -> String {
    // links/images → text, strip emphasis, code ticks, footnote refs, simple tags
    let mut out = String::new();
    let b: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == '[' && b.get(i + 1) == Some(&'^') {
            while i < b.len() && b[i] != ']' {
                i += 1;
            }
            i += 1;
            continue;
        }
        if c == ']' && b.get(i + 1) == Some(&'(') {
            let mut j = i + 1;
            while j < b.len() && b[j] != ')' {
                j += 1;
            }
            i = j + 1;
            continue;
        }
        if c == '<' {
            if let Some(k) = b[i..].iter().position(|&x| x == '>') {
                if k < 10 {
                    i += k + 1;
                    continue;
                }
            }
        }
        if matches!(c, '*' | '`' | '[' | '!' if c != '!' || b.get(i + 1) == Some(&'[')) {
            i += 1;
            continue;
        }
        if c == '|' {
            out.push(' ');
        } else {
            out.push(c);
        }
        i += 1;
    }
    out
}

fn strip_line(l: &str) -> Option<String> {
    let mut t = l.trim();
    if t.starts_with("> [!")
        || t.chars().all(|c| matches!(c, '|' | '-' | ':' | ' ')) && !t.is_empty()
    {
        return None;
    }
    loop {
        let before = t;
        t = t.trim_start_matches('>').trim_start();
        for m in ["- [ ] ", "- [x] ", "- ", "* ", "+ "] {
            if let Some(r) = t.strip_prefix(m) {
                t = r;
            }
        }
        let digits = t.chars().take_while(|c| c.is_ascii_digit()).count();
        if digits > 0 && t[digits..].starts_with(". ") {
            t = &t[digits + 2..];
        }
        if t == before {
            break;
        }
    }
    Some(inline(t))
}

fn front(md: &str) -> (Vec<(String, String)>, Vec<String>, &str) {
    let mut kv = Vec::new();
    let mut summary = Vec::new();
    if let Some(rest) = md.strip_prefix("---\n") {
        if let Some(end) = rest.find("\n---\n") {
            let fm = &rest[..end];
            let mut in_sum = false;
            for l in fm.lines() {
                if let Some(item) = l.trim().strip_prefix("- ") {
                    if in_sum {
                        summary.push(inline(item));
                    }
                    continue;
                }
                in_sum = l.starts_with("summary:");
                if let Some((k, v)) = l.split_once(':') {
                    kv.push((k.trim().to_string(), v.trim().to_string()));
                }
            }
            return (kv, summary, &rest[end + 5..]);
        }
    }
    (kv, summary, md)
}

fn chapter(path: &Path, url: String, part: &str, out: &mut Vec<Section>) {
    let md = std::fs::read_to_string(path).unwrap_or_default();
    let (kv, summary, body) = front(&md);
    let title = kv
        .iter()
        .find(|(k, _)| k == "title")
        .map(|x| x.1.clone())
        .unwrap_or_default();
    let mut used = HashSet::new();
    let mut cur = Section {
        page: url.clone(),
        anchor: String::new(),
        page_title: title.clone(),
        heading: String::new(),
        breadcrumb: vec![part.to_string(), title.clone()],
        text: summary.join("\n"),
        code: String::new(),
    };
    let mut h2 = String::new();
    let mut fence: Option<String> = None;
    for l in body.lines() {
        if let Some(info) = &fence {
            if l.trim_start().starts_with("```") {
                fence = None;
                continue;
            }
            match info.as_str() {
                "say" => {
                    cur.text.push('\n');
                    cur.text.push_str(l);
                }
                "checklist" => {}
                _ => {
                    cur.code.push('\n');
                    cur.code.push_str(l);
                }
            }
            continue;
        }
        if let Some(info) = l.trim_start().strip_prefix("```") {
            fence = Some(info.trim().to_string());
            continue;
        }
        let level = l.chars().take_while(|&c| c == '#').count();
        if (2..=3).contains(&level) && l[level..].starts_with(' ') {
            let mut h = l[level..].trim().to_string();
            let mut id = None;
            if let Some(p) = h.find("{#") {
                id = Some(h[p + 2..].trim_end_matches('}').to_string());
                h = h[..p].trim().to_string();
            }
            let h = inline(&h);
            let anchor = id.unwrap_or_else(|| unique(&mut used, slugify(&h)));
            let mut bc = vec![part.to_string(), title.clone()];
            if level == 3 && !h2.is_empty() {
                bc.push(h2.clone());
            } else {
                h2 = h.clone();
            }
            let next = Section {
                page: url.clone(),
                anchor,
                page_title: title.clone(),
                heading: h,
                breadcrumb: bc,
                text: String::new(),
                code: String::new(),
            };
            let done = std::mem::replace(&mut cur, next);
            if !done.text.trim().is_empty() || !done.heading.is_empty() {
                out.push(done);
            }
            continue;
        }
        if let Some(t) = strip_line(l) {
            if !t.trim().is_empty() {
                if !cur.text.is_empty() {
                    cur.text.push('\n');
                }
                cur.text.push_str(t.trim());
            }
        }
    }
    if !cur.text.trim().is_empty() || !cur.heading.is_empty() {
        out.push(cur);
    }
}

fn checklist(path: &Path, out: &mut Vec<Section>) {
    let y = std::fs::read_to_string(path).unwrap_or_default();
    let id = path.file_stem().unwrap().to_string_lossy().to_string();
    let url = format!("checklists/{id}.html");
    let mut title = String::new();
    let mut sect = String::new();
    for l in y.lines() {
        let t = l.trim().trim_start_matches("- ");
        let Some((k, v)) = t.split_once(':') else {
            continue;
        };
        let v = v.trim().to_string();
        let indent = l.len() - l.trim_start().len();
        match k {
            "title" if indent == 0 => title = v,
            "title" if indent <= 4 => sect = v,
            "purpose" => out.push(Section {
                page: url.clone(),
                anchor: String::new(),
                page_title: title.clone(),
                heading: String::new(),
                breadcrumb: vec!["清单".into()],
                text: v,
                code: String::new(),
            }),
            "id" if indent > 4 => out.push(Section {
                page: url.clone(),
                anchor: v,
                page_title: title.clone(),
                heading: String::new(),
                breadcrumb: vec!["清单".into(), title.clone(), sect.clone()],
                text: String::new(),
                code: String::new(),
            }),
            "check" | "field" | "note" | "columns" => {
                if let Some(s) = out.last_mut() {
                    if s.heading.is_empty() && k != "note" && k != "columns" {
                        s.heading = v;
                    } else {
                        if !s.text.is_empty() {
                            s.text.push('\n');
                        }
                        s.text.push_str(v.trim_matches(|c| c == '[' || c == ']'));
                    }
                }
            }
            _ => {}
        }
    }
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut v: Vec<PathBuf> = rd.flatten().map(|e| e.path()).collect();
    v.sort();
    for p in v {
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

pub fn read_guide(guide: &Path) -> Vec<Section> {
    // part titles from guide.yaml nav (crude)
    let yaml = std::fs::read_to_string(guide.join("guide.yaml")).unwrap_or_default();
    let mut part_of = std::collections::HashMap::new();
    let mut part = String::new();
    for l in yaml.lines() {
        let t = l.trim();
        if let Some(v) = t.strip_prefix("- title:") {
            part = v.trim().to_string();
        } else if let Some(v) = t.strip_prefix("- chapters/") {
            part_of.insert(v.trim().to_string(), part.clone());
        }
    }
    let mut files = Vec::new();
    walk(&guide.join("chapters"), &mut files);
    let mut out = Vec::new();
    if guide.join("index.md").exists() {
        chapter(
            &guide.join("index.md"),
            "index.html".into(),
            "首页",
            &mut out,
        );
    }
    for f in files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "md"))
    {
        let rel = f
            .strip_prefix(guide.join("chapters"))
            .unwrap()
            .to_string_lossy()
            .to_string();
        let url = rel.trim_end_matches(".md").to_string() + ".html";
        let part = part_of.get(&rel).cloned().unwrap_or_else(|| "指南".into());
        chapter(f, url, &part, &mut out);
    }
    let mut cl = Vec::new();
    walk(&guide.join("checklists"), &mut cl);
    for f in cl
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "yaml"))
    {
        checklist(f, &mut out);
    }
    out
}

fn rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|x| x.parse().ok()))
        .unwrap_or(0)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let guide = PathBuf::from(args.get(1).expect("GUIDE_DIR"));
    let outdir = PathBuf::from(args.get(2).expect("OUT_DIR"));
    let layout = match args.get(3).map(String::as_str) {
        Some("single") => Layout::Single,
        Some("sharded") => Layout::Sharded,
        _ => Layout::Auto,
    };
    let t0 = std::time::Instant::now();
    let secs = read_guide(&guide);
    let t1 = std::time::Instant::now();
    if args.iter().any(|a| a == "--phases") {
        use search_bench::search::{index, output, pinyin};
        let a = std::time::Instant::now();
        let idx = index::build(&secs);
        let b = std::time::Instant::now();
        let (vocab, chars) = pinyin::vocabulary(&secs);
        let c = std::time::Instant::now();
        let o = output::write(&secs, &idx, &vocab, &chars, layout);
        let d = std::time::Instant::now();
        eprintln!(
            "index {} ms, vocabulary {} ms, output {} ms ({} files), rss {} kB",
            (b - a).as_millis(),
            (c - b).as_millis(),
            (d - c).as_millis(),
            o.files.len(),
            rss_kb()
        );
    }
    if args.iter().any(|a| a == "--edit") {
        edit_bench(&secs, layout);
    }
    let tb = std::time::Instant::now();
    let out = build_with(&secs, layout);
    let t2 = std::time::Instant::now();
    let _ = std::fs::remove_dir_all(outdir.join("search"));
    std::fs::create_dir_all(outdir.join("search")).unwrap();
    let mut total = 0;
    for (p, b) in &out.files {
        std::fs::write(outdir.join(p), &**b).unwrap();
        total += b.len();
    }
    let text: usize = {
        let mut seen = HashSet::new();
        secs.iter()
            .map(|s| {
                let t = if seen.insert(s.page.clone()) {
                    s.page_title.len()
                } else {
                    0
                };
                t + s.heading.len() + s.text.len() + s.code.len()
            })
            .sum()
    };
    if args.iter().any(|a| a == "--html") {
        write_html(&outdir, &secs);
    }
    if std::env::var_os("DUMP_SECTIONS").is_some() {
        for s in &secs {
            eprintln!(
                "{} #{} [{}] {:?} :: {}",
                s.page,
                s.anchor,
                s.heading,
                s.breadcrumb,
                s.text.chars().take(60).collect::<String>()
            );
        }
    }
    println!(
        "{{\"entry\":\"{}\",\"sections\":{},\"files\":{},\"bytes\":{},\"text_bytes\":{},\"read_ms\":{},\"build_ms\":{},\"rss_kb\":{}}}",
        out.entry,
        secs.len(),
        out.files.len(),
        total,
        text,
        (t1 - t0).as_millis(),
        (t2 - tb).as_millis(),
        rss_kb()
    );
}

/// Cold cached build, then rebuilds: unchanged, and one-section edits spread over the corpus.
fn edit_bench(secs: &[Section], layout: Layout) {
    let ms = |t: std::time::Instant| t.elapsed().as_secs_f64() * 1000.0;
    let mut cache = Cache::default();
    let t = std::time::Instant::now();
    let cold = build_cached_with(secs, layout, &mut cache);
    let cold_ms = ms(t);
    let mut secs = secs.to_vec();
    let mut same = Vec::new();
    let mut edit = Vec::new();
    let mut prev = cold.entry.clone();
    let rounds: usize = std::env::var("GS_EDIT_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(9);
    for k in 0..rounds {
        let t = std::time::Instant::now();
        let out = build_cached_with(&secs, layout, &mut cache);
        same.push(ms(t));
        assert_eq!(out.entry, prev, "an unchanged rebuild changed the output");
        let i = (k * 7919 + secs.len() / 2) % secs.len().max(1);
        secs[i].text.push_str("投诉后再次修改套餐。");
        let t = std::time::Instant::now();
        let out = build_cached_with(&secs, layout, &mut cache);
        edit.push(ms(t));
        if std::env::var_os("GS_CHECK").is_some() {
            let want = search_bench::search::build_reference(&secs, layout);
            assert!(want.files == out.files, "cached edit output differs from the reference");
        }
        prev = out.entry.clone();
        let changed = out.files.iter().filter(|f| !cold.files.contains(f)).count();
        if k == 0 {
            let names: Vec<&str> = out
                .files
                .iter()
                .filter(|f| !cold.files.contains(f))
                .map(|f| f.0.as_str())
                .take(12)
                .collect();
            eprintln!("edit: {changed} of {} files changed: {names:?}", out.files.len());
        }
    }
    let med = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    eprintln!(
        "cached build: cold {cold_ms:.1} ms, unchanged rebuild median {:.1} ms, one-section edit median {:.1} ms (best {:.1}), rss {} kB",
        med(&mut same),
        med(&mut edit),
        edit.iter().copied().fold(f64::MAX, f64::min),
        rss_kb()
    );
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn write_html(outdir: &Path, secs: &[Section]) {
    let mut pages: Vec<(String, String)> = Vec::new();
    for s in secs {
        if pages.last().map(|p| &p.0) != Some(&s.page) {
            pages.push((s.page.clone(), format!("<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{}</title></head><body><main><h1>{}</h1>", esc(&s.page_title), esc(&s.page_title))));
        }
        let Some(p) = pages.last_mut() else { continue };
        if !s.heading.is_empty() {
            p.1.push_str(&format!(
                "<h2 id=\"{}\">{}</h2>",
                esc(&s.anchor),
                esc(&s.heading)
            ));
        }
        for para in s.text.lines() {
            p.1.push_str(&format!("<p>{}</p>", esc(para)));
        }
        if !s.code.is_empty() {
            p.1.push_str(&format!("<pre><code>{}</code></pre>", esc(&s.code)));
        }
    }
    for (url, mut html) in pages {
        html.push_str("</main></body></html>");
        let path = outdir.join("html").join(&url);
        if let Some(d) = path.parent() {
            std::fs::create_dir_all(d).unwrap();
        }
        std::fs::write(path, html).unwrap();
    }
}
