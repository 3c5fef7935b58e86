//! The blocking rules' shared steps (AW201–AW206): for each blocking call
//! in async code, the premise (does tokio run it, may blocking be the
//! point), the verdict of the rule that knows its kind (its message and
//! fix, from the rule's `finding` hook), then the fix's edits, notes and
//! safety. Then each rule's `crate_pass`, such as AW205's chains
//! (`blocking_helper.rs`).

use std::collections::HashSet;

use ra_ap_syntax::TextRange;

use super::drivers::Drivers;
use super::{Applicability, Rule, Severity, RULES};
use crate::edits::edit::Edit;
use crate::edits::layout;
use crate::facts::{BlockingFact, CallFact, FileFacts, FnId, SiteContext};
use crate::locks::asyncify::{Asyncify, Chain};
use crate::locks::{
    permitted, Asyncified, BlockingReport, CratePlan, HandleFns, Loc, RuntimeAnalysis, TaskWaits,
    Unit, Units,
};
use crate::settings::PlanOptions;

/// What a blocking rule's verdict on a call rests on.
pub(crate) struct Premise {
    /// The async code provably runs on a tokio runtime (and nothing else).
    pub on_tokio: bool,
    /// Only another executor's `block_on`, on a thread of its own, runs
    /// the async code: blocking it blocks no other task.
    pub own_thread: bool,
    /// Blocking may be the point (test code, examples, a paused clock):
    /// why, for the note of an unsafe fix.
    pub deliberate: Option<&'static str>,
    /// In a test, an example or a bench.
    pub test_code: bool,
}

/// A fix that puts another path in place of the callee's (or of a part of
/// the call) and awaits the call.
pub(crate) struct Fix {
    path: TextRange,
    with: String,
    /// The tokio feature it needs (empty: none).
    feature: &'static str,
    /// Applied only with `--unsafe-fixes`.
    unsafe_only: bool,
}

/// A rule's verdict on one blocking call: its message, and its fix if it
/// has one. Built by a rule's `finding` hook.
pub(crate) struct Verdict {
    rule: &'static Rule,
    message: String,
    fix: Option<Fix>,
    /// Its fix needs tokio: without it, a note says why there is none.
    needs_tokio: bool,
    /// The configuration names the call and its fix: the user's own call,
    /// applied in any async code, with or without a tokio premise.
    users_own: bool,
    /// Its fix moves the call to the blocking pool (the fact's
    /// `spawn_blocking` wrap), an unsafe fix.
    wrap: bool,
    /// Reported below its rule's severity, with a note that says why.
    lowered: Option<(Severity, &'static str)>,
    /// Why its fix is unsafe, for a note where the finding does not say.
    unsafe_because: Option<&'static str>,
}

impl Verdict {
    /// A finding of `rule` with no fix.
    pub fn report(rule: &'static Rule, message: impl Into<String>) -> Verdict {
        Verdict {
            rule,
            message: message.into(),
            fix: None,
            needs_tokio: false,
            users_own: false,
            wrap: false,
            lowered: None,
            unsafe_because: None,
        }
    }

    /// Fixed by calling `with` in place of the callee and awaiting the call.
    pub fn fix(
        self,
        b: &BlockingFact,
        with: impl Into<String>,
        feature: &'static str,
        unsafe_only: bool,
    ) -> Verdict {
        self.replace(b.call.path, with, feature, unsafe_only)
    }

    /// Fixed by putting `with` in place of `path` and awaiting the call.
    pub fn replace(
        mut self,
        path: TextRange,
        with: impl Into<String>,
        feature: &'static str,
        unsafe_only: bool,
    ) -> Verdict {
        self.fix = Some(Fix {
            path,
            with: with.into(),
            feature,
            unsafe_only,
        });
        self
    }

    pub fn needs_tokio(mut self) -> Verdict {
        self.needs_tokio = true;
        self
    }

    pub fn users_own(mut self) -> Verdict {
        self.users_own = true;
        self
    }

    pub fn wrap(mut self) -> Verdict {
        self.wrap = true;
        self
    }

