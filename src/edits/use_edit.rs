//! Rewrites `use` items: drops the std lock names a migration replaces and
//! adds one `use tokio::sync::{..};` beside them in each scope (file, inline
//! module or block) they came from, keeping the rest intact.

use std::collections::{HashMap, HashSet};

use ra_ap_syntax::{
    ast::{self, HasAttrs, HasVisibility},
    AstNode, SourceFile, TextRange, TextSize,
};

use crate::edits::edit::{self, Edit};

/// The `use` items a crate's lock migration changes in one file.
#[derive(Default, Debug, Clone)]
pub struct ImportChange {
    pub remove: Vec<TextRange>,
    /// The names to import from `tokio::sync`, each with the std import it
    /// replaces (the new import goes into that import's scope).
    pub add: Vec<(TextRange, String)>,
    /// std imports only test modules still need, moved into them: the
    /// `use super::*` tree each goes beside, and the path imported.
    pub moved: Vec<(TextRange, String)>,
}

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
    let new_uses = new_uses(&uses, change);
    let whole_of = |item: &ast::Use| {
        item.use_tree().is_some_and(|tree| {
            removed.contains(&tree.syntax().text_range())
                || tree
                    .use_tree_list()
                    .is_some_and(|l| matches!(remove_from(&l, &removed, text), ListResult::Empty))
        })
    };
    let gone: HashSet<TextRange> = uses
        .iter()
        .filter(|u| whole_of(u))
        .map(|u| u.syntax().text_range())
        .collect();
    let mut placed: HashSet<(TextRange, String)> = HashSet::new();
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
        let whole = gone.contains(&item.syntax().text_range());
        let (indent, line_range) = line_span(text, item.syntax().text_range());
        let scope = item
            .syntax()
            .parent()
            .map(|p| (p.text_range(), visibility(item)));
        let new_use = scope
            .filter(|s| placed.insert(s.clone()))
            .and_then(|s| new_uses.get(&s));
        // The new import goes where rustfmt sorts it in this item's group,
        // or in this item's place when nothing else is left of the group.
        let sorted = new_use.and_then(|u| sorted_insertion(item, u, &gone, text, newline));
        let new_use = new_use.filter(|_| sorted.is_none());
        edits.extend(sorted);
        if whole {
            let edit = match new_use {
                Some(u) => Edit::new(line_range, format!("{indent}{u}{newline}")),
                None => Edit::new(with_blank_after(text, line_range), ""),
            };
            edits.push(edit);
            continue;
        }
        if let Some(list) = tree.use_tree_list() {
            if let ListResult::Edits(es) = remove_from(&list, &removed, text) {
                edits.push(reflowed(item, es, text, &indent));
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
    edits.extend(moved_uses(&uses, change, &gone, text, newline));
    edits
}

/// The std imports moved into test modules: one `use` item beside each
/// `use super::*` they go with, sorted into its group.
fn moved_uses(
    uses: &[ast::Use],
    change: &ImportChange,
    gone: &HashSet<TextRange>,
    text: &str,
    newline: &str,
) -> Vec<Edit> {
    let mut by_item: Vec<(&ast::Use, Vec<&str>)> = Vec::new();
    for (glob, path) in &change.moved {
        let Some(item) = uses
            .iter()
            .find(|u| u.syntax().text_range().contains_range(*glob))
        else {
            continue;
        };
        match by_item.iter_mut().find(|(u, _)| u == &item) {
            Some((_, paths)) => paths.push(path),
            None => by_item.push((item, vec![path])),
        }
    }
    by_item
        .into_iter()
        .filter_map(|(item, mut paths)| {
            paths.sort();
            paths.dedup();
            let new_use = grouped_use(
                &paths,
                newline,
                &line_span(text, item.syntax().text_range()).0,
            );
            sorted_insertion(item, &new_use, gone, text, newline)
        })
        .collect()
}

/// `use` items importing `paths` (sorted), one per module they name items
/// of: `use std::sync::{Mutex, RwLock};`, joined by line breaks.
fn grouped_use(paths: &[&str], newline: &str, indent: &str) -> String {
    let mut modules: Vec<(&str, Vec<&str>)> = Vec::new();
    for path in paths {
        let (module, item) = path.rsplit_once("::").unwrap_or(("", path));
        match modules.last_mut() {
            Some((m, items)) if *m == module => items.push(item),
            _ => modules.push((module, vec![item])),
        }
    }
    let lines: Vec<String> = modules
        .into_iter()
        .map(|(module, items)| match items.as_slice() {
            [one] => format!("use {module}::{one};"),
            many => format!("use {module}::{{{}}};", many.join(", ")),
        })
        .collect();
    lines.join(&format!("{newline}{indent}"))
}

/// The `use tokio::sync::..;` items to add, by the scope (the node around
/// the `use` items) that imported the names, a `use` being visible only in
/// its own scope, and by the visibility of the import they replace (`pub
/// use` re-exports).
fn new_uses(uses: &[ast::Use], change: &ImportChange) -> HashMap<(TextRange, String), String> {
    let mut adds: HashMap<(TextRange, String), Vec<&str>> = HashMap::new();
    for (tree, name) in &change.add {
        let item = uses
            .iter()
            .find(|u| u.syntax().text_range().contains_range(*tree));
        if let Some(item) = item {
            if let Some(scope) = item.syntax().parent() {
                adds.entry((scope.text_range(), visibility(item)))
                    .or_default()
                    .push(name);
            }
        }
    }
    adds.into_iter()
        .map(|((scope, vis), mut names)| {
            names.sort();
            names.dedup();
            let u = match names.as_slice() {
                [one] => format!("{vis}use tokio::sync::{one};"),
                many => format!("{vis}use tokio::sync::{{{}}};", many.join(", ")),
            };
            ((scope, vis), u)
        })
        .collect()
}

/// The visibility of a `use` item with the space after it (`pub `), or
/// nothing.
fn visibility(item: &ast::Use) -> String {
    item.visibility()
        .map(|v| format!("{} ", v.syntax().text()))
        .unwrap_or_default()
}

/// The item's list edits made into one edit of the whole `use` item, laid
/// out on one line as rustfmt lays out an import that fits (at most 100
/// columns, no nested group of several names), when it has no comments.
fn reflowed(item: &ast::Use, edits: Vec<Edit>, text: &str, indent: &str) -> Edit {
    let r = item.syntax().text_range();
    let local = edits
        .iter()
        .map(|e| Edit::new(e.range - r.start(), e.replacement.clone()))
        .collect();
    let new = edit::apply(&text[r], local).unwrap_or_else(|_| text[r].to_string());
    let has_comment = new.contains("//") || new.contains("/*");
    if !new.contains('\n') || has_comment || item.attrs().next().is_some() {
        return Edit::new(r, new);
    }
    let mut flat = String::new();
    for word in new.split_whitespace() {
        let glue = !flat.is_empty() && !flat.ends_with('{') && !word.starts_with('}');
        if glue {
            flat.push(' ');
        }
        flat.push_str(word);
    }
    let flat = flat.replace(",}", "}").replace(", }", "}");
    let nested_group = flat
        .match_indices('{')
        .skip(1)
        .any(|(i, _)| flat[i..].split('}').next().is_some_and(|g| g.contains(',')));
    let fits = indent.chars().count() + flat.chars().count() <= 100;
    match fits && !nested_group {
        true => Edit::new(r, flat),
        false => Edit::new(r, new),
    }
}

/// Where `new_use` goes so that `item`'s group of `use` items (neighbours
/// with no blank line or comment between them, which rustfmt sorts) stays
/// in rustfmt's order: before the first item that sorts after it, else after
/// the last. `None` when no item of the group stays.
fn sorted_insertion(
    item: &ast::Use,
    new_use: &str,
    gone: &HashSet<TextRange>,
    text: &str,
    newline: &str,
) -> Option<Edit> {
    let group: Vec<ast::Use> = group_of(item, text)
        .into_iter()
        .filter(|u| !gone.contains(&u.syntax().text_range()))
        .collect();
    let path = new_use.split_once("use ").map_or(new_use, |(_, p)| p);
    let key = sort_key(path.trim_end_matches(';'));
    let last = group.last()?;
    let item_key = |u: &ast::Use| {
        u.use_tree()
            .map(|t| sort_key(&t.syntax().text().to_string()))
    };
    match group.iter().find(|u| item_key(u).is_some_and(|k| k > key)) {
        Some(next) => {
            let (indent, lines) = line_span(text, next.syntax().text_range());
            let at = TextRange::empty(lines.start());
            let own_line = lines != next.syntax().text_range();
            Some(match own_line {
                true => Edit::new(at, format!("{indent}{new_use}{newline}")),
                false => Edit::new(
                    TextRange::empty(next.syntax().text_range().start()),
                    format!("{new_use}{newline}{indent}"),
                ),
            })
        }
        None => {
            let (indent, _) = line_span(text, last.syntax().text_range());
            Some(Edit::new(
                TextRange::empty(last.syntax().text_range().end()),
                format!("{newline}{indent}{new_use}"),
            ))
        }
    }
}

/// `item` and the `use` items around it with only one line break between
/// neighbours, in file order.
fn group_of(item: &ast::Use, text: &str) -> Vec<ast::Use> {
    let close = |a: &ast::Use, b: &ast::Use| {
        let gap = &text[TextRange::new(
            a.syntax().text_range().end(),
            b.syntax().text_range().start(),
        )];
        gap.trim().is_empty() && gap.matches('\n').count() <= 1
    };
    let mut before = Vec::new();
    let mut cur = item.clone();
    while let Some(prev) = cur.syntax().prev_sibling().and_then(ast::Use::cast) {
        if !close(&prev, &cur) {
            break;
        }
        before.push(prev.clone());
        cur = prev;
    }
    before.reverse();
    before.push(item.clone());
    let mut cur = item.clone();
    while let Some(next) = cur.syntax().next_sibling().and_then(ast::Use::cast) {
        if !close(&cur, &next) {
            break;
        }
        before.push(next.clone());
        cur = next;
    }
    before
}

/// One segment of an import path, in rustfmt's order (style editions up to
/// 2021): `self`, `super`, `crate`, names, `*`, `{..}` groups.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Segment {
    SelfKw,
    Super,
    Crate,
    /// snake_case before CamelCase before UPPER_SNAKE_CASE, then by text;
    /// the alias breaks ties.
    Name(u8, String, Option<String>),
    Glob,
    Group,
}

