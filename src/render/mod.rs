//! What a run prints: diagnostics (rustc-style snippets or one line each),
//! the summary, counts and statistics; the other formats have a file each:
//! unified diffs that `git apply` accepts (`patch`), JSON, cargo's JSON
//! message stream, SARIF 2.1.0 and GitHub workflow annotations.

use std::fmt::Write as _;
use std::time::Duration;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

use crate::model::Span;
use crate::outcome::{Diagnostic, Outcome};
use crate::rules::{Applicability, Severity, RULES};

mod cargo_json;
mod github;
mod json;
mod patch;
mod sarif;

pub use cargo_json::cargo_json;
pub use github::github;
pub use json::{json, JSON_VERSION};
pub use patch::{diff, outside_note, shown_diff};
pub use sarif::sarif;

/// The root that SARIF URIs and GitHub annotations are relative to: the git
/// work tree of the current directory (so that code scanning and pull
/// requests find the files from any directory the run started in), or the
/// current directory itself.
fn work_tree_root() -> std::path::PathBuf {
    let cwd = std::env::current_dir().unwrap_or_default();
    std::process::Command::new("git")
        .args(["rev-parse", "--show-toplevel"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| std::path::PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
        .and_then(|root| root.canonicalize().ok())
        .unwrap_or(cwd)
}

/// A shown path relative to `root`, with `/` separators; outside it, the
/// absolute path.
fn under_root(shown: &str, root: &std::path::Path) -> Result<String, String> {
    let abs = crate::paths::absolute(std::path::Path::new(shown));
    let slashes = |p: &std::path::Path| p.to_string_lossy().replace('\\', "/");
    match abs.strip_prefix(root) {
        Ok(rel) => Ok(slashes(rel)),
        Err(_) => Err(slashes(&abs)),
    }
}

/// At most this many notes of a finding are shown to people; the machine
/// formats (JSON, SARIF) keep them all.
pub const SHOWN_NOTES: usize = 10;

/// The first [`SHOWN_NOTES`] of `notes`, then `and N more` for the rest.
fn capped<'a>(notes: impl IntoIterator<Item = &'a String>) -> Vec<String> {
    let notes: Vec<&String> = notes.into_iter().collect();
    let mut shown: Vec<String> = notes
        .iter()
        .take(SHOWN_NOTES)
        .map(|n| n.to_string())
        .collect();
    if notes.len() > SHOWN_NOTES {
        shown.push(format!(
            "and {} more (`--format json` lists them all)",
            notes.len() - SHOWN_NOTES
        ));
    }
    shown
}

/// `path:line:col: severity[CODE] message`, then one indented note per line.
pub fn concise(d: &Diagnostic) -> String {
    let mut s = format!(
        "{}:{}:{}: {}[{}] {}",
        d.span.path,
        d.span.line,
        d.span.col,
        d.severity.as_str(),
        d.rule.code,
        d.message
    );
    for note in capped(&d.notes) {
        let _ = write!(s, "\n    = {note}");
    }
    s
}

/// What to tell about a finding's fix.
fn fix_help(d: &Diagnostic, written: bool) -> Option<&'static str> {
    match (d.fix, d.fixed, written) {
        (Some(_), true, true) => Some("fixed"),
        (Some(Applicability::Unsafe), true, false) => {
            Some("an unsafe fix is in the diff (it may change behaviour); `--write --unsafe-fixes` applies it")
        }
        (Some(_), true, false) => Some("a safe fix is in the diff; `--write` applies it"),
        (Some(Applicability::Unsafe), false, _) => {
            Some("`--unsafe-fixes` applies a fix that may change behaviour")
        }
        _ => None,
    }
}

