//! The compiler is the referee: `cargo check` of every package a run
//! changes, each new error traced to the fix that caused it, that fix
//! extended to a declaration the analysis missed, completed at a place it
//! missed (`completion`), or withdrawn, and the crate planned again until it
//! builds (or restored when the rounds are spent).

mod completion;
mod process;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use cargo_metadata::diagnostic::{Diagnostic as RustcDiagnostic, DiagnosticLevel, DiagnosticSpan};
use ra_ap_syntax::{TextRange, TextSize};

use crate::edits::edit::line_col;
use crate::locks::{CrateView, Fix, Loc};
use crate::model::FileChange;
use crate::outcome::{Outcome, Replan, Status, Verification};
use crate::settings::{Completion, Referee};

/// How `cargo check` runs.
#[derive(Clone, Debug)]
pub struct Settings {
    /// `--features`, `--all-features`, `--no-default-features`, as cargo
    /// takes them.
    pub cargo_args: Vec<String>,
    pub quiet: bool,
    /// `--allow-unverified`: a crate whose check failed keeps its edits.
    pub allow_unverified: bool,
    /// How long one `cargo check` may run (`--verify-timeout`).
    pub timeout: std::time::Duration,
}

/// Is `cargo` there to run?
pub fn cargo_available() -> bool {
    std::process::Command::new(cargo())
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn cargo() -> std::ffi::OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

/// One error of rustc.
#[derive(Clone, Debug)]
struct CompileError {
    code: Option<String>,
    message: String,
    /// Every span of it and of its notes, with macro invocations.
    spans: Vec<DiagnosticSpan>,
    /// The messages and labels of it and its notes, for the types they name.
    text: String,
}

/// `cargo check --all-targets` of one package: its errors, or `Ok(empty)`
/// when it builds. `target`: the target directory, for a scratch copy.
fn cargo_check(
    manifest: &Path,
    target: Option<&Path>,
    settings: &Settings,
) -> Result<Vec<CompileError>, String> {
    let mut cmd = std::process::Command::new(cargo());
    cmd.args([
        "check",
        "--all-targets",
        "--keep-going",
        "--message-format=json",
    ])
    .args(&settings.cargo_args)
    .arg("--manifest-path")
    .arg(manifest)
    .stdin(std::process::Stdio::null());
    if let Some(t) = target {
        cmd.env("CARGO_TARGET_DIR", t);
    }
    let out = process::output_within(&mut cmd, settings.timeout, settings.quiet)
        .map_err(|e| format!("cannot run {}: {e}", cargo().to_string_lossy()))?
        .ok_or_else(|| {
            format!(
                "cargo check timed out after {} s (--verify-timeout)",
                settings.timeout.as_secs()
            )
        })?;
    if out.status.success() {
        return Ok(Vec::new());
    }
    let cargo_error = || {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let first = stderr
            .lines()
            .find(|l| l.starts_with("error"))
            .map(str::to_string);
        first.unwrap_or_else(|| match out.status.code() {
            Some(code) => format!("exit status {code}, no error message"),
            None => "killed by a signal".to_string(),
        })
    };
    // Killed (a signal, out of memory): what it printed is not a verdict.
    if out.status.code().is_none() {
        return Err(format!("cargo itself failed ({})", cargo_error()));
    }
    let mut errors: Vec<CompileError> = Vec::new();
    let mut seen = BTreeSet::new();
    for message in cargo_metadata::Message::parse_stream(&out.stdout[..]).flatten() {
        let cargo_metadata::Message::CompilerMessage(m) = message else {
            continue;
        };
        let d = m.message;
        if d.level != DiagnosticLevel::Error || d.spans.is_empty() {
            continue;
        }
        // The same error of the lib and of its test build is one.
        if !seen.insert(d.rendered.clone().unwrap_or_else(|| d.message.clone())) {
            continue;
        }
        errors.push(compile_error(&d));
    }
    if errors.is_empty() {
        // No error of rustc: cargo's own (I/O, network, resolution, a
        // manifest, a feature), which says nothing about the code.
        return Err(format!("cargo itself failed ({})", cargo_error()));
    }
    Ok(errors)
}

fn compile_error(d: &RustcDiagnostic) -> CompileError {
    let mut spans = Vec::new();
    let mut text = String::new();
    // Only the error's own spans are primary: a note's are not.
    fn walk(d: &RustcDiagnostic, top: bool, spans: &mut Vec<DiagnosticSpan>, text: &mut String) {
        text.push_str(&d.message);
        text.push('\n');
        for s in &d.spans {
            if let Some(l) = &s.label {
                text.push_str(l);
                text.push('\n');
            }
            let mut s = s.clone();
            s.is_primary &= top;
            spans.push(s);
        }
        for c in &d.children {
            walk(c, false, spans, text);
        }
    }
    walk(d, true, &mut spans, &mut text);
    CompileError {
        code: d.code.as_ref().map(|c| c.code.clone()),
        message: d.message.clone(),
        spans,
        text,
    }
}

/// Where the package's files are checked: in place (`--write`), or in a
/// scratch copy of its workspace that shares its target directory.
enum Checkout {
    InPlace,
    Scratch {
        from: PathBuf,
        dir: tempfile::TempDir,
        target: PathBuf,
    },
}

impl Checkout {
    /// A scratch copy of the workspace that holds `manifest`.
    fn scratch(manifest: &Path) -> Result<Checkout, String> {
        let meta = cargo_metadata::MetadataCommand::new()
            .manifest_path(manifest)
            .no_deps()
            .exec()
            .map_err(|e| format!("{}: cargo metadata: {e}", manifest.display()))?;
        let from = meta.workspace_root.into_std_path_buf();
        let target = meta.target_directory.into_std_path_buf();
        let dir = tempfile::Builder::new()
            .prefix("awaitify-verify")
            .tempdir()
            .map_err(|e| format!("cannot make a scratch directory: {e}"))?;
        copy_tree(&from, dir.path(), &target)
            .map_err(|e| format!("{}: cannot copy it to check it: {e}", from.display()))?;
        Ok(Checkout::Scratch { from, dir, target })
    }

    /// Where a file of the user's tree is checked.
    fn path(&self, path: &Path) -> PathBuf {
        match self {
            Checkout::InPlace => path.to_path_buf(),
            Checkout::Scratch { from, dir, .. } => match path.strip_prefix(from) {
                Ok(rel) => dir.path().join(rel),
                Err(_) => path.to_path_buf(),
            },
        }
    }

    /// The user's file that `path` (as cargo names it) is.
    fn original(&self, path: &Path) -> PathBuf {
        let path = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        match self {
            Checkout::InPlace => path,
            Checkout::Scratch { from, dir, .. } => {
                let root = dir
                    .path()
                    .canonicalize()
                    .unwrap_or(dir.path().to_path_buf());
                match path.strip_prefix(&root) {
                    Ok(rel) => from.join(rel),
                    Err(_) => path,
                }
            }
        }
    }

    fn target(&self) -> Option<&Path> {
        match self {
            Checkout::InPlace => None,
            Checkout::Scratch { target, .. } => Some(target),
        }
    }

    /// Puts `text` in the checked copy of `path`.
    fn put(&self, path: &Path, text: &str) -> Result<(), String> {
        let at = self.path(path);
        std::fs::write(&at, text).map_err(|e| format!("{}: cannot write: {e}", at.display()))
    }
}

/// Copies the tree at `from` into `to`, without `.git` and `skip` (the
/// target directory).
fn copy_tree(from: &Path, to: &Path, skip: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let path = entry.path();
        let kind = entry.file_type()?;
        if path == skip || entry.file_name() == ".git" {
            continue;
        }
        let dest = to.join(entry.file_name());
        if kind.is_dir() {
            copy_tree(&path, &dest, skip)?;
        } else if kind.is_file() || path.is_file() {
            std::fs::copy(&path, &dest)?;
        }
    }
    Ok(())
}

