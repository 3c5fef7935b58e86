//! AW202 `blocking-fs`: `std::fs` in async code, replaced by its `tokio::fs`
//! twin where one exists.

use super::blocking_calls::{Premise, Verdict};
use super::{Applicability, Rule, Severity};
use crate::blocking::{names_std_module, BlockingKind};
use crate::facts::BlockingFact;

pub const BLOCKING_FS: Rule = Rule {
    code: "AW202",
    name: "blocking-fs",
    severity: Severity::Warning,
    fix: Some(Applicability::Safe),
    summary: "std::fs in async code",
    doc: "## What it does
Finds `std::fs` calls in async code. Those with a `tokio::fs` twin of the
same signature and return type (`read`, `read_to_string`, `write`,
`create_dir(_all)`, `remove_file`, `remove_dir(_all)`, `rename`, `copy`,
`metadata`, `symlink_metadata`, `canonicalize`, `hard_link`, `read_link`,
`set_permissions`, `try_exists`) become `tokio::fs::name(..).await`; tokio's
`fs` feature is added.

## Why is this bad?
File I/O blocks the executor thread for as long as the disk takes.

## Example
```rust
async fn load(p: &Path) -> io::Result<String> { std::fs::read_to_string(p) }
```

## Use instead
```rust
async fn load(p: &Path) -> io::Result<String> { tokio::fs::read_to_string(p).await }
```

## Fix safety
Safe for the twins: same arguments, same result, where the async fn
provably runs on a tokio runtime and the code can use tokio (see AW201).
`read_dir` and `File::open`/`File::create` return other types in tokio (a
`ReadDir` stream, an async `File`), so they are reported with a suggestion
only. A call inside a closure handed to a fn of the crate that passes its
closure parameter to `spawn_blocking` or `block_in_place` (tokio's
`asyncify`) already runs off the executor and is not reported, nor is one
in async code that only another executor's `block_on` runs on a thread of
its own (see AW201).

## Known problems
A call through a wrapper fn of the crate is left to AW205; one through a
wrapper in another crate is not seen.",
    ..Rule::blocking(Some(detect_call), None, finding, Some(may_match))
};

/// For the prefilter: `std::fs`.
fn may_match(text: &str) -> bool {
    names_std_module(text, "std::fs")
}

/// `std::fs` functions whose `tokio::fs` twin takes the same arguments and
/// returns the same type, so `.await` is the whole change.
const FS_TWINS: &[&str] = &[
    "read",
    "read_to_string",
    "write",
    "create_dir",
    "create_dir_all",
    "remove_file",
    "remove_dir",
    "remove_dir_all",
    "rename",
    "copy",
    "metadata",
    "symlink_metadata",
    "canonicalize",
    "hard_link",
    "read_link",
    "set_permissions",
    "try_exists",
];

/// A `std::fs` call: a twin, or one whose tokio counterpart has another type.
fn detect_call(path: &str) -> Option<BlockingKind> {
    match path {
        "std::fs::read_dir" | "std::fs::File::open" | "std::fs::File::create" => {
            Some(BlockingKind::FsOther)
        }
        _ => {
            let name = path.strip_prefix("std::fs::")?;
            FS_TWINS.contains(&name).then(|| BlockingKind::Fs {
                name: name.to_string(),
            })
        }
    }
}

/// The twin where the code runs on tokio; a suggestion otherwise.
fn finding(b: &BlockingFact, premise: &Premise) -> Option<Verdict> {
    if premise.own_thread {
        return None;
    }
    let what = &b.call.what;
    Some(match &b.call.kind {
        BlockingKind::Fs { name } if premise.on_tokio => Verdict::report(
            &BLOCKING_FS,
            format!("`{what}` blocks the executor thread; use `tokio::fs::{name}(..).await`"),
        )
        .fix(b, format!("tokio::fs::{name}"), "fs", false)
        .needs_tokio(),
        BlockingKind::Fs { .. } => Verdict::report(
            &BLOCKING_FS,
            format!("`{what}` blocks the executor thread; use the async runtime's file API, or move it off the executor"),
        )
        .needs_tokio(),
        BlockingKind::FsOther => Verdict::report(
            &BLOCKING_FS,
            format!("`{what}` blocks the executor thread; its tokio::fs twin has another type: port the code that uses it, or use tokio::task::spawn_blocking"),
        ),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{check_finding, check_fix};

    #[test]
    fn a_std_fs_twin_becomes_tokio_fs() {
        check_fix(
            r#"async fn load() -> std::io::Result<String> {
    std::fs::read_to_string("Cargo.toml")
}

#[tokio::main]
async fn main() {
    println!("{:?}", load().await);
}
"#,
            r#"async fn load() -> std::io::Result<String> {
    tokio::fs::read_to_string("Cargo.toml").await
}

#[tokio::main]
async fn main() {
    println!("{:?}", load().await);
}
"#,
        );
    }

    #[test]
    fn read_dir_has_no_drop_in_twin_and_is_only_reported() {
        check_finding(
            r#"async fn count() -> usize {
    std::fs::read_dir(".").map(|d| d.count()).unwrap_or(0)
}

#[tokio::main]
async fn main() {
    println!("{}", count().await);
}
"#,
            "AW202",
        );
    }
}
