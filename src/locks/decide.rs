//! One decision per lock group, never per site: a group locked in async
//! code migrates when every one of its sites can be rewritten and nothing
//! else blocks it; it is manual, with every blocker and its place, when
//! something does; parking_lot locks not opted in are reported, and under
//! `held-across-await` a group whose guards never cross an `.await` is kept.

use std::collections::{BTreeMap, HashSet};

use super::asyncify::{Asyncify, Chain, Twins};
use super::rewrite::{lock_method_names, render_site};
use super::runtime::RuntimeAnalysis;
use super::TaskWaits;
use super::{permitted, CratePlan, Decision, GroupReport, Loc, Planner};
use crate::edits::edit::Edit;
use crate::facts::{FileFacts, FnId, SiteContext, SiteFact, Target};
use crate::imports::Family;
use crate::settings::{Policy, PublicApi};

/// Why a lock of a library's public API is left alone, and the ways out.
pub const PUBLIC_API_BLOCKER: &str = "it is public API of a library; migrating it is a breaking change: make it private behind methods, or opt in with `--unsafe-fixes` or `public-api = \"migrate\"` in the configuration";

/// Decides every group locked in async code, adding its report (and, for
/// a migrating group, its lock-site edits) to `out`. Returns the groups
/// that migrate.
pub(super) fn decide_groups(p: &Planner, out: &mut CratePlan, twins: &Twins) -> HashSet<usize> {
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (id, &group) in p.group_of.iter().enumerate() {
        groups.entry(group).or_default().push(id);
    }
    let runtime = RuntimeAnalysis::new(p.files, p.texts, &p.units);
    let asyncify = Asyncify::new(p.files, &p.units, &runtime, &p.handles).with_twins(twins);
    // The async-ify fixes made so far: groups that need one fn made async
    // make it once.
    let mut made_async = Chain::default();
    let read_only_refs = refs_in(p, |f| f.read_only);
    let alternative_refs = refs_in(p, |f| !f.cfg_alternative.is_empty());
    let mut migrating: HashSet<usize> = HashSet::new();
    for (&group, members) in &groups {
        // Callers examined for this group matter only if it migrates.
        runtime.examined.borrow_mut().clear();
        let Some(sites) = GroupSites::of(p, members, &asyncify) else {
            continue;
        };
        let mut report = sites.report(p, group, members);
        let as_is = reported_as_is(p, &report, &sites);
        let mut blockers = group_blockers(p, members, &report);
        blockers.extend(read_only_places(p, &report, &sites, &read_only_refs));
        blockers.extend(alternative_places(p, &report, &sites, &alternative_refs));
        let mut chain = Chain::default();
        let forms = (&runtime, &asyncify, &mut chain);
        let mut edits = site_edits(p, report.family, &sites, forms, &mut blockers);
        if let Some(decision) = as_is {
            // A parking_lot lock --parking-lot would still leave alone says
            // why, instead of promising a migration.
            if decision == Decision::ReportParkingLot {
                blockers.sort();
                report.notes.extend(
                    blockers.first().map(|(_, why)| {
                        format!("--parking-lot would leave it unchanged too: {why}")
                    }),
                );
            }
            report.decision = decision;
            out.reports.push(report);
            continue;
        }
        // Migrated alone, a lock of a task that stays blocked in a wait
        // yields where it waits for the lock, and more tasks reach the wait.
        // (Each of these is said only where it is the one reason left.)
        if let Some((at, wait)) = sites.waiting_task(&p.waits).filter(|_| blockers.is_empty()) {
            let why = format!("a task that locks it also waits in `{wait}`, which stays blocking: migrated alone, `.lock().await` yields there and more tasks can reach that wait and stall the executor threads");
            unsafe_only(p, &mut report, &mut blockers, (at, why), false);
        }
        // What a test checks of the lock (its `Debug` output) changes.
        let premise = members.iter().find_map(|&id| {
            let d = &p.index.decls[id];
            let at = Loc {
                file: d.file,
                range: d.range,
            };
            Some((at, d.unsafe_premise.clone()?))
        });
        if let Some(premise) = premise.filter(|_| blockers.is_empty()) {
            unsafe_only(p, &mut report, &mut blockers, premise, true);
        }
        // Code that gives a poisoned lock a meaning of its own loses it.
        if let Some((at, how)) = sites.poison_handled().filter(|_| blockers.is_empty()) {
            let why = format!(
                "{how}, and tokio's locks are never poisoned: the migration drops that handling"
            );
            unsafe_only(p, &mut report, &mut blockers, (at, why), true);
        }
        // A sync fn called from async code becomes async, and its calls
        // yield.
        // (Said beside other reasons too: it stands for the sites' own.)
        if let Some(at) = chain.sites.first().cloned() {
            match blockers.is_empty() {
                true => unsafe_only(p, &mut report, &mut blockers, (at, chain.reason()), true),
                false => blockers.push((at, format!("{}{UNSAFE_LIFTS}", chain.reason()))),
            }
        }
        // A fix that adds a dependency is never safe.
        if p.opts.tokio.is_some_and(|t| t.absent) {
            match p.opts.unsafe_fixes {
                true => report.unsafe_fix = true,
                false => blockers.push((report.decl.clone(), NO_TOKIO.to_string())),
            }
        }
        super::completions::cite_blockers(&p.opts.referee, &mut blockers);
        // Held back only by what `--unsafe-fixes` lifts: a fix it offers,
        // unless the crate's tokio (optional, renamed, only for tests) would
        // take the migration back (see `driver/apply.rs`).
        let tokio_usable = p.opts.tokio.is_none_or(|t| t.normal || t.absent);
        report.unsafe_available = !p.opts.unsafe_fixes
            && tokio_usable
            && !blockers.is_empty()
            && blockers.iter().all(|(_, why)| {
                why.contains(UNSAFE_LIFTS) || why == NO_TOKIO || why == PUBLIC_API_BLOCKER
            });
        if report.unsafe_available {
            out.lock_async_fns.extend(chain.keys.iter().cloned());
        }
        if !blockers.is_empty() {
            blockers.sort();
            blockers.dedup();
            report.decision = Decision::Manual(blockers);
            out.reports.push(report);
            continue;
        }
        let rule = report.rule();
        if !permitted(p.files, p.opts, rule, &report.decl, &mut out.suppressed) {
            continue;
        }
        out.lock_async_fns.extend(chain.keys.iter().cloned());
        edits.extend(chain.new_edits(&mut made_async, p.sources));
        report.places.extend(chain.places());
        report.yields.extend(chain.yields());
        for (file, e) in &edits {
            out.edits.entry(*file).or_default().push(e.clone());
        }
        report.edits = edits;
        migrating.insert(group);
        out.runtime_names.extend(runtime.examined.take());
        out.tokio_features.insert("sync");
        out.tokio_outside_tests = true;
        out.reports.push(report);
    }
    migrating
}

