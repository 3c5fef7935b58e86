//! The arms of a file's `macro_rules!` and the expansion of one call by
//! them (see `expand.rs`): a flat matcher of `$name:kind` fragments and
//! tokens, maybe ending in `$($rest:tt)*`, bound to a call's tokens, and
//! the arm's body with the arguments pasted in, as pieces of text.

use super::*;
use std::collections::HashMap;

/// A matcher element: `$name:kind`, a token to match as written, or, last,
/// `$($name:tt)*` (`+`), the rest of the call's tokens.
#[derive(Debug)]
enum Matcher {
    Fragment { name: String, kind: String },
    Token(String),
    Rest { name: String, one_or_more: bool },
}

pub(super) struct Arm {
    matcher: Vec<Matcher>,
    body: ast::TokenTree,
}

/// A macro argument bound to a fragment: its kind and range in the file.
struct Bound {
    kind: String,
    range: TextRange,
}

/// The elements of a token tree between its delimiters, trivia left out.
fn elements(tt: &ast::TokenTree) -> Vec<ra_ap_syntax::SyntaxElement> {
    let mut all: Vec<_> = tt
        .syntax()
        .children_with_tokens()
        .filter(|e| !e.kind().is_trivia())
        .collect();
    if all.len() < 2 {
        return Vec::new();
    }
    all.pop();
    all.remove(0);
    all
}

/// The arms of a `macro_rules!` body (`(matcher) => { body };` ..); none
/// where one is beyond what is expanded.
pub(super) fn arms(tt: &ast::TokenTree) -> Option<Vec<Arm>> {
    let elements = elements(tt);
    let mut arms = Vec::new();
    let mut rest = elements.as_slice();
    while !rest.is_empty() {
        let (matcher, rest_) = rest.split_first()?;
        let matcher = ast::TokenTree::cast(matcher.as_node()?.clone())?;
        let arrow: String = rest_.iter().take(2).map(|e| e.to_string()).collect();
        if arrow != "=>" {
            return None;
        }
        let body = ast::TokenTree::cast(rest_.get(2)?.as_node()?.clone())?;
        arms.push(Arm {
            matcher: matcher_of(&matcher)?,
            body,
        });
        rest = &rest_[3..];
        if rest
            .first()
            .is_some_and(|e| e.kind() == SyntaxKind::SEMICOLON)
        {
            rest = &rest[1..];
        }
    }
    (!arms.is_empty()).then_some(arms)
}

/// A flat matcher's elements; none for nested groups and repetitions but
/// a last `$($name:tt)*`.
fn matcher_of(tt: &ast::TokenTree) -> Option<Vec<Matcher>> {
    let elements = elements(tt);
    let mut out = Vec::new();
    let mut i = 0;
    while i < elements.len() {
        if let Some(rest) = rest_of(&elements[i..]) {
            out.push(rest);
            break;
        }
        let token = elements[i].as_token()?;
        if token.kind() != SyntaxKind::DOLLAR {
            out.push(Matcher::Token(token.text().to_string()));
            i += 1;
            continue;
        }
        let name = elements.get(i + 1)?.as_token()?;
        let colon = elements.get(i + 2)?.as_token()?;
        let kind = elements.get(i + 3)?.as_token()?;
        if name.kind() != SyntaxKind::IDENT
            || colon.kind() != SyntaxKind::COLON
            || kind.kind() != SyntaxKind::IDENT
        {
            return None;
        }
        out.push(Matcher::Fragment {
            name: name.text().to_string(),
            kind: kind.text().to_string(),
        });
        i += 4;
    }
    Some(out)
}

/// `$($name:tt)*` (or `+`) ending a matcher: its binding.
fn rest_of(matcher: &[ra_ap_syntax::SyntaxElement]) -> Option<Matcher> {
    let [dollar, group, star] = matcher else {
        return None;
    };
    if dollar.kind() != SyntaxKind::DOLLAR {
        return None;
    }
    let inner = elements(&ast::TokenTree::cast(group.as_node()?.clone())?);
    let [d, name, colon, kind] = &inner[..] else {
        return None;
    };
    let tt = d.kind() == SyntaxKind::DOLLAR
        && colon.kind() == SyntaxKind::COLON
        && kind.as_token()?.text() == "tt";
    let one_or_more = match star.kind() {
        SyntaxKind::STAR => false,
        SyntaxKind::PLUS => true,
        _ => return None,
    };
    tt.then(|| Matcher::Rest {
        name: name
            .as_token()
            .map(|t| t.text().to_string())
            .unwrap_or_default(),
        one_or_more,
    })
}

