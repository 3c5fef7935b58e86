//! AW203 `blocking-wait`: a blocking wait in async code (a process, a channel,
//! a thread, the network).

use ra_ap_syntax::{ast::HasArgList, TextRange, TextSize};

use super::blocking_calls::{Premise, Verdict};
use super::{Applicability, Rule, Severity};
use crate::blocking::{names_std_module, zero_duration, BlockingKind, MethodCall};
use crate::facts::BlockingFact;

pub const BLOCKING_WAIT: Rule = Rule {
    code: "AW203",
    name: "blocking-wait",
    severity: Severity::Warning,
    fix: Some(Applicability::Unsafe),
    summary: "a blocking wait in async code",
    doc: "## What it does
Reports blocking waits in async code: `std::process::Command::output` /
`status`, `Child::wait`, `std::sync::mpsc::Receiver::recv(_timeout)` and
`iter`, `std::thread::JoinHandle::join`, `Condvar::wait*`, `Barrier::wait`,
`std::io::stdin().read_line`, `std::net::TcpStream::connect`,
`TcpListener::accept`, `reqwest::blocking::*`. Channels, handles, condvars,
barriers and children are recognised through the `let` that created them,
or through the type their file declares for them: a parameter's, a local's
or a field's (`self.available.wait(g)` with `available: Condvar`), also as
an element of a collection (`for h in self.handles.drain(..) { h.join() }`),
or inside an `Option` (`self.stats.take()`). A thread's handle is also
recognised where the `let` calls a fn of the crate whose declared return
type is `std::thread::JoinHandle`. The receives of a std channel AW208
migrates, and the waits of a std barrier AW209 migrates, are those rules'
findings instead; the others' reports say why they stay.

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
`JoinHandle` from `tokio::task::spawn_blocking`, `tokio::sync::Notify` (or
a `Semaphore` for a pool or a limiter built on a condvar),
`tokio::sync::Barrier`, `tokio::net`, `tokio::io::stdin` or async
`reqwest`, or move the call into `tokio::task::spawn_blocking`.

## Known problems
A value whose type its file does not show (a field of a struct declared in
another file, the result of a method call) is not recognised.",
    ..Rule::blocking(Some(detect_call), Some(detect_method), finding, Some(may_match))
};

/// For the prefilter: each wait with the names its detection needs.
fn may_match(text: &str) -> bool {
    (text.contains("Command") && names_std_module(text, "std::process"))
        || (text.contains("read_line(") && text.contains("stdin"))
        || names_std_module(text, "std::net")
        || text.contains("reqwest::blocking")
        || (text.contains("mpsc") && (text.contains(".recv") || text.contains(".iter()")))
        || (text.contains("Child") && names_std_module(text, "std::process"))
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
        "recv" | "recv_timeout" | "iter"
            if m.receiver_is("std::sync::mpsc::Receiver")
                || m.bound_root().is_some_and(|(f, i)| {
                    i == Some(1)
                        && (f == "std::sync::mpsc::channel" || f == "std::sync::mpsc::sync_channel")
                }) =>
        {
            wait(format!("std::sync::mpsc::Receiver::{name}"))
        }
        // `thread::spawn(..).join()`, or a handle bound (maybe by a block's tail).
        "join" if m.call.arg_list().is_some_and(|a| a.args().next().is_none()) => {
            let spawned = match m
                .bound_root()
                .or_else(|| m.made_by.clone().map(|(f, _)| (f, None)))
            {
                Some((f, None)) => f == "std::thread::spawn" || f == "std::thread::Builder::new",
                _ => false,
            };
            (spawned || m.receiver_is("std::thread::JoinHandle")).then(|| {
                (
                    BlockingKind::Wait,
                    "std::thread::JoinHandle::join".to_string(),
                )
            })
        }
        "wait" | "wait_while" | "wait_timeout" | "wait_timeout_while" => {
            let made_by = match m.bound_root() {
                Some((f, None)) => f,
                _ => String::new(),
            };
            let is = |ty: &str, new: &str| made_by == new || m.receiver_is(ty);
            if is("std::sync::Condvar", "std::sync::Condvar::new") {
                wait(format!("std::sync::Condvar::{name}"))
            } else if name == "wait" && is("std::sync::Barrier", "std::sync::Barrier::new") {
                wait("std::sync::Barrier::wait".to_string())
            } else if name == "wait" && is("std::process::Child", "std::process::Command::new") {
                wait("std::process::Child::wait".to_string())
            } else {
                None
            }
        }
        "read_line" | "lines" if m.made_by_is("std::io::stdin") => {
            wait(format!("std::io::Stdin::{name}"))
        }
        "accept" | "incoming" if m.made_by_is("std::net::TcpListener::bind") => {
            wait(format!("std::net::TcpListener::{name}"))
        }
        _ => None,
    }
}

