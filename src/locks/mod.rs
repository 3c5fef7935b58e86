//! The lock planner: one decision per lock, for a whole crate at once.
//!
//! A crate's plan (`crate::plan`) runs these steps over the facts of its
//! files, through [`Planner`]:
//!
//! 1. `index`: every lock declaration, and how the places code names
//!    resolve to them, per compilation unit;
//! 2. `flows`: declarations a value flows between are joined into groups;
//! 3. `sites`: each lock site is tied to its declaration (`completions`:
//!    and the sites the compiler showed, to theirs);
//! 4. `decide`: every group locked in async code gets one decision
//!    (migrate, manual, report, keep), with its blockers; a migrating group
//!    yields the edits of its sites (`rewrite`), in sync code only where
//!    `runtime` proves it runs off the runtime;
//! 5. (not here: the blocking-call rules plan their findings,
//!    `rules::blocking_calls`);
//! 6. `type_paths`: type paths, constructors and imports follow the
//!    migrating groups, and `completions` adds the edits the compiler asked
//!    for;
//! 7. `kept_guards`: the guards of the std locks that stay; a fix that
//!    would await while one is held is withdrawn, and the crate planned
//!    again.
//!
//! What the blocking rules share with the planner is here too: the tasks
//! that wait (`task_waits`), the method edges of the call graph
//! (`methods`), the fns async-ify makes async (`asyncify`).

pub(crate) mod asyncify;
mod completions;
mod decide;
mod flows;
mod index;
mod kept_guards;
mod methods;
mod own_types;
mod rewrite;
mod runtime;
mod sites;
mod task_waits;
mod type_paths;
mod view;

use std::collections::{BTreeMap, BTreeSet, HashSet};

use ra_ap_syntax::TextRange;

use crate::edits::edit::Edit;
use crate::edits::layout;
use crate::edits::use_edit::ImportChange;
use crate::facts::FileFacts;
use crate::imports::{Family, LockType};
use crate::rules_meta::{Applicability, RuleName, Severity};
pub use crate::settings::Loc;
use crate::settings::PlanOptions;
pub use asyncify::Asyncified;
pub(crate) use asyncify::Twins;
pub use decide::PUBLIC_API_BLOCKER;
pub(crate) use index::{Unit, Units};
pub(crate) use kept_guards::awaits_under_kept_guards;
pub(crate) use methods::{async_methods, method_callees};
pub(crate) use own_types::OwnTypes;
pub(crate) use runtime::RuntimeAnalysis;
pub(crate) use task_waits::{HandleFns, TaskWaits};
pub use view::{CrateView, Fix, ViewFile};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    Migrate,
    Manual(Vec<(Loc, String)>),
    /// Held only briefly (policy `held-across-await`): kept, with a note.
    KeepShort,
    /// parking_lot, not opted in.
    ReportParkingLot,
}

impl Decision {
    /// The rule a group of `family` with this decision is reported under: a
    /// parking_lot lock migrated on request is still AW103, not the std rule.
    pub fn rule(&self, family: Family) -> RuleName {
        use crate::rules_meta as rules;
        match self {
            Decision::Migrate if family == Family::ParkingLot => rules::PARKING_LOT_IN_ASYNC,
            Decision::Migrate => rules::STD_LOCK_IN_ASYNC,
            Decision::Manual(_) => rules::MANUAL_LOCK_MIGRATION,
            Decision::ReportParkingLot => rules::PARKING_LOT_IN_ASYNC,
            Decision::KeepShort => rules::SHORT_CRITICAL_SECTION,
        }
    }
}

impl GroupReport {
    /// The rule this group's decision is reported under.
    pub fn rule(&self) -> RuleName {
        self.decision.rule(self.family)
    }
}

/// One lock group's decision, reported at its first declaration.
#[derive(Clone, Debug)]
pub struct GroupReport {
    /// The group's id within its plan.
    pub group: usize,
    pub decl: Loc,
    pub display: String,
    pub family: Family,
    pub lock: LockType,
    pub decision: Decision,
    pub async_sites: Vec<Loc>,
    /// Those of its async sites that are in sync fns async code calls.
    pub called_sites: Vec<Loc>,
    /// The fn of the first async site.
    pub async_fn: Option<String>,
    /// The names code uses to reach the group's declarations.
    pub reach_names: Vec<String>,
    /// A declaration of the group is public API of a library.
    pub exported: bool,
    /// Its migration is an unsafe fix: public API, migrated on
    /// `--unsafe-fixes`.
    pub unsafe_fix: bool,
    /// Held back only by reasons `--unsafe-fixes` lifts: that run migrates
    /// it, as an unsafe fix.
    pub unsafe_available: bool,
    /// The lock-site edits of a migrating group (type paths and imports are
    /// shared and not listed).
    pub edits: Vec<(usize, Edit)>,
    /// More to say about the migration (an alias that keeps its std name).
    pub notes: Vec<String>,
    /// The group's declarations.
    pub members: Vec<Loc>,
    /// Its lock sites and the type paths that name it: where the compiler
    /// may point when its migration is wrong.
    pub places: Vec<Loc>,
    /// Where its fix adds an `.await` outside its async sites: the calls
    /// and sites of the fns the async-ify fix makes async.
    pub yields: Vec<Loc>,
}

