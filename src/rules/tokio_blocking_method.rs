//! AW207: a tokio primitive's blocking method (`blocking_lock`,
//! `blocking_recv`, ..) called in async code, where it panics; fixed by its
//! awaited twin.
//!
//! Before → after, in an `async fn`:
//! ```text
//! let g = m.blocking_lock();             let g = m.lock().await;
//! let v = rx.blocking_recv();            let v = rx.recv().await;
//! tx.blocking_send(v)?;                  tx.send(v).await?;
//! ```

use crate::edits::edit::Edit;
use crate::edits::layout;
use crate::facts::{MethodCallFact, ReceiverType, SiteContext};
use crate::locks::BlockingReport;
use crate::locks::{permitted, CratePlan, Loc};
use crate::rules::blocking_calls::blocking_wrappers;
use crate::rules::blocking_calls::Crate;
use crate::rules::{Applicability, Rule, Severity};
use crate::settings::PlanOptions;

pub const TOKIO_BLOCKING_IN_ASYNC: Rule = Rule {
    code: "AW207",
    name: "tokio-blocking-in-async",
    severity: Severity::Error,
    fix: Some(Applicability::Safe),
    summary: "a tokio lock's or channel's `blocking_*` method in async code",
    doc: "## What it does
Finds the blocking methods of tokio's locks and channels called in async
code: `blocking_lock` (`Mutex`), `blocking_read` and `blocking_write`
(`RwLock`), `blocking_recv` (`mpsc::Receiver`, `UnboundedReceiver`,
`broadcast::Receiver`, `oneshot::Receiver`) and `blocking_send`
(`mpsc::Sender`), and replaces each with its awaited twin.

## Why is this bad?
They panic when called on a runtime thread (\"Cannot block the current
thread from within a runtime\"); on another executor they block its thread.
They are meant for sync code that runs off the runtime, and hand-made
migrations often leave them behind in code that became async.

## Example
```rust
async fn add(db: Arc<tokio::sync::Mutex<Vec<u32>>>) {
    db.blocking_lock().push(1);
}
```

## Use instead
```rust
async fn add(db: Arc<tokio::sync::Mutex<Vec<u32>>>) {
    db.lock().await.push(1);
}
```

## Fix safety
Safe: `m.blocking_lock()` becomes `m.lock().await`, `.blocking_read()`
`.read().await`, `.blocking_write()` `.write().await`, `tx.blocking_send(v)`
`tx.send(v).await`, and `rx.blocking_recv()` `rx.recv().await` for an mpsc or
broadcast receiver, or `rx.await` for a oneshot one. Each twin returns the
same type, and guards are dropped at the same points. The fix is made only
where the file shows the receiver's tokio type (a `let` that made it, a
typed parameter or local, a field of a struct of the same file); elsewhere
the call is reported without a fix. Not reported in `spawn_blocking`,
`block_in_place` and `std::thread::spawn` closures, or in sync fns: that is
where these methods belong (awaitify's own lock migration writes them
there). Inside a non-async closure in async code it is reported without a
fix, since `.await` is impossible there. Only in crates that depend on
tokio. Only unsafe in tests, examples, benches and `#[cfg(test)]` code,
where the panic may be what a test checks; in a `#[should_panic]` test the
call is a note with no fix.

## Known problems
A receiver whose type is declared in another file (a field of a struct
defined elsewhere, a fn's return value) gets no fix. A receiver the file
shows to be of another crate's type, or of the crate's own (`self` in an
inherent `impl`, a struct or enum of the same file), is not reported, nor is
a call with another number of arguments than tokio's method takes. tokio's other blocking
methods (`blocking_lock_owned`, `blocking_recv_many`, `Semaphore`'s
`blocking_acquire*`) are not checked.",
    ..Rule::crate_pass(plan, Some(crate::facts::may_call_watched_method))
};

/// Which of a tokio type's async methods a watched call's twin is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Twin {
    /// `.lock().await`, `.recv().await`, `.send(v).await`: the method of the
    /// same name without `blocking_`, awaited.
    Method,
    /// `rx.await`: a oneshot receiver is itself the future.
    AwaitReceiver,
}

