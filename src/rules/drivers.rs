//! Which executors run each async fn: the runtime premise of the blocking
//! rules. Async code runs on tokio when it is reached from
//! `#[tokio::main]`, `#[tokio::test]`, `tokio::spawn`, `Runtime::block_on`
//! or `Handle::spawn`; on another executor from `futures::executor::block_on`,
//! async-std or smol. A call hands the executors of
//! the code it is in to its callee: a fn it names exactly, or the crate's
//! async methods a method call may call (the receiver's type's, where the
//! file shows it; else every one of that name).

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::facts::{CallFact, Driver, FileFacts, FnId, MethodReceiver, Name};
use crate::locks::{Unit, Units};

/// What reaches an async fn, or the async code a call is in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Routes {
    tokio: bool,
    /// Another executor, on a thread that may run other tasks.
    other: bool,
    /// Code the crate does not show: a caller nothing reaches, a future
    /// made in sync code and handed on, a library's users.
    unknown: bool,
}

impl Routes {
    fn union(self, o: Routes) -> Routes {
        Routes {
            tokio: self.tokio || o.tokio,
            other: self.other || o.other,
            unknown: self.unknown || o.unknown,
        }
    }

    /// Some executor the crate shows reaches it.
    fn known(self) -> bool {
        self.tokio || self.other
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
    /// By callee: what drives the calls of it.
    callers: HashMap<FnId, Vec<Driver>>,
}

impl Drivers {
    /// Works the routes out over the crate's calls.
    pub(crate) fn new(files: &[&FileFacts], units: &Units) -> Drivers {
        let edges = edges(files, units);
        let mut callers: HashMap<FnId, Vec<Driver>> = HashMap::new();
        for e in &edges {
            for f in &e.callees {
                callers.entry(f.clone()).or_default().push(e.driver.clone());
            }
        }
        let mut d = Drivers {
            routes: HashMap::new(),
            callers,
        };
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
                let from = self.of(&e.driver, units.sees(e.unit), unknown);
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

    /// The routes of code driven by `driver`, in a unit that sees `sees`;
    /// `unknown` counts what the crate does not show.
    fn of(&self, driver: &Driver, sees: &[Unit], unknown: bool) -> Routes {
        let routes = |tokio, other| Routes {
            tokio,
            other,
            unknown: false,
        };
        match driver {
            Driver::Tokio => routes(true, false),
            Driver::Other => routes(false, true),
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
    pub(crate) fn on_tokio(&self, driver: &Driver, sees: &[Unit]) -> bool {
        let r = self.of(driver, sees, true);
        r.tokio && !r.other
    }

    /// The names of the async fns whose callers decide what drives
    /// `driver`: a file that calls one may hold a route to it, and must be
    /// analysed before the premise is trusted.
    pub(crate) fn route_names(&self, driver: &Driver, out: &mut BTreeSet<String>) {
        self.walk_routes(driver, |d| {
            if let Driver::Fn(f) = d {
                out.insert(f.name.to_string());
            }
        });
    }

    /// Calls `visit` with `driver` and with what drives each call on the
    /// routes to it, back from callee to caller.
    fn walk_routes<'a>(&'a self, driver: &'a Driver, mut visit: impl FnMut(&'a Driver)) {
        let mut todo = vec![driver];
        let mut seen = HashSet::new();
        while let Some(d) = todo.pop() {
            visit(d);
            let Driver::Fn(f) = d else { continue };
            if seen.insert(f) {
                todo.extend(self.callers.get(f).into_iter().flatten());
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
            let callees = match (&c.callee_key, &c.receiver) {
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

/// The crate's async methods by name, each with its unit.
fn async_methods(files: &[&FileFacts], units: &Units) -> HashMap<Name, Vec<(Unit, FnId)>> {
    let mut methods: HashMap<Name, Vec<(Unit, FnId)>> = HashMap::new();
    for (file, facts) in files.iter().enumerate() {
        for f in &facts.async_methods {
            methods
                .entry(f.name.clone())
                .or_default()
                .push((units[file], f.clone()));
        }
    }
    methods
}

/// The async methods `x.name(..)` may call, of those `unit` sees: the
/// receiver's type's, where an impl of that type has one; else each one
/// of that name (a `dyn Trait`, a generic, a receiver of unknown type, a
/// trait's default method).
fn method_callees(
    c: &CallFact,
    receiver: &MethodReceiver,
    unit: Unit,
    units: &Units,
    methods: &HashMap<Name, Vec<(Unit, FnId)>>,
) -> Vec<FnId> {
    let Some(named) = methods.get(&c.callee) else {
        return Vec::new();
    };
    let visible: Vec<&FnId> = named
        .iter()
        .filter(|(u, _)| units.sees(unit).contains(u))
        .map(|(_, f)| f)
        .collect();
    let typed: Vec<&FnId> = match receiver {
        MethodReceiver::Typed(ty) => visible
            .iter()
            .copied()
            .filter(|f| f.ty.as_ref() == Some(ty))
            .collect(),
        MethodReceiver::Unknown => Vec::new(),
    };
    let chosen = if typed.is_empty() { visible } else { typed };
    let mut callees: Vec<FnId> = chosen.into_iter().cloned().collect();
    callees.sort();
    callees.dedup();
    callees
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{check_fix, TestCrate};

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
        let before = format!("{INGESTOR}{tail}");
        let after = before.replace(
            "std::thread::sleep(Duration::from_millis(self.n));",
            "tokio::time::sleep(Duration::from_millis(self.n)).await;",
        );
        check_fix(&before, &after);
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
        let before = format!("{INGESTOR}{tail}");
        let after = before.replace(
            "std::thread::sleep(Duration::from_millis(self.n));",
            "tokio::time::sleep(Duration::from_millis(self.n)).await;",
        );
        check_fix(&before, &after);
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
}
