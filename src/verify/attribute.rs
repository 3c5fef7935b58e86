//! Each new compiler error traced to the fix that caused it (the places it
//! points at, mapped back to the text as read), and what to do about it:
//! extend the fix to a declaration the analysis missed, complete it at a
//! place it missed, or withdraw it.

use std::path::{Path, PathBuf};

use cargo_metadata::diagnostic::DiagnosticSpan;
use ra_ap_syntax::{TextRange, TextSize};

use super::check::{Checkout, CompileError};
use super::completion;
use crate::edits::edit::line_col;
use crate::locks::{CrateView, Fix, Loc};
use crate::model::FileChange;
use crate::outcome::Verification;
use crate::settings::{Completion, Referee};

/// A compiler span in a file of the crate, in the unchanged text.
#[derive(Clone, Debug)]
pub(super) struct Pointed {
    file: usize,
    range: TextRange,
    primary: bool,
    /// Inside a macro's definition: never edited.
    in_macro: bool,
    /// The span's text, and the field it initializes (`hits: <span>`).
    words: Vec<String>,
    /// The names on its lines.
    line_words: Vec<String>,
}

/// Works out from this round's errors which fixes to extend or withdraw,
/// into `referee`. False when nothing more can be done.
pub(super) fn correct(
    errors: &[CompileError],
    view: &CrateView,
    changes: &[FileChange],
    checkout: &Checkout,
    referee: &mut Referee,
    v: &mut Verification,
) -> bool {
    let size = |r: &Referee| r.joined.len() + r.completed.len() + r.withdrawn.len();
    let before = size(referee);
    let mut joins: Vec<(Loc, Loc, String)> = Vec::new();
    let mut completions: Vec<(Completion, String)> = Vec::new();
    let mut withdrawals: Vec<(usize, String)> = Vec::new();
    for e in errors {
        let pointed = pointed(e, view, changes, checkout);
        let culprits = culprits(e, &pointed, view);
        let reason = reason(e, &pointed, view);
        if let Some((decl, member, display)) = extension(e, &pointed, view, &culprits, referee) {
            let display = format!("{display} ({})", cite(e, &pointed, view));
            joins.push((decl, member, display))
        } else if let Some(c) = complete(e, &pointed, view, &culprits, referee) {
            completions.push(c);
        } else {
            withdrawals.extend(culprits.into_iter().map(|f| (f, reason.clone())));
        }
    }
    // A fix extended or completed this round is judged again after that.
    let extended: Vec<&Loc> = (joins.iter().map(|(_, m, _)| m))
        .chain(completions.iter().map(|(c, _)| &c.lock))
        .collect();
    withdrawals.retain(|(f, _)| !view.fixes[*f].members.iter().any(|m| extended.contains(&m)));
    withdrawals.sort_by_key(|(f, _)| *f);
    withdrawals.dedup_by_key(|(f, _)| *f);
    let name_of = |member: &Loc| {
        let fix = view.fixes.iter().find(|f| f.members.contains(member));
        fix.map_or(String::new(), |f| f.name.clone())
    };
    for (decl, member, display) in joins {
        v.extended.push(format!("{} → {display}", name_of(&member)));
        referee.joined.push((decl, member));
    }
    for (c, display) in completions {
        if !referee.completed.iter().any(|d| d.change == c.change) {
            v.extended.push(format!("{} → {display}", name_of(&c.lock)));
            referee.completed.push(c);
        }
    }
    for (f, reason) in withdrawals {
        let fix = &view.fixes[f];
        let reason = match fix.lock {
            true => reason,
            false => reason.replace("rejects its migration", "rejects this fix"),
        };
        v.withdrawn.push(format!("{}: {reason}", fix.name));
        referee.withdrawn.push((fix.at.clone(), reason));
    }
    // Something new to try, or nothing more to do.
    size(referee) > before
}

/// The reason a withdrawn fix is reported with: the compiler's error, at
/// its place in the unchanged file.
pub(super) fn reason(e: &CompileError, pointed: &[Pointed], view: &CrateView) -> String {
    format!(
        "the compiler rejects its migration: {}: {}",
        cite(e, pointed, view),
        e.message
    )
}