/// The sort key rustfmt gives a use tree (`std::sync::{Arc, Mutex}`).
fn sort_key(tree: &str) -> Vec<Segment> {
    let tree: String = tree.split_whitespace().collect::<Vec<_>>().join(" ");
    let tree = tree.trim_start_matches("::");
    let head = tree.split('{').next().unwrap_or_default();
    let mut out = Vec::new();
    for seg in head.split("::") {
        let (name, alias) = match seg.split_once(" as ") {
            Some((n, a)) => (n.trim(), Some(a.trim().to_string())),
            None => (seg.trim(), None),
        };
        out.push(match name {
            "" => continue,
            "self" => Segment::SelfKw,
            "super" => Segment::Super,
            "crate" => Segment::Crate,
            "*" => Segment::Glob,
            n => {
                let upper_snake = n.chars().all(|c| !c.is_lowercase());
                let class = match n.chars().next() {
                    _ if upper_snake && n.chars().any(char::is_uppercase) => 2,
                    Some(c) if c.is_uppercase() => 1,
                    _ => 0,
                };
                Segment::Name(class, n.to_string(), alias)
            }
        });
    }
    if tree.contains('{') {
        out.push(Segment::Group);
    }
    out
}

/// The lines of an item that goes, with the blank line after them where
/// a blank line (or the file's start) is before them: the gap it leaves
/// stays one blank line, not two (or one at the top).
fn with_blank_after(text: &str, lines: TextRange) -> TextRange {
    let (start, end) = (usize::from(lines.start()), usize::from(lines.end()));
    let gap_before =
        start == 0 || text[..start].ends_with("\n\n") || text[..start].ends_with("\n\r\n");
    let blank_after = ["\r\n", "\n"]
        .into_iter()
        .find(|nl| text[end..].starts_with(nl));
    match blank_after.filter(|_| gap_before && text[..end].ends_with('\n')) {
        Some(nl) => TextRange::new(lines.start(), TextSize::from((end + nl.len()) as u32)),
        None => lines,
    }
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
            moved: Vec::new(),
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

    #[test]
    fn the_new_import_is_sorted_into_its_group() {
        assert_eq!(
            rewrite(
                "use parking::Y;\nuse std::sync::{Arc, Mutex};\nuse std::thread;\nuse zed::Z;\n\nuse a::B;\n",
                &["Mutex"]
            ),
            "use parking::Y;\nuse std::sync::Arc;\nuse std::thread;\nuse tokio::sync::Mutex;\nuse zed::Z;\n\nuse a::B;\n"
        );
        assert_eq!(
            rewrite("use std::sync::Mutex;\nuse std::sync::Arc;\n", &["Mutex"]),
            "use std::sync::Arc;\nuse tokio::sync::Mutex;\n"
        );
    }

    #[test]
    fn rustfmt_order_puts_modules_before_types() {
        assert!(sort_key("std::sync::atomic::AtomicU8") < sort_key("std::sync::Arc"));
        assert!(sort_key("std::sync::Mutex as M") < sort_key("std::sync::MutexGuard"));
        assert!(sort_key("std::sync::RwLock") < sort_key("std::sync::{self, Arc}"));
        assert!(sort_key("crate::a") < sort_key("std::a"));
        assert!(sort_key("std::sync::Arc") < sort_key("std::sync::MAX"));
    }

    #[test]
    fn a_vertical_group_that_now_fits_goes_on_one_line() {
        assert_eq!(
            rewrite(
                "use std::{\n    collections::HashMap,\n    sync::{Arc, Mutex},\n};\n",
                &["Mutex"]
            ),
            "use std::{collections::HashMap, sync::Arc};\nuse tokio::sync::Mutex;\n"
        );
        // A nested group of several names stays vertical, as rustfmt keeps it.
        let nested = "use std::{\n    collections::HashMap,\n    sync::{Arc, Mutex, Weak},\n};\n";
        assert_eq!(
            rewrite(nested, &["Mutex"]),
            "use std::{\n    collections::HashMap,\n    sync::{Arc, Weak},\n};\nuse tokio::sync::Mutex;\n"
        );
    }

    #[test]
    fn a_moved_import_is_sorted_in_beside_its_glob() {
        let src =
            "use std::sync::{Arc, Mutex};\nmod tests {\n    use super::*;\n    use zed::Z;\n}\n";
        let file = SourceFile::parse(src, Edition::Edition2021).tree();
        let imports = Imports::collect(&file, src);
        let tree = |n: &str| imports.all().find(|i| i.local == n).unwrap().tree;
        let change = ImportChange {
            remove: vec![tree("Mutex")],
            add: vec![(tree("Mutex"), "Mutex".to_string())],
            moved: vec![(tree("*"), "std::sync::Mutex".to_string())],
        };
        assert_eq!(
            edit::apply(src, import_edits(&file, src, &change, "\n")).unwrap(),
            "use std::sync::Arc;\nuse tokio::sync::Mutex;\nmod tests {\n    use super::*;\n    use std::sync::Mutex;\n    use zed::Z;\n}\n"
        );
    }

    #[test]
    fn a_re_export_stays_a_re_export() {
        assert_eq!(
            rewrite(
                "pub use std::sync::Mutex;\nuse std::sync::RwLock;\n",
                &["Mutex", "RwLock"]
            ),
            "pub use tokio::sync::Mutex;\nuse tokio::sync::RwLock;\n"
        );
    }
}
