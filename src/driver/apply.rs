//! A crate's plan applied: each file's edits and import edits, behind the
//! re-parse gate (no file is written whose rewrite parses worse than it
//! did), then the tokio features its manifests need. A crate is changed
//! whole or not at all.

use std::collections::HashSet;
use std::path::Path;

use ra_ap_syntax::{Edition, Parse, SourceFile, TextRange};

use crate::edits::edit::{self, line_col, Edit};
use crate::edits::{manifest, use_edit};
use crate::locks::{self, Decision};
use crate::model::{Analysed, FileChange, Span};
use crate::options::Options;
use crate::outcome::Outcome;
use crate::rules_meta;
use crate::walk::in_dev_target;

/// The plan's edits applied to each file and manifest (into `out.changes`
/// when all of them apply and parse). Returns whether they did, and the
/// edits no single finding owns.
pub(crate) fn apply_plan(
    crate_id: usize,
    manifest_path: Option<&Path>,
    joined: &[(usize, &Path)],
    files: &[&Analysed],
    plan: &mut locks::CratePlan,
    opts: &Options,
    out: &mut Outcome,
) -> (bool, Vec<(Span, String)>) {
    let manifest_text = withdraw_if_tokio_unusable(manifest_path, files, plan);
    let mut shared: Vec<(Span, String)> = Vec::new();
    let mut crate_ok = true;
    let own = own_edits(plan);
    let mut changes = Vec::new();
    for (file, a) in files.iter().enumerate() {
        let Some((edits, original)) = file_edits(plan, file, a) else {
            continue;
        };
        shared.extend(
            edits
                .iter()
                .filter(|e| !own.contains(&(file, e.range, e.replacement.as_str())))
                .map(|e| (a.src.span(e.range), e.replacement.clone())),
        );
        match rewrite(a, edits, &original) {
            Ok(new) => changes.push(file_change(a, new, file, crate_id, joined, manifest_path)),
            Err(e) => {
                out.errors.push(e);
                crate_ok = false;
            }
        }
    }
    let manifests = manifests_to_edit(manifest_path, manifest_text, joined, &changes, plan);
    let mut manifest_changes = Vec::new();
    for (m, text, own) in manifests {
        match manifest_change(m, text, &own, crate_id, plan, opts, &mut shared) {
            Ok(Some(change)) => manifest_changes.push(change),
            Ok(None) => {}
            Err(e) => {
                out.errors.push(e);
                crate_ok = false;
            }
        }
    }
    changes.extend(manifest_changes);
    if crate_ok {
        out.changes.extend(changes);
    }
    out.suppressed += plan.suppressed;
    unknown_rules_in_allows(files, out);
    (crate_ok, shared)
}

/// Reads the manifest when a fix needs tokio features in it, and withdraws
/// every fix of a crate that cannot name tokio everywhere (optional or
/// renamed), unless only tests need it and have it from
/// `[dev-dependencies]`. Returns the manifest's text, if read.
fn withdraw_if_tokio_unusable(
    manifest_path: Option<&Path>,
    files: &[&Analysed],
    plan: &mut locks::CratePlan,
) -> Option<anyhow::Result<String>> {
    let manifest_text = manifest_path
        .filter(|_| !plan.tokio_features.is_empty())
        .map(|m| std::fs::read_to_string(m).map_err(anyhow::Error::from));
    let test_only = !plan.tokio_outside_tests
        || manifest_path.is_some_and(|m| {
            plan.edits
                .keys()
                .chain(plan.imports.keys())
                .all(|&f| in_dev_target(&files[f].src.path, m))
        });
    let blocker = manifest_text
        .as_ref()
        .and_then(|t| t.as_ref().ok())
        .and_then(|text| manifest::tokio_blocker(text, test_only));
    if let Some(reason) = blocker {
        withdraw_fixes(plan, &reason);
    }
    manifest_text
}

/// Withdraws every fix of a plan, for `reason`: migrations become manual.
fn withdraw_fixes(plan: &mut locks::CratePlan, reason: &str) {
    for r in &mut plan.reports {
        if r.decision == Decision::Migrate {
            r.decision = Decision::Manual(vec![(r.decl.clone(), reason.to_string())]);
        }
    }
    plan.edits.clear();
    plan.imports.clear();
    plan.tokio_features.clear();
    for b in &mut plan.blocking {
        if b.fixed {
            b.fixed = false;
            b.notes.push(reason.to_string());
        }
    }
}

/// The findings' own edits, by file: every other edit is shared.
fn own_edits(plan: &locks::CratePlan) -> HashSet<(usize, TextRange, &str)> {
    plan.reports
        .iter()
        .filter(|r| r.decision == Decision::Migrate)
        .flat_map(|r| r.edits.iter().map(|(f, e)| (*f, e)))
        .chain(
            plan.blocking
                .iter()
                .filter(|b| b.fixed)
                .flat_map(|b| b.edits.iter().map(|e| (b.at.file, e))),
        )
        .map(|(f, e)| (f, e.range, e.replacement.as_str()))
        .collect()
}