/// The error's code and place in the unchanged file: `error[E0308] at
/// src/main.rs:24:10`.
pub(super) fn cite(e: &CompileError, pointed: &[Pointed], view: &CrateView) -> String {
    let code = e
        .code
        .as_deref()
        .map(|c| format!("[{c}]"))
        .unwrap_or_default();
    let at = pointed.iter().find(|p| p.primary).or(pointed.first());
    let place = match at {
        Some(p) => {
            let file = &view.files[p.file];
            let (line, col) = line_col(&file.text, p.range.start().into());
            format!(" at {}:{line}:{col}", file.display)
        }
        None => String::new(),
    };
    format!("error{code}{place}")
}

/// The spans of `e` in files of the crate, mapped to the unchanged text.
pub(super) fn pointed(
    e: &CompileError,
    view: &CrateView,
    changes: &[FileChange],
    checkout: &Checkout,
) -> Vec<Pointed> {
    let mut out = Vec::new();
    for s in &e.spans {
        let mut span = Some((s, false, s.is_primary));
        while let Some((s, in_macro, primary)) = span {
            if let Some(p) = map_span(s, in_macro, primary, view, changes, checkout) {
                out.push(p);
            }
            // The macro's invocation, in the code that calls it.
            span = s.expansion.as_deref().map(|x| (&x.span, false, primary));
            if let Some(p) = out.last_mut().filter(|_| span.is_some()) {
                p.in_macro = true;
            }
        }
    }
    out
}

pub(super) fn map_span(
    s: &DiagnosticSpan,
    in_macro: bool,
    primary: bool,
    view: &CrateView,
    changes: &[FileChange],
    checkout: &Checkout,
) -> Option<Pointed> {
    let path = resolve_file(&s.file_name, view, checkout)?;
    let file = view.files.iter().position(|f| same_file(&f.path, &path))?;
    let old = &view.files[file].text;
    let changed = changes.iter().find(|c| same_file(&c.path, &path));
    let new = changed.map_or(old.as_str(), |c| c.new.trim_start_matches('\u{feff}'));
    let start = offset(new, s.line_start, s.column_start)?;
    let end = offset(new, s.line_end, s.column_end)?.max(start);
    let range = to_old(old, new, start, end);
    let mut words = idents(&new[start..end]);
    // `field: <span>`: the field it initializes.
    let before = new[..start].trim_end();
    if let Some(rest) = before.strip_suffix(':').filter(|r| !r.ends_with(':')) {
        words.extend(idents(rest).pop());
    }
    let line_start = old[..usize::from(range.start())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let line_end = old[usize::from(range.end())..]
        .find('\n')
        .map_or(old.len(), |i| usize::from(range.end()) + i);
    Some(Pointed {
        file,
        range,
        primary,
        in_macro,
        words,
        line_words: idents(&old[line_start..line_end]),
    })
}

/// The file cargo names `name` (relative to the workspace root it ran in).
pub(super) fn resolve_file(name: &str, view: &CrateView, checkout: &Checkout) -> Option<PathBuf> {
    let name = Path::new(name);
    if name.is_absolute() {
        return Some(checkout.original(name));
    }
    let first = view.files.first()?;
    let start = checkout.path(&first.path);
    start
        .ancestors()
        .map(|a| a.join(name))
        .find(|p| p.is_file())
        .map(|p| checkout.original(&p))
}

pub(super) fn same_file(a: &Path, b: &Path) -> bool {
    let canon = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    a == b || canon(a) == canon(b)
}

/// The byte offset of a 1-based line and column (in characters).
pub(super) fn offset(text: &str, line: usize, col: usize) -> Option<usize> {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.checked_sub(1)?)
        .map(str::len)
        .sum();
    let rest = text.get(start..)?;
    let in_line: usize = rest
        .chars()
        .take(col.saturating_sub(1))
        .map(char::len_utf8)
        .sum();
    Some(start + in_line)
}

/// The range of the unchanged text that `start..end` of `new` comes from:
/// unchanged lines map one to one; within a line replaced by one line,
/// unchanged characters map one to one, and changed ones to what they
/// replace; other changed lines map to the lines they replace.
pub(super) fn to_old(old: &str, new: &str, start: usize, end: usize) -> TextRange {
    let lines = similar::TextDiff::from_lines(old, new);
    let a = map_offset(&lines, start, false, true);
    let b = map_offset(&lines, end, true, true).max(a);
    let size = |x: usize| TextSize::from(x.min(old.len()) as u32);
    TextRange::new(size(a), size(b))
}

