//! AW203 `blocking-wait`: a blocking wait in async code (a process, a channel,
//! a thread, the network).

use ra_ap_syntax::{
    ast::{self, HasArgList},
    AstNode, TextRange, TextSize,
};

use super::blocking_calls::{Premise, Verdict};
use super::{Applicability, Rule, Severity};
use crate::blocking::{names_std_module, BlockingKind, MethodCall};
use crate::facts::BlockingFact;

pub const BLOCKING_WAIT: Rule = Rule {
    code: "AW203",
    name: "blocking-wait",
    severity: Severity::Warning,
    fix: Some(Applicability::Unsafe),
    summary: "a blocking wait in async code",
    doc: "## What it does
Reports blocking waits in async code: `std::process::Command::output` /
`status`, `Child::wait`, `std::sync::mpsc::Receiver::recv(_timeout)`,
`std::thread::JoinHandle::join`, `Condvar::wait*`, `Barrier::wait`,
`std::io::stdin().read_line`, `std::net::TcpStream::connect`,
`TcpListener::accept`, `reqwest::blocking::*`. Channels, handles, condvars
and children are recognised through the `let` that created them; a thread's
handle also where the `let` calls a fn of the crate whose declared return
type is `std::thread::JoinHandle`.

## Why is this bad?
The executor thread waits for a process, another thread, the network or the
terminal.

## Example
```rust
async fn version() -> bool { Command::new(\"rustc\").arg(\"-V\").output().is_ok() }
```

## Use instead
```rust
async fn version() -> bool { tokio::process::Command::new(\"rustc\").arg(\"-V\").output().await.is_ok() }
```

## Fix safety
`Command::..output()` / `.status()` become `tokio::process::Command` with
`.await` (same builder, same `Output`): unsafe, applied only with
`--unsafe-fixes`, since a tokio child is not killed or reaped the same way if
the task is cancelled. The rest is display-only: use `tokio::sync::mpsc`,
`JoinHandle` from `tokio::task::spawn_blocking`, `tokio::net`,
`tokio::io::stdin` or async `reqwest`, or move the call into
`tokio::task::spawn_blocking`.

## Known problems
A receiver that arrives as a parameter or field is not recognised.",
    ..Rule::blocking(Some(detect_call), Some(detect_method), finding, Some(may_match))
};

/// For the prefilter: each wait with the names its detection needs.
fn may_match(text: &str) -> bool {
    (text.contains("Command") && names_std_module(text, "std::process"))
        || (text.contains("read_line(") && text.contains("stdin"))
        || names_std_module(text, "std::net")
        || text.contains("reqwest::blocking")
        || (text.contains("mpsc") && text.contains(".recv"))
        // A handle a fn of the crate returns may come from another file.
        || text.contains(".join()")
        || (returns_join_handle(text) && names_std_module(text, "std::thread"))
        || text.contains("Condvar")
        || text.contains("Barrier")
}

/// Could the text declare a fn that returns a `JoinHandle` (`-> JoinHandle<`,
/// `-> std::thread::JoinHandle<`)? Its callers' joins may be in other files.
fn returns_join_handle(text: &str) -> bool {
    text.match_indices("JoinHandle<").any(|(at, _)| {
        let before =
            text[..at].trim_end_matches(|c: char| c.is_alphanumeric() || c == '_' || c == ':');
        before.trim_end().ends_with("->")
    })
}

/// A blocking network call or `reqwest::blocking`. Binding a UDP socket
/// waits on nothing; connecting a TCP stream waits for the handshake.
fn detect_call(path: &str) -> Option<BlockingKind> {
    (path == "std::net::TcpStream::connect" || path.starts_with("reqwest::blocking::"))
        .then_some(BlockingKind::Wait)
}

/// A wait on a process, a channel, a thread, a condvar, a barrier, stdin or
/// a listener, recognised by the call its receiver was built by.
fn detect_method(m: &MethodCall) -> Option<(BlockingKind, String)> {
    let name = m.name;
    let wait = |what: String| Some((BlockingKind::Wait, what));
    match name {
        "output" | "status" if m.made_by_is("std::process::Command::new") => {
            let (_, path) = m.made_by.clone()?;
            // The `Command` of `Command::new`.
            let command = TextRange::new(path.start(), path.end() - TextSize::of("::new"));
            Some((
                BlockingKind::Process {
                    command: m.in_file(command),
                },
                format!("std::process::Command::{name}"),
            ))
        }
        // A zero timeout polls: it never waits.
        "recv_timeout"
            if m.call
                .arg_list()
                .and_then(|a| a.args().next())
                .is_some_and(|a| zero_duration(&a)) =>
        {
            None
        }
        "recv" | "recv_timeout" => match m.bound_root()? {
            (f, Some(1))
                if f == "std::sync::mpsc::channel" || f == "std::sync::mpsc::sync_channel" =>
            {
                wait(format!("std::sync::mpsc::Receiver::{name}"))
            }
            _ => None,
        },
        // `thread::spawn(..).join()`, or a handle bound (maybe by a block's tail).
        "join" => match m
            .bound_root()
            .or_else(|| m.made_by.clone().map(|(f, _)| (f, None)))?
        {
            (f, None) if f == "std::thread::spawn" || f == "std::thread::Builder::new" => {
                wait("std::thread::JoinHandle::join".to_string())
            }
            _ => None,
        },
        "wait" | "wait_while" | "wait_timeout" | "wait_timeout_while" => match m.bound_root()? {
            (f, None) if f == "std::sync::Condvar::new" => {
                wait(format!("std::sync::Condvar::{name}"))
            }
            (f, None) if f == "std::sync::Barrier::new" => {
                wait("std::sync::Barrier::wait".to_string())
            }
            (f, None) if f == "std::process::Command::new" => {
                wait("std::process::Child::wait".to_string())
            }
            _ => None,
        },
        "read_line" | "lines" if m.made_by_is("std::io::stdin") => {
            wait(format!("std::io::Stdin::{name}"))
        }
        "accept" | "incoming" if m.made_by_is("std::net::TcpListener::bind") => {
            wait(format!("std::net::TcpListener::{name}"))
        }
        _ => None,
    }
}

