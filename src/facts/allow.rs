//! `// awaitify: allow(..)` comments.

use super::*;

/// The rules a comment allows, if it is an `awaitify: allow(..)` comment.
pub(super) fn parse_allow(comment: &str) -> Option<Vec<String>> {
    let body = comment
        .trim_start_matches('/')
        .trim_start_matches('*')
        .trim();
    let list = body
        .strip_prefix("awaitify:")?
        .trim()
        .strip_prefix("allow(")?
        .split(')')
        .next()?;
    Some(
        list.split(',')
            .map(|r| r.trim().to_string())
            .filter(|r| !r.is_empty())
            .collect(),
    )
}

/// Every suppression comment of the file with the range it covers.
pub(super) fn allow_comments(file: &SourceFile, text: &str) -> Vec<Allow> {
    let mut out = Vec::new();
    for token in file
        .syntax()
        .descendants_with_tokens()
        .filter_map(|e| e.into_token())
        .filter(|t| t.kind() == SyntaxKind::COMMENT)
    {
        let Some(rules) = parse_allow(token.text()) else {
            continue;
        };
        let start = usize::from(token.text_range().start());
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let trailing = !text[line_start..start].trim().is_empty();
        let end = if trailing {
            token.text_range().end()
        } else {
            // Leading comments belong to the item that follows them; else the
            // next sibling is what the comment stands above.
            let parent = token.parent();
            let leads_parent = parent.as_ref().is_some_and(|p| {
                p.children_with_tokens()
                    .take_while(|e| e.as_token() != Some(&token))
                    .all(|e| matches!(e.kind(), SyntaxKind::COMMENT | SyntaxKind::WHITESPACE))
            });
            match parent {
                Some(p) if leads_parent && p.kind() != SyntaxKind::SOURCE_FILE => {
                    p.text_range().end()
                }
                _ => std::iter::successors(token.next_sibling_or_token(), |e| {
                    e.next_sibling_or_token()
                })
                .find(|e| !matches!(e.kind(), SyntaxKind::COMMENT | SyntaxKind::WHITESPACE))
                .map_or(token.text_range().end(), |e| e.text_range().end()),
            }
        };
        out.push(Allow {
            range: TextRange::new(TextSize::from(line_start as u32), end),
            comment: token.text_range(),
            rules,
        });
    }
    out
}
