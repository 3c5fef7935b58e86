//! AW202 `blocking-fs`: `std::fs` in async code, replaced by its `tokio::fs`
//! twin where one exists.

use super::blocking_calls::{Premise, Verdict};
use super::{Applicability, Rule, Severity};
use crate::blocking::{names_std_module, BlockingKind, MethodCall};
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
`fs` feature is added. Reads, writes, seeks and syncs (`std::io::Read`,
`Write`, `Seek`, `File::sync_all`, ..) on a `std::fs::File` whose type the
file declares (a parameter, a field) are reported too.

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
`read_dir`, `File::open`/`File::create` and `OpenOptions::..open(..)`
return other types in tokio (a `ReadDir` stream, an async `File`), so they,
and the I/O calls on a `File`, are reported with a suggestion only. A call inside a closure handed to a fn of the crate that passes its
closure parameter to `spawn_blocking` or `block_in_place` (tokio's
`asyncify`) already runs off the executor and is not reported, nor is one
in async code that only another executor's `block_on` runs on a thread of
its own (see AW201).

## Known problems
A call through a wrapper fn of the crate is left to AW205; one through a
wrapper in another crate is not seen.",
    ..Rule::blocking(Some(detect_call), Some(detect_method), finding, Some(may_match))
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

/// The `std::io::Read`, `Write` and `Seek` calls, and `File`'s own, that
/// do I/O on a `std::fs::File`.
const FILE_IO: &[&str] = &[
    "read",
    "read_to_string",
    "read_to_end",
    "read_exact",
    "write",
    "write_all",
    "write_fmt",
    "flush",
    "seek",
    "sync_all",
    "sync_data",
    "set_len",
    "metadata",
];

/// `OpenOptions::new()..open(p)`, on the chain or on a local the builder
/// was bound to: tokio's `OpenOptions` has the same builder, but opens a
/// `tokio::fs::File`, whose reads and writes are async. And a read or a
/// write on a `std::fs::File` its file declares (a parameter, a field): a
/// file opened in the same code is reported where it is opened. Reported,
/// not fixed.
fn detect_method(m: &MethodCall) -> Option<(BlockingKind, String)> {
    const BUILDERS: [&str; 2] = ["std::fs::OpenOptions::new", "std::fs::File::options"];
    if FILE_IO.contains(&m.name) && m.receiver_is("std::fs::File") {
        return Some((BlockingKind::FsOther, format!("std::fs::File::{}", m.name)));
    }
    if m.name != "open" {
        return None;
    }
    let built = BUILDERS.iter().any(|b| m.made_by_is(b))
        || m.bound_root()
            .is_some_and(|(f, index)| index.is_none() && BUILDERS.contains(&f.as_str()));
    built.then(|| {
        (
            BlockingKind::FsOther,
            "std::fs::OpenOptions::open".to_string(),
        )
    })
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
        BlockingKind::FsOther if !what.ends_with("::open") && !what.ends_with("::create") && what.starts_with("std::fs::File::") => Verdict::report(
            &BLOCKING_FS,
            format!("`{what}` does file I/O on the executor thread; a `tokio::fs::File` with `tokio::io::AsyncReadExt`/`AsyncWriteExt` does it asynchronously, or use tokio::task::spawn_blocking"),
        ),
        BlockingKind::FsOther => Verdict::report(
            &BLOCKING_FS,
            format!("`{what}` blocks the executor thread; its tokio::fs twin has another type: port the code that uses it, or use tokio::task::spawn_blocking"),
        ),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use crate::driver::test_support::{check_finding, check_fix, check_no_finding, TestCrate};

    #[test]
    fn reads_and_writes_on_a_std_file_its_file_declares_are_reported() {
        let found = TestCrate::main(
            r#"use std::fs::File;
use std::io::{Read, Write};

struct Log {
    out: File,
}

impl Log {
    async fn append(&mut self, line: &str) {
        self.out.write_all(line.as_bytes()).unwrap();
    }
}

async fn slurp(file: &mut File, buf: &mut Vec<u8>) -> String {
    buf.write_all(b"x").unwrap();
    let mut s = String::new();
    file.read_to_string(&mut s).unwrap();
    s
}

async fn tail(file: &mut tokio::fs::File) -> String {
    use tokio::io::AsyncReadExt;
    let mut s = String::new();
    file.read_to_string(&mut s).await.unwrap();
    s
}

fn main() {}
"#,
        )
        .calls_reported("AW202");
        assert_eq!(
            found,
            ["std::fs::File::read_to_string", "std::fs::File::write_all"]
        );
    }

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

    #[test]
    fn open_options_open_is_blocking_and_only_reported() {
        TestCrate::main(
            r#"use std::fs::OpenOptions;
use std::io::Write;

async fn log(line: &str) -> std::io::Result<()> {
    let mut f = OpenOptions::new().create(true).append(true).open("log.txt")?;
    writeln!(f, "{line}")
}

async fn touch() -> std::io::Result<()> {
    let mut o = std::fs::File::options();
    o.write(true).create(true);
    o.open("touched")?;
    Ok(())
}

#[tokio::main]
async fn main() {
    log("x").await.unwrap();
    touch().await.unwrap();
}
"#,
        )
        .check_message(
            "AW202",
            "`std::fs::OpenOptions::open` blocks the executor thread; its tokio::fs twin has another type",
            "",
        );
    }

    #[test]
    fn open_options_in_a_sync_helper_called_from_async_code_is_aw205() {
        TestCrate::main(
            r#"fn append(line: &str) {
    let mut f = std::fs::OpenOptions::new().append(true).open("log.txt").unwrap();
    std::io::Write::write_all(&mut f, line.as_bytes()).unwrap();
}

#[tokio::main]
async fn main() {
    append("x");
}
"#,
        )
        .check_message("AW205", "append → std::fs::OpenOptions::open", "");
    }

    #[test]
    fn open_is_not_blocking_fs_on_other_receivers() {
        check_no_finding(
            r#"struct Door;
impl Door {
    fn open(&self) {}
}

async fn enter(d: &Door) {
    d.open();
}

#[tokio::main]
async fn main() {
    enter(&Door).await;
}
"#,
        );
    }
}
