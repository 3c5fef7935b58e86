//! Rewrites `use` items: drops the std lock names a migration replaces and
//! adds one `use tokio::sync::{..};` beside them in each scope (file, inline
//! module or block) they came from, keeping the rest intact.

use std::collections::{HashMap, HashSet};

use ra_ap_syntax::{ast, AstNode, SourceFile, TextRange, TextSize};

use crate::edit::{self, Edit};
use crate::plan::ImportChange;

enum ListResult {
    Empty,
    Edits(Vec<Edit>),
}

pub fn import_edits(
    file: &SourceFile,
    text: &str,
    change: &ImportChange,
    newline: &str,
) -> Vec<Edit> {
    let removed: HashSet<TextRange> = change.remove.iter().copied().collect();
    let uses: Vec<ast::Use> = file
        .syntax()
        .descendants()
        .filter_map(ast::Use::cast)
        .collect();
    // The names to add, by the scope (the node around the `use` items) that
    // imported them: a `use` is visible only in its own scope.
    let scope_of = |tree: TextRange| {
        uses.iter()
            .find(|u| u.syntax().text_range().contains_range(tree))
            .and_then(|u| u.syntax().parent())
            .map(|p| p.text_range())
    };
    let mut adds: HashMap<TextRange, Vec<&str>> = HashMap::new();
    for (tree, name) in &change.add {
        if let Some(scope) = scope_of(*tree) {
            adds.entry(scope).or_default().push(name);
        }
    }
    let new_uses: HashMap<TextRange, String> = adds
        .into_iter()
        .map(|(scope, mut names)| {
            names.sort();
            names.dedup();
            let u = match names.as_slice() {
                [one] => format!("use tokio::sync::{one};"),
                many => format!("use tokio::sync::{{{}}};", many.join(", ")),
            };
            (scope, u)
        })
        .collect();
    let mut placed: HashSet<TextRange> = HashSet::new();
    let mut edits = Vec::new();
    for item in &uses {
        let Some(tree) = item.use_tree() else {
            continue;
        };
        let touches = removed
            .iter()
            .any(|r| item.syntax().text_range().contains_range(*r));
        if !touches {
            continue;
        }
        let whole = removed.contains(&tree.syntax().text_range())
            || tree
                .use_tree_list()
                .is_some_and(|l| matches!(remove_from(&l, &removed, text), ListResult::Empty));
        let (indent, line_range) = line_span(text, item.syntax().text_range());
        let scope = item.syntax().parent().map(|p| p.text_range());
        let new_use = scope
            .filter(|s| placed.insert(*s))
            .and_then(|s| new_uses.get(&s));
        if whole {
            let replacement = match new_use {
                Some(u) => format!("{indent}{u}{newline}"),
                None => String::new(),
            };
            edits.push(Edit::new(line_range, replacement));
            continue;
        }
        if let Some(list) = tree.use_tree_list() {
            if let ListResult::Edits(es) = remove_from(&list, &removed, text) {
                edits.extend(es);
            }
        }
        if let Some(u) = new_use {
            let at = item.syntax().text_range().end();
            edits.push(Edit::new(
                TextRange::empty(at),
                format!("{newline}{indent}{u}"),
            ));
        }
    }
    edits
}

/// The indentation before a node on its line, and the range of its whole
/// lines (indentation and line break included) when nothing else shares them.
fn line_span(text: &str, range: TextRange) -> (String, TextRange) {
    let start = usize::from(range.start());
    let end = usize::from(range.end());
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let indent = &text[line_start..start];
    let after = &text[end..];
    let rest_of_line = after.find('\n').map_or(after.len(), |i| i + 1);
    let own_line = indent.trim().is_empty() && after[..rest_of_line].trim().is_empty();
    if own_line {
        let r = TextRange::new(
            TextSize::from(line_start as u32),
            TextSize::from((end + rest_of_line) as u32),
        );
        (indent.to_string(), r)
    } else {
        (
            indent.chars().filter(|c| c.is_whitespace()).collect(),
            range,
        )
    }
}

