#[path = "guide2idx.rs"]
#[allow(dead_code)]
mod g;
use search_bench::search::index;
fn main() {
    let a: Vec<String> = std::env::args().collect();
    let secs = g::read_guide(std::path::Path::new(&a[1]));
    let idx = index::build(&secs);
    let terms = idx.terms.len();
    let post: usize = idx.terms.values().map(|l| l.len()).sum();
    let pos: usize = idx.terms.values().flat_map(|l| l.iter().map(|p| p.positions.len())).sum();
    let enc: usize = idx.terms.values().map(|l| index::encode_postings_text(l).len()).sum();
    let chars: usize = secs.iter().map(|s| s.text.chars().count()).sum();
    grams(&secs);
    eprintln!("sections {} terms {terms} postings {post} positions {pos} enc_bytes {enc} text_chars {chars}", secs.len());
}
#[allow(dead_code)]
fn grams(secs: &[search_bench::search::Section]) {
    use std::collections::HashMap;
    let mut m: HashMap<[u32;4], u32> = HashMap::new();
    let mut occ = 0usize;
    for s in secs { let v: Vec<char> = s.text.chars().collect();
      for run in v.split(|c| !search_bench::search::tokenize::is_cjk(*c)) {
        for n in 1..=4 { for g in run.windows(n) { let mut k=[0u32;4]; for (i,c) in g.iter().enumerate(){k[i]=*c as u32;} *m.entry(k).or_insert(0)+=1; occ+=1; } } } }
    let ge3 = m.values().filter(|&&c| c>=3).count();
    eprintln!("grams distinct {} occurrences {occ} count>=3 {ge3}", m.len());
}