/// The text pieces of a call's expansion by the first arm that matches it:
/// each a stretch of the file (`Some` range) or text of its own. `raw`:
/// the call is a statement, or a block's tail, and expands to the body's
/// statements as they are; elsewhere to one expression, in parentheses.
pub(super) fn expand_call(
    arms: &[Arm],
    call: &ast::TokenTree,
    text: &str,
    raw: bool,
) -> Option<Vec<(&'static str, Option<TextRange>)>> {
    let args = elements(call);
    let (arm, bound) = arms
        .iter()
        .find_map(|arm| Some((arm, bind(&arm.matcher, &args)?)))?;
    let body = elements(&arm.body);
    let inner = TextRange::new(
        body.first()?.text_range().start(),
        body.last()?.text_range().end(),
    );
    let mut pieces = Vec::new();
    if !raw {
        pieces.push(("(", None));
    }
    let tokens: Vec<_> = significant_tokens(&arm.body);
    let mut from = inner.start();
    let mut i = 0;
    while i < tokens.len() {
        if tokens[i].kind() != SyntaxKind::DOLLAR {
            i += 1;
            continue;
        }
        let next = tokens.get(i + 1)?;
        let at = tokens[i].text_range().start();
        pieces.push(("", Some(TextRange::new(from, at))));
        // `$($rest)*`: the rest of the call's tokens, as they are.
        let rest = (next.kind() == SyntaxKind::L_PAREN)
            .then(|| tokens.get(i + 2..i + 6))
            .flatten()
            .filter(|t| {
                t[0].kind() == SyntaxKind::DOLLAR
                    && t[2].kind() == SyntaxKind::R_PAREN
                    && matches!(t[3].kind(), SyntaxKind::STAR | SyntaxKind::PLUS)
            });
        if let Some(t) = rest {
            let arg = bound.get(t[1].text())?;
            if !arg.range.is_empty() {
                pieces.push(("", Some(arg.range)));
            }
            from = t[3].text_range().end();
            i += 6;
            continue;
        }
        match next.kind() {
            SyntaxKind::CRATE_KW => pieces.push(("crate", None)),
            SyntaxKind::IDENT => {
                let arg = bound.get(next.text())?;
                let wrap = arg.kind.starts_with("expr") && !simple_expr(&text[arg.range]);
                if wrap {
                    pieces.push(("(", None));
                }
                pieces.push(("", Some(arg.range)));
                if wrap {
                    pieces.push((")", None));
                }
            }
            // A repetition, or a `$` of its own.
            _ => return None,
        }
        from = next.text_range().end();
        i += 2;
    }
    pieces.push(("", Some(TextRange::new(from, inner.end()))));
    if !raw {
        pieces.push((")", None));
    }
    pieces.retain(|(t, r)| r.map_or(!t.is_empty(), |r| !r.is_empty()));
    Some(pieces)
}

/// An argument pasted for an `expr` fragment needs no parentheses: a path,
/// a field, a call or a method call, a literal (its postfix uses in the
/// body bind as the fragment would).
fn simple_expr(arg: &str) -> bool {
    let mut depth = 0i32;
    arg.chars().all(|c| {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            _ => {}
        }
        depth > 0
            || c.is_alphanumeric()
            || matches!(c, '_' | '.' | ':' | '"' | '(' | ')' | '[' | ']')
    })
}

/// Binds the matcher's fragments to the call's elements; none where the
/// call does not match.
fn bind(
    matcher: &[Matcher],
    args: &[ra_ap_syntax::SyntaxElement],
) -> Option<HashMap<String, Bound>> {
    let mut bound = HashMap::new();
    let mut at = 0;
    for (m, rest) in matcher
        .iter()
        .enumerate()
        .map(|(i, m)| (m, &matcher[i + 1..]))
    {
        match m {
            Matcher::Token(t) => {
                let e = args.get(at)?;
                if e.as_token()?.text() != t {
                    return None;
                }
                at += 1;
            }
            Matcher::Rest { name, one_or_more } => {
                let rest = &args[at..];
                if *one_or_more && rest.is_empty() {
                    return None;
                }
                let range = match (rest.first(), rest.last()) {
                    (Some(a), Some(b)) => {
                        TextRange::new(a.text_range().start(), b.text_range().end())
                    }
                    _ => TextRange::empty(TextSize::default()),
                };
                let kind = "tt".to_string();
                bound.insert(name.clone(), Bound { kind, range });
                at = args.len();
            }
            Matcher::Fragment { name, kind } => {
                let len = match kind.as_str() {
                    "ident" | "tt" | "lifetime" => 1,
                    "literal" => match args.get(at)?.kind() {
                        SyntaxKind::MINUS => 2,
                        _ => 1,
                    },
                    _ => fragment_len(&args[at..], rest)?,
                };
                let last = args.get(at + len - 1)?;
                bound.insert(
                    name.clone(),
                    Bound {
                        kind: kind.clone(),
                        range: TextRange::new(
                            args[at].text_range().start(),
                            last.text_range().end(),
                        ),
                    },
                );
                at += len;
            }
        }
    }
    (at == args.len()).then_some(bound)
}

/// How many elements an `expr`-like fragment takes: up to where the
/// matcher's next tokens follow (or all, when none do).
fn fragment_len(args: &[ra_ap_syntax::SyntaxElement], rest: &[Matcher]) -> Option<usize> {
    let next: Vec<&str> = rest
        .iter()
        .map_while(|m| match m {
            Matcher::Token(t) => Some(t.as_str()),
            Matcher::Fragment { .. } | Matcher::Rest { .. } => None,
        })
        .collect();
    if next.is_empty() {
        // An expression never holds a top-level `,` or `;`.
        let separated = args
            .iter()
            .any(|e| matches!(e.kind(), SyntaxKind::COMMA | SyntaxKind::SEMICOLON));
        return (!args.is_empty() && rest.is_empty() && !separated).then_some(args.len());
    }
    (1..args.len()).find(|&i| {
        next.iter().enumerate().all(|(k, t)| {
            args.get(i + k)
                .and_then(|e| e.as_token())
                .is_some_and(|e| e.text() == *t)
        })
    })
}
