//! Guard extent: whether a guard is held across an `.await`.

use super::*;

/// The guard of this site is passed to `Condvar::wait*`.
pub(super) fn guard_passed_to_wait(call: &SyntaxNode) -> bool {
    let Some(let_stmt) = call.ancestors().take(4).find_map(ast::LetStmt::cast) else {
        return false;
    };
    let Some(ast::Pat::IdentPat(pat)) = let_stmt.pat() else {
        return false;
    };
    let Some(name) = pat.name().map(|n| n.text().to_string()) else {
        return false;
    };
    let Some(block) = let_stmt.syntax().parent() else {
        return false;
    };
    block
        .descendants()
        .filter_map(ast::MethodCallExpr::cast)
        .any(|mc| {
            mc.name_ref().is_some_and(|n| n.text().starts_with("wait"))
                && mc
                    .arg_list()
                    .is_some_and(|a| a.args().any(|arg| arg.syntax().text() == name.as_str()))
        })
}

/// Where the guard produced at `call` is alive, in file offsets: from the
/// end of the lock call to the end of its binding's block (or an explicit
/// `drop`), or of the statement, `match` or `if let` a temporary lives in;
/// and whether an `.await` falls inside. A call parsed out of a macro's
/// tokens (`shift` from the file) is looked at inside the macro's code
/// where its guard ends there (a block of a `select!` handler or an async
/// block), else as the macro call `anchor` is.
pub(super) fn guard_extent(
    call: &SyntaxNode,
    anchor: &SyntaxNode,
    shift: u32,
    edition: Edition,
) -> Option<(TextRange, bool)> {
    let in_code = guard_scope(call, call, false, edition)
        .filter(|(scope, ..)| shift == 0 || inside_macro_code(scope));
    let (scope, site_end, until, shift) = match in_code {
        Some((scope, site_end, until)) => (scope, site_end, until, shift),
        None if shift != 0 => {
            let (scope, site_end, until) = guard_scope(call, anchor, true, edition)?;
            (scope, site_end, until, 0)
        }
        None => return None,
    };
    let end = until.unwrap_or(scope.text_range().end()).max(site_end);
    let awaits = scope
        .descendants()
        .filter(|d| d.kind() == SyntaxKind::AWAIT_EXPR)
        .any(|a| {
            let at = a.text_range().end();
            at > site_end && at <= end
        });
    Some((
        TextRange::new(site_end, end) + TextSize::from(shift),
        awaits,
    ))
}

/// Is `scope`, in code parsed out of a macro's tokens, inside a block or
/// closure of the macro's own code rather than the wrapper fn it was
/// parsed in?
fn inside_macro_code(scope: &SyntaxNode) -> bool {
    scope.ancestors().any(|a| match a.kind() {
        SyntaxKind::CLOSURE_EXPR => true,
        SyntaxKind::BLOCK_EXPR => a.parent().is_some_and(|p| p.kind() != SyntaxKind::FN),
        _ => false,
    })
}