/// The edits of file `file`: the plan's, then those of its `use` items,
/// with the file's parse they were computed on. `None` where there are none.
fn file_edits(
    plan: &locks::CratePlan,
    file: usize,
    a: &Analysed,
) -> Option<(Vec<Edit>, Parse<SourceFile>)> {
    let mut edits: Vec<Edit> = plan.edits.get(&file).cloned().unwrap_or_default();
    if edits.is_empty() && !plan.imports.contains_key(&file) {
        return None;
    }
    let original = SourceFile::parse(&a.src.text, a.src.edition);
    if let Some(change) = plan.imports.get(&file) {
        edits.extend(use_edit::import_edits(
            &original.tree(),
            &a.src.text,
            change,
            if a.src.text.contains("\r\n") {
                "\r\n"
            } else {
                "\n"
            },
        ));
    }
    (!edits.is_empty()).then_some((edits, original))
}

/// The file's text with `edits` applied, if they apply and pass the
/// re-parse gate; else the error that leaves its crate unchanged.
fn rewrite(a: &Analysed, edits: Vec<Edit>, original: &Parse<SourceFile>) -> Result<String, String> {
    let new = edit::apply(&a.src.text, edits).map_err(|e| {
        format!(
            "{}: internal error: {e}; crate left unchanged",
            a.src.display
        )
    })?;
    reparse_gate(original, &new, a.src.edition).map_err(|e| {
        format!(
            "{}: internal error: the rewrite does not parse ({e}); crate left unchanged",
            a.src.display
        )
    })?;
    Ok(new)
}

/// The re-parse gate: never write a file whose output parses with more
/// errors than its input (`original`). The error is the rewrite's first.
pub(crate) fn reparse_gate(
    original: &Parse<SourceFile>,
    new: &str,
    edition: Edition,
) -> Result<(), String> {
    let errors_before = original.errors().len();
    let reparsed = SourceFile::parse(new, edition).errors();
    match reparsed.len() > errors_before {
        true => Err(reparsed[0].to_string()),
        false => Ok(()),
    }
}

/// The change of file `file` to `new`, under the manifest that owns it: a
/// joined crate's own, else the crate's.
fn file_change(
    a: &Analysed,
    new: String,
    file: usize,
    crate_id: usize,
    joined: &[(usize, &Path)],
    manifest_path: Option<&Path>,
) -> FileChange {
    let bom = if a.src.bom { "\u{feff}" } else { "" };
    FileChange {
        path: a.src.path.clone(),
        display: a.src.display.clone(),
        old: format!("{bom}{}", a.src.text),
        new: format!("{bom}{new}"),
        crate_id,
        manifest: joined
            .iter()
            .find(|(f, _)| *f == file)
            .map(|(_, m)| *m)
            .or(manifest_path)
            .map(Path::to_path_buf),
    }
}

/// A manifest that may need tokio features: its path, its text (read where
/// it does), and the changes of the files it owns.
type ManifestToEdit<'a> = (
    &'a Path,
    Option<anyhow::Result<String>>,
    Vec<&'a FileChange>,
);

/// The crate's manifest, with the changes of its own files; then the
/// manifest of each crate planned with it whose files now name tokio.
fn manifests_to_edit<'a>(
    manifest_path: Option<&'a Path>,
    manifest_text: Option<anyhow::Result<String>>,
    joined: &[(usize, &'a Path)],
    changes: &'a [FileChange],
    plan: &locks::CratePlan,
) -> Vec<ManifestToEdit<'a>> {
    let mut manifests: Vec<ManifestToEdit> = Vec::new();
    if let Some(m) = manifest_path {
        let own: Vec<&FileChange> = changes
            .iter()
            .filter(|c| c.manifest.as_deref() == Some(m))
            .collect();
        manifests.push((m, manifest_text, own));
    }
    let mut others: Vec<&Path> = joined.iter().map(|(_, m)| *m).collect();
    others.sort();
    others.dedup();
    for m in others {
        let own: Vec<&FileChange> = changes
            .iter()
            .filter(|c| c.manifest.as_deref() == Some(m))
            .collect();
        let names_tokio = own
            .iter()
            .any(|c| c.new.matches("tokio").count() > c.old.matches("tokio").count());
        let text = (names_tokio && !plan.tokio_features.is_empty())
            .then(|| std::fs::read_to_string(m).map_err(anyhow::Error::from));
        manifests.push((m, text, own));
    }
    manifests
}

