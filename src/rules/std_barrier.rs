//! AW209 `std-barrier-in-async`: a std barrier waited on in async code,
//! migrated to `tokio::sync::Barrier` where every use of it is known.

use super::std_channel::{field_named_elsewhere, no_tokio, wait_reports, Migration};
use super::{Applicability, Rule, Severity};
use crate::facts::{BarrierFact, BarrierMigration, FileFacts};
use crate::locks::{permitted, CratePlan, Loc};
use crate::rules::blocking_calls::Crate;
use crate::settings::PlanOptions;

pub const STD_BARRIER: Rule = Rule {
    code: "AW209",
    name: "std-barrier-in-async",
    severity: Severity::Warning,
    fix: Some(Applicability::Unsafe),
    summary: "a std barrier is waited on in async code",
    doc: "## What it does
Finds a barrier made in a fn body by `let b = std::sync::Barrier::new(n)`
(any spelling of the path, or inside `Arc::new(..)`) that is waited on in
async code, and migrates it to `tokio::sync::Barrier` where every use of
`b` and of its clones (`let b2 = b.clone()`, `Arc::clone(&b)`) is in that
body (in closures and async blocks inside it included) or in a private
fn of the module (or its parent's, for a test module's `use super::*`)
it is passed to, an associated fn such as a constructor included
(`tokio::spawn(worker(i, b.clone()))`, `Sampler::new(i, b.clone())`),
where every mention of that fn in the file is a call that passes one of
the file's barriers (they migrate together) and no other file can call
it, or in a private field of a struct the file
defines (`Sampler { start: b.clone(), .. }`) whose every use in the file
is a wait, where every literal of the struct stores a barrier the rule
follows (they migrate together) and no other file names a field of that
name; and every wait is in async code. The type
becomes tokio's in the `let`s and in those fns' parameters (its import is
rewritten as a migrated lock's is; a spelled-out path is replaced);
`Barrier::new(n)` keeps its argument (tokio's takes the same `usize`, and
treats `0` as `1` as std's does); each `b.wait()` becomes
`b.wait().await`; `is_leader()` on its result stays. tokio's barrier needs
no runtime: the async code may run on any executor. The crate's tokio gets
the `sync` feature.

## Why is this bad?
`wait` parks the executor thread until every party arrives: the tasks
queued on that thread stop, and a party that is one of them never arrives.
With fewer worker threads than waiting tasks, the runtime deadlocks.

## Example
```rust
let barrier = Arc::new(Barrier::new(2));
let b = barrier.clone();
let task = tokio::spawn(async move { b.wait(); });
barrier.wait();
```

## Use instead
```rust
let barrier = Arc::new(tokio::sync::Barrier::new(2));
let b = barrier.clone();
let task = tokio::spawn(async move { b.wait().await; });
barrier.wait().await;
```

## Fix safety
Unsafe, applied only with `--unsafe-fixes`: each wait becomes a yield
point. A waiting task no longer holds its worker thread, which runs other
tasks meanwhile, so code that uses the barrier to keep worker threads busy
(to pin tasks to threads, as runtime tests do) behaves differently. The
wait is also a cancellation point: a task aborted (or a future dropped by
`select!` or `timeout`) while it waits has already counted as arrived. And
a program whose std barrier deadlocked the runtime now completes. The
leader is the last party to arrive in both. The compiler's referee
withdraws a migration that does not build.

## Known problems
A barrier stays std, and AW203 reports its waits in async code with the
reason, where it or a clone is used in a way the rule does not follow:
passed to a method, to another crate's fn, or to a fn of the crate that is
sync, generic, `pub`, named elsewhere (another call, a fn pointer, a
macro) or in a module with files of its own (`mod x;`); stored in a
struct field the rule does not follow, returned, moved to another
binding, named inside a macro (`println!` included), or waited on by a
std thread, in `spawn_blocking`, or in a sync fn or closure (tokio's
barrier has no blocking wait); or where its file names
`BarrierWaitResult`.
A barrier whose code is inside the call of a macro that pastes its tokens
into several modules (`rt_test! { .. }`) stays too, as a lock there does.
Barriers held in statics, in fields used other than by waits, or made by
another fn, are not migrated: their waits keep AW203's report, with a note.",
    ..Rule::crate_pass(plan, Some(may_match))
};

/// For the prefilter: a barrier's type.
fn may_match(text: &str) -> bool {
    text.contains("Barrier")
}

/// Each barrier waited on in async code: its migration, which stands in
/// for AW203's reports of its waits, or a note on those reports saying why
/// it stays.
fn plan(krate: &Crate, out: &mut CratePlan) {
    let Crate {
        files,
        sources,
        opts,
        ..
    } = *krate;
    if !opts.rules.enabled(&STD_BARRIER) {
        return;
    }
    for (file, facts) in files.iter().enumerate() {
        if facts.read_only {
            continue;
        }
        for b in &facts.barriers {
            let at = Loc {
                file,
                range: b.ctor,
            };
            let test_code = b.in_test || !facts.unit.is_empty();
            let why_not = match &b.plan {
                Err(blocker) => {
                    let offset = usize::from(blocker.at.start());
                    let line = sources[file].text[..offset].matches('\n').count() + 1;
                    Some(format!("{} (line {line})", blocker.why))
                }
                Ok(m) => pasted(facts, b, m)
                    .or_else(|| {
                        let f = b.field.as_ref()?;
                        field_named_elsewhere(sources, file, &f.strukt, &f.name)
                    })
                    .or_else(|| no_tokio(opts, test_code).map(str::to_string)),
            };
            if let Some(why) = why_not {
                note_waits(out, file, &b.async_waits, &why);
                continue;
            }
            if permitted(files, opts, &STD_BARRIER, &at, &mut out.suppressed) {
                migrate(b, at, opts, out);
            }
        }
        note_untracked_waits(facts, file, out);
    }
}

/// Why a barrier whose code a pasting macro's call holds stays: an edit
/// there would change every module the macro pastes it into.
fn pasted(facts: &FileFacts, b: &BarrierFact, m: &BarrierMigration) -> Option<String> {
    let edited = m
        .edits
        .iter()
        .map(|e| e.range)
        .chain(m.imported.iter().copied());
    let mut places = std::iter::once(b.ctor).chain(edited);
    places.find_map(|at| {
        let region = facts
            .macro_regions
            .iter()
            .find(|r| r.range.contains_range(at));
        region.map(|r| r.reason())
    })
}

/// A note on AW203's report of each of `waits`.
fn note_waits(out: &mut CratePlan, file: usize, waits: &[ra_ap_syntax::TextRange], why: &str) {
    for r in wait_reports(out, file, waits) {
        out.blocking[r].notes.push(format!(
            "the barrier is not migrated to tokio::sync::Barrier ({}): {why}",
            STD_BARRIER.code
        ));
    }
}

/// A note on AW203's report of each barrier wait in `file` whose barrier
/// the rule did not follow from a `let`.
fn note_untracked_waits(facts: &FileFacts, file: usize, out: &mut CratePlan) {
    let untracked: Vec<_> = facts
        .blocking
        .iter()
        .filter(|b| b.call.what == "std::sync::Barrier::wait")
        .map(|b| b.call.call)
        .filter(|call| {
            let tracked = facts.barriers.iter().flat_map(|f| &f.async_waits);
            !tracked.into_iter().any(|w| w.contains_range(*call))
        })
        .collect();
    let why = "the rule follows a barrier only from the `let` in a fn body that makes it, and this one comes from elsewhere (a field, a parameter, a call's result, or a macro)";
    note_waits(out, file, &untracked, why);
}

/// The barrier's finding, in place of AW203's for its waits, with its
/// edits where the run applies them.
fn migrate(b: &BarrierFact, at: Loc, opts: &PlanOptions, out: &mut CratePlan) {
    let Ok(m) = &b.plan else { return };
    let file = at.file;
    let migration = Migration {
        rule: &STD_BARRIER,
        message: "a std barrier is waited on in async code, parking the executor thread until every party arrives; use `tokio::sync::Barrier` (`wait().await`)".into(),
        offer: "`--unsafe-fixes` migrates it to `tokio::sync::Barrier`: each wait becomes a yield point, where other tasks run on the waiting task's thread and the task can be cancelled".into(),
        waits: &b.async_waits,
        edits: &m.edits,
        features: &[],
        in_test: b.in_test,
    };
    if migration.push(at, opts, out) {
        let names = out.tokio_type_names.entry(file).or_default();
        names.extend(m.imported.iter().copied());
    }
}

#[cfg(test)]
mod tests {
    use crate::driver::test_support::{check_finding, TestCrate};

    fn migrates(before: &str, after: &str) {
        TestCrate::main(before).unsafe_fixes().check_fix(after);
    }

    #[test]
    fn tasks_that_meet_at_a_barrier_await_tokios() {
        migrates(
            r#"use std::sync::{Arc, Barrier};

#[tokio::main]
async fn main() {
    let barrier = Arc::new(Barrier::new(3));
    let mut tasks = Vec::new();
    for _ in 0..2 {
        let b = barrier.clone();
        tasks.push(tokio::spawn(async move { b.wait().is_leader() }));
    }
    let mine = Arc::clone(&barrier);
    let mut leaders = usize::from(mine.wait().is_leader());
    for t in tasks {
        leaders += usize::from(t.await.unwrap());
    }
    drop(barrier);
    println!("{leaders}");
}
"#,
            r#"use std::sync::Arc;
use tokio::sync::Barrier;

#[tokio::main]
async fn main() {
    let barrier = Arc::new(Barrier::new(3));
    let mut tasks = Vec::new();
    for _ in 0..2 {
        let b = barrier.clone();
        tasks.push(tokio::spawn(async move { b.wait().await.is_leader() }));
    }
    let mine = Arc::clone(&barrier);
    let mut leaders = usize::from(mine.wait().await.is_leader());
    for t in tasks {
        leaders += usize::from(t.await.unwrap());
    }
    drop(barrier);
    println!("{leaders}");
}
"#,
        );
    }

    /// Samplers that meet at a barrier kept in a private field of theirs.
    const SAMPLER: &str = r#"use std::sync::{Arc, Barrier};

struct Sampler {
    id: usize,
    start: Arc<Barrier>,
}

impl Sampler {
    async fn run(self) -> bool {
        self.start.wait().is_leader()
    }
}

#[tokio::main]
async fn main() {
    let start = Arc::new(Barrier::new(2));
    let mut tasks = Vec::new();
    for id in 0..2 {
        let s = Sampler { id, start: start.clone() };
        tasks.push(tokio::spawn(s.run()));
    }
    let mut leaders = 0;
    for t in tasks {
        leaders += usize::from(t.await.unwrap());
    }
    println!("{leaders}");
}
"#;

    #[test]
    fn a_barrier_kept_in_a_private_field_whose_uses_are_waits_migrates() {
        let after = SAMPLER
            .replace(
                "use std::sync::{Arc, Barrier};",
                "use std::sync::Arc;\nuse tokio::sync::Barrier;",
            )
            .replace("self.start.wait()", "self.start.wait().await");
        migrates(SAMPLER, &after);
    }

    #[test]
    fn a_field_used_otherwise_or_stored_from_elsewhere_keeps_the_barrier() {
        let cases = [
            // The field is used other than by a wait: its barrier is no
            // longer the `let`'s the rule follows.
            (
                "self.start.wait().is_leader()",
                "{ let b = self.start.clone(); b.wait().is_leader() }",
                "this one comes from elsewhere",
            ),
            // A literal stores a barrier the rule does not follow.
            (
                "    println!(\"{leaders}\");",
                "    let _ = Sampler { id: 9, start: Arc::new(Barrier::new(1)) }.id;\n    println!(\"{leaders}\");",
                "a value the rule does not follow",
            ),
            // Other modules may use the field.
            ("    start: Arc<Barrier>,", "    pub start: Arc<Barrier>,", "a field other modules may use"),
        ];
        for (from, to, why) in cases {
            let src = SAMPLER.replace(from, to);
            TestCrate::main(&src)
                .unsafe_fixes()
                .check_note("AW203", why);
        }
    }

    #[test]
    fn barriers_passed_to_one_fn_from_main_and_a_test_migrate_together() {
        let src = r#"use std::sync::{Arc, Barrier};

async fn worker(start: Arc<Barrier>) -> bool {
    start.wait().is_leader()
}

#[tokio::main]
async fn main() {
    let start = Arc::new(Barrier::new(1));
    let leader = worker(start).await;
    println!("{leader}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn alone() {
        let start = Arc::new(Barrier::new(1));
        let leader = worker(start).await;
        assert!(leader);
    }
}
"#;
        let after = src
            .replace(
                "use std::sync::{Arc, Barrier};",
                "use std::sync::Arc;\nuse tokio::sync::Barrier;",
            )
            .replace("start.wait().is_leader()", "start.wait().await.is_leader()");
        migrates(src, &after);
        // The test's barrier is not followed (it is named in a macro): the
        // fn cannot take tokio's for one and std's for the other.
        let src = src.replace(
            "let leader = worker(start).await;\n        assert!(leader);",
            "assert!(worker(start).await);",
        );
        TestCrate::main(&src)
            .unsafe_fixes()
            .check_note("AW203", "is named elsewhere too");
    }

    #[test]
    fn spelled_out_paths_and_annotations_are_rewritten() {
        migrates(
            r#"async fn meet() {
    let b: std::sync::Arc<std::sync::Barrier> = std::sync::Arc::new(std::sync::Barrier::new(1));
    let again: std::sync::Arc<std::sync::Barrier> = b.clone();
    b.wait();
    let _ = again.wait();
}

#[tokio::main]
async fn main() {
    meet().await;
}
"#,
            r#"async fn meet() {
    let b: std::sync::Arc<tokio::sync::Barrier> = std::sync::Arc::new(tokio::sync::Barrier::new(1));
    let again: std::sync::Arc<tokio::sync::Barrier> = b.clone();
    b.wait().await;
    let _ = again.wait().await;
}

#[tokio::main]
async fn main() {
    meet().await;
}
"#,
        );
    }

    #[test]
    fn an_import_another_barrier_keeps_stays_and_the_migrated_path_is_qualified() {
        migrates(
            r#"use std::sync::Barrier;

fn threads() {
    let b = Barrier::new(1);
    b.wait();
}

#[tokio::main]
async fn main() {
    threads();
    let b = Barrier::new(1);
    b.wait();
}
"#,
            r#"use std::sync::Barrier;

fn threads() {
    let b = Barrier::new(1);
    b.wait();
}

#[tokio::main]
async fn main() {
    threads();
    let b = tokio::sync::Barrier::new(1);
    b.wait().await;
}
"#,
        );
    }

    /// A std thread and a task meet: the thread's wait cannot be awaited.
    const WITH_A_THREAD: &str = r#"use std::sync::{Arc, Barrier};

#[tokio::main]
async fn main() {
    let barrier = Arc::new(Barrier::new(2));
    let b = barrier.clone();
    let t = std::thread::spawn(move || {
        b.wait();
    });
    barrier.wait();
    t.join().unwrap();
}
"#;

    #[test]
    fn a_barrier_a_std_thread_waits_on_stays() {
        TestCrate::main(WITH_A_THREAD)
            .unsafe_fixes()
            .check_unfixed("AW203");
        TestCrate::main(WITH_A_THREAD).check_note(
            "AW203",
            "(AW209): `b.wait()` runs on a thread of its own, and tokio's `Barrier` has no blocking wait (line 8)",
        );
        TestCrate::main(WITH_A_THREAD).check_message("AW203", "Barrier::wait", "AW209");
    }

    #[test]
    fn a_barrier_that_leaves_the_fn_or_waits_in_sync_code_stays() {
        for (body, why) in [
            (
                "drop(tokio::spawn(std::future::ready(b.clone())));",
                "a clone of `b` is passed to a call (`std::future::ready(b.clone())`)",
            ),
            ("keep(&b);", "it is passed to `keep`, a generic fn"),
            (
                "let s = Shared { b: b.clone() }; keep(s.b);",
                "it is stored in `Shared.b`, which is used other than by `.wait()` (`s.b`)",
            ),
            ("println!(\"{b:?}\");", "named inside a macro (`println!`)"),
            (
                "let c = b; drop(c);",
                "`b` is used where the rule cannot follow it",
            ),
            (
                "let _: Option<std::sync::BarrierWaitResult> = None;",
                "the file names `BarrierWaitResult`",
            ),
            (
                "tokio::task::spawn_blocking(move || { b.wait(); });",
                "`b.wait()` runs on a thread of its own",
            ),
            (
                "[1].iter().for_each(|_| { b.wait(); });",
                "`b.wait()` is in a sync fn or closure",
            ),
        ] {
            let src = format!(
                "use std::sync::{{Arc, Barrier}};\n\
                 struct Shared {{ b: Arc<Barrier> }}\n\
                 fn keep<T>(_: T) {{}}\n\
                 #[tokio::main]\nasync fn main() {{\n    let b = Arc::new(Barrier::new(1));\n    b.wait();\n    {body}\n}}\n"
            );
            let out = TestCrate::main(&src).unsafe_fixes().run();
            assert!(out.changes.is_empty(), "{body}: {:?}", out.changes);
            let noted = out.diagnostics.iter().any(|d| {
                d.rule.code == "AW203"
                    && d.span.line == 7
                    && d.notes.iter().any(|n| n.contains(why))
            });
            assert!(noted, "{body}: {:#?}", out.diagnostics);
        }
    }

    /// A barrier passed to `worker`, a private async fn of the file.
    const PASSED: &str = r#"use std::sync::{Arc, Barrier};

async fn worker(id: u32, barrier: Arc<Barrier>) -> u32 {
    barrier.wait();
    id
}

#[tokio::main]
async fn main() {
    let barrier = Arc::new(Barrier::new(2));
    let task = tokio::spawn(worker(1, barrier.clone()));
    barrier.wait();
    println!("{}", task.await.unwrap() + worker(2, Arc::new(Barrier::new(1))).await);
}
"#;

    #[test]
    fn a_barrier_passed_to_a_private_async_fn_is_followed_into_it() {
        // `worker`'s other call passes another barrier: neither migrates.
        TestCrate::main(PASSED).check_note(
            "AW203",
            "`worker`, which it is passed to, is named elsewhere too",
        );
        let one_caller = PASSED.replace(" + worker(2, Arc::new(Barrier::new(1))).await", "");
        migrates(
            &one_caller,
            r#"use std::sync::Arc;
use tokio::sync::Barrier;

async fn worker(id: u32, barrier: Arc<Barrier>) -> u32 {
    barrier.wait().await;
    id
}

#[tokio::main]
async fn main() {
    let barrier = Arc::new(Barrier::new(2));
    let task = tokio::spawn(worker(1, barrier.clone()));
    barrier.wait().await;
    println!("{}", task.await.unwrap());
}
"#,
        );
        // Another file may call it.
        let with_module = format!("mod other;\n{one_caller}");
        TestCrate::main(&with_module)
            .file("src/other.rs", "")
            .check_note(
                "AW203",
                "`worker`, which it is passed to, may be called from another file (`mod other;`)",
            );
    }

    #[test]
    fn a_barrier_from_a_field_is_reported_with_why_it_stays() {
        TestCrate::main(
            r#"use std::sync::{Arc, Barrier};

struct Shared {
    gate: Arc<Barrier>,
}

impl Shared {
    async fn meet(&self) {
        self.gate.wait();
    }
}

#[tokio::main]
async fn main() {
    let s = Shared { gate: Arc::new(Barrier::new(1)) };
    s.meet().await;
}
"#,
        )
        .check_note(
            "AW203",
            "follows a barrier only from the `let` in a fn body",
        );
    }

    #[test]
    fn a_wait_under_the_guard_of_a_std_lock_that_stays_is_not_awaited() {
        // `m` stays (tokio has no `is_poisoned`), and its guard is alive at
        // the wait: an `.await` there would hold it across the await.
        let src = r#"use std::sync::{Arc, Barrier, Mutex};

fn poisoned(m: &Mutex<u32>) -> bool {
    m.is_poisoned()
}

#[tokio::main]
async fn main() {
    let m = Arc::new(Mutex::new(0u32));
    let barrier = Arc::new(Barrier::new(1));
    let g = m.lock().unwrap();
    barrier.wait();
    drop(g);
    println!("{}", poisoned(&m));
}
"#;
        TestCrate::main(src).unsafe_fixes().check_unfixed("AW209");
        TestCrate::main(src).unsafe_fixes().check_note(
            "AW209",
            "the guard of the std local `m` (locked on line 11)",
        );
    }

    #[test]
    fn a_barrier_inside_a_pasting_macro_stays() {
        // One edit there would change every module the macro pastes it into.
        let src = r#"macro_rules! on_each {
    ($($body:tt)*) => {
        mod first { $($body)* }
        mod second { $($body)* }
    };
}

on_each! {
    pub async fn meet() {
        let b = std::sync::Barrier::new(1);
        b.wait();
    }
}

#[tokio::main]
async fn main() {
    first::meet().await;
    second::meet().await;
}
"#;
        TestCrate::main(src).unsafe_fixes().check_unfixed("AW203");
        TestCrate::main(src).check_note("AW203", "(AW209): it is inside `on_each! { .. }`");
    }

    #[test]
    fn without_unsafe_fixes_it_is_reported_and_left() {
        let src = r#"#[tokio::main]
async fn main() {
    let b = std::sync::Barrier::new(1);
    b.wait();
}
"#;
        TestCrate::main(src).check_unfixed("AW209");
        TestCrate::main(src).check_note("AW209", "`--unsafe-fixes` migrates it");
        check_finding(src, "AW209");
    }
}
