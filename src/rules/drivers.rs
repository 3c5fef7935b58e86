//! Which executors run each async fn: the runtime premise of the blocking
//! rules. Async code runs on tokio when it is reached from
//! `#[tokio::main]`, `#[tokio::test]`, `tokio::spawn`, `Runtime::block_on`
//! or `Handle::spawn`; on another executor from `futures::executor::block_on`,
//! async-std or smol, and on a thread of its own when that executor's
//! `block_on` runs in a thread's closure. A call hands the executors of the
//! code it is in to its callee: a fn it names exactly, or the crate's async
//! methods a method call may call (the receiver's type's, where the file
//! shows it; else every one of that name).

use std::collections::BTreeSet;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::facts::{Driver, FileFacts, FnId};
use crate::locks::{async_methods, method_callees, Unit, Units};

/// What reaches an async fn, or the async code a call is in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Routes {
    tokio: bool,
    /// Another executor, on a thread that may run other tasks.
    other: bool,
    /// Another executor's `block_on` on a thread of its own.
    own_thread: bool,
    /// Code the crate does not show: a caller nothing reaches, a future
    /// made in sync code and handed on, a library's users.
    unknown: bool,
}

impl Routes {
    fn union(self, o: Routes) -> Routes {
        Routes {
            tokio: self.tokio || o.tokio,
            other: self.other || o.other,
            own_thread: self.own_thread || o.own_thread,
            unknown: self.unknown || o.unknown,
        }
    }

    /// Some executor the crate shows reaches it.
    fn known(self) -> bool {
        self.tokio || self.other || self.own_thread
    }
}

/// One call that hands its caller's executors on: the fns it may call and
/// what drives the code it is in.
struct Edge {
    unit: Unit,
    callees: Vec<FnId>,
    driver: Driver,
}

/// The executors that reach each async fn of a crate.
pub(crate) struct Drivers {
    routes: HashMap<(Unit, FnId), Routes>,
    /// By callee: what drives the calls of it, and their units.
    callers: HashMap<FnId, Vec<(Unit, Driver)>>,
    /// Sync fns (with the block_on of another executor) that only run on
    /// threads of their own.
    own_threads: HashSet<(Unit, FnId)>,
}

impl Drivers {
    /// Works the routes out over the crate's calls. `on_own_threads` says
    /// whether a sync fn runs only on threads of its own (see
    /// `RuntimeAnalysis::on_own_threads`).
    pub(crate) fn new(
        files: &[&FileFacts],
        units: &Units,
        on_own_threads: impl Fn(Unit, &FnId) -> bool,
    ) -> Drivers {
        let edges = edges(files, units);
        let mut callers: HashMap<FnId, Vec<(Unit, Driver)>> = HashMap::default();
        for e in &edges {
            for f in &e.callees {
                let caller = (e.unit, e.driver.clone());
                callers.entry(f.clone()).or_default().push(caller);
            }
        }
        let mut d = Drivers {
            routes: HashMap::default(),
            callers,
            own_threads: HashSet::default(),
        };
        // Only the sync fns on a blocking call's routes are worth asking
        // about: each question reads their callers, and theirs.
        let mut ask = HashSet::default();
        for (file, facts) in files.iter().enumerate() {
            for b in &facts.blocking {
                for (f, unit) in d.route_sync_fns(&b.driver, units[file]) {
                    if ask.insert((unit, f.clone())) && on_own_threads(unit, &f) {
                        d.own_threads.insert((unit, f));
                    }
                }
            }
        }
        // First what the crate shows; then, with those settled, what it
        // does not (a caller nothing reaches, a library's public fns).
        d.propagate(&edges, units, false);
        for (file, facts) in files.iter().enumerate().filter(|(_, f)| f.library) {
            for f in &facts.public_fns {
                d.routes
                    .entry((units[file], f.clone()))
                    .or_default()
                    .unknown = true;
            }
        }
        d.propagate(&edges, units, true);
        d
    }

    /// Hands routes along the edges until nothing changes.
    fn propagate(&mut self, edges: &[Edge], units: &Units, unknown: bool) {
        loop {
            let mut changed = false;
            for e in edges {
                let from = self.of(&e.driver, e.unit, units.sees(e.unit), unknown);
                if from == Routes::default() {
                    continue;
                }
                for f in &e.callees {
                    for &u in units.sees(e.unit) {
                        let r = self.routes.entry((u, f.clone())).or_default();
                        changed |= *r != r.union(from);
                        *r = r.union(from);
                    }
                }
            }
            if !changed {
                return;
            }
        }
    }

