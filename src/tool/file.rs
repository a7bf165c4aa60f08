//! A tool file's conversion into a validated `Tool` (the structs as written are in `schema`),
//! collecting every problem with its file position.

use std::collections::{HashMap, HashSet};

use serde_saphyr::{Location, Spanned};

use super::schema::{
    FileCheck, FileDocument, FileField, FileRepeat, FileRule, FileSection, FileSend, FileTool,
};
use super::{text, Block, Check, Cond, Document, Field, Import, Repeat, Rule, Section, Send, Tool};
use crate::diag::{did_you_mean, Diagnostic};
use crate::yaml::{self, Embedded};

const FIELD_KINDS: [&str; 8] = [
    "text", "long", "date", "time", "tel", "number", "select", "yesno",
];
const BLOCK_KINDS: [&str; 9] = [
    "title",
    "salutation",
    "heading",
    "paragraph",
    "list",
    "closing",
    "salute",
    "signature",
    "date",
];

/// Collects problems while a file is converted.
struct Ctx<'a> {
    src: Embedded<'a>,
    diags: Vec<Diagnostic>,
    /// Group id and file position of each `import:` (checked against other tools in `refs`).
    imports: Vec<(String, (usize, usize))>,
}

impl Ctx<'_> {
    fn err(&mut self, loc: &Location, msg: String, help: Option<String>) {
        let d = self.src.diag_at(loc, msg);
        self.diags.push(match help {
            Some(h) => d.with_help(h),
            None => d,
        });
    }

    /// An unknown name among `known`, with a "did you mean".
    fn unknown(&mut self, loc: &Location, what: &str, name: &str, known: &[&str]) {
        let help = match did_you_mean(name, known.iter().copied()) {
            Some(s) => format!("did you mean `{s}`?"),
            None if known.is_empty() => format!("this tool defines no {what}"),
            None => format!("expected one of: {}", known.join(", ")),
        };
        self.err(loc, format!("unknown {what} `{name}`"), Some(help));
    }

    fn id_ok(&mut self, id: &Spanned<String>, what: &str, seen: &mut HashMap<String, Location>) {
        let v = &id.value;
        if v.is_empty()
            || !v
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            let msg = format!("{what} id `{v}` may contain only a-z, 0-9 and -");
            let help = "ids keep saved answers stable; use short English words like `carrier`";
            self.err(&id.referenced, msg, Some(help.into()));
        } else if let Some(first) = seen.get(v) {
            let (l, c) = self.src.file_pos(first);
            let help = format!("first used at line {l}, column {c}; ids must be unique in a tool");
            self.err(
                &id.referenced,
                format!("duplicate {what} id `{v}`"),
                Some(help),
            );
        } else {
            seen.insert(v.clone(), id.referenced);
        }
    }

    fn facts_ok(&mut self, facts: &Spanned<String>) {
        let v = facts.value.trim();
        let num = v.strip_prefix('§').unwrap_or("");
        let digits: String = num.chars().take_while(char::is_ascii_digit).collect();
        if digits.is_empty() {
            let help = "name the section of the facts sheet the rule rests on, e.g. `§3`";
            self.err(
                &facts.referenced,
                format!("`facts` must name a facts.md section like `§3`, found `{v}`"),
                Some(help.into()),
            );
        }
    }
}