/// How a reason that `--unsafe-fixes` lifts ends.
const UNSAFE_LIFTS: &str = "; with `--unsafe-fixes` this reason does not hold it back";

/// A reason the migration is only an unsafe fix: with `--unsafe-fixes` it
/// is one (and, where `note`, the finding says why); without, the reason
/// holds the lock back and says that flag lifts it.
fn unsafe_only(
    p: &Planner,
    report: &mut GroupReport,
    blockers: &mut Vec<(Loc, String)>,
    (at, why): (Loc, String),
    note: bool,
) {
    if !p.opts.unsafe_fixes {
        blockers.push((at, format!("{why}{UNSAFE_LIFTS}")));
        return;
    }
    report.unsafe_fix = true;
    if note {
        report.notes.push(format!("the fix is unsafe: {why}"));
    }
}

/// Why a lock of a crate that does not depend on tokio is not migrated
/// without `--unsafe-fixes`.
const NO_TOKIO: &str =
    "the crate does not depend on tokio, and a fix that adds a dependency is not safe (--unsafe-fixes adds it)";

/// Type paths in the files `keep` picks, by group.
fn refs_in(p: &Planner, keep: impl Fn(&FileFacts) -> bool) -> BTreeMap<usize, Vec<Loc>> {
    let mut refs: BTreeMap<usize, Vec<Loc>> = BTreeMap::new();
    for (file, facts) in p.files.iter().enumerate().filter(|(_, f)| keep(f)) {
        for r in &facts.refs {
            if let Some(owner) = p.index.first_owner(&r.owners, p.units[file], file) {
                refs.entry(p.group_of[owner]).or_default().push(Loc {
                    file,
                    range: r.range,
                });
            }
        }
    }
    refs
}

