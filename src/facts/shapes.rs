//! The shape of the code around a lock site: how its result is handled
//! (`unwrap`, `expect`, poison recovery, a `match` or `if let` on it, a
//! panicking or recovering `Err` arm), which the rewrite of the site follows.

use super::*;

/// `|e| e.into_inner()` or `PoisonError::into_inner`.
pub(super) fn is_poison_recovery(arg: &ast::Expr) -> bool {
    let text: String = arg.syntax().text().to_string().split_whitespace().collect();
    text.ends_with("PoisonError::into_inner")
        || text
            .strip_prefix('|')
            .and_then(|t| t.split_once('|'))
            .is_some_and(|(param, body)| body == format!("{param}.into_inner()"))
}

pub(super) fn ok_binding(pat: Option<ast::Pat>) -> Option<String> {
    let ast::Pat::TupleStructPat(tsp) = pat? else {
        return None;
    };
    if tsp.path()?.syntax().text() != "Ok" {
        return None;
    }
    let mut fields = tsp.fields();
    let inner = fields.next()?;
    if fields.next().is_some() || !matches!(inner, ast::Pat::IdentPat(_) | ast::Pat::WildcardPat(_))
    {
        return None;
    }
    Some(inner.syntax().text().to_string())
}

pub(super) fn site_shape(call: &ast::MethodCallExpr, recv: &ast::Expr, shift: u32) -> SiteShape {
    let sh = |r: TextRange| r + TextSize::from(shift);
    let name_start = call.name_ref().unwrap().syntax().text_range().start();
    let from_name = |end: TextSize| sh(TextRange::new(name_start, end));
    let Some(parent) = call.syntax().parent() else {
        return bare("");
    };
    let recv_text = recv.syntax().text().to_string();
    let method = call.name_ref().unwrap().text().to_string();
    match parent.kind() {
        SyntaxKind::METHOD_CALL_EXPR => {
            let outer = ast::MethodCallExpr::cast(parent.clone()).unwrap();
            let outer_name = method_name(&parent).unwrap_or_default();
            let first_arg = outer.arg_list().and_then(|a| a.args().next());
            match outer_name.as_str() {
                "unwrap" | "expect" => SiteShape::Unwrapped {
                    replace: from_name(parent.text_range().end()),
                },
                "unwrap_or_else" if first_arg.as_ref().is_some_and(is_poison_recovery) => {
                    SiteShape::Unwrapped {
                        replace: from_name(parent.text_range().end()),
                    }
                }
                "map_err" => match parent.parent().filter(|p| p.kind() == SyntaxKind::TRY_EXPR) {
                    Some(try_expr) => SiteShape::Unwrapped {
                        replace: from_name(try_expr.text_range().end()),
                    },
                    None => bare(".map_err(..) without `?`"),
                },
                other => bare(&format!(".{other}(..)")),
            }
        }
        SyntaxKind::LET_EXPR => if_let_shape(&parent, recv_text, shift),
        SyntaxKind::LET_STMT => {
            let let_stmt = ast::LetStmt::cast(parent.clone()).unwrap();
            match (let_stmt.let_else(), ok_binding(let_stmt.pat())) {
                (Some(_), Some(pat)) => SiteShape::LetElseOk {
                    stmt: sh(parent.text_range()),
                    pat,
                    recv: recv_text,
                },
                _ => bare("a `Result` bound to a variable"),
            }
        }
        SyntaxKind::MATCH_EXPR => match_shape(&parent, recv_text, shift),
        _ => bare(&format!("`{method}()` used as a value")),
    }
}

/// A lock result used in a way the fix cannot rewrite, and how, for the
/// message.
fn bare(desc: &str) -> SiteShape {
    SiteShape::Bare {
        use_desc: desc.to_string(),
    }
}

