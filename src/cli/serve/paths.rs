//! Request-path validation: turns the path of an HTTP request target into a site key.
//!
//! The server looks files up in the in-memory `Site` map only, so a path can never reach the
//! file system (S1, S2 hold by construction). This validator is the second fence: it refuses
//! anything a file server would have to canonicalise — `..` in any spelling, encoded separators,
//! backslashes, drive letters, NUL and control bytes, empty segments, over-long paths and
//! invalid UTF-8 — so no later change (say, a disk fallback) could turn one into an escape.
//! It is a pure function and never panics.

/// Longest accepted raw request path, in bytes.
pub const MAX_PATH_BYTES: usize = 1024;

/// Why a request path was refused (each becomes a 400).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathError {
    TooLong,
    NotAbsolute,
    /// `%` not followed by two hex digits.
    BadEncoding,
    /// Decoded bytes are not UTF-8.
    InvalidUtf8,
    /// `..` or `.` segments (in any encoding), or segments made only of dots and spaces.
    Traversal,
    /// `%2f`, `%5c` or a raw `\`.
    Separator,
    /// `:` in a segment (drive letters such as `C:`, NTFS streams).
    Colon,
    /// NUL or another control character.
    Control,
    /// `//` (an empty segment).
    EmptySegment,
}

impl PathError {
    pub fn reason(self) -> &'static str {
        match self {
            PathError::TooLong => "path too long",
            PathError::NotAbsolute => "path must start with /",
            PathError::BadEncoding => "bad percent-encoding",
            PathError::InvalidUtf8 => "path is not valid UTF-8",
            PathError::Traversal => "dot segments are not allowed",
            PathError::Separator => "encoded or backslash separators are not allowed",
            PathError::Colon => "`:` is not allowed in a path",
            PathError::Control => "control characters are not allowed",
            PathError::EmptySegment => "empty path segment",
        }
    }
}

/// Validates the raw path of a request target (without `?query`) and returns the site key:
/// `/` → `index.html`, `/dir/` → `dir/index.html`, `/a/b.html` → `a/b.html`.
pub fn site_key(raw: &str) -> Result<String, PathError> {
    if raw.len() > MAX_PATH_BYTES {
        return Err(PathError::TooLong);
    }
    let Some(rest) = raw.strip_prefix('/') else {
        return Err(PathError::NotAbsolute);
    };
    if raw.contains('\\') {
        return Err(PathError::Separator);
    }
    let mut segments: Vec<String> = Vec::new();
    let parts: Vec<&str> = rest.split('/').collect();
    let last = parts.len() - 1;
    for (i, seg) in parts.iter().enumerate() {
        if seg.is_empty() {
            // Only the final segment may be empty (`/` or `/dir/`).
            if i == last {
                continue;
            }
            return Err(PathError::EmptySegment);
        }
        let bytes = percent_decode(seg)?;
        let text = String::from_utf8(bytes).map_err(|_| PathError::InvalidUtf8)?;
        if text.contains('/') || text.contains('\\') {
            return Err(PathError::Separator);
        }
        if text.chars().any(char::is_control) {
            return Err(PathError::Control);
        }
        if text.chars().all(|c| c == '.' || c == ' ') {
            return Err(PathError::Traversal);
        }
        if text.contains(':') {
            return Err(PathError::Colon);
        }
        segments.push(text);
    }
    let mut key = segments.join("/");
    if raw.ends_with('/') {
        if !key.is_empty() {
            key.push('/');
        }
        key.push_str("index.html");
    }
    Ok(key)
}

fn percent_decode(s: &str) -> Result<Vec<u8>, PathError> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = |c: u8| (c as char).to_digit(16);
            match (
                b.get(i + 1).and_then(|&c| hex(c)),
                b.get(i + 2).and_then(|&c| hex(c)),
            ) {
                (Some(h), Some(l)) => {
                    // Both digits are < 16, so the value fits a byte.
                    out.push((h * 16 + l) as u8);
                    i += 3;
                }
                _ => return Err(PathError::BadEncoding),
            }
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    Ok(out)
}