/// The reason a cfg-alternative module covers `at`, if one does.
fn alternative_reason<'p>(p: &'p Planner, at: &Loc) -> Option<&'p String> {
    p.files[at.file]
        .cfg_alternative
        .iter()
        .find(|(range, _)| range.is_none_or(|r| r.contains_range(at.range)))
        .map(|(_, why)| why)
}

/// Declarations, sites and type paths of the group in cfg-alternative
/// modules: the tool maps a file to a module by its path, so it cannot
/// migrate a lock the same way in each of them.
fn alternative_places(
    p: &Planner,
    report: &GroupReport,
    sites: &GroupSites,
    alternative_refs: &BTreeMap<usize, Vec<Loc>>,
) -> Vec<(Loc, String)> {
    let refs = alternative_refs.get(&report.group).into_iter().flatten();
    let places = report.members.iter().cloned().chain(sites.site_locs());
    let mut found: Vec<(Loc, String)> = places
        .chain(refs.cloned())
        .filter_map(|l| alternative_reason(p, &l).cloned().map(|why| (l, why)))
        .collect();
    // One note per file and reason, at its first place.
    found.sort();
    let mut seen = HashSet::new();
    found.retain(|(l, why)| seen.insert((l.file, why.clone())));
    found
}

/// A group's lock sites.
struct GroupSites<'a> {
    /// Every site of the group's declarations, with its file.
    all: Vec<(usize, &'a SiteFact)>,
    /// The places that lock it in async code, in order, the uncertain ones
    /// included.
    in_async: Vec<Loc>,
    /// Those of them in sync fns async code calls.
    called: Vec<Loc>,
}

/// A site in a sync fn that hands its guard out (`fn read(&self) ->
/// RwLockReadGuard<..>`), called from async code: the guard is taken, and
/// held, in the async caller.
fn guard_handed_to_async(p: &Planner, file: usize, site: &SiteFact) -> bool {
    let (SiteContext::Sync { fn_name, .. }, Some(guard_fn)) = (&site.ctx, &site.guard_fn) else {
        return false;
    };
    let unit = p.units[file];
    fn_name == guard_fn
        && p.files.iter().enumerate().any(|(f, facts)| {
            p.units.sees(p.units[f]).contains(&unit)
                && facts.calls.iter().any(|c| {
                    // A call of this very fn; by name only where the name is
                    // no lock method's (`x.read()` is most likely a lock's).
                    let this_fn = match &c.callee_key {
                        Some(key) => key == fn_name,
                        None => c.callee == fn_name.name && !is_lock_method(&c.callee),
                    };
                    this_fn
                        && !c.awaited
                        && matches!(c.ctx, SiteContext::Async | SiteContext::SyncInAsync)
                })
        })
}

fn is_lock_method(name: &str) -> bool {
    lock_method_names(name).is_some() || name.starts_with("try_")
}

impl<'a> GroupSites<'a> {
    /// The first site in async code whose task stays blocked in a wait,
    /// and what it waits on.
    fn waiting_task(&self, waits: &TaskWaits<'a>) -> Option<(Loc, String)> {
        self.all.iter().find_map(|(file, s)| {
            let in_async = matches!(s.ctx, SiteContext::Async | SiteContext::SyncInAsync);
            let wait = waits
                .of(*file, s.task, s.in_fn.as_ref())
                .filter(|_| in_async)?;
            let at = Loc {
                file: *file,
                range: s.range,
            };
            Some((at, wait.to_string()))
        })
    }

    /// The first site where the code gives a poisoned lock a meaning of its
    /// own, and how.
    fn poison_handled(&self) -> Option<(Loc, &'static str)> {
        self.all.iter().find_map(|(file, s)| {
            let at = Loc {
                file: *file,
                range: s.range,
            };
            Some((at, s.poison_handled?))
        })
    }

