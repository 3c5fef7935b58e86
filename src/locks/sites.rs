//! Tying lock sites to declarations: each `m.lock()` the facts hold goes to
//! the one declaration its receiver resolves to. A place that may lock a
//! declaration but cannot be tied to it for sure (an ambiguous receiver, an
//! unresolved one near a use of its name, an argument of a macro the tool
//! cannot parse) blocks the declaration's migration instead.

use std::collections::{HashMap, HashSet};

use ra_ap_syntax::TextRange;

use super::index::{Index, Resolved, Units};
use super::rewrite::method_fits;
use super::Loc;
use crate::facts::{
    DeclKey, FileFacts, MacroUseKind, SiteContext, SiteFact, Target, LOCKING_METHODS,
};

/// The lock sites of each declaration, and the places that may lock one.
pub(super) struct Sites<'a> {
    /// By declaration: its sites, with their files.
    pub(super) by_decl: Vec<Vec<(usize, &'a SiteFact)>>,
    /// Places that may lock a declaration in async code but could not be
    /// tied to it for sure: they make it reported, never migrated.
    pub(super) async_hints: Vec<(usize, Loc)>,
    /// By declaration: the places that may lock it, and why that blocks it.
    pub(super) blockers: Vec<(usize, Loc, String)>,
    /// Declarations one site of a macro's body locks at different calls:
    /// the body has one rewrite, so they migrate or stay together.
    pub(super) joined: Vec<(usize, usize)>,
}

/// The expansions of one site of a macro's body (its file and range): the
/// declaration each locks, where it is exactly one.
type Expansions<'a> = HashMap<(usize, TextRange), Vec<(Option<usize>, &'a SiteFact)>>;

