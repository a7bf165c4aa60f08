//! Module-level tests: determinism, layout switch, substring completeness over generated text,
//! and the shared tokeniser vectors (`tests/search/vectors.json`) that the client is checked
//! against.

use std::path::{Path, PathBuf};

use super::output::{fnv1a32, shard_key};
use super::tokenize::{normalize, tokenize, Kind};
use super::*;

fn sec(page: &str, anchor: &str, heading: &str, text: &str) -> Section {
    Section {
        page: page.into(),
        anchor: anchor.into(),
        page_title: format!("标题{page}"),
        heading: heading.into(),
        breadcrumb: vec!["部分".into()],
        text: text.into(),
        code: String::new(),
    }
}

/// A tiny deterministic generator (xorshift) for property tests.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const WORDS: &[&str] = &[
    "投诉",
    "套餐",
    "变更",
    "扣费",
    "携号转网",
    "详单",
    "工信部",
    "申诉",
    "客服",
    "工号",
    "退费",
    "5G",
    "VoLTE",
    "12300",
    "，",
    "。",
    "的",
    "了",
    "我",
    "您好",
    "费",
    "话费",
    "流量",
    "宽带",
    "123.91",
    " ",
    "书面投诉函",
    "调解",
    "银行",
    // Characters from U+10000 on, inside CJK runs (their n-grams are counted apart).
    "𠮷野家",
    "𪚥",
];

fn generated(n: usize, seed: u64) -> Vec<Section> {
    let mut rng = Rng(seed);
    (0..n)
        .map(|i| {
            let len = 5 + rng.below(60);
            let text: String = (0..len).map(|_| WORDS[rng.below(WORDS.len())]).collect();
            sec(&format!("p{}.html", i / 4), &format!("s{i}"), "小节", &text)
        })
        .collect()
}

fn decoded_postings(idx: &index::Index, term: &str) -> Vec<(u32, Vec<u32>)> {
    idx.list(term)
        .and_then(index::decode_postings)
        .unwrap_or_default()
        .into_iter()
        .map(|p| (p.section, p.positions))
        .collect()
}

/// True when the bigrams of `q` (a pure CJK run) occur at consecutive positions in `section`.
fn verbatim_in(idx: &index::Index, q: &str, section: u32) -> bool {
    let toks = tokenize(q);
    let lists: Vec<Vec<u32>> = toks
        .iter()
        .map(|t| {
            decoded_postings(idx, &t.text)
                .into_iter()
                .find(|(s, _)| *s == section)
                .map(|(_, p)| p)
                .unwrap_or_default()
        })
        .collect();
    lists.first().is_some_and(|first| {
        first.iter().any(|&p0| {
            toks.iter()
                .zip(&lists)
                .all(|(t, l)| l.binary_search(&(p0 + t.pos)).is_ok())
        })
    })
}

#[test]
fn output_is_deterministic() {
    let secs = generated(200, 7);
    let a = fresh(&secs, Layout::Auto);
    let b = build(&secs, &Ranking::default(), &mut Memo::default());
    assert_eq!(a.entry, b.entry);
    assert_eq!(a.files, b.files);
    let a = fresh(&secs, Layout::Sharded);
    let b = fresh(&secs, Layout::Sharded);
    assert_eq!(a.files, b.files);
}

#[test]
fn small_site_is_one_script_large_site_shards() {
    let out = fresh(&generated(50, 1), Layout::Auto);
    assert_eq!(out.files.len(), 1);
    assert!(out.entry.starts_with("search/index-") && out.entry.ends_with(".js"));
    let body = String::from_utf8_lossy(&out.files[0].1);
    assert!(body.starts_with("GS.load('{"));
    let out = fresh(&generated(300, 2), Layout::Sharded);
    assert!(out.entry.starts_with("search/manifest-"));
    assert!(out.files.iter().any(|f| f.0.starts_with("search/t-")));
    assert!(out.files.iter().any(|f| f.0.starts_with("search/s-")));
    assert!(out.files.iter().any(|f| f.0 == out.entry));
    // Every name carries the hash of its bytes.
    for (name, bytes) in &out.files {
        let h = crate::digest::hex(bytes);
        assert!(name.contains(&h[..10]), "{name}");
    }
}