    /// The sites of a group, if it is locked in async code somewhere the
    /// run may change.
    fn of(p: &Planner<'a>, members: &[usize], asyncify: &Asyncify) -> Option<GroupSites<'a>> {
        let all: Vec<(usize, &SiteFact)> = members
            .iter()
            .flat_map(|&id| p.sites.by_decl[id].iter().copied())
            .collect();
        let hints = p.sites.async_hints.iter();
        let mut in_async: Vec<Loc> = all
            .iter()
            .filter(|(f, s)| {
                let async_ctx = matches!(s.ctx, SiteContext::Async | SiteContext::SyncInAsync);
                let called = || asyncify.site_called(s);
                (async_ctx || guard_handed_to_async(p, *f, s) || called())
                    && lock_method_names(&s.method).is_some()
            })
            .map(|(f, s)| Loc {
                file: *f,
                range: s.range,
            })
            .chain(
                hints
                    .filter(|(id, _)| members.contains(id))
                    .map(|(_, l)| l.clone()),
            )
            .collect();
        in_async.sort();
        in_async.dedup();
        let called: Vec<Loc> = all
            .iter()
            .filter(|(_, s)| asyncify.site_called(s))
            .map(|(file, s)| Loc {
                file: *file,
                range: s.range,
            })
            .collect();
        // Sites in async code first: the finding names the first.
        in_async.sort_by_key(|l| called.contains(l));
        let read_only = |l: &Loc| p.files[l.file].read_only;
        let untouchable = in_async.iter().all(read_only)
            && members
                .iter()
                .all(|&id| p.files[p.index.decls[id].file].read_only);
        (!in_async.is_empty() && !untouchable).then_some(GroupSites {
            all,
            in_async,
            called,
        })
    }

    /// The group's report, deciding "migrate" for now. It is reported at
    /// its first declaration, one that is not a guard parameter if it can.
    fn report(&self, p: &Planner, group: usize, members: &[usize]) -> GroupReport {
        let decls = &p.index.decls;
        let loc = |id: usize| Loc {
            file: decls[id].file,
            range: decls[id].range,
        };
        let first = members
            .iter()
            .copied()
            .min_by_key(|&id| (decls[id].guard, decls[id].file, decls[id].range.start()))
            .unwrap();
        let exported = members.iter().any(|&id| decls[id].exported);
        let first_async = &self.in_async[0];
        // A guard held across an `.await` is legal with tokio's lock, and
        // still keeps every other task off the lock meanwhile.
        let held = self.all.iter().find(|(_, s)| {
            s.held_across_await
                && is_lock_method(&s.method)
                && matches!(s.ctx, SiteContext::Async | SiteContext::SyncInAsync)
        });
        let notes = held.map(|(_, s)| match &s.in_fn {
            Some(f) => format!("in `{f}` its guard is held across an `.await`: tokio's lock allows that, but every other task waits for the lock meanwhile; release it before the `.await` where the code allows"),
            None => "a guard of it is held across an `.await`: tokio's lock allows that, but every other task waits for the lock meanwhile; release it before the `.await` where the code allows".to_string(),
        });
        GroupReport {
            group,
            decl: loc(first),
            display: decls[first].display.clone(),
            family: decls[first].family,
            lock: decls[first].lock,
            decision: Decision::Migrate,
            async_fn: self
                .all
                .iter()
                .find(|(f, s)| *f == first_async.file && s.range == first_async.range)
                .and_then(|(_, s)| s.in_fn.as_ref().map(FnId::to_string)),
            async_sites: self.in_async.clone(),
            called_sites: self.called.clone(),
            exported,
            unsafe_fix: p.opts.public_api == PublicApi::MigrateUnsafe && exported,
            unsafe_available: false,
            edits: Vec::new(),
            notes: notes.into_iter().collect(),
            members: members.iter().map(|&id| loc(id)).collect(),
            places: self.site_locs().collect(),
            yields: Vec::new(),
            reach_names: members
                .iter()
                .filter_map(|&id| decls[id].key.reach_name().map(|n| n.to_string()))
                .collect(),
        }
    }

    fn site_locs(&self) -> impl Iterator<Item = Loc> + '_ {
        self.all.iter().map(|&(file, s)| Loc {
            file,
            range: s.range,
        })
    }
}

