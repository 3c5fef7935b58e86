//! The async-ify fix (issue 22): a sync fn that locks a migrating lock and
//! is called from async code would panic in `blocking_lock`; it becomes an
//! `async fn` instead, and each of its calls is awaited. Its sync callers
//! become async the same way, until every caller is async code. The fix is
//! unsafe (each call becomes a point where the task yields), and only made
//! where the tool sees every call: the fn has one definition, is named
//! only in calls it resolves, and no call is in a closure, a `Drop` or a
//! test body (a library's public fn is one only with `--unsafe-fixes`).
//! For a lock, the chain's fns make no blocking call; AW205's fix
//! (`rules::blocking_calls`) uses the same chains for helpers that block
//! in calls with a tokio twin.

use std::cell::{OnceCell, RefCell};
use std::collections::{BTreeMap, BTreeSet};

use ra_ap_syntax::TextRange;

use super::rewrite::lock_method_names;
use super::runtime::RuntimeAnalysis;
use super::HandleFns;
use super::{Loc, OwnTypes, Unit, Units};
use crate::edits::edit::Edit;
use crate::edits::layout;
use crate::facts::{
    BlockingFact, CallFact, Driver, FileFacts, FnId, MethodReceiver, SiteContext, SiteFact,
};

/// The fns a site's fn brings with it into async code, and the calls that
/// get `.await`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Chain {
    /// The fns that become async: their name, where `async ` goes, and
    /// how it is shown.
    pub(crate) fns: BTreeSet<(Loc, Loc, String)>,
    /// The calls that get `.await`.
    pub(crate) calls: BTreeSet<Loc>,
    /// The lock sites in those fns that get `.await`.
    pub(super) sites: BTreeSet<Loc>,
    /// Why the first of those sites cannot be `blocking_lock()`.
    pub(super) panics: Option<String>,
    /// The fns it makes async that are public API of a library.
    pub(super) public: BTreeSet<String>,
    /// The keys of the fns it makes async.
    pub(crate) keys: BTreeSet<FnId>,
    /// What drives each async code that calls into it, with its unit.
    pub(crate) drivers: Vec<(Unit, Driver)>,
}

impl Chain {
    /// The edits that make the chain async, each `.await` laid out in its
    /// method chain as rustfmt would.
    pub(crate) fn edits<'s>(
        &'s self,
        sources: &'s [layout::Source],
    ) -> impl Iterator<Item = (usize, Edit)> + 's {
        let fns = (self.fns.iter()).map(|(_, at, _)| (at.file, Edit::new(at.range, "async ")));
        let calls = self.calls.iter().flat_map(|c| {
            let end = TextRange::empty(c.range.end());
            let edits = layout::chain_edits(&sources[c.file], end, ".await", 0);
            edits.into_iter().map(|e| (c.file, e))
        });
        fns.chain(calls)
    }

    /// Where the compiler may point if the fix is wrong: each fn's name and
    /// each call.
    pub(crate) fn places(&self) -> impl Iterator<Item = Loc> + '_ {
        (self.fns.iter().map(|(name, ..)| name.clone())).chain(self.calls.iter().cloned())
    }

    /// Where the fix adds an `.await`: its calls and lock sites.
    pub(crate) fn yields(&self) -> impl Iterator<Item = Loc> + '_ {
        self.calls.iter().chain(&self.sites).cloned()
    }

    /// Adds `other`'s fns, calls and sites.
    pub(super) fn extend(&mut self, other: Chain) {
        self.fns.extend(other.fns);
        self.calls.extend(other.calls);
        self.sites.extend(other.sites);
        self.public.extend(other.public);
        self.keys.extend(other.keys);
        self.drivers.extend(other.drivers);
    }

    /// What `self` adds to `made`: the edits not made yet, which are then.
    pub(super) fn new_edits(
        &self,
        made: &mut Chain,
        sources: &[layout::Source],
    ) -> Vec<(usize, Edit)> {
        let fresh = Chain {
            fns: self.fns.difference(&made.fns).cloned().collect(),
            calls: self.calls.difference(&made.calls).cloned().collect(),
            ..Chain::default()
        };
        let edits = fresh.edits(sources).collect();
        made.extend(fresh);
        edits
    }

    /// Why the fix is unsafe: what it makes async, and where it yields.
    pub(crate) fn reason(&self) -> String {
        let calls = self.calls_named();
        let public: Vec<String> = self.public.iter().map(|n| format!("`{n}`")).collect();
        let public = match public.len() {
            0 => String::new(),
            1 => format!(", and {} is public API of the library: code outside the crate that calls it must await it", public[0]),
            _ => format!(", and {} are public API of the library: code outside the crate that calls them must await them", public.join(", ")),
        };
        format!(
            "{}; the fix makes {} async and awaits {calls}, where the task then yields{public}",
            self.panics.as_deref().unwrap_or_default(),
            self.names()
        )
    }

    /// The fns it makes async, as a message names them.
    pub(crate) fn names(&self) -> String {
        let names: Vec<String> = self.fns.iter().map(|(.., n)| format!("`{n}`")).collect();
        names.join(", ")
    }

    /// Its calls, as a message names them.
    pub(crate) fn calls_named(&self) -> String {
        match self.calls.len() {
            1 => "its call".to_string(),
            n => format!("the {n} calls"),
        }
    }
}

