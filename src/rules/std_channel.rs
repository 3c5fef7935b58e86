//! AW208 `std-channel-in-async`: a std channel received from in async code,
//! migrated to `tokio::sync::mpsc` where every use of its ends is known.

use super::drivers::Drivers;
use super::{Applicability, Rule, Severity};
use crate::edits::edit::Edit;
use crate::edits::layout::Source;
use crate::facts::ChannelFact;
use crate::locks::BlockingReport;
use crate::locks::{permitted, CratePlan, Loc, RuntimeAnalysis};
use crate::rules::blocking_calls::Crate;
use crate::settings::PlanOptions;
use ra_ap_syntax::TextRange;

pub const STD_CHANNEL: Rule = Rule {
    code: "AW208",
    name: "std-channel-in-async",
    severity: Severity::Warning,
    fix: Some(Applicability::Unsafe),
    summary: "a std channel is received from in async code",
    doc: "## What it does
Finds a channel made in a fn body by `let (tx, rx) = std::sync::mpsc::channel()`
(any spelling: `mpsc::channel::<T>()`, `channel()` through an import) or
`sync_channel(n)`, whose receiver is received from in async code, and
migrates it to `tokio::sync::mpsc` where every use of `tx`, `rx` and the
senders' clones (`let tx2 = tx.clone()`) is in that body (in closures and
async blocks inside it included), in a private fn of the file an end is
passed to, an associated fn such as a constructor included
(`tokio::spawn(consume(rx))`, `Worker::new(tx.clone())`; its parameter
typed with the std end, every mention of the fn in the crate a call that
passes one of the file's channels, which then migrate together), or in
the uses of a
private struct field a sender is stored in (`Producer { out: tx.clone() }`,
every use of the field a send, every literal of the struct storing a
followed sender), and has a shape the rewrite knows:
`channel()` becomes `tokio::sync::mpsc::unbounded_channel()` and
`sync_channel(n)` (n a literal ≥ 1) `tokio::sync::mpsc::channel(n)`;
`rx` becomes `mut`; in async code `rx.recv()` becomes `rx.recv().await`
with its `Result` mapped to tokio's `Option` (`.unwrap()` / `.expect(..)`
stay, `.ok()` goes, `.is_ok()` / `.is_err()` become `.is_some()` /
`.is_none()`, `Ok(p)` becomes `Some(p)` and `Err(_)` `None` in `if let`,
`while let` and `match`); `for x in rx` (or `&rx`, `rx.iter()`) becomes
`while let Some(x) = rx.recv().await`; `rx.recv_timeout(d)` becomes
`tokio::time::timeout(d, rx.recv()).await.ok().flatten()`; `try_recv()`
keeps its shape. On a `std::thread::spawn` or `spawn_blocking` thread,
`rx.recv()` becomes `rx.blocking_recv()`. A bounded sender's `send(v)`
becomes `send(v).await` in async code and `blocking_send(v)` on a thread;
an unbounded one's, `try_send`, `clone` and `drop` stay. The types of
the parameters and the field become tokio's ends, spelled in full, and a
receiver parameter becomes `mut`. A std import the rewrite leaves unused
is removed.

## Why is this bad?
`recv` parks the executor thread until a message comes: every task on
that thread stops, and a sender on the same thread never sends.

## Example
```rust
let (tx, rx) = std::sync::mpsc::channel();
tokio::spawn(async move { tx.send(1).unwrap(); });
while let Ok(n) = rx.recv() { println!(\"{n}\"); }
```

## Use instead
```rust
let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
tokio::spawn(async move { tx.send(1).unwrap(); });
while let Some(n) = rx.recv().await { println!(\"{n}\"); }
```

## Fix safety
Unsafe, applied only with `--unsafe-fixes`: each receive (and a bounded
send) becomes a yield point where the task can be cancelled, and the error
types change (`TryRecvError`, `SendError`). `recv_timeout` needs a tokio
runtime (its timer): it is rewritten only where one provably runs the
code. The compiler's referee withdraws a migration that does not build.

