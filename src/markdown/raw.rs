//! Raw HTML events of a page → the sanitiser (`html`), with the renderer as its host: URLs
//! go through the same checks as Markdown links, ids become anchors of the page.

use pulldown_cmark::{CowStr, Event};
use std::ops::Range;

use super::html::{self, Sanitizer, Span};
use super::{Renderer, THEME_IDS};

impl Renderer<'_, '_> {
    pub(super) fn raw_html(&mut self, text: &str, range: &Range<usize>, block: bool) {
        // Exact positions when the event's text is its source (not so inside a quote, say).
        let body = &self.input.file[self.input.body_start..];
        let at = if body.get(range.clone()) == Some(text) {
            Ok(self.off(range))
        } else {
            Err(self.span(range))
        };
        let mut out = String::new();
        let mut san = std::mem::replace(&mut self.html, Sanitizer::new(self.options.html));
        san.feed(text, at, block, &mut out, self);
        self.html = san;
        if !out.is_empty() {
            self.out.push(if block {
                Event::Html(out.into())
            } else {
                Event::InlineHtml(out.into())
            });
        }
    }

    /// Closes what raw HTML left open, at the end of the page.
    pub(super) fn finish_html(&mut self) {
        let mut out = String::new();
        let mut san = std::mem::replace(&mut self.html, Sanitizer::new(self.options.html));
        san.finish(&mut out, self);
        if !out.is_empty() {
            self.out.push(Event::Html(out.into()));
        }
    }
}

/// What the raw-HTML sanitiser asks of the page.
impl html::Host for Renderer<'_, '_> {
    fn url(&mut self, value: &str, image: bool, at: Span) -> String {
        let value = CowStr::Boxed(value.into());
        self.link_dest(&value, at, image).into_string()
    }

    fn anchor(&mut self, id: &str, at: Span) -> bool {
        let id = id.trim();
        if id.is_empty() || id.contains(char::is_whitespace) {
            self.warning_at(
                at,
                format!("id `{id}` is dropped: an id is one word without spaces"),
                "write e.g. id=\"intro\"",
            );
            return false;
        }
        if THEME_IDS.contains(&id) || id.starts_with("gs-") {
            self.error_at(
                at,
                format!("id `{id}` is used by the page itself"),
                "choose another id; the theme uses main, toc-title and ids starting with gs-",
            );
            return false;
        }
        self.slugger.reserve(id);
        self.res.ids.push(id.to_owned());
        true
    }

    fn error(&mut self, at: Span, message: String, help: &str) {
        self.error_at(at, message, help);
    }

    fn warning(&mut self, at: Span, message: String, help: &str) {
        self.warning_at(at, message, help);
    }

    fn missing_alt(&mut self, at: Span, help: &str) {
        Renderer::missing_alt(self, at, help);
    }
}