/// What verifying every changed crate needs from the command line.
pub struct Referees<'a> {
    pub settings: &'a Settings,
    /// `--write`: the files are written, and checked where they are.
    pub in_place: bool,
    /// Files as they were before `--write` (restored when a crate fails).
    pub backups: &'a [crate::write::Backup],
    pub stderr: &'a mut dyn std::io::Write,
}

/// Checks every crate with changes, and makes the outcome what builds:
/// changes and findings re-planned with the compiler's corrections. With
/// `in_place`, a crate that cannot be made to build is restored.
pub fn verify_all(outcome: &mut Outcome, r: &mut Referees) {
    let Some(mut replanner) = outcome.replanner.take() else {
        return;
    };
    let mut crates: Vec<usize> = outcome.changes.iter().map(|c| c.crate_id).collect();
    crates.sort();
    crates.dedup();
    let total = crates.len();
    for (n, crate_id) in crates.into_iter().enumerate() {
        let progress = (n + 1, total);
        match verify_crate(outcome, &mut *replanner, crate_id, progress, r) {
            Ok(v) => outcome.verification.push(v),
            Err(e) => outcome.errors.push(e),
        }
    }
    outcome.replanner = Some(replanner);
}

/// Records every crate with changes as not checked, for `why`
/// (`--no-verify`, or no cargo).
pub fn skipped(outcome: &mut Outcome, why: &str) {
    let mut crates: Vec<usize> = outcome.changes.iter().map(|c| c.crate_id).collect();
    crates.sort();
    crates.dedup();
    for crate_id in crates {
        let packages = shown_packages(outcome, crate_id);
        outcome.verification.push(Verification {
            crate_id,
            packages,
            status: Status::Unverified(why.to_string()),
            rounds: 0,
            extended: Vec::new(),
            withdrawn: Vec::new(),
        });
    }
}

