//! CPU-heavy work read off the syntax, as facts are extracted (AW206 reports
//! it): a loop with no `.await` that is heavy (nested, a large literal
//! bound, or hashing or arithmetic over runtime data), and the sizes a fn
//! writes down (what shows that a test's data is large).

use ra_ap_syntax::{
    ast::{self, RangeItem},
    AstNode, SyntaxNode,
};

/// An `.await` inside a macro's arguments (`assert_eq!(rx.recv().await, ..)`):
/// the macro's tokens are not parsed as expressions, so look for the keyword.
pub(crate) fn awaits_in_macro(node: &SyntaxNode) -> bool {
    use ra_ap_syntax::SyntaxKind::{AWAIT_KW, DOT, IDENT};
    let mut after_dot = false;
    for t in node
        .descendants_with_tokens()
        .filter_map(|e| e.into_token())
    {
        if t.kind().is_trivia() {
            continue;
        }
        if after_dot && (t.kind() == AWAIT_KW || (t.kind() == IDENT && t.text() == "await")) {
            return true;
        }
        after_dot = t.kind() == DOT;
    }
    false
}

/// The end of a `for` loop's range: `n` in `for i in 0..n`.
fn for_range_end(node: &SyntaxNode) -> Option<ast::Expr> {
    match ast::ForExpr::cast(node.clone())?.iterable()? {
        ast::Expr::RangeExpr(r) => r.end(),
        _ => None,
    }
}

/// A literal integer's value (`1_000_000`).
fn literal_value(e: &ast::Expr) -> Option<u64> {
    if e.syntax().kind() != ra_ap_syntax::SyntaxKind::LITERAL {
        return None;
    }
    // Up to a suffix: `1_000_000u64`.
    let digits: String = e
        .syntax()
        .text()
        .to_string()
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '_')
        .filter(char::is_ascii_digit)
        .collect();
    digits.parse::<u64>().ok()
}

/// A path of capitals: a constant (`RETRIES`).
fn constant(e: &ast::Expr) -> bool {
    matches!(e, ast::Expr::PathExpr(_))
        && e.syntax()
            .text()
            .to_string()
            .chars()
            .all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit() || c == ':')
}

/// Short source text for a message: `items`, `self.entries`.
fn short(e: &ast::Expr) -> String {
    let t: String = e.syntax().text().to_string().split_whitespace().collect();
    if t.chars().count() > 40 {
        format!("{}..", t.chars().take(37).collect::<String>())
    } else {
        t
    }
}

/// What a loop's trip count depends on, when it is runtime data: a range
/// up to a parameter or field (`0..n`, `0..self.rounds`, `0..buf.len()`),
/// a collection (`for x in &items`, `items.iter()`), or a `while` loop's
/// bound (`while i < n`). `None` for a literal or constant range, and for
/// `loop` (its trip count is its `break`s').
fn runtime_trips(node: &SyntaxNode) -> Option<String> {
    if let Some(f) = ast::ForExpr::cast(node.clone()) {
        return match f.iterable()? {
            ast::Expr::RangeExpr(r) => {
                let end = r.end()?;
                (literal_value(&end).is_none() && !constant(&end))
                    .then(|| format!("`{}`", short(&end)))
            }
            ast::Expr::Literal(_) | ast::Expr::ArrayExpr(_) | ast::Expr::MacroExpr(_) => None,
            it if constant(&it) => None,
            it => Some(format!("the length of `{}`", short(&it))),
        };
    }
    let w = ast::WhileExpr::cast(node.clone())?;
    let cond = w.condition()?;
    match &cond {
        ast::Expr::LetExpr(l) => Some(format!("`{}`", short(&l.expr()?))),
        ast::Expr::BinExpr(b) => {
            let rhs = b.rhs()?;
            (literal_value(&rhs).is_none() && !constant(&rhs)).then(|| format!("`{}`", short(&rhs)))
        }
        _ => None,
    }
}