impl<'a> Sites<'a> {
    /// The sites of the declarations of `index`, in `files`.
    pub(super) fn tie(files: &[&'a FileFacts], units: &Units, index: &Index) -> Sites<'a> {
        let mut sites = Sites {
            by_decl: vec![Vec::new(); index.decls.len()],
            async_hints: Vec::new(),
            blockers: Vec::new(),
            joined: Vec::new(),
        };
        let nearby_names = nearby_names(index);
        let own_macros: HashSet<&str> = files
            .iter()
            .flat_map(|f| f.macro_rules.iter().map(String::as_str))
            .collect();
        let async_macro_calls: HashSet<&str> = files
            .iter()
            .flat_map(|f| f.async_macro_calls.iter().map(String::as_str))
            .collect();
        let unexpanded: HashSet<&str> = files
            .iter()
            .flat_map(|f| f.unexpanded_macro_calls.iter().map(String::as_str))
            .collect();
        let mut expansions = Expansions::new();
        for (file, &facts) in files.iter().enumerate() {
            let resolved = sites.tie_sites(file, facts, units, index, &mut expansions);
            sites.tie_unresolved(file, facts, units, index, (&nearby_names, &resolved));
            let at = (file, units, index);
            let macros = (&async_macro_calls, &own_macros, &unexpanded);
            sites.tie_macro_uses(at, facts, macros);
            sites.tie_handed_constructors(file, facts, units, index);
        }
        let mut expansions: Vec<_> = expansions.into_iter().collect();
        expansions.sort_by_key(|((file, range), _)| (*file, range.start()));
        for ((file, range), members) in expansions {
            sites.agree(Loc { file, range }, &members, &unexpanded);
        }
        sites
    }

    /// The expansions of one site of a macro's body share its rewrite: the
    /// declarations they lock join, or, where the rewrite could not be the
    /// same for each (a call the tool does not expand, a receiver it cannot
    /// tie to one lock, sync code at one call and async at another), each
    /// is blocked.
    fn agree(
        &mut self,
        loc: Loc,
        members: &[(Option<usize>, &SiteFact)],
        unexpanded: &HashSet<&str>,
    ) {
        let mut ids: Vec<usize> = members.iter().filter_map(|m| m.0).collect();
        ids.sort_unstable();
        ids.dedup();
        let Some((_, first)) = members.first() else {
            return;
        };
        let name = first.in_macro.as_deref().unwrap_or_default();
        let same_kind = |s: &SiteFact| {
            std::mem::discriminant(&s.ctx) == std::mem::discriminant(&first.ctx)
                && std::mem::discriminant(&s.shape) == std::mem::discriminant(&first.shape)
                && s.borrow.is_some() == first.borrow.is_some()
        };
        let why = if unexpanded.contains(name) {
            "it is also called where the tool does not expand it"
        } else if members.iter().any(|m| m.0.is_none()) {
            "at another call it locks what the tool cannot tie to one lock"
        } else if !members.iter().all(|(_, s)| same_kind(s)) {
            "its calls are in code of different kinds (async and sync)"
        } else {
            self.joined.extend(ids.windows(2).map(|w| (w[0], w[1])));
            return;
        };
        let reason = format!("it is locked inside `{name}!`, and {why}: the macro's body takes one rewrite for every call");
        for id in ids {
            self.blockers.push((id, loc.clone(), reason.clone()));
        }
    }

    /// A place that may lock declaration `id`, not tied to it for sure.
    fn uncertain(&mut self, id: usize, loc: Loc, in_async: bool, reason: String) {
        if in_async {
            self.async_hints.push((id, loc.clone()));
        }
        self.blockers.push((id, loc, reason));
    }

    /// The lock sites of `file`, each to the declaration its receiver is;
    /// returns the ranges of those whose receiver resolved to one or more.
    fn tie_sites(
        &mut self,
        file: usize,
        facts: &'a FileFacts,
        units: &Units,
        index: &Index,
        expansions: &mut Expansions<'a>,
    ) -> HashSet<TextRange> {
        let mut resolved = HashSet::new();
        for site in &facts.sites {
            let r = index.resolve(&site.target, units[file], file);
            if !r.ids.is_empty() {
                resolved.insert(site.range);
            }
            let tied = self.tie_site(file, site, &r, index);
            // An expansion's site counts for its body's site, with the
            // declaration it is tied to.
            if site.in_macro.is_some() {
                let members = expansions.entry((file, site.call)).or_default();
                members.push((tied, site));
            }
        }
        resolved
    }

    /// Ties one site to the declaration `r` is, where it is exactly one
    /// and the site is that lock's (returned); where `r` could be more than
    /// one, each may be locked there.
    fn tie_site(
        &mut self,
        file: usize,
        site: &'a SiteFact,
        r: &Resolved,
        index: &Index,
    ) -> Option<usize> {
        let other = crate::facts::other_method(&site.method);
        if r.ambiguous && other {
            return None; // perhaps no lock's method at all
        }
        if r.ambiguous {
            let loc = Loc {
                file,
                range: site.range,
            };
            for &id in &r.ids {
                let reason = "a lock site's receiver could be more than one lock".to_string();
                let locks_in_async = site.ctx == SiteContext::Async
                    && LOCKING_METHODS.contains(&site.method.as_str());
                self.uncertain(id, loc.clone(), locks_in_async, reason);
            }
            return None;
        }
        let [id] = r.ids[..] else { return None };
        if other && !index.decls[id].direct {
            return None; // a method of what holds the lock (`Vec`, `Option`)
        }
        if !method_fits(index.decls[id].lock, &site.method) {
            return None;
        }
        self.by_decl[id].push((file, site));
        Some(id)
    }

    /// Lock sites whose receiver the tool cannot resolve, near a use of a
    /// declaration's name.
    fn tie_unresolved(
        &mut self,
        file: usize,
        facts: &FileFacts,
        units: &Units,
        index: &Index,
        (nearby_names, resolved): (&[String], &HashSet<TextRange>),
    ) {
        for u in facts
            .unresolved
            .iter()
            .filter(|u| !(u.fallback && resolved.contains(&u.range)))
        {
            for (id, simple) in nearby_names.iter().enumerate() {
                // Only a declaration this code can see: a local of its own
                // file, or an item of its unit or of `src/`.
                let d = &index.decls[id];
                let visible = if matches!(d.key, DeclKey::Local { .. }) {
                    d.file == file && u.scope.contains_range(d.range)
                } else {
                    units.sees(units[file]).contains(&units[d.file])
                };
                if visible && u.names_nearby.contains(simple) {
                    let reason =
                        "a lock site near a use of it has a receiver the tool cannot resolve";
                    let at = Loc {
                        file,
                        range: u.range,
                    };
                    self.uncertain(id, at, u.in_async, reason.to_string());
                }
            }
        }
    }

    /// Declarations handed to macros the tool cannot parse, and locked in
    /// the body of the crate's `macro_rules!` (in async code where the
    /// crate calls that macro there).
    fn tie_macro_uses(
        &mut self,
        (file, units, index): (usize, &Units, &Index),
        facts: &FileFacts,
        (async_macro_calls, own_macros, unexpanded): (
            &HashSet<&str>,
            &HashSet<&str>,
            &HashSet<&str>,
        ),
    ) {
        for m in &facts.macro_uses {
            let name = &m.macro_name;
            let (reason, in_async) = match m.kind {
                // Where every call is expanded, the body's sites are the
                // calls' own.
                MacroUseKind::InDefinition if !unexpanded.contains(name.as_str()) => continue,
                MacroUseKind::InDefinition => (
                    format!(
                        "it is locked inside `{name}!`, a `macro_rules!` the tool does not expand"
                    ),
                    async_macro_calls.contains(name.as_str()),
                ),
                MacroUseKind::Spanning => (
                    format!("it is locked inside `{name}!`, where its rewrite would span the macro's body and the call's arguments"),
                    m.in_async,
                ),
                MacroUseKind::Handed | MacroUseKind::HandedConstructor => {
                    let what = match m.kind == MacroUseKind::HandedConstructor {
                        true => "a constructor is handed to it inside",
                        false => "it is handed to",
                    };
                    let reason = match own_macros.contains(name.as_str()) {
                        true => {
                            format!("{what} `{name}!`, a `macro_rules!` the tool does not expand")
                        }
                        false => format!("{what} `{name}!`, a macro the tool cannot parse"),
                    };
                    (reason, m.in_async)
                }
            };
            let loc = Loc {
                file,
                range: m.range,
            };
            for id in index.resolve(&m.target, units[file], file).ids {
                self.uncertain(id, loc.clone(), in_async, reason.clone());
            }
        }
    }

    /// Constructors handed to a parameter that could be more than one fn's
    /// (`x.take(Mutex::new(1))` where two types have a method `take`): the
    /// constructor cannot follow a migrating one of them, so each blocks.
    fn tie_handed_constructors(
        &mut self,
        file: usize,
        facts: &FileFacts,
        units: &Units,
        index: &Index,
    ) {
        for r in &facts.refs {
            let Some(param @ Target::Param { name, .. }) = r.owners.first() else {
                continue;
            };
            let resolved = index.resolve(param, units[file], file);
            let takes_it = |&&id: &&usize| {
                let d = &index.decls[id];
                d.lock == r.lock && d.family == r.family
            };
            let candidates: Vec<&usize> = resolved.ids.iter().filter(takes_it).collect();
            // One for sure: the constructor follows it (see `type_paths`).
            let one = resolved.ids.len() == 1 && !resolved.ambiguous;
            if candidates.is_empty() || one {
                continue;
            }
            let reason = format!(
                "a `{}` constructor is handed to `{name}`, whose parameter could be more than one fn's",
                r.lock.name()
            );
            let loc = Loc {
                file,
                range: r.range,
            };
            for &id in candidates {
                self.uncertain(id, loc.clone(), false, reason.clone());
            }
        }
    }
}

/// By declaration: the name code near a use of it mentions. An enum
/// variant's positional field's is its variant's (`Live` of
/// `Conn::Live.0`). A tuple struct's name is a type name any code may
/// mention (`Mutex` of `struct Mutex<T>(std::sync::Mutex<T>)`): its fields
/// are not blamed.
fn nearby_names(index: &Index) -> Vec<String> {
    (0..index.decls.len())
        .map(|id| match &index.decls[id].key {
            DeclKey::Field { owner, name }
                if name.starts_with(|c: char| c.is_ascii_digit()) && owner.contains("::") =>
            {
                owner.rsplit("::").next().unwrap_or_default().to_string()
            }
            _ => index.simple_name(id),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::locks::Decision;

    #[test]
    fn a_receiver_that_could_be_either_of_two_locks_blocks_both() {
        let src = "use std::sync::{Arc, Mutex};\nstruct A { m: Mutex<u32> }\nstruct B { m: Mutex<u32> }\nasync fn f(x: Arc<A>) { *x.m.lock().unwrap() += 1; }\nasync fn g() { let y = make(); *y.m.lock().unwrap() += 1; }\n";
        let plan = plan_of(src);
        let why = "a lock site's receiver could be more than one lock";
        assert_eq!(blockers(report(&plan, "A.m")), [why]);
        // `B.m` is locked in async code only through the uncertain site.
        assert_eq!(blockers(report(&plan, "B.m")), [why]);
    }

    #[test]
    fn a_lock_handed_to_an_unknown_macro_is_manual() {
        let src = "use std::sync::{Arc, Mutex};\nstruct S { m: Mutex<u32> }\nasync fn f(s: Arc<S>) { *s.m.lock().unwrap() += 1; my_macro!(s.m); }\n";
        let plan = plan_of(src);
        let why = blockers(report(&plan, "S.m"));
        assert_eq!(
            why,
            ["it is handed to `my_macro!`, a macro the tool cannot parse"]
        );
    }

    #[test]
    fn a_lock_locked_inside_the_crate_s_macro_rules_migrates_at_its_expansions() {
        // The field is named only in the macro's body; `r` is no lock.
        let src = "use std::sync::RwLock;\nstruct R { counters: RwLock<u32> }\nmacro_rules! with_counters { ($r:expr, $m:ident) => { let $m = $r.counters.read().unwrap(); } }\nasync fn f(r: &R) -> u32 { with_counters!(r, m); *m }\nasync fn g(r: &R) { *r.counters.write().unwrap() += 1; }\n";
        let plan = plan_of(src);
        assert_eq!(report(&plan, "R.counters").decision, Decision::Migrate);
        let out = rewritten(src, &plan);
        assert!(out.contains("let $m = $r.counters.read().await;"), "{out}");
        // Called in sync code too, the body cannot take both rewrites.
        let src = format!("{src}fn h(r: &R) -> u32 {{ with_counters!(r, n); *n }}\n");
        let why = "it is locked inside `with_counters!`, and its calls are in code of different kinds (async and sync): the macro's body takes one rewrite for every call";
        assert!(blockers(report(&plan_of(&src), "R.counters")).contains(&why.to_string()));
        // A macro nobody calls in async code locks nothing there.
        let src = src.replace("async fn", "fn");
        assert!(plan_of(&src).reports.is_empty());
    }

    #[test]
    fn a_macro_rules_body_the_tool_does_not_expand_blames_the_names_it_locks() {
        // `$m.lock()` locks what a call hands in (blamed at the call); a
        // static locked in the body is blamed by its name. (A repetition
        // is beyond what is expanded.)
        let src = "use std::sync::Mutex;\nstatic TOTAL: Mutex<u32> = Mutex::new(0);\nstruct S { m: Mutex<u32> }\nmacro_rules! bump { ($($m:expr),*) => { $(*$m.lock().unwrap() += *TOTAL.lock().unwrap();)* } }\nasync fn f(s: &S) { bump!(s.m); }\n";
        let plan = plan_of(src);
        assert_eq!(
            blockers(report(&plan, "TOTAL")),
            ["it is locked inside `bump!`, a `macro_rules!` the tool does not expand"]
        );
        assert_eq!(
            blockers(report(&plan, "S.m")),
            ["it is handed to `bump!`, a `macro_rules!` the tool does not expand"]
        );
        // Expanded, both are the call's sites and migrate.
        let src = src.replace(
            "($($m:expr),*) => { $(*$m.lock().unwrap() += *TOTAL.lock().unwrap();)* }",
            "($m:expr) => { *$m.lock().unwrap() += *TOTAL.lock().unwrap(); }",
        );
        let plan = plan_of(&src);
        assert_eq!(report(&plan, "TOTAL").decision, Decision::Migrate);
        assert_eq!(report(&plan, "S.m").decision, Decision::Migrate);
        // One call the tool does not expand keeps the body as it is.
        let src = format!("{src}async fn g(s: &S) {{ bump!(s.m, 2); }}\n");
        let why = "it is locked inside `bump!`, and it is also called where the tool does not expand it: the macro's body takes one rewrite for every call";
        assert!(blockers(report(&plan_of(&src), "TOTAL")).contains(&why.to_string()));
    }

    #[test]
    fn the_locks_one_macro_body_site_locks_migrate_together() {
        let src = "use std::sync::Mutex;\nstruct S { a: Mutex<u32>, b: Mutex<u32> }\nmacro_rules! bump { ($m:expr) => { *$m.lock().unwrap() += 1 } }\nasync fn f(s: &S) { bump!(s.a); bump!(s.b); }\n";
        let plan = plan_of(src);
        assert_eq!(report(&plan, "S.a").decision, Decision::Migrate);
        // `b` cannot migrate, so neither can `a`: the body is shared.
        let src = src.replace("bump!(s.b); }", "bump!(s.b); other!(s.b); }");
        let plan = plan_of(&src);
        let why = blockers(report(&plan, "S.a"));
        assert!(why.iter().any(|w| w.contains("`other!`")), "{why:?}");
        // What a call locks that is no lock the tool knows blocks the rest.
        let src = src.replace("other!(s.b); }", "bump!(s.c); }");
        let why = "it is locked inside `bump!`, and at another call it locks what the tool cannot tie to one lock: the macro's body takes one rewrite for every call";
        assert!(blockers(report(&plan_of(&src), "S.a")).contains(&why.to_string()));
    }

    #[test]
    fn a_rewrite_spanning_a_macro_s_body_and_its_argument_is_reported() {
        let src = "use std::sync::Mutex;\nstruct S { a: Mutex<u32> }\nmacro_rules! get { ($m:expr) => { match $m.lock() { Ok(g) => *g, Err(_) => 0 } } }\nasync fn f(s: &S) -> u32 { get!(s.a) }\n";
        let why = "it is locked inside `get!`, where its rewrite would span the macro's body and the call's arguments";
        assert_eq!(blockers(report(&plan_of(src), "S.a")), [why]);
    }

    #[test]
    fn an_unresolved_into_inner_blocks_but_is_not_where_the_lock_is_locked() {
        let src = "use std::sync::{Arc, Mutex};\nstruct S { m: Mutex<u32> }\nasync fn f(s: Arc<S>) { *s.m.lock().unwrap() += 1; }\nasync fn g(s: S) -> u32 { (|| s.m)().into_inner().unwrap() }\n";
        let plan = plan_of(src);
        let why = "a lock site near a use of it has a receiver the tool cannot resolve";
        assert_eq!(blockers(report(&plan, "S.m")), [why]);
        // Only `lock()` in `f` locks it in async code.
        assert_eq!(report(&plan, "S.m").async_sites.len(), 1);
    }

    #[test]
    fn a_constructor_handed_to_a_method_two_types_have_blocks_both() {
        let src = "use std::sync::Mutex;\nstruct A;\nstruct B;\nimpl A { async fn take(&self, m: Mutex<u32>) { *m.lock().unwrap() += 1; } }\nimpl B { async fn take(&self, m: Mutex<u32>) { *m.lock().unwrap() += 1; } }\nasync fn f() { A.take(Mutex::new(1)).await; }\n";
        let plan = plan_of(src);
        let why = "a `Mutex` constructor is handed to `take`, whose parameter could be more than one fn's";
        assert_eq!(blockers(report(&plan, "A::take")), [why]);
        assert_eq!(blockers(report(&plan, "B::take")), [why]);
    }

    #[test]
    fn a_constructor_handed_to_a_parameter_inside_an_unknown_macro_blocks_it() {
        let src = "use std::sync::{Arc, Mutex};\nasync fn run(m: Arc<Mutex<u32>>) { *m.lock().unwrap() += 1; }\nasync fn f() { my_join!(run(Arc::new(Mutex::new(1)))); }\n";
        let plan = plan_of(src);
        let why = "a constructor is handed to it inside `my_join!`, a macro the tool cannot parse";
        assert_eq!(blockers(report(&plan, "`m`")), [why]);
        // Handing a value over is not locking it.
        assert_eq!(report(&plan, "`m`").async_sites.len(), 1);
    }

    #[test]
    fn a_method_of_what_the_lock_holds_is_no_site_of_it() {
        // `read` is no method of a std Mutex: `s.m.read()` is something else's.
        let src = "use std::sync::{Arc, Mutex};\nstruct S { m: Mutex<u32> }\nasync fn f(s: Arc<S>) { s.m.read(); }\n";
        assert!(plan_of(src).reports.is_empty());
    }

    #[test]
    fn namesake_fns_in_sibling_modules_keep_their_own_parameters() {
        let src = "mod a {\n    use std::sync::Mutex;\n    pub async fn bad(x: &Mutex<u32>) { *x.lock().unwrap() += 1; }\n}\nmod b {\n    use parking_lot::Mutex;\n    pub async fn bad(x: &Mutex<u32>) { *x.lock() += 1; }\n}\n";
        let plan = plan_of(src);
        let std_param = plan
            .reports
            .iter()
            .find(|r| r.decision == crate::locks::Decision::Migrate);
        let parking = plan
            .reports
            .iter()
            .find(|r| r.decision == crate::locks::Decision::ReportParkingLot);
        assert!(
            std_param.is_some() && parking.is_some(),
            "{:#?}",
            plan.reports
        );
    }
}