/// A crate's packages as shown: its manifests, or its first file when no
/// manifest owns it.
fn shown_packages(outcome: &Outcome, crate_id: usize) -> Vec<String> {
    let manifests = manifests_of(outcome, crate_id);
    match manifests.is_empty() {
        true => (outcome.changes.iter().find(|c| c.crate_id == crate_id))
            .map(|c| c.display.clone())
            .into_iter()
            .collect(),
        false => manifests.iter().map(|m| crate::paths::shown(m)).collect(),
    }
}

/// The manifests of a crate's changes, its own first.
fn manifests_of(outcome: &Outcome, crate_id: usize) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = Vec::new();
    for c in outcome.changes.iter().filter(|c| c.crate_id == crate_id) {
        if let Some(m) = &c.manifest {
            if !out.contains(m) {
                out.push(m.clone());
            }
        }
    }
    out
}

/// A crate's checks, round by round.
struct Round<'a> {
    manifests: Vec<PathBuf>,
    checkout: Checkout,
    settings: &'a Settings,
}

impl Round<'_> {
    /// The errors of every package of the crate.
    fn errors(&self) -> Result<Vec<CompileError>, String> {
        let mut all = Vec::new();
        for m in &self.manifests {
            all.extend(cargo_check(
                &self.checkout.path(m),
                self.checkout.target(),
                self.settings,
            )?);
        }
        Ok(all)
    }

    /// Puts each changed file's text (`new`, or `old`) in the checkout.
    fn put(&self, changes: &[FileChange], new: bool) -> Result<(), String> {
        for c in changes {
            self.checkout
                .put(&c.path, if new { &c.new } else { &c.old })?;
        }
        Ok(())
    }
}

fn crate_changes(outcome: &Outcome, crate_id: usize) -> Vec<FileChange> {
    let of = |c: &&FileChange| c.crate_id == crate_id;
    outcome.changes.iter().filter(of).cloned().collect()
}

/// Verifies one crate: checks, corrects and re-plans until it builds.
fn verify_crate(
    outcome: &mut Outcome,
    replanner: &mut dyn Replan,
    crate_id: usize,
    (n, total): (usize, usize),
    r: &mut Referees,
) -> Result<Verification, String> {
    let manifests = manifests_of(outcome, crate_id);
    let shown = shown_packages(outcome, crate_id);
    let mut v = Verification {
        crate_id,
        packages: shown.clone(),
        status: Status::Verified,
        rounds: 0,
        extended: Vec::new(),
        withdrawn: Vec::new(),
    };
    let Some(first) = manifests.first() else {
        v.status = Status::Unverified("no Cargo.toml owns its files".into());
        return Ok(v);
    };
    let checkout = match r.in_place {
        true => Checkout::InPlace,
        false => Checkout::scratch(first)?,
    };
    let round = Round {
        manifests: manifests.clone(),
        checkout,
        settings: r.settings,
    };
    let mut changes = crate_changes(outcome, crate_id);
    if !r.in_place {
        round.put(&changes, true)?;
    }
    let fixes = replanner.view(crate_id).map_or(0, |v| v.fixes.len());
    let max_rounds = fixes + 3;
    let mut referee = Referee::default();
    // Every file a round wrote, with its text before the run.
    let mut touched: Vec<FileChange> = changes.clone();
    loop {
        v.rounds += 1;
        if !r.settings.quiet {
            let _ = writeln!(
                r.stderr,
                "awaitify: checking package {n}/{total} (round {}): {}",
                v.rounds,
                shown.join(", ")
            );
        }
        let checked = round
            .errors()
            .and_then(|errors| match errors.is_empty() || v.rounds > 1 {
                true => Ok((errors, None)),
                false => round.failed_before(&changes).map(|before| (errors, before)),
            });
        let errors = match checked {
            Ok((errors, _)) if errors.is_empty() => return Ok(v),
            Ok((_, Some(why))) => {
                v.status = Status::Unverified(why);
                return Ok(v);
            }
            Ok((errors, None)) => errors,
            Err(why) if !r.in_place => {
                v.status = Status::CheckFailed {
                    why,
                    restored: false,
                };
                return Ok(v);
            }
            Err(why) if r.settings.allow_unverified => {
                let why = format!("{why}; written unverified (--allow-unverified)");
                v.status = Status::CheckFailed {
                    why,
                    restored: false,
                };
                return Ok(v);
            }
            Err(why) => {
                restore(outcome, r, &round, &touched, crate_id)?;
                let why = format!("{why}; its files are as they were");
                v.status = Status::CheckFailed {
                    why,
                    restored: true,
                };
                return Ok(v);
            }
        };
        let view = replanner.view(crate_id).cloned().unwrap_or_default();
        let spent = v.rounds >= max_rounds || view.fixes.is_empty();
        let corrected = !spent
            && correct(
                &errors,
                &view,
                &changes,
                &round.checkout,
                &mut referee,
                &mut v,
            );
        if !corrected {
            let why = errors.first().map(describe).unwrap_or_default();
            restore(outcome, r, &round, &touched, crate_id)?;
            v.status = Status::Restored(format!(
                "it does not build after {} round(s) ({why}); its files are as they were",
                v.rounds
            ));
            return Ok(v);
        }
        if r.in_place {
            // The re-plan reads the manifest as it was.
            round.put(&touched, false)?;
        }
        let fresh = replanner.replan(crate_id, &referee);
        replace_crate(outcome, crate_id, fresh);
        annotate(outcome, crate_id, &v);
        let next = crate_changes(outcome, crate_id);
        if r.in_place {
            // Every touched file is as it was now: the journal can name
            // the next round's texts before they are written.
            journal_round(&touched, &next)?;
        }
        changes = round.advance(&changes, next, &mut touched)?;
    }
}