#[test]
fn manifest_maps_every_section_to_its_page() {
    // Runs of sections per page: 2 × length, odd when the page is not the previous one + 1.
    assert_eq!(output::page_runs(&[]), "");
    assert_eq!(output::page_runs(&[0, 0, 1, 1, 1, 2]), "462");
    assert_eq!(output::page_runs(&[0, 1, 0, 2, 2]), "223052");
    assert_eq!(output::page_runs(&[0; 20]), "e1"); // 40: "e" (8 | more), "1"
    let secs = generated(300, 2); // four sections per page
    let out = fresh(&secs, Layout::Sharded);
    let manifest = out
        .files
        .iter()
        .find(|f| f.0 == out.entry)
        .expect("manifest");
    let body = String::from_utf8_lossy(&manifest.1);
    assert!(
        body.contains(&format!("\"pc\":\"{}\"", "8".repeat(75))),
        "{body}"
    );
}

#[test]
fn empty_and_odd_input_builds() {
    let out = fresh(&[], Layout::Auto);
    assert_eq!(out.files.len(), 1);
    let out = fresh(
        &[sec("a.html", "", "", "'\\\u{2028}</script>")],
        Layout::Auto,
    );
    let body = String::from_utf8_lossy(&out.files[0].1).into_owned();
    assert!(!body.contains("</script"));
    assert!(!body.contains('\u{2028}'));
}

#[test]
fn substring_completeness_over_generated_text() {
    let secs = generated(120, 42);
    let idx = index::assemble(&index::analyse_all(&secs));
    let mut rng = Rng(99);
    let mut checked = 0;
    for (id, s) in secs.iter().enumerate() {
        let norm = normalize(&s.text);
        // Pure CJK runs of the text.
        let runs: Vec<Vec<char>> = norm
            .split(|c: char| !tokenize::is_cjk(c))
            .map(|r| r.chars().collect::<Vec<_>>())
            .filter(|r| r.len() >= 2)
            .collect();
        for _ in 0..5 {
            if runs.is_empty() {
                break;
            }
            let run = &runs[rng.below(runs.len())];
            let len = 2 + rng.below(7.min(run.len() - 1));
            let start = rng.below(run.len() - len + 1);
            let q: String = run[start..start + len].iter().collect();
            assert!(
                verbatim_in(&idx, &q, id as u32),
                "section {id} contains {q:?} verbatim but the index disagrees"
            );
            checked += 1;
        }
    }
    assert!(checked > 300, "{checked}");
}

#[test]
fn pinyin_keys_reach_the_payload() {
    let secs = vec![
        sec(
            "a.html",
            "a",
            "投诉",
            "投诉要写清楚。再次投诉。投诉部门。携号转网。",
        ),
        sec(
            "b.html",
            "b",
            "携号转网",
            "携号转网受阻，可以调解。携号转网。调解。调解组织。",
        ),
    ];
    let (vocab, _) = vocab::vocabulary(&secs);
    let find = |t: &str| {
        vocab
            .iter()
            .find(|e| e.term == t)
            .map(|e| pinyin::readings(&e.term, &pinyin::overrides()))
    };
    let keys = |t: &str| -> (Vec<String>, Vec<String>) {
        let r = find(t).unwrap_or_default();
        (
            r.iter().map(|v| v.concat()).collect(),
            r.iter()
                .map(|v| v.iter().filter_map(|s| s.chars().next()).collect())
                .collect(),
        )
    };
    assert!(keys("投诉").0.contains(&"tousu".to_string()));
    assert!(keys("投诉").1.contains(&"ts".to_string()));
    assert!(keys("携号转网").1.contains(&"xhzw".to_string()));
    assert!(keys("调解").0.contains(&"tiaojie".to_string()));
    assert!(keys("调解").1.contains(&"tj".to_string()));
    let out = fresh(&secs, Layout::Auto);
    let body = String::from_utf8_lossy(&out.files[0].1).into_owned();
    assert!(body.contains("tiao jie"));
}

const VECTOR_INPUTS: &[&str] = &[
    "5G套餐",
    "5G 套餐",
    "１２３００",
    "VoLTE",
    "ＶｏＬＴＥ",
    "携号转网",
    "费",
    "乱扣费怎么办",
    "我的套餐被改了",
    "套餐，变更",
    "123.91元",
    "打 12300 或 12315 投诉",
    "15 天",
    "Ａｐｐ里查询“已订购业务”",
    "iPhone15Pro用户",
    "12315App投诉",
    "300Mbps宽带 5G ipv6 a12bc34",
    "e-mail、Wi-Fi",
    "第三十三条（《电信条例》）",
    "ｶﾀｶﾅとひらがな",
    "한국어 테스트",
    "𠀀𠀁𠀂",
    "🙂投诉🙂",
    "Σίσυφος ΣΑΣ",
    "İstanbul",
    "x\u{2028}y",
    "①②③",
    "㎏ ㍻ ﬁ",
    "3.14.15",
    "a.b",
    "  前后空格  ",
    "",
    "tousu ts xhzw",
    "上网速度 100Mbps 宽带",
    "《消费者权益保护法》第五十五条",
];

