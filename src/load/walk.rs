//! Listing the guide's files: a sorted walk that never follows symbolic links (they are
//! reported) and skips editor droppings.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::diag::Diagnostic;

/// Editor droppings and other files that are never part of the guide (W1).
pub fn is_ignored_name(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".swo")
        || name.ends_with(".tmp")
        || name.ends_with(".bck")
        || name.ends_with(".bak")
        || name.contains("___jb_")
        || name == "4913"
        || name.starts_with('#')
}

/// The guide's files (guide-relative path, path) and what went wrong listing them.
pub type Walk = (Vec<(String, PathBuf)>, Vec<Diagnostic>);

/// Lists the guide's files in sorted order, without following symlinks (reported instead).
pub fn walk(root: &Path, show: &dyn Fn(&str) -> String) -> Walk {
    let mut diags = Vec::new();
    let mut files: Vec<(String, PathBuf)> = Vec::new();
    let walker = WalkDir::new(root)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_ignored_name(&e.file_name().to_string_lossy()));
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let p = e
                    .path()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default();
                diags.push(Diagnostic::error(p, format!("cannot read: {e}")));
                continue;
            }
        };
        let Ok(rel) = entry.path().strip_prefix(root) else {
            continue;
        };
        let Some(rel) = rel.to_str().map(|s| s.replace('\\', "/")) else {
            diags.push(
                Diagnostic::error(
                    entry.path().display().to_string(),
                    "file name is not valid UTF-8",
                )
                .with_help("rename the file using UTF-8 characters"),
            );
            continue;
        };
        if entry.path_is_symlink() {
            diags.push(
                Diagnostic::error(show(&rel), "symbolic links are not followed")
                    .with_help("copy the file into guide/ instead of linking to it"),
            );
            continue;
        }
        if entry.file_type().is_file() {
            if let Some(bad) = rel
                .chars()
                .find(|c| "<>:\"|?*\\".contains(*c) || c.is_control())
            {
                diags.push(
                    Diagnostic::error(
                        show(&rel),
                        format!("file name contains `{bad}`, which some systems cannot store"),
                    )
                    .with_help("rename the file using letters, digits, Chinese characters and -"),
                );
                continue;
            }
            files.push((rel, entry.into_path()));
        }
    }

    (files, diags)
}