/// Puts every file a round touched back as it was (in the checkout, and
/// with `--write` from the backups), and drops the crate's changes.
fn restore(
    outcome: &mut Outcome,
    r: &Referees,
    round: &Round,
    touched: &[FileChange],
    crate_id: usize,
) -> Result<(), String> {
    round.put(touched, false)?;
    if r.in_place {
        let of_crate = r.backups.iter().filter(|b| b.crate_id == crate_id);
        outcome.errors.extend(crate::write::restore(of_crate));
    }
    outcome.retain_crates(|c| c != crate_id);
    Ok(())
}

/// Rewrites the crate's journal for a round that writes `next`, over the
/// files `touched` so far (all as they were before the run when called).
fn journal_round(touched: &[FileChange], next: &[FileChange]) -> Result<(), String> {
    let Some(first) = touched.first() else {
        return Ok(());
    };
    let mut files: Vec<(PathBuf, &str, &str)> = Vec::new();
    for t in touched.iter().chain(next) {
        let path = t.path.canonicalize().unwrap_or_else(|_| t.path.clone());
        if files.iter().any(|(p, _, _)| p == &path) {
            continue;
        }
        let new = next
            .iter()
            .find(|n| n.path == t.path)
            .map_or(&t.old, |n| &n.new);
        files.push((path, &t.old, new));
    }
    let dir = crate::write::crate_dir(first.manifest.as_deref(), &first.path);
    crate::write::rewrite_journal(&dir, &files)
}

impl Round<'_> {
    /// Why the package did not build before `changes` (checked with the
    /// old texts put back): only errors it did not have are the run's.
    fn failed_before(&self, changes: &[FileChange]) -> Result<Option<String>, String> {
        self.put(changes, false)?;
        let before = self.errors();
        self.put(changes, true)?;
        Ok(before?.first().map(|e| {
            format!(
                "the package did not build before the change ({})",
                describe(e)
            )
        }))
    }

    /// Puts a re-plan's changes (`next`) in the checkout in place of
    /// `changes`, adds the files it touches first to `touched`, and returns
    /// them.
    fn advance(
        &self,
        changes: &[FileChange],
        next: Vec<FileChange>,
        touched: &mut Vec<FileChange>,
    ) -> Result<Vec<FileChange>, String> {
        // A file no longer changed gets its text back.
        let dropped: Vec<FileChange> = changes
            .iter()
            .filter(|c| !next.iter().any(|n| n.path == c.path))
            .cloned()
            .collect();
        self.put(&dropped, false)?;
        self.put(&next, true)?;
        for c in &next {
            if !touched.iter().any(|t| t.path == c.path) {
                touched.push(c.clone());
            }
        }
        Ok(next)
    }
}

/// How an error is quoted: `error[E0308] at src/main.rs:9:5: mismatched types`.
fn describe(e: &CompileError) -> String {
    let code = e
        .code
        .as_deref()
        .map(|c| format!("[{c}]"))
        .unwrap_or_default();
    let at = e
        .spans
        .iter()
        .find(|s| s.is_primary)
        .map(|s| format!(" at {}:{}:{}", s.file_name, s.line_start, s.column_start))
        .unwrap_or_default();
    format!("error{code}{at}: {}", e.message)
}