## Known problems
A channel stays as it is, and AW203 reports its receives with the reason,
where an end leaves the fn body or is used in a shape the rule does not
know: passed to a fn other than those above, stored in a field other
than a sender's as above (a receiver in a field needs `&mut` access to
what holds it), returned, named inside a macro
(`println!` included), moved to another binding, `?` on a receive, a
`match` arm other than `Ok(p)`, `Err(_)` and `_`, `recv_timeout` in a
sync closure or with `.unwrap()`, `try_iter`, a receive in a sync fn or
in a non-async closure that may run on the runtime. `sync_channel(0)` is
a rendezvous channel, which tokio does not have: it is never rewritten.
Channels made by another fn (returned from it) are not migrated.",
    ..Rule::crate_pass(plan, Some(may_match))
};

/// For the prefilter: a std channel's constructor.
fn may_match(text: &str) -> bool {
    text.contains("mpsc") && text.contains("channel")
}

/// Does a file of the crate other than `file` name `word` (with `field`,
/// as a field: `.word`)? A private item of a module may be used by the
/// files of its child modules.
fn named_in_other_file(sources: &[Source], file: usize, word: &str, field: bool) -> bool {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    let pattern = match field {
        true => format!(".{word}"),
        false => word.to_string(),
    };
    let names = |text: &str| {
        text.match_indices(&pattern).any(|(at, _)| {
            (field || !text[..at].ends_with(ident))
                && !text[at + pattern.len()..].starts_with(ident)
        })
    };
    (sources.iter().enumerate()).any(|(i, s)| i != file && names(s.text))
}

/// Why a channel whose ends the file passes to its fns or stores in its
/// struct stays: another file of the crate names the fn or the field.
fn elsewhere(sources: &[Source], file: usize, ch: &ChannelFact) -> Option<String> {
    let called = (ch.passed_to.iter().map(|(f, ..)| f.as_str()))
        .find(|f| named_in_other_file(sources, file, f, false));
    if let Some(f) = called {
        return Some(format!(
            "`{f}`, which an end is passed to, is named in another file of the crate"
        ));
    }
    let field = ch.field.as_ref()?;
    field_named_elsewhere(sources, file, &field.strukt, &field.name)
}

/// Why a value (a channel's end, a barrier) stored in the field
/// `strukt.name` stays: another file of the crate names a field of that
/// name (a child module may use a private field).
pub(super) fn field_named_elsewhere(
    sources: &[Source],
    file: usize,
    strukt: &str,
    name: &str,
) -> Option<String> {
    named_in_other_file(sources, file, name, true).then(|| {
        format!("it is stored in `{strukt}.{name}`, and another file of the crate names a field `{name}`")
    })
}

/// Each channel whose receiver is received from in async code: its
/// migration, which stands in for AW203's reports of its receives, or a
/// note on those reports saying why it stays.
fn plan(krate: &Crate, out: &mut CratePlan) {
    let Crate {
        files,
        sources,
        units,
        opts,
        ..
    } = *krate;
    if files.iter().all(|f| f.channels.is_empty()) {
        return;
    }
    // Only a `recv_timeout`'s timer needs to know what drives the code.
    let timers = files
        .iter()
        .flat_map(|f| &f.channels)
        .any(|c| c.plan.as_ref().is_ok_and(|m| !m.timers.is_empty()));
    let texts: Vec<&str> = sources.iter().map(|s| s.text).collect();
    let runtime = timers.then(|| RuntimeAnalysis::new(files, &texts, units));
    let drivers = runtime
        .as_ref()
        .map(|r| Drivers::new(files, units, |unit, f| r.on_own_threads(unit, f)));
    for (file, facts) in files.iter().enumerate() {
        if facts.read_only {
            continue;
        }
        for ch in &facts.channels {
            let at = Loc {
                file,
                range: ch.ctor,
            };
            let test_code = ch.in_test || !facts.unit.is_empty();
            let mut why_not = match &ch.plan {
                Err(why) => Some(why.clone()),
                Ok(_) => elsewhere(sources, file, ch)
                    .or_else(|| no_tokio(opts, test_code).map(str::to_string)),
            };
            let unit = units[file];
            let on_tokio = |d| {
                drivers
                    .as_ref()
                    .is_some_and(|ds| ds.on_tokio(d, unit, units.sees(unit)))
            };
            if let Ok(m) = &ch.plan {
                if why_not.is_none() && !m.timers.iter().all(on_tokio) {
                    why_not = Some("its `recv_timeout` needs tokio's timer, and nothing in the crate shows that a tokio runtime runs that code".into());
                }
            }
            if let Some(why) = why_not {
                note_receives(out, ch, file, &why);
                continue;
            }
            if !permitted(files, opts, &STD_CHANNEL, &at, &mut out.suppressed) {
                continue;
            }
            migrate(ch, at, opts, out);
        }
    }
}