    /// Its message says the size the code around it shows.
    pub fn sized(mut self, n: u64) -> Verdict {
        self.message = format!("{}; the test shows a size of {n}", self.message);
        self
    }

    /// Its fix is unsafe, for the reason `why` (none: it is as it was).
    pub fn unsafe_because(mut self, why: Option<&'static str>) -> Verdict {
        if let (Some(f), Some(why)) = (self.fix.as_mut(), why) {
            f.unsafe_only = true;
            self.unsafe_because = Some(why);
        }
        self
    }

    /// Reported as a note, for the reason `why`.
    pub fn note(mut self, why: &'static str) -> Verdict {
        self.lowered = Some((Severity::Note, why));
        self
    }
}

/// What every blocking call's plan reads, and the rules' crate passes.
pub(crate) struct Crate<'a> {
    pub files: &'a [&'a FileFacts],
    pub sources: &'a [layout::Source<'a>],
    pub units: &'a Units,
    pub opts: &'a PlanOptions,
    /// What drives each async fn (tokio, another executor, a thread).
    pub drivers: Drivers,
    /// The tasks that stay blocked in a wait: their other fixes are unsafe.
    waits: &'a TaskWaits<'a>,
}

/// What the blocking rules work out of a crate once per plan: where
/// its code runs (the runtime premise, and what drives each fn), for the
/// lock planner's async-ify fix ([`Blocking::twins`]) and then the rules'
/// own plan ([`Blocking::plan`]).
pub(crate) struct Blocking<'a> {
    runtime: RuntimeAnalysis<'a>,
    krate: Crate<'a>,
}

impl<'a> Blocking<'a> {
    /// `waits` makes a fix unsafe in a task blocked in a wait.
    pub(crate) fn new(
        files: &'a [&'a FileFacts],
        (sources, texts): (&'a [layout::Source], &'a [&'a str]),
        units: &'a Units,
        waits: &'a TaskWaits<'a>,
        opts: &'a PlanOptions,
    ) -> Blocking<'a> {
        let runtime = RuntimeAnalysis::new(files, texts, units);
        let drivers = Drivers::new(files, units, |unit, f| runtime.on_own_threads(unit, f));
        let krate = Crate {
            files,
            sources,
            units,
            opts,
            drivers,
            waits,
        };
        Blocking { runtime, krate }
    }

    /// Does every blocking call of `chain` take its tokio twin once the
    /// chain's fns are async (as AW205's fix makes them, which it does for
    /// the fns the lock planner makes async: `CratePlan::lock_async_fns`)?
    pub(crate) fn twins(&self, asyncify: &Asyncify, chain: &Chain) -> Result<(), String> {
        twin_edits(&self.krate, asyncify, chain, true).map(drop)
    }

    /// Blocking calls: a fix or a report for each one in async code; then
    /// the rules' own passes over the crate (AW205: a report, with the
    /// chain, for each async call of a sync fn that blocks). The joins
    /// `handles` confirms are waits.
    pub(crate) fn plan(&self, handles: &HandleFns, out: &mut CratePlan) {
        let (krate, files, units) = (&self.krate, self.krate.files, self.krate.units);
        let wrappers = blocking_wrappers(files);
        for (file, facts) in files.iter().enumerate() {
            for b in &facts.blocking {
                if on_the_executor(facts, b, &wrappers) && handles.confirm(b, units[file], units) {
                    let unit = units[file];
                    krate
                        .drivers
                        .route_names(&b.driver, unit, &mut out.driver_names);
                    plan_call(krate, file, b, out);
                }
            }
        }
        asyncify_helpers(krate, (&self.runtime, handles), out);
        out.runtime_names.append(&mut self.runtime.examined.take());
        for pass in RULES.iter().filter_map(|r| r.hooks.crate_pass) {
            pass(krate, out);
        }
    }
}

/// The crate's fns that hand their closure to the blocking pool
/// (`asyncify`): a closure handed to one does not run on the executor.
pub(crate) fn blocking_wrappers<'a>(files: &[&'a FileFacts]) -> HashSet<&'a str> {
    files
        .iter()
        .flat_map(|f| f.blocking_wrappers.iter().map(String::as_str))
        .collect()
}

