//! The compiler's completions of a migration (see `verify`): a lock site
//! whose receiver the analysis could not tie to its lock (`pass(&s.m)
//! .lock().unwrap()`) is tied to it as the compiler showed, and rewritten
//! with the lock's other sites; the other edits the compiler asked for
//! (`&guard` → `&*guard`, a std constructor handed to a migrated parameter
//! → tokio's) are made where the lock migrates.

use std::collections::HashSet;

use super::index::Index;
use super::sites::Sites;
use super::{CratePlan, Decision, Loc, Planner};
use crate::edits::edit::Edit;
use crate::facts::FileFacts;
use crate::settings::{CompletionChange, Referee};

/// The declaration at `at`, if the index has one there.
fn decl_at(index: &Index, at: &Loc) -> Option<usize> {
    let mut decls = index.decls.iter();
    decls.position(|d| d.file == at.file && d.range == at.range)
}

/// Ties each lock site the compiler showed to its lock. A place where the
/// facts hold no site (a receiver the tool could not follow at all) blocks
/// the lock, with the compiler's error.
pub(super) fn tie_sites<'a>(
    files: &[&'a FileFacts],
    index: &Index,
    referee: &Referee,
    sites: &mut Sites<'a>,
) {
    for c in &referee.completed {
        let (CompletionChange::Site(at), Some(id)) = (&c.change, decl_at(index, &c.lock)) else {
            continue;
        };
        // The compiler showed whose site it is: the names around it, which
        // made it uncertain, no longer count.
        sites.blockers.retain(|(_, l, _)| l != at);
        sites.async_hints.retain(|(_, l)| l != at);
        let tied = |s: &[(usize, &crate::facts::SiteFact)]| {
            s.iter().any(|(f, s)| *f == at.file && s.range == at.range)
        };
        if sites.by_decl.iter().any(|s| tied(s)) {
            continue;
        }
        match files[at.file].sites.iter().find(|s| s.range == at.range) {
            Some(site) => sites.by_decl[id].push((at.file, site)),
            None => sites.blockers.push((
                id,
                at.clone(),
                format!(
                    "the compiler shows that it is locked here ({}), where the tool cannot rewrite the site",
                    c.cite
                ),
            )),
        }
    }
}

/// Says on each blocker at a lock site the compiler showed which error
/// showed it.
pub(super) fn cite_blockers(referee: &Referee, blockers: &mut [(Loc, String)]) {
    for (at, why) in blockers.iter_mut() {
        let shown = referee.completed.iter().find(|c| match &c.change {
            CompletionChange::Site(site) => site == at && !why.contains(&c.cite),
            CompletionChange::Edit { .. } => false,
        });
        if let Some(c) = shown {
            why.push_str(&format!(" (a lock site the compiler showed: {})", c.cite));
        }
    }
}

/// Adds the edits the compiler asked for to the locks that migrate, after
/// every other edit of the plan: one that a type path already makes, or
/// that overlaps another, is left out.
pub(super) fn add_edits(p: &Planner, migrating: &HashSet<usize>, out: &mut CratePlan) {
    for c in &p.opts.referee.completed {
        let CompletionChange::Edit { at, text } = &c.change else {
            continue;
        };
        let Some(group) = decl_at(&p.index, &c.lock).map(|id| p.group_of[id]) else {
            continue;
        };
        if !migrating.contains(&group) {
            continue;
        }
        let edits = out.edits.entry(at.file).or_default();
        let overlaps = |e: &Edit| {
            e.range.intersect(at.range).is_some_and(|r| !r.is_empty())
                || (at.range.is_empty() && e.range.contains_range(at.range))
                || (e.range.is_empty() && at.range.contains_range(e.range))
        };
        if edits.iter().any(overlaps) {
            continue;
        }
        let edit = Edit::new(at.range, text.clone());
        edits.push(edit.clone());
        let report = out
            .reports
            .iter_mut()
            .find(|r| r.group == group && r.decision == Decision::Migrate);
        if let Some(r) = report {
            r.edits.push((at.file, edit));
        }
    }
}

#[cfg(test)]
mod tests {
    use ra_ap_syntax::{TextRange, TextSize};

    use super::super::testing::*;
    use super::*;
    use crate::settings::{Completion, PlanOptions};

    fn loc(src: &str, text: &str, nth: usize) -> Loc {
        let at = src.match_indices(text).nth(nth).unwrap().0;
        let start = TextSize::from(at as u32);
        Loc {
            file: 0,
            range: TextRange::at(start, TextSize::from(text.len() as u32)),
        }
    }