/// A note on AW203's report of each receive of a channel that stays.
fn note_receives(out: &mut CratePlan, ch: &ChannelFact, file: usize, why: &str) {
    for r in receive_reports(out, ch, file) {
        out.blocking[r].notes.push(format!(
            "the channel is not migrated to tokio::sync::mpsc ({}): {why}",
            STD_CHANNEL.code
        ));
    }
}

/// The AW203 reports of a channel's receives in async code.
fn receive_reports(out: &CratePlan, ch: &ChannelFact, file: usize) -> Vec<usize> {
    wait_reports(out, file, &ch.async_receives)
}

/// The AW203 reports of the calls in `file` within `ranges`.
pub(super) fn wait_reports(out: &CratePlan, file: usize, ranges: &[TextRange]) -> Vec<usize> {
    out.blocking
        .iter()
        .enumerate()
        .filter(|(_, b)| {
            b.rule.code == super::BLOCKING_WAIT.code
                && b.at.file == file
                && ranges.iter().any(|r| r.contains_range(b.at.range))
        })
        .map(|(i, _)| i)
        .collect()
}

/// Why code (test code, or not) cannot use tokio, where it cannot.
pub(super) fn no_tokio(opts: &PlanOptions, test_code: bool) -> Option<&'static str> {
    let tokio = opts
        .tokio
        .filter(|t| !if test_code { t.dev } else { t.normal });
    tokio.map(|t| t.why_not())
}

/// The channel's finding, in place of AW203's for its receives, with its
/// edits where the run applies them.
fn migrate(ch: &ChannelFact, at: Loc, opts: &PlanOptions, out: &mut CratePlan) {
    let Ok(m) = &ch.plan else { return };
    let kind = if m.bounded {
        "tokio::sync::mpsc::channel"
    } else {
        "tokio::sync::mpsc::unbounded_channel"
    };
    let time: &[&'static str] = if m.timers.is_empty() { &[] } else { &["time"] };
    let migration = Migration {
        rule: &STD_CHANNEL,
        message: format!("a std channel is received from in async code, parking the executor thread; use `{kind}` (`recv().await`)"),
        offer: format!("`--unsafe-fixes` migrates it to `{kind}`: each receive becomes a yield point, and the error types change"),
        waits: &ch.async_receives,
        edits: &m.edits,
        features: time,
        in_test: ch.in_test,
    };
    migration.push(at, opts, out);
}

/// A std primitive's migration (AW208's channels, AW209's barriers): one
/// finding in place of AW203's reports of its waits, an unsafe fix applied
/// with `--unsafe-fixes` unless the compiler took it back.
pub(super) struct Migration<'a> {
    pub rule: &'static Rule,
    pub message: String,
    /// What `--unsafe-fixes` would do, said where it is not applied.
    pub offer: String,
    /// The waits whose AW203 reports it stands in for.
    pub waits: &'a [TextRange],
    pub edits: &'a [Edit],
    /// tokio features it needs besides `sync`.
    pub features: &'a [&'static str],
    pub in_test: bool,
}

impl Migration<'_> {
    /// Pushes the finding at `at` (and its edits, where applied); returns
    /// whether they are applied.
    pub(super) fn push(self, at: Loc, opts: &PlanOptions, out: &mut CratePlan) -> bool {
        let mut notes = Vec::new();
        let withdrawn = opts.referee.withdrawn(&at);
        notes.extend(withdrawn.map(str::to_string));
        let apply = opts.unsafe_fixes && withdrawn.is_none();
        for r in wait_reports(out, at.file, self.waits).into_iter().rev() {
            out.blocking.remove(r);
        }
        if apply {
            let edits = out.edits.entry(at.file).or_default();
            edits.extend(self.edits.iter().cloned());
            out.tokio_features.insert("sync");
            out.tokio_features.extend(self.features);
            out.tokio_outside_tests |= !self.in_test;
        } else if withdrawn.is_none() {
            notes.push(self.offer);
        }
        out.blocking.push(BlockingReport {
            rule: self.rule.into(),
            severity: self.rule.severity,
            at,
            message: self.message,
            notes,
            fixed: apply,
            // Withdrawn, it is left to a person.
            fix: withdrawn.is_none().then_some(Applicability::Unsafe),
            edits: if apply {
                self.edits.to_vec()
            } else {
                Vec::new()
            },
            helper: None,
        });
        apply
    }
}

