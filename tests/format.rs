//! Rewritten code reads like the user's own: on every fixture, with and
//! without `--unsafe-fixes`, `rustfmt --check --edition 2021` reports nothing
//! on the lines the migration changed, unless it already reported something
//! on the lines they replace in the original.

mod common;

use std::collections::BTreeSet;
use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

use similar::{DiffTag, TextDiff};

/// The 0-based lines of `text` that `rustfmt --check` would change, or `None`
/// when rustfmt cannot format it (a fixture that does not parse).
fn rustfmt_flags(text: &str) -> Option<BTreeSet<usize>> {
    let mut child = Command::new("rustfmt")
        .args(["--check", "--edition", "2021", "--color", "never"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("rustfmt is installed with the toolchain");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let report = String::from_utf8(out.stdout).unwrap();
    if !out.stderr.is_empty() && report.is_empty() {
        return None;
    }
    Some(flagged_lines(&report))
}

/// The lines a `rustfmt --check` report changes: `Diff in <stdin>:N:` starts
/// a hunk at line N; ` ` and `-` lines step through the input, and a `+`
/// run with no `-` before it inserts between two lines, both flagged.
fn flagged_lines(report: &str) -> BTreeSet<usize> {
    let mut flagged = BTreeSet::new();
    let mut line = 0usize;
    let mut removed_before = false;
    for l in report.lines() {
        if let Some(rest) = l.strip_prefix("Diff in ") {
            let n = rest.trim_end_matches(':').rsplit(':').next().unwrap();
            line = n.parse::<usize>().unwrap() - 1;
            removed_before = false;
        } else if l.starts_with('-') {
            flagged.insert(line);
            line += 1;
            removed_before = true;
        } else if l.starts_with('+') {
            if !removed_before {
                flagged.extend([line.saturating_sub(1), line]);
            }
        } else {
            line += 1;
            removed_before = false;
        }
    }
    flagged
}

/// Lines the migration changed that rustfmt would change, where it would
/// not change the original lines they replace: `(line, text)` 1-based.
fn new_format_issues(old: &str, new: &str) -> Vec<(usize, String)> {
    let (Some(before), Some(after)) = (rustfmt_flags(old), rustfmt_flags(new)) else {
        return Vec::new();
    };
    let new_lines: Vec<&str> = new.lines().collect();
    let mut issues = Vec::new();
    for op in TextDiff::from_lines(old, new).ops() {
        if matches!(op.tag(), DiffTag::Equal | DiffTag::Delete) {
            continue;
        }
        let (old_range, new_range) = (op.old_range(), op.new_range());
        let old_end = old_range.end.max(old_range.start + 1);
        let was_flagged = (old_range.start.saturating_sub(1)..old_end).any(|l| before.contains(&l));
        if was_flagged {
            continue;
        }
        for l in new_range.filter(|l| after.contains(l)) {
            issues.push((l + 1, new_lines.get(l).unwrap_or(&"").to_string()));
        }
    }
    issues
}

/// A temporary copy of `case` with its dry run's patch applied.
fn migrated_copy(case: &common::Case, root: &Path, extra: &[&str]) -> std::path::PathBuf {
    let dir = root.join(&case.name);
    common::copy_dir(&case.dir, &dir);
    let mut args = case.args.clone();
    args.extend(extra.iter().map(|s| s.to_string()));
    let patch = common::awaitify(&dir, &args).stdout;
    if patch.is_empty() {
        return dir;
    }
    let mut git = Command::new("git")
        .args(["apply", "-"])
        .current_dir(&dir)
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    git.stdin
        .take()
        .unwrap()
        .write_all(patch.as_bytes())
        .unwrap();
    assert!(git.wait().unwrap().success(), "{}: git apply", case.name);
    dir
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn migrated_lines_are_formatted_as_rustfmt_formats_them() {
    let tmp = tempfile::tempdir().unwrap();
    let mut problems = Vec::new();
    let mut checked = 0;
    for (flags, sub) in [(&[][..], "safe"), (&["--unsafe-fixes"][..], "unsafe")] {
        for case in common::cases() {
            let migrated = migrated_copy(&case, &tmp.path().join(sub), flags);
            let mut files = Vec::new();
            rust_files(&case.dir, &mut files);
            for file in files {
                let rel = file.strip_prefix(&case.dir).unwrap();
                let old = std::fs::read_to_string(&file).unwrap_or_default();
                let new = std::fs::read_to_string(migrated.join(rel)).unwrap_or_default();
                if old == new {
                    continue;
                }
                checked += 1;
                for (line, text) in new_format_issues(&old, &new) {
                    problems.push(format!(
                        "{} ({sub}) {}:{line}: {text}",
                        case.name,
                        rel.display()
                    ));
                }
            }
        }
    }
    assert!(checked > 40, "only {checked} migrated files were checked");
    assert!(
        problems.is_empty(),
        "rustfmt would reformat these migrated lines:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_check_sees_a_one_line_guard_block() {
    let old = "async fn f(m: &M) -> usize {\n    match m.lock() {\n        Ok(g) => g.len(),\n        Err(_) => 0,\n    }\n}\n";
    let one_line = "async fn f(m: &M) -> usize {\n    { let g = m.lock().await; g.len() }\n}\n";
    let laid_out = "async fn f(m: &M) -> usize {\n    {\n        let g = m.lock().await;\n        g.len()\n    }\n}\n";
    assert_eq!(new_format_issues(old, one_line).len(), 1);
    assert!(new_format_issues(old, laid_out).is_empty());
    // Lines rustfmt already reformats in the original are not held against
    // the migration.
    let messy = "async fn f(m: &M) -> usize {\n    let  n = m.lock().unwrap().len();\n    n\n}\n";
    let messy_new = messy.replace("unwrap()", "await");
    assert!(new_format_issues(messy, &messy_new).is_empty());
    let clean_new = messy_new
        .replace("let  n", "let n")
        .replace("    n\n", "    n \n");
    assert_eq!(
        new_format_issues(&messy.replace("let  n", "let n"), &clean_new).len(),
        1
    );
}