/// Hashing, crypto or arithmetic in a loop's body: the words for it. A
/// hasher's or MAC's call (`update`, `digest`, `finalize`), or at least two
/// multiplications, divisions, remainders, xors or shifts, or `wrapping_*`
/// / `rotate_*` / `pow` / `sqrt` calls: a numeric kernel, not a counter.
fn work_in(node: &SyntaxNode) -> Option<String> {
    use ra_ap_syntax::T;
    let mut arithmetic = 0;
    for d in node.descendants() {
        if let Some(m) = ast::MethodCallExpr::cast(d.clone()) {
            let Some(name) = m.name_ref().map(|n| n.text().to_string()) else {
                continue;
            };
            if matches!(
                name.as_str(),
                "update"
                    | "chain_update"
                    | "digest"
                    | "finalize"
                    | "finalize_reset"
                    | "encrypt"
                    | "decrypt"
            ) {
                return Some(format!("hashing or crypto (`{name}`)"));
            }
            if name.starts_with("wrapping_")
                || name.starts_with("rotate_")
                || matches!(name.as_str(), "pow" | "powi" | "powf" | "sqrt")
            {
                arithmetic += 1;
            }
        } else if let Some(c) = ast::CallExpr::cast(d.clone()) {
            let callee = c.expr().map(|e| e.syntax().text().to_string());
            if callee.is_some_and(|t| t.ends_with("::digest") || t.ends_with("::hash")) {
                return Some("hashing".to_string());
            }
        } else if let Some(b) = ast::BinExpr::cast(d.clone()) {
            let op = b.op_token().map(|t| t.kind());
            if op.is_some_and(|k| {
                [
                    T![*],
                    T![/],
                    T![%],
                    T![^],
                    T![<<],
                    T![>>],
                    T![*=],
                    T![/=],
                    T![%=],
                    T![^=],
                    T![<<=],
                    T![>>=],
                ]
                .contains(&k)
            }) {
                arithmetic += 1;
            }
        }
    }
    (arithmetic >= 2).then(|| "arithmetic".to_string())
}

/// A loop that is CPU-heavy, and its cost driver in words: no `.await`
/// inside, and a range with a large literal bound, or hashing, crypto or
/// arithmetic in the body of nested loops or of one whose trip count comes
/// from runtime data.
/// Only the outermost loop of a nest counts.
pub(crate) fn heavy_loop(node: &SyntaxNode) -> Option<String> {
    use ra_ap_syntax::SyntaxKind::{AWAIT_EXPR, CLOSURE_EXPR, FN, FOR_EXPR, LOOP_EXPR, WHILE_EXPR};
    let is_loop = |k| matches!(k, FOR_EXPR | LOOP_EXPR | WHILE_EXPR);
    // A closure or an async block in the loop is work for later (a task
    // spawned, a callback), not this loop's.
    let deferred =
        |d: &SyntaxNode| ast::BlockExpr::cast(d.clone()).is_some_and(|b| b.async_token().is_some());
    // The outermost loop first: the cheaper test.
    if !is_loop(node.kind())
        || node
            .ancestors()
            .skip(1)
            .take_while(|a| !matches!(a.kind(), FN | CLOSURE_EXPR))
            .any(|a| is_loop(a.kind()))
    {
        return None;
    }
    if node
        .descendants()
        .any(|d| matches!(d.kind(), AWAIT_EXPR | CLOSURE_EXPR) || deferred(&d))
        || awaits_in_macro(node)
    {
        return None;
    }
    // Nested loops, unless the outer one runs a small number of times
    // (`for _ in 0..4`, `for _ in 0..RETRIES`): then the nest is as heavy
    // as its inner loop alone.
    let end = for_range_end(node);
    let literal_end = end.as_ref().and_then(literal_value);
    let few_rounds = literal_end.is_some_and(|n| n < 1_000) || end.as_ref().is_some_and(constant);
    if let Some(n) = literal_end.filter(|n| *n >= 100_000) {
        return Some(format!("a loop with no `.await` (trip count: {n})"));
    }
    let trips = runtime_trips(node);
    let work = work_in(node);
    // A nest counts where it computes: hashing, crypto or arithmetic, or
    // an accumulator summed in the inner loop (`total += v`); one that
    // formats a log line or walks a small tree does not stall a runtime.
    let inner = node.descendants().skip(1).find(|d| is_loop(d.kind()));
    let computes = inner.and_then(|inner| {
        (work.clone()).or_else(|| accumulates(&inner).then(|| "arithmetic".to_string()))
    });
    if let Some(work) = computes.filter(|_| !few_rounds) {
        let over = trips
            .map(|t| format!(" (trip count: {t})"))
            .unwrap_or_default();
        return Some(format!("a nested loop with no `.await` doing {work}{over}"));
    }
    let (trips, work) = (trips?, work?);
    Some(format!(
        "a loop with no `.await` doing {work} (trip count: {trips})"
    ))
}