/// What the fix reads of a crate: its fns, calls and types.
pub(crate) struct Asyncify<'a> {
    files: &'a [&'a FileFacts],
    units: &'a Units,
    types: OwnTypes<'a>,
    runtime: &'a RuntimeAnalysis<'a>,
    /// The joins that are of std threads' handles (`dir.join(..)` is not).
    handles: &'a HandleFns,
    /// The sync fns async code calls (see `called_from_async`), made once.
    async_callees: OnceCell<BTreeSet<FnId>>,
    /// The blocking calls each sync fn makes itself, made once.
    blocking_by_fn: OnceCell<BTreeMap<FnId, Vec<(usize, &'a BlockingFact)>>>,
    /// The chain of each sync fn a lock site is in (its sites share it).
    chains: RefCell<BTreeMap<(Unit, FnId), Result<Chain, String>>>,
    /// Whether every blocking call of a chain takes its tokio twin once
    /// the chain's fns are async (the blocking rules' verdict; AW205's
    /// fix then makes those edits): a chain whose calls do is made.
    twins: Option<&'a Twins<'a>>,
}

/// See [`Asyncify::with_twins`].
pub(crate) type Twins<'a> = dyn Fn(&Asyncify, &Chain) -> Result<(), String> + 'a;

impl<'a> Asyncify<'a> {
    pub(crate) fn new(
        files: &'a [&'a FileFacts],
        units: &'a Units,
        runtime: &'a RuntimeAnalysis<'a>,
        handles: &'a HandleFns,
    ) -> Self {
        Asyncify {
            files,
            units,
            types: OwnTypes::new(files, units),
            runtime,
            handles,
            async_callees: Default::default(),
            blocking_by_fn: Default::default(),
            chains: Default::default(),
            twins: None,
        }
    }

    /// The chains of the lock planner: a blocking call in one does not
    /// keep it sync where `twins` says every such call takes its tokio
    /// twin there.
    pub(crate) fn with_twins(mut self, twins: &'a Twins<'a>) -> Self {
        self.twins = Some(twins);
        self
    }

    /// The blocking calls sync fn `fn_key` makes itself (a join only where
    /// the handle is a std thread's), those in a closure it stores or hands
    /// on included.
    fn blocking_of(&self, fn_key: &FnId) -> &[(usize, &'a BlockingFact)] {
        let by_fn = self.blocking_by_fn.get_or_init(|| {
            let mut by_fn: BTreeMap<FnId, Vec<_>> = BTreeMap::new();
            for (file, facts) in self.files.iter().enumerate() {
                let unit = self.units[file];
                for b in &facts.blocking {
                    let (Some(f), SiteContext::Sync { .. }) = (&b.in_fn, &b.ctx) else {
                        continue;
                    };
                    if self.handles.confirm(b, unit, self.units) {
                        by_fn.entry(f.clone()).or_default().push((file, b));
                    }
                }
            }
            by_fn
        });
        by_fn.get(fn_key).map_or(&[], Vec::as_slice)
    }

    /// A site of a sync fn called from async code, where `blocking_lock`
    /// would panic (`why`): awaited, once the fix makes its fn (and the
    /// sync fns up to the async code) async, which `chain` collects; else
    /// why not.
    pub(super) fn site(
        &self,
        unit: Unit,
        (file, site): (usize, &SiteFact),
        why: String,
        chain: &mut Chain,
    ) -> Result<bool, String> {
        let SiteContext::Sync {
            fn_name,
            in_drop: false,
            test_body: false,
        } = &site.ctx
        else {
            return Err(why);
        };
        if !why.contains("called from async code") || self.in_closure(file, site.range) {
            return Err(why);
        }
        let known = self.chains.borrow().get(&(unit, fn_name.clone())).cloned();
        let found = known.unwrap_or_else(|| {
            let found = self.chain(unit, fn_name);
            let key = (unit, fn_name.clone());
            self.chains.borrow_mut().insert(key, found.clone());
            found
        });
        match found {
            Ok(c) => {
                chain.extend(c);
                chain.panics.get_or_insert(why);
                chain.sites.insert(Loc {
                    file,
                    range: site.range,
                });
                Ok(false)
            }
            Err(no) => Err(format!("{why}; it cannot become async: {no}")),
        }
    }

    /// Is `site` in a sync fn that async code calls? It locks on the
    /// executor thread as a site in async code does.
    pub(super) fn site_called(&self, site: &SiteFact) -> bool {
        match &site.ctx {
            SiteContext::Sync {
                fn_name,
                in_drop: false,
                test_body: false,
            } => self.called_from_async(fn_name),
            _ => false,
        }
    }

    /// Does async code call sync fn `fn_key` (a call the tool resolves to
    /// it, not awaited), or a sync fn it calls, and so on? Then what it
    /// locks is locked on the executor.
    fn called_from_async(&self, fn_key: &FnId) -> bool {
        let callees = self.async_callees.get_or_init(|| {
            let mut found = BTreeSet::new();
            let mut grew = true;
            while grew {
                grew = false;
                for (file, facts) in self.files.iter().enumerate() {
                    let unit = self.units[file];
                    let on_executor = |c: &&CallFact| match &c.ctx {
                        SiteContext::Async => true,
                        SiteContext::Sync { fn_name, .. } => found.contains(fn_name),
                        _ => false,
                    };
                    let calls: Vec<&CallFact> = (facts.calls.iter())
                        .filter(|c| !c.awaited)
                        .filter(on_executor)
                        .collect();
                    for c in calls {
                        for callee in self.callees_of(unit, c) {
                            grew |= found.insert(callee);
                        }
                    }
                }
            }
            found
        });
        callees.contains(fn_key)
    }

    /// The crate's fns a call the tool resolves may call.
    fn callees_of(&self, unit: Unit, c: &CallFact) -> Vec<FnId> {
        match (&c.callee_key, c.receiver.as_ref()) {
            (Some(k), _) => vec![k.clone()],
            (None, Some(MethodReceiver::Typed(t)))
                if self.types.defines(self.units.sees(unit), t) =>
            {
                let t = self.types.method_type(self.units.sees(unit), t, &c.callee);
                vec![FnId::method(t, &c.callee)]
            }
            (None, Some(MethodReceiver::Own(_))) => self.types.callees(unit, self.units, c).fns,
            _ => Vec::new(),
        }
    }

    /// The chain that makes sync fn `fn_key` of `unit` async, or why it
    /// cannot be made. Its fns make no blocking call: that would stay
    /// blocking in async code (AW205's own async-ify fix replaces them).
    pub(super) fn chain(&self, unit: Unit, fn_key: &FnId) -> Result<Chain, String> {
        let chain = self.chain_of(unit, fn_key)?;
        // CPU work stays where it is, as it ran before: AW206 reports it.
        let blocking = self.blocking_in(&chain);
        if let Some((_, b)) = blocking.iter().find(|(_, b)| !b.call.kind.is_cpu_work()) {
            let twinned = self.twins.map(|twins| twins(self, &chain));
            if !matches!(twinned, Some(Ok(()))) {
                let why = match twinned {
                    Some(Err(why)) => format!(" (its tokio twin cannot replace it: {why})"),
                    _ => String::new(),
                };
                return Err(format!(
                    "`{}` also calls `{}`, which would stay blocking in async code{why}",
                    b.in_fn.as_ref().map_or(String::new(), FnId::to_string),
                    b.call.what
                ));
            }
        }
        // Nor through a sync helper it calls (AW205's own fix would then
        // make that one async on the next run, which must change nothing).
        if let Some((caller, helper)) = self.calls_blocking_helper(&chain) {
            return Err(format!(
                "`{caller}` also calls `{helper}`, a sync fn that blocks, which would stay blocking in async code"
            ));
        }
        Ok(chain)
    }

    /// A fn of the chain and a sync fn of the crate it calls that makes a
    /// blocking call itself, if there is one.
    fn calls_blocking_helper(&self, chain: &Chain) -> Option<(FnId, FnId)> {
        let blocks = |f: &FnId| !self.blocking_of(f).is_empty();
        for (file, facts) in self.files.iter().enumerate() {
            let unit = self.units[file];
            for c in facts.calls.iter().filter(|c| !c.awaited) {
                let Some(caller) = c.in_fn.as_ref().filter(|f| chain.keys.contains(*f)) else {
                    continue;
                };
                let callees = match &c.callee_key {
                    Some(k) => vec![k.clone()],
                    None => self.types.callees(unit, self.units, c).fns,
                };
                // (A fn of the chain blocks in calls `blocking_in` has.)
                let outside = callees.into_iter().filter(|k| !chain.keys.contains(k));
                if let Some(helper) = outside.into_iter().find(|k| blocks(k)) {
                    return Some((caller.clone(), helper));
                }
            }
        }
        None
    }

    /// The chain that makes sync fn `fn_key` of `unit` async, whatever
    /// its fns call.
    pub(crate) fn chain_of(&self, unit: Unit, fn_key: &FnId) -> Result<Chain, String> {
        let mut chain = Chain::default();
        let mut done = BTreeSet::new();
        self.add(unit, fn_key, &mut chain, &mut done, &mut Vec::new())?;
        Ok(chain)
    }

    /// The blocking calls the chain's fns make themselves (not in a
    /// closure they hand on).
    pub(crate) fn blocking_in(&self, chain: &Chain) -> Vec<(usize, &'a BlockingFact)> {
        let of_chain = chain.keys.iter().flat_map(|k| self.blocking_of(k));
        let mut found: Vec<_> = of_chain.filter(|(_, b)| !b.deferred).copied().collect();
        // In the files' order, as the facts hold them.
        found.sort_by_key(|(file, b)| (*file, b.call.call.start()));
        found
    }

    /// Is a call the chain awaits inside the guard of a lock (one that may
    /// stay std, whose guard must not be held across an `.await`)?
    pub(crate) fn under_a_guard(&self, chain: &Chain) -> bool {
        chain.calls.iter().any(|c| {
            let sites = &self.files[c.file].sites;
            sites
                .iter()
                .any(|s| s.guard_extent.is_some_and(|e| e.contains_range(c.range)))
        })
    }

    /// Does some fn of the chain lock a lock (whose sites the lock planner
    /// decides on its own)? Any `lock()`, `read()`, `write()`.. counts,
    /// whatever it is called on (`dir.join(..)` does not).
    pub(crate) fn locks_in(&self, chain: &Chain) -> bool {
        self.files.iter().any(|facts| {
            let in_chain = |f: &Option<FnId>| f.as_ref().is_some_and(|f| chain.keys.contains(f));
            (facts.sites.iter())
                .any(|s| in_chain(&s.in_fn) && lock_method_names(&s.method).is_some())
        })
    }

    /// Adds `fn_key` and its callers to `chain`; `stack` holds the fns
    /// being added (a cycle would be an async fn that awaits itself).
    fn add(
        &self,
        unit: Unit,
        fn_key: &FnId,
        chain: &mut Chain,
        done: &mut BTreeSet<(Unit, FnId)>,
        stack: &mut Vec<FnId>,
    ) -> Result<(), String> {
        if done.contains(&(unit, fn_key.clone())) {
            return Ok(());
        }
        if stack.contains(fn_key) {
            return Err(format!(
                "`{fn_key}` calls itself through its callers, and an async fn cannot recurse unboxed"
            ));
        }
        let (name, at) = self.definition(fn_key)?;
        let public = self
            .files
            .iter()
            .zip(self.units.iter())
            .any(|(f, &u)| u == unit && f.library && f.public_fns.contains(fn_key));
        if public {
            chain.public.insert(fn_key.to_string());
        }
        self.only_calls(unit, fn_key)?;
        stack.push(fn_key.clone());
        for (file, c) in self.callers(unit, fn_key)? {
            let at = Loc {
                file,
                range: c.range,
            };
            match &c.ctx {
                SiteContext::Async => {
                    // An async fn's body: its callers drive it.
                    let fn_body = c.task.is_some_and(|t| t.fn_body);
                    let driver = match (&c.driver, &c.in_fn) {
                        (Driver::Unknown, Some(f)) if fn_body => Driver::Fn(f.clone()),
                        (d, _) => d.clone(),
                    };
                    chain.drivers.push((self.units[file], driver));
                }
                SiteContext::Sync {
                    fn_name,
                    in_drop: false,
                    test_body: false,
                } if !c.deferred && !self.in_closure(file, c.range) => {
                    self.add(self.units[file], fn_name, chain, done, stack)?;
                }
                _ => {
                    let caller = c.in_fn.as_ref().map_or("code".into(), |f| format!("`{f}`"));
                    return Err(format!(
                        "`{fn_key}` is also called in {caller} where `.await` is impossible (a closure, a `Drop` impl, a test body or blocking code)"
                    ));
                }
            }
            chain.calls.insert(at);
        }
        stack.pop();
        chain.fns.insert((name, at, fn_key.to_string()));
        chain.keys.insert(fn_key.clone());
        done.insert((unit, fn_key.clone()));
        Ok(())
    }

    /// The one definition of `fn_key` the crate has, where its name is and
    /// where `async ` goes.
    fn definition(&self, fn_key: &FnId) -> Result<(Loc, Loc), String> {
        let mut found = Vec::new();
        for (file, facts) in self.files.iter().enumerate() {
            for d in facts.fn_defs.iter().filter(|d| d.key == *fn_key) {
                found.push((file, d));
            }
        }
        let [(file, def)] = found[..] else {
            return Err(format!(
                "`{fn_key}` names more than one fn of the crate, and the tool tells them apart by name"
            ));
        };
        let at = def.async_at.map_err(|why| format!("`{fn_key}` {why}"))?;
        let facts = self.files[file];
        if facts.read_only {
            return Err(format!("`{fn_key}` is in a file this run leaves alone"));
        }
        if facts
            .macro_regions
            .iter()
            .any(|r| r.range.contains_range(def.name))
        {
            return Err(format!("`{fn_key}` is defined inside a macro's call"));
        }
        let loc = |range| Loc { file, range };
        Ok((loc(def.name), loc(TextRange::empty(at))))
    }

    /// Is `fn_key` named only where the tool sees its calls?
    fn only_calls(&self, unit: Unit, fn_key: &FnId) -> Result<(), String> {
        match self.runtime.named_otherwise(unit, fn_key) {
            true => Err(format!(
                "`{}` is also named other than in calls the tool can see (a fn pointer, a renamed import, a macro's tokens)",
                fn_key.name
            )),
            false => Ok(()),
        }
    }

    /// Every call of `fn_key` in code that sees `unit`; an error where a
    /// call of its name may or may not call it.
    fn callers(&self, unit: Unit, fn_key: &FnId) -> Result<Vec<(usize, &'a CallFact)>, String> {
        let mut found = Vec::new();
        for (file, facts) in self.files.iter().enumerate() {
            let u = self.units[file];
            if !self.units.sees(u).contains(&unit) {
                continue;
            }
            let named = facts.calls.iter().filter(|c| c.callee == fn_key.name);
            for c in named.filter(|c| !c.awaited) {
                match self.calls(u, c, fn_key) {
                    Some(true) => found.push((file, c)),
                    Some(false) => {}
                    // Inside the fn itself, it is another type's method
                    // (`self.items.lock().unwrap().len()` in `fn len`) or
                    // a recursion, which the referee's build rejects.
                    None if c.in_fn.as_ref() == Some(fn_key) => {}
                    None => {
                        let caller = c.in_fn.as_ref().map_or("code".into(), |f| format!("`{f}`"));
                        return Err(format!(
                            "a call of `{}` in {caller} may call it, and the tool cannot tell the receiver's type",
                            fn_key.name
                        ));
                    }
                }
            }
        }
        match found.is_empty() {
            true => Err(format!("nothing in the crate calls `{fn_key}`")),
            false => Ok(found),
        }
    }

    /// Does call `c` (in `unit`) call `fn_key`? None where it cannot tell.
    fn calls(&self, unit: Unit, c: &'a CallFact, fn_key: &FnId) -> Option<bool> {
        if let Some(k) = &c.callee_key {
            return Some(k == fn_key);
        }
        let Some(ty) = &fn_key.ty else {
            // A method call never calls a free fn; a longer path may.
            return c.receiver.is_some().then_some(false);
        };
        match c.receiver.as_ref()? {
            // Of two types of one name, which one is unknown.
            MethodReceiver::Typed(t) if !self.types.defines(self.units.sees(unit), t) => None,
            MethodReceiver::Typed(t) => {
                Some(self.types.method_type(self.units.sees(unit), t, &c.callee) == ty.as_str())
            }
            MethodReceiver::Unknown => None,
            MethodReceiver::Own(_) => {
                let callees = self.types.callees(unit, self.units, c);
                (!callees.fns.is_empty()).then(|| callees.fns.contains(fn_key))
            }
        }
    }

    /// Is `range` (a call or lock site of a sync fn) inside a closure the
    /// fn runs in place, where `.await` is impossible?
    pub(crate) fn in_closure(&self, file: usize, range: TextRange) -> bool {
        let closures = &self.files[file].in_place_closures;
        closures.iter().any(|c| c.contains_range(range))
    }
}

