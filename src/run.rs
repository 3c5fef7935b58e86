//! One run of the tool: walk the paths, parse and extract every file in
//! parallel, plan each crate, and turn the plan into new file contents.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ra_ap_syntax::{Edition, SourceFile, TextRange};
use rayon::prelude::*;

use crate::edit::{self, line_col, Edit};
use crate::facts::{self, FileFacts};
use crate::imports::Family;
use crate::manifest;
use crate::plan::{self, Decision, PlanOptions};
use crate::rules::{self, Rule};
use crate::use_edit;

#[derive(Clone, Debug)]
pub struct Options {
    pub paths: Vec<PathBuf>,
    pub exclude: Vec<String>,
    pub plan: PlanOptions,
    /// Paths in output are shown relative to this directory.
    pub display_root: PathBuf,
    /// Edition for files that no `Cargo.toml` owns.
    pub default_edition: Edition,
}

/// One reported finding.
#[derive(Clone, Debug)]
pub struct Diagnostic {
    pub rule: &'static Rule,
    pub path: String,
    pub line: usize,
    pub col: usize,
    pub message: String,
    pub notes: Vec<String>,
    /// The fix is part of this run's changes.
    pub fixed: bool,
}

/// New contents for one file.
#[derive(Clone, Debug)]
pub struct FileChange {
    pub path: PathBuf,
    pub display: String,
    pub old: String,
    pub new: String,
    /// Files of one crate are written all together or not at all.
    pub crate_id: usize,
}

#[derive(Debug, Default)]
pub struct Outcome {
    pub diagnostics: Vec<Diagnostic>,
    pub changes: Vec<FileChange>,
    /// One line each, naming the path.
    pub errors: Vec<String>,
    pub files_scanned: usize,
}

struct SourceText {
    path: PathBuf,
    display: String,
    /// The text without a byte-order mark.
    text: String,
    bom: bool,
    newline: &'static str,
    edition: Edition,
}

struct Analysed {
    src: SourceText,
    facts: FileFacts,
}

fn display_path(path: &Path, root: &Path) -> String {
    let shown = path.strip_prefix(root).unwrap_or(path);
    let s = shown.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

/// All `.rs` files under the paths, gitignore-aware, sorted.
fn walk(opts: &Options, errors: &mut Vec<String>) -> Vec<PathBuf> {
    let mut excludes = globset::GlobSetBuilder::new();
    for g in &opts.exclude {
        match globset::Glob::new(g) {
            Ok(glob) => {
                excludes.add(glob);
            }
            Err(e) => errors.push(format!("--exclude {g}: {e}")),
        }
    }
    let excludes = excludes
        .build()
        .unwrap_or_else(|_| globset::GlobSet::empty());
    let mut files = Vec::new();
    for root in &opts.paths {
        if !root.exists() {
            errors.push(format!("{}: no such file or directory", root.display()));
            continue;
        }
        for entry in ignore::WalkBuilder::new(root).build() {
            match entry {
                Ok(e) => {
                    let p = e.path();
                    let is_rs = p.extension().is_some_and(|x| x == "rs")
                        && e.file_type().is_some_and(|t| t.is_file());
                    let shown = display_path(p, &opts.display_root);
                    if is_rs
                        && !excludes.is_match(&shown)
                        && !p.file_name().is_some_and(|n| excludes.is_match(n))
                    {
                        files.push(p.to_path_buf());
                    }
                }
                Err(e) => errors.push(format!("{}: {e}", root.display())),
            }
        }
    }
    files.sort();
    files.dedup();
    files
}

fn read_source(path: &Path, display: String, edition: Edition) -> Result<SourceText, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{display}: cannot read: {e}"))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        format!(
            "{display}: not valid UTF-8 (byte {}); file skipped",
            e.utf8_error().valid_up_to()
        )
    })?;
    let (text, bom) = match text.strip_prefix('\u{feff}') {
        Some(rest) => (rest.to_string(), true),
        None => (text, false),
    };
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    Ok(SourceText {
        path: path.to_path_buf(),
        display,
        text,
        bom,
        newline,
        edition,
    })
}

fn analyse(src: SourceText, file_id: usize) -> Result<Analysed, String> {
    let parse = SourceFile::parse(&src.text, src.edition);
    if let Some(err) = parse.errors().first() {
        let (line, col) = line_col(&src.text, err.range().start().into());
        return Err(format!(
            "{}:{line}:{col}: syntax error: {err}; file skipped",
            src.display
        ));
    }
    let facts = facts::extract(&parse.tree(), file_id, src.edition);
    Ok(Analysed { src, facts })
}

pub fn run(opts: &Options) -> Outcome {
    let mut out = Outcome::default();
    let files = walk(opts, &mut out.errors);
    out.files_scanned = files.len();

    // Crates: files grouped by their owning manifest.
    let mut manifest_of: BTreeMap<PathBuf, Option<PathBuf>> = BTreeMap::new();
    let mut crates: BTreeMap<Option<PathBuf>, Vec<PathBuf>> = BTreeMap::new();
    for f in files {
        let dir = f.parent().map(Path::to_path_buf).unwrap_or_default();
        let m = manifest_of
            .entry(dir)
            .or_insert_with(|| manifest::owning_manifest(&f))
            .clone();
        crates.entry(m).or_default().push(f);
    }
    for (crate_id, (manifest_path, paths)) in crates.into_iter().enumerate() {
        let edition = match &manifest_path {
            Some(m) => match manifest::edition(m) {
                Ok(e) => e,
                Err(e) => {
                    out.errors.push(format!("{e:#}"));
                    continue;
                }
            },
            None => opts.default_edition,
        };
        let results: Vec<Result<Analysed, String>> = paths
            .par_iter()
            .enumerate()
            .map(|(i, p)| {
                let display = display_path(p, &opts.display_root);
                read_source(p, display, edition).and_then(|s| analyse(s, i))
            })
            .collect();
        let mut analysed = Vec::new();
        for r in results {
            match r {
                Ok(a) => analysed.push(a),
                Err(e) => out.errors.push(e),
            }
        }
        // Local keys carry the walk index, unique in the crate; plan indices
        // are positions in `analysed`.
        let facts: Vec<FileFacts> = analysed
            .iter_mut()
            .map(|a| std::mem::take(&mut a.facts))
            .collect();
        plan_crate(
            crate_id,
            manifest_path.as_deref(),
            &analysed,
            &facts,
            opts,
            &mut out,
        );
    }
    out
}