/// A rustc-style diagnostic: header, the source with the finding and its
/// other places labelled, then notes and help.
pub fn full(d: &Diagnostic, source: Option<&str>, color: bool, written: bool) -> String {
    let level = match d.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Note => Level::NOTE,
    };
    let mut group = Group::with_title(level.primary_title(&d.message).id(d.rule.code));
    // The snippet labels as many places as notes are shown.
    let labels = &d.labels[..d.labels.len().min(SHOWN_NOTES)];
    if let Some(src) = source.filter(|s| d.span.end <= s.len()) {
        let primary = d.rule.primary.label();
        group = group.element(
            Snippet::source(src)
                .path(d.span.path.as_str())
                .line_start(1)
                .fold(true)
                .annotation(
                    AnnotationKind::Primary
                        .span(d.span.start..d.span.end)
                        .label(primary),
                )
                .annotations(labels.iter().map(|(s, label)| {
                    AnnotationKind::Context
                        .span(s.start..s.end)
                        .label(label.as_str())
                })),
        );
    }
    // Notes that only repeat a label of the snippet are left out.
    let labelled: Vec<String> = labels
        .iter()
        .map(|(s, m)| format!("{}:{}:{}: {m}", s.path, s.line, s.col))
        .collect();
    let notes = capped(
        d.notes
            .iter()
            .filter(|n| source.is_none() || !labelled.contains(n)),
    );
    for note in &notes {
        group = group.element(Level::NOTE.message(note.as_str()));
    }
    // Places left out of the snippet that no note tells of.
    let unlisted = d.labels[labels.len()..]
        .iter()
        .filter(|(s, m)| {
            !d.notes
                .contains(&format!("{}:{}:{}: {m}", s.path, s.line, s.col))
        })
        .count();
    if source.is_some() && unlisted > 0 {
        let more =
            format!("and {unlisted} more places in this file (`--format json` lists them all)");
        group = group.element(Level::NOTE.message(more));
    }
    if let Some(help) = fix_help(d, written) {
        group = group.element(Level::HELP.message(help));
    }
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    renderer.render(&[group])
}

/// Counts behind the summary, the statistics and the machine formats.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub findings: usize,
    pub fixed_safe: usize,
    pub fixed_unsafe: usize,
    /// Unsafe fixes this run did not apply (`--unsafe-fixes` would).
    pub unsafe_available: usize,
    pub manual: usize,
    /// Findings of error severity (AW204).
    pub error_findings: usize,
}

pub fn counts(outcome: &Outcome) -> Counts {
    counts_of(&outcome.diagnostics)
}

fn counts_of<'a>(diagnostics: impl IntoIterator<Item = &'a Diagnostic>) -> Counts {
    let mut c = Counts::default();
    for d in diagnostics {
        c.findings += 1;
        match (d.fix, d.fixed) {
            (Some(Applicability::Unsafe), true) => c.fixed_unsafe += 1,
            (Some(Applicability::Unsafe), false) => c.unsafe_available += 1,
            (Some(_), true) => c.fixed_safe += 1,
            _ => {}
        }
        if d.manual() {
            c.manual += 1;
        }
        if d.severity == Severity::Error {
            c.error_findings += 1;
        }
    }
    c
}

/// `n` of `what`: "1 fix", "2 fixes", "3 files".
fn n(n: usize, what: &str) -> String {
    match (n, what) {
        (1, _) => format!("{n} {what}"),
        (_, "fix") => format!("{n} fixes"),
        _ => format!("{n} {what}s"),
    }
}

/// The closing line of a run.
pub fn summary(outcome: &Outcome, written: bool, elapsed: Duration) -> String {
    let c = counts(outcome);
    let mut parts = vec![
        n(outcome.files_scanned, "file") + " scanned",
        n(c.findings, "finding"),
    ];
    let fixed = c.fixed_safe + c.fixed_unsafe;
    if fixed > 0 {
        let kinds = match c.fixed_unsafe {
            0 => format!("{} safe", c.fixed_safe),
            u => format!("{} safe, {u} unsafe", c.fixed_safe),
        };
        let files = n(outcome.changes.len(), "file");
        parts.push(match written {
            true => format!("{} applied ({kinds}) in {files}", n(fixed, "fix")),
            false => format!("{} available ({kinds}) in {files}", n(fixed, "fix")),
        });
    }
    if c.unsafe_available > 0 {
        parts.push(format!(
            "{} more with --unsafe-fixes",
            n(c.unsafe_available, "fix")
        ));
    }
    if c.manual > 0 {
        parts.push(format!("{} manual", c.manual));
    }
    if outcome.suppressed > 0 {
        parts.push(format!("{} suppressed", outcome.suppressed));
    }
    if outcome.baselined > 0 {
        parts.push(format!("{} in the baseline", outcome.baselined));
    }
    // The names the JSON summary has: `error` findings (AW204), which fail
    // the run whatever `--fail-on` says, and errors (what the run could not
    // handle, which exit 2).
    if c.error_findings > 0 {
        parts.push(n(c.error_findings, "error finding"));
    }
    parts.push(n(outcome.errors.len(), "error"));
    format!(
        "awaitify: {} in {:.2}s",
        parts.join(", "),
        elapsed.as_secs_f64()
    )
}