/// The change that gives manifest `m` the tokio features the plan needs,
/// with its line replacements added to `shared`; `None` where it has them
/// or was not read. An error names the manifest.
fn manifest_change(
    m: &Path,
    text: Option<anyhow::Result<String>>,
    own: &[&FileChange],
    crate_id: usize,
    plan: &locks::CratePlan,
    opts: &Options,
    shared: &mut Vec<(Span, String)>,
) -> Result<Option<FileChange>, String> {
    let Some(text) = text.filter(|_| !plan.tokio_features.is_empty()) else {
        return Ok(None);
    };
    // Edits only in tests, examples or benches need tokio only there.
    let dev_only = !plan.tokio_outside_tests || own.iter().all(|c| in_dev_target(&c.path, m));
    let features: Vec<&str> = plan.tokio_features.iter().copied().collect();
    match text.and_then(|old| {
        let new_tokio = manifest::new_tokio(m);
        Ok(
            manifest::with_tokio_features(&old, &features, dev_only, &new_tokio)?
                .map(|new| (old, new)),
        )
    }) {
        Ok(Some((old, new))) => {
            let display = opts.display(m);
            for (start, end, text) in replacements(&old, &new) {
                let (line, col) = line_col(&old, start as u32);
                let (end_line, end_col) = line_col(&old, end as u32);
                let at = Span {
                    path: display.clone(),
                    start,
                    end,
                    line,
                    col,
                    end_line,
                    end_col,
                };
                shared.push((at, text));
            }
            Ok(Some(FileChange {
                path: m.to_path_buf(),
                display,
                old,
                new,
                crate_id,
                manifest: Some(m.to_path_buf()),
            }))
        }
        Ok(None) => Ok(None),
        Err(e) => Err(format!(
            "{}: cannot add the tokio features the rewrite needs: {e}",
            opts.display(m)
        )),
    }
}

/// The replacements of whole lines that turn `old` into `new`, as (start,
/// end, text) in bytes of `old`.
fn replacements(old: &str, new: &str) -> Vec<(usize, usize, String)> {
    let diff = similar::TextDiff::from_lines(old, new);
    let (old_lines, new_lines) = (diff.old_slices(), diff.new_slices());
    let offset = |line: usize| -> usize { old_lines[..line].iter().map(|l| l.len()).sum() };
    let mut out: Vec<(usize, usize, String)> = Vec::new();
    for op in diff.ops() {
        if op.tag() == similar::DiffTag::Equal {
            continue;
        }
        let (start, end) = (offset(op.old_range().start), offset(op.old_range().end));
        let text: String = new_lines[op.new_range()].concat();
        match out.last_mut() {
            // A deletion and the insertion right after it are one replacement.
            Some(last) if last.1 == start => {
                last.1 = end;
                last.2.push_str(&text);
            }
            _ => out.push((start, end, text)),
        }
    }
    out
}

/// A suppression that names no rule suppresses nothing: say so. One that
/// the tool does not read as a suppression at all is warned about, with the
/// comment it should be (ruff's invalid-noqa).
fn unknown_rules_in_allows(files: &[&Analysed], out: &mut Outcome) {
    for a in files {
        for (comment, fixed) in &a.facts.malformed_allows {
            let (line, col) = line_col(&a.src.text, comment.start().into());
            out.warnings.push(format!(
                "{}:{line}:{col}: `{}` is not read as a suppression; write `{fixed}`",
                a.src.display, &a.src.text[*comment]
            ));
        }
        for allow in &a.facts.allows {
            for r in &allow.rules {
                if let Err(e) = rules_meta::check_selector(r) {
                    let (line, col) = line_col(&a.src.text, allow.comment.start().into());
                    out.errors.push(format!(
                        "{}:{line}:{col}: `awaitify: allow(..)`: {e}",
                        a.src.display
                    ));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gate(old: &str, new: &str) -> Result<(), String> {
        let original = SourceFile::parse(old, Edition::Edition2021);
        reparse_gate(&original, new, Edition::Edition2021)
    }

    #[test]
    fn the_reparse_gate_refuses_a_rewrite_that_breaks_parsing() {
        let old = "async fn f(m: &M) { let g = m.lock().unwrap(); }\n";
        let good = "async fn f(m: &M) { let g = m.lock().await; }\n";
        let broken = "async fn f(m: &M) { let g = m.lock().await; \n";
        assert_eq!(gate(old, good), Ok(()));
        let err = gate(old, broken).expect_err("an unclosed brace does not parse");
        assert!(!err.is_empty());
    }

    #[test]
    fn the_reparse_gate_lets_a_broken_file_stay_as_broken() {
        // A file that did not parse may be rewritten, as long as it gets no
        // worse.
        let old = "fn f() { let x = ; }\n";
        assert_eq!(gate(old, "fn f() { let y = ; }\n"), Ok(()));
        assert!(gate(old, "fn f() { let y = ; \n").is_err());
    }

    #[test]
    fn manifest_replacements_are_whole_lines_of_the_old_text() {
        let old = "[package]\nname = \"c\"\n\n[dependencies]\ntokio = \"1\"\n";
        let new = "[package]\nname = \"c\"\n\n[dependencies]\ntokio = { version = \"1\", features = [\"sync\"] }\n";
        let found = replacements(old, new);
        let start = old.find("tokio").unwrap();
        assert_eq!(
            found,
            [(
                start,
                old.len(),
                "tokio = { version = \"1\", features = [\"sync\"] }\n".to_string()
            )]
        );
        assert!(replacements(old, old).is_empty());
    }
}