/// `Duration::ZERO`, `Duration::from_secs(0)`, `Duration::default()`: a
/// timeout that never waits.
fn zero_duration(e: &ast::Expr) -> bool {
    let text: String = e.syntax().text().to_string().split_whitespace().collect();
    let text = text
        .trim_start_matches("std::time::")
        .trim_start_matches("core::time::");
    text == "Duration::ZERO"
        || text == "Duration::default()"
        || ["from_secs", "from_millis", "from_micros", "from_nanos"]
            .iter()
            .any(|f| text == format!("Duration::{f}(0)"))
}

/// `tokio::process::Command` (unsafe) for a process; a suggestion for the
/// other waits, and the configuration's replacement for its blocking fns.
fn finding(b: &BlockingFact, premise: &Premise) -> Option<Verdict> {
    let what = &b.call.what;
    Some(match &b.call.kind {
        BlockingKind::Process { .. } if !premise.on_tokio => Verdict::report(
            &BLOCKING_WAIT,
            format!("`{what}` waits for the process on the executor thread; use the async runtime's process API, or move it off the executor"),
        )
        .needs_tokio(),
        BlockingKind::Process { command } => Verdict::report(
            &BLOCKING_WAIT,
            format!("`{what}` waits for the process on the executor thread; use `tokio::process::Command` (`--unsafe-fixes` applies it)"),
        )
        .replace(*command, "tokio::process::Command", "process", true)
        .needs_tokio(),
        BlockingKind::Wait => Verdict::report(
            &BLOCKING_WAIT,
            format!("`{what}` waits on the executor thread; use its tokio counterpart or tokio::task::spawn_blocking"),
        ),
        BlockingKind::User { heavy: false, replacement } => {
            let report = Verdict::report(
                &BLOCKING_WAIT,
                match replacement {
                    Some(r) => format!("`{what}` blocks (configuration); use `{r}(..).await`"),
                    None => format!("`{what}` blocks (configuration); use an async counterpart or tokio::task::spawn_blocking"),
                },
            );
            match replacement {
                Some(r) => report.fix(b, r.clone(), "", false),
                None => report,
            }
            .users_own()
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use crate::driver::test_support::{check_finding, check_no_finding, TestCrate};

    #[test]
    fn a_std_channel_recv_in_async_code_is_reported() {
        check_finding(
            r#"use std::sync::mpsc;

async fn first() -> Option<u8> {
    let (tx, rx) = mpsc::channel();
    tx.send(1).unwrap();
    rx.recv().ok()
}

#[tokio::main]
async fn main() {
    println!("{:?}", first().await);
}
"#,
            "AW203",
        );
    }

    #[test]
    fn command_output_becomes_tokio_process_with_unsafe_fixes() {
        TestCrate::main(
            r#"async fn version() -> bool {
    std::process::Command::new("rustc").output().is_ok()
}

#[tokio::main]
async fn main() {
    println!("{}", version().await);
}
"#,
        )
        .unsafe_fixes()
        .check_fix(
            r#"async fn version() -> bool {
    tokio::process::Command::new("rustc").output().await.is_ok()
}

#[tokio::main]
async fn main() {
    println!("{}", version().await);
}
"#,
        );
    }

    #[test]
    fn the_join_of_a_handle_a_crate_fn_returns_is_a_wait() {
        TestCrate::main(
            r#"mod poller;

#[tokio::main]
async fn main() {
    let handle = poller::start(3);
    println!("{}", handle.join().unwrap());
}
"#,
        )
        .file(
            "src/poller.rs",
            r#"use std::thread::{self, JoinHandle};

pub fn start(n: u32) -> JoinHandle<u32> {
    thread::spawn(move || n * 2)
}
"#,
        )
        .check_message("AW203", "`std::thread::JoinHandle::join` waits", "");
    }

    #[test]
    fn the_join_of_a_value_a_crate_fn_returns_is_not_a_wait_unless_it_is_a_handle() {
        check_no_finding(
            r#"struct Parts(Vec<String>);
impl Parts {
    fn join(&self) -> String {
        self.0.concat()
    }
}

fn parts() -> Parts {
    Parts(vec!["a".into(), "b".into()])
}

#[tokio::main]
async fn main() {
    let p = parts();
    println!("{}", p.join());
}
"#,
        );
    }

    #[test]
    fn the_prefilter_reads_a_file_that_returns_a_join_handle() {
        assert!(super::returns_join_handle(
            "fn start() -> std::thread::JoinHandle<u32> {"
        ));
        assert!(super::returns_join_handle("fn s() ->JoinHandle<()>"));
        assert!(!super::returns_join_handle(
            "//! each task has a `JoinHandle` that allows access"
        ));
        assert!(!super::returns_join_handle("let h: JoinHandle<()> = x;"));
    }
}