/// `if let Ok(g) = m.lock() { .. }`: the `if` head and the tail after its
/// block, which the fix rewrites around the then-branch.
fn if_let_shape(let_node: &SyntaxNode, recv_text: String, shift: u32) -> SiteShape {
    let sh = |r: TextRange| r + TextSize::from(shift);
    let let_expr = ast::LetExpr::cast(let_node.clone()).unwrap();
    let if_expr = let_node.parent().and_then(ast::IfExpr::cast);
    match (ok_binding(let_expr.pat()), if_expr) {
        (Some(pat), Some(if_expr))
            if if_expr.condition().is_some_and(|c| c.syntax() == let_node) =>
        {
            let Some(then) = if_expr.then_branch() else {
                return bare("if let");
            };
            let Some(l_curly) = then.stmt_list().and_then(|l| l.l_curly_token()) else {
                return bare("if let");
            };
            SiteShape::IfLetOk {
                head: sh(TextRange::new(
                    if_expr.syntax().text_range().start(),
                    l_curly.text_range().end(),
                )),
                tail: sh(TextRange::new(
                    then.syntax().text_range().end(),
                    if_expr.syntax().text_range().end(),
                )),
                pat,
                recv: recv_text,
            }
        }
        _ => bare("a `let` pattern"),
    }
}

/// `match m.lock() { Ok(g) => .., Err(..) => .. }`: the head before the
/// `Ok` arm's expression and the tail after it, where the match has just
/// those two arms.
fn match_shape(match_node: &SyntaxNode, recv_text: String, shift: u32) -> SiteShape {
    let sh = |r: TextRange| r + TextSize::from(shift);
    let m = ast::MatchExpr::cast(match_node.clone()).unwrap();
    let arms: Vec<_> = m
        .match_arm_list()
        .map(|l| l.arms().collect())
        .unwrap_or_default();
    let ok_arm = arms
        .iter()
        .find(|a| ok_binding(a.pat()).is_some() && a.guard().is_none());
    let err_arms_ok = arms.iter().filter(|a| Some(*a) != ok_arm).all(|a| {
        a.pat()
            .is_some_and(|p| p.syntax().text().to_string().starts_with("Err"))
    });
    match (ok_arm, arms.len() == 2 && err_arms_ok) {
        (Some(arm), true) => {
            let Some(expr) = arm.expr() else {
                return bare("match");
            };
            SiteShape::MatchOk {
                head: sh(TextRange::new(
                    m.syntax().text_range().start(),
                    expr.syntax().text_range().start(),
                )),
                tail: sh(TextRange::new(
                    expr.syntax().text_range().end(),
                    m.syntax().text_range().end(),
                )),
                pat: ok_binding(arm.pat()).unwrap(),
                recv: recv_text,
            }
        }
        _ => bare("a `match` on the lock result"),
    }
}

/// Where the code around a lock call gives a poisoned lock a meaning of its
/// own: an error returned (`.map_err(..)?`), an `else` of `if let Ok(..)` or
/// `let Ok(..) = .. else`, or an `Err` arm that does more than panic or take
/// the guard back (`e.into_inner()`). A plain `.unwrap()` panics as the
/// code would have, and is not one; nor is `try_lock()`'s error, which also
/// means the lock is held, as tokio's does. (A lock inside `catch_unwind`'s
/// closure, where poisoning is tested, is held back as a closure's site.)
pub(super) fn poison_handling(call: &ast::MethodCallExpr) -> Option<&'static str> {
    // `try_lock()`'s error is also "it is held", which tokio's has too.
    if method_name(call.syntax()).is_some_and(|m| m.starts_with("try_")) {
        return None;
    }
    let parent = call.syntax().parent()?;
    match parent.kind() {
        SyntaxKind::METHOD_CALL_EXPR => (method_name(&parent).as_deref() == Some("map_err"))
            .then_some("`.map_err(..)?` returns an error for a poisoned lock"),
        SyntaxKind::LET_EXPR => parent
            .parent()
            .and_then(ast::IfExpr::cast)
            .and_then(|i| i.else_branch())
            .filter(|e| match e {
                ast::ElseBranch::Block(b) => !only_panics(&ast::Expr::BlockExpr(b.clone())),
                ast::ElseBranch::IfExpr(_) => true,
            })
            .map(|_| "the `else` of `if let Ok(..)` handles a poisoned lock"),
        SyntaxKind::LET_STMT => ast::LetStmt::cast(parent.clone())
            .and_then(|l| l.let_else()?.block_expr())
            .filter(|b| !only_panics(&ast::Expr::BlockExpr(b.clone())))
            .map(|_| "the `else` of `let Ok(..) = .. else` handles a poisoned lock"),
        SyntaxKind::MATCH_EXPR => ast::MatchExpr::cast(parent.clone())
            .and_then(|m| m.match_arm_list())
            .into_iter()
            .flat_map(|l| l.arms())
            .filter(|a| {
                a.pat()
                    .is_some_and(|p| p.syntax().text().to_string().starts_with("Err"))
            })
            .any(|a| !err_arm_panics_or_recovers(&a))
            .then_some("the `Err` arm of the `match` handles a poisoned lock"),
        _ => None,
    }
}