#[cfg(test)]
mod tests {
    use crate::driver::test_support::{check_finding, TestCrate};

    fn migrates(before: &str, after: &str) {
        TestCrate::main(before).unsafe_fixes().check_fix(after);
    }

    #[test]
    fn an_unbounded_channel_received_in_a_task_migrates() {
        migrates(
            r#"use std::sync::mpsc;

#[tokio::main]
async fn main() {
    let (tx, rx) = mpsc::channel::<u32>();
    let tx2 = tx.clone();
    std::thread::spawn(move || tx2.send(1).unwrap());
    tokio::spawn(async move {
        tx.send(2).unwrap();
    });
    let mut sum = 0;
    while let Ok(n) = rx.recv() {
        sum += n;
    }
    println!("{sum}");
}
"#,
            r#"#[tokio::main]
async fn main() {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<u32>();
    let tx2 = tx.clone();
    std::thread::spawn(move || tx2.send(1).unwrap());
    tokio::spawn(async move {
        tx.send(2).unwrap();
    });
    let mut sum = 0;
    while let Some(n) = rx.recv().await {
        sum += n;
    }
    println!("{sum}");
}
"#,
        );
    }

    #[test]
    fn result_shapes_become_option_shapes() {
        migrates(
            r#"#[tokio::main]
async fn main() {
    let (tx, rx) = std::sync::mpsc::channel();
    for i in 0..6 {
        tx.send(i).unwrap();
    }
    let a = rx.recv().unwrap();
    let b = rx.recv().expect("open");
    let c = rx.recv().ok();
    let d = rx.recv().is_ok();
    if let Ok(e) = rx.recv() {
        println!("{e}");
    }
    match rx.recv() {
        Ok(f) => println!("{f}"),
        Err(_) => println!("closed"),
    }
    drop(tx);
    let _ = rx.recv();
    let g = rx.recv().is_err();
    println!("{a} {b} {c:?} {d} {g}");
}
"#,
            r#"#[tokio::main]
async fn main() {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    for i in 0..6 {
        tx.send(i).unwrap();
    }
    let a = rx.recv().await.unwrap();
    let b = rx.recv().await.expect("open");
    let c = rx.recv().await;
    let d = rx.recv().await.is_some();
    if let Some(e) = rx.recv().await {
        println!("{e}");
    }
    match rx.recv().await {
        Some(f) => println!("{f}"),
        None => println!("closed"),
    }
    drop(tx);
    let _ = rx.recv().await;
    let g = rx.recv().await.is_none();
    println!("{a} {b} {c:?} {d} {g}");
}
"#,
        );
    }

    #[test]
    fn a_bounded_channel_sends_blocking_on_threads_and_awaits_in_tasks() {
        migrates(
            r#"use std::sync::mpsc::sync_channel;
use std::time::Duration;

#[tokio::main]
async fn main() {
    let (tx, rx) = sync_channel::<u8>(2);
    let tx2 = tx.clone();
    let worker = std::thread::spawn(move || {
        tx2.send(1).unwrap();
    });
    let task = tokio::spawn(async move {
        tx.send(2).unwrap();
        let _ = tx.try_send(3).is_ok();
    });
    if let Ok(v) = rx.recv_timeout(Duration::from_millis(500)) {
        println!("{v}");
    }
    for v in rx.iter() {
        println!("{v}");
    }
    worker.join().unwrap();
    task.await.unwrap();
}
"#,
            r#"use std::time::Duration;

#[tokio::main]
async fn main() {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<u8>(2);
    let tx2 = tx.clone();
    let worker = std::thread::spawn(move || {
        tx2.blocking_send(1).unwrap();
    });
    let task = tokio::spawn(async move {
        tx.send(2).await.unwrap();
        let _ = tx.try_send(3).is_ok();
    });
    if let Some(v) = tokio::time::timeout(Duration::from_millis(500), rx.recv()).await.ok().flatten() {
        println!("{v}");
    }
    while let Some(v) = rx.recv().await {
        println!("{v}");
    }
    worker.join().unwrap();
    task.await.unwrap();
}
"#,
        );
    }

