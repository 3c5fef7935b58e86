//! AW104 `short-critical-section`: a std lock never held across an `.await`,
//! kept under `--policy held-across-await`.

use crate::rules::LockFinding;

use super::{Rule, Severity};

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

## Example
```rust
async fn bump(n: &Mutex<u64>) { *n.lock().unwrap() += 1; } // no .await while held
```

## Use instead
Nothing: it is kept on purpose. Wrap the section in a sync fn if it grows.

## Fix safety
No fix. Run with the default policy, `async-use`, to migrate it anyway.

## Known problems
A guard moved into a helper that awaits is not followed; such a lock counts
as held only briefly.",
    ..Rule::lock(message)
};

/// Kept on purpose under the policy.
fn message(l: &LockFinding) -> (String, Vec<String>) {
    (
        format!(
            "{} is {}, but its guard is never held across an `.await`; kept (policy held-across-await)",
            l.what, l.where_locked
        ),
        Vec::new(),
    )
}

#[cfg(test)]
mod tests {
    use crate::driver::test_support::TestCrate;

    #[test]
    fn a_guard_never_held_across_await_is_kept_under_the_policy() {
        TestCrate::main(
            r#"use std::sync::Mutex;

async fn bump(n: &Mutex<u64>) {
    *n.lock().unwrap() += 1;
}

#[tokio::main]
async fn main() {
    bump(&Mutex::new(0)).await;
}
"#,
        )
        .file("awaitify.toml", "policy = \"held-across-await\"\n")
        .check_finding("AW104");
    }
}
