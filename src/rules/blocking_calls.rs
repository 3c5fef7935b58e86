//! Blocking calls in async code (AW201–AW206): a fix or a report for each
//! one, and a report with the chain for each async call of a sync fn that
//! blocks.

use std::collections::{BTreeMap, HashSet};

use ra_ap_syntax::TextRange;

use crate::edits::edit::Edit;
use crate::edits::layout;
use crate::facts::{FileFacts, FnId, SiteContext};
use crate::locks::{permitted, CratePlan, Loc, Unit, Units};
use crate::rules::Applicability;
use crate::settings::PlanOptions;

/// One blocking-call finding.
#[derive(Clone, Debug)]
pub struct BlockingReport {
    pub rule: &'static crate::rules::Rule,
    pub at: Loc,
    pub message: String,
    pub notes: Vec<String>,
    /// Its fix is among the plan's edits.
    pub fixed: bool,
    /// How far its fix can be trusted, if it has one (applied or not).
    pub fix: Option<crate::rules::Applicability>,
    /// The fix's edits in the finding's file, when applied.
    pub edits: Vec<Edit>,
    /// AW205: the helper it is about (its unit and key), which groups the
    /// async calls of one helper into one finding.
    pub helper: Option<String>,
}

/// How strongly a blocking call blocks, for picking the chain an AW205
/// finding shows: a `block_on` or a sleep over a wait that may be short,
/// file I/O, or CPU work.
fn strength(b: &crate::facts::BlockingFact) -> u8 {
    use crate::blocking::BlockingKind;
    match &b.call.kind {
        BlockingKind::BlockOn => 6,
        BlockingKind::Sleep => 5,
        BlockingKind::Process { .. } => 4,
        BlockingKind::Wait if b.call.what.ends_with("recv_timeout") => 2,
        BlockingKind::Wait | BlockingKind::User { heavy: false, .. } => 3,
        BlockingKind::Fs { .. } | BlockingKind::FsOther => 2,
        BlockingKind::Heavy | BlockingKind::User { heavy: true, .. } => 1,
    }
}

/// Which async fns provably run on a tokio runtime, and which may run on
/// another executor: reached (by calls, `.await`s, futures handed to
/// `tokio::spawn` and the like) from `#[tokio::main]`, `#[tokio::test]`,
/// `tokio::spawn`, `Runtime::block_on`, `Handle::spawn`, or from
/// `futures::executor::block_on`, async-std, smol.
struct Drivers {
    tokio: HashSet<(Unit, FnId)>,
    other: HashSet<(Unit, FnId)>,
}

impl Drivers {
    fn new(files: &[&FileFacts], units: &Units) -> Drivers {
        let mut d = Drivers {
            tokio: HashSet::new(),
            other: HashSet::new(),
        };
        loop {
            let mut changed = false;
            for (file, facts) in files.iter().enumerate() {
                let unit = units[file];
                for c in &facts.calls {
                    let Some(key) = &c.callee_key else { continue };
                    let (tokio, other) = d.of(&c.driver, units.sees(unit));
                    for (yes, set) in [(tokio, &mut d.tokio), (other, &mut d.other)] {
                        if yes {
                            for &u in units.sees(unit) {
                                changed |= set.insert((u, key.clone()));
                            }
                        }
                    }
                }
            }
            if !changed {
                return d;
            }
        }
    }

    /// (runs on tokio, may run on another executor) for code driven by `driver`.
    fn of(&self, driver: &crate::facts::Driver, sees: &[Unit]) -> (bool, bool) {
        use crate::facts::Driver;
        match driver {
            Driver::Tokio => (true, false),
            Driver::Other => (false, true),
            Driver::Fn(f) => {
                let any = |set: &HashSet<(Unit, FnId)>| {
                    sees.iter().any(|&u| set.contains(&(u, f.clone())))
                };
                (any(&self.tokio), any(&self.other))
            }
            Driver::Unknown => (false, false),
        }
    }

    /// Does code driven by `driver` provably run on tokio (and nothing else)?
    fn on_tokio(&self, driver: &crate::facts::Driver, sees: &[Unit]) -> bool {
        self.of(driver, sees) == (true, false)
    }
}