/// The node a guard lives in, where it starts, and the explicit `drop` that
/// ends it early.
fn guard_scope(
    call: &SyntaxNode,
    anchor: &SyntaxNode,
    in_macro: bool,
    edition: Edition,
) -> Option<(SyntaxNode, TextSize, Option<TextSize>)> {
    let site_end = anchor.text_range().end().max(if in_macro {
        anchor.text_range().end()
    } else {
        call.text_range().end()
    });
    let awaits_after =
        |scope: &SyntaxNode, until: Option<TextSize>| Some((scope.clone(), site_end, until));
    let node = if in_macro {
        anchor.clone()
    } else {
        call.clone()
    };
    // Climb through the chain that produces the guard (`.unwrap()`, `?`).
    let mut expr = node.clone();
    while let Some(p) = expr.parent() {
        if matches!(
            p.kind(),
            SyntaxKind::METHOD_CALL_EXPR | SyntaxKind::TRY_EXPR | SyntaxKind::AWAIT_EXPR
        ) && ast::MethodCallExpr::cast(p.clone()).is_none_or(|m| {
            m.receiver().is_some_and(|r| r.syntax() == &expr)
                && m.name_ref().is_some_and(|n| {
                    matches!(n.text(), "unwrap" | "expect" | "unwrap_or_else" | "map_err")
                })
        }) {
            expr = p;
        } else {
            break;
        }
    }
    let parent = expr.parent();
    // `let g = m.lock().unwrap();`: held until the end of the block or `drop(g)`.
    if let Some(let_stmt) = parent.clone().and_then(ast::LetStmt::cast) {
        if let Some(ast::Pat::IdentPat(pat)) = let_stmt.pat() {
            let name = pat.name().map(|n| n.text().to_string()).unwrap_or_default();
            let block = let_stmt.syntax().parent()?;
            let drop_at = block
                .children()
                .filter(|s| s.text_range().start() > site_end)
                .find(|s| {
                    let t: String = s.text().to_string().split_whitespace().collect();
                    t == format!("drop({name});") || t == format!("std::mem::drop({name});")
                })
                .map(|s| s.text_range().start());
            return awaits_after(&block, drop_at);
        }
        if matches!(let_stmt.pat(), Some(ast::Pat::WildcardPat(_))) {
            return None;
        }
    }
    // A temporary: alive to the end of its statement, the whole `match` or
    // `if let` (before 2024, `if let` temporaries also live through `else`).
    for up in node.ancestors() {
        match up.kind() {
            SyntaxKind::IF_EXPR | SyntaxKind::WHILE_EXPR => {
                let cond = up
                    .children()
                    .find(|c| c.text_range().contains_range(node.text_range()));
                if let Some(cond) = cond.filter(|c| {
                    ast::Expr::cast(c.clone()).is_some() && c.kind() != SyntaxKind::BLOCK_EXPR
                }) {
                    if cond.kind() != SyntaxKind::LET_EXPR {
                        return awaits_after(&cond, None);
                    }
                    if edition >= Edition::Edition2024 {
                        // The condition and the then-branch: up to its end.
                        let then = ast::IfExpr::cast(up.clone()).and_then(|i| i.then_branch());
                        let until = then.map(|t| t.syntax().text_range().end());
                        return awaits_after(&up, until);
                    }
                    return awaits_after(&up, None);
                }
            }
            // Each arm of a `match`, and its guard, is a temporary scope of
            // its own: an arm's temporary dies with the arm, and is never
            // alive in another arm.
            SyntaxKind::MATCH_ARM => {
                let arm = ast::MatchArm::cast(up.clone())?;
                let within = |n: &SyntaxNode| n.text_range().contains_range(node.text_range());
                if let Some(body) = arm.expr().filter(|e| within(e.syntax())) {
                    return awaits_after(body.syntax(), None);
                }
                if let Some(guard) = arm.guard().filter(|g| within(g.syntax())) {
                    return awaits_after(guard.syntax(), None);
                }
            }
            SyntaxKind::EXPR_STMT | SyntaxKind::LET_STMT | SyntaxKind::MATCH_EXPR => {
                return awaits_after(&up, None);
            }
            SyntaxKind::STMT_LIST | SyntaxKind::CLOSURE_EXPR | SyntaxKind::FN => {
                return awaits_after(&up, None)
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_temporary_in_a_match_arm_lives_only_as_long_as_the_arm() {
        let src = "use std::sync::Mutex;\n\
            struct S { a: Mutex<u32>, b: Mutex<u32> }\n\
            async fn tick() {}\n\
            async fn f(s: &S, r: Result<u32, u32>) {\n\
              match r {\n\
                Ok(v) => s.a.lock().unwrap().clone_from(&v),\n\
                Err(e) if *s.b.lock().unwrap() > e => { tick().await; }\n\
                Err(_) => { *s.b.lock().unwrap() += 1; tick().await; }\n\
              }\n\
              match *s.a.lock().unwrap() { 0 => tick().await, _ => {} }\n\
            }\n";
        let facts = crate::facts::facts_of(src);
        let held: Vec<(String, bool)> = facts
            .sites
            .iter()
            .map(|site| {
                let extent = site.guard_extent.expect("a guard extent");
                (src[extent].trim().to_string(), site.held_across_await)
            })
            .collect();
        assert_eq!(
            held,
            [
                (".unwrap().clone_from(&v)".to_string(), false),
                (".unwrap() > e".to_string(), false),
                (".unwrap() += 1;".to_string(), false),
                (".unwrap() { 0 => tick().await, _ => {} }".to_string(), true),
            ]
        );
    }
}
