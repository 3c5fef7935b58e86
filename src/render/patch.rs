//! Unified diffs of the changes: the patch `git apply` accepts, and the
//! diff shown to people (coloured on a terminal).

use std::fmt::Write as _;

use anstyle::{AnsiColor, Effects, Style};
use similar::{ChangeTag, TextDiff};

use crate::model::FileChange;

/// A unified diff with `a/` and `b/` headers.
pub fn diff(change: &FileChange) -> String {
    let path = patch_path(change);
    TextDiff::from_lines(&change.old, &change.new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
}

/// The path a diff header names: relative to the current directory, so
/// that `git apply` run there applies the patch (through `..` for a file
/// outside it, which `git apply` takes with `--unsafe-paths`: see
/// `outside_note`).
fn patch_path(change: &FileChange) -> String {
    let path = &change.path;
    match std::env::current_dir() {
        Ok(cwd) if path.is_absolute() => crate::paths::relative_to(path, &cwd)
            .to_string_lossy()
            .replace('\\', "/"),
        _ => change.display.clone(),
    }
}

/// A word for a patch that names files outside the current directory:
/// `git apply` refuses `..` unless told `--unsafe-paths`.
pub fn outside_note(changes: &[FileChange]) -> Option<String> {
    let outside: Vec<String> = changes
        .iter()
        .map(patch_path)
        .filter(|p| p.starts_with("../"))
        .collect();
    let first = outside.first()?;
    let more = match outside.len() {
        1 => String::new(),
        n => format!(" and {} more", n - 1),
    };
    Some(format!(
        "the patch names files outside this directory ({first}{more}): apply it here with `git apply --unsafe-paths`"
    ))
}

/// The diff as a person sees it: colored, or plain.
pub fn shown_diff(change: &FileChange, color: bool) -> String {
    match color {
        true => colored_diff(change),
        false => diff(change),
    }
}

/// The same diff for a terminal: removed lines red, added green, and the
/// words that changed within a line emphasised.
fn colored_diff(change: &FileChange) -> String {
    let red = Style::new().fg_color(Some(AnsiColor::Red.into()));
    let green = Style::new().fg_color(Some(AnsiColor::Green.into()));
    let bold = Style::new().effects(Effects::BOLD);
    let cyan = Style::new().fg_color(Some(AnsiColor::Cyan.into()));
    let paint = |s: &mut String, style: Style, text: &str| {
        let _ = write!(s, "{style}{text}{style:#}");
    };
    let diff = TextDiff::from_lines(&change.old, &change.new);
    let mut s = String::new();
    let path = patch_path(change);
    paint(&mut s, bold, &format!("--- a/{path}"));
    paint(&mut s, bold, &format!("\n+++ b/{path}"));
    s.push('\n');
    for hunk in diff.unified_diff().context_radius(3).iter_hunks() {
        paint(&mut s, cyan, &hunk.header().to_string());
        s.push('\n');
        for op in hunk.ops() {
            for change in diff.iter_inline_changes(op) {
                let (sign, style) = match change.tag() {
                    ChangeTag::Delete => ("-", red),
                    ChangeTag::Insert => ("+", green),
                    ChangeTag::Equal => (" ", Style::new()),
                };
                paint(&mut s, style, sign);
                for (emphasized, text) in change.iter_strings_lossy() {
                    let text = text.trim_end_matches(['\n', '\r']);
                    match emphasized {
                        true => paint(
                            &mut s,
                            style.effects(Effects::BOLD | Effects::UNDERLINE),
                            text,
                        ),
                        false => paint(&mut s, style, text),
                    }
                }
                s.push('\n');
                if change.missing_newline() {
                    s.push_str("\\ No newline at end of file\n");
                }
            }
        }
    }
    s
}
