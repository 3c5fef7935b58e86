//! AW101 `std-lock-in-async`: a std lock locked in async code, migrated to
//! `tokio::sync`.

use crate::rules::LockFinding;

use super::{Applicability, Rule, Severity};

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
where they provably run off the runtime (blocking closures, a sync `main`);
with `--unsafe-fixes`, a sync fn called only from async code becomes
`async` instead (see AW102), an unsafe fix.
Poison handling disappears: tokio locks do not poison. Where the code only
panics on a poisoned lock (`.unwrap()`, `.expect(..)`) or takes its guard
back (`e.into_inner()`), that is the one named difference; where it gives
poisoning a meaning of its own (an error returned, an `else` branch), the
fix is unsafe and the lock is AW102 without `--unsafe-fixes`. Guards are
dropped at the same points as before.

## Known problems
A lock reached through code the tool cannot follow (a generic helper, an
unknown macro, an unresolved receiver near it) is reported as AW102 instead.",
    ..Rule::lock(message)
};

/// Migrating: the lock's type changes for the crates that use a public one.
fn message(l: &LockFinding) -> (String, Vec<String>) {
    migrating_message(l)
}

/// The words of a lock that migrates (std, or parking_lot on request).
pub(super) fn migrating_message(l: &LockFinding) -> (String, Vec<String>) {
    let r = l.report;
    let exported = r.exported.then(|| "it is public in a library: its type changes for the crates that use it, which must lock it with `.await` too (those of this run are migrated with it)".to_string());
    (
        format!(
            "{} is {}; migrating it to tokio::sync::{}",
            l.what,
            l.where_locked,
            r.lock.name()
        ),
        exported
            .into_iter()
            .chain(r.notes.iter().cloned())
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use crate::driver::test_support::{check_fix, check_no_finding};

    #[test]
    fn a_std_mutex_locked_in_an_async_fn_is_migrated() {
        check_fix(
            r#"use std::sync::{Arc, Mutex};

async fn add(db: Arc<Mutex<Vec<u32>>>) {
    db.lock().unwrap().push(1);
}

#[tokio::main]
async fn main() {
    add(Arc::new(Mutex::new(Vec::new()))).await;
}
"#,
            r#"use std::sync::Arc;
use tokio::sync::Mutex;

async fn add(db: Arc<Mutex<Vec<u32>>>) {
    db.lock().await.push(1);
}

#[tokio::main]
async fn main() {
    add(Arc::new(Mutex::new(Vec::new()))).await;
}
"#,
        );
    }

    #[test]
    fn a_std_mutex_locked_only_in_sync_code_is_kept() {
        check_no_finding(
            r#"use std::sync::Mutex;

fn main() {
    let m = Mutex::new(1);
    *m.lock().unwrap() += 1;
}
"#,
        );
    }
}
