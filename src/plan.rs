//! A crate's plan: the lock planner's decisions and the blocking rules'
//! findings, with their fixes, in the order each needs the other's. The
//! locks are decided first (`locks::Planner::decide`); the blocking rules
//! plan with what the planner worked out for the crate (its units, the
//! joins it confirms, the tasks that wait: `rules::blocking_calls`); then
//! type paths and imports follow both (`locks::Planner::follow`). A fix
//! that would await under the guard of a std lock that stays is withdrawn,
//! and the crate planned again.

use crate::edits::layout;
use crate::facts::FileFacts;
use crate::locks::{self, CratePlan};
use crate::rules::blocking_calls::Blocking;
use crate::settings::PlanOptions;

/// Plans one crate. `files` are its files' facts, in a fixed order.
fn plan_once(
    files: &[&FileFacts],
    sources: &[layout::Source],
    texts: &[&str],
    opts: &PlanOptions,
) -> CratePlan {
    let p = locks::Planner::new(files, sources, texts, opts);
    let blocking = Blocking::new(files, (sources, texts), &p.units, &p.waits, opts);
    let mut out = CratePlan::default();
    let migrating = p.decide(&mut out, &|asyncify, chain| blocking.twins(asyncify, chain));
    blocking.plan(&p.handles, &mut out);
    p.follow(&migrating, &mut out);
    out
}

/// Plans one crate, then withdraws every fix that would add an `.await`
/// while the guard of a std lock that stays is held: the future would hold
/// a blocking lock across the await, and no longer be `Send`. A withdrawn
/// lock stays std, so its guards count in the next round.
pub fn plan(files: &[&FileFacts], texts: &[&str], opts: &PlanOptions) -> CratePlan {
    let mut opts = opts.clone();
    let sources: Vec<layout::Source> = texts.iter().map(|t| layout::Source::new(t)).collect();
    loop {
        let out = plan_once(files, &sources, texts, &opts);
        let conflicts = locks::awaits_under_kept_guards(&out, texts);
        if conflicts.is_empty() {
            return out;
        }
        opts.referee.withdrawn.extend(conflicts);
    }
}
