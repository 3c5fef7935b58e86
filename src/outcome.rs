//! What a run found and would change: the findings, the new contents of
//! files, the errors and counts, and what the compiler's referee made of
//! the changes (`verify`).

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::locks::CrateView;
use crate::model::{FileChange, Span};
use crate::rules::{Applicability, Rule, Severity};
use crate::settings::Referee;

/// One reported finding.
#[derive(Clone, Debug)]
pub struct Diagnostic {
    pub rule: &'static Rule,
    /// Its rule's severity, or lower (AW206 in test code is a note).
    pub severity: Severity,
    /// Where it is reported.
    pub span: Span,
    pub message: String,
    /// Other places of the finding in the same file, with what each is.
    pub labels: Vec<(Span, String)>,
    pub notes: Vec<String>,
    /// How far its fix can be trusted, if it has one (applied or not).
    pub fix: Option<Applicability>,
    /// The edits of the fix where this run applies it.
    pub edits: Vec<(Span, String)>,
    /// Where this run applies its fix: the edits it shares with the crate's
    /// other fixes (imports, `Cargo.toml`). With them, the fixes of a crate
    /// give what `--write` writes.
    pub shared_edits: Vec<(Span, String)>,
    /// The fix is part of this run's changes.
    pub fixed: bool,
    /// The crate whose changes hold the fix.
    pub crate_id: usize,
    /// The file it is in (absolute) and its line, whitespace collapsed:
    /// what a baseline records.
    pub file: PathBuf,
    pub snippet: String,
}

impl Diagnostic {
    /// A finding this run leaves to a person: a warning with no fix this
    /// run applies, and none `--unsafe-fixes` would. The summary counts
    /// these as `manual`, and `--fail-on manual` fails on them.
    pub fn manual(&self) -> bool {
        self.severity == Severity::Warning && !self.fixed && self.fix != Some(Applicability::Unsafe)
    }
}

#[derive(Debug, Default)]
pub struct Outcome {
    pub diagnostics: Vec<Diagnostic>,
    pub changes: Vec<FileChange>,
    /// One line each, naming the path.
    pub errors: Vec<String>,
    /// One line each: something the user asked for that did nothing.
    pub warnings: Vec<String>,
    pub files_scanned: usize,
    /// Files parsed and analysed (the others cannot hold anything relevant).
    pub files_analysed: usize,
    /// Files read: those scanned, and the other files of crates the paths
    /// given cover only in part (read, never changed).
    pub files_read: usize,
    /// Findings hidden by `// awaitify: allow(..)` comments.
    pub suppressed: usize,
    /// Findings left alone because the baseline records them.
    pub baselined: usize,
    /// Per crate (by `crate_id`): its `Cargo.toml` as shown (`None`: files no
    /// manifest owns) and how many of its files were scanned.
    pub crates: Vec<(Option<String>, usize)>,
    /// The text (without a byte-order mark) of every file with a finding,
    /// by displayed path, for rendering snippets (with `keep_sources`).
    pub sources: BTreeMap<String, String>,
    /// One line each, naming the path: what the run did or skipped that is
    /// not an error (a symlink read but not written, a rolled-back journal).
    pub notes: Vec<String>,
    /// With `Options::write`, the locks on the crates' directories: held
    /// until the outcome is dropped, after writing.
    pub locks: Vec<crate::write::DirLock>,
    /// Per package the compiler checked: how that went (`verify`).
    pub verification: Vec<Verification>,
    /// The run's analysis, for planning a crate again (`verify`).
    pub replanner: Option<Box<dyn Replan + Send>>,
}

impl Outcome {
    /// Keeps only the changes of the crates `keep` accepts, and marks the
    /// fixes of the others as not applied.
    pub fn retain_crates(&mut self, keep: impl Fn(usize) -> bool) {
        self.changes.retain(|c| keep(c.crate_id));
        for d in &mut self.diagnostics {
            d.fixed &= keep(d.crate_id);
        }
    }

    /// Drops the spare capacity of a crate's findings and changes, which a
    /// run holds until it ends: a changed file's new text grows edit by
    /// edit, to up to twice its size, and the vectors grow by doubling.
    pub fn shrink_to_fit(&mut self) {
        let edits = |e: &mut Vec<(Span, String)>| {
            for (span, text) in e.iter_mut() {
                span.path.shrink_to_fit();
                text.shrink_to_fit();
            }
            e.shrink_to_fit();
        };
        for d in &mut self.diagnostics {
            d.span.path.shrink_to_fit();
            d.message.shrink_to_fit();
            edits(&mut d.labels);
            d.notes.iter_mut().for_each(String::shrink_to_fit);
            d.notes.shrink_to_fit();
            edits(&mut d.edits);
            edits(&mut d.shared_edits);
            d.snippet.shrink_to_fit();
        }
        self.diagnostics.shrink_to_fit();
        for c in &mut self.changes {
            c.old.shrink_to_fit();
            c.new.shrink_to_fit();
        }
        self.changes.shrink_to_fit();
    }
}

/// How one package's check went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    /// It builds with the changes written (or shown).
    Verified,
    /// Written without proof, for this reason (it did not build before).
    Unverified(String),
    /// It could not be made to build: its files are as they were.
    Restored(String),
    /// The check itself failed (cargo could not run, failed with no error
    /// of the compiler, or was killed): nothing is known about the code.
    /// `restored`: its files are as they were (with `--write`, unless
    /// `--allow-unverified` kept them).
    CheckFailed { why: String, restored: bool },
}

/// The compiler's verdict on one crate's changes (one or more packages).
#[derive(Clone, Debug)]
pub struct Verification {
    pub crate_id: usize,
    /// The packages' manifests, as shown.
    pub packages: Vec<String>,
    pub status: Status,
    /// `cargo check` runs on the migrated packages.
    pub rounds: usize,
    /// Fixes extended to a declaration the analysis missed, or completed at
    /// a place it missed, and to which.
    pub extended: Vec<String>,
    /// Fixes withdrawn, with the compiler's error.
    pub withdrawn: Vec<String>,
    /// Targets left out of the check, since they did not build before
    /// (``bench `nightly` ``), or `--all-features`.
    pub skipped: Vec<String>,
    /// What it was checked with besides its default features
    /// (`--all-features`, ``feature `extra` alone``).
    pub configs: Vec<String>,
}

/// Plans a crate again with the compiler's corrections: what a run that
/// verifies keeps of its analysis (the driver's `Replanner`), for `verify`.
pub trait Replan: std::fmt::Debug {
    /// The fixes of a crate's latest plan, and its files.
    fn view(&self, crate_id: usize) -> Option<&CrateView>;

    /// Plans crate `crate_id` again with the compiler's corrections: its
    /// findings and changes, from the unchanged files, never patched.
    fn replan(&mut self, crate_id: usize, referee: &Referee) -> Outcome;
}
