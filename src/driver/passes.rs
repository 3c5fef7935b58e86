//! The steps that decide which files are analysed, and how deeply: pass 1
//! over every file, the cfg alternatives, lock types re-exported, the uses
//! of locks in async code, and, while a crate is planned, what its plan can
//! reach.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use rayon::prelude::*;

use super::exports::mark_exported_locks;
use super::files::{load, Depth, Files, Step};
use super::{Batch, RunContext};
use crate::facts;
use crate::imports::Family;
use crate::locks::{self, Decision};
use crate::options::Options;
use crate::walk::{self, CrateInfo, Input};

/// Pass 1, in parallel over the files of `batch`: only a file that names a
/// lock type can declare a lock, so only those are parsed in full now (and
/// those that may block, for the blocking rules). Returns their state (with
/// the files that could hold a lock site in async code), and per file of
/// `batch` (in its order) its cfg-alternative module items.
pub(super) fn load_pass_one(
    (inputs, crates, opts): (&[Input], &[CrateInfo], &Options),
    batch: &Batch,
) -> (Files, Vec<Vec<walk::AltModule>>) {
    let mut state = Files::default();
    let results: Vec<_> = batch
        .members
        .par_iter()
        .map(|&i| {
            if let Some(p) = opts.progress.as_ref().filter(|_| !inputs[i].read_only) {
                p.inc(1);
            }
            let input = &inputs[i];
            let krate = &crates[input.crate_id];
            load(input, krate, opts, (state.known(input), true), None, |t| {
                if facts::may_declare_lock(t) {
                    Depth::Full
                } else if crate::blocking::may_block(
                    t,
                    &krate.config.blocking,
                    crate::rules::detectors(),
                ) {
                    Depth::Blocking
                } else {
                    Depth::Skip
                }
            })
        })
        .collect();
    let mut alt_modules = vec![Vec::new(); batch.members.len()];
    for (k, r) in results.into_iter().enumerate() {
        let i = batch.members[k];
        match r {
            Ok(loaded) => {
                if loaded.async_site {
                    state.async_site.insert(i);
                }
                alt_modules[k] = loaded.alt_modules;
                state.set(i, loaded.analysed);
            }
            Err(e) => state.fail(&inputs[i], e),
        }
    }
    (state, alt_modules)
}

/// Gives every file of a crate the places its cfg-alternative modules
/// cover (see `walk::alternative_places`), the analyses made so far
/// included: a lock with a declaration, site or type path there is manual.
/// `alt_modules` is per file of `batch`, in its order.
pub(super) fn mark_cfg_alternatives(
    (inputs, opts): (&[Input], &Options),
    batch: &Batch,
    alt_modules: &[Vec<walk::AltModule>],
    state: &mut Files,
) {
    if alt_modules.iter().all(Vec::is_empty) {
        return;
    }
    for &crate_id in &batch.crates {
        let members: Vec<usize> = (0..batch.members.len())
            .filter(|&k| inputs[batch.members[k]].crate_id == crate_id)
            .collect();
        if members.iter().all(|&k| alt_modules[k].is_empty()) {
            continue;
        }
        let files: Vec<(&Path, &[walk::AltModule])> = members
            .iter()
            .map(|&k| {
                let i = batch.members[k];
                (inputs[i].path.as_path(), alt_modules[k].as_slice())
            })
            .collect();
        let places = walk::alternative_places(&files, |p| opts.display(p));
        for (&k, places) in members.iter().zip(places) {
            let i = batch.members[k];
            if let Some(a) = state.get_mut(i) {
                a.facts.cfg_alternative = places.clone();
            }
            state.cfg_alternative.insert(i, places);
        }
    }
}

/// Lock types re-exported by a crate's modules (`pub use std::sync::Mutex
/// as StdMutex;`) are recorded in the crate's state, and the files that may
/// name one are read again knowing them.
pub(super) fn reread_for_reexports(
    (inputs, crates, opts): (&[Input], &[CrateInfo], &Options),
    batch: &Batch,
    state: &mut Files,
) {
    state.step = Step::Reexports;
    for &i in &batch.members {
        let input = &inputs[i];
        let (Some(a), Some(manifest)) = (state.get(i), crates[input.crate_id].manifest.as_deref())
        else {
            continue;
        };
        let Some(module) = walk::module_path(&input.path, manifest) else {
            continue;
        };
        let found: Vec<(String, String)> = a
            .facts
            .reexports
            .iter()
            .map(|r| (format!("{module}::{}", r.local), r.path.clone()))
            .collect();
        if !found.is_empty() {
            state
                .reexports
                .entry(input.crate_id)
                .or_default()
                .extend(found);
        }
    }
    let again: Vec<usize> = batch
        .members
        .iter()
        .copied()
        .filter(|&i| {
            let reexports = state.known(&inputs[i]).reexports;
            !state.failed(i)
                && !reexports.is_empty()
                && std::fs::read_to_string(&inputs[i].path).is_ok_and(|text| {
                    // A file that names only a re-exported `Arc` has no lock
                    // it could make a difference to: `Arc` is in nearly
                    // every file of a crate that re-exports it.
                    reexports
                        .iter()
                        .filter(|(_, to)| to.as_str() != "std::sync::Arc")
                        .filter_map(|(k, _)| k.rsplit("::").next())
                        .any(|local| facts::names_word(&text, local))
                })
        })
        .collect();
    let reread: Vec<_> = again
        .par_iter()
        .map(|&i| {
            let input = &inputs[i];
            let known = state.known(input);
            load(
                input,
                &crates[input.crate_id],
                opts,
                (known, false),
                None,
                |_| Depth::Full,
            )
        })
        .collect();
    for (i, r) in again.into_iter().zip(reread) {
        match r {
            Ok(loaded) => state.set(i, loaded.analysed),
            Err(e) => state.fail(&inputs[i], e),
        }
    }
}