fn vectors_path() -> PathBuf {
    let here = Path::new(file!());
    let here = if here.is_absolute() {
        here.to_path_buf()
    } else {
        Path::new(env!("CARGO_MANIFEST_DIR")).join(here)
    };
    // src/search/tests.rs → <repo>/tests/search/vectors.json
    here.parent()
        .and_then(Path::parent)
        .and_then(Path::parent)
        .map(|root| root.join("tests/search/vectors.json"))
        .unwrap_or_default()
}

const PINYIN_INPUTS: &[&str] = &[
    "投诉",
    "携号转网",
    "调解",
    "还款",
    "银行卡",
    "重置密码",
    "行业",
    "套餐",
    "长还行重",
    "一个部门",
    "工信部",
    "绿色",
    "详单",
    "会员",
    "营业厅",
    "处理结果",
    "参与",
    "不得",
];

fn vectors_json() -> String {
    let line = |v: serde_json::Value| serde_json::to_string(&v).unwrap_or_default();
    let mut lines = Vec::new();
    for s in VECTOR_INPUTS {
        let toks: Vec<serde_json::Value> = tokenize(s)
            .into_iter()
            .map(|t| {
                let shard = fnv1a32(shard_key(&t.text).as_bytes());
                let kind = if t.kind == Kind::Cjk { "c" } else { "w" };
                serde_json::json!([t.text, t.pos, kind, shard])
            })
            .collect();
        lines.push(line(
            serde_json::json!({"input": s, "norm": normalize(s), "tokens": toks}),
        ));
    }
    let ovr = pinyin::overrides();
    let mut chars = std::collections::BTreeMap::new();
    let mut cases = Vec::new();
    for w in PINYIN_INPUTS {
        for c in w.chars() {
            chars.insert(c.to_string(), pinyin::char_readings(c));
        }
        cases.push(line(serde_json::json!([w, pinyin::readings(w, &ovr)])));
    }
    format!(
        "{{\n\"tokens\": [\n{}\n],\n\"pinyin\": {{\n\"chars\": {},\n\"ovr\": {},\n\"cases\": [\n{}\n]}}\n}}\n",
        lines.join(",\n"),
        line(serde_json::json!(chars)),
        line(serde_json::json!(pinyin::override_lines())),
        cases.join(",\n")
    )
}

/// The shared vectors must match the tokenizer. Regenerate with
/// `GUIDESMITH_UPDATE_VECTORS=1 cargo test vectors` and check with `node tests/search/vectors.js`.
#[test]
fn vectors_json_is_current() {
    let want = vectors_json();
    let path = vectors_path();
    if std::env::var_os("GUIDESMITH_UPDATE_VECTORS").is_some() {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("create tests/search");
        }
        std::fs::write(&path, &want).expect("write vectors.json");
        return;
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "{} is stale or missing; regenerate with `GUIDESMITH_UPDATE_VECTORS=1 cargo test vectors` \
         and re-run `node tests/search/vectors.js`",
        path.display()
    );
}

/// Sections shaped like a real guide: several sections per page, checklist runs that repeat
/// their heading, code, odd characters, a page title that recurs as a heading.
fn guide_like(n: usize, seed: u64) -> Vec<Section> {
    let mut rng = Rng(seed);
    (0..n)
        .map(|i| {
            let page = i / 5;
            let len = 5 + rng.below(80);
            let text: String = (0..len).map(|_| WORDS[rng.below(WORDS.len())]).collect();
            let heading = if i % 7 == 3 {
                "办理步骤".to_owned()
            } else {
                (0..1 + rng.below(3))
                    .map(|_| WORDS[rng.below(WORDS.len())])
                    .collect()
            };
            Section {
                page: format!("part{}/p{page}.html", page % 3),
                anchor: format!("s{i}"),
                page_title: format!("{}指南{}", WORDS[page % WORDS.len()], page % 4),
                heading,
                breadcrumb: vec![
                    "第一部分".into(),
                    format!("{}指南{}", WORDS[page % WORDS.len()], page % 4),
                ],
                text: if i % 11 == 0 {
                    format!("{text}'\\\u{2028}</script>")
                } else {
                    text
                },
                code: if i % 4 == 0 {
                    "curl -X POST https://x/y?a=1".into()
                } else {
                    String::new()
                },
            }
        })
        .collect()
}