pub fn parse(path: &str, source: &str, stem: &str, text: &str) -> (Option<Tool>, Vec<Diagnostic>) {
    let src = Embedded {
        path,
        file: text,
        start: 0,
    };
    let file: FileTool = match yaml::parse(&src) {
        Ok(f) => f,
        Err(d) => return (None, vec![d]),
    };
    let mut cx = Ctx {
        src,
        diags: Vec::new(),
        imports: Vec::new(),
    };
    if file.id.value != stem {
        let msg = format!(
            "tool id `{}` does not match the file name `{stem}.yaml`",
            file.id.value
        );
        let help = format!("use `id: {stem}`, or rename the file");
        cx.err(&file.id.referenced, msg, Some(help));
    }
    if let Some(u) = &file.updated {
        if !crate::config::is_date(&u.value) {
            let msg = format!(
                "`updated` must be a date like 2026-11-24, found `{}`",
                u.value
            );
            cx.err(&u.referenced, msg, None);
        }
    }
    let sections = sections(&mut cx, file.sections);
    let tool_fields = top_fields(&sections);
    let groups: Vec<&Repeat> = sections.iter().filter_map(|s| s.repeat.as_ref()).collect();
    let rules = rules(&mut cx, file.rules, &tool_fields);
    let checks = checks(&mut cx, file.checks, &tool_fields, &rules);
    let document = file
        .document
        .map(|d| document(&mut cx, d, &tool_fields, &groups));
    let (send, send_pos) = send(&mut cx, file.send, rules.is_empty());
    let pos = |loc: &Location| cx.src.file_pos(loc);
    let tool = Tool {
        id: file.id.value,
        title: file.title,
        purpose: file.purpose,
        chapter: file.chapter.value.clone(),
        chapter_pos: pos(&file.chapter.referenced),
        checklist_pos: file.checklists.iter().map(|c| pos(&c.referenced)).collect(),
        checklists: file.checklists.into_iter().map(|c| c.value).collect(),
        updated: file.updated.map(|u| u.value),
        note: file.note,
        export: file.export,
        sections,
        rules,
        checks,
        document,
        send,
        send_pos,
        source: source.to_owned(),
        text: text.into(),
        import_pos: std::mem::take(&mut cx.imports),
    };
    (Some(tool), cx.diags)
}

/// A tool's `send`, and where it is written.
fn send(
    cx: &mut Ctx,
    send: Option<Spanned<FileSend>>,
    no_rules: bool,
) -> (Option<Send>, Option<(usize, usize)>) {
    let Some(s) = send else {
        return (None, None);
    };
    if no_rules {
        let msg = "`send` passes on the rules' dates, but this tool has no `rules`".to_owned();
        cx.err(&s.referenced, msg, None);
    }
    let (field, is) = match s.value.set {
        Some(w) => (Some(w.field), Some(w.is)),
        None => (None, None),
    };
    let send = Send {
        tool: s.value.tool,
        group: s.value.group,
        date: s.value.date,
        text: s.value.text,
        field,
        is,
    };
    (Some(send), Some(cx.src.file_pos(&s.referenced)))
}

fn sections(cx: &mut Ctx, list: Spanned<Vec<FileSection>>) -> Vec<Section> {
    if list.value.is_empty() {
        cx.err(
            &list.referenced,
            "a tool needs at least one section".into(),
            None,
        );
    }
    let mut seen = HashMap::new();
    let mut out = Vec::new();
    for s in list.value {
        if s.fields.is_empty() && s.repeat.is_none() {
            let msg = format!("section `{}` has no fields", s.title.value);
            cx.err(
                &s.title.referenced,
                msg,
                Some("add `fields:` or a `repeat:` group".into()),
            );
        }
        let fields = s
            .fields
            .into_iter()
            .filter_map(|f| field(cx, f, &mut seen))
            .collect();
        let repeat = s.repeat.map(|r| repeat(cx, r, &mut seen));
        out.push(Section {
            title: s.title.value,
            help: s.help,
            fields,
            repeat,
        });
    }
    out
}

fn repeat(cx: &mut Ctx, r: FileRepeat, seen: &mut HashMap<String, Location>) -> Repeat {
    cx.id_ok(&r.id, "group", seen);
    if r.fields.value.is_empty() {
        cx.err(
            &r.fields.referenced,
            "a group needs at least one field".into(),
            None,
        );
    }
    // Field ids inside a group are unique within the group (rows are saved per group).
    let mut own = HashMap::new();
    let fields = r
        .fields
        .value
        .into_iter()
        .filter_map(|f| field(cx, f, &mut own))
        .collect();
    let import = r.import.map(|i| {
        let at = cx.src.file_pos(&i.referenced);
        cx.imports.push((r.id.value.clone(), at));
        let (field, is) = match i.value.when {
            Some(w) => (Some(w.field), Some(w.is)),
            None => (None, None),
        };
        Import {
            tool: i.value.tool,
            group: i.value.group,
            field,
            is,
        }
    });
    Repeat {
        id: r.id.value,
        item: r.item,
        fields,
        import,
    }
}

