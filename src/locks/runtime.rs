//! Which sync fns provably run off the async runtime: `main` before any
//! runtime starts, or fns called only from blocking closures and such fns.
//! A site of a migrating lock in one of them becomes `blocking_lock()`;
//! anywhere else, that would panic, and the lock is manual.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashSet};

use super::index::{Unit, Units};
use crate::facts::{FileFacts, FnId, SiteContext};

/// Which sync fns provably run off the async runtime: `main` before any
/// runtime, or fns called only from blocking closures and such fns.
pub(crate) struct RuntimeAnalysis<'a> {
    files: &'a [&'a FileFacts],
    texts: &'a [&'a str],
    units: &'a Units,
    /// Some `main` is async: a sync `main` may then share its crate with a runtime.
    async_main: bool,
    /// The names of the fns examined so far (see `CratePlan::runtime_names`).
    pub(crate) examined: RefCell<BTreeSet<String>>,
}

impl<'a> RuntimeAnalysis<'a> {
    pub(crate) fn new(files: &'a [&'a FileFacts], texts: &'a [&'a str], units: &'a Units) -> Self {
        RuntimeAnalysis {
            files,
            texts,
            units,
            async_main: files.iter().any(|f| f.async_main),
            examined: RefCell::default(),
        }
    }

    /// Is fn `fn_key` mentioned, in code that can see `unit`, other than by
    /// its definitions, the calls the facts hold and plain imports? Each
    /// file's mentions are counted in its text, lines that are comments
    /// (`//`, `///`) left out; one in a string or a block comment counts
    /// too: the answer errs towards "yes". A method is named as a value
    /// only by a path (`Inner::archive`, `Self::archive`) that is not
    /// called: its name alone is a local's, a field's or another item's.
    pub(super) fn named_otherwise(&self, unit: Unit, fn_key: &FnId) -> bool {
        let name = fn_key.name.as_str();
        let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
        self.files
            .iter()
            .zip(self.texts)
            .enumerate()
            .any(|(file, (facts, text))| {
                if !self.units.sees(self.units[file]).contains(&unit) {
                    return false;
                }
                let bytes = text.as_bytes();
                let (mut total, mut defs) = (0, 0);
                for at in memchr::memmem::find_iter(bytes, name) {
                    let before = at.checked_sub(1).map(|i| bytes[i]);
                    if before.is_some_and(ident)
                        || bytes.get(at + name.len()).is_some_and(|&b| ident(b))
                    {
                        continue;
                    }
                    let line = text[..at].rfind('\n').map_or(0, |i| i + 1);
                    if text[line..at].trim_start().starts_with("//") {
                        continue;
                    }
                    if fn_key.ty.is_some() {
                        let path = text[..at].ends_with("::");
                        let called = text[at + name.len()..].trim_start().starts_with('(');
                        if path && !called {
                            return true;
                        }
                        continue;
                    }
                    total += 1;
                    defs += usize::from(text[..at].trim_end().ends_with("fn"));
                }
                let calls = facts.calls.iter().filter(|c| c.callee == name).count();
                let imports = facts.imported_fns.iter().filter(|(last, _)| last == name);
                let renamed = imports.clone().any(|(_, local)| local != name);
                renamed || total > defs + calls + imports.count()
            })
    }

    /// Does sync fn `fn_key` of `unit` provably run off the runtime? The
    /// reason why not names `fn_key`, the fn that holds the site, and the
    /// caller through which it is reached.
    pub(super) fn off_runtime(&self, unit: Unit, fn_key: &FnId) -> Result<(), String> {
        self.check(unit, fn_key, fn_key, &mut HashSet::new(), true)
    }

    /// Does sync fn `fn_key` of `unit` provably run only on threads of its
    /// own: called only from `std::thread::spawn` (or blocking-pool)
    /// closures, `#[test]` bodies and such fns, never from `main`?
    pub(crate) fn on_own_threads(&self, unit: Unit, fn_key: &FnId) -> bool {
        self.check(unit, fn_key, fn_key, &mut HashSet::new(), false)
            .is_ok()
    }

    /// `main_counts`: a sync `main` in a crate with no async `main` runs
    /// off the runtime.
    fn check(
        &self,
        unit: Unit,
        site_fn: &FnId,
        fn_key: &FnId,
        seen: &mut HashSet<(Unit, FnId)>,
        main_counts: bool,
    ) -> Result<(), String> {
        if fn_key.ty.is_none() && fn_key.name == "main" {
            match (main_counts, self.async_main) {
                (true, false) => return Ok(()),
                (false, _) => return Err("`main` runs on the main thread".into()),
                (true, true) => {}
            }
        }
        let through = if fn_key == site_fn {
            String::new()
        } else {
            format!(" (through its caller `{fn_key}`)")
        };
        if !seen.insert((unit, fn_key.clone())) {
            return Err(format!("it is locked in sync fn `{site_fn}`, and the tool cannot prove it runs off the async runtime (callers matched by name lead back to it{through})"));
        }
        let name = fn_key.name.as_str();
        self.examined.borrow_mut().insert(name.to_string());
        let public = self
            .files
            .iter()
            .zip(self.units.iter())
            .any(|(f, &u)| u == unit && f.library && f.public_fns.contains(fn_key));
        let public_api = || {
            Err(format!(
                "it is locked in sync fn `{site_fn}`, and `{fn_key}` is public API of the library: code outside the crate may call it on a runtime thread{through}"
            ))
        };
        // Callers by name, in code that can see the fn; an awaited call
        // calls an async fn.
        let callers: Vec<_> = self
            .files
            .iter()
            .zip(self.units.iter())
            .filter(|(_, &u)| self.units.sees(u).contains(&unit))
            .flat_map(|(f, &u)| f.calls.iter().map(move |c| (u, c)))
            .filter(|(_, c)| c.callee == name && !c.awaited)
            .collect();
        if callers.is_empty() && public {
            return public_api();
        }
        if callers.is_empty() {
            return Err(format!(
                "it is locked in sync fn `{site_fn}`, and nothing in the crate shows that it runs off the async runtime{through}"
            ));
        }
        // An async caller is the clearest reason; report it before recursing.
        if callers.iter().any(|(_, c)| {
            !matches!(
                c.ctx,
                SiteContext::Blocking
                    | SiteContext::Sync { in_drop: false, .. }
                    | SiteContext::Detached
            )
        }) {
            return Err(format!(
                "it is locked in sync fn `{site_fn}`, which is called from async code{through}; `blocking_lock` would panic there"
            ));
        }
        if callers.iter().any(|(_, c)| c.ctx == SiteContext::Detached) {
            return Err(format!(
                "it is locked in sync fn `{fn_key}`, which is called from a closure that may run on a runtime thread"
            ));
        }
        if public {
            return public_api();
        }
        if self.named_otherwise(unit, fn_key) {
            return Err(format!(
                "it is locked in sync fn `{site_fn}`, and `{name}` is also named other than in calls the tool can see (a fn pointer, a renamed import, a macro's tokens), which may run it on a runtime thread{through}"
            ));
        }
        for (u, c) in callers {
            if let SiteContext::Sync {
                fn_name,
                test_body: false,
                ..
            } = &c.ctx
            {
                self.check(u, site_fn, fn_name, seen, main_counts)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::locks::Decision;

    const STATE: &str = "use std::sync::{Arc, Mutex};\nstruct S { m: Mutex<u32> }\nfn helper(s: &S) { *s.m.lock().unwrap() += 1; }\n";

    #[test]
    fn a_helper_called_only_on_the_blocking_pool_gets_blocking_lock() {
        let src = format!("{STATE}async fn f(s: Arc<S>) {{ *s.m.lock().unwrap() += 1; tokio::task::spawn_blocking(move || helper(&s)); }}\n");
        let plan = plan_of(&src);
        assert_eq!(report(&plan, "S.m").decision, Decision::Migrate);
        let out = rewritten(&src, &plan);
        assert!(
            out.contains("fn helper(s: &S) { *s.m.blocking_lock() += 1; }"),
            "{out}"
        );
        // Callers decided where the site runs: a file naming them matters.
        assert!(plan.runtime_names.contains("helper"));
    }

    #[test]
    fn a_helper_called_from_async_code_makes_the_lock_manual() {
        let src =
            format!("{STATE}async fn f(s: Arc<S>) {{ *s.m.lock().unwrap() += 1; helper(&s); }}\n");
        let why = blockers(report(&plan_of(&src), "S.m"));
        assert_eq!(why, ["it is locked in sync fn `helper`, which is called from async code; `blocking_lock` would panic there; the fix makes `helper` async and awaits its call, where the task then yields; with `--unsafe-fixes` this reason does not hold it back"]);
    }

    #[test]
    fn a_comment_naming_a_helper_is_no_other_use_of_it() {
        let tail = "async fn f(s: Arc<S>) { *s.m.lock().unwrap() += 1; tokio::task::spawn_blocking(move || helper(&s)); }\n";
        let commented = format!("{STATE}/// Calls `helper` off the runtime.\n{tail}");
        assert_eq!(
            report(&plan_of(&commented), "S.m").decision,
            Decision::Migrate
        );
        // A mention in code may be a fn pointer: the lock stays.
        let named = format!("{STATE}{tail}fn g() {{ let _p = helper; }}\n");
        let why = blockers(report(&plan_of(&named), "S.m"));
        assert!(why[0].contains("also named other than in calls"), "{why:?}");
    }

    #[test]
    fn only_fns_spawned_threads_and_tests_run_are_on_threads_of_their_own() {
        use super::RuntimeAnalysis;
        use crate::facts::FnId;
        use crate::locks::Units;
        let src = "fn spawned() {}\nfn from_main() {}\nfn from_test() {}\n\
            fn main() { std::thread::spawn(|| spawned()); from_main(); }\n\
            #[test] fn t() { from_test(); }\n";
        let f = facts(src);
        let (files, texts) = ([&f], [src]);
        let units = Units::new(&files);
        let runtime = RuntimeAnalysis::new(&files, &texts, &units);
        let own = |name: &str| runtime.on_own_threads(0, &FnId::free(name));
        assert!(own("spawned") && own("from_test"));
        // `main` runs off the runtime here, but on the main thread.
        assert!(!own("from_main") && !own("main"));
        assert!(runtime.off_runtime(0, &FnId::free("from_main")).is_ok());
    }

    #[test]
    fn a_helper_nothing_calls_cannot_be_shown_to_run_off_the_runtime() {
        let src = format!("{STATE}async fn f(s: Arc<S>) {{ *s.m.lock().unwrap() += 1; }}\n");
        let why = blockers(report(&plan_of(&src), "S.m"));
        assert_eq!(why.len(), 1);
        assert!(
            why[0].contains("nothing in the crate shows that it runs off the async runtime"),
            "{why:?}"
        );
    }
}
