//! The error shapes the referee completes a migration from, rather than
//! withdraw it: a lock site the analysis missed, whose `.unwrap()` now meets
//! a future (E0599); a `&guard` where a `&T` is expected (E0308); a std
//! constructor handed to a migrated parameter (E0308). Each is read from an
//! error's messages, then found in the unchanged text; anything else is no
//! completion.

use ra_ap_syntax::ast::HasArgList;
use ra_ap_syntax::{ast, AstNode, Edition, SyntaxNode, TextRange};

use crate::settings::{CompletionChange, Loc};

/// What an error asks of a migration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Ask {
    /// E0599 `no method named `called` found for opaque type `impl
    /// Future<Output = MutexGuard<..>>``: the lock site `x.method()` under
    /// it now returns a future of the guard.
    Await {
        method: &'static str,
        called: String,
    },
    /// E0308 expected `&T`, found `&MutexGuard<..>`: the reference to a
    /// guard must be one to what it holds.
    Reborrow,
    /// E0308 expected tokio's `lock` ("Mutex", "RwLock"), found std's: a
    /// constructor to make tokio's.
    Constructor { lock: &'static str },
}

const GUARDS: [(&str, &str); 3] = [
    ("MutexGuard<", "lock"),
    ("RwLockReadGuard<", "read"),
    ("RwLockWriteGuard<", "write"),
];

/// The lock method whose guard type `ty` starts with (tokio's, or unqualified).
fn guard_method(ty: &str) -> Option<&'static str> {
    let ty = ty.strip_prefix("tokio::sync::").unwrap_or(ty);
    GUARDS
        .iter()
        .find(|(guard, _)| ty.starts_with(guard))
        .map(|(_, method)| *method)
}

/// What an error (its code, message, and the messages and labels of it and
/// its notes) asks of a migration, if it is a shape the referee completes.
pub(super) fn ask(code: Option<&str>, message: &str, text: &str) -> Option<Ask> {
    match code? {
        "E0599" => {
            let rest = message.strip_prefix("no method named `")?;
            let (called, rest) = rest.split_once('`')?;
            let output = rest.strip_prefix(" found for opaque type `impl Future<Output = ")?;
            let method = guard_method(output)?;
            Some(Ask::Await {
                method,
                called: called.to_string(),
            })
        }
        "E0308" => {
            if let Some((expected, found)) = expected_found(text) {
                let (e, f) = (referent(expected), referent(found));
                let same_ref = e.is_some_and(|(m, _)| Some(m) == f.map(|(m, _)| m));
                let found_guard = f.is_some_and(|(_, t)| guard_method(t).is_some());
                let expected_guard = e.is_some_and(|(_, t)| t.contains("Guard<"));
                if same_ref && found_guard && !expected_guard {
                    return Some(Ask::Reborrow);
                }
            }
            ["Mutex", "RwLock"]
                .into_iter()
                .find(|lock| std_for_tokio(text, lock))
                .map(|lock| Ask::Constructor { lock })
        }
        _ => None,
    }
}

/// `&T` or `&mut T`: whether it is `mut`, and `T`.
fn referent(ty: &str) -> Option<(bool, &str)> {
    let mut rest = ty.strip_prefix('&')?;
    if rest.starts_with('\'') {
        rest = rest.split_once(' ')?.1;
    }
    match rest.strip_prefix("mut ") {
        Some(t) => Some((true, t)),
        None => Some((false, rest)),
    }
}

/// The first "expected `A`, found `B`" of the error's labels.
fn expected_found(text: &str) -> Option<(&str, &str)> {
    let (_, rest) = text.split_once("expected `")?;
    let (expected, rest) = rest.split_once("`, found `")?;
    let (found, _) = rest.split_once('`')?;
    Some((expected, found))
}

