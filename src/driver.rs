//! One run of the tool: walk the paths, then take the crates through the
//! steps as a stream (`stream.rs`: parse and extract a crate's files in
//! parallel, plan it, turn the plan into new file contents, drop its
//! analyses), and merge what each crate left in crate order.
//! `run_on_pool` reads as the pipeline's steps; `plan_crate` plans one crate
//! to a fixed point, and `Replanner` (`replan.rs`) plans it again for the
//! compiler. The steps live beside it: reading and analysing files
//! (`files.rs`), which files are analysed and how deeply (`passes.rs`),
//! libraries' exported locks (`exports.rs`), a crate's plan applied
//! (`apply.rs`), suppressions and the baseline (`suppressions.rs`), AW002's
//! notes (`harness.rs`), and internal errors (`panics.rs`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rayon::prelude::*;

use crate::locks::CrateView;
use crate::options::Options;
use crate::outcome::{Outcome, Replan};
use crate::walk::{self, CrateInfo, Input, Walked};

mod apply;
mod exports;
mod files;
mod harness;
mod panics;
mod passes;
mod replan;
mod stream;
mod suppressions;
#[cfg(test)]
pub(crate) mod test_support;

use files::{Files, Step};
use panics::catch;
pub use panics::quiet_panics;
use passes::analyse_reach;
use replan::{CrateRun, Kept, Replanner};
use stream::{Batch, Finished, Stream};
use suppressions::suppress_baselined;

/// A way for tests to make the analysis of a file panic: compiled only in
/// debug builds, active only when `AWAITIFY_TEST_PANIC` is set. (The
/// tests expect the panic's place in this file.)
#[cfg(debug_assertions)]
mod fault {
    /// Panics if `path` ends with `AWAITIFY_TEST_PANIC` (`m1.rs`,
    /// `c/Cargo.toml`).
    pub fn panic_if_asked(path: &std::path::Path) {
        if let Some(name) = std::env::var_os("AWAITIFY_TEST_PANIC") {
            if path.ends_with(&name) {
                panic!("AWAITIFY_TEST_PANIC asked for a panic");
            }
        }
    }
}

/// Stack of every thread that parses or walks a syntax tree: the parser and
/// the walks recurse once per level of nesting. Only the pages a deep file
/// touches are ever mapped; `MAX_DEPTH` keeps it far from the end.
pub const STACK_SIZE: usize = 256 << 20;

/// Runs the tool on its own thread pool, whose threads (the one that plans
/// too) have `STACK_SIZE` of stack.
pub fn run(opts: &Options) -> Outcome {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads.unwrap_or(0))
        .stack_size(STACK_SIZE)
        .thread_name(|i| format!("awaitify-{i}"))
        .build();
    match pool {
        Ok(pool) => pool.install(|| run_on_pool(&opts.resolved())),
        Err(e) => Outcome {
            errors: vec![format!("cannot start the worker threads: {e}")],
            ..Outcome::default()
        },
    }
}

/// The run as a pipeline of named steps: walk, group into crates, lock and
/// recover; then a stream of crates, each taken through every step and
/// dropped (`stream.rs`); then the crates that had to wait for the others'
/// first steps, together; and the run's last steps.
fn run_on_pool(opts: &Options) -> Outcome {
    let mut out = Outcome::default();
    let files = walk::walk(opts, &mut out);
    let Walked {
        mut inputs,
        mut crates,
        harness_files,
    } = walk::group_into_crates(files, opts, &mut out);
    if opts.whole_crates {
        walk::unmatched_config_globs(&inputs, &crates, opts, &mut out.warnings);
    }
    if !lock_and_recover(&inputs, &mut crates, opts, &mut out) {
        return out;
    }
    count_inputs(&mut inputs, &crates, opts, &mut out);
    crates.iter_mut().for_each(CrateInfo::walked);
    let run = Stream::new(&inputs, &crates, &harness_files, opts);
    let mut done = run.each_crate();
    done.push(run.waiting());
    let kept = finish_run(&mut out, done, opts);
    out.replanner = opts.replan.then(|| {
        Box::new(Replanner {
            inputs,
            crates,
            opts: opts.clone(),
            kept,
        }) as Box<dyn Replan + Send>
    });
    out
}

