//! Findings left alone: those a baseline records (suppressed where they are,
//! for the crate to be planned again), and AW001, the `awaitify: allow(..)`
//! comments that suppress nothing.

use std::collections::{BTreeMap, HashSet};

use ra_ap_syntax::TextRange;

use super::files::Files;
use crate::edits::edit::Edit;
use crate::facts;
use crate::locks::BlockingReport;
use crate::locks::{self, Decision};
use crate::model::Analysed;
use crate::rules::{self, Applicability};
use crate::rules_meta::{self, check_selector, selects, RuleName};
use crate::walk::CrateInfo;

/// Findings of `plan` that `baseline` records are suppressed where they are
/// (an allow in the file's facts), for the crate to be planned again
/// without them. Returns how many places it suppressed, and how many
/// findings they are.
pub(super) fn suppress_baselined(
    plan: &locks::CratePlan,
    present: &[usize],
    state: &mut Files,
    baseline: &mut crate::baseline::Baseline,
) -> (usize, usize) {
    let files: Vec<&Analysed> = present.iter().filter_map(|&i| state.get(i)).collect();
    let (recorded, hidden) = in_baseline(plan, &files, baseline);
    let places = recorded.len();
    suppress(recorded, present, state);
    (places, hidden)
}

/// Where `plan` reports its findings: each at its place, under its rule.
pub(super) fn finding_places(plan: &locks::CratePlan) -> HashSet<Place> {
    let blocking = plan.blocking.iter().map(|b| (b.rule, &b.at));
    let reports = plan.reports.iter().map(|r| (r.rule(), &r.decl));
    blocking
        .chain(reports)
        .map(|(rule, at)| (at.file, at.range, rule.code))
        .collect()
}

/// Suppresses the findings of `plan` that `before` (the places the plan
/// reported before the baseline suppressed anything) does not have: they
/// are there only because a recorded finding no longer covers them, as the
/// waits on a std channel whose recorded migration (AW208) is suppressed
/// fall back to AW203. A recorded finding hides what it covered. Returns
/// how many places it suppressed.
pub(super) fn suppress_uncovered(
    before: &HashSet<Place>,
    plan: &locks::CratePlan,
    present: &[usize],
    state: &mut Files,
) -> usize {
    let mut uncovered: Vec<Place> = finding_places(plan).difference(before).copied().collect();
    uncovered.sort_by_key(|&(file, range, code)| (file, range.start(), range.end(), code));
    let places = uncovered.len();
    suppress(uncovered, present, state);
    places
}