/// Marks the libraries' exported locks, then analyses the files that may
/// lock one of the declarations found in async code: only these can make a
/// lock a candidate for migration. Returns the crates planned with a
/// library (see `mark_exported_locks`).
pub(super) fn analyse_async_uses(
    (inputs, crates, opts): (&[Input], &[CrateInfo], &Options),
    batch: &Batch,
    state: &mut Files,
) -> BTreeMap<usize, usize> {
    state.step = Step::AsyncUses;
    let mut names: HashMap<usize, HashSet<String>> = HashMap::new();
    for &c in &batch.crates {
        names.insert(c, HashSet::new());
    }
    for &i in &batch.members {
        // Placeholder declarations (types that might be a lock alias) are not locks.
        for d in state
            .get(i)
            .into_iter()
            .flat_map(|a| &a.facts.decls)
            .filter(|d| d.family != Family::Tokio)
        {
            if let Some(set) = names.get_mut(&inputs[i].crate_id) {
                set.extend(d.key.reach_name().map(|n| n.to_string()));
            }
        }
    }
    let joins = mark_exported_locks((inputs, crates, opts), &batch.members, state);
    let site = std::mem::take(&mut state.async_site);
    let empty = HashSet::new();
    state.analyse_more(
        (inputs, crates, opts),
        &batch.members,
        (&names, Depth::Full),
        |i| site.contains(&i),
        |c, text| facts::may_lock_in_async(text, names.get(&c).unwrap_or(&empty)),
    );
    joins
}

/// Analyses what `plan` says may matter to it and is not analysed yet.
/// Returns how many files it analysed: the plan is trusted only at none.
///
/// Every file that can reach a lock locked in async code (its other sites,
/// flows into it), and every file that can call a sync fn whose callers
/// decide where a site runs, must be analysed before the plan is trusted.
/// Only migrating locks need it: more files can add blockers to a manual
/// lock but never make it migrate, and a flow that joins it to a migrating
/// lock names the migrating one too.
pub(super) fn analyse_reach(
    run: &RunContext,
    (crate_id, members): (usize, &[usize]),
    plan: &locks::CratePlan,
    state: &mut Files,
) -> usize {
    let reach: HashSet<String> = plan
        .reports
        .iter()
        .filter(|r| r.decision == Decision::Migrate)
        .flat_map(|r| r.reach_names.iter().cloned())
        .collect();
    let callers: HashSet<String> = plan.runtime_names.iter().cloned().collect();
    let mut scope = HashMap::new();
    let names: HashSet<String> = reach.union(&callers).cloned().collect();
    for (&user, _) in run.joins.iter().filter(|(_, &lib)| lib == crate_id) {
        scope.insert(user, names.clone());
    }
    scope.insert(crate_id, names);
    let found = state.analyse_more(
        (run.inputs, run.crates, run.opts),
        members,
        (&scope, Depth::Full),
        |_| true,
        |_, text| {
            // Any mention of a sync fn may call it (a fn pointer, a
            // renamed import, a macro's tokens).
            facts::needs_analysis(text, &reach)
                || callers.iter().any(|n| facts::names_word(text, n))
        },
    );
    found + analyse_routes(run, (crate_id, members), plan, state)
}

/// Analyses, for the blocking rules, the files not analysed yet that call
/// an async fn whose callers decide what executor runs a blocking call
/// (`plan.driver_names`): a `#[tokio::main]` that names no blocking call,
/// an async fn that only passes the call on. Returns how many it analysed.
fn analyse_routes(
    run: &RunContext,
    (crate_id, members): (usize, &[usize]),
    plan: &locks::CratePlan,
    state: &mut Files,
) -> usize {
    let names: HashSet<String> = plan.driver_names.iter().cloned().collect();
    let mut scope = HashMap::new();
    for (&user, _) in run.joins.iter().filter(|(_, &lib)| lib == crate_id) {
        scope.insert(user, names.clone());
    }
    scope.insert(crate_id, names);
    let names = &scope[&crate_id];
    state.analyse_more(
        (run.inputs, run.crates, run.opts),
        members,
        (&scope, Depth::Blocking),
        |_| true,
        |_, text| names.iter().any(|n| facts::calls_word(text, n)),
    )
}
