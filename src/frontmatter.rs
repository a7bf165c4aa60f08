//! Splitting a chapter into its YAML front matter and Markdown body.
//!
//! Front matter is the block between a first line `---` and the next line that is exactly `---`
//! (or `...`). Offsets are byte offsets into the whole file so every later diagnostic can be
//! counted from the start of the file (Zola #1133 counted from the block instead).

/// The parts of a chapter file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split {
    /// Byte range of the YAML between the fences, if there is front matter.
    pub yaml: Option<(usize, usize)>,
    /// Byte offset where the Markdown body starts.
    pub body_start: usize,
}

/// Error: the opening fence has no closing fence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unclosed;

/// Splits `text` (already newline-normalised) into front matter and body.
pub fn split(text: &str) -> Result<Split, Unclosed> {
    let Some(rest) = text.strip_prefix("---\n").or_else(|| {
        // A file that is only "---" with no newline is also an unclosed block.
        (text == "---").then_some("")
    }) else {
        return Ok(Split {
            yaml: None,
            body_start: 0,
        });
    };
    let yaml_start = text.len() - rest.len();
    let mut offset = yaml_start;
    for line in rest.split_inclusive('\n') {
        let bare = line.strip_suffix('\n').unwrap_or(line);
        if bare == "---" || bare == "..." {
            return Ok(Split {
                yaml: Some((yaml_start, offset)),
                body_start: offset + line.len(),
            });
        }
        offset += line.len();
    }
    Err(Unclosed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_and_keeps_file_offsets() {
        let t = "---\ntitle: 甲\n---\n正文\n";
        let s = split(t).unwrap();
        let (a, b) = s.yaml.unwrap();
        assert_eq!(&t[a..b], "title: 甲\n");
        assert_eq!(&t[s.body_start..], "正文\n");
    }

    #[test]
    fn no_front_matter_and_unclosed() {
        assert_eq!(split("# hi\n").unwrap().body_start, 0);
        assert_eq!(split("---\ntitle: x\n"), Err(Unclosed));
        let s = split("---\n---\nbody").unwrap();
        assert_eq!(s.yaml, Some((4, 4)));
    }

    #[test]
    fn any_input_gives_offsets_inside_the_text() {
        for t in [
            "---",
            "---\n",
            "---\n...\n",
            "---\n--- \n---",
            "x---\n---\n",
        ] {
            if let Ok(s) = split(t) {
                assert!(s.body_start <= t.len());
                if let Some((a, b)) = s.yaml {
                    assert!(a <= b && b <= t.len());
                }
            }
        }
    }
}