/// Does the call run on the executor, in code the run may change? A call
/// in a sync fn is followed by AW205 through the fn's async callers.
fn on_the_executor(facts: &FileFacts, b: &BlockingFact, wrappers: &HashSet<&str>) -> bool {
    match &b.ctx {
        // `asyncify(|| std::fs::read(p))`: the closure runs on the
        // blocking pool.
        SiteContext::SyncInAsync
            if b.closure_callee
                .as_deref()
                .is_some_and(|c| wrappers.contains(c)) =>
        {
            false
        }
        SiteContext::Async | SiteContext::SyncInAsync => !facts.read_only,
        _ => false,
    }
}

/// One blocking call in async code: the premise, the verdict of the rule
/// that knows its kind, then its fix or its report.
fn plan_call(krate: &Crate, file: usize, b: &BlockingFact, out: &mut CratePlan) {
    let facts = krate.files[file];
    let at = Loc {
        file,
        range: b.call.call,
    };
    // A tokio fix needs tokio where the code is (test code may use a
    // dev-dependency), and a tokio runtime under it.
    let test_code = b.in_test || !facts.unit.is_empty();
    let no_tokio = krate
        .opts
        .tokio
        .filter(|t| !if test_code { t.dev } else { t.normal });
    let (unit, units) = (krate.units[file], krate.units);
    let premise = Premise {
        on_tokio: krate.drivers.on_tokio(&b.driver, unit, units.sees(unit)),
        own_thread: krate
            .drivers
            .on_own_thread(&b.driver, unit, units.sees(unit)),
        // Sleeping may be the point in tests and examples, or under a
        // paused clock, where tokio's sleep returns at once.
        deliberate: deliberate(test_code, facts.paused_clock),
        test_code,
    };
    let Some(verdict) = RULES
        .iter()
        .filter_map(|r| r.hooks.finding)
        .find_map(|finding| finding(b, &premise))
    else {
        return;
    };
    if !permitted(
        krate.files,
        krate.opts,
        verdict.rule,
        &at,
        &mut out.suppressed,
    ) {
        return;
    }
    let tokio = Tokio {
        no_dep: no_tokio.map(|t| t.why_not()),
        runtime: premise.on_tokio,
        elsewhere: krate
            .drivers
            .on_another_executor(&b.driver, unit, units.sees(unit)),
    };
    let report = fix_call(krate, at, b, verdict, tokio, out);
    out.blocking.push(report);
}

/// Can a tokio fix go where the call is?
#[derive(Clone, Copy)]
struct Tokio {
    /// Why the code cannot use tokio (no dependency where it is), if so.
    no_dep: Option<&'static str>,
    /// A tokio runtime provably runs it.
    runtime: bool,
    /// Another executor may run it.
    elsewhere: bool,
}

impl Tokio {
    fn ok(self) -> bool {
        self.no_dep.is_none() && self.runtime
    }

    /// Why a call has no tokio fix.
    fn missing(self) -> String {
        let why = match self.no_dep {
            Some(why) => why,
            None if self.elsewhere => "an executor other than tokio may run this async code",
            None => "nothing in the crate shows that this async code runs on a tokio runtime",
        };
        format!("no tokio fix: {why}")
    }
}

/// Why blocking may be the point of code: where tokio's clock is paused its
/// sleep returns at once; a test may hold its thread still on purpose.
fn deliberate(test_code: bool, paused_clock: bool) -> Option<&'static str> {
    match (paused_clock, test_code) {
        (true, _) => Some("the file pauses tokio's clock, under which `tokio::time::sleep` returns at once"),
        (false, true) => Some("in a test, example or bench, blocking may be the point (holding this thread still while others act), and `.await` lets the thread run other tasks meanwhile"),
        (false, false) => None,
    }
}