/// An async-ify fix of AW205 (see `rules::blocking_calls::asyncify_helpers`).
#[derive(Clone, Debug)]
pub struct Asyncified {
    /// Why it is unsafe, and what it does.
    pub reason: String,
    /// Its edits are among the plan's (`--unsafe-fixes`).
    pub applied: bool,
    pub edits: Vec<(usize, Edit)>,
    /// The fns it makes async, as shown.
    pub fns: BTreeSet<String>,
    /// No fix: `reason` says why (the compiler's referee took it back, or
    /// a fn of it cannot become async).
    pub declined: bool,
}

impl Asyncified {
    pub(crate) fn declined(reason: String) -> Asyncified {
        Asyncified {
            reason,
            applied: false,
            edits: Vec::new(),
            fns: BTreeSet::new(),
            declined: true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use crate::locks::Decision;
    use crate::settings::PlanOptions;
    use ra_ap_syntax::TextSize;

    fn unsafe_options() -> PlanOptions {
        PlanOptions {
            unsafe_fixes: true,
            ..options()
        }
    }

    const CACHE: &str = "use std::sync::Mutex;\nstruct Cache { entries: Mutex<Vec<String>> }\nimpl Cache {\n    fn count(&self) -> usize { self.entries.lock().unwrap().len() }\n    async fn insert(&self, v: &str) -> usize {\n        self.entries.lock().unwrap().push(v.to_string());\n        self.count()\n    }\n}\n";

    #[test]
    fn a_private_helper_called_from_async_code_becomes_async_with_unsafe_fixes() {
        let plan = plan_of(CACHE);
        let why = blockers(report(&plan, "Cache.entries"));
        assert_eq!(why.len(), 1, "{why:?}");
        assert!(why[0].contains("makes `Cache::count` async"), "{why:?}");
        assert!(why[0].ends_with("with `--unsafe-fixes` this reason does not hold it back"));
        assert!(report(&plan, "Cache.entries").unsafe_available);
        let plan = plan_with(CACHE, &unsafe_options());
        let r = report(&plan, "Cache.entries");
        assert_eq!(r.decision, Decision::Migrate);
        assert!(r.unsafe_fix);
        let out = rewritten(CACHE, &plan);
        assert!(
            out.contains("async fn count(&self) -> usize { self.entries.lock().await.len() }"),
            "{out}"
        );
        assert!(
            out.contains(
                "self.entries.lock().await.push(v.to_string());\n        self.count().await\n"
            ),
            "{out}"
        );
    }

    #[test]
    fn sync_callers_become_async_up_to_the_async_code() {
        let src = format!("{CACHE}fn total(c: &Cache) -> usize {{ c.count() + 1 }}\nasync fn run(c: &Cache) -> usize {{ total(c) }}\n");
        let plan = plan_with(&src, &unsafe_options());
        assert_eq!(report(&plan, "Cache.entries").decision, Decision::Migrate);
        let out = rewritten(&src, &plan);
        assert!(
            out.contains("async fn total(c: &Cache) -> usize { c.count().await + 1 }"),
            "{out}"
        );
        assert!(
            out.contains("async fn run(c: &Cache) -> usize { total(c).await }"),
            "{out}"
        );
    }

    #[test]
    fn a_helper_the_tool_cannot_see_every_call_of_stays_manual() {
        for (tail, why) in [
            // Called where `.await` is impossible.
            ("#[test]\nfn t() { let c = Cache { entries: Mutex::new(Vec::new()) }; c.count(); }\n", "where `.await` is impossible"),
            // Named as a value.
            ("async fn named(c: &Cache) -> usize { let f = Cache::count; f(c) }\n", "also named other than in calls"),
            // A call whose receiver's type is unknown.
            ("async fn unknown(v: Vec<Cache>) -> usize { v.iter().map(|c| c.count()).sum() }\n", "cannot tell the receiver's type"),
        ] {
            let src = format!("{CACHE}{tail}");
            let plan = plan_with(&src, &unsafe_options());
            let got = blockers(report(&plan, "Cache.entries"));
            assert!(got.iter().any(|g| g.contains(why)), "{tail}: {got:?}");
        }
    }

    /// A receiver made by the crate's fns is typed by their declared return
    /// types: a builder chain (`Self`), a free fn, and a `Result` taken
    /// apart by `?` or `.unwrap()`; so every call of the helper is known.
    #[test]
    fn a_receiver_made_by_the_crates_fns_is_typed_by_what_they_return() {
        let tail = "struct Builder;\n\
            impl Builder {\n    fn default() -> Self { Builder }\n    fn sized(self) -> Self { self }\n    fn build(&self) -> Cache { make() }\n}\n\
            fn make() -> Cache { Cache { entries: Mutex::new(Vec::new()) } }\n\
            fn open() -> Result<Cache, ()> { Ok(make()) }\n\
            async fn a() -> usize { let c = Builder::default().sized().build(); c.count() }\n\
            async fn b() -> usize { make().count() }\n\
            async fn c() -> Result<usize, ()> { Ok(open()?.count() + open().unwrap().count()) }\n";
        let src = format!("{CACHE}{tail}");
        let plan = plan_with(&src, &unsafe_options());
        assert_eq!(report(&plan, "Cache.entries").decision, Decision::Migrate);
        let out = rewritten(&src, &plan);
        for call in [
            "c.count().await",
            "make().count().await",
            "open()?.count().await",
            "open().unwrap().count().await",
        ] {
            assert!(out.contains(call), "{call}: {out}");
        }
        // A `Result` not taken apart is not the value: its `count` is not
        // the helper, and nothing else tells.
        // Nor is a free fn whose name two modules define.
        for more in [
            "async fn d() -> usize { open().count() }\n",
            "mod other { pub fn make() -> u8 { 0 } }\n",
        ] {
            let src = format!("{CACHE}{tail}{more}");
            let got = blockers(report(&plan_with(&src, &unsafe_options()), "Cache.entries"));
            assert!(
                got.iter()
                    .any(|g| g.contains("cannot tell the receiver's type")),
                "{more}: {got:?}"
            );
        }
    }

    #[test]
    fn a_helper_that_also_blocks_or_recurses_stays_manual() {
        let blocks = CACHE.replace(
            "self.entries.lock().unwrap().len() }",
            "std::thread::sleep(std::time::Duration::from_millis(1)); self.entries.lock().unwrap().len() }",
        );
        let got = blockers(report(
            &plan_with(&blocks, &unsafe_options()),
            "Cache.entries",
        ));
        assert!(
            got.iter()
                .any(|g| g.contains("also calls `std::thread::sleep`")),
            "{got:?}"
        );
        let recurses = CACHE.replace(
            "self.entries.lock().unwrap().len() }",
            "if self.entries.lock().unwrap().is_empty() { 0 } else { self.count() } }",
        );
        let got = blockers(report(
            &plan_with(&recurses, &unsafe_options()),
            "Cache.entries",
        ));
        assert!(got.iter().any(|g| g.contains("cannot recurse")), "{got:?}");
    }

    #[test]
    fn a_helper_that_sleeps_and_locks_becomes_async_with_the_sleep_s_twin() {
        use crate::driver::test_support::TestCrate;
        let src = "use std::sync::Mutex;\nuse std::time::Duration;\n\nstatic LOG: Mutex<u32> = Mutex::new(0);\n\nfn note() {\n    std::thread::sleep(Duration::from_millis(1));\n    *LOG.lock().unwrap() += 1;\n}\n\n#[tokio::main]\nasync fn main() {\n    note();\n    println!(\"{}\", LOG.lock().unwrap());\n}\n";
        let after = "async fn note() {\n    tokio::time::sleep(Duration::from_millis(1)).await;\n    *LOG.lock().await += 1;\n}";
        TestCrate::main(src)
            .unsafe_fixes()
            .check_fixed_to_hold("src/main.rs", after);
        TestCrate::main(src).check_note("AW205", "the fix makes `note` async");
        // Where the sleep has no twin to take (tokio is not shown to run
        // the caller), neither the lock nor the helper changes.
        let no_tokio = src.replace("#[tokio::main]\nasync fn main()", "async fn run()");
        let got = blockers(report(&plan_with(&no_tokio, &unsafe_options()), "LOG"));
        assert!(
            got.iter()
                .any(|g| g.contains("its tokio twin cannot replace it")),
            "{got:?}"
        );
    }

    #[test]
    fn a_public_helper_of_a_library_becomes_async_only_with_unsafe_fixes() {
        let src = CACHE
            .replace("fn count", "pub fn count")
            .replace("struct Cache", "pub struct Cache");
        let mut f = facts(&src);
        f.library = true;
        let plan = crate::plan::plan(&[&f], &[&src], &options());
        let why = blockers(report(&plan, "Cache.entries"));
        assert!(why.iter().any(|w| w.contains("`Cache::count` is public API of the library: code outside the crate that calls it must await it; with `--unsafe-fixes`")), "{why:?}");
        let plan = crate::plan::plan(&[&f], &[&src], &unsafe_options());
        assert_eq!(report(&plan, "Cache.entries").decision, Decision::Migrate);
    }

    #[test]
    fn no_await_is_added_under_the_guard_of_a_lock_that_stays() {
        // `S.a` stays (tokio has no `is_poisoned`); its guard is alive where
        // `bump` would await `S.b`.
        let src = "use std::sync::Mutex;\nstruct S { a: Mutex<u32>, b: Mutex<u32> }\nfn bump(s: &S) { let g = s.a.lock().unwrap(); *s.b.lock().unwrap() += *g; }\nasync fn f(s: &S) { *s.b.lock().unwrap() += 1; bump(s); }\nfn p(s: &S) -> bool { s.a.is_poisoned() }\n";
        let plan = plan_with(src, &unsafe_options());
        let why = blockers(report(&plan, "S.b"));
        assert!(
            why.iter()
                .any(|w| w.contains("its fix adds an `.await` while the guard of the std `S.a`")),
            "{why:?}"
        );
        // Dropped before, the same helper becomes async.
        let src = src.replace(
            "*s.b.lock().unwrap() += *g; }",
            "let v = *g; drop(g); *s.b.lock().unwrap() += v; }",
        );
        let plan = plan_with(&src, &unsafe_options());
        assert_eq!(report(&plan, "S.b").decision, Decision::Migrate);
    }

    #[test]
    fn the_chain_lists_where_async_goes() {
        let f = facts(CACHE);
        let files = [&f];
        let units = Units::new(&files);
        let runtime = RuntimeAnalysis::new(&files, &[CACHE], &units);
        let handles = HandleFns::new(&files, &units);
        let a = Asyncify::new(&files, &units, &runtime, &handles);
        let chain = a.chain(units[0], &FnId::method("Cache", "count")).unwrap();
        let at: Vec<TextSize> = chain
            .fns
            .iter()
            .map(|(_, at, _)| at.range.start())
            .collect();
        assert_eq!(at, [TextSize::from(CACHE.find("fn count").unwrap() as u32)]);
        assert_eq!(chain.calls.len(), 1);
    }
}