/// The decisions that need no look at blockers: a parking_lot lock not
/// opted in is reported, and under `held-across-await` a lock whose guards
/// never cross an `.await` is kept.
fn reported_as_is(p: &Planner, report: &GroupReport, sites: &GroupSites) -> Option<Decision> {
    if report.family == Family::ParkingLot && !p.opts.parking_lot {
        return Some(Decision::ReportParkingLot);
    }
    let held = sites.all.iter().any(|(_, s)| s.held_across_await);
    (p.opts.policy == Policy::HeldAcrossAwait && !held).then_some(Decision::KeepShort)
}

/// What blocks the group's declarations: their own blockers, fixes the
/// compiler withdrew, a join with a lock of another library, public API.
fn group_blockers(p: &Planner, members: &[usize], report: &GroupReport) -> Vec<(Loc, String)> {
    let decls = &p.index.decls;
    let mut blockers: Vec<(Loc, String)> = members
        .iter()
        .flat_map(|&id| decls[id].blockers.clone())
        .collect();
    for at in &report.members {
        if let Some(reason) = p.opts.referee.withdrawn(at) {
            blockers.push((at.clone(), reason.to_string()));
        }
    }
    if members.iter().any(|&id| decls[id].family != report.family) {
        blockers.push((
            report.decl.clone(),
            "it is joined with a lock of another library".into(),
        ));
    }
    if p.opts.public_api == PublicApi::Report {
        let exported = members.iter().map(|&id| &decls[id]).filter(|d| d.exported);
        blockers.extend(exported.map(|d| {
            let at = Loc {
                file: d.file,
                range: d.range,
            };
            (at, PUBLIC_API_BLOCKER.to_string())
        }));
    }
    blockers
}

/// Declarations, sites and type paths of the group in files the run
/// leaves alone.
fn read_only_places(
    p: &Planner,
    report: &GroupReport,
    sites: &GroupSites,
    read_only_refs: &BTreeMap<usize, Vec<Loc>>,
) -> Vec<(Loc, String)> {
    let refs = read_only_refs.get(&report.group).into_iter().flatten();
    let places = report.members.iter().cloned().chain(sites.site_locs());
    places
        .chain(refs.cloned())
        .filter(|l| p.files[l.file].read_only)
        .map(|l| {
            let reason =
                "it is in a file this run leaves alone (excluded, or outside the paths given)";
            (l, reason.to_string())
        })
        .collect()
}

/// The edits that rewrite the group's sites; what keeps a site (or a file
/// it is in) from being rewritten goes to `blockers`.
fn site_edits(
    p: &Planner,
    family: Family,
    sites: &GroupSites,
    (runtime, asyncify, chain): (&RuntimeAnalysis, &Asyncify, &mut Chain),
    blockers: &mut Vec<(Loc, String)>,
) -> Vec<(usize, Edit)> {
    let files: HashSet<usize> = sites.all.iter().map(|(f, _)| *f).collect();
    for &file in &files {
        for b in &p.files[file].file_blockers {
            let at = Loc {
                file,
                range: b.range,
            };
            blockers.push((at, b.reason.clone()));
        }
    }
    let mut edits: Vec<(usize, Edit)> = Vec::new();
    for &(file, site) in &sites.all {
        let loc = Loc {
            file,
            range: site.range,
        };
        let facts = &p.files[file];
        if let Some(r) = facts
            .macro_regions
            .iter()
            .find(|r| r.range.contains_range(site.range))
        {
            blockers.push((loc.clone(), r.reason()));
        }
        if let Some(f) = &site.guard_fn {
            blockers.push((
                loc.clone(),
                format!("fn `{f}` has a std lock guard in its signature"),
            ));
        }
        if site.guard_passed_to_wait {
            blockers.push((loc.clone(), "its guard is passed to `Condvar::wait`".into()));
        }
        let blocking = blocking_form(p, runtime, file, site)
            .or_else(|why| asyncify.site(p.units[file], (file, site), why, chain));
        let reborrow = reborrows(p, file, site);
        match blocking.and_then(|b| render_site(site, family, b, reborrow, &p.sources[file])) {
            Ok(es) => edits.extend(es.into_iter().map(|e| (file, e))),
            Err(reason) => blockers.push((loc, reason)),
        }
    }
    edits
}

