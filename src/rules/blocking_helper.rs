//! AW205 `blocking-helper-call`: async code calling a sync fn of the crate that
//! blocks, with the chain.

use std::collections::{BTreeMap, HashSet};

use super::blocking_calls::BlockingReport;
use super::{Applicability, Rule, Severity};
use crate::blocking::BlockingKind;
use crate::edits::layout;
use crate::facts::{BlockingFact, FileFacts, FnId, SiteContext};
use crate::locks::{permitted, CratePlan, Loc, Unit, Units};
use crate::settings::PlanOptions;

pub const BLOCKING_HELPER: Rule = Rule {
    code: "AW205",
    name: "blocking-helper-call",
    severity: Severity::Warning,
    fix: Some(Applicability::DisplayOnly),
    summary: "async code calls a sync helper that blocks",
    doc: "## What it does
Reports a call from async code to a sync fn of the same crate that makes a
blocking call, directly or through further sync fns, with the chain:
`handle → load_config → std::fs::read_to_string`.

## Why is this bad?
The blocking call runs on the executor thread, hidden one call away.

## Example
```rust
fn load_config() -> String { std::fs::read_to_string(\"app.toml\").unwrap() }
async fn handle() -> usize { load_config().len() }
```

## Use instead
```rust
async fn handle() -> usize {
    tokio::task::spawn_blocking(load_config).await.unwrap().len()
}
```

## Fix safety
Display-only: make the helper async, or call it inside
`tokio::task::spawn_blocking`.

## Known problems
Calls are matched by path (`helper(..)`, `Type::f(..)`, `Self::f(..)`,
`self.f(..)`); calls through other receivers are not followed.",
    ..Rule::crate_pass(plan, None)
};

/// Blocking calls and sync calls, by the sync fn they are in.
struct SyncFns {
    /// The strongest blocking call of each sync fn, by unit and fn key (the
    /// first of equal strength).
    direct: BTreeMap<(Unit, FnId), (u8, String)>,
    /// The sync fns each sync fn calls. An awaited call calls an async fn:
    /// never one of these.
    calls_of: BTreeMap<(Unit, FnId), Vec<FnId>>,
}

impl SyncFns {
    fn new(files: &[&FileFacts], units: &Units) -> SyncFns {
        let mut direct: BTreeMap<(Unit, FnId), (u8, String)> = BTreeMap::new();
        let mut calls_of: BTreeMap<(Unit, FnId), Vec<FnId>> = BTreeMap::new();
        let handles = super::blocking_calls::HandleFns::new(files, units);
        for (file, facts) in files.iter().enumerate() {
            // A closure the fn only stores or hands on does not run when
            // the fn does.
            let blocking = facts.blocking.iter().filter(|b| !b.deferred);
            for b in blocking.filter(|b| handles.confirm(b, units[file], units)) {
                if let SiteContext::Sync { fn_name, .. } = &b.ctx {
                    let what = &b.call.what;
                    let e = direct
                        .entry((units[file], fn_name.clone()))
                        .or_insert_with(|| (0, what.clone()));
                    if strength(b) > e.0 {
                        *e = (strength(b), what.clone());
                    }
                }
            }
            for c in facts.calls.iter().filter(|c| !c.awaited && !c.deferred) {
                if let (SiteContext::Sync { fn_name, .. }, Some(key)) = (&c.ctx, &c.callee_key) {
                    calls_of
                        .entry((units[file], fn_name.clone()))
                        .or_default()
                        .push(key.clone());
                }
            }
        }
        SyncFns { direct, calls_of }
    }

    /// The strongest blocking path from `key`, seen from `unit`.
    fn chain(&self, unit: Unit, units: &Units, key: &FnId) -> Option<(u8, Vec<String>)> {
        chain(
            (unit, units),
            key,
            &self.direct,
            &self.calls_of,
            &mut HashSet::new(),
        )
    }

    /// The helper's own unit: the first unit `unit` sees that defines it.
    fn unit_of(&self, unit: Unit, units: &Units, key: &FnId) -> Unit {
        units
            .sees(unit)
            .iter()
            .copied()
            .find(|&u| {
                self.direct.contains_key(&(u, key.clone()))
                    || self.calls_of.contains_key(&(u, key.clone()))
            })
            .unwrap_or(unit)
    }
}

/// How strongly a blocking call blocks, for picking the chain an AW205
/// finding shows: a `block_on` or a sleep over a wait that may be short,
/// file I/O, or CPU work.
fn strength(b: &BlockingFact) -> u8 {
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

/// A report, with the chain, for each async call of a sync fn that blocks.
fn plan(
    files: &[&FileFacts],
    _: &[layout::Source],
    units: &Units,
    opts: &PlanOptions,
    out: &mut CratePlan,
) {
    let sync_fns = SyncFns::new(files, units);
    for (file, facts) in files.iter().enumerate().filter(|(_, f)| !f.read_only) {
        for c in &facts.calls {
            let Some(key) = c
                .callee_key
                .as_ref()
                .filter(|_| c.ctx == SiteContext::Async && !c.awaited)
            else {
                continue;
            };
            let Some((_, path)) = sync_fns.chain(units[file], units, key) else {
                continue;
            };
            let helper_unit = sync_fns.unit_of(units[file], units, key);
            let at = Loc {
                file,
                range: c.range,
            };
            if !permitted(files, opts, &BLOCKING_HELPER, &at, &mut out.suppressed) {
                continue;
            }
            let caller = c.in_fn.as_ref().map(|f| format!("{f} → "));
            out.blocking.push(BlockingReport {
                rule: &BLOCKING_HELPER,
                at,
                message: format!(
                    "`{key}` is a sync fn that blocks: {}{}",
                    caller.unwrap_or_default(),
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

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{check_finding, check_no_finding};

    #[test]
    fn an_async_call_of_a_sync_fn_that_reads_a_file_is_reported() {
        check_finding(
            r#"fn load_config() -> String {
    std::fs::read_to_string("app.toml").unwrap_or_default()
}

async fn handle() -> usize {
    load_config().len()
}

#[tokio::main]
async fn main() {
    println!("{}", handle().await);
}
"#,
            "AW205",
        );
    }

    #[test]
    fn a_sync_fn_called_only_from_sync_code_is_no_finding() {
        check_no_finding(
            r#"fn load_config() -> String {
    std::fs::read_to_string("app.toml").unwrap_or_default()
}

fn main() {
    println!("{}", load_config().len());
}
"#,
        );
    }
}
