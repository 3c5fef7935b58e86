//! `--format github`: GitHub Actions workflow commands, one per finding, so
//! that a pull request is annotated where the findings are.

use std::fmt::Write as _;

use super::capped;
use crate::driver::Outcome;
use crate::rules::Severity;

/// `--format github`: one workflow command per finding, so GitHub Actions
/// annotates the pull request.
pub fn github(outcome: &Outcome) -> String {
    // Property values escape `%`, CR, LF, `:` and `,`; messages `%`, CR, LF.
    let data = |s: &str| {
        s.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
    };
    let prop = |s: &str| data(s).replace(':', "%3A").replace(',', "%2C");
    let mut out = String::new();
    for d in &outcome.diagnostics {
        let kind = match d.rule.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "notice",
        };
        let mut message = d.message.clone();
        for note in capped(&d.notes) {
            let _ = write!(message, "\nnote: {note}");
        }
        let _ = writeln!(
            out,
            "::{kind} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            prop(&d.span.path),
            d.span.line,
            d.span.col,
            d.span.end_line,
            d.span.end_col,
            prop(&format!("{} ({})", d.rule.code, d.rule.name)),
            data(&message)
        );
    }
    out
}
