//! A crate plan's findings as diagnostics: labels, notes, the place of each
//! finding and the edits of its fix. The words of each finding are its
//! rule's (in `rules/`); this module lays them out.

use std::collections::BTreeMap;

use ra_ap_syntax::TextRange;

use crate::edits::edit::{line_col, Edit};
use crate::imports::Family;
use crate::locks::BlockingReport;
use crate::locks::{self, Decision};
use crate::model::{Analysed, Span};
use crate::options::Options;
use crate::outcome::{Diagnostic, Outcome};
use crate::rules::{self, Applicability, LockFinding, Rule};

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
    let cx = Layout {
        crate_id,
        files,
        crate_ok,
        shared,
    };
    let first_diagnostic = out.diagnostics.len();
    let mut with_findings: Vec<usize> = Vec::new();
    let callers = helper_callers(&plan.blocking);
    for b in &plan.blocking {
        if let Some(d) = cx.blocking(b, &callers) {
            with_findings.push(b.at.file);
            out.diagnostics.push(d);
        }
    }
    for report in &plan.reports {
        with_findings.push(report.decl.file);
        out.diagnostics.push(cx.lock(report));
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

/// AW205: the async calls of each blocking helper, which become one finding
/// at its first caller.
fn helper_callers(blocking: &[BlockingReport]) -> BTreeMap<&str, Vec<&BlockingReport>> {
    let mut callers: BTreeMap<&str, Vec<&BlockingReport>> = BTreeMap::new();
    for b in blocking {
        if let Some(h) = b.helper.as_deref() {
            callers.entry(h).or_default().push(b);
        }
    }
    callers
}

/// Where a crate's findings are and what this run applies of their fixes.
struct Layout<'a> {
    crate_id: usize,
    files: &'a [&'a Analysed],
    crate_ok: bool,
    shared: &'a [(Span, String)],
}