/// What the receiver is known to be.
#[derive(Debug, PartialEq, Eq)]
enum Receiver {
    /// A tokio type with this twin (`None`: which twin is not known).
    Tokio(Option<Twin>),
    /// Another crate's type: not this rule's business.
    Other,
    Unknown,
}

/// What `call`'s receiver is, from what its file shows.
fn receiver(call: &MethodCallFact) -> Receiver {
    // tokio's `blocking_send` takes the value; the others take nothing.
    let arity = usize::from(call.method == "blocking_send");
    if call.args != arity {
        return Receiver::Other;
    }
    // Only a path the file imports is known to be another crate's.
    let local = |p: &str| {
        ["crate::", "self::", "super::"]
            .iter()
            .any(|l| p.starts_with(l))
    };
    let path = match &call.receiver_type {
        ReceiverType::Unknown => return Receiver::Unknown,
        ReceiverType::OwnType(_) => return Receiver::Other,
        ReceiverType::Typed(t) => t.clone(),
        // `mpsc::channel()` makes a (Sender, Receiver) pair.
        ReceiverType::MadeBy(f, _) if !local(f) && !f.starts_with("tokio::") => {
            return Receiver::Other
        }
        ReceiverType::MadeBy(f, index) => {
            let kind = match (f.rsplit("::").next(), index) {
                (Some("new" | "const_new" | "with_max_readers"), None) => "",
                (Some("channel" | "unbounded_channel"), Some(0)) => "::Sender",
                (Some("channel" | "unbounded_channel"), Some(1)) => "::Receiver",
                _ => return Receiver::Unknown,
            };
            let module = f.rsplit_once("::").map_or("", |(m, _)| m);
            format!("{module}{kind}")
        }
    };
    // A path the file does not import may name an alias or a wrapper.
    if local(&path) {
        return Receiver::Unknown;
    }
    if !path.starts_with("tokio::") {
        return Receiver::Other;
    }
    let module = path.rsplit_once("::").map_or("", |(m, _)| m);
    let twin = match call.method.as_str() {
        "blocking_recv" if module.ends_with("::oneshot") => Some(Twin::AwaitReceiver),
        "blocking_recv" if module.ends_with("::mpsc") || module.ends_with("::broadcast") => {
            Some(Twin::Method)
        }
        "blocking_recv" => None,
        _ => Some(Twin::Method),
    };
    Receiver::Tokio(twin)
}

/// The awaited twin of a watched call, as the message names it.
fn twin_name(method: &str, twin: Option<Twin>) -> String {
    let plain = method.trim_start_matches("blocking_");
    let args = if plain == "send" { "(..)" } else { "()" };
    match twin {
        Some(Twin::Method) => format!("`.{plain}{args}.await`"),
        Some(Twin::AwaitReceiver) => "`.await` on the oneshot receiver".to_string(),
        None => format!(
            "`.{plain}().await` (an mpsc or broadcast receiver), or `.await` on a oneshot receiver"
        ),
    }
}

/// The edits that turn `call` into its twin.
fn fix_edits(call: &MethodCallFact, twin: Twin, src: &layout::Source) -> Vec<Edit> {
    let plain = call.method.trim_start_matches("blocking_");
    // From the method name to the end of the call: `blocking_lock()`.
    let tail = ra_ap_syntax::TextRange::new(call.name.start(), call.call.end());
    match twin {
        Twin::AwaitReceiver => layout::chain_edits(src, tail, "await", 0),
        Twin::Method if plain == "send" => {
            let at = ra_ap_syntax::TextRange::empty(call.call.end());
            let mut edits = layout::chain_edits(src, at, ".await", 0);
            edits.push(Edit::new(call.name, "send"));
            edits
        }
        Twin::Method => layout::chain_edits(src, tail, &format!("{plain}().await"), 0),
    }
}