    #[test]
    fn a_receive_on_a_thread_becomes_blocking_recv() {
        migrates(
            r#"#[tokio::main]
async fn main() {
    let (tx, rx) = std::sync::mpsc::channel::<u32>();
    for i in 0..3 {
        tx.send(i).unwrap();
    }
    drop(tx);
    let first = rx.recv().unwrap();
    let rest = std::thread::spawn(move || {
        let mut n = 0;
        for v in rx.iter() {
            n += v;
        }
        while let Ok(v) = rx.recv() {
            n += v;
        }
        n
    });
    let n = rest.join().unwrap();
    println!("{first} {n}");
}
"#,
            r#"#[tokio::main]
async fn main() {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<u32>();
    for i in 0..3 {
        tx.send(i).unwrap();
    }
    drop(tx);
    let first = rx.recv().await.unwrap();
    let rest = std::thread::spawn(move || {
        let mut n = 0;
        while let Some(v) = rx.blocking_recv() {
            n += v;
        }
        while let Some(v) = rx.blocking_recv() {
            n += v;
        }
        n
    });
    let n = rest.join().unwrap();
    println!("{first} {n}");
}
"#,
        );
    }

    #[test]
    fn a_channel_received_only_on_a_thread_stays() {
        migrates(
            r#"#[tokio::main]
async fn main() {
    let (tx, rx) = std::sync::mpsc::channel::<u8>();
    let (back, answers) = std::sync::mpsc::channel::<u8>();
    let echo = std::thread::spawn(move || {
        while let Ok(v) = answers.recv() {
            tx.send(v).unwrap();
        }
    });
    back.send(1).unwrap();
    drop(back);
    let v = rx.recv().ok();
    echo.join().unwrap();
    println!("{v:?}");
}
"#,
            r#"#[tokio::main]
async fn main() {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<u8>();
    let (back, answers) = std::sync::mpsc::channel::<u8>();
    let echo = std::thread::spawn(move || {
        while let Ok(v) = answers.recv() {
            tx.send(v).unwrap();
        }
    });
    back.send(1).unwrap();
    drop(back);
    let v = rx.recv().await;
    echo.join().unwrap();
    println!("{v:?}");
}
"#,
        );
    }

    #[test]
    fn an_end_passed_to_a_private_fn_follows_and_one_passed_elsewhere_stays() {
        let src = r#"use std::sync::mpsc;

fn feed(tx: mpsc::Sender<u8>) {
    tx.send(1).unwrap();
}

#[tokio::main]
async fn main() {
    let (tx, rx) = mpsc::channel();
    feed(tx);
    let v = rx.recv().ok();
    println!("{v:?}");
}
"#;
        // An unbounded sender sends in sync code too.
        let after = src
            .replace("use std::sync::mpsc;\n\n", "")
            .replace(
                "tx: mpsc::Sender<u8>",
                "tx: tokio::sync::mpsc::UnboundedSender<u8>",
            )
            .replace(
                "let (tx, rx) = mpsc::channel();",
                "let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();",
            )
            .replace("rx.recv().ok()", "rx.recv().await");
        TestCrate::main(src).unsafe_fixes().check_fix(&after);
        let public = src.replace("fn feed", "pub fn feed");
        TestCrate::main(&public)
            .unsafe_fixes()
            .check_unfixed("AW203");
        TestCrate::main(&public)
            .check_note("AW203", "`tx` is passed to `feed`, a fn other modules");
        TestCrate::main(&public).check_message("AW203", "mpsc", "AW208");
        let src = src.replace("feed(tx);", "std::iter::once(tx).count();");
        TestCrate::main(&src)
            .check_note("AW203", "`tx` is passed to a call (`std::iter::once(tx)`)");
    }

    /// A producer fn and a consumer task, with the sender kept in a field.
    const PASSED: &str = r#"use std::sync::mpsc::{self, Receiver, Sender};

struct Producer {
    out: Sender<u32>,
}

impl Producer {
    async fn run(self, n: u32) {
        for i in 0..n {
            self.out.send(i).unwrap();
            tokio::task::yield_now().await;
        }
    }
}

async fn consume(rx: Receiver<u32>) -> u32 {
    let mut total = 0;
    while let Ok(v) = rx.recv() {
        total += v;
    }
    total
}

#[tokio::main]
async fn main() {
    let (tx, rx) = mpsc::channel();
    let consumer = tokio::spawn(consume(rx));
    Producer { out: tx }.run(5).await;
    println!("{}", consumer.await.unwrap());
}
"#;

