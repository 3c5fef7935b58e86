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

/// For a comment that starts like a suppression but is not one the tool
/// reads (`// awaitify allow(AW101)`, `// awaitify: allow AW101`), the
/// comment it should be, with the rules it names.
pub(super) fn malformed_allow(comment: &str) -> Option<String> {
    let body = comment
        .trim_start_matches('/')
        .trim_start_matches('*')
        .trim();
    let name = body
        .get(..8)
        .filter(|w| w.eq_ignore_ascii_case("awaitify"))?;
    let rest = &body[name.len()..];
    if parse_allow(comment).is_some() || !rest.to_ascii_lowercase().contains("allow") {
        return None;
    }
    let named: Vec<&str> = rest
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .filter(|w| crate::rules_meta::names_a_rule(w) || w.eq_ignore_ascii_case("all"))
        .collect();
    let rules = match named.is_empty() {
        true => "AW101".to_string(),
        false => named.join(", "),
    };
    Some(format!("// awaitify: allow({rules})"))
}

/// Every suppression comment of the file with the range it covers, and
/// each comment that looks like one but is not, with what it should be.
pub(super) fn allow_comments(
    file: &SourceFile,
    text: &str,
) -> (Vec<Allow>, Vec<(TextRange, String)>) {
    let mut out = Vec::new();
    let mut malformed = Vec::new();
    for token in file
        .syntax()
        .descendants_with_tokens()
        .filter_map(|e| e.into_token())
        .filter(|t| t.kind() == SyntaxKind::COMMENT)
    {
        let Some(rules) = parse_allow(token.text()) else {
            if let Some(fixed) = malformed_allow(token.text()) {
                malformed.push((token.text_range(), fixed));
            }
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
    (out, malformed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_comment_that_is_almost_a_suppression_gets_the_one_it_should_be() {
        let fixed = |c: &str| malformed_allow(c);
        assert_eq!(
            fixed("// awaitify allow(AW101)"),
            Some("// awaitify: allow(AW101)".into())
        );
        assert_eq!(
            fixed("// awaitify: allow AW201, blocking-fs"),
            Some("// awaitify: allow(AW201, blocking-fs)".into())
        );
        assert_eq!(
            fixed("// Awaitify - allow(all)"),
            Some("// awaitify: allow(all)".into())
        );
        assert_eq!(fixed("// awaitify: allow(AW101)"), None);
        assert_eq!(fixed("// awaitify rewrites this lock"), None);
        assert_eq!(fixed("// see awaitify: allow it"), None);
    }
}