/// AW207 over a crate: a report for each watched call in async code, fixed
/// where its receiver is known to be tokio's and `.await` is possible.
fn plan(krate: &Crate, out: &mut CratePlan) {
    let Crate {
        files,
        sources,
        opts,
        ..
    } = *krate;
    // A crate that cannot use tokio has no tokio types.
    if opts.tokio.is_some_and(|t| !t.normal && !t.dev) {
        return;
    }
    let wrappers = blocking_wrappers(files);
    // A file the run leaves alone is not reported on, as for AW201–AW206.
    for (file, facts) in files.iter().enumerate().filter(|(_, f)| !f.read_only) {
        for call in &facts.method_calls {
            let in_closure = match &call.ctx {
                SiteContext::Async => false,
                // `asyncify(|| ..)`: the closure runs on the blocking pool.
                SiteContext::SyncInAsync => {
                    if call
                        .closure_callee
                        .as_deref()
                        .is_some_and(|c| wrappers.contains(c))
                    {
                        continue;
                    }
                    true
                }
                // Sync code, where these methods belong (AW205 reports a
                // sync fn that blocks when async code calls it).
                _ => continue,
            };
            let receiver = receiver(call);
            let twin = match receiver {
                Receiver::Other => continue,
                Receiver::Tokio(twin) => twin,
                // Only a receiver's twin depends on its type.
                Receiver::Unknown if call.method == "blocking_recv" => None,
                Receiver::Unknown => Some(Twin::Method),
            };
            let at = Loc {
                file,
                range: call.call,
            };
            if !permitted(
                files,
                opts,
                &TOKIO_BLOCKING_IN_ASYNC,
                &at,
                &mut out.suppressed,
            ) {
                continue;
            }
            // A test may call it to see it panic.
            let test_code = call.in_test || !facts.unit.is_empty();
            let site = Site {
                at,
                twin,
                known: matches!(receiver, Receiver::Tokio(Some(_))),
                in_closure,
                test_code,
                should_panic: call.should_panic,
            };
            let found = report(call, site, &sources[file], opts, out);
            out.blocking.push(found);
        }
    }
}

/// Where a reported call is, and what its fix would be.
struct Site {
    at: Loc,
    twin: Option<Twin>,
    /// The file shows the receiver's tokio type, and so its twin.
    known: bool,
    /// In a non-async closure inside async code.
    in_closure: bool,
    /// In tests, examples, benches or `#[cfg(test)]` code.
    test_code: bool,
    /// In a `#[should_panic]` test, whose panic this call may be.
    should_panic: bool,
}