/// Does the error show std's `lock` where tokio's is expected? rustc's
/// note "`A` and `B` have similar names" names the found type first; its
/// label may name them with their paths.
fn std_for_tokio(text: &str, lock: &str) -> bool {
    let (std, tokio) = (
        format!("std::sync::{lock}<"),
        format!("tokio::sync::{lock}<"),
    );
    let similar = text.lines().find_map(|l| {
        let (names, _) = l.split_once(" have similar names")?;
        let (found, expected) = names.split_once("` and `")?;
        Some((
            found.trim_start_matches('`'),
            expected.trim_end_matches('`'),
        ))
    });
    let found_expected = similar.or_else(|| expected_found(text).map(|(e, f)| (f, e)));
    found_expected.is_some_and(|(found, expected)| {
        found.contains(&std) && !found.contains(&tokio) && expected.contains(&tokio)
    })
}

/// The change `ask` makes at `range` (where the compiler points) of `text`,
/// the unchanged text of file `file`, and how the changed code is shown.
pub(super) fn locate(
    ask: &Ask,
    text: &str,
    file: usize,
    range: TextRange,
) -> Option<(CompletionChange, String)> {
    let node = node_at(text, range)?;
    let loc = |range| Loc { file, range };
    match ask {
        Ask::Await { method, called } => {
            let call = node.ancestors().find_map(ast::MethodCallExpr::cast)?;
            let name = call.name_ref()?;
            if name.syntax().text_range() != range || name.text() != called.as_str() {
                return None;
            }
            let ast::Expr::MethodCallExpr(site) = call.receiver()? else {
                return None;
            };
            let site_name = site.name_ref()?;
            let no_args = site.arg_list().is_some_and(|a| a.args().next().is_none());
            if site_name.text() != *method || !no_args {
                return None;
            }
            let shown = format!("the lock site `{}`", one_line(site.syntax()));
            Some((
                CompletionChange::Site(loc(site_name.syntax().text_range())),
                shown,
            ))
        }
        Ask::Reborrow => {
            let r = node.ancestors().find_map(ast::RefExpr::cast)?;
            let inner = r.expr()?;
            let place = matches!(inner, ast::Expr::PathExpr(_) | ast::Expr::FieldExpr(_));
            if r.syntax().text_range() != range || !place || r.raw_token().is_some() {
                return None;
            }
            let at = TextRange::empty(inner.syntax().text_range().start());
            let change = CompletionChange::Edit {
                at: loc(at),
                text: "*".into(),
            };
            Some((change, format!("`{}`", one_line(r.syntax()))))
        }
        Ask::Constructor { lock } => {
            let mut found = node
                .descendants()
                .filter(|n| range.contains_range(n.text_range()))
                .filter_map(ast::CallExpr::cast)
                .filter_map(|c| std_constructor(&c, lock));
            let (qualifier, shown) = found.next()?;
            if found.next().is_some() {
                return None;
            }
            let change = CompletionChange::Edit {
                at: loc(qualifier),
                text: format!("tokio::sync::{lock}"),
            };
            Some((change, format!("the constructor `{shown}::new(..)`")))
        }
    }
}

/// `Q::new(..)` with `Q` a lock type other than tokio's (`Mutex`,
/// `std::sync::RwLock`, `StdMutex`): the range of `Q` without its generic
/// arguments, and its text.
fn std_constructor(call: &ast::CallExpr, lock: &str) -> Option<(TextRange, String)> {
    let ast::Expr::PathExpr(callee) = call.expr()? else {
        return None;
    };
    let path = callee.path()?;
    let new = path.segment()?.name_ref()?;
    let qualifier = path.qualifier()?;
    let last = qualifier.segment()?.name_ref()?;
    let text = qualifier.syntax().text().to_string();
    if new.text() != "new" || !last.text().ends_with(lock) || text.starts_with("tokio") {
        return None;
    }
    let range = TextRange::new(
        qualifier.syntax().text_range().start(),
        last.syntax().text_range().end(),
    );
    Some((range, text))
}

