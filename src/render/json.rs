//! `--format json`: one versioned document with every finding, its fix and
//! edits, the diff of every changed file, and the counts.

use serde_json::{json, Value};

use super::{counts, diff, fix_edits};
use crate::model::Span;
use crate::outcome::Outcome;

/// Version of the `--format json` document; raised on incompatible changes.
pub const JSON_VERSION: u32 = 1;

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
                "severity": d.severity.as_str(),
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