/// Replaces a crate's changes and findings in `outcome` with `fresh`.
fn replace_crate(outcome: &mut Outcome, crate_id: usize, mut fresh: Outcome) {
    let at = outcome
        .diagnostics
        .iter()
        .position(|d| d.crate_id == crate_id)
        .unwrap_or(outcome.diagnostics.len());
    outcome.diagnostics.retain(|d| d.crate_id != crate_id);
    let at = at.min(outcome.diagnostics.len());
    outcome.diagnostics.splice(at..at, fresh.diagnostics);
    let at = outcome
        .changes
        .iter()
        .position(|c| c.crate_id == crate_id)
        .unwrap_or(outcome.changes.len());
    outcome.changes.retain(|c| c.crate_id != crate_id);
    let at = at.min(outcome.changes.len());
    outcome.changes.splice(at..at, fresh.changes);
    outcome.errors.append(&mut fresh.errors);
    outcome.sources.append(&mut fresh.sources);
}

/// Says on each extended lock's finding what the compiler showed.
fn annotate(outcome: &mut Outcome, crate_id: usize, v: &Verification) {
    for d in outcome
        .diagnostics
        .iter_mut()
        .filter(|d| d.crate_id == crate_id)
    {
        for e in &v.extended {
            let (name, with) = e.split_once(" → ").unwrap_or((e, ""));
            let (with, cite) = with.rsplit_once(" (").unwrap_or((with, ")"));
            if d.fixed && d.message.starts_with(name) {
                d.notes.push(format!(
                    "the compiler showed that {with} must follow it ({cite}: migrated with it"
                ));
            }
        }
    }
}

/// A compiler span in a file of the crate, in the unchanged text.
#[derive(Clone, Debug)]
struct Pointed {
    file: usize,
    range: TextRange,
    primary: bool,
    /// Inside a macro's definition: never edited.
    in_macro: bool,
    /// The span's text, and the field it initializes (`hits: <span>`).
    words: Vec<String>,
    /// The names on its lines.
    line_words: Vec<String>,
}

/// Works out from this round's errors which fixes to extend or withdraw,
/// into `referee`. False when nothing more can be done.
fn correct(
    errors: &[CompileError],
    view: &CrateView,
    changes: &[FileChange],
    checkout: &Checkout,
    referee: &mut Referee,
    v: &mut Verification,
) -> bool {
    let size = |r: &Referee| r.joined.len() + r.completed.len() + r.withdrawn.len();
    let before = size(referee);
    let mut joins: Vec<(Loc, Loc, String)> = Vec::new();
    let mut completions: Vec<(Completion, String)> = Vec::new();
    let mut withdrawals: Vec<(usize, String)> = Vec::new();
    for e in errors {
        let pointed = pointed(e, view, changes, checkout);
        let culprits = culprits(e, &pointed, view);
        let reason = reason(e, &pointed, view);
        if let Some((decl, member, display)) = extension(e, &pointed, view, &culprits, referee) {
            let display = format!("{display} ({})", cite(e, &pointed, view));
            joins.push((decl, member, display))
        } else if let Some(c) = complete(e, &pointed, view, &culprits, referee) {
            completions.push(c);
        } else {
            withdrawals.extend(culprits.into_iter().map(|f| (f, reason.clone())));
        }
    }
    // A fix extended or completed this round is judged again after that.
    let extended: Vec<&Loc> = (joins.iter().map(|(_, m, _)| m))
        .chain(completions.iter().map(|(c, _)| &c.lock))
        .collect();
    withdrawals.retain(|(f, _)| !view.fixes[*f].members.iter().any(|m| extended.contains(&m)));
    withdrawals.sort_by_key(|(f, _)| *f);
    withdrawals.dedup_by_key(|(f, _)| *f);
    let name_of = |member: &Loc| {
        let fix = view.fixes.iter().find(|f| f.members.contains(member));
        fix.map_or(String::new(), |f| f.name.clone())
    };
    for (decl, member, display) in joins {
        v.extended.push(format!("{} → {display}", name_of(&member)));
        referee.joined.push((decl, member));
    }
    for (c, display) in completions {
        if !referee.completed.iter().any(|d| d.change == c.change) {
            v.extended.push(format!("{} → {display}", name_of(&c.lock)));
            referee.completed.push(c);
        }
    }
    for (f, reason) in withdrawals {
        let fix = &view.fixes[f];
        let reason = match fix.lock {
            true => reason,
            false => reason.replace("rejects its migration", "rejects this fix"),
        };
        v.withdrawn.push(format!("{}: {reason}", fix.name));
        referee.withdrawn.push((fix.at.clone(), reason));
    }
    // Something new to try, or nothing more to do.
    size(referee) > before
}

/// The reason a withdrawn fix is reported with: the compiler's error, at
/// its place in the unchanged file.
fn reason(e: &CompileError, pointed: &[Pointed], view: &CrateView) -> String {
    format!(
        "the compiler rejects its migration: {}: {}",
        cite(e, pointed, view),
        e.message
    )
}

