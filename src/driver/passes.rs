//! The steps that decide which files are analysed, and how deeply: pass 1
//! over every file, the cfg alternatives, lock types re-exported, the uses
//! of locks in async code, and, while a crate is planned, what its plan can
//! reach.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::Path;

use rayon::prelude::*;

use super::exports::mark_exported_locks;
use super::files::{load, Depth, Files};
use super::RunContext;
use crate::facts;
use crate::imports::Family;
use crate::locks::{self, Decision};
use crate::options::Options;
use crate::outcome::Outcome;
use crate::walk::{self, CrateInfo, Input};

/// Pass 1, in parallel over every file: only a file that names a lock type
/// can declare a lock, so only those are parsed in full now (and those that
/// may block, for the blocking rules). Returns the files' state, which takes
/// over the errors so far, and per file whether it could hold a lock site in
/// async code.
pub(super) fn load_pass_one(
    inputs: &[Input],
    crates: &[CrateInfo],
    opts: &Options,
    out: &mut Outcome,
) -> (Files, Vec<bool>, Vec<Vec<walk::AltModule>>) {
    let results: Vec<_> = inputs
        .par_iter()
        .map(|i| {
            if let Some(p) = opts.progress.as_ref().filter(|_| !i.read_only) {
                p.inc(1);
            }
            load(i, &crates[i.crate_id], opts, None, |t| {
                if facts::may_declare_lock(t) {
                    Depth::Full
                } else if crate::blocking::may_block(t, &crates[i.crate_id].config.blocking) {
                    Depth::Blocking
                } else {
                    Depth::Skip
                }
            })
        })
        .collect();
    let mut state = Files {
        analysed: Vec::with_capacity(inputs.len()),
        failed: vec![false; inputs.len()],
        errors: std::mem::take(&mut out.errors),
        blocked: BTreeSet::new(),
    };
    let mut async_site = vec![false; inputs.len()];
    let mut alt_modules = vec![Vec::new(); inputs.len()];
    for (i, r) in results.into_iter().enumerate() {
        match r {
            Ok(loaded) => {
                async_site[i] = loaded.async_site;
                alt_modules[i] = loaded.alt_modules;
                state.analysed.push(loaded.analysed);
            }
            Err(e) => {
                state.fail(&inputs[i], e);
                state.analysed.push(None);
            }
        }
    }
    (state, async_site, alt_modules)
}

/// Gives every file of a crate the places its cfg-alternative modules
/// cover (see `walk::alternative_places`), the analyses made so far
/// included: a lock with a declaration, site or type path there is manual.
pub(super) fn mark_cfg_alternatives(
    inputs: &mut [Input],
    crates: &[CrateInfo],
    alt_modules: &[Vec<walk::AltModule>],
    opts: &Options,
    state: &mut Files,
) {
    if alt_modules.iter().all(Vec::is_empty) {
        return;
    }
    for crate_id in 0..crates.len() {
        let members: Vec<usize> = (0..inputs.len())
            .filter(|&i| inputs[i].crate_id == crate_id)
            .collect();
        if members.iter().all(|&i| alt_modules[i].is_empty()) {
            continue;
        }
        let files: Vec<(&Path, &[walk::AltModule])> = members
            .iter()
            .map(|&i| (inputs[i].path.as_path(), alt_modules[i].as_slice()))
            .collect();
        let places = walk::alternative_places(&files, |p| opts.display(p));
        for (&i, places) in members.iter().zip(places) {
            if let Some(a) = state.analysed[i].as_deref_mut() {
                a.facts.cfg_alternative = places.clone();
            }
            inputs[i].cfg_alternative = places;
        }
    }
}

