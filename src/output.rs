//! What a run prints: diagnostics (stderr) and unified diffs that `git apply`
//! accepts (stdout).

use std::fmt::Write as _;

use similar::TextDiff;

use crate::run::{Diagnostic, FileChange, Outcome};

/// `path:line:col: CODE message`, then one indented note per line.
pub fn diagnostic(d: &Diagnostic) -> String {
    let mut s = format!(
        "{}:{}:{}: {}[{}] {}",
        d.path,
        d.line,
        d.col,
        d.rule.severity.as_str(),
        d.rule.code,
        d.message
    );
    for note in &d.notes {
        let _ = write!(s, "\n    = {note}");
    }
    s
}

/// A unified diff with `a/` and `b/` headers.
pub fn diff(change: &FileChange) -> String {
    TextDiff::from_lines(&change.old, &change.new)
        .unified_diff()
        .context_radius(3)
        .header(
            &format!("a/{}", change.display),
            &format!("b/{}", change.display),
        )
        .to_string()
}

/// The closing line of a run.
pub fn summary(outcome: &Outcome, written: bool) -> String {
    let is_lock = |d: &&Diagnostic| matches!(d.rule.code, "AW101" | "AW103");
    let migrated = outcome
        .diagnostics
        .iter()
        .filter(|d| d.fixed && is_lock(d))
        .count();
    let blocking_fixed = outcome
        .diagnostics
        .iter()
        .filter(|d| d.fixed && !is_lock(d))
        .count();
    let blocking = match blocking_fixed {
        0 => String::new(),
        n => format!(", {n} blocking call{} fixed", plural(n)),
    };
    let manual = outcome
        .diagnostics
        .iter()
        .filter(|d| d.rule.code == "AW102")
        .count();
    let files = outcome.changes.len();
    let verb = if written { "changed" } else { "would change" };
    format!(
        "awaitify: {} file{} scanned, {} finding{}, {migrated} lock{} migrated{blocking} ({files} file{} {verb}), {manual} manual, {} error{}",
        outcome.files_scanned,
        plural(outcome.files_scanned),
        outcome.diagnostics.len(),
        plural(outcome.diagnostics.len()),
        plural(migrated),
        plural(files),
        outcome.errors.len(),
        plural(outcome.errors.len()),
    )
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
