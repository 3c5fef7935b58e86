//! AW205 `blocking-helper-call`: async code calling a sync fn of the crate that
//! blocks, with the chain: a fn it names, a method of a receiver whose type
//! the file shows to be the crate's (each impl a `dyn Trait` or generic
//! receiver may call), or the `Drop` of a local made in async code.

use crate::rules::blocking_calls::Crate;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, HashSet};

use ra_ap_syntax::TextRange;

use super::blocking_calls::wrap_helper_call;
use super::{Applicability, Rule, Severity};
use crate::blocking::BlockingKind;
use crate::facts::{BlockingFact, CallFact, FileFacts, FnId, SiteContext};
use crate::locks::{permitted, Asyncified, BlockingReport, CratePlan, Loc, OwnTypes, Unit, Units};

pub const BLOCKING_HELPER: Rule = Rule {
    code: "AW205",
    name: "blocking-helper-call",
    severity: Severity::Warning,
    fix: Some(Applicability::Unsafe),
    summary: "async code calls a sync helper that blocks",
    doc: "## What it does
Reports a call from async code to a sync fn of the same crate that makes a
blocking call, directly or through further sync fns, with the chain:
`handle → load_config → std::fs::read_to_string`.

## Why is this bad?
The blocking call runs on the executor thread, hidden one call away.

## Example
```rust
fn load_config() -> String { std::fs::read_to_string(\"app.toml\").unwrap() }
async fn handle() -> usize { load_config().len() }
```

## Use instead
```rust
async fn handle() -> usize {
    tokio::task::spawn_blocking(load_config).await.unwrap().len()
}
```

## Fix safety
Unsafe, and only where the helper blocks in nothing but calls with a tokio
twin (`std::thread::sleep`, `std::fs` fns): with `--unsafe-fixes` the
helper becomes `async fn`, its blocking calls take their twins, and every
call of it is awaited; a sync fn that calls it becomes async the same way,
up to the async code. Each call becomes a point where the task yields. The
fix is made only where the tool sees every call of those fns (resolved
calls, none in a closure, a `Drop` or a test body, no other use of their
names), none of them locks a lock or is a trait's method, tokio provably
runs every async caller, and no std guard is held across a call. Anywhere
else: make the helper async by hand, or call it inside
`tokio::task::spawn_blocking`.

## Known problems
Calls are followed where they name their fn (`helper(..)`, `Type::f(..)`,
`Self::f(..)`, `self.f(..)`) or where the file shows the receiver is of one
of the crate's types: a parameter's or a `let`'s type, `T::new(..)`,
`T { .. }`, fields of those (`self.journal.flush()`), `Arc`/`Rc`/`Box` of
them. A `dyn Trait`, `impl Trait` or generic `T: Trait` receiver may call
every impl of the crate's trait `Trait`; the finding names those that
block. A receiver whose type the file does not show (a closure's or a
`for` loop's binding, a chain of calls, a `Deref` newtype, a trait's default
method) is not followed, so a std method of the same name (`vec.get(0)`) is
never taken for the crate's. Types and methods are known by name: two types
of one name in two modules are one. A `Drop` that blocks is reported where
a local of its type is made in async code (`let g = T::new(..)`, `T { .. }`)
and not moved on; temporaries and values dropped in sync helpers are not.
Only files that make or name a blocking call (or a lock) are read, so an
async caller in a file that names neither is not seen.",
    ..Rule::crate_pass(plan, None)
};

/// AW205's pass: the chains whose strongest call blocks (CPU-heavy work
/// alone is AW206's, through [`plan_chains`]).
fn plan(krate: &Crate, out: &mut CratePlan) {
    plan_chains(&BLOCKING_HELPER, krate, out);
}

/// Blocking calls and sync calls, by the sync fn they are in.
struct SyncFns {
    /// The strongest blocking call of each sync fn, by unit and fn key (the
    /// first of equal strength).
    direct: BTreeMap<(Unit, FnId), (u8, String)>,
    /// The sync fns each sync fn calls. An awaited call calls an async fn:
    /// never one of these.
    calls_of: BTreeMap<(Unit, FnId), Vec<FnId>>,
    /// How many fns of each unit have each key: fns of one name in
    /// different modules share theirs.
    defs: HashMap<(Unit, FnId), usize>,
    /// `chain`'s answers, by where it is asked from: a helper is called
    /// from many places.
    #[allow(clippy::type_complexity)]
    chains: RefCell<HashMap<(Unit, FnId), Option<(u8, Vec<String>)>>>,
}