fn field(cx: &mut Ctx, f: FileField, seen: &mut HashMap<String, Location>) -> Option<Field> {
    cx.id_ok(&f.id, "field", seen);
    let kind = match &f.kind {
        None => "text".to_owned(),
        Some(k) if FIELD_KINDS.contains(&k.value.as_str()) => k.value.clone(),
        Some(k) => {
            cx.unknown(&k.referenced, "field type", &k.value, &FIELD_KINDS);
            return None;
        }
    };
    let options = f
        .options
        .as_ref()
        .map(|o| o.value.clone())
        .unwrap_or_default();
    match (&f.options, kind.as_str()) {
        (None, "select") => {
            let msg = format!("field `{}` is a `select` without `options`", f.id.value);
            cx.err(
                &f.id.referenced,
                msg,
                Some("add `options: [甲, 乙]`".into()),
            );
        }
        (Some(o), k) if k != "select" => {
            let msg = "`options` applies only to fields of `type: select`".to_owned();
            cx.err(&o.referenced, msg, None);
        }
        (Some(o), _) if o.value.iter().any(|s| s.trim().is_empty()) => {
            cx.err(&o.referenced, "an option is empty".into(), None);
        }
        _ => {}
    }
    let options = if kind == "yesno" {
        vec!["是".to_owned(), "否".to_owned()]
    } else {
        options
    };
    Some(Field {
        id: f.id.value,
        label: f.label,
        help: f.help,
        kind,
        options,
        required: f.required,
    })
}

/// Top-level fields (not in groups), the names placeholders and rules may use.
fn top_fields(sections: &[Section]) -> Vec<Field> {
    sections
        .iter()
        .flat_map(|s| s.fields.iter().cloned())
        .collect()
}

fn rules(cx: &mut Ctx, list: Vec<FileRule>, fields: &[Field]) -> Vec<Rule> {
    let dates: Vec<&str> = fields
        .iter()
        .filter(|f| f.kind == "date")
        .map(|f| f.id.as_str())
        .collect();
    let mut seen = HashMap::new();
    let mut out = Vec::new();
    for r in list {
        cx.id_ok(&r.id, "rule", &mut seen);
        cx.facts_ok(&r.facts);
        let Some(from) = fields
            .iter()
            .find(|f| f.id == r.from.value && f.kind == "date")
        else {
            cx.unknown(&r.from.referenced, "date field", &r.from.value, &dates);
            continue;
        };
        let a = &r.add.value;
        let units = [
            ("days", a.days),
            ("months", a.months),
            ("years", a.years),
            ("workdays", a.workdays),
        ];
        let set: Vec<(&'static str, u16)> = units
            .iter()
            .filter_map(|(u, n)| n.map(|n| (*u, n)))
            .collect();
        let [(unit, n)] = set[..] else {
            let help =
                "write e.g. `add: {days: 15}`, `{months: 5}`, `{years: 2}` or `{workdays: 5}`";
            let msg = "`add` needs exactly one of days, months, years, workdays".to_owned();
            cx.err(&r.add.referenced, msg, Some(help.into()));
            continue;
        };
        out.push(Rule {
            id: r.id.value,
            label: r.label,
            from: from.id.clone(),
            from_label: from.label.clone(),
            unit,
            n,
            basis: r.basis,
            facts: r.facts.value.trim().to_owned(),
            note: r.note,
        });
    }
    out
}

fn checks(cx: &mut Ctx, list: Vec<FileCheck>, fields: &[Field], rules: &[Rule]) -> Vec<Check> {
    let rule_ids: Vec<&str> = rules.iter().map(|r| r.id.as_str()).collect();
    let field_ids: Vec<&str> = fields.iter().map(|f| f.id.as_str()).collect();
    let mut seen = HashMap::new();
    let mut out = Vec::new();
    for c in list {
        cx.id_ok(&c.id, "check", &mut seen);
        cx.facts_ok(&c.facts);
        if c.when.value.is_empty() {
            cx.err(
                &c.when.referenced,
                "a check needs at least one condition".into(),
                None,
            );
        }
        let mut conds = Vec::new();
        for w in &c.when.value {
            let cond = match (&w.value.field, &w.value.past, &w.value.before) {
                (Some(f), None, None) => cond_is(cx, f, w.value.is.as_deref(), fields, &field_ids),
                (None, Some(r), None) | (None, None, Some(r)) => {
                    if rule_ids.contains(&r.value.as_str()) {
                        let rule = r.value.clone();
                        Some(match w.value.past.is_some() {
                            true => Cond::Past { rule },
                            false => Cond::Before { rule },
                        })
                    } else {
                        cx.unknown(&r.referenced, "rule", &r.value, &rule_ids);
                        None
                    }
                }
                _ => {
                    let help = "write `{field: ID, is: 值}`, `{past: RULE}` or `{before: RULE}`";
                    let msg = "a condition needs exactly one of field, past, before".to_owned();
                    cx.err(&w.referenced, msg, Some(help.into()));
                    None
                }
            };
            conds.extend(cond);
        }
        out.push(Check {
            id: c.id.value,
            when: serde_json::to_string(&conds).expect("conditions serialise as JSON"),
            says: c.says,
            instead: c.instead,
            basis: c.basis,
            facts: c.facts.value.trim().to_owned(),
        });
    }
    out
}

fn cond_is(
    cx: &mut Ctx,
    f: &Spanned<String>,
    is: Option<&str>,
    fields: &[Field],
    ids: &[&str],
) -> Option<Cond> {
    let Some(field) = fields.iter().find(|x| x.id == f.value) else {
        cx.unknown(&f.referenced, "field", &f.value, ids);
        return None;
    };
    let Some(is) = is else {
        let msg = format!("condition on `{}` needs `is: 值`", f.value);
        cx.err(&f.referenced, msg, None);
        return None;
    };
    if !field.options.is_empty() && !field.options.iter().any(|o| o == is) {
        let opts: Vec<&str> = field.options.iter().map(String::as_str).collect();
        let msg = format!("`{is}` is not an option of field `{}`", field.id);
        let help = match did_you_mean(is, opts.iter().copied()) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!("expected one of: {}", opts.join(", ")),
        };
        cx.err(&f.referenced, msg, Some(help));
        return None;
    }
    Some(Cond::Is {
        field: field.id.clone(),
        is: is.to_owned(),
    })
}

