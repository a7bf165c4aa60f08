//! Character references (`&amp;`, `&#106;`, `&colon;`) in raw HTML: decoded in attribute
//! values as a browser would (so a URL's scheme is checked as the browser will read it), kept
//! as written in text.

use crate::highlight::escape_into;

/// Named character references decoded in attribute values: the common ones, and every one
/// that can hide a URL scheme (`java&Tab;script&colon;`). Others are kept as written, so they
/// are shown literally once escaped, and a URL that still holds `&` plus a letter is refused
/// by its scheme check only if it has a scheme; see `decode`.
const NAMED: &[(&str, char)] = &[
    ("amp", '&'),
    ("lt", '<'),
    ("gt", '>'),
    ("quot", '"'),
    ("apos", '\''),
    ("nbsp", '\u{a0}'),
    ("Tab", '\t'),
    ("NewLine", '\n'),
    ("colon", ':'),
    ("sol", '/'),
    ("bsol", '\\'),
    ("period", '.'),
    ("comma", ','),
    ("semi", ';'),
    ("excl", '!'),
    ("quest", '?'),
    ("num", '#'),
    ("lpar", '('),
    ("rpar", ')'),
    ("equals", '='),
    ("plus", '+'),
    ("percnt", '%'),
    ("commat", '@'),
    ("lowbar", '_'),
    ("hyphen", '-'),
    ("dash", '-'),
];

/// Decodes character references as a browser does in an attribute value: numeric ones with or
/// without `;`, and the named ones in `NAMED` (with `;`).
pub fn decode(v: &str) -> String {
    if !v.contains('&') {
        return v.to_owned();
    }
    let mut out = String::with_capacity(v.len());
    let mut rest = v;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        if let Some((c, used)) = reference(rest) {
            out.push(c);
            rest = &rest[used..];
        } else {
            out.push('&');
            rest = &rest[1..];
        }
    }
    out.push_str(rest);
    out
}

/// The character a reference at the start of `s` (which starts with `&`) stands for, and its
/// length.
fn reference(s: &str) -> Option<(char, usize)> {
    let body = &s[1..];
    if let Some(num) = body.strip_prefix('#') {
        let (hex, digits) = numeric(num);
        let n = digits.len();
        if n == 0 {
            return None;
        }
        let value = u32::from_str_radix(digits, if hex { 16 } else { 10 }).ok();
        let c = value
            .and_then(char::from_u32)
            .filter(|&c| c != '\0')
            .unwrap_or('\u{fffd}');
        let mut used = 1 + 1 + usize::from(hex) + n;
        if s[used..].starts_with(';') {
            used += 1;
        }
        return Some((c, used));
    }
    let name_len = body.bytes().take_while(u8::is_ascii_alphanumeric).count();
    if !body[name_len..].starts_with(';') {
        return None;
    }
    let name = &body[..name_len];
    NAMED
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, c)| (*c, name_len + 2))
}

/// Escapes text for element content, keeping character references (`&lt;`, `&#39;`, `&nbsp;`)
/// as written: they are already text, and escaping their `&` would show them literally.
pub fn text_into(out: &mut String, t: &str) {
    let mut rest = t;
    while let Some(i) = rest.find(['&', '<', '>', '"', '\'']) {
        escape_into(out, &rest[..i]);
        let c = rest.as_bytes()[i];
        if c == b'&' && is_reference(&rest[i..]) {
            out.push('&');
        } else {
            escape_into(out, &rest[i..=i]);
        }
        rest = &rest[i + 1..];
    }
    escape_into(out, rest);
}

/// True when `s` starts with a well-formed character reference (`&name;`, `&#…;`).
fn is_reference(s: &str) -> bool {
    let body = &s[1..];
    match body.strip_prefix('#') {
        Some(num) => {
            let (hex, digits) = numeric(num);
            let n = digits.len();
            n > 0 && n <= 8 && num[usize::from(hex) + n..].starts_with(';')
        }
        None => {
            let n = body.bytes().take_while(u8::is_ascii_alphanumeric).count();
            n > 0 && n <= 32 && body[n..].starts_with(';')
        }
    }
}

/// The digits of a numeric reference (`num` is what follows `&#`): whether they are hex (`x`),
/// and the run of digits (empty when there is none).
fn numeric(num: &str) -> (bool, &str) {
    let (hex, digits) = match num.strip_prefix(['x', 'X']) {
        Some(h) => (true, h),
        None => (false, num),
    };
    let is_digit = |c: &u8| {
        if hex {
            c.is_ascii_hexdigit()
        } else {
            c.is_ascii_digit()
        }
    };
    let n = digits.bytes().take_while(is_digit).count();
    (hex, &digits[..n])
}