/// The error's code and place in the unchanged file: `error[E0308] at
/// src/main.rs:24:10`.
fn cite(e: &CompileError, pointed: &[Pointed], view: &CrateView) -> String {
    let code = e
        .code
        .as_deref()
        .map(|c| format!("[{c}]"))
        .unwrap_or_default();
    let at = pointed.iter().find(|p| p.primary).or(pointed.first());
    let place = match at {
        Some(p) => {
            let file = &view.files[p.file];
            let (line, col) = line_col(&file.text, p.range.start().into());
            format!(" at {}:{line}:{col}", file.display)
        }
        None => String::new(),
    };
    format!("error{code}{place}")
}

/// The spans of `e` in files of the crate, mapped to the unchanged text.
fn pointed(
    e: &CompileError,
    view: &CrateView,
    changes: &[FileChange],
    checkout: &Checkout,
) -> Vec<Pointed> {
    let mut out = Vec::new();
    for s in &e.spans {
        let mut span = Some((s, false, s.is_primary));
        while let Some((s, in_macro, primary)) = span {
            if let Some(p) = map_span(s, in_macro, primary, view, changes, checkout) {
                out.push(p);
            }
            // The macro's invocation, in the code that calls it.
            span = s.expansion.as_deref().map(|x| (&x.span, false, primary));
            if let Some(p) = out.last_mut().filter(|_| span.is_some()) {
                p.in_macro = true;
            }
        }
    }
    out
}

fn map_span(
    s: &DiagnosticSpan,
    in_macro: bool,
    primary: bool,
    view: &CrateView,
    changes: &[FileChange],
    checkout: &Checkout,
) -> Option<Pointed> {
    let path = resolve_file(&s.file_name, view, checkout)?;
    let file = view.files.iter().position(|f| same_file(&f.path, &path))?;
    let old = &view.files[file].text;
    let changed = changes.iter().find(|c| same_file(&c.path, &path));
    let new = changed.map_or(old.as_str(), |c| c.new.trim_start_matches('\u{feff}'));
    let start = offset(new, s.line_start, s.column_start)?;
    let end = offset(new, s.line_end, s.column_end)?.max(start);
    let range = to_old(old, new, start, end);
    let mut words = idents(&new[start..end]);
    // `field: <span>`: the field it initializes.
    let before = new[..start].trim_end();
    if let Some(rest) = before.strip_suffix(':').filter(|r| !r.ends_with(':')) {
        words.extend(idents(rest).pop());
    }
    let line_start = old[..usize::from(range.start())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let line_end = old[usize::from(range.end())..]
        .find('\n')
        .map_or(old.len(), |i| usize::from(range.end()) + i);
    Some(Pointed {
        file,
        range,
        primary,
        in_macro,
        words,
        line_words: idents(&old[line_start..line_end]),
    })
}

/// The file cargo names `name` (relative to the workspace root it ran in).
fn resolve_file(name: &str, view: &CrateView, checkout: &Checkout) -> Option<PathBuf> {
    let name = Path::new(name);
    if name.is_absolute() {
        return Some(checkout.original(name));
    }
    let first = view.files.first()?;
    let start = checkout.path(&first.path);
    start
        .ancestors()
        .map(|a| a.join(name))
        .find(|p| p.is_file())
        .map(|p| checkout.original(&p))
}

fn same_file(a: &Path, b: &Path) -> bool {
    let canon = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    a == b || canon(a) == canon(b)
}

/// The byte offset of a 1-based line and column (in characters).
fn offset(text: &str, line: usize, col: usize) -> Option<usize> {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.checked_sub(1)?)
        .map(str::len)
        .sum();
    let rest = text.get(start..)?;
    let in_line: usize = rest
        .chars()
        .take(col.saturating_sub(1))
        .map(char::len_utf8)
        .sum();
    Some(start + in_line)
}

/// The range of the unchanged text that `start..end` of `new` comes from:
/// unchanged lines map one to one; within a line replaced by one line,
/// unchanged characters map one to one, and changed ones to what they
/// replace; other changed lines map to the lines they replace.
fn to_old(old: &str, new: &str, start: usize, end: usize) -> TextRange {
    let lines = similar::TextDiff::from_lines(old, new);
    let a = map_offset(&lines, start, false, true);
    let b = map_offset(&lines, end, true, true).max(a);
    let size = |x: usize| TextSize::from(x.min(old.len()) as u32);
    TextRange::new(size(a), size(b))
}