impl SyncFns {
    fn new(files: &[&FileFacts], units: &Units, types: &OwnTypes) -> SyncFns {
        let mut direct: BTreeMap<(Unit, FnId), (u8, String)> = BTreeMap::new();
        let mut calls_of: BTreeMap<(Unit, FnId), Vec<FnId>> = BTreeMap::new();
        let handles = crate::locks::HandleFns::new(files, units);
        let mut defs: HashMap<(Unit, FnId), usize> = HashMap::new();
        for (file, facts) in files.iter().enumerate() {
            for d in &facts.fn_defs {
                *defs.entry((units[file], d.key.clone())).or_default() += 1;
            }
            // A closure the fn only stores or hands on does not run when
            // the fn does.
            let blocking = facts.blocking.iter().filter(|b| !b.deferred);
            for b in blocking.filter(|b| handles.confirm(b, units[file], units)) {
                if let SiteContext::Sync { fn_name, .. } = &b.ctx {
                    let what = &b.call.what;
                    let e = direct
                        .entry((units[file], fn_name.clone()))
                        .or_insert_with(|| (0, what.clone()));
                    if strength(b) > e.0 {
                        *e = (strength(b), what.clone());
                    }
                }
            }
            for c in facts.calls.iter().filter(|c| !c.awaited && !c.deferred) {
                let SiteContext::Sync { fn_name, .. } = &c.ctx else {
                    continue;
                };
                let callees = match &c.callee_key {
                    Some(key) => vec![key.clone()],
                    None if c.own_receiver().is_some() => types.callees(units[file], units, c).fns,
                    None => continue,
                };
                if !callees.is_empty() {
                    let known = calls_of.entry((units[file], fn_name.clone())).or_default();
                    // Each callee once, where it is first called.
                    for callee in callees {
                        if !known.contains(&callee) {
                            known.push(callee);
                        }
                    }
                }
            }
        }
        SyncFns {
            direct,
            calls_of,
            defs,
            chains: Default::default(),
        }
    }

    /// How many fns have `key` in the helper's own unit (see `unit_of`).
    fn namesakes(&self, unit: Unit, units: &Units, key: &FnId) -> usize {
        let own = self.unit_of(unit, units, key);
        self.defs.get(&(own, key.clone())).copied().unwrap_or(0)
    }

    /// The strongest blocking path from `key`, seen from `unit`.
    fn chain(&self, unit: Unit, units: &Units, key: &FnId) -> Option<(u8, Vec<String>)> {
        let asked = (unit, key.clone());
        if let Some(found) = self.chains.borrow().get(&asked) {
            return found.clone();
        }
        let found = chain(
            (unit, units),
            key,
            &self.direct,
            &self.calls_of,
            &mut HashSet::new(),
        );
        self.chains.borrow_mut().insert(asked, found.clone());
        found
    }

    /// Where the fn `key` that code of `unit` calls is defined: its file
    /// and name (the first of its own unit's, see `unit_of`).
    fn definition(
        &self,
        files: &[&FileFacts],
        (unit, units): (Unit, &Units),
        key: &FnId,
    ) -> Option<(usize, TextRange)> {
        let own = self.unit_of(unit, units, key);
        files.iter().enumerate().find_map(|(f, facts)| {
            let d = facts.fn_defs.iter().find(|d| &d.key == key)?;
            (units[f] == own).then_some((f, d.name))
        })
    }

    /// The helper's own unit: the first unit `unit` sees that defines it.
    fn unit_of(&self, unit: Unit, units: &Units, key: &FnId) -> Unit {
        units
            .sees(unit)
            .iter()
            .copied()
            .find(|&u| {
                self.direct.contains_key(&(u, key.clone()))
                    || self.calls_of.contains_key(&(u, key.clone()))
            })
            .unwrap_or(unit)
    }
}

/// How strongly a blocking call blocks, for picking the chain an AW205
/// finding shows: a `block_on` or a sleep over a wait that may be short,
/// file I/O, or CPU work.
fn strength(b: &BlockingFact) -> u8 {
    match &b.call.kind {
        BlockingKind::BlockOn => 6,
        BlockingKind::Sleep => 5,
        BlockingKind::Process { .. } => 4,
        BlockingKind::Wait if b.call.what.ends_with("recv_timeout") => 2,
        BlockingKind::Wait | BlockingKind::User { heavy: false, .. } => 3,
        BlockingKind::Fs { .. } | BlockingKind::FsOther => 2,
        BlockingKind::Heavy | BlockingKind::User { heavy: true, .. } => HEAVY,
    }
}

