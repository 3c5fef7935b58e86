//! Guards of std locks that stay, in async code: a fix that adds an
//! `.await` while one is held would make its future hold a blocking lock
//! across the await, and no longer be `Send`. `plan` withdraws such fixes
//! and plans again.

use std::collections::HashSet;

use super::{CratePlan, Decision, Loc, Planner};

/// Records the guards of the locks that stay, held across no `.await`
/// yet: a fix must not add one while such a guard is held. (One already
/// held across an await makes its future what it is already.)
pub(super) fn record(p: &Planner, migrating: &HashSet<usize>, out: &mut CratePlan) {
    for (id, decl_sites) in p.sites.by_decl.iter().enumerate() {
        if migrating.contains(&p.group_of[id]) {
            continue;
        }
        for &(file, s) in decl_sites.iter().filter(|(_, s)| !s.held_across_await) {
            if let Some(extent) = s.guard_extent {
                let site = Loc {
                    file,
                    range: s.range,
                };
                let lock = p.index.decls[id].display.clone();
                out.kept_guards.push((file, extent, site, lock));
            }
        }
    }
}

/// The fixes whose new `.await` falls where a kept std guard is alive, with
/// the reason, at the place `Referee` withdraws them by.
pub(crate) fn awaits_under_kept_guards(out: &CratePlan, texts: &[&str]) -> Vec<(Loc, String)> {
    let migrating = out
        .reports
        .iter()
        .filter(|r| r.decision == Decision::Migrate);
    let lock_awaits = migrating.flat_map(|r| {
        let awaits = r.async_sites.iter().chain(&r.yields);
        awaits.map(|s| (r.decl.clone(), s.range, s.file))
    });
    let fixed = out
        .blocking
        .iter()
        .filter(|b| b.fixed && b.helper.is_none());
    // A fix awaits at its call, or where its edits add an `.await` (the
    // waits of a barrier AW209 migrates, reported at its constructor).
    let blocking_awaits = fixed.flat_map(|b| {
        let awaits = b.edits.iter().filter(|e| e.replacement.ends_with(".await"));
        let ranges = std::iter::once(b.at.range).chain(awaits.map(|e| e.range));
        ranges.map(|range| (b.at.clone(), range, b.at.file))
    });
    let mut conflicts: Vec<(Loc, String)> = Vec::new();
    for (fix, range, at_file) in lock_awaits.chain(blocking_awaits) {
        let under = out
            .kept_guards
            .iter()
            .find(|(file, extent, ..)| *file == at_file && extent.contains_range(range));
        if let Some((_, _, site, what)) = under {
            if conflicts.iter().all(|(l, _)| *l != fix) {
                let offset = usize::from(site.range.start());
                let line = texts[site.file][..offset].matches('\n').count() + 1;
                let reason = format!(
                    "its fix adds an `.await` while the guard of the std {what} (locked on line {line}), which stays, is held: the future would hold a blocking lock across the await and not be `Send`"
                );
                conflicts.push((fix, reason));
            }
        }
    }
    conflicts
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    #[test]
    fn a_fix_that_would_await_under_a_kept_guard_is_withdrawn() {
        // `S.a` stays (tokio has no `is_poisoned`), and its guard is alive
        // where `S.b` would be awaited.
        let src = "use std::sync::{Arc, Mutex};\nstruct S { a: Mutex<u32>, b: Mutex<u32> }\nasync fn f(s: Arc<S>) { let g = s.a.lock().unwrap(); *s.b.lock().unwrap() += *g; drop(g); }\nfn p(s: &S) -> bool { s.a.is_poisoned() }\n";
        let plan = plan_of(src);
        let why = blockers(report(&plan, "S.b"));
        assert_eq!(why.len(), 1);
        assert!(why[0].starts_with("its fix adds an `.await` while the guard of the std `S.a` (locked on line 3), which stays, is held"), "{why:?}");
        assert!(plan.edits.values().all(Vec::is_empty));
        // Without the kept guard around it, the same site migrates.
        let src = src.replace(
            "*s.b.lock().unwrap() += *g; drop(g);",
            "drop(g); *s.b.lock().unwrap() += 1;",
        );
        let plan = plan_of(&src);
        assert_eq!(
            report(&plan, "S.b").decision,
            crate::locks::Decision::Migrate
        );
    }
}
