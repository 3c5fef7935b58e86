//! AW001 `unused-suppression`: an `awaitify: allow(..)` comment that suppresses
//! nothing, and its removal.
//!
//! Finding one means planning the crate again without the comments, which
//! is the driver's work: its detection, message and fix are `unused_allows`
//! and `allow_removal` in `driver.rs`.

use super::{Applicability, Family, Hooks, Primary, Rule, Severity};

pub const UNUSED_SUPPRESSION: Rule = Rule {
    code: "AW001",
    name: "unused-suppression",
    severity: Severity::Warning,
    fix: Some(Applicability::Safe),
    summary: "an `awaitify: allow(..)` comment suppresses nothing",
    doc: "## What it does
Reports an `// awaitify: allow(..)` comment (or a rule it names) that
suppresses no finding, like ruff's RUF100. Only rules this run checks count:
a comment naming a rule that `--select` or `ignore` turned off is left alone.

## Why is this bad?
A suppression that outlived its finding hides the next finding that appears
under it, and tells readers about a problem that is not there.

## Example
```rust
// awaitify: allow(blocking-sleep)
async fn tick() {
    tokio::time::sleep(D).await;
}
```

## Use instead
```rust
async fn tick() {
    tokio::time::sleep(D).await;
}
```

## Fix safety
Safe: it removes the comment (its line, when the comment is alone on it), or
only the rules that suppress nothing.

## Known problems
A comment in a file the run does not analyse (one that cannot hold a lock or
a blocking call) is not checked. Suppressions from `per-file-ignores` are
not reported. A comment naming one lock rule (AW101 to AW104) counts as used
by any lock finding under it: which of them a lock gets can depend on files
the check does not analyse.",
    family: Family::Suppression,
    primary: Primary::Comment,
    hooks: Hooks::NONE,
};

#[cfg(test)]
mod tests {
    use crate::driver::test_support::check_fix;

    #[test]
    fn a_comment_that_suppresses_nothing_is_removed() {
        check_fix(
            r#"use std::sync::Mutex;

// awaitify: allow(blocking-sleep)
fn count(m: &Mutex<u32>) -> u32 {
    *m.lock().unwrap()
}

fn main() {
    println!("{}", count(&Mutex::new(1)));
}
"#,
            r#"use std::sync::Mutex;

fn count(m: &Mutex<u32>) -> u32 {
    *m.lock().unwrap()
}

fn main() {
    println!("{}", count(&Mutex::new(1)));
}
"#,
        );
    }
}