/// The strength of CPU-heavy work: a chain that reaches nothing stronger
/// is AW206's.
const HEAVY: u8 = 1;

/// What `key` names from code that sees `sees`: the fn of the first
/// unit that has one so named.
fn seen_from<'m, V>(
    map: &'m BTreeMap<(Unit, FnId), V>,
    sees: &[Unit],
    key: &FnId,
) -> Option<(Unit, &'m V)> {
    let mut k = (0, key.clone());
    sees.iter().find_map(|&u| {
        k.0 = u;
        map.get(&k).map(|v| (u, v))
    })
}
/// The strongest blocking path from `key` (the shortest of equal
/// strength): its strength, and the fns and call along it.
fn chain(
    (unit, units): (Unit, &Units),
    key: &FnId,
    direct: &BTreeMap<(Unit, FnId), (u8, String)>,
    calls_of: &BTreeMap<(Unit, FnId), Vec<FnId>>,
    seen: &mut HashSet<(Unit, FnId)>,
) -> Option<(u8, Vec<String>)> {
    let mut best = seen_from(direct, units.sees(unit), key)
        .map(|(_, (strength, what))| (*strength, vec![key.to_string(), what.clone()]));
    let Some((unit, callees)) = seen_from(calls_of, units.sees(unit), key) else {
        return best;
    };
    if !seen.insert((unit, key.clone())) {
        return best;
    }
    for callee in callees {
        let Some((strength, mut rest)) = chain((unit, units), callee, direct, calls_of, seen)
        else {
            continue;
        };
        rest.insert(0, key.to_string());
        let better = best
            .as_ref()
            .is_none_or(|(s, b)| strength > *s || (strength == *s && rest.len() < b.len()));
        if better {
            best = Some((strength, rest));
        }
    }
    best
}