/// A verdict's fix where it can go (and the run applies it), its safety and
/// the notes that say why not.
fn fix_call(
    krate: &Crate,
    at: Loc,
    b: &BlockingFact,
    mut verdict: Verdict,
    tokio: Tokio,
    out: &mut CratePlan,
) -> BlockingReport {
    let opts = krate.opts;
    let mut notes = Vec::new();
    let severity = match verdict.lowered {
        Some((severity, why)) => {
            notes.push(why.to_string());
            severity
        }
        None => verdict.rule.severity,
    };
    let fixable = b.ctx == SiteContext::Async && (tokio.ok() || verdict.users_own);
    // A fix the compiler rejected is reported, not applied.
    let withdrawn = opts.referee.withdrawn(&at);
    notes.extend(withdrawn.map(str::to_string));
    let fixable = fixable && withdrawn.is_none();
    let mut unsafe_wrap = false;
    if verdict.wrap {
        match wrap_heavy(krate, at.file, b, fixable, out) {
            Wrap::Applied(edit) => {
                return BlockingReport {
                    rule: verdict.rule.into(),
                    severity,
                    at,
                    message: verdict.message,
                    notes,
                    fixed: true,
                    fix: Some(Applicability::Unsafe),
                    edits: vec![edit],
                    helper: None,
                }
            }
            Wrap::Offered => {
                unsafe_wrap = true;
                notes.push(OFFERED.into())
            }
            Wrap::Suggested => notes.push(SUGGESTED.into()),
        }
    }
    // Made async alone, a call of a task that stays blocked in a wait
    // yields, and more tasks pile up in that wait.
    if let (Some(f), Some(wait), true) = (
        &mut verdict.fix,
        krate.waits.of(at.file, b.task, b.in_fn.as_ref()),
        fixable,
    ) {
        if !f.unsafe_only {
            f.unsafe_only = true;
            notes.push(format!("the fix is unsafe here: this task also waits in `{wait}`, which stays blocking; once this call yields, more tasks can reach that wait and stall the executor threads"));
        }
    }
    if let (Some(why), true) = (verdict.unsafe_because, fixable) {
        notes.push(format!("the fix is unsafe: {why}"));
    }
    let tokio_kind = verdict.needs_tokio || b.wrap.is_some();
    if b.ctx == SiteContext::Async && !tokio.ok() && tokio_kind {
        notes.push(tokio.missing());
    }
    let applicability = match &verdict.fix {
        Some(f) if fixable && f.unsafe_only => Some(Applicability::Unsafe),
        Some(_) if fixable => Some(Applicability::Safe),
        _ if unsafe_wrap => Some(Applicability::Unsafe),
        _ => None,
    };
    let edits = match verdict.fix {
        Some(f) if fixable && (!f.unsafe_only || opts.unsafe_fixes) => {
            apply_fix(krate, at.file, b, f, out)
        }
        _ => {
            if b.ctx == SiteContext::SyncInAsync {
                notes.push("it is in a non-async closure inside async code: move it into tokio::task::spawn_blocking".to_string());
            }
            Vec::new()
        }
    };
    BlockingReport {
        rule: verdict.rule.into(),
        severity,
        at,
        message: verdict.message,
        notes,
        // A fix applied has edits; one not applied has none.
        fixed: !edits.is_empty(),
        fix: applicability,
        edits,
        helper: None,
    }
}

/// A replacement path and the `.await` after the call, laid out as the
/// chain around it is; the tokio feature it needs.
fn apply_fix(
    krate: &Crate,
    file: usize,
    b: &BlockingFact,
    f: Fix,
    out: &mut CratePlan,
) -> Vec<Edit> {
    let edits = fix_edits(krate, file, b, &f);
    out.edits
        .entry(file)
        .or_default()
        .extend(edits.iter().cloned());
    if !f.feature.is_empty() {
        out.tokio_features.insert(f.feature);
        out.tokio_outside_tests |= !b.in_test;
    }
    edits
}

/// The edits of a fix: its path, and the `.await` after the call.
fn fix_edits(krate: &Crate, file: usize, b: &BlockingFact, f: &Fix) -> Vec<Edit> {
    let longer = f.with.len().saturating_sub(f.path.len().into());
    let at = TextRange::empty(b.call.call.end());
    let mut edits: Vec<Edit> = layout::chain_edits(&krate.sources[file], at, ".await", longer);
    edits.push(Edit::new(f.path, f.with.clone()));
    edits
}

