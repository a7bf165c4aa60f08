//! A document block's text split into literal parts and `{field}` slots, so the theme can
//! escape the words and the page script can fill each slot with the reader's text.

use serde::Serialize;

/// A piece of a block: literal text, or a slot for field `field`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Seg {
    pub text: String,
    pub field: Option<String>,
}

/// Splits `s` at `{id}` placeholders (`id`: a-z, 0-9, -). Returns the segments, or the first
/// problem: a `{` that does not start a well-formed placeholder.
pub fn split(s: &str) -> Result<Vec<Seg>, String> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(open) = rest.find('{') {
        if open > 0 {
            out.push(literal(&rest[..open]));
        }
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            return Err(format!("`{{` without a closing `}}` in `{s}`"));
        };
        let id = &after[..close];
        if id.is_empty()
            || !id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(format!(
                "`{{{id}}}` is not a field placeholder (field ids use a-z, 0-9 and -)"
            ));
        }
        out.push(Seg {
            text: String::new(),
            field: Some(id.to_owned()),
        });
        rest = &after[close + 1..];
    }
    if !rest.is_empty() || out.is_empty() {
        out.push(literal(rest));
    }
    Ok(out)
}

fn literal(s: &str) -> Seg {
    Seg {
        text: s.to_owned(),
        field: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(segs: &[Seg]) -> String {
        segs.iter()
            .map(|s| match &s.field {
                Some(f) => format!("[{f}]"),
                None => s.text.clone(),
            })
            .collect()
    }

    #[test]
    fn literal_text_and_slots_alternate() {
        let s = split("本人{name}，号码{number}。").unwrap();
        assert_eq!(show(&s), "本人[name]，号码[number]。");
        assert_eq!(show(&split("{a}{b}").unwrap()), "[a][b]");
        assert_eq!(show(&split("此致").unwrap()), "此致");
    }

    #[test]
    fn malformed_placeholders_are_refused() {
        assert!(split("本人{name").unwrap_err().contains("closing"));
        assert!(split("{姓名}")
            .unwrap_err()
            .contains("not a field placeholder"));
        assert!(split("{}").is_err());
    }
}