/// A report of `rule`, with the chain, for each async call of a sync fn
/// that blocks, and for each local made in async code whose `Drop` blocks:
/// AW205's where the strongest call a chain reaches blocks (a wait, a sleep,
/// I/O), AW206's (`cpu_heavy`) where it is CPU-heavy work. An AW206 finding
/// in test code is a note.
pub(crate) fn plan_chains(rule: &'static Rule, krate: &Crate, out: &mut CratePlan) {
    let Crate { files, units, .. } = *krate;
    let heavy = rule.code == super::CPU_HEAVY.code;
    let ours = |strength: u8| (strength == HEAVY) == heavy;
    let types = OwnTypes::new(files, units);
    let sync_fns = SyncFns::new(files, units, &types);
    for (file, facts) in files.iter().enumerate().filter(|(_, f)| !f.read_only) {
        let unit = units[file];
        for c in facts
            .calls
            .iter()
            .filter(|c| c.ctx == SiteContext::Async && !c.awaited)
        {
            let (callees, traits) = match &c.callee_key {
                Some(key) => (vec![key.clone()], None),
                None if c.own_receiver().is_some() => {
                    let found = types.callees(unit, units, c);
                    (found.fns, found.traits)
                }
                None => continue,
            };
            // Each callee that blocks, strongest first.
            let mut blocking: Vec<(FnId, (u8, Vec<String>))> = callees
                .into_iter()
                .filter_map(|key| Some((key.clone(), sync_fns.chain(unit, units, &key)?)))
                .collect();
            blocking.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.1 .1.len().cmp(&b.1 .1.len())));
            // The strongest decides whose finding it is; the impls a
            // `dyn` call may reach are named if they are that rule's too.
            if !blocking.first().is_some_and(|(_, (s, _))| ours(*s)) {
                continue;
            }
            blocking.retain(|(_, (s, _))| ours(*s));
            // AW206 in test code: only where the test shows a large size
            // (a fixture is small by design), as a note.
            let test_code = heavy && (c.in_test || !facts.unit.is_empty());
            if test_code && c.size_hint.is_none() {
                continue;
            }
            let (key, (_, path)) = &blocking[0];
            let at = Loc {
                file,
                range: c.range,
            };
            let caller = c.in_fn.as_ref().map(|f| format!("{f} → "));
            let chain = format!("{}{}", caller.unwrap_or_default(), path.join(" → "));
            let (blocks, block) = match heavy {
                true => ("do CPU-heavy work", "does CPU-heavy work"),
                false => ("block", "blocks"),
            };
            let message = match traits {
                None => format!("`{key}` is a sync fn that {block}: {chain}"),
                Some(traits) => {
                    let names: Vec<String> =
                        blocking.iter().map(|(k, _)| format!("`{k}`")).collect();
                    let (fns, them) = match names.len() {
                        1 => (format!("a sync fn that {block}"), "it"),
                        _ => (format!("sync fns that {blocks}"), "them"),
                    };
                    let via: Vec<String> = traits
                        .iter()
                        .map(|t| format!("`{t}::{}`", c.callee))
                        .collect();
                    format!(
                        "{} {} {fns}, and this call of {} may reach {them}: {chain}",
                        names.join(", "),
                        if names.len() == 1 { "is" } else { "are" },
                        via.join(" or "),
                    )
                }
            };
            let namesakes = sync_fns.namesakes(unit, units, key);
            let message = match namesakes {
                0 | 1 => message,
                n => format!("{message} ({n} fns are named `{key}`; the tool does not tell them apart and shows the strongest chain)"),
            };
            let message = match c.size_hint.filter(|_| test_code) {
                Some(n) => format!("{message}; the test shows a size of {n}"),
                None => message,
            };
            let note = match heavy {
                true => "call it inside tokio::task::spawn_blocking",
                false => "make it async, or call it inside tokio::task::spawn_blocking",
            };
            // Made async by AW205's fix, with every fn of the path; else
            // why a fn of the path cannot be.
            let fns = &path[..path.len() - 1];
            let offered = (out.asyncified.get(key))
                .filter(|f| !f.declined && fns.iter().all(|p| f.fns.contains(p)));
            let declined = || {
                let mut on_path = out
                    .asyncified
                    .iter()
                    .filter(|(k, f)| f.declined && fns.iter().any(|p| *p == k.to_string()));
                on_path.next().map(|(_, f)| f)
            };
            let fix = match heavy {
                // Moved to the blocking pool as a heavy call is, where the
                // call names one fn the tool knows (not a `dyn` call's
                // impls, nor one of several fns of its name).
                true => {
                    let def = match (&traits, namesakes) {
                        (None, 1) => sync_fns
                            .definition(files, (unit, units), key)
                            .ok_or("its definition is not found"),
                        (Some(_), _) => Err("the call may reach more than one fn"),
                        _ => Err("fns of its name are not told apart"),
                    };
                    Fix::Wrap(c, def)
                }
                false => offered
                    .or_else(declined)
                    .cloned()
                    .map_or(Fix::None, Fix::Asyncify),
            };
            report(
                (rule, krate, out),
                (at, message, test_code),
                (note, fix),
                format!("{}:{key}", sync_fns.unit_of(unit, units, key)),
            );
        }
        for v in &facts.async_values {
            if !types.defines(units.sees(unit), &v.ty) {
                continue;
            }
            let key = FnId::method(&v.ty, "drop");
            let Some((strength, path)) = sync_fns.chain(unit, units, &key) else {
                continue;
            };
            if !ours(strength) {
                continue;
            }
            let caller = v.in_fn.as_ref().map(|f| format!("{f} → "));
            let message = format!(
                "`{key}` is a sync fn that {}, run by `Drop` where this `{}` goes out of scope in async code: {}{}",
                if heavy { "does CPU-heavy work" } else { "blocks" },
                v.ty,
                caller.unwrap_or_default(),
                path.join(" → ")
            );
            let at = Loc {
                file,
                range: v.range,
            };
            report(
                (rule, krate, out),
                (at, message, false),
                ("drop it inside tokio::task::spawn_blocking, or do the blocking cleanup in async code before it goes out of scope", Fix::None),
                format!("{}:{key}", sync_fns.unit_of(unit, units, &key)),
            );
        }
    }
}