/// Blocking calls: a fix or a report for each one in async code, and a
/// report (with the chain) for each async call of a sync fn that blocks.
pub(crate) fn plan_blocking(
    files: &[&FileFacts],
    sources: &[layout::Source],
    units: &Units,
    opts: &PlanOptions,
    out: &mut CratePlan,
) {
    use crate::blocking::BlockingKind;
    use crate::rules;
    // The strongest blocking call of each sync fn, by unit and fn key
    // (the first of equal strength).
    let mut direct: BTreeMap<(Unit, FnId), (u8, String)> = BTreeMap::new();
    let drivers = Drivers::new(files, units);
    // Fns that hand their closure to the blocking pool (`asyncify`).
    let wrappers: HashSet<&str> = files
        .iter()
        .flat_map(|f| f.blocking_wrappers.iter().map(String::as_str))
        .collect();
    for (file, facts) in files.iter().enumerate() {
        for b in &facts.blocking {
            let at = Loc {
                file,
                range: b.call.call,
            };
            let what = &b.call.what;
            match &b.ctx {
                // A closure the fn only stores or hands on does not run
                // when the fn does.
                SiteContext::Sync { .. } if b.deferred => continue,
                SiteContext::Sync { fn_name, .. } => {
                    let e = direct
                        .entry((units[file], fn_name.clone()))
                        .or_insert_with(|| (0, what.clone()));
                    if strength(b) > e.0 {
                        *e = (strength(b), what.clone());
                    }
                    continue;
                }
                // `asyncify(|| std::fs::read(p))`: the closure runs on the
                // blocking pool.
                SiteContext::SyncInAsync
                    if b.closure_callee
                        .as_deref()
                        .is_some_and(|c| wrappers.contains(c)) =>
                {
                    continue
                }
                SiteContext::Async | SiteContext::SyncInAsync if !facts.read_only => {}
                _ => continue,
            }
            // A tokio fix needs tokio where the code is (test code may use a
            // dev-dependency), and a tokio runtime under it.
            let test_code = b.in_test || !facts.unit.is_empty();
            let tokio_dep = opts
                .tokio
                .is_none_or(|t| if test_code { t.dev } else { t.normal });
            let on_tokio = drivers.on_tokio(&b.driver, units.sees(units[file]));
            let tokio_ok = tokio_dep && on_tokio;
            let no_tokio_note = if !tokio_dep {
                "no tokio fix: this code cannot use tokio (the crate does not depend on it here)"
            } else {
                "no tokio fix: nothing in the crate shows that this async code runs on a tokio runtime"
            };
            // A known heavy call in test code works on a test's fixture,
            // small by design.
            if test_code
                && matches!(b.call.kind, BlockingKind::Heavy)
                && !b.call.what.starts_with("a loop")
            {
                continue;
            }
            // Sleeping may be the point in tests and examples, or under a
            // paused clock, where tokio's sleep returns at once.
            let deliberate = test_code || facts.paused_clock;
            let fixable = b.ctx == SiteContext::Async && tokio_ok;
            let closure_note = "it is in a non-async closure inside async code: move it into tokio::task::spawn_blocking";
            // A fix: the path to put in place of the callee's, where `.await`
            // goes, the tokio feature it needs, and whether it is only unsafe.
            struct Fix {
                path: TextRange,
                with: String,
                feature: &'static str,
                unsafe_only: bool,
            }
            let fix = |with: String, feature, unsafe_only| Fix {
                path: b.call.path,
                with,
                feature,
                unsafe_only,
            };
            let (rule, message, fix): (&'static rules::Rule, String, Option<Fix>) = match &b.call.kind {
                BlockingKind::Sleep if on_tokio => (
                    &rules::BLOCKING_SLEEP,
                    "`std::thread::sleep` blocks the executor thread; use `tokio::time::sleep(..).await`".into(),
                    Some(fix("tokio::time::sleep".into(), "time", deliberate)),
                ),
                BlockingKind::Sleep => (
                    &rules::BLOCKING_SLEEP,
                    "`std::thread::sleep` blocks the executor thread; use the async runtime's timer (`sleep(..).await`)".into(),
                    None,
                ),
                BlockingKind::Fs { name } if on_tokio => (
                    &rules::BLOCKING_FS,
                    format!("`{what}` blocks the executor thread; use `tokio::fs::{name}(..).await`"),
                    Some(fix(format!("tokio::fs::{name}"), "fs", false)),
                ),
                BlockingKind::Fs { .. } => (
                    &rules::BLOCKING_FS,
                    format!("`{what}` blocks the executor thread; use the async runtime's file API, or move it off the executor"),
                    None,
                ),
                BlockingKind::FsOther => (
                    &rules::BLOCKING_FS,
                    format!("`{what}` blocks the executor thread; its tokio::fs twin has another type: port the code that uses it, or use tokio::task::spawn_blocking"),
                    None,
                ),
                BlockingKind::Process { .. } if !on_tokio => (
                    &rules::BLOCKING_WAIT,
                    format!("`{what}` waits for the process on the executor thread; use the async runtime's process API, or move it off the executor"),
                    None,
                ),
                BlockingKind::Process { command } => (
                    &rules::BLOCKING_WAIT,
                    format!("`{what}` waits for the process on the executor thread; use `tokio::process::Command` (`--unsafe-fixes` applies it)"),
                    Some(Fix { path: *command, with: "tokio::process::Command".into(), feature: "process", unsafe_only: true }),
                ),
                BlockingKind::Wait => (
                    &rules::BLOCKING_WAIT,
                    format!("`{what}` waits on the executor thread; use its tokio counterpart or tokio::task::spawn_blocking"),
                    None,
                ),
                BlockingKind::BlockOn => (
                    &rules::BLOCK_ON_IN_ASYNC,
                    format!("`{what}` inside async code panics on a tokio runtime or deadlocks; `.await` the future instead"),
                    None,
                ),
                BlockingKind::Heavy => (
                    &rules::CPU_HEAVY,
                    format!("{what} is CPU-heavy work on the executor thread; run it on the blocking pool"),
                    None,
                ),
                BlockingKind::User { heavy: true, .. } => (
                    &rules::CPU_HEAVY,
                    format!("`{what}` is CPU-heavy (configuration); run it on the blocking pool"),
                    None,
                ),
                BlockingKind::User { heavy: false, replacement } => (
                    &rules::BLOCKING_WAIT,
                    match replacement {
                        Some(r) => format!("`{what}` blocks (configuration); use `{r}(..).await`"),
                        None => format!("`{what}` blocks (configuration); use an async counterpart or tokio::task::spawn_blocking"),
                    },
                    replacement.clone().map(|r| fix(r, "", false)),
                ),
            };
            if !permitted(files, opts, rule, &at, &mut out.suppressed) {
                continue;
            }
            let mut notes = Vec::new();
            // A replacement the configuration names is the user's own call.
            let user_fix = matches!(b.call.kind, BlockingKind::User { .. });
            let fixable = fixable || (user_fix && b.ctx == SiteContext::Async);
            // A fix the compiler rejected is reported, not applied.
            let withdrawn = opts.referee.withdrawn(&at);
            notes.extend(withdrawn.map(str::to_string));
            let fixable = fixable && withdrawn.is_none();
            let mut unsafe_wrap = false;
            if matches!(
                b.call.kind,
                BlockingKind::Heavy | BlockingKind::User { heavy: true, .. }
            ) {
                // The wrap is applied with --unsafe-fixes, unless another
                // blocking call shares the same initializer.
                let alone = |r: TextRange| {
                    facts
                        .blocking
                        .iter()
                        .filter(|o| r.contains_range(o.call.call))
                        .count()
                        == 1
                };
                match &b.wrap {
                    Some((range, wrap)) if fixable && opts.unsafe_fixes && alone(*range) => {
                        let wrap = layout::spawn_blocking_wrap(sources[file].text, *range, wrap);
                        let edit = Edit::new(*range, wrap);
                        out.edits.entry(file).or_default().push(edit.clone());
                        out.tokio_features.insert("rt");
                        out.tokio_outside_tests |= !b.in_test;
                        out.blocking.push(BlockingReport {
                            rule,
                            at,
                            message,
                            notes,
                            fixed: true,
                            fix: Some(Applicability::Unsafe),
                            edits: vec![edit],
                            helper: None,
                        });
                        continue;
                    }
                    Some((range, _)) if fixable && alone(*range) => {
                        unsafe_wrap = true;
                        notes.push("`--unsafe-fixes` moves it into tokio::task::spawn_blocking".into())
                    }
                    _ => notes.push("wrap it: `let r = tokio::task::spawn_blocking(move || { .. }).await.expect(\"blocking task panicked\");`, moving or cloning what it captures".into()),
                }
            }
            let tokio_kind = matches!(
                b.call.kind,
                BlockingKind::Sleep | BlockingKind::Fs { .. } | BlockingKind::Process { .. }
            ) || b.wrap.is_some();
            if b.ctx == SiteContext::Async && !tokio_ok && tokio_kind {
                notes.push(no_tokio_note.to_string());
            }
            let applicability = match &fix {
                Some(f) if fixable && f.unsafe_only => Some(Applicability::Unsafe),
                Some(_) if fixable => Some(Applicability::Safe),
                _ if unsafe_wrap => Some(Applicability::Unsafe),
                _ => None,
            };
            let mut edits = Vec::new();
            let fixed = match fix {
                Some(f) if fixable && (!f.unsafe_only || opts.unsafe_fixes) => {
                    let longer = f.with.len().saturating_sub(f.path.len().into());
                    let at = TextRange::empty(b.call.call.end());
                    edits.extend(layout::chain_edits(&sources[file], at, ".await", longer));
                    edits.push(Edit::new(f.path, f.with));
                    out.edits
                        .entry(file)
                        .or_default()
                        .extend(edits.iter().cloned());
                    if !f.feature.is_empty() {
                        out.tokio_features.insert(f.feature);
                        out.tokio_outside_tests |= !b.in_test;
                    }
                    true
                }
                _ => {
                    if b.ctx == SiteContext::SyncInAsync {
                        notes.push(closure_note.to_string());
                    }
                    false
                }
            };
            out.blocking.push(BlockingReport {
                rule,
                at,
                message,
                notes,
                fixed,
                fix: applicability,
                edits,
                helper: None,
            });
        }
    }
    // Sync fns that block through the sync fns they call.
    // An awaited call calls an async fn: never one of these.
    let mut calls_of: BTreeMap<(Unit, FnId), Vec<FnId>> = BTreeMap::new();
    for (file, facts) in files.iter().enumerate() {
        for c in facts.calls.iter().filter(|c| !c.awaited && !c.deferred) {
            if let (SiteContext::Sync { fn_name, .. }, Some(key)) = (&c.ctx, &c.callee_key) {
                calls_of
                    .entry((units[file], fn_name.clone()))
                    .or_default()
                    .push(key.clone());
            }
        }
    }
    /// What `key` names from code that sees `sees`: the fn of the first
    /// unit that has one so named.
    fn seen_from<'m, V>(
        map: &'m BTreeMap<(Unit, FnId), V>,
        sees: &[Unit],
        key: &FnId,
    ) -> Option<(Unit, &'m V)> {
        let mut k = (0, key.clone());
        sees.iter().find_map(|&u| {
            k.0 = u;
            map.get(&k).map(|v| (u, v))
        })
    }
    /// The strongest blocking path from `key` (the shortest of equal
    /// strength): its strength, and the fns and call along it.
    fn chain(
        (unit, units): (Unit, &Units),
        key: &FnId,
        direct: &BTreeMap<(Unit, FnId), (u8, String)>,
        calls_of: &BTreeMap<(Unit, FnId), Vec<FnId>>,
        seen: &mut HashSet<(Unit, FnId)>,
    ) -> Option<(u8, Vec<String>)> {
        let mut best = seen_from(direct, units.sees(unit), key)
            .map(|(_, (strength, what))| (*strength, vec![key.to_string(), what.clone()]));
        let Some((unit, callees)) = seen_from(calls_of, units.sees(unit), key) else {
            return best;
        };
        if !seen.insert((unit, key.clone())) {
            return best;
        }
        for callee in callees {
            let Some((strength, mut rest)) = chain((unit, units), callee, direct, calls_of, seen)
            else {
                continue;
            };
            rest.insert(0, key.to_string());
            let better = best
                .as_ref()
                .is_none_or(|(s, b)| strength > *s || (strength == *s && rest.len() < b.len()));
            if better {
                best = Some((strength, rest));
            }
        }
        best
    }
    for (file, facts) in files.iter().enumerate().filter(|(_, f)| !f.read_only) {
        for c in &facts.calls {
            let Some(key) = c
                .callee_key
                .as_ref()
                .filter(|_| c.ctx == SiteContext::Async && !c.awaited)
            else {
                continue;
            };
            let unit = (units[file], units);
            let Some((_, path)) = chain(unit, key, &direct, &calls_of, &mut HashSet::new()) else {
                continue;
            };
            // The helper's own unit: the first unit it sees that defines it.
            let helper_unit = units
                .sees(units[file])
                .iter()
                .copied()
                .find(|&u| {
                    direct.contains_key(&(u, key.clone()))
                        || calls_of.contains_key(&(u, key.clone()))
                })
                .unwrap_or(units[file]);
            let at = Loc {
                file,
                range: c.range,
            };
            if !permitted(
                files,
                opts,
                &rules::BLOCKING_HELPER,
                &at,
                &mut out.suppressed,
            ) {
                continue;
            }
            out.blocking.push(BlockingReport {
                rule: &rules::BLOCKING_HELPER,
                at,
                message: format!(
                    "`{key}` is a sync fn that blocks: {}{}",
                    c.in_fn
                        .as_ref()
                        .map(|f| format!("{f} → "))
                        .unwrap_or_default(),
                    path.join(" → ")
                ),
                notes: vec!["make it async, or call it inside tokio::task::spawn_blocking".into()],
                fixed: false,
                fix: None,
                edits: Vec::new(),
                helper: Some(format!("{helper_unit}:{key}")),
            });
        }
    }
}
