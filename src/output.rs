//! What a run prints: diagnostics (rustc-style snippets or one line each),
//! unified diffs that `git apply` accepts, the summary, and the machine
//! formats (JSON, SARIF 2.1.0, GitHub workflow annotations).

use std::fmt::Write as _;
use std::time::Duration;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use anstyle::{AnsiColor, Effects, Style};
use serde_json::{json, Value};
use similar::{ChangeTag, TextDiff};

use crate::driver::{Diagnostic, FileChange, Outcome, Span};
use crate::rules::{Applicability, Severity, RULES};

/// Version of the `--format json` document; raised on incompatible changes.
pub const JSON_VERSION: u32 = 1;

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
        d.rule.severity.as_str(),
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
    let level = match d.rule.severity {
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

/// A unified diff with `a/` and `b/` headers.
pub fn diff(change: &FileChange) -> String {
    let path = patch_path(change);
    TextDiff::from_lines(&change.old, &change.new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
}

/// The path a diff header names, in the form `git apply` accepts (relative,
/// no `..`): relative to the current directory for a file under it, as
/// `git apply` run there reads it; else relative to the root of the git
/// work tree that holds the file, as `git diff` writes it (apply it from that
/// root). A file in neither is named relative to the current directory.
fn patch_path(change: &FileChange) -> String {
    let path = &change.path;
    let cwd = std::env::current_dir().unwrap_or_default();
    if !path.is_absolute() || cwd.as_os_str().is_empty() {
        return change.display.clone();
    }
    let rel = match path.strip_prefix(&cwd) {
        Ok(rel) => rel.to_path_buf(),
        Err(_) => match path.ancestors().skip(1).find(|d| d.join(".git").exists()) {
            Some(root) => path.strip_prefix(root).unwrap_or(path).to_path_buf(),
            None => crate::driver::relative_to(path, &cwd),
        },
    };
    rel.to_string_lossy().replace('\\', "/")
}

/// The diff as a person sees it: colored, or plain.
pub fn shown_diff(change: &FileChange, color: bool) -> String {
    match color {
        true => colored_diff(change),
        false => diff(change),
    }
}

/// The same diff for a terminal: removed lines red, added green, and the
/// words that changed within a line emphasised.
fn colored_diff(change: &FileChange) -> String {
    let red = Style::new().fg_color(Some(AnsiColor::Red.into()));
    let green = Style::new().fg_color(Some(AnsiColor::Green.into()));
    let bold = Style::new().effects(Effects::BOLD);
    let cyan = Style::new().fg_color(Some(AnsiColor::Cyan.into()));
    let paint = |s: &mut String, style: Style, text: &str| {
        let _ = write!(s, "{style}{text}{style:#}");
    };
    let diff = TextDiff::from_lines(&change.old, &change.new);
    let mut s = String::new();
    let path = patch_path(change);
    paint(&mut s, bold, &format!("--- a/{path}"));
    paint(&mut s, bold, &format!("\n+++ b/{path}"));
    s.push('\n');
    for hunk in diff.unified_diff().context_radius(3).iter_hunks() {
        paint(&mut s, cyan, &hunk.header().to_string());
        s.push('\n');
        for op in hunk.ops() {
            for change in diff.iter_inline_changes(op) {
                let (sign, style) = match change.tag() {
                    ChangeTag::Delete => ("-", red),
                    ChangeTag::Insert => ("+", green),
                    ChangeTag::Equal => (" ", Style::new()),
                };
                paint(&mut s, style, sign);
                for (emphasized, text) in change.iter_strings_lossy() {
                    let text = text.trim_end_matches(['\n', '\r']);
                    match emphasized {
                        true => paint(
                            &mut s,
                            style.effects(Effects::BOLD | Effects::UNDERLINE),
                            text,
                        ),
                        false => paint(&mut s, style, text),
                    }
                }
                s.push('\n');
                if change.missing_newline() {
                    s.push_str("\\ No newline at end of file\n");
                }
            }
        }
    }
    s
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
        if d.rule.manual {
            c.manual += 1;
        }
        if d.rule.severity == Severity::Error {
            c.error_findings += 1;
        }
    }
    c
}

/// The closing line of a run.
pub fn summary(outcome: &Outcome, written: bool, elapsed: Duration) -> String {
    let c = counts(outcome);
    let n = |n: usize, what: &str| match (n, what) {
        (1, _) => format!("{n} {what}"),
        (_, "fix") => format!("{n} fixes"),
        _ => format!("{n} {what}s"),
    };
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
    // An `error[..]` finding is an error, as is a file the run could not handle.
    parts.push(n(c.error_findings + outcome.errors.len(), "error"));
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
        let plural = |n: usize, word: &str| match n {
            1 => format!("{n} {word}"),
            _ => format!("{n} {word}s"),
        };
        let mut parts = vec![plural(*files, "file"), plural(c.findings, "finding")];
        let fixed = c.fixed_safe + c.fixed_unsafe;
        if fixed > 0 {
            let verb = if written { "applied" } else { "available" };
            parts.push(format!(
                "{} {verb}",
                if fixed == 1 {
                    "1 fix".to_string()
                } else {
                    format!("{fixed} fixes")
                }
            ));
        }
        if c.manual > 0 {
            parts.push(format!("{} manual", c.manual));
        }
        if c.error_findings > 0 {
            parts.push(plural(c.error_findings, "error"));
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

fn span_json(s: &Span) -> Value {
    json!({
        "path": s.path,
        "start": { "line": s.line, "column": s.col, "offset": s.start },
        "end": { "line": s.end_line, "column": s.end_col, "offset": s.end },
    })
}

/// `--format json`: one document with every finding, its fix, the diff of
/// every file and the counts.
pub fn json(outcome: &Outcome, written: bool) -> String {
    let findings: Vec<Value> = outcome
        .diagnostics
        .iter()
        .map(|d| {
            json!({
                "code": d.rule.code,
                "name": d.rule.name,
                "severity": d.rule.severity.as_str(),
                "message": d.message,
                "span": span_json(&d.span),
                "labels": d.labels.iter().map(|(s, m)| json!({ "span": span_json(s), "message": m })).collect::<Vec<_>>(),
                "notes": d.notes,
                "fix": d.fix.map(|a| json!({
                    "applicability": a.as_str(),
                    "included": d.fixed,
                    "edits": fix_edits(d).into_iter().map(|(s, r, shared)| json!({
                        "span": span_json(s),
                        "replacement": r,
                        "shared": shared,
                    })).collect::<Vec<_>>(),
                })),
            })
        })
        .collect();
    let files: Vec<Value> = outcome
        .changes
        .iter()
        .map(|c| json!({ "path": c.display, "diff": diff(c) }))
        .collect();
    let c = counts(outcome);
    let doc = json!({
        "version": JSON_VERSION,
        "tool": { "name": "awaitify", "version": env!("CARGO_PKG_VERSION") },
        "written": written,
        "findings": findings,
        "files": files,
        "errors": outcome.errors,
        "warnings": outcome.warnings,
        "verification": outcome.verification.iter().map(crate::verify::json).collect::<Vec<_>>(),
        "summary": {
            "files_scanned": outcome.files_scanned,
            "files_analysed": outcome.files_analysed,
            "files_changed": outcome.changes.len(),
            "findings": c.findings,
            "fixes_safe": c.fixed_safe,
            "fixes_unsafe": c.fixed_unsafe,
            "unsafe_fixes_available": c.unsafe_available,
            "manual": c.manual,
            "suppressed": outcome.suppressed,
            "baselined": outcome.baselined,
            "errors": outcome.errors.len(),
            "error_findings": c.error_findings,
        },
    });
    serde_json::to_string_pretty(&doc).expect("JSON values serialize") + "\n"
}

fn sarif_region(s: &Span) -> Value {
    json!({
        "startLine": s.line,
        "startColumn": s.col,
        "endLine": s.end_line,
        "endColumn": s.end_col,
    })
}

/// The root that SARIF URIs are relative to: the git work tree of the
/// current directory (so code scanning finds the files from any directory
/// the run started in), or the current directory itself.
fn sarif_root() -> std::path::PathBuf {
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

/// Where a shown path is: relative to `root` (`%SRCROOT%`), or, outside
/// it, an absolute `file:` URI.
fn artifact_location(shown: &str, root: &std::path::Path) -> Value {
    let abs = crate::driver::absolute(std::path::Path::new(shown));
    match abs.strip_prefix(root) {
        Ok(rel) => json!({
            "uri": rel.to_string_lossy().replace('\\', "/"),
            "uriBaseId": "%SRCROOT%",
        }),
        Err(_) => json!({ "uri": format!("file://{}", abs.to_string_lossy().replace('\\', "/")) }),
    }
}

fn sarif_location(s: &Span, message: Option<&str>, root: &std::path::Path) -> Value {
    let mut loc = json!({
        "physicalLocation": {
            "artifactLocation": artifact_location(&s.path, root),
            "region": sarif_region(s),
        }
    });
    if let Some(m) = message {
        loc["message"] = json!({ "text": m });
    }
    loc
}

/// `--format sarif`: a SARIF 2.1.0 log with one run.
pub fn sarif(outcome: &Outcome) -> String {
    let root = &sarif_root();
    let rules: Vec<Value> = RULES
        .iter()
        .map(|r| {
            json!({
                "id": r.code,
                "name": r.name,
                "shortDescription": { "text": r.summary },
                "fullDescription": { "text": r.summary },
                "help": { "text": format!("awaitify explain {}", r.code), "markdown": r.doc },
                "defaultConfiguration": { "level": sarif_level(r.severity) },
                "properties": { "fix": r.fix_name() },
            })
        })
        .collect();
    let results: Vec<Value> = outcome
        .diagnostics
        .iter()
        .map(|d| {
            let index = RULES.iter().position(|r| r.code == d.rule.code);
            let mut text = d.message.clone();
            for note in &d.notes {
                let _ = write!(text, "\nnote: {note}");
            }
            let mut result = json!({
                "ruleId": d.rule.code,
                "ruleIndex": index,
                "level": sarif_level(d.rule.severity),
                "message": { "text": text },
                "locations": [sarif_location(&d.span, None, root)],
                "relatedLocations": d.labels.iter().enumerate().map(|(i, (s, m))| {
                    let mut l = sarif_location(s, Some(m), root);
                    l["id"] = json!(i);
                    l
                }).collect::<Vec<_>>(),
            });
            let edits = fix_edits(d);
            if !edits.is_empty() {
                // One change per file, with every replacement in it.
                let mut by_file: Vec<(&str, Vec<Value>)> = Vec::new();
                for (s, r, _) in edits {
                    let replacement = json!({
                        "deletedRegion": sarif_region(s),
                        "insertedContent": { "text": r },
                    });
                    match by_file.last_mut() {
                        Some((path, list)) if *path == s.path => list.push(replacement),
                        _ => by_file.push((&s.path, vec![replacement])),
                    }
                }
                result["fixes"] = json!([{
                    "description": { "text": format!("{} fix", d.fix.map_or("safe", |f| f.as_str())) },
                    "artifactChanges": by_file.into_iter().map(|(path, replacements)| json!({
                        "artifactLocation": artifact_location(path, root),
                        "replacements": replacements,
                    })).collect::<Vec<_>>(),
                }]);
            }
            result
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "awaitify",
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": "https://crates.io/crates/awaitify",
                    "rules": rules,
                }
            },
            // Columns count characters, as in the other formats.
            "columnKind": "unicodeCodePoints",
            "originalUriBaseIds": {
                "%SRCROOT%": { "uri": format!("file://{}/", root.to_string_lossy().replace('\\', "/").trim_end_matches('/')) },
            },
            // Files that could not be handled, and warnings about the run.
            "invocations": [{
                "executionSuccessful": outcome.errors.is_empty(),
                "toolExecutionNotifications": outcome.errors.iter().map(|e| json!({
                    "level": "error", "message": { "text": e },
                })).chain(outcome.warnings.iter().map(|w| json!({
                    "level": "warning", "message": { "text": w },
                }))).collect::<Vec<_>>(),
            }],
            "results": results,
        }],
    });
    serde_json::to_string_pretty(&doc).expect("JSON values serialize") + "\n"
}

fn sarif_level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

/// `--format github`: one workflow command per finding, so GitHub Actions
/// annotates the pull request.
pub fn github(outcome: &Outcome) -> String {
    // Property values escape `%`, CR, LF, `:` and `,`; messages `%`, CR, LF.
    let data = |s: &str| {
        s.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
    };
    let prop = |s: &str| data(s).replace(':', "%3A").replace(',', "%2C");
    let mut out = String::new();
    for d in &outcome.diagnostics {
        let kind = match d.rule.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "notice",
        };
        let mut message = d.message.clone();
        for note in capped(&d.notes) {
            let _ = write!(message, "\nnote: {note}");
        }
        let _ = writeln!(
            out,
            "::{kind} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            prop(&d.span.path),
            d.span.line,
            d.span.col,
            d.span.end_line,
            d.span.end_col,
            prop(&format!("{} ({})", d.rule.code, d.rule.name)),
            data(&message)
        );
    }
    out
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
