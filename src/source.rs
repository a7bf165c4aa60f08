//! Reading input files: encoding, size caps, line endings; and which kind of input a
//! guide-relative path names (`checklist_stem`, `tool_stem`).
//!
//! Every input byte passes through `decode` before any parser sees it: a UTF-8 BOM is dropped,
//! CRLF and lone CR become LF (so line numbers match what editors show), and anything that is not
//! UTF-8 is refused with the position of the first bad byte and a hint (GBK is the usual culprit
//! for Chinese text). Nothing here writes.

use std::path::Path;

use crate::diag::Diagnostic;

/// Default cap for one input file (chapters, checklists, config). Configurable with
/// `--max-file-size`; documented in README.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

/// A decoded text file.
#[derive(Debug, Clone)]
pub struct SourceText {
    /// Path as shown to the user.
    pub display: String,
    pub text: String,
}

/// Reads and decodes `path`, shown to the user as `display`.
pub fn read_text(path: &Path, display: &str, max_bytes: u64) -> Result<SourceText, Diagnostic> {
    let meta = std::fs::metadata(path)
        .map_err(|e| Diagnostic::error(display, format!("cannot read file: {e}")))?;
    if meta.len() > max_bytes {
        return Err(Diagnostic::error(
            display,
            format!(
                "file is {} bytes, over the {} byte limit for one input file",
                meta.len(),
                max_bytes
            ),
        )
        .with_help("split the file, or raise the limit with --max-file-size"));
    }
    let bytes = std::fs::read(path)
        .map_err(|e| Diagnostic::error(display, format!("cannot read file: {e}")))?;
    let text = decode(&bytes, display)?;
    Ok(SourceText {
        display: display.to_owned(),
        text,
    })
}

/// Decodes file bytes to normalised text (see module docs).
pub fn decode(bytes: &[u8], display: &str) -> Result<String, Diagnostic> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(
            Diagnostic::error(display, "file is UTF-16; guidesmith reads UTF-8 only")
                .with_help("re-save the file as UTF-8 (without BOM) in your editor"),
        );
    }
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    // The fast check first; std's, which locates the bad byte, only for invalid input.
    let text = match simdutf8::basic::from_utf8(bytes).or_else(|_| std::str::from_utf8(bytes)) {
        Ok(t) => t,
        Err(e) => {
            let good = e.valid_up_to();
            // Locate within the valid prefix so line/col match the editor's view.
            let prefix = std::str::from_utf8(&bytes[..good]).unwrap_or_default();
            let gbk = looks_like_gbk(&bytes[good..]);
            let help = if gbk {
                "the bytes look like GBK/GB18030; re-save the file as UTF-8 in your editor"
            } else {
                "re-save the file as UTF-8 in your editor"
            };
            let mut d = Diagnostic::error(
                display,
                format!(
                    "invalid UTF-8 (byte 0x{:02X} at offset {good})",
                    bytes[good]
                ),
            )
            .at_offset(prefix, prefix.len())
            .with_help(help);
            // The offending line is cut at the bad byte; show what is readable.
            d.source_line = prefix.lines().last().map(str::to_owned);
            return Err(d);
        }
    };
    if let Some(pos) = text.find('\0') {
        return Err(Diagnostic::error(display, "file contains a NUL byte")
            .at_offset(text, pos)
            .with_help("this looks like a binary file; guide sources must be text"));
    }
    Ok(normalise_newlines(text))
}

fn normalise_newlines(text: &str) -> String {
    if !text.contains('\r') {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' {
            if chars.peek() == Some(&'\n') {
                chars.next();
            }
            out.push('\n');
        } else {
            out.push(c);
        }
    }
    out
}

/// True when the bytes at an invalid-UTF-8 position parse as GBK double-byte characters.
fn looks_like_gbk(bytes: &[u8]) -> bool {
    let mut pairs = 0;
    let mut i = 0;
    while i + 1 < bytes.len() && pairs < 4 {
        let (b0, b1) = (bytes[i], bytes[i + 1]);
        if b0 < 0x80 {
            i += 1;
            continue;
        }
        if (0x81..=0xFE).contains(&b0) && (0x40..=0xFE).contains(&b1) && b1 != 0x7F {
            pairs += 1;
            i += 2;
        } else {
            return false;
        }
    }
    pairs > 0
}

/// The stem of a checklist file (`checklists/<stem>.yaml` or `.yml`, no deeper folder).
pub fn checklist_stem(rel: &str) -> Option<&str> {
    yaml_stem(rel, "checklists/")
}

/// The stem of a tool file (`tools/<stem>.yaml` or `.yml`, no deeper folder).
pub fn tool_stem(rel: &str) -> Option<&str> {
    yaml_stem(rel, "tools/")
}

fn yaml_stem<'a>(rel: &'a str, folder: &str) -> Option<&'a str> {
    rel.strip_prefix(folder)
        .and_then(|s| s.strip_suffix(".yaml").or_else(|| s.strip_suffix(".yml")))
        .filter(|s| !s.contains('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bom_is_stripped_and_crlf_normalised() {
        let t = decode(b"\xEF\xBB\xBFa\r\nb\rc", "x").unwrap();
        assert_eq!(t, "a\nb\nc");
    }

    #[test]
    fn gbk_bytes_get_a_located_hint() {
        // "标题" in GBK is B1 EA CC E2.
        let d = decode(b"title: ok\nname: \xB1\xEA\xCC\xE2\n", "x.md").unwrap_err();
        assert_eq!((d.line, d.col), (2, 7));
        assert!(d.help.unwrap().contains("GBK"));
    }

    #[test]
    fn utf16_is_refused() {
        assert!(decode(b"\xFF\xFEa\x00", "x").is_err());
    }
}
