//! Tools: forms that do the paperwork (a letter builder, an appeal builder with a pre-check, a
//! deadline calculator, a case log), each defined by one YAML file under `guide/tools/`.
//!
//! This module owns the schema (`deny_unknown_fields`, located errors, "did you mean") and
//! turns a file into a typed `Tool` for the theme: fields and repeatable groups, deadline
//! rules with the facts they rest on, pre-check conditions, and the printed document's text
//! blocks split into literal text and field slots (`text`). Checks that need other files
//! (chapter, checklist, imported tools) live in `tool_refs.rs`. Nothing here reads the file system.

mod file;
mod schema;
mod text;

use serde::Serialize;

use crate::diag::Diagnostic;

pub use text::Seg;

/// Most rows a repeatable group may hold in the browser (and in an imported file).
pub const MAX_ROWS: u16 = 200;

/// A validated tool.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tool {
    pub id: String,
    pub title: String,
    pub purpose: String,
    /// Guide-relative path of the chapter it belongs to.
    pub chapter: String,
    #[serde(skip)]
    pub chapter_pos: (usize, usize),
    /// Ids of the checklists it goes with (each links back to the tool).
    pub checklists: Vec<String>,
    #[serde(skip)]
    pub checklist_pos: Vec<(usize, usize)>,
    pub updated: Option<String>,
    /// A caveat shown at the top (e.g. that dates are approximate).
    pub note: Option<String>,
    /// Whether the page offers JSON export and import.
    pub export: bool,
    pub sections: Vec<Section>,
    pub rules: Vec<Rule>,
    pub checks: Vec<Check>,
    pub document: Option<Document>,
    /// Where the computed dates can be sent (a row each in another tool's group).
    pub send: Option<Send>,
    #[serde(skip)]
    pub send_pos: Option<(usize, usize)>,
    /// Guide-relative source path, e.g. `tools/letter.yaml`.
    pub source: String,
    /// The file's text, for diagnostics that point into it.
    #[serde(skip)]
    pub text: std::sync::Arc<str>,
    /// Where each repeatable group's `import` is written (for `tool_refs.rs`).
    #[serde(skip)]
    pub import_pos: Vec<(String, (usize, usize))>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Section {
    pub title: String,
    pub help: Option<String>,
    pub fields: Vec<Field>,
    pub repeat: Option<Repeat>,
}

/// One input.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Field {
    pub id: String,
    pub label: String,
    pub help: Option<String>,
    /// text | long | date | time | tel | number | select | yesno
    pub kind: String,
    pub options: Vec<String>,
    pub required: bool,
}

/// A group of fields the reader can add again and again (facts, contacts, evidence).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Repeat {
    pub id: String,
    /// What one row is called (`一件事`), for the add and remove buttons.
    pub item: String,
    pub fields: Vec<Field>,
    pub import: Option<Import>,
}

/// Rows copied from another tool's group, optionally only those with `field` = `is`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Import {
    pub tool: String,
    pub group: String,
    pub field: Option<String>,
    pub is: Option<String>,
}

/// The rules' dates added as rows to another tool's group: the date into field `date`, the
/// rule's label into field `text`, and optionally `field` set to `is`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Send {
    pub tool: String,
    pub group: String,
    pub date: String,
    pub text: String,
    pub field: Option<String>,
    pub is: Option<String>,
}

/// A deadline: `from` (a date field) plus `n` `unit`s.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rule {
    pub id: String,
    pub label: String,
    pub from: String,
    pub from_label: String,
    /// days | months | years | workdays
    pub unit: &'static str,
    pub n: u16,
    /// The law and article shown to the reader.
    pub basis: String,
    /// The facts.md section it rests on (for writers; kept in a data attribute).
    pub facts: String,
    pub note: Option<String>,
}

/// A pre-check: when every condition holds, the case would not be accepted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    pub id: String,
    /// The conditions as JSON for the page script (escaped into an attribute by the theme).
    pub when: String,
    pub says: String,
    pub instead: String,
    pub basis: String,
    pub facts: String,
}

/// One condition of a check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Cond {
    /// Field `field` has the value `is`.
    Is { field: String, is: String },
    /// Today is after the date of rule `rule`.
    Past { rule: String },
    /// Today is before the date of rule `rule`.
    Before { rule: String },
}

/// The printed document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Document {
    pub title: String,
    pub blocks: Vec<Block>,
}

/// One block of the printed document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Block {
    /// title | salutation | heading | paragraph | list | closing | salute | signature | date
    pub kind: String,
    /// For `list`: the repeatable group it repeats over.
    pub each: Option<String>,
    /// Shown only when this field is filled in.
    pub when: Option<String>,
    /// The text split into literal parts and field slots (empty for an automatic `list`).
    pub segs: Vec<Seg>,
}

/// Parses and validates one tool file. `path` is shown to the user; `source` is the
/// guide-relative path; `stem` the file name without `.yaml`.
pub fn parse(path: &str, source: &str, stem: &str, text: &str) -> (Option<Tool>, Vec<Diagnostic>) {
    file::parse(path, source, stem, text)
}

impl Tool {
    /// Every field of the tool, top-level and in groups, with the group id (if any).
    pub fn all_fields(&self) -> impl Iterator<Item = (Option<&str>, &Field)> {
        self.sections.iter().flat_map(|s| {
            s.fields.iter().map(|f| (None, f)).chain(
                s.repeat
                    .iter()
                    .flat_map(|r| r.fields.iter().map(move |f| (Some(r.id.as_str()), f))),
            )
        })
    }

    /// The repeatable group `id`.
    pub fn group(&self, id: &str) -> Option<&Repeat> {
        self.sections
            .iter()
            .filter_map(|s| s.repeat.as_ref())
            .find(|r| r.id == id)
    }
}