/// Where byte `at` of the new text of `diff` comes from in its old text
/// (the start of a changed part, or with `end_side` its end). `by_line`:
/// a line replaced by one line is mapped character by character.
fn map_offset(diff: &similar::TextDiff<str>, at: usize, end_side: bool, by_line: bool) -> usize {
    let (old, new) = (diff.old_slices(), diff.new_slices());
    let sum = |parts: &[&str], n: usize| -> usize { parts[..n].iter().map(|l| l.len()).sum() };
    for op in diff.ops() {
        let (o, n) = (op.old_range(), op.new_range());
        let (n_start, n_end) = (sum(new, n.start), sum(new, n.end));
        let inside = (n_start..n_end).contains(&at) || (end_side && at == n_end);
        if !inside {
            continue;
        }
        let o_start = sum(old, o.start);
        return match op.tag() {
            similar::DiffTag::Equal => o_start + (at - n_start),
            _ if by_line && o.len() == 1 && n.len() == 1 => {
                let chars = similar::TextDiff::from_chars(old[o.start], new[n.start]);
                o_start + map_offset(&chars, at - n_start, end_side, false)
            }
            _ if end_side => sum(old, o.end),
            _ => o_start,
        };
    }
    sum(old, old.len())
}

fn idents(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| {
            w.chars()
                .next()
                .is_some_and(|c| c.is_alphabetic() || c == '_')
        })
        .map(str::to_string)
        .collect()
}

/// Names a lock type or guard: the error is about a lock migration.
fn names_lock(text: &str) -> bool {
    [
        "Mutex",
        "RwLock",
        "MutexGuard",
        "RwLockReadGuard",
        "RwLockWriteGuard",
    ]
    .iter()
    .any(|t| text.contains(t))
}

/// The fixes an error is traced to: those whose places it points at, else
/// those whose lock its primary span names, else the nearest fix of its
/// kind in its file, else every fix.
fn culprits(e: &CompileError, pointed: &[Pointed], view: &CrateView) -> Vec<usize> {
    // An insertion (an empty span: `.await` appended) touches what it
    // follows or is inside of.
    let overlap = |l: TextRange, p: TextRange| match (p.is_empty(), l.is_empty()) {
        (true, true) => l.start() == p.start(),
        (true, false) => l.start() < p.start() && p.start() <= l.end(),
        (false, _) => l.intersect(p).is_some_and(|r| !r.is_empty()) || p.contains_range(l),
    };
    let touches = |f: &Fix, p: &Pointed| {
        (f.places.iter()).any(|l| l.file == p.file && overlap(l.range, p.range))
    };
    let all: Vec<usize> = (0..view.fixes.len()).collect();
    let by_place: Vec<usize> = all
        .iter()
        .copied()
        .filter(|&f| pointed.iter().any(|p| touches(&view.fixes[f], p)))
        .collect();
    if !by_place.is_empty() {
        return by_place;
    }
    let named = |f: &Fix, p: &Pointed| f.reach_names.iter().any(|n| p.words.contains(n));
    let by_name: Vec<usize> = all
        .iter()
        .copied()
        .filter(|&f| {
            pointed
                .iter()
                .any(|p| p.primary && named(&view.fixes[f], p))
        })
        .collect();
    if !by_name.is_empty() {
        return by_name;
    }
    let on_line = |f: &Fix, p: &Pointed| f.reach_names.iter().any(|n| p.line_words.contains(n));
    let by_line: Vec<usize> = all
        .iter()
        .copied()
        .filter(|&f| {
            pointed
                .iter()
                .any(|p| p.primary && on_line(&view.fixes[f], p))
        })
        .collect();
    if by_line.len() == 1 {
        return by_line;
    }
    let lock = names_lock(&e.text);
    let Some(p) = pointed.iter().find(|p| p.primary).or(pointed.first()) else {
        return all;
    };
    let distance = |l: &Loc| {
        let (a, b) = (u32::from(l.range.start()), u32::from(p.range.start()));
        a.abs_diff(b)
    };
    let nearest = all
        .iter()
        .copied()
        .filter(|&f| view.fixes[f].lock == lock)
        .filter_map(|f| {
            let places = view.fixes[f].places.iter().filter(|l| l.file == p.file);
            places.map(distance).min().map(|d| (d, f))
        })
        .min();
    match nearest {
        Some((_, f)) => vec![f],
        None => all,
    }
}

/// A declaration of the same lock that the analysis missed, which the error
/// shows (a std parameter or field that receives a migrated lock, or the
/// reverse): joined to the culprit's group, once. Returns (declaration,
/// member of the group, how the declaration is shown).
fn extension(
    e: &CompileError,
    pointed: &[Pointed],
    view: &CrateView,
    culprits: &[usize],
    referee: &Referee,
) -> Option<(Loc, Loc, String)> {
    let [culprit] = culprits else { return None };
    let fix = &view.fixes[*culprit];
    if !(fix.lock && e.text.contains("tokio::sync::") && e.text.contains("std::sync::")) {
        return None;
    }
    let grouped = |l: &Loc| view.fixes.iter().any(|f| f.members.contains(l));
    let mut found: Vec<(Loc, String)> = Vec::new();
    for p in pointed.iter().filter(|p| !p.in_macro) {
        for d in &view.files[p.file].decls {
            let at = Loc {
                file: p.file,
                range: d.range,
            };
            let inside = p.range.contains_range(d.range);
            let named = p.primary && d.reach_name.as_ref().is_some_and(|n| p.words.contains(n));
            if (inside || named) && !grouped(&at) && !found.iter().any(|(l, _)| l == &at) {
                found.push((at, d.display.clone()));
            }
        }
    }
    let [(decl, display)] = &found[..] else {
        return None;
    };
    let member = fix.members.first()?.clone();
    let again = referee.joined.iter().any(|(d, _)| d == decl);
    (!again).then(|| (decl.clone(), member, display.clone()))
}

