//! Checks of a tool against the rest of the guide: its chapter and checklists exist, and a
//! group that imports rows (or a `send` of dates) names a tool and group that exist and have
//! the fields it needs.

use crate::diag::{did_you_mean, Diagnostic};
use crate::load::Guide;

use crate::tool::Tool;

/// Every reference problem of every tool.
pub fn check(guide: &Guide) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    for t in &guide.tools {
        let at = |(line, col): (usize, usize), msg: String| {
            Diagnostic::error(format!("{}/{}", guide.display_root, t.source), msg)
                .at(&t.text, line, col)
        };
        let chapters = guide.chapters.iter().map(|c| c.source.as_str());
        let failed = guide.failed.contains(&t.chapter);
        if !failed && !guide.chapters.iter().any(|c| c.source == t.chapter) {
            let d = at(t.chapter_pos, format!("no chapter `{}`", t.chapter));
            diags.push(with_hint(d, &t.chapter, chapters));
        }
        for (id, pos) in t.checklists.iter().zip(&t.checklist_pos) {
            if !guide.checklists.iter().any(|c| &c.id == id) && !guide.checklist_failed(id) {
                let d = at(*pos, format!("no checklist with id `{id}`"));
                let ids = guide.checklists.iter().map(|c| c.id.as_str());
                diags.push(with_hint(d, id, ids));
            }
        }
        if let (Some(send), Some(pos)) = (&t.send, t.send_pos) {
            if let Some(msg) = send_problem(guide, send) {
                diags.push(at(pos, msg));
            }
        }
        for (group, pos) in &t.import_pos {
            if let Some(msg) = import_problem(guide, t, group) {
                diags.push(at(*pos, msg));
            }
        }
    }
    diags
}

fn with_hint<'a>(d: Diagnostic, word: &str, known: impl Iterator<Item = &'a str>) -> Diagnostic {
    match did_you_mean(word, known) {
        Some(s) => d.with_help(format!("did you mean `{s}`?")),
        None => d,
    }
}

/// What is wrong with group `group`'s `import`, if anything.
fn import_problem(guide: &Guide, t: &Tool, group: &str) -> Option<String> {
    let imp = t.group(group)?.import.as_ref()?;
    let Some(from) = guide.tools.iter().find(|x| x.id == imp.tool) else {
        return Some(format!("`import` names no tool `{}`", imp.tool));
    };
    let Some(src) = from.group(&imp.group) else {
        return Some(format!("tool `{}` has no group `{}`", imp.tool, imp.group));
    };
    let mine = &t.group(group)?.fields;
    if !mine.iter().any(|f| src.fields.iter().any(|s| s.id == f.id)) {
        return Some(format!(
            "group `{group}` shares no field id with `{}`'s group `{}`: nothing would be imported",
            imp.tool, imp.group
        ));
    }
    let (Some(field), Some(is)) = (&imp.field, &imp.is) else {
        return None;
    };
    match src.fields.iter().find(|f| &f.id == field) {
        None => Some(format!("group `{}` has no field `{field}`", imp.group)),
        Some(f) if !f.options.is_empty() && !f.options.contains(is) => Some(format!(
            "`{is}` is not an option of `{}`'s field `{field}` (options: {})",
            imp.tool,
            f.options.join(", ")
        )),
        Some(_) => None,
    }
}

/// What is wrong with a tool's `send`, if anything.
fn send_problem(guide: &Guide, send: &crate::tool::Send) -> Option<String> {
    let Some(to) = guide.tools.iter().find(|x| x.id == send.tool) else {
        return Some(format!("`send` names no tool `{}`", send.tool));
    };
    let Some(group) = to.group(&send.group) else {
        return Some(format!(
            "tool `{}` has no group `{}`",
            send.tool, send.group
        ));
    };
    let field = |id: &str| group.fields.iter().find(|f| f.id == id);
    match field(&send.date) {
        Some(f) if f.kind == "date" => {}
        _ => {
            return Some(format!(
                "group `{}` has no date field `{}`",
                send.group, send.date
            ))
        }
    }
    if field(&send.text).is_none() {
        return Some(format!(
            "group `{}` has no field `{}`",
            send.group, send.text
        ));
    }
    let (Some(id), Some(is)) = (&send.field, &send.is) else {
        return None;
    };
    match field(id) {
        None => Some(format!("group `{}` has no field `{id}`", send.group)),
        Some(f) if !f.options.is_empty() && !f.options.contains(is) => Some(format!(
            "`{is}` is not an option of field `{id}` (options: {})",
            f.options.join(", ")
        )),
        Some(_) => None,
    }
}
