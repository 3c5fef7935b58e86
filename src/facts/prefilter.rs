//! Byte-level tests that decide, before parsing, whether a file can matter.

use super::*;

/// Could this text declare or name a lock type? Files without either word
/// cannot hold a lock declaration (type aliases are found by name later).
pub fn may_declare_lock(text: &str) -> bool {
    text.contains("Mutex") || text.contains("RwLock")
}

/// How a file mentions a set of declaration names.
#[derive(Default)]
pub(super) struct Mentions {
    /// A capitalised name (static, alias) or a struct literal field
    /// (`name: value`): reached on its own.
    direct: bool,
    /// Distinct names used as a field (`.name`) or a call (`name(`).
    used: usize,
}

pub(super) fn mentions(text: &str, names: &HashSet<String>) -> Mentions {
    if !names.iter().any(|n| text.contains(n.as_str())) {
        return Mentions::default();
    }
    let bytes = text.as_bytes();
    let is_ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut out = Mentions::default();
    let mut first_used: Option<&str> = None;
    let mut i = 0;
    while i < bytes.len() {
        if !is_ident(bytes[i]) || (i > 0 && is_ident(bytes[i - 1])) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && is_ident(bytes[i]) {
            i += 1;
        }
        let word = &text[start..i];
        if !names.contains(word) {
            continue;
        }
        let rest = text[i..].trim_start().as_bytes();
        if word.starts_with(|c: char| c.is_ascii_uppercase())
            || (rest.first() == Some(&b':') && !rest.starts_with(b"::"))
        {
            out.direct = true;
            return out;
        }
        let prev = text[..start].trim_end().bytes().last();
        if prev == Some(b'.') || rest.first() == Some(&b'(') || rest.starts_with(b"::<") {
            match first_used {
                Some(other) if other != word => {
                    out.used = 2;
                    return out;
                }
                Some(_) => {}
                None => {
                    first_used = Some(word);
                    out.used = 1;
                }
            }
        }
    }
    out
}

/// Could this file lock one of the declarations in async code? That needs
/// `async` in the file itself, a use of a declaration's name, and a lock
/// call. (A lock handed to an unknown macro only blocks a migration; files
/// with those are found by `needs_analysis` for the locks that would migrate.)
pub fn may_lock_in_async(text: &str, names: &HashSet<String>) -> bool {
    may_hold_async_lock_site(text) && {
        let m = mentions(text, names);
        m.direct || m.used > 0
    }
}

/// Must a file that names no lock type be analysed for these declarations?
/// Only code that mentions a declaration can hold its sites or flows: a lock
/// call on it (`.inner.lock()`), a flow between two declarations
/// (`helper(&self.inner)`), a struct literal field (`inner: value`), a use of
/// a static or alias, or a macro it is handed to.
pub fn needs_analysis(text: &str, names: &HashSet<String>) -> bool {
    let m = mentions(text, names);
    m.direct || m.used >= 2 || (m.used == 1 && (has_lock_call(text) || has_unknown_macro(text)))
}

/// Does `text` hold `word` as a whole identifier?
pub fn names_word(text: &str, word: &str) -> bool {
    let is_ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    text.match_indices(word).any(|(i, _)| {
        !text[..i].ends_with(is_ident) && !text[i + word.len()..].starts_with(is_ident)
    })
}

/// Does `text` call `word`: the whole identifier followed by `(` or `::<`
/// (`run(..)`, `x.run(..)`, `run::<T>(..)`)?
pub fn calls_word(text: &str, word: &str) -> bool {
    let is_ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    text.match_indices(word).any(|(i, _)| {
        let rest = text[i + word.len()..].trim_start();
        !text[..i].ends_with(is_ident) && (rest.starts_with('(') || rest.starts_with("::<"))
    })
}

/// Could this file hold a lock site in async code (for any lock)? The
/// benchmark's parse-only baseline uses this with `may_declare_lock` as "the
/// files that can contain a finding".
pub fn may_hold_async_lock_site(text: &str) -> bool {
    text.contains("async") && has_lock_call(text)
}

pub(super) fn has_lock_call(text: &str) -> bool {
    text.match_indices('.').any(|(i, _)| {
        let rest = &text[i + 1..];
        // Lock methods take no arguments: `.read(buf)` is I/O, not a lock.
        LOCK_METHODS.iter().any(|m| {
            rest.starts_with(m)
                && rest[m.len()..]
                    .trim_start()
                    .strip_prefix('(')
                    .is_some_and(|r| r.trim_start().starts_with(')'))
        })
    })
}

/// A macro invocation (`name!(..)`) other than the expression macros the
/// tool parses.
pub(super) fn has_unknown_macro(text: &str) -> bool {
    text.match_indices('!').any(|(i, _)| {
        let name_start = text[..i]
            .rfind(|c: char| !(c.is_alphanumeric() || c == '_'))
            .map_or(0, |p| p + 1);
        let name = &text[name_start..i];
        !name.is_empty()
            && !EXPR_MACROS.contains(&name)
            && name != "macro_rules"
            && text[i + 1..].trim_start().starts_with(['(', '[', '{'])
    })
}

/// Imports whose uses are counted, so that one a rewrite leaves unused is
/// removed: lock types and what blocking-call fixes replace.
pub fn tracked_import(path: &str) -> bool {
    [
        "std::sync::",
        "parking_lot::",
        "std::thread",
        "std::fs",
        "std::process",
    ]
    .iter()
    .any(|p| path.starts_with(p))
}