/// An `Err` arm that panics as `.unwrap()` would (`Err(e) => panic!(..)`),
/// or takes the guard back and does what the `Ok` arm does with it, as
/// tokio's lock would: `Err(e) => e.into_inner()`, or `Ok(g) => g.len()`
/// beside `Err(e) => e.into_inner().len()`.
fn err_arm_panics_or_recovers(arm: &ast::MatchArm) -> bool {
    let Some(expr) = arm.expr() else {
        return false;
    };
    if only_panics(&expr) {
        return true;
    }
    let binding = |arm: &ast::MatchArm| match arm.pat() {
        Some(ast::Pat::TupleStructPat(t)) => t.fields().next().map(|f| f.syntax().to_string()),
        _ => None,
    };
    let Some(poisoned) = binding(arm) else {
        return false;
    };
    let recovered = format!("{poisoned}.into_inner()");
    // The `Ok` arm's expression with its guard taken back from the error.
    let ok_arm = arm
        .syntax()
        .parent()
        .and_then(ast::MatchArmList::cast)
        .into_iter()
        .flat_map(|l| l.arms())
        .find(|a| {
            a.pat()
                .is_some_and(|p| p.syntax().text().to_string().starts_with("Ok"))
        });
    let as_recovered = ok_arm.and_then(|ok| {
        let guard = binding(&ok)?;
        let tokens = ok.expr()?.syntax().descendants_with_tokens();
        Some(
            tokens
                .filter_map(|t| t.into_token())
                .filter(|t| !t.kind().is_trivia())
                .map(
                    |t| match t.kind() == SyntaxKind::IDENT && t.text() == guard {
                        true => recovered.clone(),
                        false => t.text().to_string(),
                    },
                )
                .collect::<String>(),
        )
    });
    let text: String = expr
        .syntax()
        .text()
        .to_string()
        .split_whitespace()
        .collect();
    let text = text
        .trim_start_matches('{')
        .trim_end_matches('}')
        .trim_end_matches(';');
    text == recovered || as_recovered.is_some_and(|r| r == text)
}

/// An expression that only panics: `panic!(..)`, `unreachable!(..)`,
/// `unimplemented!` or `todo!` (each with its arguments), alone or as a
/// block's one statement.
fn only_panics(expr: &ast::Expr) -> bool {
    let expr = match expr {
        ast::Expr::BlockExpr(b) => {
            let Some(list) = b.stmt_list() else {
                return false;
            };
            let stmts: Vec<ast::Stmt> = list.statements().collect();
            match (stmts.as_slice(), list.tail_expr()) {
                ([], Some(tail)) => tail,
                ([ast::Stmt::ExprStmt(e)], None) => match e.expr() {
                    Some(e) => e,
                    None => return false,
                },
                _ => return false,
            }
        }
        e => e.clone(),
    };
    let ast::Expr::MacroExpr(m) = expr else {
        return false;
    };
    m.macro_call()
        .and_then(|c| c.path())
        .and_then(|p| p.segment())
        .is_some_and(|s| {
            matches!(
                s.syntax().text().to_string().as_str(),
                "panic" | "unreachable" | "unimplemented" | "todo"
            )
        })
}
