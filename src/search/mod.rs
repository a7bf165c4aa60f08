//! Search: builds the client-side index from the sections the render pass already produced.
//!
//! One pipeline for `build`, `check` and `serve`: analyse each section (memoised by its
//! content, so a rebuild after one edit re-tokenises one section) → posting lists
//! (`index`) → pinyin vocabulary (`pinyin`) → files (`output`). Input is one `Section` per
//! heading section of a chapter and one per checklist item; output is a set of classic-script
//! files under `search/` plus the path of the entry script the client loads.
//!
//! Ranking lives in one place on each side: `index::impact` (BM25F with named field weights)
//! and its mirror `impact` in the client's `rank.js`, with the constants shipped in the payload.
//!
//! Must never: read or write files, produce different bytes for the same input, or panic on
//! any input.

pub mod client;
pub mod index;
pub mod output;
pub mod pinyin;
pub mod tokenize;
pub mod vocab;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use index::Analysed;

/// One searchable unit: a heading section of a chapter, or one checklist item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// Site-relative URL of the page, e.g. `prepare/evidence.html`.
    pub page: String,
    /// Fragment id of the section on that page ("" = top of page).
    pub anchor: String,
    /// Title of the page.
    pub page_title: String,
    /// Heading text of the section ("" for text before the first heading).
    pub heading: String,
    /// Breadcrumb from the part down to the parent heading, e.g. ["事前准备", "整理证据"].
    pub breadcrumb: Vec<String>,
    /// Plain text of the section body (prose, lists, tables), without code blocks.
    pub text: String,
    /// Plain text of code blocks in the section (indexed with a low weight).
    pub code: String,
}

/// The files to add to the site.
#[derive(Debug, Clone, Default)]
pub struct SearchOutput {
    /// (site-relative path, bytes), e.g. ("search/index-1a2b3c4d.js", …).
    pub files: Vec<(String, Arc<Vec<u8>>)>,
    /// Site-relative path of the script the client loads first.
    pub entry: String,
}

/// Output layout choice.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Layout {
    /// One file while the estimated gzipped size stays under `output::SHARD_THRESHOLD`.
    #[default]
    Auto,
    /// Always one `search/index-<hash>.js`.
    Single,
    /// Always a manifest plus term and section shards.
    Sharded,
}

/// What earlier builds computed, for `serve`: section analyses and the last index, the
/// vocabulary's string counts, and the shard files.
pub struct Memo {
    /// `None` in a one-shot build, which counts afresh.
    counts: Option<vocab::Counts>,
    index: IndexMemo,
    files: output::FileMemo,
}

impl Default for Memo {
    fn default() -> Memo {
        Memo {
            counts: Some(vocab::Counts::default()),
            index: IndexMemo::default(),
            files: output::FileMemo::default(),
        }
    }
}

impl Memo {
    /// A memo for a single build: nothing is kept for a next one.
    pub fn one_shot() -> Memo {
        Memo {
            counts: None,
            index: IndexMemo {
                one_shot: true,
                ..IndexMemo::default()
            },
            files: output::FileMemo::one_shot(),
        }
    }
}

/// The vocabulary: counted afresh by a one-shot build, else updated by what changed.
fn vocabulary(
    counts: &mut Option<vocab::Counts>,
    sections: &[Section],
) -> (Vec<vocab::VocabEntry>, pinyin::CharTable) {
    match counts {
        Some(c) => c.vocabulary(sections),
        None => vocab::vocabulary(sections),
    }
}

/// Section analyses keyed by each section's indexed content, and the last index.
#[derive(Default)]
struct IndexMemo {
    sections: FxHashMap<u64, Arc<Analysed>>,
    last: Option<Last>,
    /// A single build keeps nothing.
    one_shot: bool,
}

