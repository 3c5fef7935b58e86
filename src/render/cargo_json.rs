//! `--message-format json`: cargo's stream of JSON messages, one per line,
//! as `cargo check --message-format json` prints them. Each finding is a
//! `compiler-message` whose `message` is a rustc diagnostic (its notes as
//! children, its fix as a `help` child whose spans carry the replacements),
//! and a `build-finished` line ends the stream. Editors read it as they
//! read cargo's: rust-analyzer's `check.overrideCommand`, for one.

use std::path::Path;

use serde_json::{json, Value};

use super::{fix_edits, full};
use crate::model::Span;
use crate::outcome::{Diagnostic, Outcome};
use crate::paths::absolute;
use crate::rules::{Applicability, Severity};

/// The stream: a `compiler-message` per finding, then `build-finished`
/// (not a success if an error-severity finding remains).
pub fn cargo_json(outcome: &Outcome, written: bool) -> String {
    let mut out = String::new();
    for d in &outcome.diagnostics {
        let manifest = outcome
            .crates
            .get(d.crate_id)
            .and_then(|(m, _)| m.as_deref())
            .map(|m| absolute(Path::new(m)));
        let message = json!({
            "reason": "compiler-message",
            "package_id": package_id(manifest.as_deref(), &d.file),
            "manifest_path": manifest,
            "target": {
                "kind": ["lib"],
                "crate_types": ["lib"],
                "name": package_name(manifest.as_deref(), &d.file),
                "src_path": d.file,
                "edition": "2021",
                "doctest": false,
                "test": false,
                "doc": false,
            },
            "message": diagnostic(d, outcome, written),
        });
        out.push_str(&message.to_string());
        out.push('\n');
    }
    let success = !outcome
        .diagnostics
        .iter()
        .any(|d| d.severity == Severity::Error && !d.fixed);
    out.push_str(&json!({ "reason": "build-finished", "success": success }).to_string());
    out.push('\n');
    out
}

/// cargo's id of a path package: its directory's URL (no name or version:
/// the stream does not read the manifest).
fn package_id(manifest: Option<&Path>, file: &Path) -> String {
    let dir = manifest.and_then(Path::parent).or(file.parent());
    format!(
        "path+file://{}",
        dir.map(|d| d.display().to_string()).unwrap_or_default()
    )
}

/// The package's directory name, or the file's stem for a file no
/// manifest owns.
fn package_name(manifest: Option<&Path>, file: &Path) -> String {
    let named = manifest.and_then(Path::parent).unwrap_or(file);
    named
        .file_stem()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// A finding as rustc's JSON diagnostic.
fn diagnostic(d: &Diagnostic, outcome: &Outcome, written: bool) -> Value {
    let source = outcome.sources.get(&d.span.path).map(String::as_str);
    let mut spans = vec![span(&d.span, source, true, None, None)];
    spans.extend(
        d.labels
            .iter()
            .map(|(s, label)| span(s, source, false, Some(label), None)),
    );
    let mut children: Vec<Value> = d
        .notes
        .iter()
        .map(|n| child("note", n, Vec::new()))
        .collect();
    if let Some(fix) = d.fix {
        let (applicability, what) = match (fix, d.fixed) {
            (Applicability::Safe, true) => (
                "MachineApplicable",
                "a safe fix: `awaitify --write` applies it",
            ),
            (Applicability::Safe, false) => {
                ("MachineApplicable", "a safe fix, left out of this run")
            }
            (Applicability::Unsafe, true) => ("MaybeIncorrect", "a fix that may change behaviour"),
            (Applicability::Unsafe, false) => (
                "MaybeIncorrect",
                "a fix that may change behaviour: `--unsafe-fixes` applies it",
            ),
            (Applicability::DisplayOnly, _) => ("Unspecified", "a change to make by hand"),
        };
        let edits: Vec<Value> = fix_edits(d)
            .into_iter()
            .map(|(s, with, _)| {
                let text = outcome.sources.get(&s.path).map(String::as_str);
                span(s, text, true, None, Some((with, applicability)))
            })
            .collect();
        children.push(child("help", what, edits));
    }
    json!({
        "$message_type": "diagnostic",
        "message": d.message,
        "code": { "code": d.rule.code, "explanation": d.rule.doc },
        "level": match d.severity {
            Severity::Error => "error",
            _ => "warning",
        },
        "spans": spans,
        "children": children,
        "rendered": full(d, source, false, written),
    })
}

fn child(level: &str, message: &str, spans: Vec<Value>) -> Value {
    json!({
        "$message_type": "diagnostic",
        "message": message,
        "code": null,
        "level": level,
        "spans": spans,
        "children": [],
        "rendered": null,
    })
}

/// A span as rustc gives it: the file (absolute), bytes, 1-based lines and
/// columns, the first line's text, and a replacement if it suggests one.
fn span(
    s: &Span,
    source: Option<&str>,
    primary: bool,
    label: Option<&str>,
    replacement: Option<(&str, &str)>,
) -> Value {
    let line_text = source
        .and_then(|t| t.lines().nth(s.line.saturating_sub(1)))
        .unwrap_or_default();
    let highlight_end = match s.end_line == s.line {
        true => s.end_col,
        false => line_text.chars().count() + 1,
    };
    json!({
        // Absolute: editors resolve rustc's paths against their own root,
        // which may not be the directory the run was started in.
        "file_name": absolute(Path::new(&s.path)),
        "byte_start": s.start,
        "byte_end": s.end,
        "line_start": s.line,
        "line_end": s.end_line,
        "column_start": s.col,
        "column_end": s.end_col,
        "is_primary": primary,
        "text": [{ "text": line_text, "highlight_start": s.col, "highlight_end": highlight_end }],
        "label": label,
        "suggested_replacement": replacement.map(|(with, _)| with),
        "suggestion_applicability": replacement.map(|(_, a)| a),
        "expansion": null,
    })
}