    /// The routes of code driven by `driver`, in `unit` (which sees
    /// `sees`); `unknown` counts what the crate does not show.
    fn of(&self, driver: &Driver, unit: Unit, sees: &[Unit], unknown: bool) -> Routes {
        let routes = |tokio, other, own_thread| Routes {
            tokio,
            other,
            own_thread,
            unknown: false,
        };
        match driver {
            Driver::Tokio => routes(true, false, false),
            Driver::Other => routes(false, true, false),
            Driver::OwnThread(None) => routes(false, false, true),
            Driver::OwnThread(Some(f)) => {
                let own = self.own_threads.contains(&(unit, f.clone()));
                routes(false, !own, own)
            }
            Driver::Fn(f) => {
                let r = sees
                    .iter()
                    .filter_map(|&u| self.routes.get(&(u, f.clone())))
                    .fold(Routes::default(), |a, &b| a.union(b));
                Routes {
                    unknown: r.unknown || (unknown && !r.known()),
                    ..r
                }
            }
            Driver::Unknown => Routes {
                unknown,
                ..Routes::default()
            },
        }
    }

    /// Does code driven by `driver` provably run on tokio (and nothing
    /// else)?
    pub(crate) fn on_tokio(&self, driver: &Driver, unit: Unit, sees: &[Unit]) -> bool {
        let r = self.of(driver, unit, sees, true);
        r.tokio && !r.other && !r.own_thread
    }

    /// May another executor than tokio run code driven by `driver`?
    pub(crate) fn on_another_executor(&self, driver: &Driver, unit: Unit, sees: &[Unit]) -> bool {
        let r = self.of(driver, unit, sees, true);
        r.other || r.own_thread
    }

    /// Does only another executor's `block_on`, on a thread of its own, run
    /// code driven by `driver`, on every route the crate shows and with no
    /// route it does not show?
    pub(crate) fn on_own_thread(&self, driver: &Driver, unit: Unit, sees: &[Unit]) -> bool {
        let r = self.of(driver, unit, sees, true);
        r.own_thread && !r.tokio && !r.other && !r.unknown
    }

    /// The names of the async fns whose callers decide what drives
    /// `driver`: a file that calls one may hold a route to it, and must be
    /// analysed before the premise is trusted.
    pub(crate) fn route_names(&self, driver: &Driver, unit: Unit, out: &mut BTreeSet<String>) {
        self.walk_routes(driver, unit, |_, d| {
            if let Driver::Fn(f) = d {
                out.insert(f.name.to_string());
            }
        });
    }

    /// The sync fns with another executor's `block_on` on the routes to
    /// code driven by `driver` (in `unit`), each with the unit of its call.
    fn route_sync_fns(&self, driver: &Driver, unit: Unit) -> Vec<(FnId, Unit)> {
        let mut out = Vec::new();
        self.walk_routes(driver, unit, |unit, d| {
            if let Driver::OwnThread(Some(f)) = d {
                out.push((f.clone(), unit));
            }
        });
        out
    }

    /// Calls `visit` with `driver` (of code in `unit`) and with what drives
    /// each call on the routes to it (and the call's unit), back from
    /// callee to caller.
    fn walk_routes<'a>(
        &'a self,
        driver: &'a Driver,
        unit: Unit,
        mut visit: impl FnMut(Unit, &'a Driver),
    ) {
        let mut todo = vec![(unit, driver)];
        let mut seen = HashSet::default();
        while let Some((unit, d)) = todo.pop() {
            visit(unit, d);
            let Driver::Fn(f) = d else { continue };
            if seen.insert(f) {
                let callers = self.callers.get(f).into_iter().flatten();
                todo.extend(callers.map(|(u, d)| (*u, d)));
            }
        }
    }
}

/// The crate's calls that may call one of its async fns, each with the fns
/// it may call.
fn edges(files: &[&FileFacts], units: &Units) -> Vec<Edge> {
    let methods = async_methods(files, units);
    let mut edges = Vec::new();
    for (file, facts) in files.iter().enumerate() {
        let unit = units[file];
        for c in &facts.calls {
            let callees = match (&c.callee_key, c.premise_receiver()) {
                (Some(key), _) => vec![key.clone()],
                (None, Some(receiver)) => method_callees(c, receiver, unit, units, &methods),
                (None, None) => continue,
            };
            if !callees.is_empty() {
                edges.push(Edge {
                    unit,
                    callees,
                    driver: c.driver.clone(),
                });
            }
        }
    }
    edges
}

#[cfg(test)]
mod tests {
    use crate::driver::test_support::{check_fix, check_no_finding, TestCrate};

    /// An `impl` whose async method sleeps, and a fn that awaits it.
    const INGESTOR: &str = r#"use std::time::Duration;

struct Ingestor {
    n: u64,
}

impl Ingestor {
    fn new(n: u64) -> Self {
        Ingestor { n }
    }

    async fn ingest(&self) -> u64 {
        std::thread::sleep(Duration::from_millis(self.n));
        self.n
    }
}
"#;