/// Lock types re-exported by a crate's modules (`pub use std::sync::Mutex
/// as StdMutex;`) are recorded in its `CrateInfo`, and the files that may
/// name one are read again knowing them.
pub(super) fn reread_for_reexports(
    inputs: &[Input],
    crates: &mut [CrateInfo],
    opts: &Options,
    state: &mut Files,
) {
    for (input, a) in inputs.iter().zip(&state.analysed) {
        let (Some(a), Some(manifest)) = (a, crates[input.crate_id].manifest.as_deref()) else {
            continue;
        };
        let Some(module) = walk::module_path(&input.path, manifest) else {
            continue;
        };
        for (local, path) in &a.facts.reexports {
            crates[input.crate_id]
                .reexports
                .insert(format!("{module}::{local}"), path.clone());
        }
    }
    let again: Vec<usize> = (0..inputs.len())
        .filter(|&i| {
            let reexports = &crates[inputs[i].crate_id].reexports;
            !state.failed[i]
                && !reexports.is_empty()
                && std::fs::read_to_string(&inputs[i].path).is_ok_and(|text| {
                    reexports
                        .keys()
                        .filter_map(|k| k.rsplit("::").next())
                        .any(|local| facts::names_word(&text, local))
                })
        })
        .collect();
    let reread: Vec<_> = again
        .par_iter()
        .map(|&i| {
            load(&inputs[i], &crates[inputs[i].crate_id], opts, None, |_| {
                Depth::Full
            })
        })
        .collect();
    for (i, r) in again.into_iter().zip(reread) {
        match r {
            Ok(loaded) => state.analysed[i] = loaded.analysed,
            Err(e) => state.fail(&inputs[i], e),
        }
    }
}

/// Marks the libraries' exported locks, then analyses the files that may
/// lock one of the declarations found in async code: only these can make a
/// lock a candidate for migration. Returns the crates planned with a
/// library (see `mark_exported_locks`).
pub(super) fn analyse_async_uses(
    inputs: &[Input],
    crates: &[CrateInfo],
    opts: &Options,
    state: &mut Files,
    async_site: &[bool],
) -> BTreeMap<usize, usize> {
    let mut names: Vec<HashSet<String>> = vec![HashSet::new(); crates.len()];
    for (input, a) in inputs.iter().zip(&state.analysed) {
        // Placeholder declarations (types that might be a lock alias) are not locks.
        for d in a
            .iter()
            .flat_map(|a| &a.facts.decls)
            .filter(|d| d.family != Family::Tokio)
        {
            names[input.crate_id].extend(d.key.reach_name().map(|n| n.to_string()));
        }
    }
    let joins = mark_exported_locks(inputs, crates, opts, &mut state.analysed);
    state.analyse_more(
        inputs,
        crates,
        opts,
        (&names, Depth::Full),
        |i| async_site[i],
        |c, text| facts::may_lock_in_async(text, &names[c]),
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
    crate_id: usize,
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
    let mut scope = vec![HashSet::new(); run.crates.len()];
    scope[crate_id] = reach.union(&callers).cloned().collect();
    for (&user, _) in run.joins.iter().filter(|(_, &lib)| lib == crate_id) {
        scope[user] = scope[crate_id].clone();
    }
    let found = state.analyse_more(
        run.inputs,
        run.crates,
        run.opts,
        (&scope, Depth::Full),
        |_| true,
        |_, text| {
            // Any mention of a sync fn may call it (a fn pointer, a
            // renamed import, a macro's tokens).
            facts::needs_analysis(text, &reach)
                || callers.iter().any(|n| facts::names_word(text, n))
        },
    );
    found + analyse_routes(run, crate_id, plan, state)
}

/// Analyses, for the blocking rules, the files not analysed yet that call
/// an async fn whose callers decide what executor runs a blocking call
/// (`plan.driver_names`): a `#[tokio::main]` that names no blocking call,
/// an async fn that only passes the call on. Returns how many it analysed.
fn analyse_routes(
    run: &RunContext,
    crate_id: usize,
    plan: &locks::CratePlan,
    state: &mut Files,
) -> usize {
    let names: HashSet<String> = plan.driver_names.iter().cloned().collect();
    let mut scope = vec![HashSet::new(); run.crates.len()];
    for (&user, _) in run.joins.iter().filter(|(_, &lib)| lib == crate_id) {
        scope[user] = names.clone();
    }
    scope[crate_id] = names;
    let names = &scope[crate_id];
    state.analyse_more(
        run.inputs,
        run.crates,
        run.opts,
        (&scope, Depth::Blocking),
        |_| true,
        |_, text| names.iter().any(|n| facts::calls_word(text, n)),
    )
}