/// Decodes a query-string value (`+` is a space); None on bad encoding or invalid UTF-8.
pub fn query_value(b: &str) -> Option<String> {
    String::from_utf8(percent_decode(&b.replace('+', " ")).ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_paths_map_to_site_keys() {
        let table = [
            ("/", "index.html"),
            ("/index.html", "index.html"),
            ("/prepare/", "prepare/index.html"),
            ("/prepare/evidence.html", "prepare/evidence.html"),
            (
                "/static/style.0123456789.css",
                "static/style.0123456789.css",
            ),
            ("/%E6%95%B4%E7%90%86.html", "整理.html"),
            ("/a%20b.html", "a b.html"),
            ("/.well-known/x", ".well-known/x"),
            ("/a..b.html", "a..b.html"),
        ];
        for (raw, key) in table {
            assert_eq!(site_key(raw).as_deref(), Ok(key), "{raw}");
        }
    }

    #[test]
    fn traversal_and_windows_spellings_are_refused() {
        use PathError::*;
        let long = format!("/{}", "a".repeat(MAX_PATH_BYTES));
        let table: &[(&str, PathError)] = &[
            ("/../secret.txt", Traversal),
            ("/a/../../secret.txt", Traversal),
            ("/%2e%2e/secret.txt", Traversal),
            ("/%2E%2E/secret.txt", Traversal),
            ("/.%2e/secret.txt", Traversal),
            ("/%2e./secret.txt", Traversal),
            ("/./index.html", Traversal),
            ("/.../x", Traversal),
            ("/.. /x", Traversal),
            ("/..%20/x", Traversal),
            ("/..%2fsecret.txt", Separator),
            ("/..%2Fsecret.txt", Separator),
            ("/a%2f..%2f..%2fsecret.txt", Separator),
            ("/..%5csecret.txt", Separator),
            ("/..%5Csecret.txt", Separator),
            ("/..\\secret.txt", Separator),
            ("/a\\b", Separator),
            ("/C:/Windows/win.ini", Colon),
            ("/c%3A/Windows/win.ini", Colon),
            ("/c%3a%5cwindows", Separator),
            ("/C:", Colon),
            ("/index.html::$DATA", Colon),
            ("//etc/passwd", EmptySegment),
            ("/a//b", EmptySegment),
            ("/index.html%00.css", Control),
            ("/%00", Control),
            ("/a%0d%0aSet-Cookie:x", Control),
            ("/%", BadEncoding),
            ("/%zz", BadEncoding),
            ("/%e6%9", BadEncoding),
            ("/%ff%fe", InvalidUtf8),
            ("/%c0%ae%c0%ae/secret.txt", InvalidUtf8),
            ("secret.txt", NotAbsolute),
            ("", NotAbsolute),
            ("*", NotAbsolute),
            ("http://evil/x", NotAbsolute),
        ];
        for (raw, want) in table {
            assert_eq!(site_key(raw), Err(*want), "{raw}");
        }
        assert_eq!(site_key(&long), Err(TooLong));
    }

    /// A small deterministic generator: every path built from risky pieces either is refused
    /// or yields a key with no `..`/`.` segment, no empty segment, no `\`, `:` or NUL.
    #[test]
    fn generated_paths_never_escape_the_root() {
        let pieces = [
            "a",
            ".",
            "..",
            "%2e",
            "%2E%2e",
            "/",
            "%2f",
            "%5c",
            "\\",
            "C:",
            "%3a",
            "%00",
            "%",
            "%c0%af",
            "%ff",
            "index.html",
            "整理",
            "%E6%95%B4",
            " ",
            "~",
            "..%2f",
            ".%2e",
            "%2e.",
        ];
        // Linear congruential generator: deterministic, no dependency.
        let mut state: u64 = 0x5eed;
        let mut next = || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) as usize
        };
        for _ in 0..20_000 {
            let n = 1 + next() % 6;
            let mut raw = String::from("/");
            for _ in 0..n {
                raw.push_str(pieces[next() % pieces.len()]);
                if next() % 2 == 0 {
                    raw.push('/');
                }
            }
            if let Ok(key) = site_key(&raw) {
                assert!(!key.starts_with('/'), "{raw} → {key}");
                for seg in key.split('/') {
                    assert!(!seg.is_empty(), "{raw} → {key}");
                    assert!(!seg.chars().all(|c| c == '.' || c == ' '), "{raw} → {key}");
                    assert!(!seg.contains(['\\', ':', '\0']), "{raw} → {key}");
                }
            }
        }
    }

    #[test]
    fn query_values_decode() {
        assert_eq!(query_value("a%2Fb+c").as_deref(), Some("a/b c"));
        assert_eq!(query_value("%zz"), None);
    }
}