#[derive(Default, Debug)]
pub struct CratePlan {
    pub reports: Vec<GroupReport>,
    /// Edits per file index.
    pub edits: BTreeMap<usize, Vec<Edit>>,
    /// Imports to rewrite per file: the std use trees to drop and the tokio
    /// names (`Mutex`, `RwLock as R`) to import instead.
    pub imports: BTreeMap<usize, ImportChange>,
    /// Per file, the names of std types used through an import that a
    /// rule's migration turned into tokio's (AW209's `Barrier`): their
    /// imports follow them as they follow a migrated lock's type paths.
    pub tokio_type_names: BTreeMap<usize, Vec<TextRange>>,
    /// tokio features the edits need (`sync`, `time`, `fs`).
    pub tokio_features: BTreeSet<&'static str>,
    /// Some edit that needs tokio is outside test code.
    pub tokio_outside_tests: bool,
    /// Blocking calls in async code, and async calls of blocking helpers.
    pub blocking: Vec<BlockingReport>,

    /// Names of sync fns whose callers decided where a site runs: a file that
    /// mentions one of them must be analysed before the plan can be trusted.
    pub runtime_names: BTreeSet<String>,
    /// Names of async fns whose callers decide what executor runs a
    /// blocking call: a file that names one of them must be analysed (for
    /// the blocking rules) before the plan can be trusted.
    pub driver_names: BTreeSet<String>,
    /// Findings hidden by `// awaitify: allow(..)` comments.
    pub suppressed: usize,
    /// Sync fns AW205's async-ify fix makes async (`rules::blocking_calls`),
    /// by key: why the fix is unsafe, whether it is applied, and its edits.
    pub asyncified: BTreeMap<crate::facts::FnId, Asyncified>,
    /// Sync fns the lock planner's async-ify fix makes async (or would,
    /// with `--unsafe-fixes`): AW205's fix gives their blocking calls
    /// their tokio twins.
    pub lock_async_fns: BTreeSet<crate::facts::FnId>,
    /// Guards of std locks that stay, in async code: the file, where the
    /// guard is alive, its site and the lock.
    pub kept_guards: Vec<(usize, TextRange, Loc, String)>,
}

/// One blocking-call finding.
#[derive(Clone, Debug)]
pub struct BlockingReport {
    /// Its rule (`rules::rule` finds it).
    pub rule: RuleName,
    /// Its rule's severity, or lower (AW206 in test code is a note).
    pub severity: Severity,
    pub at: Loc,
    pub message: String,
    pub notes: Vec<String>,
    /// Its fix is among the plan's edits.
    pub fixed: bool,
    /// How far its fix can be trusted, if it has one (applied or not).
    pub fix: Option<Applicability>,
    /// The fix's edits in the finding's file, when applied.
    pub edits: Vec<Edit>,
    /// AW205: the helper it is about (its unit and key), which groups the
    /// async calls of one helper into one finding.
    pub helper: Option<String>,
}

/// Is a finding of `rule` at `at` reported (and fixed)? Counts the ones a
/// suppression comment hides.
pub(crate) fn permitted(
    files: &[&FileFacts],
    opts: &PlanOptions,
    rule: impl Into<RuleName>,
    at: &Loc,
    suppressed: &mut usize,
) -> bool {
    let rule = rule.into();
    if !opts.rules.enabled(rule) {
        return false;
    }
    if files[at.file].allows(rule, at.range.start()) {
        *suppressed += 1;
        return false;
    }
    true
}

/// What the steps of one plan share: the crate's files and options, the
/// declarations they index, the group each is joined into, and the lock
/// sites of each. The crate's plan (`crate::plan`) runs its steps around
/// the blocking rules' own: `decide`, then the rules, then `follow`.
pub(crate) struct Planner<'a> {
    files: &'a [&'a FileFacts],
    sources: &'a [layout::Source<'a>],
    texts: &'a [&'a str],
    opts: &'a PlanOptions,
    pub(crate) units: Units,
    index: index::Index,
    /// By declaration: its group, the smallest declaration joined with it.
    group_of: Vec<usize>,
    sites: sites::Sites<'a>,
    /// The fns that return a std thread's handle, which confirm its joins.
    pub(crate) handles: HandleFns,
    /// The tasks that stay blocked in a wait: a lock of theirs, and their
    /// other blocking calls' fixes, are unsafe to make yield.
    pub(crate) waits: TaskWaits<'a>,
}