/// The smallest node of `text` that covers `range`. In a macro's tokens
/// (`println!("{}", x.lock().unwrap())`) it is found in the macro's
/// arguments parsed as a call's, at the same offsets: the text before them
/// is blanked but for a wrapper fn.
fn node_at(text: &str, range: TextRange) -> Option<SyntaxNode> {
    const PREFIX: &str = "fn _f(){_f(";
    let mut source = text.to_string();
    // Macros in macros, a few deep.
    for _ in 0..4 {
        let tree = crate::parse::parse(&source, Edition::Edition2021).tree;
        if !tree.syntax().text_range().contains_range(range) {
            return None;
        }
        let node = match tree.syntax().covering_element(range) {
            ra_ap_syntax::NodeOrToken::Node(n) => n,
            ra_ap_syntax::NodeOrToken::Token(t) => t.parent()?,
        };
        let tokens = node.ancestors().filter_map(ast::TokenTree::cast).last();
        let Some(tokens) = tokens else {
            return Some(node);
        };
        let whole = tokens.syntax().text_range();
        let start = usize::from(whole.start()) + 1;
        let end = usize::from(whole.end()).checked_sub(1)?.max(start);
        let blank = start.checked_sub(PREFIX.len())?;
        source = format!(
            "{}{PREFIX}{}\n); }}",
            " ".repeat(blank),
            &source[start..end]
        );
    }
    None
}

/// A node's text on one line, for a message.
fn one_line(node: &SyntaxNode) -> String {
    let text = node.text().to_string();
    let words: Vec<&str> = text.split_whitespace().collect();
    words.join(" ")
}

#[cfg(test)]
mod tests {
    use ra_ap_syntax::TextSize;

    use super::*;

    const E0599: &str = "no method named `unwrap` found for opaque type `impl Future<Output = tokio::sync::MutexGuard<'_, u32>>` in the current scope";

    #[test]
    fn a_method_on_a_future_of_a_guard_asks_for_an_await() {
        let ask = |message: &str| super::ask(Some("E0599"), message, message);
        assert_eq!(
            ask(E0599),
            Some(Ask::Await {
                method: "lock",
                called: "unwrap".into()
            })
        );
        let push = "no method named `push` found for opaque type `impl Future<Output = RwLockWriteGuard<'_, Vec<u32>>>` in the current scope";
        assert_eq!(
            ask(push),
            Some(Ask::Await {
                method: "write",
                called: "push".into()
            })
        );
        // A future of something else, a method missing on a guard.
        let other = "no method named `unwrap` found for opaque type `impl Future<Output = u32>` in the current scope";
        assert_eq!(ask(other), None);
        let guard =
            "no method named `unwrap` found for struct `MutexGuard<'_, u32>` in the current scope";
        assert_eq!(ask(guard), None);
        assert_eq!(super::ask(Some("E0308"), E0599, E0599), None);
    }

    #[test]
    fn a_guard_where_a_reference_is_expected_asks_for_a_reborrow() {
        let ask = |text: &str| super::ask(Some("E0308"), "mismatched types", text);
        let label = "mismatched types\nexpected `&u32`, found `&MutexGuard<'_, u32>`\n";
        assert_eq!(ask(label), Some(Ask::Reborrow));
        let label = "mismatched types\nexpected `&mut Vec<u8>`, found `&mut tokio::sync::RwLockWriteGuard<'_, Vec<u8>>`\n";
        assert_eq!(ask(label), Some(Ask::Reborrow));
        // `&mut *` cannot come of a shared reference; a guard expected is
        // a declaration to extend, not a reborrow.
        let label = "mismatched types\nexpected `&mut u32`, found `&MutexGuard<'_, u32>`\n";
        assert_eq!(ask(label), None);
        assert_eq!(referent("&'a mut u32"), Some((true, "u32")));
        let label = "mismatched types\nexpected `&std::sync::MutexGuard<'_, u32>`, found `&tokio::sync::MutexGuard<'_, u32>`\n";
        assert_eq!(ask(label), None);
    }

