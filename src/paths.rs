//! Paths as the output shows them: made absolute once, shown relative to one
//! base (the display root, else the current directory), through `..` where
//! a path is not under it.

use std::path::{Path, PathBuf};

/// An absolute `path` as output shows it: relative to the current directory
/// (through `..` when it is not under it).
pub(crate) fn shown(path: &Path) -> String {
    match std::env::current_dir() {
        Ok(cwd) if path.is_absolute() => relative_to(path, &cwd).display().to_string(),
        _ => path.display().to_string(),
    }
}

/// `path` (absolute) relative to `base` (absolute), through `..` where it
/// is not under it.
pub(crate) fn relative_to(path: &Path, base: &Path) -> PathBuf {
    let (mut p, mut b) = (path.components().peekable(), base.components().peekable());
    while p.peek().is_some() && p.peek() == b.peek() {
        p.next();
        b.next();
    }
    b.map(|_| std::path::Component::ParentDir)
        .chain(p)
        .collect()
}

/// `path` made absolute against the current directory, with `.` and `..`
/// resolved by their names (as cargo does), without following links.
pub(crate) fn absolute(path: &Path) -> PathBuf {
    let full = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = PathBuf::new();
    for c in full.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                if !out.pop() {
                    out.push(c);
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// How a path is shown: relative to `display_root` when it is under it,
/// else as the user spelled the path given that holds it (`spelled`: each
/// absolute path given and how the user spelled it).
pub(crate) fn display(path: &Path, display_root: &Path, spelled: &[(PathBuf, PathBuf)]) -> String {
    let shown = match path.strip_prefix(display_root) {
        Ok(rel) => rel.to_path_buf(),
        Err(_) => spelled
            .iter()
            .find_map(|(abs, given)| match path.strip_prefix(abs).ok()? {
                rest if rest.as_os_str().is_empty() => Some(given.clone()),
                rest => Some(given.join(rest)),
            })
            .unwrap_or_else(|| relative_to(path, display_root)),
    };
    let s = shown.to_string_lossy().replace('\\', "/");
    match s.strip_prefix("./").unwrap_or(&s) {
        // The current directory itself.
        "" => ".".to_string(),
        rest => rest.to_string(),
    }
}
