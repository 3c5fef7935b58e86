//! `--format github`: GitHub Actions workflow commands, one per finding, so
//! that a pull request is annotated where the findings are.

use std::fmt::Write as _;

use super::capped;
use crate::outcome::Outcome;
use crate::rules::Severity;

/// `--format github`: one workflow command per finding, so GitHub Actions
/// annotates the pull request.
/// Files are named relative to the repository's root, as GitHub wants them:
/// `GITHUB_WORKSPACE` (the checkout), else the git work tree, from any
/// directory the run started in.
pub fn github(outcome: &Outcome) -> String {
    let root = std::env::var_os("GITHUB_WORKSPACE")
        .and_then(|w| std::path::PathBuf::from(w).canonicalize().ok())
        .unwrap_or_else(super::work_tree_root);
    let file = |shown: &str| super::under_root(shown, &root).unwrap_or_else(|abs| abs);
    // Property values escape `%`, CR, LF, `:` and `,`; messages `%`, CR, LF.
    let data = |s: &str| {
        s.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
    };
    let prop = |s: &str| data(s).replace(':', "%3A").replace(',', "%2C");
    let mut out = String::new();
    for d in &outcome.diagnostics {
        let kind = match d.severity {
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
            prop(&file(&d.span.path)),
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
