//! AW103 `parking-lot-lock-in-async`: a parking_lot lock locked in async code,
//! migrated on request.

use crate::locks::Decision;
use crate::rules::LockFinding;

use super::{Applicability, Rule, Severity};

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

## Example
```rust
static HITS: parking_lot::Mutex<u64> = parking_lot::Mutex::new(0);
async fn hit() { *HITS.lock() += 1; }
```

## Use instead (with `--parking-lot`)
```rust
static HITS: tokio::sync::Mutex<u64> = tokio::sync::Mutex::const_new(0);
async fn hit() { *HITS.lock().await += 1; }
```

## Fix safety
Safe when opted in: `m.lock()` becomes `m.lock().await`; `try_lock` (an
`Option` in parking_lot) blocks the migration.

## Known problems
A lock built with `parking_lot::const_mutex` (or `const_rwlock`) is reported
as manual; `ReentrantMutex` and `FairMutex` are not recognised.",
    ..Rule::lock(message)
};

/// Reported: migrating it is the user's choice. Opted in (`--parking-lot`),
/// it migrates and says so in the std rule's words.
fn message(l: &LockFinding) -> (String, Vec<String>) {
    if l.report.decision == Decision::Migrate {
        return super::std_lock_in_async::migrating_message(l);
    }
    let notes = match l.report.notes.is_empty() {
        true => vec!["run with --parking-lot to migrate it to tokio::sync".to_string()],
        false => l.report.notes.clone(),
    };
    (format!("{} is {}", l.what, l.where_locked), notes)
}

#[cfg(test)]
mod tests {
    use crate::driver::test_support::{check_finding, TestCrate};

    #[test]
    fn a_parking_lot_mutex_locked_in_async_code_is_reported() {
        check_finding(
            r#"static HITS: parking_lot::Mutex<u64> = parking_lot::Mutex::new(0);

async fn hit() {
    *HITS.lock() += 1;
}

#[tokio::main]
async fn main() {
    hit().await;
}
"#,
            "AW103",
        );
    }

    #[test]
    fn a_lock_the_opt_in_would_not_migrate_says_why_instead_of_promising() {
        let src = r#"static LIMITS: parking_lot::RwLock<u64> = parking_lot::RwLock::new(0);
static HITS: parking_lot::Mutex<u64> = parking_lot::Mutex::new(0);

async fn check() -> u64 {
    let first = *LIMITS.read();
    let limits = LIMITS.upgradable_read();
    *HITS.lock() += 1;
    first + *limits
}

#[tokio::main]
async fn main() {
    check().await;
}
"#;
        let krate = TestCrate::main(src);
        krate.check_note(
            "AW103",
            "--parking-lot would leave it unchanged too: it is called with `upgradable_read`, which tokio's locks do not have",
        );
        krate.check_note(
            "AW103",
            "run with --parking-lot to migrate it to tokio::sync",
        );
    }

    #[test]
    fn a_parking_lot_mutex_migrated_on_request_stays_aw103() {
        let src = r#"static HITS: parking_lot::Mutex<u64> = parking_lot::Mutex::new(0);

async fn hit() {
    *HITS.lock() += 1;
}

#[tokio::main]
async fn main() {
    hit().await;
}
"#;
        TestCrate::main(src)
            .file("awaitify.toml", "parking-lot = true\n")
            .check_message(
                "AW103",
                "parking_lot Mutex static `HITS` is locked in async code in `hit` at src/main.rs:4:11; migrating it to tokio::sync::Mutex",
                "AW101",
            );
    }
}