impl<'a> Planner<'a> {
    /// Indexes the crate's declarations, joins them into groups and ties
    /// the lock sites to them.
    pub(crate) fn new(
        files: &'a [&'a FileFacts],
        sources: &'a [layout::Source<'a>],
        texts: &'a [&'a str],
        opts: &'a PlanOptions,
    ) -> Planner<'a> {
        let units = Units::new(files);
        let mut index = index::Index::build(files, &units);
        let mut sites = sites::Sites::tie(files, &units, &index);
        let joined = flows::join(files, &units, &index, &opts.referee, &sites.joined);
        completions::tie_sites(files, &index, &opts.referee, &mut sites);
        let blockers = joined.blockers.iter().chain(&sites.blockers);
        for (id, loc, reason) in blockers.cloned() {
            index.decls[id].blockers.push((loc, reason));
        }
        let handles = HandleFns::new(files, &units);
        let waits = TaskWaits::new(files, &units, &handles);
        Planner {
            handles,
            waits,
            files,
            sources,
            texts,
            opts,
            units,
            index,
            group_of: joined.group_of,
            sites,
        }
    }

    /// Steps 1–4: one decision per lock group, with the edits of the
    /// migrating ones (returned); the reports of the other decisions that
    /// their rule is not enabled for, or a comment allows, are dropped
    /// (they change nothing).
    /// `twins` says whether the blocking calls of a chain of sync fns take
    /// their tokio twins once the fns are async (see `Asyncify::with_twins`).
    pub(crate) fn decide(&self, out: &mut CratePlan, twins: &Twins) -> HashSet<usize> {
        let migrating = decide::decide_groups(self, out, twins);
        let mut reports = std::mem::take(&mut out.reports);
        reports.retain(|r| {
            r.decision == Decision::Migrate
                || permitted(
                    self.files,
                    self.opts,
                    r.rule(),
                    &r.decl,
                    &mut out.suppressed,
                )
        });
        out.reports = reports;
        migrating
    }

    /// Steps 6–7, once the blocking rules have planned: type paths,
    /// constructors and imports follow the `migrating` groups (and the
    /// types the rules migrated), the compiler's asks are added, and the
    /// guards of the std locks that stay are recorded.
    pub(crate) fn follow(&self, migrating: &HashSet<usize>, out: &mut CratePlan) {
        type_paths::follow(self, migrating, out);
        completions::add_edits(self, migrating, out);
        kept_guards::record(self, migrating, out);
        out.reports.sort_by(|a, b| a.decl.cmp(&b.decl));
    }
}

/// Plans of small crates written inline, for the steps' tests.
#[cfg(test)]
pub(crate) mod testing {
    use ra_ap_syntax::{Edition, SourceFile};

    use super::{CratePlan, Decision, GroupReport};
    use crate::facts::{self, FileFacts};
    use crate::plan::plan;
    use crate::settings::{PlanOptions, Policy, PublicApi};

    /// The facts of `src` as `src/lib.rs` of a crate: extracted whole, as
    /// the run does for a file that declares a lock.
    pub(crate) fn facts(src: &str) -> FileFacts {
        let tree = SourceFile::parse(src, Edition::Edition2021).tree();
        let krate = facts::CrateContext {
            user_blocking: &[],
            detectors: crate::rules::detectors(),
            reexports: &Default::default(),
            module: None,
            test_unit: false,
        };
        let mut f = facts::extract(&tree, src, 0, Edition::Edition2021, None, false, &krate);
        f.module = "crate".into();
        f
    }

    /// The options of a run without flags or configuration.
    pub(crate) fn options() -> PlanOptions {
        PlanOptions {
            policy: Policy::AsyncUse,
            parking_lot: false,
            unsafe_fixes: false,
            public_api: PublicApi::Report,
            rules: Default::default(),
            tokio: None,
            referee: Default::default(),
        }
    }

    /// The plan of a one-file crate.
    pub(crate) fn plan_with(src: &str, opts: &PlanOptions) -> CratePlan {
        let f = facts(src);
        plan(&[&f], &[src], opts)
    }

    /// The plan of a one-file crate, with the default options.
    pub(crate) fn plan_of(src: &str) -> CratePlan {
        plan_with(src, &options())
    }

    /// `src` with the plan's edits applied (its imports left as they are).
    pub(crate) fn rewritten(src: &str, plan: &CratePlan) -> String {
        let edits = plan.edits.get(&0).cloned().unwrap_or_default();
        crate::edits::edit::apply(src, edits).unwrap()
    }

    /// The report of the lock whose display names `name`.
    pub(crate) fn report<'p>(plan: &'p CratePlan, name: &str) -> &'p GroupReport {
        let found = plan.reports.iter().find(|r| r.display.contains(name));
        found.unwrap_or_else(|| panic!("no report of {name}: {:#?}", plan.reports))
    }

    /// The reasons of a manual decision; panics on any other.
    pub(crate) fn blockers(report: &GroupReport) -> Vec<String> {
        match &report.decision {
            Decision::Manual(b) => b.iter().map(|(_, why)| why.clone()).collect(),
            other => panic!("{} is not manual: {other:?}", report.display),
        }
    }
}