/// Before anything is read: the `--write` lock of every crate directory,
/// then what an interrupted `--write` left there (a crate whose journal
/// cannot be rolled back is skipped). Returns false where the locks could
/// not be taken: the run stops there.
fn lock_and_recover(
    inputs: &[Input],
    crates: &mut [CrateInfo],
    opts: &Options,
    out: &mut Outcome,
) -> bool {
    let mut dirs: BTreeMap<PathBuf, BTreeSet<usize>> = BTreeMap::new();
    for input in inputs {
        let manifest = crates[input.crate_id].manifest.as_deref();
        dirs.entry(crate::write::crate_dir(manifest, &input.path))
            .or_default()
            .insert(input.crate_id);
    }
    let show = |p: &Path| opts.display(p);
    if opts.write {
        match crate::write::lock_dirs(&dirs.keys().cloned().collect(), &show) {
            Ok(locks) => out.locks = locks,
            Err(e) => {
                out.errors.push(e);
                return false;
            }
        }
    }
    for (dir, ids) in &dirs {
        match crate::write::recover(dir, opts.write, &show) {
            Ok(None) => {}
            Ok(Some(note)) => out.notes.push(note),
            Err(e) => {
                out.errors.push(e);
                for &id in ids {
                    crates[id].broken = true;
                    crates[id].selected = false;
                }
            }
        }
    }
    true
}

/// Drops the files of crates no longer selected, numbers the rest, and
/// counts them: scanned (per crate too) and read.
fn count_inputs(inputs: &mut Vec<Input>, crates: &[CrateInfo], opts: &Options, out: &mut Outcome) {
    inputs.retain(|i| crates[i.crate_id].selected);
    for (i, input) in inputs.iter_mut().enumerate() {
        input.file_id = i;
    }
    out.files_scanned = inputs.iter().filter(|i| !i.read_only).count();
    out.crates = crates
        .iter()
        .map(|c| (c.manifest.as_deref().map(|m| opts.display(m)), 0))
        .collect();
    for input in inputs.iter().filter(|i| !i.read_only) {
        out.crates[input.crate_id].1 += 1;
    }
    out.files_read = inputs.len();
    // The bar counts what the summary does: the files scanned, not those
    // only read for their crate's sake.
    if let Some(p) = &opts.progress {
        p.set_length(out.files_scanned as u64);
    }
}

/// What every crate's planning reads and none changes: the walked files,
/// the crates, and which crates are planned with a library.
struct RunContext<'a> {
    pub(super) inputs: &'a [Input],
    pub(super) crates: &'a [CrateInfo],
    /// A crate that uses a library's public lock, which migrates, is planned
    /// with the library (see `mark_exported_locks`): by crate, the library.
    pub(super) joins: &'a BTreeMap<usize, usize>,
    pub(super) opts: &'a Options,
    /// Taken by each crate's plan in turn when the run has a baseline.
    pub(super) baseline: Option<&'a Mutex<crate::baseline::Baseline>>,
}

/// One crate planned (with those planned with it), under the id of the
/// crate planned: its outcome, or why it has none, and what the compiler's
/// re-plans need of it.
type Planned = (usize, Result<PlannedCrate, String>);

