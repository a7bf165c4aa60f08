//! Footnotes: references are numbered in order of first use, and the definitions move to the
//! bottom of the page in that order, each with a link back to its reference (as GitHub and
//! mdBook show them). A definition nobody references comes last, without a back link.
//!
//! Must never: lose a definition's content, or let a label reach the HTML unescaped.

use pulldown_cmark::{CowStr, Event};

use crate::highlight::escape;

/// The page's footnotes, collected while its events are rendered.
#[derive(Debug, Default)]
pub(super) struct Notes<'a> {
    /// Labels in order of first reference (a label's number is its place + 1).
    numbers: Vec<String>,
    /// The definition being read: where it started in the output, and its label.
    open: Option<(usize, String)>,
    /// Definitions read so far: label and rendered events.
    defs: Vec<(String, Vec<Event<'a>>)>,
}

/// The element id of a footnote's definition and of its reference.
pub(super) fn note_id(label: &str) -> String {
    format!("fn-{label}")
}

fn ref_id(label: &str) -> String {
    format!("fnref-{label}")
}

impl<'a> Notes<'a> {
    /// The marker for a reference to `label`: its number, linking to the definition.
    pub(super) fn reference(&mut self, label: &str) -> Event<'a> {
        let first = !self.numbers.iter().any(|l| l == label);
        if first {
            self.numbers.push(label.to_owned());
        }
        let n = self.numbers.iter().position(|l| l == label).unwrap_or(0) + 1;
        // Only the first reference carries the id the back link goes to.
        let id = if first {
            format!(" id=\"{}\"", escape(&ref_id(label)))
        } else {
            String::new()
        };
        Event::InlineHtml(CowStr::from(format!(
            "<sup class=\"footnote-ref\"><a{id} href=\"#{}\">{n}</a></sup>",
            escape(&note_id(label))
        )))
    }

    /// A definition of `label` starts; its events begin at `at` in the output.
    pub(super) fn start(&mut self, label: &str, at: usize) {
        self.open = Some((at, label.to_owned()));
    }

    /// The open definition ends: its events are taken out of `out` until the page's end.
    pub(super) fn end(&mut self, out: &mut Vec<Event<'a>>) {
        if let Some((at, label)) = self.open.take() {
            let body = out.split_off(at.min(out.len()));
            self.defs.push((label, body));
        }
    }

    /// Appends the notes section to `out`: referenced definitions by number, then the rest.
    pub(super) fn finish(mut self, out: &mut Vec<Event<'a>>) {
        if self.defs.is_empty() {
            return;
        }
        let rank = |label: &str| {
            let n = self.numbers.iter().position(|l| l == label);
            n.unwrap_or(usize::MAX)
        };
        self.defs.sort_by_key(|(label, _)| rank(label));
        let html = |s: String| Event::Html(CowStr::from(s));
        out.push(html(
            "<section class=\"footnotes\" aria-label=\"注释\">\n<ol>\n".into(),
        ));
        for (label, body) in std::mem::take(&mut self.defs) {
            out.push(html(format!("<li id=\"{}\">\n", escape(&note_id(&label)))));
            out.extend(body);
            if rank(&label) != usize::MAX {
                out.push(html(format!(
                    "<p class=\"footnote-back\"><a href=\"#{}\" aria-label=\"返回正文\">↩ 返回</a></p>\n",
                    escape(&ref_id(&label))
                )));
            }
            out.push(html("</li>\n".into()));
        }
        out.push(html("</ol>\n</section>\n".into()));
    }
}
