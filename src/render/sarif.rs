//! `--format sarif`: a SARIF 2.1.0 log for code-scanning tools, with each
//! rule's description and each finding's fix.

use std::fmt::Write as _;

use serde_json::{json, Value};

use super::fix_edits;
use crate::model::Span;
use crate::outcome::Outcome;
use crate::rules::{Severity, RULES};

fn sarif_region(s: &Span) -> Value {
    json!({
        "startLine": s.line,
        "startColumn": s.col,
        "endLine": s.end_line,
        "endColumn": s.end_col,
    })
}

/// Where a shown path is: relative to `root` (`%SRCROOT%`), or, outside
/// it, an absolute `file:` URI; escaped as URIs are (`%20` for a space).
fn artifact_location(shown: &str, root: &std::path::Path) -> Value {
    let abs = crate::paths::absolute(std::path::Path::new(shown));
    let Ok(file) = url::Url::from_file_path(&abs) else {
        return json!({ "uri": shown });
    };
    let relative = url::Url::from_directory_path(root)
        .ok()
        .filter(|_| abs.starts_with(root))
        .and_then(|base| base.make_relative(&file));
    match relative {
        Some(rel) => json!({
            "uri": rel,
            "uriBaseId": "%SRCROOT%",
        }),
        None => json!({ "uri": file.as_str() }),
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
    let root = &super::work_tree_root();
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
                "level": sarif_level(d.severity),
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
                "%SRCROOT%": { "uri": url::Url::from_directory_path(root).map(String::from).unwrap_or_default() },
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