/// A finding's place: its file (among the crate's analysed files), its
/// range and its rule's code.
pub(super) type Place = (usize, TextRange, &'static str);

/// Suppresses each place's rule there, as an allow in its file's facts.
fn suppress(places: Vec<Place>, present: &[usize], state: &mut Files) {
    for (file, range, code) in places {
        let facts = &mut state.get_mut(present[file]).expect("present").facts;
        facts.allows.push(facts::Allow {
            range,
            comment: TextRange::empty(range.start()),
            rules: vec![code.to_string()],
        });
    }
}

/// AW001: adds to `plan` a finding, with its fix, for each `awaitify:
/// allow(..)` comment of the crate (`present`: its analysed files) that
/// suppresses nothing, or for the rules of one that suppress nothing. What
/// a comment suppresses is what a plan without the comments reports under it.
pub(super) fn unused_allows(
    state: &mut Files,
    present: &[usize],
    krate: &CrateInfo,
    mut baseline: Option<&mut crate::baseline::Baseline>,
    plan: &mut locks::CratePlan,
) {
    let rules = &krate.plan.rules;
    if !rules.enabled(&rules::UNUSED_SUPPRESSION) {
        return;
    }
    // Comments, not the suppressions of `per-file-ignores` or a baseline.
    let is_comment = |a: &facts::Allow| !a.comment.is_empty();
    let checked = |a: &Analysed| !a.facts.read_only && a.facts.allows.iter().any(is_comment);
    if !present.iter().any(|&i| state.get(i).is_some_and(checked)) {
        return;
    }
    let mut taken: Vec<Vec<facts::Allow>> = Vec::new();
    for &i in present {
        let facts = &mut state.get_mut(i).expect("present").facts;
        let (comments, others) = std::mem::take(&mut facts.allows)
            .into_iter()
            .partition(is_comment);
        facts.allows = others;
        taken.push(comments);
    }
    let bare = state.plan(present, &krate.plan);
    let findings: Vec<(RuleName, &locks::Loc)> = bare
        .blocking
        .iter()
        .map(|b| (b.rule, &b.at))
        .chain(bare.reports.iter().map(|r| (r.rule(), &r.decl)))
        .collect();
    for (file, comments) in taken.into_iter().enumerate() {
        let a = state.get_mut(present[file]).expect("present");
        for allow in &comments {
            if a.facts.read_only {
                break;
            }
            // A lock's finding counts for every lock rule: without the
            // comments, fewer files may be analysed, so the lock's rule may
            // differ from the one a full analysis gives (AW101, not AW102).
            let lock_rule = |r: RuleName| r.family == rules::Family::Lock;
            let used = |selector: &str| {
                findings.iter().any(|(rule, at)| {
                    at.file == file
                        && allow.range.contains_inclusive(at.range.start())
                        && match lock_rule(*rule) {
                            true => rules::RULES
                                .iter()
                                .any(|r| lock_rule((*r).into()) && selects(selector, *r)),
                            false => selects(selector, *rule),
                        }
                })
            };
            // A rule this run does not check, or a name that is no rule (an
            // error of its own), is not called unused.
            let checked = |selector: &str| {
                check_selector(selector).is_ok()
                    && rules::RULES
                        .iter()
                        .any(|r| rules.enabled(*r) && selects(selector, *r))
            };
            let unused: Vec<&String> = allow
                .rules
                .iter()
                .filter(|r| checked(r) && !used(r))
                .collect();
            if unused.is_empty() {
                continue;
            }
            let text = &a.src.text;
            let key_offset = usize::from(allow.comment.start());
            if let Some(b) = baseline.as_deref_mut() {
                let key = b.key(
                    rules::UNUSED_SUPPRESSION.code,
                    &a.src.path,
                    text,
                    key_offset,
                );
                if b.take(&key) {
                    continue;
                }
            }
            report_unused(plan, file, text, allow, &unused);
        }
        a.facts.allows.extend(comments);
    }
}

/// The finding, with its fix, of the rules `unused` of the suppression
/// comment `allow` in file `file` (whose text is `text`), added to `plan`.
fn report_unused(
    plan: &mut locks::CratePlan,
    file: usize,
    text: &str,
    allow: &facts::Allow,
    unused: &[&String],
) {
    let kept: Vec<&str> = allow
        .rules
        .iter()
        .filter(|r| !unused.contains(r))
        .map(String::as_str)
        .collect();
    let edit = allow_removal(text, allow.comment, &kept);
    let names = unused.iter().map(|r| format!("`{r}`")).collect::<Vec<_>>();
    let message = match kept.is_empty() {
        true => "this `awaitify: allow(..)` comment suppresses nothing; remove it".to_string(),
        false => format!(
            "{} in this `awaitify: allow(..)` comment suppress{} nothing; remove {}",
            names.join(", "),
            if names.len() == 1 { "es" } else { "" },
            if names.len() == 1 { "it" } else { "them" }
        ),
    };
    plan.edits.entry(file).or_default().push(edit.clone());
    plan.blocking.push(BlockingReport {
        rule: (&rules::UNUSED_SUPPRESSION).into(),
        severity: rules::UNUSED_SUPPRESSION.severity,
        at: locks::Loc {
            file,
            range: allow.comment,
        },
        message,
        notes: Vec::new(),
        fixed: true,
        fix: Some(Applicability::Safe),
        edits: vec![edit],
        helper: None,
    });
}

/// The edit that removes a suppression comment at `comment`, or keeps only
/// the rules `kept` in it. A comment alone on its line goes with its line.
fn allow_removal(text: &str, comment: TextRange, kept: &[&str]) -> Edit {
    let (start, end) = (usize::from(comment.start()), usize::from(comment.end()));
    if !kept.is_empty() {
        let body = &text[start..end];
        let open = body.find("allow(").map_or(0, |i| i + "allow(".len());
        let close = body[open..].find(')').map_or(body.len(), |i| open + i);
        let range = TextRange::new(
            ((start + open) as u32).into(),
            ((start + close) as u32).into(),
        );
        return Edit::new(range, kept.join(", "));
    }
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i + 1);
    let alone = text[line_start..start].trim().is_empty() && text[end..line_end].trim().is_empty();
    let range = if alone {
        line_start..line_end
    } else {
        // After code: the comment and the spaces before it.
        text[..start].trim_end_matches([' ', '\t']).len()..end
    };
    Edit::new(
        TextRange::new((range.start as u32).into(), (range.end as u32).into()),
        "",
    )
}

/// The findings of a crate's plan that `baseline` records (each taken out of
/// it): the file, the place and the rule of each place to suppress, and how
/// many findings they are.
fn in_baseline(
    plan: &locks::CratePlan,
    files: &[&Analysed],
    baseline: &mut crate::baseline::Baseline,
) -> (Vec<Place>, usize) {
    let mut take = |rule: RuleName, at: &locks::Loc| {
        let src = &files[at.file].src;
        baseline.take(&baseline.key(rule.code, &src.path, &src.text, at.range.start().into()))
    };
    let (mut out, mut findings) = (Vec::new(), 0);
    // The async calls of one blocking helper are one finding, recorded at
    // the first of them.
    let mut calls: BTreeMap<&str, Vec<&BlockingReport>> = BTreeMap::new();
    let mut singles = Vec::new();
    for b in &plan.blocking {
        match b.helper.as_deref() {
            Some(h) => calls.entry(h).or_default().push(b),
            None => singles.push((b.rule, &b.at)),
        }
    }
    for group in calls.values() {
        let first = group
            .iter()
            .min_by_key(|c| &c.at)
            .expect("a group has calls");
        if take(first.rule, &first.at) {
            out.extend(group.iter().map(|c| (c.at.file, c.at.range, c.rule.code)));
            findings += 1;
        }
    }
    for (rule, at) in singles {
        if take(rule, at) {
            out.push((at.file, at.range, rule.code));
            findings += 1;
        }
    }
    // A migration the crate cannot take (tokio optional or renamed: see
    // `apply::withdraw_if_tokio_unusable`) is reported, and recorded, as
    // manual: a recorded manual finding holds the lock back either way.
    for r in &plan.reports {
        let rule = r.rule();
        let recorded = take(rule, &r.decl)
            || (r.decision == Decision::Migrate
                && take(rules_meta::MANUAL_LOCK_MIGRATION, &r.decl));
        if recorded {
            out.push((r.decl.file, r.decl.range, rule.code));
            findings += 1;
        }
    }
    (out, findings)
}
