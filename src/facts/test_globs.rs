//! Test modules' `use super::*`: where a std import that only tests still
//! need after a migration can move (see [`NameUse::test_glob`]). The glob
//! must stay used once the import moves: the module must name some other
//! item of its parent through it.

use super::*;

impl Extractor<'_> {
    /// The `use super::*` of a `#[cfg(test)]` module through which `name` at
    /// `offset` comes in.
    pub(super) fn test_glob(&self, name: &str, offset: TextSize) -> Option<TestGlob> {
        let tree = self.imports.super_glob_for(name, offset)?;
        if let Some(known) = self.test_globs.borrow().get(&tree) {
            return *known;
        }
        let found = self.test_module_glob(tree);
        self.test_globs.borrow_mut().insert(tree, found);
        found
    }

    /// `glob` as the `use super::*` of an inline module in test-only code,
    /// with whether the module names, through it, an item its parent
    /// declares or imports (not one of the std imports a migration may
    /// move).
    fn test_module_glob(&self, glob: TextRange) -> Option<TestGlob> {
        let node = match self.root.covering_element(glob) {
            ra_ap_syntax::NodeOrToken::Node(node) => node,
            ra_ap_syntax::NodeOrToken::Token(token) => token.parent()?,
        };
        let item = node.ancestors().find_map(ast::Use::cast)?;
        let list = item.syntax().parent()?;
        let module = list.parent().and_then(ast::Module::cast)?;
        let parent = module.syntax().parent()?;
        if !in_test_code(item.syntax()) {
            return None;
        }
        let mut parents: HashSet<String> = declared_names(&parent);
        parents.extend(
            self.imports
                .named_at(module.syntax().text_range().start())
                .filter(|i| !tracked_import(&i.path))
                .map(|i| i.local.clone()),
        );
        let own = declared_names(&list);
        let names_other_items = list
            .descendants()
            .filter_map(ast::Path::cast)
            .filter(|p| p.qualifier().is_none() && names_an_item(p))
            .filter_map(|p| p.segment()?.name_ref())
            .any(|name| {
                let text = name.text().to_string();
                parents.contains(&text)
                    && !own.contains(&text)
                    && self
                        .imports
                        .super_glob_for(&text, name.syntax().text_range().start())
                        == Some(glob)
            });
        Some(TestGlob {
            tree: glob,
            names_other_items,
        })
    }
}

/// The names of the items a module (its file or item list) declares, but
/// `macro_rules!` (not brought in by a glob).
fn declared_names(items: &SyntaxNode) -> HashSet<String> {
    items
        .children()
        .filter(|c| c.kind() != SyntaxKind::MACRO_RULES)
        .filter_map(ast::AnyHasName::cast)
        .filter_map(|n| n.name())
        .map(|n| n.text().to_string())
        .collect()
}

/// Does the first segment of a path name an item, not possibly a local:
/// the head of a longer path, a type, a struct literal or pattern, or a
/// called fn (no `use` item's path).
fn names_an_item(first: &ast::Path) -> bool {
    let outer = first
        .syntax()
        .ancestors()
        .take_while(|a| a.kind() == SyntaxKind::PATH)
        .last();
    let Some(outer) = outer else { return false };
    if &outer != first.syntax() {
        return outer.ancestors().all(|a| a.kind() != SyntaxKind::USE);
    }
    let Some(holder) = outer.parent() else {
        return false;
    };
    match holder.kind() {
        SyntaxKind::PATH_TYPE
        | SyntaxKind::RECORD_EXPR
        | SyntaxKind::RECORD_PAT
        | SyntaxKind::TUPLE_STRUCT_PAT => true,
        SyntaxKind::PATH_EXPR => ast::CallExpr::cast(holder.parent().unwrap_or(holder.clone()))
            .and_then(|c| c.expr())
            .is_some_and(|callee| callee.syntax() == &holder),
        _ => false,
    }
}