    /// `INGESTOR` followed by `tail`: its sleep gets tokio's fix.
    fn sleep_in_ingest_is_fixed(tail: &str) {
        let before = format!("{INGESTOR}{tail}");
        let after = before.replace(
            "std::thread::sleep(Duration::from_millis(self.n));",
            "tokio::time::sleep(Duration::from_millis(self.n)).await;",
        );
        check_fix(&before, &after);
    }

    #[test]
    fn a_method_awaited_through_a_parameter_runs_where_its_caller_does() {
        let tail = r#"
async fn run(ing: &Ingestor) -> u64 {
    ing.ingest().await
}

fn main() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let ing = Ingestor::new(3);
    let n = rt.block_on(run(&ing));
    println!("{n}");
}
"#;
        sleep_in_ingest_is_fixed(tail);
    }

    #[test]
    fn a_method_of_a_local_built_by_its_type_runs_where_its_caller_does() {
        let tail = r#"
#[tokio::main]
async fn main() {
    let ing = Ingestor::new(3);
    println!("{}", ing.ingest().await);
}
"#;
        sleep_in_ingest_is_fixed(tail);
    }

    #[test]
    fn every_impl_a_dyn_receiver_may_call_inherits_the_callers_executor() {
        // `Source::fetch` is awaited through a `dyn` (any impl) from tokio,
        // and directly from another executor: only `Disk` stays unfixed.
        let src = r#"use std::time::Duration;

trait Source {
    async fn fetch(&self) -> u64;
}

#[derive(Default)]
struct Disk;
struct Net;

impl Source for Disk {
    async fn fetch(&self) -> u64 {
        std::thread::sleep(Duration::from_millis(1));
        1
    }
}

impl Source for Net {
    async fn fetch(&self) -> u64 {
        std::thread::sleep(Duration::from_millis(2));
        2
    }
}

async fn total<S: Source>(sources: &[S]) -> u64 {
    let mut n = 0;
    for s in sources {
        n += s.fetch().await;
    }
    n
}

#[tokio::main]
async fn main() {
    let n = total(&[Net]).await;
    let d = futures::executor::block_on(Disk::default().fetch());
    println!("{n} {d}");
}
"#;
        let after = src.replace(
            "std::thread::sleep(Duration::from_millis(2));",
            "tokio::time::sleep(Duration::from_millis(2)).await;",
        );
        check_fix(src, &after);
    }

    #[test]
    fn an_async_fn_of_a_module_file_is_reached_from_a_main_with_no_blocking_call() {
        TestCrate::main("mod worker;\n\n#[tokio::main]\nasync fn main() {\n    println!(\"{}\", worker::work(1).await);\n}\n")
            .file(
                "src/worker.rs",
                "pub async fn work(n: u64) -> u64 {\n    std::thread::sleep(std::time::Duration::from_millis(n));\n    n\n}\n",
            )
            .check_fixed_to_hold(
                "src/worker.rs",
                "tokio::time::sleep(std::time::Duration::from_millis(n)).await;",
            );
    }

    /// A sync fn that runs `poll` on `futures`' executor; `main` below
    /// starts it in various places.
    const POLL: &str = r#"use std::time::Duration;

async fn poll() -> u64 {
    std::thread::sleep(Duration::from_millis(1));
    1
}

fn run_poller() -> u64 {
    futures::executor::block_on(poll())
}
"#;

    #[test]
    fn async_code_only_another_executor_runs_on_a_thread_of_its_own_may_block() {
        check_no_finding(&format!(
            "{POLL}\nfn main() {{\n    let n = std::thread::spawn(run_poller).join().unwrap();\n    let m = std::thread::Builder::new().spawn(|| futures::executor::block_on(poll())).unwrap().join().unwrap();\n    println!(\"{{n}} {{m}}\");\n}}\n"
        ));
    }

    #[test]
    fn another_executor_on_the_main_thread_keeps_its_finding() {
        TestCrate::main(&format!(
            "{POLL}\nfn main() {{\n    println!(\"{{}}\", run_poller());\n}}\n"
        ))
        .check_unfixed("AW201");
    }

    #[test]
    fn a_thread_of_its_own_and_a_tokio_task_keep_the_finding_without_a_fix() {
        TestCrate::main(&format!(
            "{POLL}\n#[tokio::main]\nasync fn main() {{\n    let n = std::thread::spawn(run_poller).join().unwrap();\n    println!(\"{{}} {{n}}\", tokio::spawn(poll()).await.unwrap());\n}}\n"
        ))
        .check_unfixed("AW201");
    }

    #[test]
    fn a_route_the_crate_does_not_show_keeps_the_finding() {
        // `twice` is called from nowhere: what runs it is unknown.
        TestCrate::main(&format!(
            "{POLL}\n#[allow(dead_code)]\nasync fn twice() -> u64 {{\n    poll().await * 2\n}}\n\nfn main() {{\n    println!(\"{{}}\", std::thread::spawn(run_poller).join().unwrap());\n}}\n"
        ))
        .check_unfixed("AW201");
    }
}
