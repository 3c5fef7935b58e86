//! Macros: arguments of macros whose grammar is known are parsed as
//! expressions; tokens of others resolve only as code would (see
//! `macro_tokens.rs`).

use super::*;

/// Macros whose arguments are plain expressions.
pub(super) const EXPR_MACROS: &[&str] = &[
    "println",
    "print",
    "eprintln",
    "eprint",
    "format",
    "write",
    "writeln",
    "assert",
    "assert_eq",
    "assert_ne",
    "debug_assert",
    "debug_assert_eq",
    "debug_assert_ne",
    "vec",
    "panic",
    "dbg",
    "format_args",
    "unreachable",
    "todo",
];

/// The fn a macro's arguments are parsed as the arguments of: no call of
/// the user's.
pub(super) const MACRO_WRAPPER: &str = "__m";

/// The `log` and `tracing` macros: format arguments after optional
/// `target:`/`parent:` and `key = ?value` fields (see `log_arguments`).
pub(super) const LOG_MACROS: &[&str] = &["trace", "debug", "info", "warn", "error", "event", "log"];

/// A log macro's arguments as an expression list of the same length: the
/// `target:`/`parent:`/`name:` labels and the `?`/`%` sigils of fields are
/// blanked, so `key = ?value` reads as an assignment and offsets still match.
pub(super) fn log_arguments(tt: &ast::TokenTree) -> String {
    // Top-level elements: tokens, and nested token trees kept whole.
    let elements: Vec<(SyntaxKind, String)> = tt
        .syntax()
        .children_with_tokens()
        .map(|e| (e.kind(), e.to_string()))
        .collect();
    if elements.len() < 2 {
        return String::new();
    }
    let significant: Vec<usize> = (0..elements.len())
        .filter(|&i| !elements[i].0.is_trivia())
        .collect();
    let mut blank = HashSet::new();
    for (k, &i) in significant.iter().enumerate() {
        let prev = k.checked_sub(1).map(|p| elements[significant[p]].0);
        let next = significant.get(k + 1).map(|&n| elements[n].0);
        let (kind, text) = &elements[i];
        let at_start = matches!(
            prev,
            None | Some(
                SyntaxKind::L_PAREN | SyntaxKind::L_CURLY | SyntaxKind::L_BRACK | SyntaxKind::COMMA
            )
        );
        let label = at_start
            && next == Some(SyntaxKind::COLON)
            && matches!(text.as_str(), "target" | "parent" | "name");
        let sigil = matches!(kind, SyntaxKind::QUESTION | SyntaxKind::PERCENT)
            && (at_start || prev == Some(SyntaxKind::EQ));
        if label {
            blank.insert(i);
            blank.insert(significant[k + 1]);
        } else if sigil {
            blank.insert(i);
        }
    }
    let inner = &elements[1..elements.len() - 1];
    inner
        .iter()
        .enumerate()
        .map(|(i, (_, text))| {
            if blank.contains(&(i + 1)) {
                " ".repeat(text.len())
            } else {
                text.clone()
            }
        })
        .collect()
}

/// A macro call in item position (a file's or module's item, or one made by
/// another macro), whose tokens are items if anything.
pub(super) fn at_item_level(mac: &ast::MacroCall) -> bool {
    mac.syntax().parent().is_some_and(|p| {
        matches!(
            p.kind(),
            SyntaxKind::SOURCE_FILE | SyntaxKind::ITEM_LIST | SyntaxKind::MACRO_ITEMS
        )
    })
}

/// How the tool reads a macro's arguments as code.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Grammar {
    /// Expressions separated by commas (`println!`).
    Exprs,
    /// `join!`'s and `try_join!`'s: expressions after an optional `biased;`.
    Join,
    /// `vec![..]`: an array's elements, or `elem; n`.
    Array,
    /// `log`/`tracing` arguments (see `log_arguments`).
    Log,
    /// `select!` branches (see `select::branch_texts`).
    Select,
    /// `matches!(expr, pattern [if guard])`: the expression (see
    /// `matched_expression`).
    Matches,
}