impl Layout<'_> {
    /// `path:line:col` of a place.
    fn loc(&self, l: &locks::Loc) -> String {
        let src = &self.files[l.file].src;
        let (line, col) = line_col(&src.text, l.range.start().into());
        format!("{}:{line}:{col}", src.display)
    }

    fn span(&self, file: usize, range: TextRange) -> Span {
        self.files[file].src.span(range)
    }

    /// A finding's own edits, in file order, where this run applies its fix.
    fn fix_edits(
        &self,
        fixed: bool,
        edits: &mut dyn Iterator<Item = (usize, &Edit)>,
    ) -> Vec<(Span, String)> {
        let mut edits: Vec<(usize, &Edit)> = edits.filter(|_| fixed).collect();
        edits.sort_by_key(|(f, e)| (*f, e.range.start()));
        edits
            .into_iter()
            .map(|(f, e)| (self.span(f, e.range), e.replacement.clone()))
            .collect()
    }

    /// A diagnostic of `rule` at `at`, with the edits this run applies.
    fn diagnostic(&self, rule: &'static Rule, at: &locks::Loc, fixed: bool) -> Diagnostic {
        let src = &self.files[at.file].src;
        Diagnostic {
            rule,
            severity: rule.severity,
            span: self.span(at.file, at.range),
            message: String::new(),
            labels: Vec::new(),
            notes: Vec::new(),
            fix: None,
            edits: Vec::new(),
            shared_edits: if fixed {
                self.shared.to_vec()
            } else {
                Vec::new()
            },
            fixed,
            crate_id: self.crate_id,
            file: src.path.clone(),
            snippet: crate::baseline::snippet(&src.text, at.range.start().into()),
        }
    }

    /// A blocking call's finding; an AW205 finding at its helper's first
    /// async caller only, with the other callers as labels (in its file)
    /// and notes.
    fn blocking(
        &self,
        b: &BlockingReport,
        callers: &BTreeMap<&str, Vec<&BlockingReport>>,
    ) -> Option<Diagnostic> {
        let mut labels = Vec::new();
        let mut notes = b.notes.clone();
        if let Some(all) = b.helper.as_deref().and_then(|h| callers.get(h)) {
            let first = all.iter().min_by_key(|c| &c.at).expect("b is one");
            if !std::ptr::eq(*first, b) {
                return None;
            }
            let mut others: Vec<&&BlockingReport> =
                all.iter().filter(|c| !std::ptr::eq(**c, b)).collect();
            others.sort_by_key(|c| &c.at);
            for other in others {
                let chain = other.message.split_once(": ").map_or("", |(_, c)| c);
                let what = format!("also called from async code: {chain}");
                notes.push(format!("{}: {what}", self.loc(&other.at)));
                if other.at.file == b.at.file {
                    labels.push((self.span(other.at.file, other.at.range), what));
                }
            }
        }
        let fixed = self.crate_ok && b.fixed;
        Some(Diagnostic {
            severity: b.severity,
            message: b.message.clone(),
            labels,
            notes,
            fix: b.fix,
            edits: self.fix_edits(fixed, &mut b.edits.iter().map(|e| (b.at.file, e))),
            ..self.diagnostic(rules::rule(b.rule), &b.at, fixed)
        })
    }

    /// A lock's finding at its declaration: its async sites and blockers
    /// in the same file are labels; the words are its rule's.
    fn lock(&self, report: &locks::GroupReport) -> Diagnostic {
        let same_file = |l: &locks::Loc| l.file == report.decl.file;
        let mut labels: Vec<(Span, String)> = report
            .async_sites
            .iter()
            .filter(|s| same_file(s))
            .map(|s| {
                let what = match report.called_sites.contains(s) {
                    true => "locked here, in a sync fn async code calls",
                    false => "locked in async code here",
                };
                (self.span(s.file, s.range), what.to_string())
            })
            .collect();
        let mut blockers = Vec::new();
        if let Decision::Manual(list) = &report.decision {
            labels.extend(
                list.iter()
                    .filter(|(l, _)| same_file(l) && l != &report.decl)
                    .map(|(l, reason)| (self.span(l.file, l.range), reason.clone())),
            );
            blockers = list
                .iter()
                .map(|(l, reason)| format!("{}: {reason}", self.loc(l)))
                .collect();
        }
        let finding = LockFinding {
            what: what_lock(report),
            where_locked: self.where_locked(report),
            report,
            blockers,
        };
        let rule = rules::rule(report.rule());
        let words = rule
            .hooks
            .lock_message
            .expect("a lock rule has a lock message");
        let (message, notes) = words(&finding);
        let migrate = report.decision == Decision::Migrate;
        let fixed = self.crate_ok && migrate;
        Diagnostic {
            message,
            labels,
            notes,
            fix: match (migrate, report.unsafe_fix || report.unsafe_available) {
                (false, false) => None,
                (_, true) => Some(Applicability::Unsafe),
                (true, false) => Some(Applicability::Safe),
            },
            edits: self.fix_edits(fixed, &mut report.edits.iter().map(|(f, e)| (*f, e))),
            ..self.diagnostic(rule, &report.decl, fixed)
        }
    }

    /// `locked in async code in `f` at src/a.rs:3:5 and 2 more places`
    /// (`locked in `f`, a sync fn async code calls, at ..`).
    fn where_locked(&self, report: &locks::GroupReport) -> String {
        let first = report.async_sites.first();
        let called = first.is_some_and(|s| report.called_sites.contains(s));
        let in_fn = match (&report.async_fn, called) {
            (Some(f), true) => format!("locked in `{f}`, a sync fn async code calls,"),
            (Some(f), false) => format!("locked in async code in `{f}`"),
            (None, _) => "locked in async code".to_string(),
        };
        match (report.async_sites.len(), first.map(|s| self.loc(s))) {
            (1, Some(at)) => format!("{in_fn} at {at}"),
            (n, Some(at)) => format!(
                "{in_fn} at {at} and {} more place{}",
                n - 1,
                if n == 2 { "" } else { "s" }
            ),
            _ => String::new(),
        }
    }
}

/// `std Mutex field `AppState.db``.
fn what_lock(report: &locks::GroupReport) -> String {
    let lib = match report.family {
        Family::ParkingLot => "parking_lot",
        _ => "std",
    };
    format!("{lib} {} {}", report.lock.name(), report.display)
}