fn document(cx: &mut Ctx, d: FileDocument, fields: &[Field], groups: &[&Repeat]) -> Document {
    let top: Vec<&str> = fields.iter().map(|f| f.id.as_str()).collect();
    let group_ids: Vec<&str> = groups.iter().map(|g| g.id.as_str()).collect();
    if d.blocks.value.is_empty() {
        cx.err(
            &d.blocks.referenced,
            "a document needs at least one block".into(),
            None,
        );
    }
    let mut blocks = Vec::new();
    for b in d.blocks.value {
        let kind = b.kind.value.as_str();
        if !BLOCK_KINDS.contains(&kind) {
            cx.unknown(&b.kind.referenced, "block kind", kind, &BLOCK_KINDS);
            continue;
        }
        // A list repeats over a group; its placeholders name that group's fields.
        let names: Vec<&str> = match (&b.each, kind) {
            (Some(e), "list") => match groups.iter().find(|g| g.id == e.value) {
                Some(g) => g.fields.iter().map(|f| f.id.as_str()).collect(),
                None => {
                    cx.unknown(&e.referenced, "group", &e.value, &group_ids);
                    continue;
                }
            },
            (None, "list") => {
                let msg = "a `list` block needs `each: GROUP`".to_owned();
                cx.err(&b.kind.referenced, msg, None);
                continue;
            }
            (Some(e), _) => {
                let msg = "`each` applies only to `list` blocks".to_owned();
                cx.err(&e.referenced, msg, None);
                continue;
            }
            (None, _) => top.clone(),
        };
        if let Some(w) = &b.when {
            if !top.contains(&w.value.as_str()) {
                cx.unknown(&w.referenced, "field", &w.value, &top);
            }
        }
        let segs = match &b.text {
            Some(t) => match text::split(&t.value) {
                Ok(segs) => {
                    check_slots(cx, &segs, &t.referenced, &names);
                    segs
                }
                Err(msg) => {
                    cx.err(&t.referenced, msg, None);
                    continue;
                }
            },
            None if kind == "list" => Vec::new(),
            None => {
                let msg = format!("a `{kind}` block needs `text`");
                cx.err(&b.kind.referenced, msg, None);
                continue;
            }
        };
        blocks.push(Block {
            kind: kind.to_owned(),
            each: b.each.map(|e| e.value),
            when: b.when.map(|w| w.value),
            segs,
        });
    }
    Document {
        title: d.title,
        blocks,
    }
}

fn check_slots(cx: &mut Ctx, segs: &[text::Seg], at: &Location, names: &[&str]) {
    let mut reported = HashSet::new();
    for f in segs.iter().filter_map(|s| s.field.as_deref()) {
        if !names.contains(&f) && reported.insert(f.to_owned()) {
            cx.unknown(at, "field placeholder", f, names);
        }
    }
}