/// Does the reference a site's guard is borrowed by (see `GuardBorrow`)
/// borrow through it once the guard is awaited? Not where it is handed to
/// a parameter typed with the guard, which takes the guard itself.
fn reborrows(p: &Planner, file: usize, site: &SiteFact) -> bool {
    let Some(borrow) = &site.borrow else {
        return false;
    };
    let takes_guard = |t: &Target| {
        let r = p.index.resolve(t, p.units[file], file);
        r.ids.iter().any(|&id| p.index.decls[id].guard)
    };
    !borrow.param.as_ref().is_some_and(takes_guard)
}

/// Does a site get the `blocking_*` form (sync code off the runtime), the
/// awaited one (async code), or neither, and why?
fn blocking_form(
    p: &Planner,
    runtime: &RuntimeAnalysis,
    file: usize,
    site: &SiteFact,
) -> Result<bool, String> {
    if lock_method_names(&site.method).is_none() {
        return Ok(false);
    }
    match &site.ctx {
        SiteContext::Async => Ok(false),
        SiteContext::Blocking => Ok(true),
        SiteContext::SyncInAsync => Err("it is locked in a non-async closure inside async code, where `.await` is impossible".to_string()),
        SiteContext::Item => Err("it is locked in a static initializer".to_string()),
        SiteContext::Detached => Err("it is locked in a closure that is stored, returned or handed to other code, which may run it on a runtime thread".to_string()),
        SiteContext::Sync { in_drop: true, .. } => Err("it is locked in a `Drop` impl, which may run on a runtime thread".to_string()),
        SiteContext::Sync { test_body: true, .. } => Ok(true),
        SiteContext::Sync { fn_name, .. } => runtime.off_runtime(p.units[file], fn_name).map(|()| true),
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use crate::settings::PlanOptions;

    const STATE: &str = "use std::sync::{Arc, Mutex};\nstruct S { m: Mutex<u32> }\n";

    #[test]
    fn a_lock_whose_every_site_can_be_rewritten_migrates() {
        let src = format!("{STATE}async fn f(s: Arc<S>) {{ *s.m.lock().unwrap() += 1; }}\n");
        let plan = plan_of(&src);
        assert_eq!(report(&plan, "S.m").decision, Decision::Migrate);
        assert!(rewritten(&src, &plan).contains("*s.m.lock().await += 1;"));
        assert!(plan.tokio_features.contains("sync"));
    }

    /// Issue 25, honest safety: code that gives a poisoned lock a meaning
    /// of its own makes the migration unsafe; an arm that panics as
    /// `.unwrap()` would, or takes the guard back, does not.
    #[test]
    fn handled_poisoning_makes_the_migration_unsafe() {
        let lock = |site: &str| format!("{STATE}async fn f(s: Arc<S>) -> u32 {{ {site} }}\n");
        for (site, how) in [
            (
                "match s.m.lock() { Ok(g) => *g, Err(_) => 0 }",
                "the `Err` arm",
            ),
            (
                "if let Ok(g) = s.m.lock() { *g } else { 0 }",
                "the `else` of `if let Ok(..)`",
            ),
            (
                "let Ok(g) = s.m.lock() else { return 0 }; *g",
                "the `else` of `let Ok(..)",
            ),
        ] {
            let src = lock(site);
            let plan = plan_of(&src);
            let why = blockers(report(&plan, "S.m"));
            assert!(
                why[0].contains(how) && why[0].contains("--unsafe-fixes"),
                "{site}: {why:?}"
            );
            // The run offers the fix `--unsafe-fixes` makes, unless the
            // crate's tokio (here optional) would take it back.
            assert!(report(&plan, "S.m").unsafe_available, "{site}");
            let optional = PlanOptions {
                tokio: Some(crate::edits::manifest::TokioUse {
                    dev: true,
                    ..Default::default()
                }),
                ..options()
            };
            assert!(!report(&plan_with(&src, &optional), "S.m").unsafe_available);
            let opts = PlanOptions {
                unsafe_fixes: true,
                ..options()
            };
            let plan = plan_with(&src, &opts);
            let r = report(&plan, "S.m");
            assert!(r.decision == Decision::Migrate && r.unsafe_fix, "{site}");
            assert!(
                r.notes.iter().any(|n| n.starts_with("the fix is unsafe: ")),
                "{site}"
            );
        }
        for site in [
            "match s.m.lock() { Ok(g) => *g + 1, Err(e) => *e.into_inner() + 1 }",
            "match s.m.lock() { Ok(g) => *g, Err(e) => panic!(\"{e}\") }",
            "if let Ok(g) = s.m.lock() { *g } else { unreachable!() }",
            "*s.m.lock().unwrap_or_else(|e| e.into_inner())",
        ] {
            let plan = plan_of(&lock(site));
            let r = report(&plan, "S.m");
            assert!(
                r.decision == Decision::Migrate && !r.unsafe_fix,
                "{site}: {r:#?}"
            );
        }
    }

    /// A closure a macro's tokens hand on (`run_it!(bump, m)`) gets its
    /// arguments where the tool cannot see: its parameter is no declaration,
    /// and the lock beside it is held back.
    #[test]
    fn a_closure_a_macro_hands_on_keeps_its_locks_back() {
        let src = "use std::sync::{Arc, Mutex};\nmacro_rules! run_it { ($f:expr, $m:expr) => { $f($m).await }; }\n\
            async fn f() { let m = Arc::new(Mutex::new(0u32)); let bump = |m: Arc<Mutex<u32>>| async move { *m.lock().unwrap() += 1 }; \
            run_it!(bump, m.clone()); *m.lock().unwrap() += 1; }\n";
        let plan = plan_of(src);
        assert!(
            !plan.reports.iter().any(|r| r.display.contains("closure")),
            "{:#?}",
            plan.reports
        );
        assert!(matches!(
            report(&plan, "local `m`").decision,
            Decision::Manual(_)
        ));
        let called = src.replace("run_it!(bump, m.clone());", "bump(m.clone()).await;");
        let plan = plan_of(&called);
        assert_eq!(report(&plan, "local `m`").decision, Decision::Migrate);
    }

    /// Issue 25, honest safety: a test that asserts the `Debug` output of
    /// the lock's struct checks what the migration changes.
    #[test]
    fn a_debug_output_asserted_in_tests_makes_the_migration_unsafe() {
        let src = |test: &str| {
            format!(
                "use std::sync::{{Arc, Mutex}};\n#[derive(Debug)]\nstruct S {{ m: Mutex<u32> }}\n\
                 async fn f(s: Arc<S>) {{ *s.m.lock().unwrap() += 1; }}\n\
                 #[cfg(test)]\nmod tests {{\n    use super::*;\n    #[test]\n    fn shows() {{\n        {test}\n    }}\n}}\n"
            )
        };
        let asserted =
            src("let s = S { m: Mutex::new(1) }; assert_eq!(format!(\"{s:?}\"), \"..\");");
        let why = blockers(report(&plan_of(&asserted), "S.m"));
        assert!(why[0].contains("derives `Debug`"), "{why:?}");
        let opts = PlanOptions {
            unsafe_fixes: true,
            ..options()
        };
        assert!(report(&plan_with(&asserted, &opts), "S.m").unsafe_fix);
        // A test that does not look at the `Debug` output changes nothing.
        let plain = src("let s = S { m: Mutex::new(1) }; assert_eq!(*s.m.lock().unwrap(), 1);");
        assert_eq!(report(&plan_of(&plain), "S.m").decision, Decision::Migrate);
    }

    #[test]
    fn a_lock_never_locked_in_async_code_is_not_reported() {
        let src = format!("{STATE}fn f(s: &S) {{ *s.m.lock().unwrap() += 1; }}\n");
        let plan = plan_of(&src);
        assert!(plan.reports.is_empty(), "{:#?}", plan.reports);
        assert!(plan.edits.is_empty());
    }

    #[test]
    fn a_site_in_a_sync_closure_in_async_code_makes_the_lock_manual() {
        let src = format!(
            "{STATE}async fn f(s: Arc<S>) {{ let v = vec![1]; v.iter().for_each(|_| *s.m.lock().unwrap() += 1); }}\n"
        );
        let plan = plan_of(&src);
        let why = blockers(report(&plan, "S.m"));
        assert_eq!(why.len(), 1);
        assert!(
            why[0].contains("non-async closure inside async code"),
            "{why:?}"
        );
        assert!(plan.edits.values().all(Vec::is_empty));
    }

    #[test]
    fn a_lock_that_is_public_api_is_manual_unless_opted_in() {
        let src = format!("{STATE}async fn f(s: Arc<S>) {{ *s.m.lock().unwrap() += 1; }}\n");
        // The run marks what a library exports, after extraction.
        let mut f = facts(&src);
        f.decls.iter_mut().for_each(|d| d.exported = true);
        let plan_with = |opts: &PlanOptions| crate::plan::plan(&[&f], &[&src], opts);
        let plan = plan_with(&options());
        assert!(report(&plan, "S.m").exported);
        assert_eq!(blockers(report(&plan, "S.m")), [PUBLIC_API_BLOCKER]);
        let opts = PlanOptions {
            public_api: PublicApi::MigrateUnsafe,
            ..options()
        };
        let plan = plan_with(&opts);
        assert_eq!(report(&plan, "S.m").decision, Decision::Migrate);
        assert!(report(&plan, "S.m").unsafe_fix);
    }

    #[test]
    fn parking_lot_locks_are_reported_unless_opted_in() {
        let src = "use std::sync::Arc;\nuse parking_lot::Mutex;\nstruct S { m: Mutex<u32> }\nasync fn f(s: Arc<S>) { *s.m.lock() += 1; }\n";
        let plan = plan_of(src);
        assert_eq!(report(&plan, "S.m").decision, Decision::ReportParkingLot);
        let opts = PlanOptions {
            parking_lot: true,
            ..options()
        };
        let plan = plan_with(src, &opts);
        assert_eq!(report(&plan, "S.m").decision, Decision::Migrate);
        assert!(rewritten(src, &plan).contains("*s.m.lock().await += 1;"));
    }

    /// A migrated lock whose guard crosses an `.await` says so: legal with
    /// tokio's lock, still a serialisation point (held-out crates
    /// order_book and config_reload expected it reported). A value taken
    /// out with `into_inner` is no guard.
    #[test]
    fn a_guard_held_across_an_await_is_noted() {
        let held = "use std::sync::Mutex;\nstruct S { m: Mutex<u32>, n: Mutex<u32> }\nasync fn tick() {}\n\
            async fn f(s: &S) {\n    let g = s.m.lock().unwrap();\n    tick().await;\n    drop(g);\n    *s.n.lock().unwrap() += 1;\n    tick().await;\n}\n\
            async fn g(s: S) -> u32 {\n    tick().await;\n    let v = s.n.into_inner().unwrap();\n    tick().await;\n    v\n}\n";
        let plan = plan_of(held);
        let notes = &report(&plan, "S.m").notes;
        assert!(
            notes
                .iter()
                .any(|n| n.starts_with("in `f` its guard is held across an `.await`")),
            "{notes:?}"
        );
        assert!(
            report(&plan, "S.n").notes.is_empty(),
            "{:?}",
            report(&plan, "S.n").notes
        );
    }

    #[test]
    fn under_held_across_await_a_short_critical_section_is_kept() {
        let src = format!("{STATE}async fn f(s: Arc<S>) {{ *s.m.lock().unwrap() += 1; }}\n");
        let opts = PlanOptions {
            policy: Policy::HeldAcrossAwait,
            ..options()
        };
        let plan = plan_with(&src, &opts);
        assert_eq!(report(&plan, "S.m").decision, Decision::KeepShort);
        assert!(plan.edits.is_empty());
    }

    #[test]
    fn a_guard_handed_out_by_a_sync_helper_to_async_code_is_locked_there() {
        let src = "use std::sync::{RwLock, RwLockReadGuard};\nstruct S { inner: RwLock<u32> }\nimpl S {\n    fn read(&self) -> RwLockReadGuard<'_, u32> { self.inner.read().unwrap() }\n    async fn get(&self) -> u32 { *self.read() }\n}\n";
        let why = blockers(report(&plan_of(src), "S.inner"));
        assert!(
            why.iter().any(|w| w.contains("called from async code")),
            "{why:?}"
        );
        // Only called from sync code: not locked in async code at all.
        let sync_only = src.replace("async fn get", "fn get");
        assert!(plan_of(&sync_only).reports.is_empty());
    }
}
