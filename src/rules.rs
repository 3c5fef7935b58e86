//! The rules awaitify reports, each with the documentation `awaitify explain`
//! prints.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Warning,
    Note,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }
}

/// How far a fix can be trusted (rustc's and ruff's applicability).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applicability {
    /// Keeps meaning; applied by `--write`.
    Safe,
    /// Valid code that may change behaviour; needs an opt-in.
    Unsafe,
    /// Shown, never applied.
    DisplayOnly,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
            Applicability::DisplayOnly => "display-only",
        }
    }
}

#[derive(Debug)]
pub struct Rule {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub fix: Option<Applicability>,
    pub summary: &'static str,
    pub doc: &'static str,
}

pub const STD_LOCK_IN_ASYNC: Rule = Rule {
    code: "AW101",
    name: "std-lock-in-async",
    severity: Severity::Warning,
    fix: Some(Applicability::Safe),
    summary: "a std Mutex or RwLock is locked in async code",
    doc: "## What it does
Finds `std::sync::Mutex` and `RwLock` values (fields, statics, locals,
parameters, type aliases, through `Arc`, `Option`, `LazyLock`, ...) that are
locked inside async code, and migrates each one, in every file of the crate,
to `tokio::sync`.

## Why is this bad?
A contended std `lock()` parks the executor thread in the kernel: every task
scheduled on that thread stalls until the lock is free. A std guard held
across an `.await` can deadlock the runtime.

## Example
```rust
use std::sync::{Arc, Mutex};
async fn add(db: Arc<Mutex<Vec<u32>>>) {
    db.lock().unwrap().push(1);
}
```

## Use instead
```rust
use std::sync::Arc;
use tokio::sync::Mutex;
async fn add(db: Arc<Mutex<Vec<u32>>>) {
    db.lock().await.push(1);
}
```

## Fix safety
Safe. Imports, types, constructors (`const_new` in statics) and every lock
site change together or not at all. Sync sites become `blocking_lock()` only
where they provably run off the runtime (blocking closures, a sync `main`).
Poison handling disappears: tokio locks do not poison. Guards are dropped at
the same points as before.

## Known problems
A lock reached through code the tool cannot follow (a generic helper, an
unknown macro, an unresolved receiver near it) is reported as AW102 instead.",
};

pub const MANUAL_LOCK_MIGRATION: Rule = Rule {
    code: "AW102",
    name: "manual-lock-migration",
    severity: Severity::Warning,
    fix: None,
    summary: "a lock is locked in async code but cannot be migrated safely",
    doc: "## What it does
Reports a std lock that is locked in async code when some use of it blocks a
safe rewrite, naming each blocker and its place. Nothing of that lock is
changed.

## Why is this bad?
Same as AW101: the lock can stall the executor. But a rewrite would not
compile or would change behaviour, so a person has to decide.

## Blockers
- a lock site in a non-async closure inside async code (`.await` is impossible);
- a sync fn that locks it and is called from async code, or that nothing
  shows to run off the runtime (`blocking_lock` panics on a runtime thread);
- a `Drop` impl; a static initializer;
- a `Condvar` paired with it, or its guard passed to `Condvar::wait`;
- a std guard type in a fn signature or stored in a struct;
- the lock `Result` used in a way with no tokio equivalent (`is_poisoned`, a
  bound `LockResult`, a `match` on `TryLockError`);
- a receiver that could be more than one lock, an unresolved receiver near a
  use of it, or a use inside a macro the tool cannot parse.

## Fix safety
No fix.",
};

pub const PARKING_LOT_IN_ASYNC: Rule = Rule {
    code: "AW103",
    name: "parking-lot-lock-in-async",
    severity: Severity::Warning,
    fix: Some(Applicability::Safe),
    summary: "a parking_lot lock is locked in async code",
    doc: "## What it does
Reports `parking_lot::Mutex` and `RwLock` values locked inside async code.
With `--parking-lot` they are migrated to `tokio::sync` like std locks.

## Why is this bad?
parking_lot locks block the executor thread just like std ones, only with
less overhead. Many services use them on purpose for short critical
sections, so migration is opt-in.

## Fix safety
Safe when opted in: `m.lock()` becomes `m.lock().await`; `try_lock` (an
`Option` in parking_lot) blocks the migration.",
};

pub const SHORT_CRITICAL_SECTION: Rule = Rule {
    code: "AW104",
    name: "short-critical-section",
    severity: Severity::Note,
    fix: None,
    summary: "a std lock is locked in async code but never held across an `.await`",
    doc: "## What it does
Under `--policy held-across-await`, notes a std lock that is locked in async
code but whose guard never lives across an `.await`; it is kept.

## Why is this bad?
It may not be: tokio's own guidance is that a std mutex is fine, and faster,
for short critical sections that never hold the guard across an `.await`.

## Fix safety
No fix. Run with the default policy, `async-use`, to migrate it anyway.",
};

pub const RULES: &[&Rule] = &[
    &STD_LOCK_IN_ASYNC,
    &MANUAL_LOCK_MIGRATION,
    &PARKING_LOT_IN_ASYNC,
    &SHORT_CRITICAL_SECTION,
];

pub fn find(code: &str) -> Option<&'static Rule> {
    RULES
        .iter()
        .copied()
        .find(|r| r.code.eq_ignore_ascii_case(code) || r.name == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_is_documented_and_unique() {
        let mut codes: Vec<_> = RULES.iter().map(|r| r.code).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), RULES.len());
        for r in RULES {
            assert!(r.doc.starts_with("## What it does"), "{}", r.code);
            assert!(r.doc.contains("## Fix safety"), "{}", r.code);
        }
    }
}
