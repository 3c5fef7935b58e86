//! Which features a crate's changes sit behind: the `feature = ".."` of
//! every `#[cfg(..)]` (or `#[cfg_attr(..)]`) on an item or expression
//! around a changed line, so that the check builds each of them alone.

use std::collections::BTreeSet;

use ra_ap_syntax::{ast, ast::HasAttrs, AstNode, Edition, TextSize};

use crate::model::FileChange;

/// At most this many features are checked one at a time.
pub(super) const MAX_FEATURES: usize = 8;

/// The features the changed lines of `changes` are gated by, in name order.
pub(super) fn touched(changes: &[FileChange]) -> BTreeSet<String> {
    let mut features = BTreeSet::new();
    for c in changes
        .iter()
        .filter(|c| c.path.extension().is_some_and(|e| e == "rs"))
    {
        let parsed = crate::parse::parse(&c.new, Edition::Edition2021);
        let root = parsed.tree.syntax().clone();
        for at in changed_offsets(&c.old, &c.new) {
            let Some(token) = root.token_at_offset(at).right_biased() else {
                continue;
            };
            for node in token.parent_ancestors() {
                let Some(item) = ast::AnyHasAttrs::cast(node) else {
                    continue;
                };
                for attr in item.attrs() {
                    features.extend(gated_by(&attr.syntax().text().to_string()));
                }
            }
        }
    }
    features
}

/// Where each changed line of `new` starts (for a deletion, the line after
/// it).
fn changed_offsets(old: &str, new: &str) -> Vec<TextSize> {
    let starts: Vec<usize> = std::iter::once(0)
        .chain(new.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    similar::TextDiff::from_lines(old, new)
        .ops()
        .iter()
        .filter(|op| op.tag() != similar::DiffTag::Equal)
        .flat_map(|op| {
            let lines = op.new_range();
            lines.start..lines.end.max(lines.start + 1)
        })
        .filter_map(|line| starts.get(line))
        .map(|&at| TextSize::from(at as u32))
        .collect()
}

/// The features a `#[cfg(..)]` or `#[cfg_attr(..)]` names:
/// `feature = "extra"`, in any `all`/`any`/`not`.
fn gated_by(attr: &str) -> Vec<String> {
    let text: String = attr.split_whitespace().collect();
    if !text.starts_with("#[cfg(")
        && !text.starts_with("#[cfg_attr(")
        && !text.starts_with("#![cfg(")
    {
        return Vec::new();
    }
    text.match_indices("feature=\"")
        .filter_map(|(at, key)| {
            let rest = &text[at + key.len()..];
            Some(rest[..rest.find('"')?].to_string())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(old: &str, new: &str) -> FileChange {
        FileChange {
            path: "src/lib.rs".into(),
            display: "src/lib.rs".into(),
            old: old.into(),
            new: new.into(),
            crate_id: 0,
            manifest: None,
        }
    }

    #[test]
    fn a_change_under_a_feature_gate_names_the_feature() {
        let old = "#[cfg(feature = \"extra\")]\nmod extra {\n    fn f() { a(); }\n}\n\nfn g() { a(); }\n\n#[cfg(all(unix, not(feature = \"slim\")))]\nfn h() { a(); }\n";
        let new = old.replace("fn f() { a(); }", "fn f() { b(); }");
        assert_eq!(
            touched(&[change(old, &new)]),
            BTreeSet::from(["extra".to_string()])
        );
        let new = old.replace("fn g() { a(); }", "fn g() { b(); }");
        assert!(touched(&[change(old, &new)]).is_empty());
        let new = old.replace("fn h() { a(); }", "fn h() { b(); }");
        assert_eq!(
            touched(&[change(old, &new)]),
            BTreeSet::from(["slim".to_string()])
        );
    }
}