fn plan_crate(
    crate_id: usize,
    manifest_path: Option<&Path>,
    files: &[Analysed],
    facts: &[FileFacts],
    opts: &Options,
    out: &mut Outcome,
) {
    let plan = plan::plan(facts, &opts.plan);
    let loc = |file: usize, range: TextRange| {
        let (line, col) = line_col(&files[file].src.text, range.start().into());
        (files[file].src.display.clone(), line, col)
    };
    let mut changes = Vec::new();
    let mut crate_ok = true;
    for (file, a) in files.iter().enumerate() {
        let mut edits: Vec<Edit> = plan.edits.get(&file).cloned().unwrap_or_default();
        if let Some(change) = plan.imports.get(&file) {
            let tree = SourceFile::parse(&a.src.text, a.src.edition).tree();
            edits.extend(use_edit::import_edits(
                &tree,
                &a.src.text,
                change,
                a.src.newline,
            ));
        }
        if edits.is_empty() {
            continue;
        }
        let new = match edit::apply(&a.src.text, edits) {
            Ok(t) => t,
            Err(e) => {
                out.errors.push(format!(
                    "{}: internal error: {e}; crate left unchanged",
                    a.src.display
                ));
                crate_ok = false;
                continue;
            }
        };
        let reparsed = SourceFile::parse(&new, a.src.edition);
        if let Some(err) = reparsed.errors().first() {
            out.errors.push(format!(
                "{}: internal error: the rewrite does not parse ({err}); crate left unchanged",
                a.src.display
            ));
            crate_ok = false;
            continue;
        }
        let bom = if a.src.bom { "\u{feff}" } else { "" };
        changes.push(FileChange {
            path: a.src.path.clone(),
            display: a.src.display.clone(),
            old: format!("{bom}{}", a.src.text),
            new: format!("{bom}{new}"),
            crate_id,
        });
    }
    if plan.needs_tokio_sync {
        if let Some(m) = manifest_path {
            match std::fs::read_to_string(m)
                .map_err(anyhow::Error::from)
                .and_then(|old| {
                    Ok(manifest::with_tokio_features(&old, &["sync"])?.map(|new| (old, new)))
                }) {
                Ok(Some((old, new))) => changes.push(FileChange {
                    path: m.to_path_buf(),
                    display: display_path(m, &opts.display_root),
                    old,
                    new,
                    crate_id,
                }),
                Ok(None) => {}
                Err(e) => {
                    out.errors.push(format!(
                        "{}: cannot add tokio's `sync` feature: {e}",
                        m.display()
                    ));
                    crate_ok = false;
                }
            }
        }
    }
    if crate_ok {
        out.changes.extend(changes);
    }
    for report in &plan.reports {
        let (path, line, col) = loc(report.decl.file, report.decl.range);
        let lib = match report.family {
            Family::ParkingLot => "parking_lot",
            _ => "std",
        };
        let what = format!("{lib} {} {}", report.lock.name(), report.display);
        let first_async = report.async_sites.first().map(|s| {
            let (p, l, c) = loc(s.file, s.range);
            format!("{p}:{l}:{c}")
        });
        let where_locked = match (report.async_sites.len(), first_async) {
            (1, Some(at)) => format!("locked in async code at {at}"),
            (n, Some(at)) => format!(
                "locked in async code at {at} and {} more place{}",
                n - 1,
                if n == 2 { "" } else { "s" }
            ),
            _ => String::new(),
        };
        let (rule, message, notes) = match &report.decision {
            Decision::Migrate => (
                &rules::STD_LOCK_IN_ASYNC,
                format!("{what} is {where_locked}; migrating it to tokio::sync::{}", report.lock.name()),
                Vec::new(),
            ),
            Decision::Manual(blockers) => (
                &rules::MANUAL_LOCK_MIGRATION,
                format!("{what} is {where_locked}, but cannot be migrated safely; left unchanged"),
                blockers
                    .iter()
                    .map(|(l, reason)| {
                        let (p, line, col) = loc(l.file, l.range);
                        format!("{p}:{line}:{col}: {reason}")
                    })
                    .collect(),
            ),
            Decision::ReportParkingLot => (
                &rules::PARKING_LOT_IN_ASYNC,
                format!("{what} is {where_locked}"),
                vec!["run with --parking-lot to migrate it to tokio::sync".to_string()],
            ),
            Decision::KeepShort => (
                &rules::SHORT_CRITICAL_SECTION,
                format!("{what} is {where_locked}, but its guard is never held across an `.await`; kept (policy held-across-await)"),
                Vec::new(),
            ),
        };
        out.diagnostics.push(Diagnostic {
            rule,
            path,
            line,
            col,
            message,
            notes,
            fixed: crate_ok && report.decision == Decision::Migrate,
        });
    }
}
