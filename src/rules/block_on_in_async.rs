//! AW204 `block-on-in-async`: `block_on` called inside async code.

use ra_ap_syntax::AstNode;

use super::blocking_calls::{Premise, Verdict};
use super::{Rule, Severity};
use crate::blocking::{BlockingKind, MethodCall};
use crate::facts::BlockingFact;

pub const BLOCK_ON_IN_ASYNC: Rule = Rule {
    code: "AW204",
    name: "block-on-in-async",
    severity: Severity::Error,
    fix: None,
    summary: "block_on called inside async code",
    doc: "## What it does
Reports `futures::executor::block_on`, `Runtime::block_on` and
`Handle::block_on` called inside async code.

## Why is this bad?
tokio panics (\"Cannot start a runtime from within a runtime\"); other
executors deadlock when the blocked thread is the one that would drive the
inner future.

## Example
```rust
async fn fetch() -> u32 { futures::executor::block_on(load()) }
```

## Use instead
```rust
async fn fetch() -> u32 { load().await }
```

## Fix safety
No fix: `.await` the future instead.

## Known problems
A runtime handle stored in a field and called through a method of another
name is not followed.",
    ..Rule::blocking(Some(detect_call), Some(detect_method), finding, None)
};

/// `futures::executor::block_on(f)`.
fn detect_call(path: &str) -> Option<BlockingKind> {
    matches!(
        path,
        "futures::executor::block_on" | "futures_executor::block_on"
    )
    .then_some(BlockingKind::BlockOn)
}

/// `rt.block_on(f)`, `Handle::current().block_on(f)`: any receiver.
fn detect_method(m: &MethodCall) -> Option<(BlockingKind, String)> {
    (m.name == "block_on").then(|| {
        (
            BlockingKind::BlockOn,
            format!("{}.block_on", m.recv.syntax().text()),
        )
    })
}

/// Reported, never fixed: the future is to be awaited.
fn finding(b: &BlockingFact, _: &Premise) -> Option<Verdict> {
    (b.call.kind == BlockingKind::BlockOn).then(|| {
        Verdict::report(
            &BLOCK_ON_IN_ASYNC,
            format!(
                "`{}` inside async code panics on a tokio runtime or deadlocks; `.await` the future instead",
                b.call.what
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use crate::driver::test_support::check_finding;

    #[test]
    fn block_on_inside_async_code_is_an_error() {
        check_finding(
            r#"async fn load() -> u32 {
    1
}

async fn fetch() -> u32 {
    futures::executor::block_on(load())
}

#[tokio::main]
async fn main() {
    println!("{}", fetch().await);
}
"#,
            "AW204",
        );
    }
}