/// A place the culprit's migration missed, where the error is one of the
/// shapes `completion` reads: the change it needs, and how it is shown,
/// with the error. Each is made once: an error that stays withdraws.
fn complete(
    e: &CompileError,
    pointed: &[Pointed],
    view: &CrateView,
    culprits: &[usize],
    referee: &Referee,
) -> Option<(Completion, String)> {
    let [culprit] = culprits else { return None };
    let fix = &view.fixes[*culprit];
    let ask = completion::ask(e.code.as_deref(), &e.message, &e.text)?;
    let p = pointed.iter().find(|p| p.primary)?;
    if !fix.lock || p.in_macro {
        return None;
    }
    let (change, shown) = completion::locate(&ask, &view.files[p.file].text, p.file, p.range)?;
    if referee.completed.iter().any(|c| c.change == change) {
        return None;
    }
    let cite = cite(e, pointed, view);
    let shown = format!("{shown} ({cite})");
    let lock = fix.members.first()?.clone();
    Some((Completion { lock, change, cite }, shown))
}

/// Why a package is shown as it is, for the summary.
pub fn summary(outcome: &Outcome) -> Option<String> {
    let v = &outcome.verification;
    if v.is_empty() {
        return None;
    }
    // Not checked at all (`--no-verify`, no cargo): one reason for all.
    if let Some(Status::Unverified(why)) = v.iter().find(|v| v.rounds == 0).map(|v| &v.status) {
        if v.iter().all(|v| v.rounds == 0) {
            return Some(format!("not verified ({why})"));
        }
    }
    let verified = v.iter().filter(|v| v.status == Status::Verified).count();
    let mut parts = vec![format!(
        "{verified} of {} package(s) verified by `cargo check`",
        v.len()
    )];
    for v in v {
        match &v.status {
            Status::Verified => {}
            Status::Unverified(why) => {
                parts.push(format!("{}: unverified: {why}", v.packages.join(", ")))
            }
            Status::Restored(why) => {
                parts.push(format!("{}: not written: {why}", v.packages.join(", ")))
            }
            Status::CheckFailed { why, .. } => {
                parts.push(format!("{}: not verified: {why}", v.packages.join(", ")))
            }
        }
    }
    Some(parts.join("; "))
}

/// The `verification` entry of the JSON document for one package.
pub fn json(v: &Verification) -> serde_json::Value {
    let (verified, reason) = match &v.status {
        Status::Verified => (true, None),
        Status::Unverified(why) => (false, Some(why.clone())),
        Status::Restored(why) | Status::CheckFailed { why, .. } => (false, Some(why.clone())),
    };
    serde_json::json!({
        "packages": v.packages,
        "verified": verified,
        "restored": matches!(
            v.status,
            Status::Restored(_) | Status::CheckFailed { restored: true, .. }
        ),
        "check_failed": matches!(v.status, Status::CheckFailed { .. }),
        "reason": reason,
        "rounds": v.rounds,
        "extended": v.extended,
        "withdrawn": v.withdrawn,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_count_lines_and_characters() {
        assert_eq!(offset("ab\ncé d", 2, 4), Some(7));
        assert_eq!(offset("ab\ncd", 1, 1), Some(0));
    }

    #[test]
    fn changed_lines_map_to_the_lines_they_replace() {
        let old = "a\nlet x = m.lock().unwrap();\nb\n";
        let new = "a\nlet x = m.lock().await;\nb\n";
        let at = new.find('b').unwrap();
        assert_eq!(
            to_old(old, new, at, at + 1),
            TextRange::new(29.into(), 30.into())
        );
        let r = to_old(old, new, 10, 12);
        assert_eq!(&old[r], "m.");
        // `.await` comes from the part of the line that was replaced.
        let at = new.find(".await").unwrap();
        assert_eq!(&old[to_old(old, new, at, at + 6)], ".unwrap()");
        let (a, b) = ("a\nx\ny\n", "a\nz\n");
        assert_eq!(&a[to_old(a, b, 2, 3)], "x\ny\n");
    }

    #[test]
    fn a_field_initializer_names_its_field() {
        assert_eq!(idents("&state.hits"), ["state", "hits"]);
        assert_eq!(
            idents("std::sync::Mutex::new($n)"),
            ["std", "sync", "Mutex", "new", "n"]
        );
    }
}