/// AW205's async-ify fix: a sync fn that blocks only in calls with a tokio
/// twin (a sleep, `std::fs`; not a user's own blocking fn), and whose
/// every call is in async code or in sync fns that can become async the
/// same way (`locks::asyncify`), becomes async: the fns become `async fn`,
/// their calls are awaited and the blocking calls take their twins. Only
/// where no fn of the chain locks a lock (its sites are the lock
/// planner's) and tokio provably runs every async caller. An unsafe fix,
/// made with `--unsafe-fixes`; AW205's reports at the calls carry it
/// (`CratePlan::asyncified`).
fn asyncify_helpers(
    krate: &Crate,
    (runtime, handles): (&RuntimeAnalysis, &HandleFns),
    out: &mut CratePlan,
) {
    let asyncify = Asyncify::new(krate.files, krate.units, runtime, handles);
    let mut tried: HashSet<(Unit, FnId)> = HashSet::new();
    for (file, facts) in krate.files.iter().enumerate() {
        for b in &facts.blocking {
            let SiteContext::Sync {
                fn_name,
                in_drop: false,
                test_body: false,
            } = &b.ctx
            else {
                continue;
            };
            if facts.read_only || !tried.insert((krate.units[file], fn_name.clone())) {
                continue;
            }
            let declined = |why: &str| {
                Asyncified::declined(format!(
                    "`--unsafe-fixes` cannot make `{fn_name}` async: {why}"
                ))
            };
            let (keys, fix) = match asyncify.chain_of(krate.units[file], fn_name) {
                Err(why) => (vec![fn_name.clone()], declined(&why)),
                Ok(chain) => {
                    // The compiler took it back: AW205 reports why.
                    let referee = &krate.opts.referee;
                    let fix = match chain.calls.iter().find_map(|c| referee.withdrawn(c)) {
                        Some(why) => Err(why.to_string()),
                        // Made async by the lock planner (with its lock):
                        // the blocking calls take their twins here.
                        None => {
                            let locked = chain.keys.iter().all(|k| out.lock_async_fns.contains(k));
                            twin_edits(krate, &asyncify, &chain, locked)
                        }
                    };
                    let fix = match fix {
                        Ok((edits, features)) => offer(krate, out, &chain, edits, features),
                        Err(why) => declined(&why),
                    };
                    (chain.keys.into_iter().collect::<Vec<_>>(), fix)
                }
            };
            for key in keys {
                // One fix offered for a fn stands over a reason another
                // try gave.
                let e = out.asyncified.entry(key).or_insert_with(|| fix.clone());
                if e.declined && !fix.declined {
                    *e = fix.clone();
                }
            }
        }
    }
}