    #[test]
    fn ends_passed_to_a_private_async_fn_or_kept_in_a_private_field_follow() {
        let after = PASSED
            .replace("use std::sync::mpsc::{self, Receiver, Sender};\n\n", "")
            .replace(
                "out: Sender<u32>",
                "out: tokio::sync::mpsc::UnboundedSender<u32>",
            )
            .replace(
                "rx: Receiver<u32>",
                "mut rx: tokio::sync::mpsc::UnboundedReceiver<u32>",
            )
            .replace(
                "while let Ok(v) = rx.recv()",
                "while let Some(v) = rx.recv().await",
            )
            .replace("mpsc::channel()", "tokio::sync::mpsc::unbounded_channel()");
        TestCrate::main(PASSED).unsafe_fixes().check_fix(&after);
    }

    #[test]
    fn a_field_or_fn_the_rule_cannot_follow_keeps_the_channel() {
        for (from, to, why) in [
            (
                "    out: Sender<u32>,",
                "    pub out: Sender<u32>,",
                "a field other modules may use",
            ),
            (
                "            self.out.send(i).unwrap();",
                "            self.out.send(i).unwrap();\n            let _ = self.out.clone();",
                "which is used other than by a send",
            ),
            (
                "async fn consume(rx",
                "pub async fn consume(rx",
                "a fn other modules or crates may call",
            ),
            (
                "    println!(\"{}\", consumer.await.unwrap());",
                "    println!(\"{}\", consumer.await.unwrap());\n    let _f = consume;",
                "is named elsewhere too",
            ),
        ] {
            let src = PASSED.replace(from, to);
            TestCrate::main(&src)
                .unsafe_fixes()
                .check_note("AW203", why);
        }
    }

    #[test]
    fn a_rendezvous_channel_stays() {
        let src = r#"#[tokio::main]
async fn main() {
    let (tx, rx) = std::sync::mpsc::sync_channel::<u8>(0);
    std::thread::spawn(move || tx.send(1).unwrap());
    let v = rx.recv().unwrap();
    println!("{v}");
}
"#;
        TestCrate::main(src).unsafe_fixes().check_unfixed("AW203");
        TestCrate::main(src).check_note("AW203", "rendezvous");
    }

    #[test]
    fn shapes_the_rule_does_not_know_leave_the_channel() {
        for body in [
            "let v = rx.recv()?;",
            "let v = rx.recv().unwrap_or_else(|_| 0);",
            "let v = rx.try_iter().count() as u8;",
            "let v = rx.recv_timeout(std::time::Duration::from_millis(5)).unwrap();",
            "let v = 0; println!(\"{:?}\", rx.recv());",
            "let v = 0; let r = &rx; drop(r);",
            "let v = match rx.recv() { Ok(v) => v, Err(e) => panic!(\"{e}\") };",
        ] {
            let src = format!(
                "#[tokio::main]\nasync fn main() -> Result<(), Box<dyn std::error::Error>> {{\n    let (tx, rx) = std::sync::mpsc::channel::<u8>();\n    tx.send(1).unwrap();\n    {body}\n    println!(\"{{v}}\");\n    Ok(())\n}}\n"
            );
            let out = TestCrate::main(&src).unsafe_fixes().run();
            assert!(
                out.changes.is_empty(),
                "{body}: {:?}",
                out.changes.first().map(|c| &c.new)
            );
            assert!(
                out.diagnostics.iter().all(|d| d.rule.code != "AW208"),
                "{body}"
            );
        }
    }

    #[test]
    fn without_unsafe_fixes_it_is_reported_and_left() {
        let src = r#"#[tokio::main]
async fn main() {
    let (tx, rx) = std::sync::mpsc::channel::<u8>();
    tx.send(1).unwrap();
    let v = rx.recv().ok();
    println!("{v:?}");
}
"#;
        TestCrate::main(src).check_unfixed("AW208");
        check_finding(src, "AW208");
    }
}