    /// The declaration of `S.m`.
    fn field_m(src: &str) -> Loc {
        let at = loc(src, "{ m:", 0).range.start() + TextSize::from(2);
        Loc {
            file: 0,
            range: TextRange::at(at, TextSize::from(1)),
        }
    }

    fn completed(src: &str, change: CompletionChange) -> PlanOptions {
        let mut opts = options();
        opts.referee.completed.push(Completion {
            lock: field_m(src),
            change,
            cite: "error[E0599] at src/lib.rs:5:30".into(),
        });
        opts
    }

    const PASS: &str =
        "use std::sync::Mutex;\nstruct S { m: Mutex<u32> }\nfn pass<T>(x: T) -> T { x }\n";

    #[test]
    fn a_site_the_compiler_showed_is_rewritten_with_its_lock() {
        let src = format!("{PASS}async fn f(s: &S) -> u32 {{ *s.m.lock().unwrap() += 1; *pass(&s.m).lock().unwrap() }}\n");
        // The analysis alone cannot follow `pass`.
        let out = rewritten(&src, &plan_of(&src));
        assert!(out.contains("*pass(&s.m).lock().unwrap() }"), "{out}");
        let opts = completed(&src, CompletionChange::Site(loc(&src, "lock", 1)));
        let plan = plan_with(&src, &opts);
        assert_eq!(report(&plan, "S.m").decision, Decision::Migrate);
        let out = rewritten(&src, &plan);
        assert!(out.contains("*pass(&s.m).lock().await }"), "{out}");
    }

    #[test]
    fn a_site_the_compiler_showed_in_sync_code_is_rewritten_only_off_the_runtime() {
        let body = "fn tally(s: &S) -> u32 { *pass(&s.m).lock().unwrap() }\n";
        let src = format!("{PASS}{body}async fn f(s: std::sync::Arc<S>) {{ *s.m.lock().unwrap() += 1; tokio::task::spawn_blocking(move || tally(&s)); }}\n");
        let opts = completed(&src, CompletionChange::Site(loc(&src, "lock", 0)));
        let out = rewritten(&src, &plan_with(&src, &opts));
        assert!(out.contains("*pass(&s.m).blocking_lock() }"), "{out}");
        // Called from async code, it would panic there: the lock is manual,
        // and the reason names the compiler's error.
        let src = src.replace(
            "tokio::task::spawn_blocking(move || tally(&s))",
            "tally(&s)",
        );
        let opts = completed(&src, CompletionChange::Site(loc(&src, "lock", 0)));
        let why = blockers(report(&plan_with(&src, &opts), "S.m"));
        assert_eq!(why, ["it is locked in sync fn `tally`, which is called from async code; `blocking_lock` would panic there; the fix makes `tally` async and awaits its call, where the task then yields; with `--unsafe-fixes` this reason does not hold it back (a lock site the compiler showed: error[E0599] at src/lib.rs:5:30)"]);
    }

    #[test]
    fn an_edit_the_compiler_asked_for_is_made_only_where_its_lock_migrates() {
        let src = "use std::sync::Mutex;\nstruct S { m: Mutex<u32> }\nfn show<T: Copy>(v: &T) -> T { *v }\nasync fn f(s: &S) -> u32 { let g = s.m.lock().unwrap(); show(&g) }\n";
        let at = loc(src, "g)", 0);
        let at = Loc {
            range: TextRange::empty(at.range.start()),
            ..at
        };
        let change = CompletionChange::Edit {
            at,
            text: "*".into(),
        };
        let opts = completed(src, change);
        let plan = plan_with(src, &opts);
        assert!(rewritten(src, &plan).contains("show(&*g) }"));
        assert_eq!(report(&plan, "S.m").edits.len(), 2);
        // Withdrawn, the lock keeps its code as it is.
        let mut opts = opts;
        opts.referee.withdrawn.push((field_m(src), "no".into()));
        assert!(!rewritten(src, &plan_with(src, &opts)).contains("&*g"));
    }

    #[test]
    fn a_place_the_facts_hold_no_site_at_blocks_its_lock() {
        let src = format!("{PASS}async fn f(s: &S) {{ *s.m.lock().unwrap() += 1; }}\n");
        let opts = completed(&src, CompletionChange::Site(loc(&src, "pass", 0)));
        let why = blockers(report(&plan_with(&src, &opts), "S.m"));
        assert_eq!(why, ["the compiler shows that it is locked here (error[E0599] at src/lib.rs:5:30), where the tool cannot rewrite the site"]);
    }
}