/// Gives a report AW205's async-ify fix: its edits in the report's file
/// where it is applied, and why it is unsafe (or why there is none).
fn offer_asyncify(r: &mut BlockingReport, fix: Asyncified) {
    if fix.declined {
        r.notes.push(fix.reason);
        return;
    }
    r.fix = Some(Applicability::Unsafe);
    r.fixed = fix.applied;
    let here = fix.edits.into_iter().filter(|(f, _)| *f == r.at.file);
    r.edits = here.map(|(_, e)| e).filter(|_| fix.applied).collect();
    r.notes.push(fix.reason);
}

/// The fix a chain's report may carry.
enum Fix<'a> {
    None,
    /// AW205's: the helper and its sync callers made async.
    Asyncify(Asyncified),
    /// AW206's: the call moved to the blocking pool, as a heavy call is
    /// (`blocking_calls::wrap_helper_call`), given the helper's definition
    /// (its file and name), or why it is not known.
    Wrap(&'a CallFact, Result<(usize, TextRange), &'static str>),
}

/// Pushes one report of `rule`, with its fix if it has one, unless a
/// comment or the configuration suppresses it there; one in test code is a
/// note.
fn report(
    (rule, krate, out): (&'static Rule, &Crate, &mut CratePlan),
    (at, message, test_code): (Loc, String, bool),
    (note, fix): (&str, Fix),
    helper: String,
) {
    if !permitted(krate.files, krate.opts, rule, &at, &mut out.suppressed) {
        return;
    }
    let mut notes = vec![note.to_string()];
    let severity = match test_code {
        true => {
            notes.push(super::cpu_heavy::TEST_NOTE.to_string());
            Severity::Note
        }
        false => rule.severity,
    };
    let mut r = BlockingReport {
        rule: rule.into(),
        severity,
        at,
        message,
        notes,
        fixed: false,
        fix: None,
        edits: Vec::new(),
        helper: Some(helper),
    };
    match fix {
        Fix::None => {}
        Fix::Asyncify(fix) => offer_asyncify(&mut r, fix),
        Fix::Wrap(c, def) => {
            let (fix, edits, notes) = wrap_helper_call(krate, (r.at.file, c), def, out);
            r.fix = fix;
            r.fixed = !edits.is_empty();
            r.edits = edits;
            r.notes.extend(notes);
        }
    }
    out.blocking.push(r);
}

#[cfg(test)]
mod tests {
    use crate::driver::test_support::{check_finding, check_no_finding};

    #[test]
    fn an_async_call_of_a_sync_fn_that_reads_a_file_is_reported() {
        check_finding(
            r#"fn load_config() -> String {
    std::fs::read_to_string("app.toml").unwrap_or_default()
}

async fn handle() -> usize {
    load_config().len()
}

#[tokio::main]
async fn main() {
    println!("{}", handle().await);
}
"#,
            "AW205",
        );
    }

    /// A helper that reads a file, and one that calls it, from async code.
    const LOAD: &str = r#"fn load_config(path: &str) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

fn settings() -> usize {
    load_config("app.toml").len()
}

async fn handle() -> usize {
    settings()
}

#[tokio::main]
async fn main() {
    println!("{}", handle().await);
}
"#;

    #[test]
    fn unsafe_fixes_make_a_blocking_helper_and_its_sync_callers_async() {
        use crate::driver::test_support::TestCrate;
        TestCrate::main(LOAD).check_note("AW205", "the fix makes `load_config`, `settings` async, awaits the 2 calls, and gives each blocking call there its tokio twin");
        let after = LOAD
            .replace("fn load_config", "async fn load_config")
            .replace("fn settings", "async fn settings")
            .replace(
                "std::fs::read_to_string(path)",
                "tokio::fs::read_to_string(path).await",
            )
            .replace(
                "load_config(\"app.toml\").len()",
                "load_config(\"app.toml\").await.len()",
            )
            .replace("    settings()\n", "    settings().await\n");
        TestCrate::main(LOAD).unsafe_fixes().check_fix(&after);
    }

    #[test]
    fn a_chain_through_fns_of_one_name_says_so() {
        use crate::driver::test_support::TestCrate;
        let src = "mod a {\n    pub fn load() -> String {\n        std::fs::read_to_string(\"a\").unwrap_or_default()\n    }\n}\n\nmod b {\n    pub fn load() -> String {\n        String::new()\n    }\n}\n\nasync fn handle() -> usize {\n    a::load().len() + b::load().len()\n}\n\n#[tokio::main]\nasync fn main() {\n    println!(\"{}\", handle().await);\n}\n";
        TestCrate::main(src).check_message(
            "AW205",
            "(2 fns are named `load`; the tool does not tell them apart and shows the strongest chain)",
            "",
        );
        let alone = src.replace("mod b {\n    pub fn load()", "mod b {\n    pub fn other()");
        let alone = alone.replace("b::load()", "b::other()");
        TestCrate::main(&alone).check_message(
            "AW205",
            "handle → load → std::fs::read_to_string",
            "",
        );
        let out = TestCrate::main(&alone).run();
        assert!(out
            .diagnostics
            .iter()
            .all(|d| !d.message.contains("fns are named")));
    }

    #[test]
    fn a_path_join_is_no_blocking_call_of_a_helper() {
        use crate::driver::test_support::TestCrate;
        // (The lock makes the file's facts whole, joins included.)
        let src = "use std::path::Path;\nuse std::sync::Mutex;\n\nstatic LOG: Mutex<u32> = Mutex::new(0);\n\nfn save(dir: &Path) {\n    let p = dir.join(\"out.txt\");\n    std::fs::write(&p, \"x\").unwrap();\n}\n\nasync fn ingest(dir: &Path) {\n    save(dir);\n    *LOG.lock().unwrap() += 1;\n}\n\n#[tokio::main]\nasync fn main() {\n    ingest(Path::new(\".\")).await;\n}\n";
        let after = src
            .replace("fn save", "async fn save")
            .replace(
                "std::fs::write(&p, \"x\")",
                "tokio::fs::write(&p, \"x\").await",
            )
            .replace("    save(dir);", "    save(dir).await;")
            .replace("use std::sync::Mutex;\n", "use tokio::sync::Mutex;\n")
            .replace("Mutex::new(0)", "Mutex::const_new(0)")
            .replace("*LOG.lock().unwrap()", "*LOG.lock().await");
        TestCrate::main(src).unsafe_fixes().check_fix(&after);
    }

    #[test]
    fn a_helper_that_cannot_become_async_says_why() {
        use crate::driver::test_support::TestCrate;
        let src = LOAD.replace(
            "async fn main() {\n",
            "async fn main() {\n    std::thread::spawn(|| load_config(\"x\")).join().unwrap();\n",
        );
        TestCrate::main(&src).unsafe_fixes().check_note(
            "AW205",
            "`--unsafe-fixes` cannot make `load_config` async: `load_config` is also called in `main` where `.await` is impossible",
        );
    }

    #[test]
    fn an_async_ify_fix_the_compiler_took_back_is_only_reported() {
        use crate::locks::testing::{options, plan_with};
        use crate::locks::Loc;
        use ra_ap_syntax::{TextRange, TextSize};
        let at = LOAD.find("settings()\n}").unwrap();
        let call = TextRange::at(TextSize::from(at as u32), TextSize::from(10));
        let mut opts = options();
        opts.unsafe_fixes = true;
        let why = "withdrawn: error[E0277] at src/main.rs:10:5".to_string();
        opts.referee.withdrawn.push((
            Loc {
                file: 0,
                range: call,
            },
            why.clone(),
        ));
        let plan = plan_with(LOAD, &opts);
        let r = plan
            .blocking
            .iter()
            .find(|b| b.rule.code == "AW205")
            .unwrap();
        assert_eq!(r.fix, None, "{r:?}");
        assert!(r.notes.iter().any(|n| n.ends_with(&why)), "{:?}", r.notes);
        assert!(plan.edits.values().all(Vec::is_empty), "{:?}", plan.edits);
        // Not taken back, the same plan makes it.
        opts.referee.withdrawn.clear();
        assert!(!plan_with(LOAD, &opts).edits[&0].is_empty());
    }

    #[test]
    fn a_helper_that_locks_or_runs_under_a_guard_or_off_tokio_is_only_reported() {
        use crate::driver::test_support::TestCrate;
        for src in [
            // It also locks a lock: its sites are the lock planner's.
            LOAD.replace("fn settings() -> usize {\n", "static N: std::sync::Mutex<u32> = std::sync::Mutex::new(0);\nfn settings() -> usize {\n    *N.lock().unwrap() += 1;\n"),
            // A caller holds a std guard across the call.
            // (`is_poisoned` keeps that lock std.)
            LOAD.replace("    settings()\n", "    let m = std::sync::Mutex::new(1);\n    let g = m.lock().unwrap();\n    let n = settings() + *g;\n    drop(g);\n    n + usize::from(m.is_poisoned())\n"),
            // Nothing shows tokio runs the async caller.
            LOAD.replace("#[tokio::main]\nasync fn main() {\n    println!(\"{}\", handle().await);\n}\n", ""),
        ] {
            TestCrate::main(&src).unsafe_fixes().check_unfixed("AW205");
        }
    }

    /// A pool whose `get` sleeps until a slot is free.
    const POOL: &str = r#"use std::time::Duration;

struct Pool {
    free: u32,
}

impl Pool {
    fn new(free: u32) -> Pool {
        Pool { free }
    }

    fn get(&self) -> u32 {
        if self.free == 0 {
            std::thread::sleep(Duration::from_millis(1));
        }
        self.free
    }
}
"#;

    #[test]
    fn a_sync_method_of_a_local_a_parameter_or_a_field_that_blocks_is_reported() {
        for tail in [
            "async fn handle() -> u32 {\n    let pool = Pool::new(1);\n    pool.get()\n}\n",
            "async fn handle(pool: &std::sync::Arc<Pool>) -> u32 {\n    pool.get()\n}\n",
            "struct Server {\n    pool: Pool,\n}\n\nimpl Server {\n    async fn handle(&self) -> u32 {\n        self.pool.get()\n    }\n}\n",
            // Through another sync method of the crate.
            "struct Server {\n    pool: Pool,\n}\n\nimpl Server {\n    fn slot(&self) -> u32 {\n        self.pool.get() + 1\n    }\n}\n\nasync fn handle(s: &Server) -> u32 {\n    s.slot()\n}\n",
        ] {
            check_finding(&format!("{POOL}\n{tail}"), "AW205");
        }
    }

    #[test]
    fn std_methods_of_the_same_name_and_unknown_receivers_are_no_finding() {
        let tail = r#"
async fn handle(pools: &[Pool], index: &std::collections::HashMap<u32, u32>) -> u32 {
    let v = vec![1u32];
    let mut n = v.get(0).copied().unwrap_or(0) + index.get(&1).copied().unwrap_or(0);
    for p in pools {
        n += p.free;
    }
    n + pick(pools).free
}

fn pick(pools: &[Pool]) -> &Pool {
    &pools[0]
}
"#;
        check_no_finding(&format!("{POOL}{tail}"));
    }

    #[test]
    fn a_dyn_receiver_names_the_impls_that_block() {
        let src = r#"trait Store {
    fn load(&self) -> String;
}

struct Mem;
struct Disk;

impl Store for Mem {
    fn load(&self) -> String {
        String::new()
    }
}

impl Store for Disk {
    fn load(&self) -> String {
        std::fs::read_to_string("x").unwrap_or_default()
    }
}

async fn lookup(store: &dyn Store) -> String {
    store.load()
}
"#;
        let plan = crate::locks::testing::plan_of(src);
        let messages: Vec<&str> = plan.blocking.iter().map(|b| b.message.as_str()).collect();
        assert_eq!(
            messages,
            ["`Disk::load` is a sync fn that blocks, and this call of `Store::load` may reach it: lookup → Disk::load → std::fs::read_to_string"]
        );
    }

    #[test]
    fn two_types_of_one_name_are_no_receiver_the_tool_knows() {
        let src = format!(
            "{POOL}\nmod other {{\n    pub struct Pool;\n}}\n\nasync fn handle(pool: &Pool) -> u32 {{\n    pool.get()\n}}\n"
        );
        check_no_finding(&src);
    }

    #[test]
    fn a_local_whose_drop_blocks_is_reported_unless_moved_on() {
        let ty = r#"struct Scratch(std::path::PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
"#;
        check_finding(
            &format!("{ty}\nasync fn work() -> usize {{\n    let s = Scratch(std::env::temp_dir());\n    s.0.as_os_str().len()\n}}\n"),
            "AW205",
        );
        check_no_finding(&format!(
            "{ty}\nasync fn work() -> Scratch {{\n    let s = Scratch(std::env::temp_dir());\n    s\n}}\n"
        ));
    }

    #[test]
    fn a_sync_fn_called_only_from_sync_code_is_no_finding() {
        check_no_finding(
            r#"fn load_config() -> String {
    std::fs::read_to_string("app.toml").unwrap_or_default()
}

fn main() {
    println!("{}", load_config().len());
}
"#,
        );
    }
}