/// `-v`: one line per crate with files scanned: its findings and fixes.
pub fn crate_summaries(outcome: &Outcome, written: bool) -> String {
    let mut s = String::new();
    for (id, (manifest, files)) in outcome.crates.iter().enumerate() {
        if *files == 0 {
            continue;
        }
        let c = counts_of(outcome.diagnostics.iter().filter(|d| d.crate_id == id));
        let what = manifest.as_deref().unwrap_or("files no Cargo.toml owns");
        let mut parts = vec![n(*files, "file"), n(c.findings, "finding")];
        let fixed = c.fixed_safe + c.fixed_unsafe;
        if fixed > 0 {
            let verb = if written { "applied" } else { "available" };
            parts.push(format!("{} {verb}", n(fixed, "fix")));
        }
        if c.unsafe_available > 0 {
            let more = n(c.unsafe_available, "fix");
            parts.push(format!("{more} more with --unsafe-fixes"));
        }
        if c.manual > 0 {
            parts.push(format!("{} manual", c.manual));
        }
        if c.error_findings > 0 {
            parts.push(n(c.error_findings, "error"));
        }
        let _ = writeln!(s, "awaitify: {what}: {}", parts.join(", "));
    }
    s
}

/// `--statistics`: findings per rule, most frequent first, with how many of
/// them this run's changes fix (`fixable` in a dry run, `fixed` once written).
pub fn statistics(outcome: &Outcome, written: bool) -> String {
    let mut rows: Vec<(usize, usize, &crate::rules::Rule)> = RULES
        .iter()
        .map(|r| {
            let of_rule = outcome.diagnostics.iter().filter(|d| d.rule.code == r.code);
            (
                of_rule.clone().count(),
                of_rule.filter(|d| d.fixed).count(),
                *r,
            )
        })
        .filter(|(n, _, _)| *n > 0)
        .collect();
    rows.sort_by(|a, b| b.0.cmp(&a.0).then(a.2.code.cmp(b.2.code)));
    let mut s = String::new();
    for (n, fixed, r) in rows {
        let fixes = match (fixed, written) {
            (0, _) => String::new(),
            (f, true) => format!("{f} fixed"),
            (f, false) => format!("{f} fixable"),
        };
        let row = format!("{n:>5}  {}  {:<26} {fixes}", r.code, r.name);
        let _ = writeln!(s, "{}", row.trim_end());
    }
    s
}

/// `--show-fixes`: the fixes this run applies (written, or in the dry run's
/// diff), per file and rule, as ruff lists them.
pub fn fixes(outcome: &Outcome, written: bool) -> String {
    let mut per_file: std::collections::BTreeMap<&str, Vec<&'static crate::rules::Rule>> =
        Default::default();
    for d in outcome.diagnostics.iter().filter(|d| d.fixed) {
        per_file.entry(&d.span.path).or_default().push(d.rule);
    }
    let total: usize = per_file.values().map(Vec::len).sum();
    let mut s = String::new();
    let what = if written { "Fixed" } else { "Would fix" };
    let plural = if total == 1 { "" } else { "s" };
    match total {
        0 => {
            let _ = writeln!(
                s,
                "No fixes {}.",
                if written { "applied" } else { "available" }
            );
        }
        _ => {
            let _ = writeln!(s, "{what} {total} finding{plural}:");
        }
    }
    for (path, mut rules) in per_file {
        let _ = writeln!(s, "- {path}:");
        rules.sort_by_key(|r| r.code);
        for chunk in rules.chunk_by(|a, b| a.code == b.code) {
            let r = chunk[0];
            let _ = writeln!(s, "    {} × {} ({})", chunk.len(), r.code, r.name);
        }
    }
    s
}

/// A fix's edits, its own and those it shares with the other fixes of its
/// crate (marked `true`), by file and place.
fn fix_edits(d: &Diagnostic) -> Vec<(&Span, &str, bool)> {
    let mut edits: Vec<(&Span, &str, bool)> = d
        .edits
        .iter()
        .map(|(s, r)| (s, r.as_str(), false))
        .chain(d.shared_edits.iter().map(|(s, r)| (s, r.as_str(), true)))
        .collect();
    edits.sort_by(|a, b| (&a.0.path, a.0.start, a.0.end).cmp(&(&b.0.path, b.0.start, b.0.end)));
    edits
}

