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
    eprintln!("sections {} terms {terms} postings {post} positions {pos} enc_bytes {enc} text_chars {chars}", secs.len());
}