    #[test]
    fn std_s_lock_where_tokio_s_is_expected_asks_for_its_constructor() {
        let ask = |text: &str| super::ask(Some("E0308"), "mismatched types", text);
        let text = "mismatched types\nexpected `Mutex<u32>`, found `Mutex<{integer}>`\narguments to this function are incorrect\n`std::sync::Mutex<{integer}>` and `tokio::sync::Mutex<u32>` have similar names, but are actually distinct types\n";
        assert_eq!(ask(text), Some(Ask::Constructor { lock: "Mutex" }));
        let text = "mismatched types\nexpected `Arc<tokio::sync::RwLock<u32>>`, found `Arc<std::sync::RwLock<u32>>`\n";
        assert_eq!(ask(text), Some(Ask::Constructor { lock: "RwLock" }));
        // The other way round: tokio's where std's is expected.
        let text = "mismatched types\n`tokio::sync::Mutex<u32>` and `std::sync::Mutex<u32>` have similar names, but are actually distinct types\n";
        assert_eq!(ask(text), None);
        assert_eq!(
            ask("mismatched types\nexpected `u32`, found `&str`\n"),
            None
        );
    }

    fn range_of(text: &str, part: &str) -> TextRange {
        let at = text.find(part).unwrap();
        TextRange::at(TextSize::from(at as u32), TextSize::from(part.len() as u32))
    }

    #[test]
    fn an_await_is_found_at_the_lock_site_under_the_method() {
        let text = "async fn f(s: &S) -> u32 { *pass(&s.m).lock().unwrap() }\n";
        let ask = super::ask(Some("E0599"), E0599, E0599).unwrap();
        let (change, shown) = locate(&ask, text, 0, range_of(text, "unwrap")).unwrap();
        let site = CompletionChange::Site(Loc {
            file: 0,
            range: range_of(text, "lock"),
        });
        assert_eq!(
            (change, shown.as_str()),
            (site, "the lock site `pass(&s.m).lock()`")
        );
        // The span must be the method the message names, on a lock call.
        assert_eq!(locate(&ask, text, 0, range_of(text, "pass")), None);
        let text = "async fn f(s: &S) { println!(\"{}\", pass(&s.m).lock().unwrap()); }\n";
        let (change, _) = locate(&ask, text, 0, range_of(text, "unwrap")).unwrap();
        let site = Loc {
            file: 0,
            range: range_of(text, "lock"),
        };
        assert_eq!(change, CompletionChange::Site(site));
        let read = "async fn f(s: &S) -> u32 { *pass(&s.m).read().unwrap() }\n";
        assert_eq!(locate(&ask, read, 0, range_of(read, "unwrap")), None);
    }

    #[test]
    fn a_reborrow_and_a_constructor_are_found_where_the_compiler_points() {
        let text = "fn f() { show(&guard); show(&g()); work(Arc::new(Mutex::new(5))); }\n";
        let (change, shown) = locate(&Ask::Reborrow, text, 0, range_of(text, "&guard")).unwrap();
        let star = TextRange::empty(range_of(text, "guard").start());
        let edit = |at, text: &str| CompletionChange::Edit {
            at: Loc { file: 0, range: at },
            text: text.into(),
        };
        assert_eq!((change, shown.as_str()), (edit(star, "*"), "`&guard`"));
        // A reference to a call's value is no guard held in a place.
        assert_eq!(
            locate(&Ask::Reborrow, text, 0, range_of(text, "&g()")),
            None
        );
        let ask = Ask::Constructor { lock: "Mutex" };
        let at = range_of(text, "Arc::new(Mutex::new(5))");
        let (change, shown) = locate(&ask, text, 0, at).unwrap();
        let path = range_of(text, "Mutex::new").start();
        let path = TextRange::at(path, TextSize::from(5));
        assert_eq!(
            (change, shown.as_str()),
            (
                edit(path, "tokio::sync::Mutex"),
                "the constructor `Mutex::new(..)`"
            )
        );
        // In a macro's arguments, and in a macro in those.
        let text = "fn f() { println!(\"{}\", format!(\"{}\", work(Arc::new(Mutex::new(5))))); }\n";
        let at = range_of(text, "Mutex::new(5)");
        let (change, _) = locate(&ask, text, 0, at).unwrap();
        let path = TextRange::at(at.start(), TextSize::from(5));
        assert_eq!(change, edit(path, "tokio::sync::Mutex"));
        let two = "fn f() { both(Mutex::new(1), std::sync::Mutex::new(2)); }\n";
        let at = range_of(two, "(Mutex::new(1), std::sync::Mutex::new(2))");
        assert_eq!(locate(&ask, two, 0, at), None);
    }
}
