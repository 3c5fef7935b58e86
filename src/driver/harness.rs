//! AW002: files a test harness compiles as expected failures or expected
//! output are left unchanged, and a note says why their findings are not
//! reported.

use ra_ap_syntax::TextRange;

use super::files::Files;
use crate::edits::edit::line_col;
use crate::facts;
use crate::imports::Family;
use crate::model::Span;
use crate::options::Options;
use crate::outcome::{Diagnostic, Outcome};
use crate::rules;
use crate::walk::{CrateInfo, Input};

/// AW002: a note for each file a test harness compiles that holds a lock
/// site or a blocking call in async code. The file is never changed and its
/// findings are not reported: the note says why. Of `harness_files`, reads
/// those analysed in `state`; pushes each note onto `notes` with its file,
/// and counts the suppressed ones (and keeps the texts shown) in `out`.
pub(super) fn harness_notes(
    (inputs, crates, opts): (&[Input], &[CrateInfo], &Options),
    harness_files: &[(usize, String)],
    state: &Files,
    notes: &mut Vec<(usize, Diagnostic)>,
    out: &mut Outcome,
) {
    let in_async = |c: &facts::SiteContext| {
        matches!(
            c,
            facts::SiteContext::Async | facts::SiteContext::SyncInAsync
        )
    };
    for (i, why) in harness_files {
        let Some(a) = state.get(*i) else {
            continue;
        };
        let rule = &rules::HARNESS_FIXTURE;
        let krate = &crates[inputs[*i].crate_id];
        if !krate.plan.rules.enabled(rule) {
            continue;
        }
        // Lock sites count where the file declares a std or parking_lot
        // lock (tokio's own are no finding); a library's lock it uses is
        // reported at the library (a use in a file the run leaves alone).
        let std_lock = a.facts.decls.iter().any(|d| d.family != Family::Tokio);
        let sites = a
            .facts
            .sites
            .iter()
            .filter(|s| std_lock && in_async(&s.ctx))
            .map(|s| (s.range, "a lock site in async code"));
        let calls = a
            .facts
            .blocking
            .iter()
            .filter(|b| in_async(&b.ctx))
            .map(|b| (b.call.call, "a blocking call in async code"));
        let mut found: Vec<(TextRange, &str)> = sites.chain(calls).collect();
        found.sort_by_key(|(r, _)| r.start());
        let Some(&(first, _)) = found.first() else {
            continue;
        };
        if a.facts.allows(rule, first.start()) {
            out.suppressed += 1;
            continue;
        }
        let text = &a.src.text;
        let span = |r: TextRange| {
            let (line, col) = line_col(text, r.start().into());
            let (end_line, end_col) = line_col(text, r.end().into());
            Span {
                path: a.src.display.clone(),
                start: r.start().into(),
                end: r.end().into(),
                line,
                col,
                end_line,
                end_col,
            }
        };
        notes.push((*i, Diagnostic {
            rule,
            severity: rule.severity,
            span: span(first),
            message: format!(
                "{} is compiled by a test harness as an expected failure or expected output; left unchanged, and its findings are not reported",
                a.src.display
            ),
            labels: found[1..]
                .iter()
                .map(|&(r, what)| (span(r), what.to_string()))
                .collect(),
            notes: vec![
                why.clone(),
                "rewriting it would change what the test checks".to_string(),
            ],
            fix: None,
            edits: Vec::new(),
            shared_edits: Vec::new(),
            fixed: false,
            crate_id: inputs[*i].crate_id,
            file: a.src.path.clone(),
            snippet: crate::baseline::snippet(text, first.start().into()),
        }));
        if opts.keep_sources {
            out.sources
                .entry(a.src.display.clone())
                .or_insert_with(|| text.clone());
        }
    }
}