/// The async-ify fix of `chain`, with its blocking calls' `edits`: made
/// with `--unsafe-fixes` (each edit once, whichever chain made it first).
fn offer(
    krate: &Crate,
    out: &mut CratePlan,
    chain: &Chain,
    mut edits: Vec<(usize, Edit)>,
    features: Vec<(&'static str, bool)>,
) -> Asyncified {
    edits.extend(chain.edits(krate.sources));
    let applied = krate.opts.unsafe_fixes;
    if applied {
        for (feature, in_test) in features {
            out.tokio_features.insert(feature);
            out.tokio_outside_tests |= !in_test;
        }
        for (file, e) in &edits {
            let file_edits = out.edits.entry(*file).or_default();
            if !file_edits.contains(e) {
                file_edits.push(e.clone());
            }
        }
    }
    let reason = format!(
        "the fix makes {} async, awaits {}, and gives each blocking call there its tokio twin (unsafe: each call becomes a point where the task yields)",
        chain.names(),
        chain.calls_named()
    );
    Asyncified {
        reason,
        applied,
        edits,
        fns: chain.keys.iter().map(FnId::to_string).collect(),
        declined: false,
    }
}

/// The edits that give every blocking call of the chain's fns its tokio
/// twin, if each has one there (on a tokio runtime, with tokio a
/// dependency, none in a closure or the chain's fns locking a lock), and
/// the tokio features they need (each with whether it is in test code).
#[allow(clippy::type_complexity)]
fn twin_edits(
    krate: &Crate,
    asyncify: &Asyncify,
    chain: &Chain,
    with_locks: bool,
) -> Result<(Vec<(usize, Edit)>, Vec<(&'static str, bool)>), String> {
    if !with_locks && asyncify.locks_in(chain) {
        let (verb, them) = match chain.keys.len() {
            1 => ("locks", "it"),
            _ => ("lock", "them"),
        };
        return Err(format!(
            "{} also {verb} a lock, whose migration does not make {them} async (see the lock's finding)",
            chain.names()
        ));
    }
    if asyncify.under_a_guard(chain) {
        return Err("a call of it is where a std lock's guard is held".into());
    }
    let on_tokio = chain
        .drivers
        .iter()
        .all(|(unit, d)| krate.drivers.on_tokio(d, *unit, krate.units.sees(*unit)));
    let (mut edits, mut features) = (Vec::new(), Vec::new());
    for (file, b) in asyncify.blocking_in(chain) {
        // The lock planner's chain leaves CPU work as it is (AW206's).
        if with_locks && b.call.kind.is_cpu_work() {
            continue;
        }
        let facts = krate.files[file];
        let test_code = b.in_test || !facts.unit.is_empty();
        let tokio_dep = krate
            .opts
            .tokio
            .is_none_or(|t| if test_code { t.dev } else { t.normal });
        if !on_tokio {
            return Err("nothing shows that tokio runs every async code that calls it".into());
        }
        if !tokio_dep {
            return Err("tokio is not a dependency of the code it is in".into());
        }
        if asyncify.in_closure(file, b.call.call) {
            return Err(format!("its `{}` is in a closure", b.call.what));
        }
        let premise = Premise {
            on_tokio,
            own_thread: false,
            deliberate: deliberate(test_code, facts.paused_clock),
            test_code,
        };
        let no_twin = || format!("`{}` has no tokio twin to put in its place", b.call.what);
        let verdict = RULES
            .iter()
            .filter_map(|r| r.hooks.finding)
            .find_map(|finding| finding(b, &premise))
            .ok_or_else(no_twin)?;
        // A user's own fn stays as it is: once every call of it takes its
        // async twin, it would be dead code.
        let fix = verdict
            .fix
            .filter(|_| !verdict.wrap && !verdict.users_own)
            .ok_or_else(no_twin)?;
        edits.extend(
            fix_edits(krate, file, b, &fix)
                .into_iter()
                .map(|e| (file, e)),
        );
        if !fix.feature.is_empty() {
            features.push((fix.feature, b.in_test));
        }
    }
    Ok((edits, features))
}

/// What becomes of a CPU-heavy call's `spawn_blocking` wrap.
pub(crate) enum Wrap {
    /// Applied (`--unsafe-fixes`): its edit.
    Applied(Edit),
    /// Certain to compile, applied with `--unsafe-fixes`.
    Offered,
    /// Not certain to compile: only described.
    Suggested,
}

/// The note of a wrap offered (applied with `--unsafe-fixes`).
const OFFERED: &str = "`--unsafe-fixes` moves it into tokio::task::spawn_blocking (unsafe: it then runs on another thread, and the task can be cancelled while it still runs)";

/// The note of a wrap only described.
const SUGGESTED: &str = "wrap it: `let r = tokio::task::spawn_blocking(move || { .. }).await.expect(\"blocking task panicked\");`, moving or cloning what it captures";

/// A heavy call's wrap (the fact's), applied with `--unsafe-fixes`.
fn wrap_heavy(
    krate: &Crate,
    file: usize,
    b: &BlockingFact,
    fixable: bool,
    out: &mut CratePlan,
) -> Wrap {
    let wrap = b.wrap.as_ref().filter(|_| fixable);
    wrap_let(krate, (file, b.call.call, b.in_test), wrap, out)
}

/// Moves the `let` initializer `wrap.0` that holds the call at `call` to
/// the blocking pool (its text `wrap.1`) with `--unsafe-fixes`, unless
/// another blocking call is in the same initializer or another fix already
/// edits it (AW205 awaiting a helper there: an `.await` in the closure).
fn wrap_let(
    krate: &Crate,
    (file, call, in_test): (usize, TextRange, bool),
    wrap: Option<&(TextRange, String)>,
    out: &mut CratePlan,
) -> Wrap {
    let alone = |r: TextRange| {
        let others = krate.files[file]
            .blocking
            .iter()
            .any(|o| r.contains_range(o.call.call) && o.call.call != call);
        let edited = out
            .edits
            .get(&file)
            .is_some_and(|es| es.iter().any(|e| e.range.intersect(r).is_some()));
        !others && !edited
    };
    match wrap {
        Some((range, wrap)) if krate.opts.unsafe_fixes && alone(*range) => {
            let wrap = layout::spawn_blocking_wrap(krate.sources[file].text, *range, wrap);
            let edit = Edit::new(*range, wrap);
            out.edits.entry(file).or_default().push(edit.clone());
            out.tokio_features.insert("rt");
            out.tokio_outside_tests |= !in_test;
            Wrap::Applied(edit)
        }
        Some((range, _)) if alone(*range) => Wrap::Offered,
        _ => Wrap::Suggested,
    }
}

/// AW206's fix of an async call of a crate's sync fn that does CPU-heavy
/// work (`blocking_helper::plan_chains`): the same move to the blocking
/// pool as a heavy call's, where tokio runs the call, the compiler has not
/// taken it back, the helper is known (`def`: its file and name; not one of
/// several fns of its name) and returns an owned value, and the wrap is
/// certain to compile. Its applicability and edits, and notes that say
/// what `--unsafe-fixes` does or why it does nothing.
pub(crate) fn wrap_helper_call(
    krate: &Crate,
    (file, c): (usize, &CallFact),
    def: Result<(usize, TextRange), &str>,
    out: &mut CratePlan,
) -> (Option<Applicability>, Vec<Edit>, Vec<String>) {
    let facts = krate.files[file];
    let test_code = c.in_test || !facts.unit.is_empty();
    let (unit, units) = (krate.units[file], krate.units);
    let tokio = Tokio {
        no_dep: krate
            .opts
            .tokio
            .filter(|t| !if test_code { t.dev } else { t.normal })
            .map(|t| t.why_not()),
        runtime: krate.drivers.on_tokio(&c.driver, unit, units.sees(unit)),
        elsewhere: krate
            .drivers
            .on_another_executor(&c.driver, unit, units.sees(unit)),
    };
    if !tokio.ok() {
        return (None, Vec::new(), vec![tokio.missing()]);
    }
    let at = Loc {
        file,
        range: c.range,
    };
    if let Some(why) = krate.opts.referee.withdrawn(&at) {
        return (None, Vec::new(), vec![why.to_string()]);
    }
    let wrap = def
        .map_err(str::to_string)
        .and_then(|(def_file, name)| {
            crate::facts::returns_owned(&krate.sources[def_file].syntax(), name)
        })
        .and_then(|()| {
            let root = krate.sources[file].syntax();
            crate::facts::spawn_blocking_wrap_at(&root, c.range).map_err(str::to_string)
        });
    let wrap = match wrap {
        Ok(wrap) => wrap,
        Err(why) => {
            let note = format!("{SUGGESTED} (`--unsafe-fixes` does not: {why})");
            return (None, Vec::new(), vec![note]);
        }
    };
    match wrap_let(krate, (file, c.range, c.in_test), Some(&wrap), out) {
        Wrap::Applied(edit) => (Some(Applicability::Unsafe), vec![edit], Vec::new()),
        Wrap::Offered => (
            Some(Applicability::Unsafe),
            Vec::new(),
            vec![OFFERED.into()],
        ),
        Wrap::Suggested => {
            let why = "another blocking call or fix is in its `let` initializer";
            let note = format!("{SUGGESTED} (`--unsafe-fixes` does not: {why})");
            (None, Vec::new(), vec![note])
        }
    }
}
