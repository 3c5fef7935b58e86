//! A crate plan's findings as diagnostics: messages, labels, notes and the
//! edits of each finding's fix.

use std::collections::BTreeMap;

use ra_ap_syntax::TextRange;

use crate::driver::{Analysed, Diagnostic, Options, Outcome, Span};
use crate::edits::edit::{line_col, Edit};
use crate::imports::Family;
use crate::locks::{self, Decision};
use crate::rules::blocking_calls::BlockingReport;
use crate::rules::Applicability;

/// Pushes the diagnostics of `plan` onto `out`, sorted by place. `crate_ok`:
/// the plan's edits apply; `shared`: the edits no single finding owns.
pub(crate) fn diagnostics(
    crate_id: usize,
    files: &[&Analysed],
    plan: &locks::CratePlan,
    crate_ok: bool,
    shared: &[(Span, String)],
    opts: &Options,
    out: &mut Outcome,
) {
    let loc = |file: usize, range: TextRange| {
        let (line, col) = line_col(&files[file].src.text, range.start().into());
        (files[file].src.display.clone(), line, col)
    };
    let span = |file: usize, range: TextRange| files[file].src.span(range);
    // A finding's own edits, in file order, where this run applies its fix.
    let fix_edits = |fixed: bool, edits: &mut dyn Iterator<Item = (usize, &Edit)>| {
        let mut edits: Vec<(usize, &Edit)> = edits.filter(|_| fixed).collect();
        edits.sort_by_key(|(f, e)| (*f, e.range.start()));
        edits
            .into_iter()
            .map(|(f, e)| (span(f, e.range), e.replacement.clone()))
            .collect::<Vec<_>>()
    };
    let first_diagnostic = out.diagnostics.len();
    let mut with_findings: Vec<usize> = Vec::new();
    // AW205: one finding per blocking helper, at its first async caller;
    // the other callers are labels (in its file) and notes.
    let mut callers: BTreeMap<&str, Vec<&BlockingReport>> = BTreeMap::new();
    for b in &plan.blocking {
        if let Some(h) = helper_of(b) {
            callers.entry(h).or_default().push(b);
        }
    }
    for b in &plan.blocking {
        let mut labels = Vec::new();
        let mut notes = b.notes.clone();
        if let Some(all) = helper_of(b).and_then(|h| callers.get(h)) {
            let first = all.iter().min_by_key(|c| &c.at).expect("b is one");
            if !std::ptr::eq(*first, b) {
                continue;
            }
            let mut others: Vec<&&BlockingReport> =
                all.iter().filter(|c| !std::ptr::eq(**c, b)).collect();
            others.sort_by_key(|c| &c.at);
            for other in others {
                let chain = other.message.split_once(": ").map_or("", |(_, c)| c);
                let what = format!("also called from async code: {chain}");
                let (p, l, c) = loc(other.at.file, other.at.range);
                notes.push(format!("{p}:{l}:{c}: {what}"));
                if other.at.file == b.at.file {
                    labels.push((span(other.at.file, other.at.range), what));
                }
            }
        }
        let at = span(b.at.file, b.at.range);
        let fixed = crate_ok && b.fixed;
        with_findings.push(b.at.file);
        out.diagnostics.push(Diagnostic {
            rule: b.rule,
            span: at,
            message: b.message.clone(),
            labels,
            notes,
            fix: b.fix,
            edits: fix_edits(fixed, &mut b.edits.iter().map(|e| (b.at.file, e))),
            shared_edits: if fixed { shared.to_vec() } else { Vec::new() },
            fixed,
            crate_id,
            file: files[b.at.file].src.path.clone(),
            snippet: crate::baseline::snippet(
                &files[b.at.file].src.text,
                b.at.range.start().into(),
            ),
        });
    }
    for report in &plan.reports {
        with_findings.push(report.decl.file);
        let same_file = |l: &locks::Loc| l.file == report.decl.file;
        let mut labels: Vec<(Span, String)> = report
            .async_sites
            .iter()
            .filter(|s| same_file(s))
            .map(|s| {
                (
                    span(s.file, s.range),
                    "locked in async code here".to_string(),
                )
            })
            .collect();
        if let Decision::Manual(blockers) = &report.decision {
            labels.extend(
                blockers
                    .iter()
                    .filter(|(l, _)| same_file(l) && l != &report.decl)
                    .map(|(l, reason)| (span(l.file, l.range), reason.clone())),
            );
        }
        let lib = match report.family {
            Family::ParkingLot => "parking_lot",
            _ => "std",
        };
        let what = format!("{lib} {} {}", report.lock.name(), report.display);
        let first_async = report.async_sites.first().map(|s| {
            let (p, l, c) = loc(s.file, s.range);
            format!("{p}:{l}:{c}")
        });
        let in_fn = report
            .async_fn
            .as_ref()
            .map(|f| format!(" in `{f}`"))
            .unwrap_or_default();
        let where_locked = match (report.async_sites.len(), first_async) {
            (1, Some(at)) => format!("locked in async code{in_fn} at {at}"),
            (n, Some(at)) => format!(
                "locked in async code{in_fn} at {at} and {} more place{}",
                n - 1,
                if n == 2 { "" } else { "s" }
            ),
            _ => String::new(),
        };
        let rule = report.decision.rule();
        let (message, notes) = match &report.decision {
            Decision::Migrate => (
                format!("{what} is {where_locked}; migrating it to tokio::sync::{}", report.lock.name()),
                match report.exported {
                    true => vec!["it is public in a library: its type changes for the crates that use it, which must lock it with `.await` too (those of this run are migrated with it)".to_string()],
                    false => Vec::new(),
                }
                .into_iter()
                .chain(report.notes.iter().cloned())
                .collect(),
            ),
            Decision::Manual(blockers) => (
                format!("{what} is {where_locked}, but cannot be migrated safely; left unchanged"),
                blockers
                    .iter()
                    .map(|(l, reason)| {
                        let (p, line, col) = loc(l.file, l.range);
                        format!("{p}:{line}:{col}: {reason}")
                    })
                    .collect(),
            ),
            Decision::ReportParkingLot => (
                format!("{what} is {where_locked}"),
                vec!["run with --parking-lot to migrate it to tokio::sync".to_string()],
            ),
            Decision::KeepShort => (
                format!("{what} is {where_locked}, but its guard is never held across an `.await`; kept (policy held-across-await)"),
                Vec::new(),
            ),
        };
        let fixed = crate_ok && report.decision == Decision::Migrate;
        out.diagnostics.push(Diagnostic {
            rule,
            span: span(report.decl.file, report.decl.range),
            message,
            labels,
            notes,
            fix: (report.decision == Decision::Migrate).then_some(match report.unsafe_fix {
                true => Applicability::Unsafe,
                false => Applicability::Safe,
            }),
            edits: fix_edits(fixed, &mut report.edits.iter().map(|(f, e)| (*f, e))),
            shared_edits: if fixed { shared.to_vec() } else { Vec::new() },
            fixed,
            crate_id,
            file: files[report.decl.file].src.path.clone(),
            snippet: crate::baseline::snippet(
                &files[report.decl.file].src.text,
                report.decl.range.start().into(),
            ),
        });
    }
    for file in with_findings.into_iter().filter(|_| opts.keep_sources) {
        let src = &files[file].src;
        out.sources
            .entry(src.display.clone())
            .or_insert_with(|| src.text.clone());
    }
    let key = |d: &Diagnostic| (d.span.path.clone(), d.span.line, d.span.col);
    out.diagnostics[first_diagnostic..].sort_by_key(key);
}

/// The helper an AW205 finding is about.
pub(crate) fn helper_of(b: &BlockingReport) -> Option<&str> {
    b.helper.as_deref()
}
