//! `select!`'s and `join!`'s grammars: the texts of their arguments that
//! parse as code, each as long as the macro's tokens so that offsets still
//! match.
//!
//! tokio's `select!` is `[biased;] <pattern> = <future> [, if <precondition>]
//! => <handler>, .. [else => <expression>]` (futures' has `default` and
//! `complete` branches instead of `else`, and no preconditions). Its futures
//! and preconditions are evaluated in the code around the macro before it
//! awaits; its handlers run there after it, with the branch's pattern bound.

use super::*;

/// A `select!`'s arguments as two texts of the macro's length, each blank
/// where the other has code.
pub(super) struct BranchTexts {
    /// The futures and preconditions, as an expression list.
    pub futures: String,
    /// The branches as `match` arms: `<pattern> => <handler>,`, with
    /// `else` (or `default`, `complete`) as `_`.
    pub arms: String,
}

/// A significant token of a macro's top level (a nested token tree is one),
/// with its range in the macro's inner text.
struct Element {
    kind: SyntaxKind,
    text: String,
    start: usize,
    end: usize,
}

/// The top-level elements of a macro's token tree, without its delimiters,
/// whitespace and comments.
fn elements(tt: &ast::TokenTree) -> Vec<Element> {
    let base = usize::from(tt.syntax().text_range().start()) + 1;
    let all: Vec<_> = tt.syntax().children_with_tokens().collect();
    let inner = all.get(1..all.len().saturating_sub(1)).unwrap_or_default();
    inner
        .iter()
        .filter(|e| !e.kind().is_trivia())
        .map(|e| {
            let range = e.text_range();
            Element {
                kind: e.kind(),
                text: e.to_string(),
                start: usize::from(range.start()) - base,
                end: usize::from(range.end()) - base,
            }
        })
        .collect()
}

/// Is the `=` at `i` joined with the token before or after it into another
/// operator (`=>`, `==`, `..=`, `+=`)?
fn joined_eq(els: &[Element], i: usize) -> bool {
    let before = i
        .checked_sub(1)
        .map(|b| &els[b])
        .filter(|b| b.end == els[i].start)
        .is_some_and(|b| b.kind.is_punct());
    let after = els
        .get(i + 1)
        .filter(|a| a.start == els[i].end)
        .is_some_and(|a| matches!(a.kind, SyntaxKind::EQ | SyntaxKind::R_ANGLE));
    before || after
}

/// Is a `=>` at `i`?
fn fat_arrow(els: &[Element], i: usize) -> bool {
    els[i].kind == SyntaxKind::EQ
        && els
            .get(i + 1)
            .is_some_and(|n| n.kind == SyntaxKind::R_ANGLE && n.start == els[i].end)
}

/// A `biased;` at the start (tokio's `select!` and `join!`): the number of
/// elements it takes.
fn biased(els: &[Element]) -> usize {
    match els {
        [b, semi, ..] if b.text == "biased" && semi.kind == SyntaxKind::SEMICOLON => 2,
        _ => 0,
    }
}

/// The macro's inner text with its leading `biased;` blanked: `join!`'s
/// expression list.
pub(super) fn without_biased(tt: &ast::TokenTree) -> String {
    let text = tt.syntax().text().to_string();
    let mut inner = text.as_bytes()[1..text.len() - 1].to_vec();
    let els = elements(tt);
    if biased(&els) == 2 {
        inner[els[0].start..els[1].end].fill(b' ');
    }
    String::from_utf8(inner).unwrap_or_default()
}

/// The texts of a `select!`'s arguments (see [`BranchTexts`]); `None` where
/// they do not follow its grammar.
pub(super) fn branch_texts(tt: &ast::TokenTree) -> Option<BranchTexts> {
    let text = tt.syntax().text().to_string();
    let inner = &text.as_bytes()[1..text.len() - 1];
    let mut arms = inner.to_vec();
    let mut futures = vec![b' '; inner.len()];
    let els = elements(tt);
    let mut i = biased(&els);
    if i == 2 {
        arms[els[0].start..els[1].end].fill(b' ');
    }
    while i < els.len() {
        let catch_all = els[i].kind == SyntaxKind::ELSE_KW
            || (matches!(els[i].text.as_str(), "default" | "complete") && fat_arrow(&els, i + 1));
        if catch_all {
            arms[els[i].start..els[i].end].fill(b' ');
            arms[els[i].start] = b'_';
            i += 1;
        } else {
            i = future_and_precondition(&els, i, inner, &mut arms, &mut futures)?;
        }
        if !fat_arrow(&els, i) {
            return None;
        }
        i = handler_end(&els, i + 2);
    }
    Some(BranchTexts {
        futures: String::from_utf8(futures).ok()?,
        arms: String::from_utf8(arms).ok()?,
    })
}