/// What a wait does to the executor, and what to use instead.
fn advice(what: &str) -> &'static str {
    match what.rsplit_once("::").map_or(what, |(ty, _)| ty) {
        "std::sync::Condvar" => "parks the executor thread until another thread notifies it; use `tokio::sync::Notify`, or a `tokio::sync::Semaphore` where the condvar guards a pool or a counter",
        "std::sync::Barrier" => "parks the executor thread until every party arrives, and tasks on the same thread never arrive; use `tokio::sync::Barrier` (`wait().await`)",
        "std::thread::JoinHandle" => "waits for the thread on the executor thread; await a `tokio::task::spawn_blocking` handle instead, or join inside `spawn_blocking`",
        "std::sync::mpsc::Receiver" => "waits for a message on the executor thread; use `tokio::sync::mpsc` (`recv().await`)",
        _ => "waits on the executor thread; use its tokio counterpart or tokio::task::spawn_blocking",
    }
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
        BlockingKind::Wait => Verdict::report(&BLOCKING_WAIT, format!("`{what}` {}", advice(what))),
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

    /// A `Condvar` (and an `Arc`) a module of the crate re-exports is
    /// std's: the wait on it is reported (held-out crate config_reload).
    #[test]
    fn a_condvar_a_module_re_exports_is_stds() {
        let krate = TestCrate::main(
            "mod sync;\nuse sync::{Arc, Condvar, Mutex};\n\
             struct Gate { ready: Mutex<bool>, cv: Condvar }\n\
             async fn wait(g: Arc<Gate>) {\n    let r = g.ready.lock().unwrap();\n    let _r = g.cv.wait_while(r, |r| !*r).unwrap();\n}\n\
             #[tokio::main]\nasync fn main() {\n    let g = Arc::new(Gate { ready: Mutex::new(true), cv: Condvar::new() });\n    wait(g).await;\n}\n",
        )
        .file("src/sync.rs", "pub(crate) use std::sync::{Arc, Condvar, Mutex};\n");
        assert_eq!(
            krate.calls_reported("AW203"),
            ["std::sync::Condvar::wait_while"]
        );
    }

    #[test]
    fn a_std_channel_recv_in_async_code_is_reported() {
        check_finding(
            r#"use std::sync::mpsc;

pub fn feed(tx: mpsc::Sender<u8>) {
    tx.send(1).unwrap();
}

// The sender leaves for a fn other modules may call: AW208 does not
// migrate the channel.
async fn first() -> Option<u8> {
    let (tx, rx) = mpsc::channel();
    feed(tx);
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

    /// Waits whose receiver's type only a declaration shows: a field, an
    /// element of a collection field, an `Option` field, a parameter.
    const TYPED_WAITS: &str = r#"use std::collections::HashMap;
use std::sync::mpsc::Receiver;
use std::sync::{Barrier, Condvar, Mutex};
use std::thread::JoinHandle;

struct Service {
    ready: Mutex<bool>,
    cond: Condvar,
    gate: std::sync::Arc<Barrier>,
    workers: Vec<JoinHandle<()>>,
    named: HashMap<String, JoinHandle<()>>,
    stats: Option<JoinHandle<u64>>,
}

impl Service {
    async fn shutdown(&mut self, rx: &Receiver<u8>) -> u64 {
        let mut ready = self.ready.lock().unwrap();
        while !*ready {
            ready = self.cond.wait(ready).unwrap();
        }
        drop(ready);
        self.gate.wait();
        for h in self.workers.drain(..) {
            h.join().unwrap();
        }
        if let Some(h) = self.named.remove("log") {
            h.join().unwrap();
        }
        let _ = rx.recv();
        for m in rx.iter() {
            println!("{m}");
        }
        match self.stats.take() {
            Some(h) => h.join().unwrap(),
            None => 0,
        }
    }
}
"#;

    #[test]
    fn waits_are_known_by_the_declared_type_of_their_receiver() {
        let waits =
            TestCrate::main(&format!("{TYPED_WAITS}\nfn main() {{}}\n")).calls_reported("AW203");
        assert_eq!(
            waits,
            [
                "std::sync::Barrier::wait",
                "std::sync::Condvar::wait",
                "std::sync::mpsc::Receiver::iter",
                "std::sync::mpsc::Receiver::recv",
                "std::thread::JoinHandle::join",
                "std::thread::JoinHandle::join",
                "std::thread::JoinHandle::join",
            ]
        );
    }

    #[test]
    fn a_receiver_a_fn_of_the_file_returns_is_known_by_its_declared_type() {
        check_finding(
            r#"use std::sync::mpsc::{channel, Receiver};
use std::sync::{Arc, Mutex};

#[derive(Default)]
struct Broker {
    subscribers: Mutex<Vec<std::sync::mpsc::Sender<u8>>>,
}

impl Broker {
    fn subscribe(&self) -> Receiver<u8> {
        let (tx, rx) = channel();
        self.subscribers.lock().unwrap().push(tx);
        rx
    }
}

#[tokio::main]
async fn main() {
    let broker = Arc::new(Broker::default());
    let rx = broker.subscribe();
    tokio::spawn(async move {
        println!("{:?}", rx.recv().ok());
    });
}
"#,
            "AW203",
        );
    }

    #[test]
    fn a_clone_that_shadows_its_original_is_the_same_barrier() {
        // Named in a macro, the barrier stays std (AW209 would migrate it).
        check_finding(
            r#"use std::sync::{Arc, Barrier};

#[tokio::main]
async fn main() {
    let barrier = Arc::new(Barrier::new(1));
    println!("{barrier:?}");
    let barrier = barrier.clone();
    tokio::spawn(async move {
        barrier.wait();
    })
    .await
    .unwrap();
}
"#,
            "AW203",
        );
    }

    #[test]
    fn handles_collected_from_thread_spawns_are_threads_handles() {
        let out = TestCrate::main(
            r#"#[tokio::main]
async fn main() {
    let threads: Vec<_> = (0..2)
        .map(|i| {
            let n = i * 2;
            std::thread::spawn(move || n)
        })
        .collect();
    for t in threads {
        println!("{}", t.join().unwrap());
    }
    let more: Vec<_> = (0..2).map(|i| std::thread::spawn(move || i)).collect();
    more.into_iter().for_each(|t| println!("{}", t.join().unwrap()));
    let names: Vec<_> = ["a", "b"].iter().map(|s| vec![s.to_string()]).collect();
    for n in names {
        println!("{}", n.join("-"));
    }
    // Pushed onto an empty Vec (held-out crate metrics_agg).
    let mut pushed = Vec::new();
    pushed.push(std::thread::spawn(|| 1));
    for h in pushed {
        println!("{}", h.join().unwrap());
    }
    let mut words = Vec::new();
    words.push(vec!["x".to_string()]);
    words.extend([vec!["y".to_string()]]);
    for w in words {
        println!("{}", w.join("-"));
    }
}
"#,
        )
        .run();
        let joins = out
            .diagnostics
            .iter()
            .filter(|d| d.message.starts_with("`std::thread::JoinHandle::join`"))
            .count();
        assert_eq!(
            joins,
            3,
            "{:#?}",
            out.diagnostics
                .iter()
                .map(|d| &d.message)
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn a_method_of_the_same_name_on_another_type_is_not_a_wait() {
        check_no_finding(
            r#"struct Job { parts: Vec<String> }

impl Job {
    async fn label(&self) -> String {
        let names: Vec<String> = self.parts.iter().map(|p| p.to_string()).collect();
        names.join("-")
    }
}

fn main() {}
"#,
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