/// Where byte `at` of the new text of `diff` comes from in its old text
/// (the start of a changed part, or with `end_side` its end). `by_line`:
/// a line replaced by one line is mapped character by character.
pub(super) fn map_offset(
    diff: &similar::TextDiff<str>,
    at: usize,
    end_side: bool,
    by_line: bool,
) -> usize {
    let (old, new) = (diff.old_slices(), diff.new_slices());
    let sum = |parts: &[&str], n: usize| -> usize { parts[..n].iter().map(|l| l.len()).sum() };
    for op in diff.ops() {
        let (o, n) = (op.old_range(), op.new_range());
        let (n_start, n_end) = (sum(new, n.start), sum(new, n.end));
        let inside = (n_start..n_end).contains(&at) || (end_side && at == n_end);
        if !inside {
            continue;
        }
        let o_start = sum(old, o.start);
        return match op.tag() {
            similar::DiffTag::Equal => o_start + (at - n_start),
            _ if by_line && o.len() == 1 && n.len() == 1 => {
                let chars = similar::TextDiff::from_chars(old[o.start], new[n.start]);
                o_start + map_offset(&chars, at - n_start, end_side, false)
            }
            _ if end_side => sum(old, o.end),
            _ => o_start,
        };
    }
    sum(old, old.len())
}

pub(super) fn idents(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| {
            w.chars()
                .next()
                .is_some_and(|c| c.is_alphabetic() || c == '_')
        })
        .map(str::to_string)
        .collect()
}

/// Names a lock type or guard: the error is about a lock migration.
pub(super) fn names_lock(text: &str) -> bool {
    [
        "Mutex",
        "RwLock",
        "MutexGuard",
        "RwLockReadGuard",
        "RwLockWriteGuard",
    ]
    .iter()
    .any(|t| text.contains(t))
}

/// The fixes an error is traced to: those whose places it points at, else
/// those whose lock its primary span names, else the nearest fix of its
/// kind in its file, else every fix.
pub(super) fn culprits(e: &CompileError, pointed: &[Pointed], view: &CrateView) -> Vec<usize> {
    // An insertion (an empty span: `.await` appended) touches what it
    // follows or is inside of.
    let overlap = |l: TextRange, p: TextRange| match (p.is_empty(), l.is_empty()) {
        (true, true) => l.start() == p.start(),
        (true, false) => l.start() < p.start() && p.start() <= l.end(),
        (false, _) => l.intersect(p).is_some_and(|r| !r.is_empty()) || p.contains_range(l),
    };
    let touches = |f: &Fix, p: &Pointed| {
        (f.places.iter()).any(|l| l.file == p.file && overlap(l.range, p.range))
    };
    let all: Vec<usize> = (0..view.fixes.len()).collect();
    let by_place: Vec<usize> = all
        .iter()
        .copied()
        .filter(|&f| pointed.iter().any(|p| touches(&view.fixes[f], p)))
        .collect();
    if !by_place.is_empty() {
        return by_place;
    }
    let named = |f: &Fix, p: &Pointed| f.reach_names.iter().any(|n| p.words.contains(n));
    let by_name: Vec<usize> = all
        .iter()
        .copied()
        .filter(|&f| {
            pointed
                .iter()
                .any(|p| p.primary && named(&view.fixes[f], p))
        })
        .collect();
    if !by_name.is_empty() {
        return by_name;
    }
    let on_line = |f: &Fix, p: &Pointed| f.reach_names.iter().any(|n| p.line_words.contains(n));
    let by_line: Vec<usize> = all
        .iter()
        .copied()
        .filter(|&f| {
            pointed
                .iter()
                .any(|p| p.primary && on_line(&view.fixes[f], p))
        })
        .collect();
    if by_line.len() == 1 {
        return by_line;
    }
    let lock = names_lock(&e.text);
    let Some(p) = pointed.iter().find(|p| p.primary).or(pointed.first()) else {
        return all;
    };
    let distance = |l: &Loc| {
        let (a, b) = (u32::from(l.range.start()), u32::from(p.range.start()));
        a.abs_diff(b)
    };
    let nearest = all
        .iter()
        .copied()
        .filter(|&f| view.fixes[f].lock == lock)
        .filter_map(|f| {
            let places = view.fixes[f].places.iter().filter(|l| l.file == p.file);
            places.map(distance).min().map(|d| (d, f))
        })
        .min();
    match nearest {
        Some((_, f)) => vec![f],
        None => all,
    }
}

