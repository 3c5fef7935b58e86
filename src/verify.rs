//! The compiler is the referee: `cargo check` of every package a run
//! changes (`check`), each new error traced to the fix that caused it
//! (`attribute`), that fix extended to a declaration the analysis missed,
//! completed at a place it missed (`completion`), or withdrawn, and the
//! crate planned again until it builds (or restored when the rounds are
//! spent).

mod attribute;
mod check;
mod completion;
mod features;
mod process;

use std::path::PathBuf;

use crate::model::FileChange;
use crate::outcome::{Outcome, Replan, Status, Verification};
use crate::settings::Referee;
use attribute::correct;
pub use check::cargo_available;
use check::{cargo_check, Checkout, CompileError, Config};

/// How `cargo check` runs.
#[derive(Clone, Debug)]
pub struct Settings {
    /// `--features`, `--all-features`, `--no-default-features`, as cargo
    /// takes them.
    pub cargo_args: Vec<String>,
    /// `--offline`: cargo fetches nothing.
    pub offline: bool,
    pub quiet: bool,
    /// `--allow-unverified`: a crate whose check failed keeps its edits.
    pub allow_unverified: bool,
    /// How long one `cargo check` may run (`--verify-timeout`).
    pub timeout: std::time::Duration,
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
            skipped: Vec::new(),
            configs: Vec::new(),
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
    /// The targets checked (`--lib`, `--bin x`, ..); empty: all of them.
    targets: Vec<String>,
    /// Features each package is also checked with, where it declares them
    /// (none when the command line picks features).
    configs: Vec<Config>,
}

impl Round<'_> {
    /// The errors of every package of the crate.
    fn errors(&self) -> Result<Vec<CompileError>, String> {
        let mut all = Vec::new();
        for m in &self.manifests {
            let m = self.checkout.path(m);
            let target = self.checkout.target();
            all.extend(cargo_check(&m, target, &self.targets, None, self.settings)?);
            for config in self.configs.iter().filter(|c| c.applies(&m)) {
                let more = cargo_check(&m, target, &self.targets, Some(config), self.settings)?;
                // An error of two checks is one.
                let seen: Vec<String> = all.iter().map(describe).collect();
                all.extend(more.into_iter().filter(|e| !seen.contains(&describe(e))));
            }
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
        skipped: Vec::new(),
        configs: Vec::new(),
    };
    let Some(first) = manifests.first() else {
        v.status = Status::Unverified("no Cargo.toml owns its files".into());
        return Ok(v);
    };
    let checkout = match r.in_place {
        true => Checkout::InPlace,
        false => Checkout::scratch(first)?,
    };
    let mut round = Round {
        manifests: manifests.clone(),
        checkout,
        settings: r.settings,
        targets: Vec::new(),
        configs: Vec::new(),
    };
    let mut changes = crate_changes(outcome, crate_id);
    if r.settings.cargo_args.is_empty() {
        round.configs.push(Config::all_features());
        let gated = features::touched(&changes);
        let alone = gated.iter().take(features::MAX_FEATURES);
        round.configs.extend(alone.map(|f| Config::alone(f)));
    }
    // The errors the package had before are looked for until a check of
    // it (as it is then set up) has none of its own.
    let mut need_before = true;
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
            .and_then(|errors| match errors.is_empty() || !need_before {
                true => Ok((errors, Vec::new())),
                false => round.failed_before(&changes).map(|before| (errors, before)),
            });
        let errors = match checked {
            Ok((errors, _)) if errors.is_empty() => {
                v.configs = round
                    .configs
                    .iter()
                    .filter(|c| {
                        round
                            .manifests
                            .iter()
                            .any(|m| c.applies(&round.checkout.path(m)))
                    })
                    .map(|c| c.label.clone())
                    .collect();
                return Ok(v);
            }
            // Feature checks that failed before are left out first, then
            // the targets that did (one by one); the rest is checked again.
            Ok((_, before)) if before.iter().any(|e| e.config.is_some()) => {
                for label in before.iter().filter_map(|e| e.config.as_ref()) {
                    round.configs.retain(|c| &c.label != label);
                    if !v.skipped.contains(label) {
                        v.skipped.push(label.clone());
                    }
                }
                continue;
            }
            Ok((_, before)) if !before.is_empty() => match round.without_failed(&before) {
                Some((targets, skipped)) if round.targets.is_empty() => {
                    // They had every error before: the others built.
                    round.targets = targets;
                    v.skipped.extend(skipped);
                    continue;
                }
                _ => {
                    v.status = Status::Unverified(format!(
                        "the package did not build before the change ({})",
                        describe(&before[0])
                    ));
                    return Ok(v);
                }
            },
            Ok((errors, _)) => {
                need_before = false;
                errors
            }
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
        crate::rustfmt::format_changes(&mut outcome.changes, |c| c.crate_id == crate_id);
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
    /// The errors of the package before `changes` (checked with the old
    /// texts put back): only errors it did not have are the run's.
    fn failed_before(&self, changes: &[FileChange]) -> Result<Vec<CompileError>, String> {
        self.put(changes, false)?;
        let before = self.errors();
        self.put(changes, true)?;
        before
    }

    /// The targets to check instead of all of them, leaving out those with
    /// an error `before`, and how those are shown; none where that is not
    /// possible (several packages, an error of no target, of the library).
    fn without_failed(&self, before: &[CompileError]) -> Option<(Vec<String>, Vec<String>)> {
        let [manifest] = self.manifests.as_slice() else {
            return None;
        };
        let failed = before
            .iter()
            .map(|e| e.target.clone())
            .collect::<Option<std::collections::BTreeSet<_>>>()?;
        check::targets_but(&self.checkout.path(manifest), &failed)
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
        if !v.configs.is_empty() && v.status == Status::Verified {
            parts.push(format!(
                "{}: checked with its default features, {}",
                v.packages.join(", "),
                v.configs.join(", ")
            ));
        }
        if !v.skipped.is_empty() {
            parts.push(format!(
                "{}: checked without {} (did not build before)",
                v.packages.join(", "),
                v.skipped.join(", ")
            ));
        }
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
        "skipped": v.skipped,
        "features": v.configs,
    })
}
