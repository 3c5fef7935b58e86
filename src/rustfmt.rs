//! rustfmt over the changed files of a checked run, as `cargo fmt` would
//! run it: a file rustfmt left as it was before the change is formatted
//! after it, so `cargo fmt --check` passes after `--write` wherever it
//! passed before. A file that was not rustfmt-clean is left as the edits
//! made it: formatting it would change lines no fix touched.

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

use rayon::prelude::*;

use crate::edits::manifest;
use crate::model::FileChange;

/// Formats each changed `.rs` file of `changes` that `only` picks and whose
/// text before the change was rustfmt-clean, with its crate's edition and
/// the `rustfmt.toml` that `cargo fmt` would use for it. Returns the indices
/// of the changes it formatted. Without rustfmt, it does nothing.
pub fn format_changes(
    changes: &mut [FileChange],
    only: impl Fn(&FileChange) -> bool + Sync,
) -> Vec<usize> {
    if !changes.iter().any(&only) || !available() {
        return Vec::new();
    }
    changes
        .par_iter_mut()
        .enumerate()
        .filter(|(_, change)| only(change))
        .filter_map(|(i, change)| format_change(change).then_some(i))
        .collect()
}

/// Whether a `rustfmt` runs here (asked once a run: the check's rounds
/// format again).
fn available() -> bool {
    static AVAILABLE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *AVAILABLE.get_or_init(|| {
        Command::new("rustfmt")
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    })
}

/// Formats `change` if it is a Rust file that was rustfmt-clean before; says
/// whether its new text changed.
fn format_change(change: &mut FileChange) -> bool {
    if change.path.extension().is_none_or(|e| e != "rs") {
        return false;
    }
    let edition = change
        .manifest
        .as_deref()
        .and_then(|m| manifest::edition(m).ok())
        .unwrap_or(ra_ap_syntax::Edition::Edition2021)
        .to_string();
    let dir = change.path.parent().unwrap_or(Path::new("."));
    let clean_before = rustfmt(&change.old, &edition, dir).is_some_and(|f| f == change.old);
    match rustfmt(&change.new, &edition, dir).filter(|f| clean_before && *f != change.new) {
        Some(formatted) => {
            change.new = formatted;
            true
        }
        None => false,
    }
}

/// `text` as rustfmt formats it, run from `dir` (where rustfmt looks for its
/// configuration, then in the directories above, as for the file itself);
/// `None` when rustfmt fails (a parse error, a bad configuration).
fn rustfmt(text: &str, edition: &str, dir: &Path) -> Option<String> {
    let mut child = Command::new("rustfmt")
        .args(["--edition", edition, "--emit", "stdout", "--quiet"])
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let mut stdin = child.stdin.take()?;
    let input = text.to_string();
    // Written from its own thread: rustfmt may fill its stdout pipe before
    // it has read all of stdin.
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().ok()?;
    writer.join().ok()?.ok()?;
    out.status
        .success()
        .then(|| String::from_utf8(out.stdout).ok())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(dir: &Path, old: &str, new: &str) -> FileChange {
        FileChange {
            path: dir.join("lib.rs"),
            display: "lib.rs".into(),
            old: old.into(),
            new: new.into(),
            crate_id: 0,
            manifest: None,
        }
    }

    #[test]
    fn a_clean_file_is_formatted_after_its_change_and_a_messy_one_is_not() {
        let tmp = tempfile::tempdir().unwrap();
        let clean = "fn f() {\n    let v = vec![1, 2];\n}\n";
        let edited = "fn f() {\n    let v = vec![1, 2,\n    3];\n}\n";
        let messy = "fn f() { let v = vec![1, 2]; }\n";
        let mut changes = vec![
            change(tmp.path(), clean, edited),
            change(tmp.path(), messy, edited),
        ];
        assert_eq!(format_changes(&mut changes, |_| true), [0]);
        assert_eq!(changes[0].new, "fn f() {\n    let v = vec![1, 2, 3];\n}\n");
        assert_eq!(changes[1].new, edited);
    }

    #[test]
    fn the_configuration_above_the_file_is_read() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("rustfmt.toml"), "max_width = 30\n").unwrap();
        let dir = tmp.path().join("src");
        std::fs::create_dir_all(&dir).unwrap();
        let old = "fn f() {}\n";
        let new = "fn f() {\n    g(aaaaaaaa, bbbbbbbb, cccccccc);\n}\n";
        let mut changes = vec![change(&dir, old, new)];
        assert_eq!(format_changes(&mut changes, |_| true), [0]);
        assert_eq!(
            changes[0].new,
            "fn f() {\n    g(\n        aaaaaaaa, bbbbbbbb,\n        cccccccc,\n    );\n}\n"
        );
    }
}
