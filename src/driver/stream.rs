//! A run as a stream of crates: each crate goes through every step on its
//! own (read and analyse its files, plan it, emit its findings and changes)
//! and its files' analyses are dropped before the run goes on, so that a run
//! holds the analyses of the few crates in hand, not of every crate. What
//! the run keeps of a crate is its outcome, its errors and counts, and, for
//! the compiler's re-plans, the analyses of a crate whose plan changes
//! files.
//!
//! A crate planned with a library (`exports.rs`) waits: where a crate of
//! the run opts in to migrating its public API, a library's exported locks
//! and the crates that may use them go through their first steps, wait for
//! every other crate's, and are planned together after the stream.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use super::exports::{exports_locks, Links};
use super::files::{ErrorKey, Files};
use super::harness::harness_notes;
use super::passes::{
    analyse_async_uses, load_pass_one, mark_cfg_alternatives, reread_for_reexports,
};
use super::replan::Kept;
use super::{plan_crates, PlannedCrate, RunContext};
use crate::options::Options;
use crate::outcome::{Diagnostic, Outcome};
use crate::walk::{CrateInfo, Input};

/// Crates taken through the steps together, and their files (ascending).
pub(super) struct Batch {
    pub(super) crates: Vec<usize>,
    pub(super) members: Vec<usize>,
}

/// What the run keeps of a batch of crates once they are planned.
#[derive(Default)]
pub(super) struct Finished {
    /// Per crate planned (by its id): its findings, changes and messages.
    pub(super) planned: Vec<(usize, Outcome)>,
    /// The errors of its files and plans, each with its place in the run's
    /// list.
    pub(super) errors: Vec<(ErrorKey, String)>,
    /// Its crates with a file that could not be analysed.
    pub(super) blocked: BTreeSet<usize>,
    /// AW002's notes, by file.
    pub(super) notes: Vec<(usize, Diagnostic)>,
    /// The notes' suppressions and texts shown.
    pub(super) noted: Outcome,
    /// How many of its files were analysed.
    pub(super) analysed: usize,
    /// What the compiler's re-plans need of its crates whose plans change
    /// files.
    pub(super) kept: BTreeMap<usize, Kept>,
}

/// What a crate of the stream left: done, or its first steps' state,
/// waiting for the other crates'.
enum Streamed {
    Done(Finished),
    Waiting(Files),
}

/// The run, as the stream of crates reads it.
pub(super) struct Stream<'a> {
    inputs: &'a [Input],
    crates: &'a [CrateInfo],
    harness_files: &'a [(usize, String)],
    opts: &'a Options,
    links: Links,
    baseline: Option<Mutex<crate::baseline::Baseline>>,
    /// Per crate: its files, ascending.
    members: Vec<Vec<usize>>,
    /// The crates that wait, and their first steps' state.
    waiting: Mutex<Vec<(usize, Files)>>,
}