/// The finding for one call, with its fix's edits added to the plan's where
/// it is applied.
fn report(
    call: &MethodCallFact,
    site: Site,
    src: &layout::Source,
    opts: &PlanOptions,
    out: &mut CratePlan,
) -> BlockingReport {
    let Site {
        at,
        twin,
        known,
        in_closure,
        test_code,
        should_panic,
    } = site;
    let method = &call.method;
    let mut notes = Vec::new();
    if should_panic {
        notes.push(
            "in a `#[should_panic]` test, where the panic may be what the test checks: no fix"
                .to_string(),
        );
    } else if in_closure {
        notes.push("it is in a non-async closure inside async code, where `.await` is impossible: move the call out of the closure, or the closure into tokio::task::spawn_blocking".to_string());
    } else if !known {
        notes.push(match twin {
            Some(_) => {
                "no fix: this file does not show that the receiver is a tokio type".to_string()
            }
            None => "no fix: this file does not show which tokio receiver this is".to_string(),
        });
    }
    // A fix the compiler rejected is reported, not applied.
    let withdrawn = opts.referee.withdrawn(&at);
    notes.extend(withdrawn.map(str::to_string));
    let fixable = known && !in_closure && !should_panic && withdrawn.is_none();
    if fixable && test_code && !opts.unsafe_fixes {
        notes.push(
            "in test code the panic may be what a test checks: `--unsafe-fixes` applies the fix"
                .to_string(),
        );
    }
    let applied = fixable && (!test_code || opts.unsafe_fixes);
    let edits = match twin.filter(|_| applied) {
        Some(twin) => fix_edits(call, twin, src),
        None => Vec::new(),
    };
    out.edits
        .entry(at.file)
        .or_default()
        .extend(edits.iter().cloned());
    BlockingReport {
        rule: (&TOKIO_BLOCKING_IN_ASYNC).into(),
        severity: match should_panic {
            true => Severity::Note,
            false => TOKIO_BLOCKING_IN_ASYNC.severity,
        },
        at,
        message: format!(
            "`{method}` panics on a tokio runtime thread (\"Cannot block the current thread from within a runtime\"); use {}",
            twin_name(method, twin)
        ),
        notes,
        fixed: applied,
        fix: match test_code {
            false => fixable.then_some(Applicability::Safe),
            true => fixable.then_some(Applicability::Unsafe),
        },
        edits,
        helper: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::driver::test_support::{check_fix, check_no_finding, TestCrate};
    use crate::settings::{PublicApi, Referee};

    /// Plans `src` alone, as a file of a crate that depends on tokio: its
    /// AW207 findings (message and notes) and the text after its edits.
    fn run(src: &str) -> (Vec<String>, String) {
        let facts = crate::facts::facts_of(src);
        let opts = PlanOptions {
            policy: crate::settings::Policy::AsyncUse,
            parking_lot: false,
            unsafe_fixes: false,
            public_api: PublicApi::Report,
            rules: Default::default(),
            tokio: Some(crate::edits::manifest::TokioUse {
                normal: true,
                dev: true,
                absent: false,
                renamed: false,
            }),
            referee: Referee::default(),
        };
        let plan = crate::plan::plan(&[&facts], &[src], &opts);
        let found = plan
            .blocking
            .iter()
            .filter(|b| b.rule.code == "AW207")
            .map(|b| format!("{} {}", b.message, b.notes.join("; ")))
            .collect();
        let edits = plan.edits.get(&0).cloned().unwrap_or_default();
        (found, crate::edits::edit::apply(src, edits).unwrap())
    }

    /// Reported, left as it is; the finding says `what`.
    fn check_report_only(src: &str, what: &str) {
        let (found, fixed) = run(src);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].contains(what), "{found:?}");
        assert_eq!(fixed, src);
    }

    /// A `#[should_panic]` test may call it to see it panic: a note with no
    /// fix, even under `--unsafe-fixes`, which fixes the plain test beside it.
    #[test]
    fn a_should_panic_test_keeps_its_call() {
        let krate = TestCrate::main(
            "fn main() {}\n\
             #[tokio::test]\n\
             #[should_panic(expected = \"Cannot block\")]\n\
             async fn panics() {\n    tokio::sync::Mutex::new(1).blocking_lock();\n}\n\
             #[tokio::test]\n\
             async fn locks() {\n    tokio::sync::Mutex::new(1).blocking_lock();\n}\n",
        )
        .unsafe_fixes();
        krate.check_note("AW207", "`#[should_panic]` test");
        let out = krate.run();
        let severities: Vec<_> = out
            .diagnostics
            .iter()
            .map(|d| (d.severity, d.fix.is_some()))
            .collect();
        assert_eq!(
            severities,
            [(Severity::Note, false), (Severity::Error, true)],
            "{:?}",
            out.diagnostics
        );
        krate.check_fixed_to_hold(
            "src/main.rs",
            "async fn panics() {\n    tokio::sync::Mutex::new(1).blocking_lock();\n}\n\
             #[tokio::test]\n\
             async fn locks() {\n    tokio::sync::Mutex::new(1).lock().await;\n}\n",
        );
    }

    #[test]
    fn locks_become_awaited() {
        check_fix(
            "use tokio::sync::{Mutex, RwLock};\n\
             async fn f(m: &Mutex<u8>, r: std::sync::Arc<RwLock<u8>>) -> u8 {\n\
                 *m.blocking_lock() + *r.blocking_read() + *r.blocking_write()\n\
             }",
            "use tokio::sync::{Mutex, RwLock};\n\
             async fn f(m: &Mutex<u8>, r: std::sync::Arc<RwLock<u8>>) -> u8 {\n\
                 *m.lock().await + *r.read().await + *r.write().await\n\
             }",
        );
    }

    #[test]
    fn channels_become_awaited_and_a_oneshot_is_awaited_itself() {
        check_fix(
            "use tokio::sync::{mpsc, oneshot};\n\
             async fn f(done: oneshot::Receiver<u8>) {\n\
                 let (tx, mut rx) = mpsc::channel(1);\n\
                 tx.blocking_send(1).unwrap();\n\
                 rx.blocking_recv();\n\
                 done.blocking_recv().unwrap();\n\
             }",
            "use tokio::sync::{mpsc, oneshot};\n\
             async fn f(done: oneshot::Receiver<u8>) {\n\
                 let (tx, mut rx) = mpsc::channel(1);\n\
                 tx.send(1).await.unwrap();\n\
                 rx.recv().await;\n\
                 done.await.unwrap();\n\
             }",
        );
    }

    #[test]
    fn a_field_of_a_struct_of_the_file_is_typed_by_it() {
        check_fix(
            "struct S { m: tokio::sync::Mutex<u8> }\n\
             impl S { async fn f(&self) -> u8 { *self.m.blocking_lock() } }",
            "struct S { m: tokio::sync::Mutex<u8> }\n\
             impl S { async fn f(&self) -> u8 { *self.m.lock().await } }",
        );
    }

    #[test]
    fn sync_code_and_the_blocking_pool_are_where_they_belong() {
        check_no_finding(
            "fn f(m: &tokio::sync::Mutex<u8>) -> u8 { *m.blocking_lock() }\n\
             async fn g(m: std::sync::Arc<tokio::sync::Mutex<u8>>) {\n\
                 tokio::task::spawn_blocking(move || *m.blocking_lock()).await.unwrap();\n\
             }",
        );
    }

    #[test]
    fn another_crates_type_is_not_reported() {
        check_no_finding(
            "use postage::mpsc;\n\
             async fn f() { let (_tx, mut rx) = mpsc::channel::<u8>(1); rx.blocking_recv(); }",
        );
    }

    #[test]
    fn unknown_receivers_and_closures_are_reported_without_a_fix() {
        check_report_only(
            "async fn f(s: &State) { s.rx().blocking_recv(); }",
            "does not show which tokio receiver",
        );
        check_report_only(
            "async fn f(s: &State) { s.m.blocking_lock(); }",
            "does not show that the receiver is a tokio type",
        );
        check_report_only(
            "async fn f(m: &tokio::sync::Mutex<u8>) { let _ = [1].map(|_| *m.blocking_lock()); }",
            "non-async closure",
        );
    }

    #[test]
    fn the_crates_own_type_is_not_tokios() {
        check_no_finding(
            "struct Gate;\n\
             impl Gate { fn new() -> Gate { Gate } fn blocking_lock(&self) {} }\n\
             async fn f(g: &Gate) { g.blocking_lock(); Gate::new().blocking_lock(); }",
        );
    }

    #[test]
    fn the_crates_own_methods_of_another_arity_are_not_tokios() {
        check_no_finding(
            "struct R;\n\
             impl R {\n\
                 fn blocking_read<T>(&self, f: impl FnOnce(&[u8]) -> T) -> T { f(b\"\") }\n\
                 async fn json(&self) -> usize { self.blocking_read(|r| r.len()) }\n\
             }\n\
             async fn f(r: &Other) -> usize { r.blocking_read(|r| r.len()) }\n\
             use async_lock::Mutex;\n\
             async fn g() { let m = Mutex::new(1); m.blocking_lock(); }",
        );
    }

    /// Test code may reach it from a `#[should_panic]` test through a helper.
    #[test]
    fn a_test_may_call_it_to_see_it_panic() {
        let (found, fixed) = run("#[cfg(test)]\n\
             async fn helper() { tokio::sync::Mutex::new(1).blocking_lock(); }");
        assert_eq!(found.len(), 1);
        assert!(
            found[0].contains("`--unsafe-fixes` applies the fix"),
            "{found:?}"
        );
        assert!(fixed.contains("blocking_lock()"));
    }

    #[test]
    fn suppressions_hide_it() {
        check_no_finding(
            "async fn f(m: &tokio::sync::Mutex<u8>) {\n\
                 // awaitify: allow(tokio-blocking-in-async)\n\
                 let _g = m.blocking_lock();\n\
             }",
        );
    }
}