/// A fresh single build (the one-shot path: sliced analysis, pruned vocabulary counts).
fn fresh(secs: &[Section], layout: Layout) -> SearchOutput {
    build_with(secs, layout, &mut Memo::one_shot())
}

#[test]
fn memoised_rebuilds_match_fresh_builds_through_edits() {
    let mut secs = guide_like(600, 9);
    let mut memo = Memo::default();
    let mut rng = Rng(5);
    for step in 0..24 {
        let i = rng.below(secs.len());
        match step % 6 {
            0 => {} // unchanged rebuild
            1 => secs[i].text.push_str("投诉扣费了"),
            2 => {
                secs.remove(i);
            }
            3 => {
                let mut s = secs[i].clone();
                s.anchor.push('x');
                secs.insert(i + 1, s);
            }
            4 => {
                secs[i].heading = "携号转网".into();
                secs[i].page_title.push('新');
            }
            _ => {
                secs[i].text.clear();
                secs[i].code = "VoLTE 12300".into();
            }
        }
        let layout = if step % 4 == 3 {
            Layout::Single
        } else {
            Layout::Sharded
        };
        let got = build_with(&secs, layout, &mut memo);
        let want = fresh(&secs, layout);
        assert_eq!(got.entry, want.entry, "step {step}");
        assert!(got.files == want.files, "step {step}: files differ");
    }
}

#[test]
fn split_characters_get_one_character_lists() {
    // Enough text on 费 that its terms fill several term shards: 费 is split, and its
    // one-character list ships in its own shard.
    const FEE: &[&str] = &[
        "费用", "费率", "费项", "费单", "费额", "费款", "话费", "扣费", "投诉", "，", "5G",
    ];
    let mut rng = Rng(99);
    let secs: Vec<Section> = (0..3000)
        .map(|i| {
            let text: String = (0..30).map(|_| FEE[rng.below(FEE.len())]).collect();
            sec(
                &format!("p{}.html", i / 6),
                &format!("s{i}"),
                "费用问题",
                &text,
            )
        })
        .collect();
    let out = fresh(&secs, Layout::Sharded);
    let text = |want: &dyn Fn(&str) -> bool| {
        out.files
            .iter()
            .filter(|(p, _)| want(p))
            .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
            .collect::<String>()
    };
    assert!(
        text(&|p| p == out.entry).contains("\"split\":\"费"),
        "费 is not split"
    );
    assert!(text(&|p| p.starts_with("search/t-")).contains("\\u0001费"));
}

#[test]
fn synonyms_and_boosts_ship_in_the_index() {
    let secs = generated(40, 3);
    let groups = vec![vec![
        "销户".to_owned(),
        "ＷｉＦｉ".to_owned(),
        " 注销 ".to_owned(),
    ]];
    let boosts = [(secs[0].page.clone(), 0.5)].into_iter().collect();
    let ranking = Ranking {
        synonyms: groups,
        boosts,
    };
    let one = build(&secs, &ranking, &mut Memo::default());
    let text = String::from_utf8_lossy(&one.files[0].1).into_owned();
    assert!(text.contains(r#""syn":[["销户","wifi","注销"]]"#), "{text}");
    assert!(text.contains(r#""pb":{"0":0.5}"#), "{text}");
    let none = build(&secs, &Ranking::default(), &mut Memo::default());
    let text = String::from_utf8_lossy(&none.files[0].1).into_owned();
    assert!(text.contains(r#""syn":[]"#) && text.contains(r#""pb":{}"#));
}

#[test]
fn script_escapes_only_what_a_single_quoted_string_needs() {
    let json = "{\"t\":\"a\\\\b 'c' </script> \u{2028}行\u{2029} \u{2020}€ 中\"}";
    let got = String::from_utf8(output::script(json)).unwrap();
    let want =
        "GS.load('{\"t\":\"a\\\\\\\\b \\'c\\' \\x3c/script> \\u2028行\\u2029 \u{2020}€ 中\"}');\n";
    assert_eq!(got, want);
    assert_eq!(output::script(""), b"GS.load('');\n");
}