/// A declaration of the same lock that the analysis missed, which the error
/// shows (a std parameter or field that receives a migrated lock, or the
/// reverse): joined to the culprit's group, once. Returns (declaration,
/// member of the group, how the declaration is shown).
pub(super) fn extension(
    e: &CompileError,
    pointed: &[Pointed],
    view: &CrateView,
    culprits: &[usize],
    referee: &Referee,
) -> Option<(Loc, Loc, String)> {
    let [culprit] = culprits else { return None };
    let fix = &view.fixes[*culprit];
    if !(fix.lock && e.text.contains("tokio::sync::") && e.text.contains("std::sync::")) {
        return None;
    }
    let grouped = |l: &Loc| view.fixes.iter().any(|f| f.members.contains(l));
    let mut found: Vec<(Loc, String)> = Vec::new();
    for p in pointed.iter().filter(|p| !p.in_macro) {
        for d in &view.files[p.file].decls {
            let at = Loc {
                file: p.file,
                range: d.range,
            };
            let inside = p.range.contains_range(d.range);
            let named = p.primary && d.reach_name.as_ref().is_some_and(|n| p.words.contains(n));
            if (inside || named) && !grouped(&at) && !found.iter().any(|(l, _)| l == &at) {
                found.push((at, d.display.clone()));
            }
        }
    }
    let [(decl, display)] = &found[..] else {
        return None;
    };
    let member = fix.members.first()?.clone();
    let again = referee.joined.iter().any(|(d, _)| d == decl);
    (!again).then(|| (decl.clone(), member, display.clone()))
}

/// A place the culprit's migration missed, where the error is one of the
/// shapes `completion` reads: the change it needs, and how it is shown,
/// with the error. Each is made once: an error that stays withdraws.
pub(super) fn complete(
    e: &CompileError,
    pointed: &[Pointed],
    view: &CrateView,
    culprits: &[usize],
    referee: &Referee,
) -> Option<(Completion, String)> {
    let [culprit] = culprits else { return None };
    let fix = &view.fixes[*culprit];
    let ask = completion::ask(e.code.as_deref(), &e.message, &e.text)?;
    let p = pointed.iter().find(|p| p.primary)?;
    if !fix.lock || p.in_macro {
        return None;
    }
    let (change, shown) = completion::locate(&ask, &view.files[p.file].text, p.file, p.range)?;
    if referee.completed.iter().any(|c| c.change == change) {
        return None;
    }
    let cite = cite(e, pointed, view);
    let shown = format!("{shown} ({cite})");
    let lock = fix.members.first()?.clone();
    Some((Completion { lock, change, cite }, shown))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_count_lines_and_characters() {
        assert_eq!(offset("ab\ncé d", 2, 4), Some(7));
        assert_eq!(offset("ab\ncd", 1, 1), Some(0));
    }

    #[test]
    fn changed_lines_map_to_the_lines_they_replace() {
        let old = "a\nlet x = m.lock().unwrap();\nb\n";
        let new = "a\nlet x = m.lock().await;\nb\n";
        let at = new.find('b').unwrap();
        assert_eq!(
            to_old(old, new, at, at + 1),
            TextRange::new(29.into(), 30.into())
        );
        let r = to_old(old, new, 10, 12);
        assert_eq!(&old[r], "m.");
        // `.await` comes from the part of the line that was replaced.
        let at = new.find(".await").unwrap();
        assert_eq!(&old[to_old(old, new, at, at + 6)], ".unwrap()");
        let (a, b) = ("a\nx\ny\n", "a\nz\n");
        assert_eq!(&a[to_old(a, b, 2, 3)], "x\ny\n");
    }

    #[test]
    fn a_field_initializer_names_its_field() {
        assert_eq!(idents("&state.hits"), ["state", "hits"]);
        assert_eq!(
            idents("std::sync::Mutex::new($n)"),
            ["std", "sync", "Mutex", "new", "n"]
        );
    }
}