/// A branch from its pattern at `i` to its `=>`: the future and the
/// precondition move from `arms` to `futures`, each followed by a comma.
/// Where its `=>` is.
fn future_and_precondition(
    els: &[Element],
    mut i: usize,
    inner: &[u8],
    arms: &mut [u8],
    futures: &mut [u8],
) -> Option<usize> {
    let pattern = i;
    while els[i].kind != SyntaxKind::EQ || joined_eq(els, i) {
        i += 1;
        if i >= els.len() || fat_arrow(els, i) {
            return None;
        }
    }
    if i == pattern {
        return None;
    }
    let eq = els[i].start;
    // The future, then the precondition after `, if`, each up to the next
    // `, if` or `=>`.
    let mut exprs = Vec::new();
    let mut from = i + 1;
    loop {
        let mut to = from;
        let at_if = |k: usize| {
            els[k].kind == SyntaxKind::COMMA
                && els.get(k + 1).is_some_and(|n| n.kind == SyntaxKind::IF_KW)
        };
        while to < els.len() && !fat_arrow(els, to) && !at_if(to) {
            to += 1;
        }
        if to == from || to >= els.len() || exprs.len() == 2 {
            return None;
        }
        exprs.push((els[from].start, els[to - 1].end, els[to].start));
        if fat_arrow(els, to) {
            arms[eq..els[to].start].fill(b' ');
            for (start, end, comma) in exprs {
                futures[start..end].copy_from_slice(&inner[start..end]);
                futures[comma] = b',';
            }
            return Some(to);
        }
        from = to + 2;
    }
}

/// Where the branch whose handler starts at `i` ends: after a block and an
/// optional comma, else after the expression's comma.
fn handler_end(els: &[Element], i: usize) -> usize {
    let block = els
        .get(i)
        .is_some_and(|e| e.kind == SyntaxKind::TOKEN_TREE && e.text.starts_with('{'));
    let mut end = if block {
        i + 1
    } else {
        (i..els.len())
            .find(|&k| els[k].kind == SyntaxKind::COMMA)
            .unwrap_or(els.len())
    };
    if els.get(end).is_some_and(|e| e.kind == SyntaxKind::COMMA) {
        end += 1;
    }
    end
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(args: &str) -> Option<(String, String)> {
        let src = format!("async fn f() {{ tokio::select! {{{args}}} }}");
        let file = SourceFile::parse(&src, Edition::Edition2021).tree();
        let mac = file.syntax().descendants().find_map(ast::MacroCall::cast)?;
        let t = branch_texts(&mac.token_tree()?)?;
        Some((t.futures, t.arms))
    }

    #[test]
    fn futures_and_preconditions_are_split_from_patterns_and_handlers() {
        let (futures, arms) = texts(
            " biased; Some(v) = rx.recv(), if n == 1 => { go(v) } _ = t.tick() => n += 1, else => () ",
        )
        .unwrap();
        assert_eq!(
            futures,
            "                   rx.recv(),    n == 1 ,                t.tick() ,                     "
        );
        assert_eq!(
            arms,
            "         Some(v)                        => { go(v) } _            => n += 1, _    => () "
        );
        assert_eq!(futures.len(), arms.len());
    }

    #[test]
    fn futures_default_and_complete_branches_are_catch_alls() {
        let (futures, arms) = texts("x = a => 1, default => 2, complete => 3").unwrap();
        assert_eq!(futures, "    a ,                                ");
        assert_eq!(arms, "x     => 1, _       => 2, _        => 3");
    }

    #[test]
    fn branches_that_are_not_select_s_grammar_are_not_read() {
        assert_eq!(texts("a => 1"), None);
        assert_eq!(texts("x = => 1"), None);
        assert_eq!(texts("x = a, if b, if c => 1"), None);
        assert_eq!(texts("x = a"), None);
    }
}