impl<'a> Stream<'a> {
    pub(super) fn new(
        inputs: &'a [Input],
        crates: &'a [CrateInfo],
        harness_files: &'a [(usize, String)],
        opts: &'a Options,
    ) -> Stream<'a> {
        let mut members = vec![Vec::new(); crates.len()];
        for input in inputs {
            members[input.crate_id].push(input.file_id);
        }
        Stream {
            inputs,
            crates,
            harness_files,
            opts,
            links: Links::new(crates),
            baseline: opts.baseline.clone().map(Mutex::new),
            members,
            waiting: Mutex::new(Vec::new()),
        }
    }

    /// Takes every crate with files through the steps, as many at a time as
    /// the pool has threads, and returns what each left, in crate order.
    /// The crates that must wait are left in `waiting`.
    pub(super) fn each_crate(&self) -> Vec<Finished> {
        let todo: Vec<usize> = (0..self.crates.len())
            .filter(|&c| !self.members[c].is_empty())
            .collect();
        let next = AtomicUsize::new(0);
        let slots: Vec<Mutex<Option<Finished>>> = todo.iter().map(|_| Mutex::new(None)).collect();
        // One worker per thread, each taking the next crate when it is done
        // with one: a thread waiting inside a crate's parallel steps helps
        // with them and never starts another crate.
        let workers = rayon::current_num_threads().min(todo.len());
        rayon::scope(|s| {
            for _ in 0..workers {
                s.spawn(|_| loop {
                    let k = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&c) = todo.get(k) else { break };
                    let finished = match self.one_crate(c) {
                        Streamed::Done(finished) => finished,
                        Streamed::Waiting(state) => {
                            self.lock_waiting().push((c, state));
                            Finished::default()
                        }
                    };
                    *slots[k].lock().unwrap_or_else(|e| e.into_inner()) = Some(finished);
                });
            }
        });
        slots
            .into_iter()
            .filter_map(|s| s.into_inner().unwrap_or_else(|e| e.into_inner()))
            .collect()
    }

    fn lock_waiting(&self) -> std::sync::MutexGuard<'_, Vec<(usize, Files)>> {
        self.waiting.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// One crate through every step, or through its first steps where it
    /// must wait for the others'.
    fn one_crate(&self, c: usize) -> Streamed {
        if let Some(probe) = &self.opts.probe {
            probe.crate_starts();
        }
        let batch = Batch {
            crates: vec![c],
            members: self.members[c].clone(),
        };
        let mut state = self.first_steps(&batch);
        let exports = self.links.must_wait(c, true)
            && exports_locks(self.inputs, self.crates, &batch.members, &mut state);
        match self.links.must_wait(c, exports) {
            true => Streamed::Waiting(state),
            false => Streamed::Done(self.last_steps(&batch, state)),
        }
    }

    /// The crates that waited, through their last steps together.
    pub(super) fn waiting(&self) -> Finished {
        let mut waiting = std::mem::take(&mut *self.lock_waiting());
        if waiting.is_empty() {
            return Finished::default();
        }
        waiting.sort_by_key(|(c, _)| *c);
        let mut batch = Batch {
            crates: Vec::new(),
            members: Vec::new(),
        };
        let mut state = Files::default();
        for (c, files) in waiting {
            batch.crates.push(c);
            batch.members.extend(&self.members[c]);
            state.merge(files);
        }
        batch.members.sort();
        self.last_steps(&batch, state)
    }

    /// Reading and analysing a batch's files: pass 1, the cfg alternatives,
    /// and lock types re-exported.
    fn first_steps(&self, batch: &Batch) -> Files {
        let run = (self.inputs, self.crates, self.opts);
        let (mut state, alt_modules) = load_pass_one(run, batch);
        mark_cfg_alternatives((self.inputs, self.opts), batch, &alt_modules, &mut state);
        reread_for_reexports(run, batch, &mut state);
        state
    }

    /// A batch's crates once their first steps are done: the uses of locks
    /// in async code, the plans, AW002's notes; then their analyses are
    /// dropped, except what the compiler's re-plans need.
    fn last_steps(&self, batch: &Batch, mut state: Files) -> Finished {
        let joins = analyse_async_uses((self.inputs, self.crates, self.opts), batch, &mut state);
        let run = RunContext {
            inputs: self.inputs,
            crates: self.crates,
            joins: &joins,
            opts: self.opts,
            baseline: self.baseline.as_ref(),
        };
        let planned = plan_crates(&run, batch, &mut state);
        let mut finished = Finished::default();
        let harness: Vec<(usize, String)> = self
            .harness_files
            .iter()
            .filter(|(i, _)| batch.crates.contains(&self.inputs[*i].crate_id))
            .cloned()
            .collect();
        harness_notes(
            (self.inputs, self.crates, self.opts),
            &harness,
            &state,
            &mut finished.notes,
            &mut finished.noted,
        );
        finished.analysed = state.analysed_count();
        for (c, result) in planned {
            let Ok(PlannedCrate { mut out, view }) = result else {
                continue;
            };
            out.shrink_to_fit();
            if let Some((present, view)) = view.filter(|_| !out.changes.is_empty()) {
                let crates: Vec<usize> =
                    (present.iter()).map(|&i| self.inputs[i].crate_id).collect();
                let state = state.take(&crates, &present);
                finished.kept.insert(
                    c,
                    Kept {
                        state,
                        present,
                        view,
                    },
                );
            }
            finished.planned.push((c, out));
        }
        finished.errors = std::mem::take(&mut state.errors);
        finished.blocked = std::mem::take(&mut state.blocked);
        finished
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::Arc;

    use crate::model::Probe;
    use crate::options::Options;

    fn write(path: &Path, text: &str) {
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("a directory");
        std::fs::write(path, text).expect("a file written");
    }

    /// A workspace of two crates, `a` and `b`, whose `src/main.rs` are
    /// `a` and `b`; a run over it with one thread and a probe.
    fn run_two(a: &str, b: &str, replan: bool) -> (crate::outcome::Outcome, Arc<Probe>) {
        let dir = tempfile::tempdir().expect("a temporary directory");
        for (name, src) in [("a", a), ("b", b)] {
            let manifest = format!(
                "[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\n[dependencies]\ntokio = {{ version = \"1\", features = [\"full\"] }}\n"
            );
            write(&dir.path().join(name).join("Cargo.toml"), &manifest);
            write(&dir.path().join(name).join("src/main.rs"), src);
        }
        let probe = Arc::new(Probe::default());
        let mut opts = Options::new(vec![dir.path().to_path_buf()]);
        opts.display_root = dir.path().to_path_buf();
        opts.threads = Some(1);
        opts.replan = replan;
        opts.probe = Some(probe.clone());
        let out = super::super::run(&opts);
        assert!(out.errors.is_empty(), "errors: {:?}", out.errors);
        (out, probe)
    }

    const QUIET: &str =
        "use std::sync::Mutex;\n\nstruct S {\n    m: Mutex<u32>,\n}\n\nfn main() {}\n";

    const LOCKED_IN_ASYNC: &str = "use std::sync::Mutex;\n\nstatic M: Mutex<u32> = Mutex::new(0);\n\nasync fn bump() {\n    *M.lock().unwrap() += 1;\n}\n\n#[tokio::main]\nasync fn main() {\n    bump().await;\n}\n";

    /// When the second crate's turn comes, the first one's analyses are
    /// gone; none is alive once the run is over.
    #[test]
    fn each_crate_is_dropped_before_the_next_one() {
        let (out, probe) = run_two(QUIET, QUIET, false);
        assert_eq!(out.files_analysed, 2);
        assert_eq!(probe.at_crate_start(), [0, 0]);
        assert_eq!(probe.live(), 0);
    }

    /// A run that verifies keeps the analyses of a crate whose plan changes
    /// files (for the compiler's re-plans), and only those.
    #[test]
    fn only_a_changed_crate_is_kept_for_the_compiler() {
        let (out, probe) = run_two(LOCKED_IN_ASYNC, QUIET, true);
        assert_eq!(out.files_analysed, 2);
        assert!(!out.changes.is_empty(), "findings: {:?}", out.diagnostics);
        assert_eq!(probe.at_crate_start(), [0, 1]);
        assert_eq!(probe.live(), 1);
        drop(out);
        assert_eq!(probe.live(), 0);
    }
}