/// `matches!`'s first argument, with the pattern after it blanked so that
/// offsets still match; none where the pattern or its guard could hold a
/// lock call (it is not read as code).
fn matched_expression(tt: &ast::TokenTree) -> Option<String> {
    let text = tt.syntax().text().to_string();
    let start = tt.syntax().text_range().start();
    let comma = tt
        .syntax()
        .children_with_tokens()
        .find(|e| e.kind() == SyntaxKind::COMMA)?;
    let at = usize::from(comma.text_range().start() - start);
    let (expr, rest) = (&text[1..at], &text[at..text.len() - 1]);
    if has_lock_call(rest) {
        return None;
    }
    Some(format!("{expr}{}", " ".repeat(rest.len())))
}

/// A wrapper that makes a text of expressions a fn: a call's arguments.
/// The wrapper a macro's expression arguments are parsed in: a call of
/// `MACRO_WRAPPER`.
const CALL_WRAPPER: (&str, &str) = ("fn __awaitify() { __m(", "\n); }");

impl Extractor<'_> {
    /// A macro call: visited as code where its grammar is known, else its
    /// tokens are resolved as the imports and places handed to it. `anchor`
    /// and `shift` are those of the code the call is in: a macro call
    /// inside another macro's arguments is in code parsed out of tokens.
    pub(super) fn visit_macro(&mut self, mac: &ast::MacroCall, anchor: &SyntaxNode, shift: u32) {
        let Some(segs) = mac.path().and_then(|p| segments(&p)) else {
            return;
        };
        let Some(name) = segs.last().cloned() else {
            return;
        };
        let Some(tt) = mac.token_tree() else { return };
        let text = tt.syntax().text().to_string();
        if text.len() < 2 {
            return;
        }
        let start = u32::from(tt.syntax().text_range().start()) + shift + 1;
        let anchor = if shift == 0 { mac.syntax() } else { anchor };
        let offset = mac.syntax().text_range().start() + TextSize::from(shift);
        let grammar = self.grammar(&segs, &text, offset);
        if grammar.is_some_and(|g| self.visit_as_code(g, &tt, anchor, start)) {
            return;
        }
        let inner = &text[1..text.len() - 1];
        if shift == 0 {
            self.macro_declarations(mac, &name, inner, start);
        }
        // An unknown macro: note the uses of tracked imports in its tokens,
        // and every place handed to it, so that a lock used here is never
        // migrated behind the macro's back.
        let tokens = significant_tokens(&tt);
        self.record_tracked_names(&tokens, shift);
        let in_async = matches!(self.ctx, SiteContext::Async | SiteContext::SyncInAsync);
        if in_async && !self.facts.async_macro_calls.contains(&name) {
            self.facts.async_macro_calls.push(name.clone());
        }
        if !self.facts.unexpanded_macro_calls.contains(&name) {
            self.facts.unexpanded_macro_calls.push(name.clone());
        }
        let places = self.macro_places(mac, anchor, &tokens, shift);
        let mut seen = HashSet::new();
        for (target, range) in self.handed_constructors(&tokens, shift) {
            self.facts.macro_uses.push(MacroUse {
                macro_name: name.clone(),
                target,
                range,
                in_async: false,
                kind: MacroUseKind::HandedConstructor,
            });
        }
        for (target, range) in places {
            if seen.insert(target.clone()) {
                self.facts.macro_uses.push(MacroUse {
                    macro_name: name.clone(),
                    target,
                    range,
                    in_async,
                    kind: MacroUseKind::Handed,
                });
            }
        }
    }

    /// The grammar of a macro the tool reads as code, by its path: the
    /// expression macros of std, the log macros where they may hold a lock
    /// site (their other places resolve from their tokens like any
    /// macro's), and tokio's and futures' `join!`, `try_join!` and
    /// `select!`.
    fn grammar(&self, segs: &[String], text: &str, offset: TextSize) -> Option<Grammar> {
        let name = segs.last()?.as_str();
        match name {
            "vec" => return Some(Grammar::Array),
            "matches" | "assert_matches" | "debug_assert_matches" => return Some(Grammar::Matches),
            _ if EXPR_MACROS.contains(&name) => return Some(Grammar::Exprs),
            _ if LOG_MACROS.contains(&name) => return has_lock_call(text).then_some(Grammar::Log),
            "join" | "try_join" | "select" | "select_biased" => {}
            _ => return None,
        }
        let resolved = self.imports.resolve(segs, offset);
        let written_extern =
            segs.len() > 1 && matches!(segs[0].as_str(), "futures" | "futures_util");
        let path = match resolved.strip_prefix("crate::") {
            Some(p) if written_extern => p,
            _ => resolved.as_str(),
        };
        let from = path.split("::").next().unwrap_or_default();
        if !matches!(from, "tokio" | "futures" | "futures_util") {
            return None;
        }
        Some(match name {
            "join" | "try_join" => Grammar::Join,
            _ => Grammar::Select,
        })
    }

    /// A macro whose grammar is known is visited as code: its arguments are
    /// parsed inside a wrapper fn, as the texts of its grammar. False where
    /// they do not parse, or the macro cannot be shifted back into the file.
    fn visit_as_code(
        &mut self,
        grammar: Grammar,
        tt: &ast::TokenTree,
        anchor: &SyntaxNode,
        start: u32,
    ) -> bool {
        let text = tt.syntax().text().to_string();
        let inner = text[1..text.len() - 1].to_string();
        let texts: Vec<((&str, &str), String)> = match grammar {
            Grammar::Exprs => vec![(CALL_WRAPPER, inner)],
            Grammar::Join => vec![(CALL_WRAPPER, select::without_biased(tt))],
            Grammar::Array => vec![(("fn __awaitify() { [", "\n]; }"), inner)],
            Grammar::Log => vec![(CALL_WRAPPER, log_arguments(tt))],
            Grammar::Matches => match matched_expression(tt) {
                Some(expr) => vec![(CALL_WRAPPER, expr)],
                None => return false,
            },
            Grammar::Select => {
                let Some(branches) = select::branch_texts(tt) else {
                    return false;
                };
                vec![
                    (CALL_WRAPPER, branches.futures),
                    (("fn __awaitify() { match () {", "\n} }"), branches.arms),
                ]
            }
        };
        let mut parsed = Vec::new();
        for ((prefix, suffix), text) in texts {
            // Ranges in the wrapper move back by `shift` into the file. A
            // macro that starts closer to the file's start than the
            // wrapper's prefix is long cannot move (and `shift == 0` means
            // "not in a macro"): it is treated as an unknown macro.
            let shift = start.checked_sub(prefix.len() as u32).filter(|s| *s > 0);
            let tree = crate::parse::parse(&format!("{prefix}{text}{suffix}"), self.edition);
            let (None, Some(shift)) = (tree.error, shift) else {
                return false;
            };
            parsed.push((tree.tree, shift));
        }
        for (tree, shift) in parsed {
            self.visit_parsed(tree.syntax(), anchor, shift);
        }
        true
    }

    /// Visits code parsed out of a macro's tokens in the context each node
    /// runs in, as `visit_in_context` does a file's: the wrapper fn opens
    /// no frame (its code runs where the macro call does), closures and
    /// async blocks in it do. `anchor` is the macro call in the file.
    fn visit_parsed(&mut self, root: &SyntaxNode, anchor: &SyntaxNode, shift: u32) {
        let outer_shift = self.shift;
        let outer_call = self.macro_call.clone();
        self.macro_call.get_or_insert_with(|| anchor.clone());
        let wrapper = root.first_child();
        #[allow(clippy::type_complexity)]
        let mut frames: Vec<(SyntaxNode, (SiteContext, Option<FnId>))> = Vec::new();
        for event in root.preorder() {
            match event {
                ra_ap_syntax::WalkEvent::Enter(node) => {
                    let key: Option<FnId> = ast::Fn::cast(node.clone()).map(|f| fn_key(&f));
                    let opens = Some(&node) != wrapper.as_ref();
                    let frame = opens
                        .then(|| frame_context(&node, &self.ctx, key.as_ref()))
                        .flatten();
                    if let Some(ctx) = frame {
                        let in_fn = key.or_else(|| self.in_fn.clone());
                        let outer = (
                            std::mem::replace(&mut self.ctx, ctx),
                            std::mem::replace(&mut self.in_fn, in_fn),
                        );
                        frames.push((node.clone(), outer));
                    }
                    self.visit(&node, anchor, shift);
                }
                ra_ap_syntax::WalkEvent::Leave(node) => {
                    if frames.last().is_some_and(|(n, _)| n == &node) {
                        (self.ctx, self.in_fn) = frames.pop().unwrap().1;
                    }
                }
            }
        }
        self.shift = outer_shift;
        self.macro_call = outer_call;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::driver::test_support::check_fix;

    /// The sites of `src`, by the text of their receiver's field and
    /// context.
    fn sites(src: &str) -> Vec<(String, SiteContext, bool)> {
        facts_of(src)
            .sites
            .iter()
            .map(|s| {
                let at = usize::from(s.range.start());
                let line = src[..at].lines().count();
                (
                    format!("{}@{line}", &src[s.call]),
                    s.ctx.clone(),
                    s.held_across_await,
                )
            })
            .collect()
    }

    #[test]
    fn select_futures_preconditions_and_handlers_are_migrated() {
        check_fix(
            r#"use std::sync::Mutex;

struct S { hits: Mutex<u32> }

async fn f(s: &S, mut rx: tokio::sync::mpsc::Receiver<u32>) {
    tokio::select! {
        biased;
        Some(v) = rx.recv(), if *s.hits.lock().unwrap() < 10 => {
            *s.hits.lock().unwrap() += v;
        }
        _ = std::future::ready(*s.hits.lock().unwrap()) => println!("{}", s.hits.lock().unwrap()),
        else => *s.hits.lock().unwrap() = 0,
    }
}

#[tokio::main]
async fn main() {
    let (_tx, rx) = tokio::sync::mpsc::channel(1);
    f(&S { hits: Mutex::new(0) }, rx).await;
}
"#,
            r#"use tokio::sync::Mutex;

struct S { hits: Mutex<u32> }

async fn f(s: &S, mut rx: tokio::sync::mpsc::Receiver<u32>) {
    tokio::select! {
        biased;
        Some(v) = rx.recv(), if *s.hits.lock().await < 10 => {
            *s.hits.lock().await += v;
        }
        _ = std::future::ready(*s.hits.lock().await) => println!("{}", s.hits.lock().await),
        else => *s.hits.lock().await = 0,
    }
}

#[tokio::main]
async fn main() {
    let (_tx, rx) = tokio::sync::mpsc::channel(1);
    f(&S { hits: Mutex::new(0) }, rx).await;
}
"#,
        );
    }

    #[test]
    fn join_arguments_are_code_and_async_blocks_in_them_async() {
        let src = "use std::sync::Mutex;\nuse futures::join;\nstruct S { m: Mutex<u32> }\nasync fn f(s: &S) {\n    tokio::join!(g(*s.m.lock().unwrap()), async { let x = s.m.lock().unwrap(); g(*x).await; });\n    join!(async { *s.m.lock().unwrap() });\n    futures::try_join!(h(s.m.lock().unwrap()));\n}\n";
        let sites = sites(src);
        assert_eq!(
            sites,
            [
                ("lock()@5".to_string(), SiteContext::Async, false),
                ("lock()@5".to_string(), SiteContext::Async, true),
                ("lock()@6".to_string(), SiteContext::Async, false),
                ("lock()@7".to_string(), SiteContext::Async, false),
            ]
        );
    }

    #[test]
    fn a_select_or_join_that_is_not_tokio_s_or_futures_is_an_unknown_macro() {
        let src = "use std::sync::Mutex;\nstruct S { m: Mutex<u32> }\nmacro_rules! join { ($($e:expr),*) => {} }\nasync fn f(s: &S) {\n    join!(s.m.lock().unwrap());\n    my::select! { v = s.m.lock().unwrap() => {} }\n}\n";
        let f = facts_of(src);
        assert!(f.sites.is_empty(), "{:#?}", f.sites);
        let mut names: Vec<&str> = f.macro_uses.iter().map(|m| m.macro_name.as_str()).collect();
        names.dedup();
        assert_eq!(names, ["join", "select"]);
    }

    #[test]
    fn a_closure_in_a_macro_s_arguments_is_sync_code_in_async_code() {
        let src = "use std::sync::Mutex;\nstruct S { m: Mutex<u32> }\nasync fn f(s: &S) {\n    println!(\"{}\", [1].iter().map(|x| x + *s.m.lock().unwrap()).sum::<u32>());\n}\n";
        assert_eq!(
            sites(src),
            [("lock()@4".to_string(), SiteContext::SyncInAsync, false)]
        );
    }

    #[test]
    fn a_macro_inside_a_macro_s_arguments_is_read_too() {
        let src = "use std::sync::Mutex;\nstruct S { m: Mutex<u32> }\nasync fn f(s: &S) {\n    println!(\"{}\", format!(\"{}\", s.m.lock().unwrap()));\n    assert!(other!(s.m).is_ok());\n}\n";
        let f = facts_of(src);
        assert_eq!(
            sites(src),
            [("lock()@4".to_string(), SiteContext::Async, false)]
        );
        let uses: Vec<(&str, &str)> = f
            .macro_uses
            .iter()
            .map(|m| (m.macro_name.as_str(), &src[m.range]))
            .collect();
        assert_eq!(uses, [("other", "s"), ("other", "m")]);
    }

    #[test]
    fn names_a_macro_s_code_binds_are_not_the_names_around_it() {
        // `s` in the handler is the branch's (of a type the tool does not
        // know), in the async block the `let`'s: neither is the parameter.
        let src = "use std::sync::Mutex;\nstruct S { m: Mutex<u32> }\nstruct T { m: Mutex<u32> }\nasync fn f(s: &S, t: &T, rx: R) {\n    tokio::select! { s = rx.recv() => { *s.m.lock().unwrap() += 1; } }\n    tokio::join!(async { let s: &T = t; *s.m.lock().unwrap() });\n    *s.m.lock().unwrap() += 1;\n}\n";
        let f = facts_of(src);
        let targets: Vec<(usize, Option<String>)> = f
            .sites
            .iter()
            .map(|s| {
                let line = src[..usize::from(s.range.start())].lines().count();
                let owner = match &s.target {
                    Target::Field { owner, .. } => owner.clone(),
                    other => panic!("{other:?}"),
                };
                (line, owner)
            })
            .collect();
        assert_eq!(
            targets,
            [(5, None), (6, Some("T".into())), (7, Some("S".into()))]
        );
    }

    #[test]
    fn a_matches_expression_is_code_and_its_pattern_is_not() {
        let src = "use std::sync::Mutex;\nstruct S { m: Mutex<u32> }\nasync fn f(s: &S) -> bool {\n    assert!(matches!(*s.m.lock().unwrap(), 1 | 2));\n    matches!(*s.m.lock().unwrap(), n if n > 1)\n}\nasync fn g(s: &S, t: &S) -> bool {\n    matches!(1, n if n == *t.m.lock().unwrap())\n}\n";
        let sites = sites(src);
        assert_eq!(
            sites,
            [
                ("lock()@4".to_string(), SiteContext::Async, false),
                ("lock()@5".to_string(), SiteContext::Async, false),
            ]
        );
        // A lock call in the pattern's guard: the macro is not read as code.
        assert!(crate::locks::testing::facts(src)
            .macro_uses
            .iter()
            .any(|m| m.macro_name == "matches"));
    }
}