impl IndexMemo {
    /// The index of `sections`. A one-shot build analyses a slice of sections at a time and
    /// drops each slice's analyses once they are in the index (they are most of a build's
    /// memory); otherwise the last build's index is patched where sections changed.
    fn index(&mut self, sections: &[Section]) -> Cow<'_, index::Index> {
        if self.one_shot {
            let mut asm = index::Assembler::default();
            for start in (0..sections.len()).step_by(ONE_SHOT_SLICE) {
                let end = (start + ONE_SHOT_SLICE).min(sections.len());
                let slice: Vec<Analysed> = (start..end)
                    .into_par_iter()
                    .map(|i| index::analyse(&sections[i], index::indexed_heading(sections, i)))
                    .collect();
                slice.iter().for_each(|a| asm.add(a));
            }
            return Cow::Owned(asm.finish());
        }
        let (keys, analysed) = self.analyse(sections);
        let index = match self.last.take() {
            Some(last) if last.keys.len() == keys.len() => {
                let changed: Vec<usize> = (0..keys.len())
                    .filter(|&i| keys[i] != last.keys[i])
                    .collect();
                let mut index = last.index;
                index::patch(&mut index, &changed, &last.analysed, &analysed);
                index
            }
            _ => index::assemble(&analysed),
        };
        let last = self.last.insert(Last {
            keys,
            analysed,
            index,
        });
        Cow::Borrowed(&last.index)
    }

    /// Every section's analysis, from the memo where its content is unchanged (the memo then
    /// keeps only what this build used, so it cannot grow without bound).
    fn analyse(&mut self, sections: &[Section]) -> (Vec<u64>, Vec<Arc<Analysed>>) {
        let keys: Vec<u64> = (0..sections.len())
            .map(|i| section_key(&sections[i], index::indexed_heading(sections, i)))
            .collect();
        let fresh: Vec<(u64, Arc<Analysed>)> = (0..sections.len())
            .into_par_iter()
            .filter(|&i| !self.sections.contains_key(&keys[i]))
            .map(|i| {
                let a = index::analyse(&sections[i], index::indexed_heading(sections, i));
                (keys[i], Arc::new(a))
            })
            .collect();
        self.sections.extend(fresh);
        let out: Vec<Arc<Analysed>> = keys.iter().map(|k| Arc::clone(&self.sections[k])).collect();
        let live: rustc_hash::FxHashSet<u64> = keys.iter().copied().collect();
        self.sections.retain(|k, _| live.contains(k));
        (keys, out)
    }
}

/// What the last sharded build indexed.
struct Last {
    keys: Vec<u64>,
    analysed: Vec<Arc<Analysed>>,
    index: index::Index,
}

/// Sections a one-shot build analyses before adding them to the index.
const ONE_SHOT_SLICE: usize = 1024;

/// What a section's analysis depends on.
fn section_key(s: &Section, heading: &str) -> u64 {
    let bc = index::breadcrumb_text(s);
    crate::digest::digest_parts(&[
        s.page_title.as_bytes(),
        heading.as_bytes(),
        bc.as_bytes(),
        s.text.as_bytes(),
        s.code.as_bytes(),
    ])
}

/// What the guide says about ranking besides its text; ships with the index for the client.
#[derive(Debug, Clone, Default)]
pub struct Ranking {
    /// guide.yaml's synonym groups: the guide's word, then readers' words.
    pub synonyms: Vec<Vec<String>>,
    /// Page URL → factor on the page's score (front matter `search: {boost: …}`); pages not
    /// listed weigh 1.
    pub boosts: BTreeMap<String, f64>,
}

/// Builds the search files for `sections`: one file for a guide-sized site, shards past
/// ~300 KB gzipped. Deterministic: the same input gives the same bytes, memo or not.
pub fn build(sections: &[Section], ranking: &Ranking, memo: &mut Memo) -> SearchOutput {
    build_layout(sections, ranking, Layout::Auto, memo)
}

/// `build` with an explicit layout and no ranking hints (benchmarks and tests).
pub fn build_with(sections: &[Section], layout: Layout, memo: &mut Memo) -> SearchOutput {
    build_layout(sections, &Ranking::default(), layout, memo)
}

fn build_layout(
    sections: &[Section],
    ranking: &Ranking,
    layout: Layout,
    memo: &mut Memo,
) -> SearchOutput {
    let sharded = match layout {
        Layout::Single => false,
        Layout::Sharded => true,
        Layout::Auto => output::estimate_gzip(sections) > output::SHARD_THRESHOLD,
    };
    let Memo {
        counts,
        index,
        files,
    } = memo;
    if !sharded {
        let (vocab, chars) = vocabulary(counts, sections);
        let extra = output::Extra {
            vocab: &vocab,
            chars: &chars,
            ranking,
        };
        // The one file ships section texts; the client indexes them itself.
        return output::write_single(sections, &extra);
    }
    let ((vocab, chars), idx) =
        rayon::join(|| vocabulary(counts, sections), || index.index(sections));
    let extra = output::Extra {
        vocab: &vocab,
        chars: &chars,
        ranking,
    };
    output::write_sharded(sections, &idx, &extra, files)
}

#[cfg(test)]
mod tests;