/// Renders one finding in the requested human format.
pub fn human(
    d: &Diagnostic,
    outcome: &Outcome,
    concise_form: bool,
    color: bool,
    written: bool,
) -> String {
    if concise_form {
        concise(d)
    } else {
        full(
            d,
            outcome.sources.get(&d.span.path).map(String::as_str),
            color,
            written,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules;

    fn span(line: usize, col: usize, start: usize, end: usize) -> Span {
        Span {
            path: "src/lib.rs".to_string(),
            start,
            end,
            line,
            col,
            end_line: line,
            end_col: col + (end - start),
        }
    }

    /// A finding of rule `code` at line 3 of `src/lib.rs`.
    fn finding(code: &str, fix: Option<Applicability>, fixed: bool) -> Diagnostic {
        let rule = rules::find(code).expect("a rule");
        Diagnostic {
            rule,
            severity: rule.severity,
            span: span(3, 5, 20, 30),
            message: "the message".to_string(),
            labels: Vec::new(),
            notes: vec!["first note".to_string(), "second note".to_string()],
            fix,
            edits: vec![(span(3, 9, 24, 30), "lock().await".to_string())],
            shared_edits: vec![(span(1, 1, 0, 0), "use tokio::sync::Mutex;\n".to_string())],
            fixed,
            crate_id: 0,
            file: "/w/src/lib.rs".into(),
            snippet: "m.lock().unwrap()".to_string(),
        }
    }

    fn outcome(diagnostics: Vec<Diagnostic>) -> Outcome {
        Outcome {
            diagnostics,
            files_scanned: 1,
            ..Outcome::default()
        }
    }

    #[test]
    fn concise_is_one_line_then_one_per_note() {
        let d = finding("AW101", Some(Applicability::Safe), true);
        assert_eq!(
            concise(&d),
            "src/lib.rs:3:5: warning[AW101] the message\n    = first note\n    = second note"
        );
    }

    #[test]
    fn concise_caps_the_notes_shown() {
        let mut d = finding("AW204", None, false);
        d.notes = (0..SHOWN_NOTES + 2).map(|i| format!("note {i}")).collect();
        let text = concise(&d);
        assert!(text.starts_with("src/lib.rs:3:5: error[AW204] the message\n"));
        assert_eq!(text.lines().count(), 1 + SHOWN_NOTES + 1);
        assert!(text.ends_with("= and 2 more (`--format json` lists them all)"));
    }

    #[test]
    fn counts_sort_findings_by_their_fix() {
        let found = outcome(vec![
            finding("AW101", Some(Applicability::Safe), true),
            finding("AW101", Some(Applicability::Unsafe), true),
            finding("AW101", Some(Applicability::Unsafe), false),
            finding("AW102", None, false),
            finding("AW204", None, false),
        ]);
        let c = counts(&found);
        assert_eq!(c.findings, 5);
        assert_eq!(c.fixed_safe, 1);
        assert_eq!(c.fixed_unsafe, 1);
        assert_eq!(c.unsafe_available, 1);
        assert_eq!(c.manual, 1);
        assert_eq!(c.error_findings, 1);
    }

    #[test]
    fn json_holds_the_finding_its_fix_and_the_counts() {
        let found = outcome(vec![finding("AW101", Some(Applicability::Safe), true)]);
        let doc: serde_json::Value = serde_json::from_str(&json(&found, false)).unwrap();
        assert_eq!(doc["version"], JSON_VERSION);
        assert_eq!(doc["written"], false);
        let f = &doc["findings"][0];
        assert_eq!(f["code"], "AW101");
        assert_eq!(f["severity"], "warning");
        assert_eq!(f["span"]["start"]["line"], 3);
        assert_eq!(f["span"]["end"]["offset"], 30);
        assert_eq!(f["notes"][1], "second note");
        assert_eq!(f["fix"]["applicability"], "safe");
        assert_eq!(f["fix"]["included"], true);
        // Edits in file order: the shared import first.
        let edits = f["fix"]["edits"].as_array().unwrap();
        assert_eq!(edits.len(), 2);
        assert_eq!(edits[0]["shared"], true);
        assert_eq!(edits[1]["replacement"], "lock().await");
        assert_eq!(doc["summary"]["findings"], 1);
        assert_eq!(doc["summary"]["fixes_safe"], 1);
        assert_eq!(doc["summary"]["files_scanned"], 1);
    }

    #[test]
    fn github_escapes_what_workflow_commands_reserve() {
        let mut d = finding("AW204", None, false);
        d.message = "100% blocked\nhere".to_string();
        d.notes.clear();
        assert_eq!(
            github(&outcome(vec![d])),
            "::error file=src/lib.rs,line=3,col=5,endLine=3,endColumn=15,title=AW204 (block-on-in-async)::100%25 blocked%0Ahere\n"
        );
    }
}