/// The plan of each crate of `batch`, each with the findings and changes.
///
/// Crates are planned in parallel: each is planned on the files it owns
/// (its own and those of the crates planned with it), taken out of `state`
/// and put back after, so no two plans touch the same file. With a
/// baseline, which every crate takes its entries out of, they are planned
/// one after the other.
fn plan_crates(run: &RunContext, batch: &Batch, state: &mut Files) -> Vec<Planned> {
    let planned_with = |c: usize| run.joins.get(&c).copied().unwrap_or(c);
    let mut members_of: BTreeMap<usize, (Vec<usize>, Vec<usize>)> = BTreeMap::new();
    for &i in &batch.members {
        let c = run.inputs[i].crate_id;
        let (crates, members) = members_of.entry(planned_with(c)).or_default();
        if !crates.contains(&c) {
            crates.push(c);
        }
        members.push(i);
    }
    // A crate planned with another is blocked with it: their files are
    // written together.
    let todo: Vec<(usize, &[usize], &[usize])> = members_of
        .iter()
        .filter(|(_, (crates, _))| !crates.iter().any(|c| state.blocked.contains(c)))
        .map(|(&c, (crates, members))| (c, crates.as_slice(), members.as_slice()))
        .collect();
    let shared = Mutex::new(&mut *state);
    let lock = || shared.lock().unwrap_or_else(|e| e.into_inner());
    let plan_one = |&(c, crates, members): &(usize, &[usize], &[usize])| {
        let mut own = lock().take(crates, members);
        own.step = Step::Plan(c);
        let planned = match run.baseline {
            Some(b) => {
                let mut b = b.lock().unwrap_or_else(|e| e.into_inner());
                plan_crate(run, c, members, &mut own, Some(&mut b))
            }
            None => plan_crate(run, c, members, &mut own, None),
        };
        (planned, lock().put_back(own))
    };
    // Per crate: its plan, and the errors and blocked crates its analyses
    // added (merged in crate order below, as a serial run would).
    let results: Vec<_> = match todo.len() {
        0 | 1 => todo.iter().map(plan_one).collect(),
        _ => todo.par_iter().map(plan_one).collect(),
    };
    let mut planned = Vec::new();
    for ((crate_id, _, _), (result, mut added)) in todo.into_iter().zip(results) {
        state.errors.append(&mut added.errors);
        state.blocked.append(&mut added.blocked);
        if let Err(e) = &result {
            let key = (Step::Plan(crate_id), 0);
            state
                .errors
                .push((key, format!("{e}; the crate is not written")));
        }
        planned.push((crate_id, result));
    }
    planned
}

/// What planning one crate gives: its findings and changes, and what its
/// plan was made of (its analysed files, its fixes) for the compiler's
/// re-plans, when the run keeps that.
pub(super) struct PlannedCrate {
    pub(super) out: Outcome,
    pub(super) view: Option<(Vec<usize>, CrateView)>,
}

/// Plans crate `crate_id`, whose files are `members` (its own, and those of
/// crates planned with it), to a fixed point: while the plan makes more
/// files worth analysing, they are analysed and the crate planned again;
/// while the baseline records some of its findings, they are suppressed and
/// the crate planned again.
///
/// Reads `run`. Writes `state`: more analysed files (of this crate and of
/// those planned with it), the joined crates' units, the baseline's
/// suppressions and the unused-suppression check's round trip, failures and
/// errors. Takes the findings it records out of `baseline`, which is shared
/// by every crate of the run. A panic becomes the error returned.
fn plan_crate(
    run: &RunContext,
    crate_id: usize,
    members: &[usize],
    state: &mut Files,
    mut baseline: Option<&mut crate::baseline::Baseline>,
) -> Result<PlannedCrate, String> {
    let krate = &run.crates[crate_id];
    let what = krate
        .manifest
        .as_deref()
        .map(|m| run.opts.display(m))
        .unwrap_or_else(|| run.opts.display(&run.inputs[members[0]].path));
    catch(&what, || {
        // The test builds' fault hook, planning a crate by its manifest.
        #[cfg(debug_assertions)]
        if let Some(m) = &krate.manifest {
            fault::panic_if_asked(m);
        }
        // Suppressions the baseline made, and the findings they hid; where
        // the plan reported its findings before the first of them.
        let (mut baselined, mut baselined_findings) = (0, 0);
        let mut before_baseline = None;
        loop {
            own_units_for_joined(run.inputs, crate_id, members, state);
            let plan = state.plan(members, &krate.plan);
            if analyse_reach(run, (crate_id, members), &plan, state) != 0 {
                continue;
            }
            let present: Vec<usize> = members
                .iter()
                .copied()
                .filter(|&i| state.get(i).is_some())
                .collect();
            let recorded = baseline
                .as_deref_mut()
                .map(|b| suppress_baselined(&plan, &present, state, b))
                .unwrap_or_default();
            if recorded.0 != 0 {
                before_baseline.get_or_insert_with(|| suppressions::finding_places(&plan));
                baselined += recorded.0;
                baselined_findings += recorded.1;
                continue;
            }
            if let Some(before) = &before_baseline {
                let uncovered = suppressions::suppress_uncovered(before, &plan, &present, state);
                if uncovered != 0 {
                    baselined += uncovered;
                    continue;
                }
            }
            let mut out = Outcome::default();
            let view = CrateRun {
                inputs: run.inputs,
                crates: run.crates,
                crate_id,
                present: &present,
                opts: run.opts,
            }
            .finish(state, plan, baseline.as_deref_mut(), &mut out);
            // The baseline's suppressions are counted on their own.
            out.suppressed = out.suppressed.saturating_sub(baselined);
            out.baselined += baselined_findings;
            return PlannedCrate {
                out,
                view: view.map(|v| (present, v)),
            };
        }
    })
}

