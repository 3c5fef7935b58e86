//! AW002 `harness-fixture`: a note for a file a test harness compiles, which is
//! left unchanged.
//!
//! The driver finds the files a harness compiles (`harness_fixtures`,
//! `harness_literals`) and writes the note (`harness_notes`, in
//! `driver.rs`).

use super::{Family, Hooks, Primary, Rule, Severity};

pub const HARNESS_FIXTURE: Rule = Rule {
    code: "AW002",
    name: "harness-fixture",
    severity: Severity::Note,
    fix: None,
    summary: "a file a test harness compiles is left unchanged",
    doc: "## What it does
Notes a file that a test harness compiles as an expected failure or with
expected output, and that holds a lock site or a blocking call in async
code. Such a file is never rewritten, and its findings are not reported:
this note stands for them.

These files are, by default, those under `tests/ui/`, `tests/compile-fail/`
and `tests/fail/` (the `harness-fixtures` configuration key replaces this
list), and those that the crate's tests pass to trybuild or ui_test: the
string literals (paths or globs) in calls such as
`t.compile_fail(\"tests/ui/*.rs\")`, `t.pass(..)` or
`ui_test::..(\"tests/fixtures\")` in files under `tests/`.

## Why is this bad?
It is not. A trybuild fixture may hold a std `MutexGuard` across an
`.await` precisely to check that the future is not `Send`; migrating it
would defeat the test, and its `.stderr` file would no longer match.

## Example
```rust
// tests/ui/guard_not_send.rs, compiled by `t.compile_fail(\"tests/ui/*.rs\")`
async fn held(m: &std::sync::Mutex<u8>) {
    let g = m.lock().unwrap();
    other().await;
}
```

## Use instead
Nothing: the file is the test's input.

## Fix safety
No fix.

## Known problems
Harness calls are found by their method names (`compile_fail`, `pass`,
`compile_fail_check_sub`, and paths in `ui_test` calls) and string
literals; a path built at run time is not seen.",
    family: Family::Harness,
    primary: Primary::Call,
    hooks: Hooks::NONE,
};

#[cfg(test)]
mod tests {
    use crate::driver::test_support::TestCrate;

    #[test]
    fn a_ui_test_holding_a_guard_across_await_is_noted_not_changed() {
        TestCrate::main("fn main() {}\n")
            .file(
                "tests/ui/guard_not_send.rs",
                r#"use std::sync::Mutex;

async fn held(m: &Mutex<u8>) {
    let g = m.lock().unwrap();
    tokio::task::yield_now().await;
    drop(g);
}

fn main() {}
"#,
            )
            .check_finding("AW002");
    }
}
