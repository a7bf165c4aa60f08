//! The tool file as written: serde structs with `deny_unknown_fields`, so a typo is an error
//! at its line and column with a "did you mean". `file` turns them into a validated `Tool`.

use serde::Deserialize;
use serde_saphyr::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileTool {
    pub id: Spanned<String>,
    pub title: String,
    pub purpose: String,
    pub chapter: Spanned<String>,
    #[serde(default)]
    pub checklists: Vec<Spanned<String>>,
    #[serde(default)]
    pub updated: Option<Spanned<String>>,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub export: bool,
    pub sections: Spanned<Vec<FileSection>>,
    #[serde(default)]
    pub rules: Vec<FileRule>,
    #[serde(default)]
    pub checks: Vec<FileCheck>,
    #[serde(default)]
    pub document: Option<FileDocument>,
    #[serde(default)]
    pub send: Option<Spanned<FileSend>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSend {
    pub tool: String,
    pub group: String,
    pub date: String,
    pub text: String,
    #[serde(default)]
    pub set: Option<FileIs>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSection {
    pub title: Spanned<String>,
    #[serde(default)]
    pub help: Option<String>,
    #[serde(default)]
    pub fields: Vec<FileField>,
    #[serde(default)]
    pub repeat: Option<FileRepeat>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileField {
    pub id: Spanned<String>,
    pub label: String,
    #[serde(default)]
    pub help: Option<String>,
    #[serde(default, rename = "type")]
    pub kind: Option<Spanned<String>>,
    #[serde(default)]
    pub options: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    pub required: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileRepeat {
    pub id: Spanned<String>,
    pub item: String,
    pub fields: Spanned<Vec<FileField>>,
    #[serde(default)]
    pub import: Option<Spanned<FileImport>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileImport {
    pub tool: String,
    pub group: String,
    #[serde(default)]
    pub when: Option<FileIs>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileIs {
    pub field: String,
    pub is: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileRule {
    pub id: Spanned<String>,
    pub label: String,
    pub from: Spanned<String>,
    pub add: Spanned<FileAdd>,
    pub basis: String,
    pub facts: Spanned<String>,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileAdd {
    #[serde(default)]
    pub days: Option<u16>,
    #[serde(default)]
    pub months: Option<u16>,
    #[serde(default)]
    pub years: Option<u16>,
    #[serde(default)]
    pub workdays: Option<u16>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileCheck {
    pub id: Spanned<String>,
    pub when: Spanned<Vec<Spanned<FileCond>>>,
    pub says: String,
    pub instead: String,
    pub basis: String,
    pub facts: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileCond {
    #[serde(default)]
    pub field: Option<Spanned<String>>,
    #[serde(default)]
    pub is: Option<String>,
    #[serde(default)]
    pub past: Option<Spanned<String>>,
    #[serde(default)]
    pub before: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileDocument {
    pub title: String,
    pub blocks: Spanned<Vec<FileBlock>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileBlock {
    pub kind: Spanned<String>,
    #[serde(default)]
    pub text: Option<Spanned<String>>,
    #[serde(default)]
    pub each: Option<Spanned<String>>,
    #[serde(default)]
    pub when: Option<Spanned<String>>,
}