/// Does the loop `inner` sum into an accumulator (`total += v`, `-=`)?
fn accumulates(inner: &SyntaxNode) -> bool {
    use ra_ap_syntax::T;
    inner.descendants().filter_map(ast::BinExpr::cast).any(|b| {
        b.op_token()
            .is_some_and(|t| matches!(t.kind(), T![+=] | T![-=]))
    })
}

/// The largest size of 100 000 or more that the fn `f` writes down: an
/// integer literal (`vec![0u8; 18_874_368]`, `0..1_000_000`) or a product
/// or shift of literals (`1024 * 1024 * 5`, `1 << 20`). In a test, what
/// shows that its data is large.
pub(crate) fn size_hint(f: &SyntaxNode) -> Option<u64> {
    use ra_ap_syntax::SyntaxKind::INT_NUMBER;
    let int = |t: &str| -> Option<u64> {
        if t.starts_with("0x") || t.starts_with("0b") || t.starts_with("0o") {
            return None;
        }
        let digits: String = t
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '_')
            .filter(char::is_ascii_digit)
            .collect();
        digits.parse::<u64>().ok()
    };
    fn product(e: &ast::Expr, int: &dyn Fn(&str) -> Option<u64>) -> Option<u64> {
        use ra_ap_syntax::T;
        match e {
            ast::Expr::Literal(l) => int(&l.syntax().text().to_string()),
            ast::Expr::ParenExpr(p) => product(&p.expr()?, int),
            ast::Expr::BinExpr(b) => {
                let (l, r) = (product(&b.lhs()?, int)?, product(&b.rhs()?, int)?);
                match b.op_token()?.kind() {
                    T![*] => l.checked_mul(r),
                    T![<<] => l.checked_shl(u32::try_from(r).ok()?),
                    _ => None,
                }
            }
            _ => None,
        }
    }
    let literals = f
        .descendants_with_tokens()
        .filter_map(|e| e.into_token())
        .filter(|t| t.kind() == INT_NUMBER)
        .filter_map(|t| int(t.text()));
    let products = f
        .descendants()
        .filter_map(ast::BinExpr::cast)
        .filter_map(|b| product(&ast::Expr::BinExpr(b), &int));
    literals.chain(products).filter(|n| *n >= 100_000).max()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ra_ap_syntax::{Edition, SourceFile};

    #[test]
    fn awaits_inside_macro_arguments_make_a_loop_async() {
        let src = "async fn f() { for a in 0..n { for b in 0..9 { let c = a * b % 7; assert_eq!(rx.recv().await, Some(c)); } } }\n\
                   async fn g() { for a in 0..n { for b in 0..9 { let c = a * b % 7; assert_eq!(c, b * a); } } }\n\
                   async fn h() { for a in 0..4 { for b in 0..n { let c = a * b % 7; assert_eq!(c, b * a); } } }\n\
                   async fn i() { for a in 0..RETRIES { for b in 0..n { let c = a * b % 7; assert_eq!(c, b * a); } } }\n\
                   async fn j() { for a in 0..(n - 1) { tokio::spawn(async move { for b in 0..n { let c = a * b % 7; assert_eq!(c, b * a); } }); } }\n\
                   async fn k() { for a in &errors { for s in &a.path { path.push_str(s); } } }";
        let file = SourceFile::parse(src, Edition::Edition2021).tree();
        let heavy: Vec<bool> = file
            .syntax()
            .descendants()
            .filter(|n| n.kind() == ra_ap_syntax::SyntaxKind::FOR_EXPR)
            .map(|n| heavy_loop(&n).is_some())
            .collect();
        // Only g's nest counts: f awaits in a macro, h and i's outer loops
        // run a few times, j's inner loop runs in the tasks it spawns, and
        // k's nest does no arithmetic, hashing or crypto.
        assert_eq!(
            heavy,
            [false, false, true, false, false, false, false, false, false, false, false, false]
        );
    }
}