fn remove_from(list: &ast::UseTreeList, removed: &HashSet<TextRange>, text: &str) -> ListResult {
    let children: Vec<ast::UseTree> = list.use_trees().collect();
    let mut gone = vec![false; children.len()];
    let mut nested: Vec<Vec<Edit>> = vec![Vec::new(); children.len()];
    for (i, child) in children.iter().enumerate() {
        if removed.contains(&child.syntax().text_range()) {
            gone[i] = true;
        } else if let Some(inner) = child.use_tree_list() {
            match remove_from(&inner, removed, text) {
                ListResult::Empty => gone[i] = true,
                ListResult::Edits(es) => nested[i] = es,
            }
        }
    }
    let kept: Vec<usize> = (0..children.len()).filter(|&i| !gone[i]).collect();
    let mut edits: Vec<Edit> = nested.iter().flatten().cloned().collect();
    if kept.is_empty() {
        return ListResult::Empty;
    }
    if kept.len() == children.len() {
        return ListResult::Edits(edits);
    }
    if let [only] = kept[..] {
        let child = &children[only];
        let is_self = child.syntax().text() == "self";
        if !is_self {
            // `std::sync::{Arc, Mutex}` → `std::sync::Arc`.
            let r = child.syntax().text_range();
            let local = nested[only]
                .iter()
                .map(|e| Edit::new(e.range - r.start(), e.replacement.clone()))
                .collect();
            let inner = edit::apply(&text[r], local).unwrap_or_else(|_| text[r].to_string());
            return ListResult::Edits(vec![Edit::new(list.syntax().text_range(), inner)]);
        }
    }
    let last_kept = *kept.last().unwrap();
    for i in 0..children.len() {
        if !gone[i] {
            continue;
        }
        let r = children[i].syntax().text_range();
        if i < last_kept {
            let next = children[i + 1].syntax().text_range().start();
            edits.push(Edit::new(TextRange::new(r.start(), next), ""));
        }
    }
    if last_kept + 1 < children.len() {
        let from = children[last_kept].syntax().text_range().end();
        let to = children.last().unwrap().syntax().text_range().end();
        edits.push(Edit::new(TextRange::new(from, to), ""));
    }
    ListResult::Edits(edits)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::imports::Imports;
    use ra_ap_syntax::Edition;

    fn rewrite(src: &str, names: &[&str]) -> String {
        let file = SourceFile::parse(src, Edition::Edition2021).tree();
        let imports = Imports::collect(&file, src);
        let tree = |n: &str| imports.all().find(|i| i.local == n).unwrap().tree;
        let change = ImportChange {
            remove: names.iter().map(|n| tree(n)).collect(),
            add: names.iter().map(|n| (tree(n), n.to_string())).collect(),
        };
        edit::apply(src, import_edits(&file, src, &change, "\n")).unwrap()
    }

    #[test]
    fn single_import_is_replaced() {
        assert_eq!(
            rewrite("use std::sync::Mutex;\nfn f() {}\n", &["Mutex"]),
            "use tokio::sync::Mutex;\nfn f() {}\n"
        );
    }

    #[test]
    fn group_collapses_to_the_remaining_name() {
        assert_eq!(
            rewrite("use std::sync::{Arc, Mutex};\n", &["Mutex"]),
            "use std::sync::Arc;\nuse tokio::sync::Mutex;\n"
        );
    }

    #[test]
    fn several_names_leave_a_group() {
        assert_eq!(
            rewrite(
                "use std::sync::{Arc, Mutex, RwLock, atomic::AtomicU8};\n",
                &["Mutex", "RwLock"]
            ),
            "use std::sync::{Arc, atomic::AtomicU8};\nuse tokio::sync::{Mutex, RwLock};\n"
        );
    }

    #[test]
    fn nested_groups_are_emptied_upwards() {
        assert_eq!(
            rewrite(
                "use std::{collections::HashMap, sync::{Mutex}};\n",
                &["Mutex"]
            ),
            "use std::collections::HashMap;\nuse tokio::sync::Mutex;\n"
        );
    }

    #[test]
    fn trailing_names_and_self_are_kept_valid() {
        assert_eq!(
            rewrite(
                "use std::sync::{self, Mutex, RwLock};\n",
                &["Mutex", "RwLock"]
            ),
            "use std::sync::{self};\nuse tokio::sync::{Mutex, RwLock};\n"
        );
    }
}