/// A joined crate's tests, examples and benches are units of their own,
/// never the library's namesakes.
fn own_units_for_joined(inputs: &[Input], crate_id: usize, members: &[usize], state: &mut Files) {
    for &i in members.iter().filter(|&&i| inputs[i].crate_id != crate_id) {
        if let Some(a) = state.get_mut(i) {
            if !a.facts.unit.is_empty() && !a.facts.unit.starts_with('#') {
                a.facts.unit = format!("#{}/{}", inputs[i].crate_id, a.facts.unit);
            }
        }
    }
}

/// The run's last steps: every crate's outcome merged in crate order; a
/// crate with a file that could not be analysed is not written; the files'
/// errors come first, in the order of the steps that found them; messages
/// name files as the output does. Returns what the compiler's re-plans
/// need, by crate.
fn finish_run(out: &mut Outcome, done: Vec<Finished>, opts: &Options) -> BTreeMap<usize, Kept> {
    let walk_errors = std::mem::take(&mut out.errors);
    let mut planned: Vec<(usize, Outcome)> = Vec::new();
    let (mut errors, mut notes, mut blocked) = (Vec::new(), Vec::new(), BTreeSet::new());
    let mut kept = BTreeMap::new();
    for mut d in done {
        planned.append(&mut d.planned);
        errors.append(&mut d.errors);
        notes.append(&mut d.notes);
        blocked.append(&mut d.blocked);
        kept.append(&mut d.kept);
        out.files_analysed += d.analysed;
        out.suppressed += d.noted.suppressed;
        out.sources.append(&mut d.noted.sources);
    }
    planned.sort_by_key(|(c, _)| *c);
    for (_, mut crate_out) in planned {
        out.diagnostics.append(&mut crate_out.diagnostics);
        out.changes.append(&mut crate_out.changes);
        out.errors.append(&mut crate_out.errors);
        out.warnings.append(&mut crate_out.warnings);
        out.notes.append(&mut crate_out.notes);
        out.suppressed += crate_out.suppressed;
        out.baselined += crate_out.baselined;
        out.sources.append(&mut crate_out.sources);
    }
    notes.sort_by_key(|(i, _)| *i);
    out.diagnostics.extend(notes.into_iter().map(|(_, d)| d));
    out.retain_crates(|c| !blocked.contains(&c));
    errors.sort_by_key(|(key, _)| *key);
    let errors = walk_errors
        .into_iter()
        .chain(errors.into_iter().map(|(_, e)| e));
    out.errors.splice(0..0, errors);
    // Messages name files as the output does: relative to the current
    // directory (manifests and configurations are found by absolute path).
    let root = format!(
        "{}{}",
        opts.display_root.display(),
        std::path::MAIN_SEPARATOR
    );
    if opts.display_root.is_absolute() {
        for m in out.errors.iter_mut().chain(&mut out.warnings) {
            *m = m.replace(&root, "");
        }
    }
    kept
}
