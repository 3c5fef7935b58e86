//! Declarations: fields, statics and aliases typed with a lock, and the
//! paths and constructors that name a lock type (locals and parameters are
//! `local_decls.rs`'s).

use super::*;

/// Is the declaration at `node` public in its file (code outside the crate
/// can name it if its module is reachable), and through which item? Exact
/// `pub` only: `pub(crate)`, `pub(super)` and `pub(in ..)` are private to
/// the crate. A field needs a `pub` struct (or enum, whose variant fields
/// are public); a method a `pub` fn in an inherent impl, or any fn of a
/// trait impl (its signature is the trait's); a trait's fn a `pub` trait.
/// Items inside fn bodies and `let` bindings are never public. The names
/// of the private inline modules around it come third: only a `pub use`
/// naming one can make it reachable.
pub fn api_visibility(node: &SyntaxNode) -> (bool, Option<String>, Vec<String>) {
    let is_pub = |n: &SyntaxNode| {
        n.children()
            .any(|c| c.kind() == SyntaxKind::VISIBILITY && c.text() == "pub")
    };
    let Some(item) = node.ancestors().find(|a| {
        matches!(
            a.kind(),
            SyntaxKind::STATIC
                | SyntaxKind::CONST
                | SyntaxKind::RECORD_FIELD
                | SyntaxKind::TUPLE_FIELD
                | SyntaxKind::FN
                | SyntaxKind::TYPE_ALIAS
                | SyntaxKind::LET_STMT
        )
    }) else {
        return (false, None, Vec::new());
    };
    let outer = || item.ancestors().skip(1);
    if item.kind() == SyntaxKind::LET_STMT
        || outer().any(|a| matches!(a.kind(), SyntaxKind::FN | SyntaxKind::BLOCK_EXPR))
    {
        return (false, None, Vec::new());
    }
    let mut private_mods: Vec<String> = outer()
        .filter(|a| a.kind() == SyntaxKind::MODULE && !is_pub(a))
        .filter_map(|m| item_name(&m))
        .collect();
    private_mods.reverse();
    let container = outer().find(|a| {
        matches!(
            a.kind(),
            SyntaxKind::STRUCT
                | SyntaxKind::UNION
                | SyntaxKind::ENUM
                | SyntaxKind::IMPL
                | SyntaxKind::TRAIT
        )
    });
    let item_pub = is_pub(&item);
    let (public, name) = match container {
        None => (item_pub, item_name(&item)),
        Some(c) => match c.kind() {
            SyntaxKind::ENUM => (is_pub(&c), item_name(&c)),
            SyntaxKind::TRAIT => (is_pub(&c), item_name(&c)),
            SyntaxKind::IMPL => {
                let trait_impl = ast::Impl::cast(c.clone()).is_some_and(|i| i.trait_().is_some());
                (item_pub || trait_impl, impl_type(&item))
            }
            _ => (item_pub && is_pub(&c), item_name(&c)),
        },
    };
    (public, name, private_mods)
}

/// `type Target = Inner;` of an `impl Deref for Env`: `(Env, Inner)`, the
/// type's name without the pointers around it (`Arc<Inner>` is `Inner`).
fn deref_target(alias: &ast::TypeAlias) -> Option<(String, String)> {
    if alias.name()?.text() != "Target" {
        return None;
    }
    let imp = alias
        .syntax()
        .parent()?
        .parent()
        .and_then(ast::Impl::cast)?;
    let trait_path = imp
        .trait_()?
        .syntax()
        .descendants()
        .find_map(ast::Path::cast)?;
    if segments(&trait_path)?.last()? != "Deref" {
        return None;
    }
    let target = alias
        .ty()?
        .syntax()
        .descendants()
        .filter_map(ast::NameRef::cast)
        .map(|n| n.text().to_string())
        .find(|n| {
            !matches!(
                n.as_str(),
                "Arc" | "Rc" | "Box" | "std" | "sync" | "rc" | "boxed"
            )
        })?;
    Some((impl_type(alias.syntax())?, target))
}

impl Extractor<'_> {
    /// The lock type a path names; paths whose last segment cannot name one
    /// are rejected before any allocation.
    /// Is the declared type at `node` (a type, or a static's or `let`'s) a
    /// std or parking_lot lock, itself or behind `&`, `Arc`, `Rc`, `Box`,
    /// `LazyLock` or `Lazy`?
    pub(super) fn direct_lock(&self, node: &SyntaxNode) -> bool {
        let ty = match node.kind() {
            SyntaxKind::STATIC | SyntaxKind::CONST => node.children().find_map(ast::Type::cast),
            SyntaxKind::LET_STMT => ast::LetStmt::cast(node.clone()).and_then(|l| l.ty()),
            _ => ast::Type::cast(node.clone()),
        };
        let mut ty = ty;
        for _ in 0..8 {
            ty = match ty {
                Some(ast::Type::RefType(r)) => r.ty(),
                Some(ast::Type::PathType(p)) => {
                    let Some(path) = p.path() else { return false };
                    if self
                        .lock_type(&path)
                        .is_some_and(|(f, l)| f != Family::Tokio && !l.is_guard())
                    {
                        return true;
                    }
                    let Some(seg) = path.segment() else {
                        return false;
                    };
                    let pointer = seg.name_ref().is_some_and(|n| {
                        ["Arc", "Rc", "Box", "LazyLock", "Lazy"].contains(&n.text())
                    });
                    if !pointer {
                        return false;
                    }
                    ast::HasGenericArgs::generic_arg_list(&seg)
                        .and_then(|g| g.generic_args().next())
                        .and_then(|a| match a {
                            ast::GenericArg::TypeArg(t) => t.ty(),
                            _ => None,
                        })
                }
                _ => return false,
            };
        }
        false
    }

    pub(super) fn lock_type(&self, path: &ast::Path) -> Option<(Family, LockType)> {
        let name = path.segment()?.name_ref()?;
        if !self.lock_names.contains(name.text()) {
            return None;
        }
        classify(
            &self
                .imports
                .resolve(&segments(path)?, self.offset_of(path.syntax())),
        )
    }

    pub(super) fn visit_path(&mut self, path: &ast::Path, anchor: &SyntaxNode, shift: u32) {
        let named = path
            .segment()
            .and_then(|s| s.name_ref())
            .is_some_and(|n| self.lock_names.contains(n.text()));
        if !named {
            return;
        }
        if path
            .syntax()
            .ancestors()
            .any(|a| a.kind() == SyntaxKind::USE)
        {
            return;
        }
        let Some(segs) = segments(path) else { return };
        let import = (segs.len() == 1 && path.qualifier().is_none())
            .then(|| {
                self.imports
                    .import_for(&segs[0], self.offset_of(path.syntax()))
            })
            .flatten();
        if let Some(import) = import.filter(|i| tracked_import(&i.path)) {
            let name_range = path
                .segment()
                .and_then(|s| s.name_ref())
                .map(|n| n.syntax().text_range());
            let offset = self.offset_of(path.syntax());
            self.facts.name_uses.push(NameUse {
                import: import.tree,
                name: segs[0].clone(),
                range: name_range.unwrap_or(path.syntax().text_range()) + TextSize::from(shift),
                test_glob: self.test_glob(&segs[0], offset),
            });
        }
        let Some((family, lock)) = self.lock_type(path) else {
            return;
        };
        if family == Family::Tokio {
            return;
        }
        // `Mutex<u64>`: the path without its generic arguments.
        let Some(name_end) = path
            .segment()
            .and_then(|s| s.name_ref())
            .map(|n| n.syntax().text_range().end())
        else {
            return;
        };
        let range = TextRange::new(path.syntax().text_range().start(), name_end);
        let owners = if shift == 0 {
            self.owners(path.syntax())
        } else {
            self.macro_argument_owner(path, anchor)
                .into_iter()
                .collect()
        };
        let const_new = (shift == 0).then(|| self.const_new_segment(path)).flatten();
        self.facts.refs.push(RefFact {
            range: range + TextSize::from(shift),
            family,
            lock,
            via_import: import.map(|i| i.tree),
            owners,
            const_new,
        });
    }

    /// `f(Mutex::new(..))`, `f(Arc::new(RwLock::default()))` in a macro's
    /// arguments (`assert_eq!(f(Mutex::new(1)).await, 1)`): the parameter
    /// a constructor of the lock `path` names is handed to, which owns it.
    /// Nothing else in a macro is an owner.
    fn macro_argument_owner(&self, path: &ast::Path, anchor: &SyntaxNode) -> Option<Target> {
        let constructor = ast::Path::cast(path.syntax().parent()?)?;
        let callee = ast::PathExpr::cast(constructor.syntax().parent()?)?;
        let mut value = ast::CallExpr::cast(callee.syntax().parent()?)?
            .syntax()
            .clone();
        loop {
            let up = value.parent()?;
            match up.kind() {
                SyntaxKind::REF_EXPR | SyntaxKind::PAREN_EXPR => value = up,
                // An element of `vec![..]` (parsed as an array): the
                // vector's owner.
                SyntaxKind::ARRAY_EXPR => {
                    let mac = ast::MacroCall::cast(anchor.clone())?;
                    let vec = mac.path().is_some_and(|p| p.syntax().text() == "vec");
                    let whole = up
                        .parent()
                        .is_some_and(|s| s.kind() == SyntaxKind::EXPR_STMT);
                    return (vec && whole)
                        .then(|| self.owners(anchor).into_iter().next())
                        .flatten();
                }
                SyntaxKind::ARG_LIST => {
                    let call = up.parent()?;
                    match callee_name(&call).as_deref() {
                        Some(MACRO_WRAPPER) => return None,
                        // `Arc::new(Mutex::new(..))`: the pointer is the argument.
                        Some("new") if points_to_value(&call) => value = call,
                        _ => return self.param_target(&up, &value, anchor),
                    }
                }
                _ => return None,
            }
        }
    }

    /// `Mutex::new(..)` as the whole value (or inside struct literals, arrays and
    /// tuples) of a static or const: `new` must become `const_new`.
    pub(super) fn const_new_segment(&self, path: &ast::Path) -> Option<TextRange> {
        let parent = ast::Path::cast(path.syntax().parent()?)?;
        let seg = parent.segment()?;
        if seg.name_ref()?.text() != "new" {
            return None;
        }
        // Anywhere in a `const fn` (outside closures): `Mutex::new` there
        // must stay const.
        let const_fn = parent
            .syntax()
            .ancestors()
            .take_while(|a| a.kind() != SyntaxKind::CLOSURE_EXPR)
            .find_map(ast::Fn::cast)
            .is_some_and(|f| f.const_token().is_some());
        if const_fn {
            return Some(seg.syntax().text_range());
        }
        let mut node = parent.syntax().parent()?; // PATH_EXPR
        loop {
            let up = node.parent()?;
            match up.kind() {
                SyntaxKind::STATIC | SyntaxKind::CONST => return Some(seg.syntax().text_range()),
                SyntaxKind::CALL_EXPR
                | SyntaxKind::ARG_LIST
                | SyntaxKind::RECORD_EXPR_FIELD
                | SyntaxKind::RECORD_EXPR_FIELD_LIST
                | SyntaxKind::RECORD_EXPR
                | SyntaxKind::ARRAY_EXPR
                | SyntaxKind::TUPLE_EXPR
                | SyntaxKind::PAREN_EXPR => node = up,
                _ => return None,
            }
        }
    }

    pub(super) fn lock_in_type(&self, ty: &SyntaxNode) -> Option<(Family, LockType)> {
        ty.descendants()
            .filter_map(ast::Path::cast)
            .filter_map(|p| self.lock_type(&p))
            .find(|(f, l)| *f != Family::Tokio && !l.is_guard())
    }

    /// The std or parking_lot guard a type names, as the lock it guards.
    pub(super) fn guard_in_type(&self, ty: &SyntaxNode) -> Option<(Family, LockType)> {
        ty.descendants()
            .filter_map(ast::Path::cast)
            .filter_map(|p| self.lock_type(&p))
            .find(|(f, l)| *f != Family::Tokio && l.is_guard())
            .map(|(f, l)| {
                let lock = if l == LockType::MutexGuard {
                    LockType::Mutex
                } else {
                    LockType::RwLock
                };
                (f, lock)
            })
    }

    /// Does a type name a lock of another library (`async_lock::Mutex`)?
    pub(super) fn other_lock_in_type(&self, ty: &SyntaxNode) -> bool {
        ty.descendants().filter_map(ast::Path::cast).any(|p| {
            p.segment()
                .and_then(|s| s.name_ref())
                .is_some_and(|n| ["Mutex", "RwLock"].contains(&n.text()))
                && self.lock_type(&p).is_none()
        })
    }

    pub(super) fn type_names(ty: &SyntaxNode) -> Vec<String> {
        ty.descendants()
            .filter_map(ast::NameRef::cast)
            .map(|n| n.text().to_string())
            .filter(|n| n.starts_with(|c: char| c.is_ascii_uppercase()))
            .collect()
    }

    pub(super) fn push_decl(
        &mut self,
        key: DeclKey,
        display: String,
        node: &SyntaxNode,
        name_range: TextRange,
    ) {
        let lock = self.lock_in_type(node);
        self.push_decl_as(key, display, node, name_range, lock);
    }

    /// [`Self::push_decl`], of a lock `lock` (a type the node's paths may
    /// not show: `vec![Mutex::new(0)]`).
    pub(super) fn push_decl_as(
        &mut self,
        key: DeclKey,
        display: String,
        node: &SyntaxNode,
        name_range: TextRange,
        lock: Option<(Family, LockType)>,
    ) {
        let names = Self::type_names(node);
        let Some((family, lock)) = lock else {
            // Maybe a lock type alias; the crate-wide index decides.
            if !names.is_empty() {
                self.facts.decls.push(DeclFact {
                    key,
                    display,
                    lock: LockType::Mutex,
                    family: Family::Tokio, // placeholder: not a lock unless an alias says so
                    range: name_range,
                    blockers: Vec::new(),
                    unsafe_premise: None,
                    type_names: names,
                    public: false,
                    api_item: None,
                    private_mods: Vec::new(),
                    exported: false,
                    guard: false,
                    direct: false,
                    module: inline_modules(node),
                });
            }
            return;
        };
        let mut blockers = Vec::new();
        if let Some(f) = node.descendants().filter_map(ast::NameRef::cast).find(|n| {
            matches!(
                n.text(),
                "const_mutex" | "const_fair_mutex" | "const_rwlock" | "const_reentrant_mutex"
            )
        }) {
            blockers.push(format!(
                "it is built with parking_lot's `{}`, which the rewrite does not translate",
                f.text()
            ));
        }
        if names.iter().any(|n| n == "Condvar") {
            blockers
                .push("it is paired with a `Condvar`, which has no tokio equivalent".to_string());
        }
        let (public, api_item, private_mods) = api_visibility(node);
        let direct = self.direct_lock(node);
        self.facts.decls.push(DeclFact {
            key,
            display,
            lock,
            family,
            range: name_range,
            blockers,
            unsafe_premise: None,
            type_names: names,
            public,
            api_item,
            private_mods,
            exported: false,
            guard: false,
            direct,
            module: inline_modules(node),
        });
    }

    /// A struct or variant field, named (`m: Mutex<T>`) or positional
    /// (`struct Shared(Mutex<T>)`, whose field is `0`).
    pub(super) fn visit_record_field(&mut self, node: &SyntaxNode) {
        let (name_range, ty) = match ast::RecordField::cast(node.clone()) {
            Some(field) => (field.name().map(|n| n.syntax().text_range()), field.ty()),
            None => {
                let field = ast::TupleField::cast(node.clone()).unwrap();
                (field.ty().map(|t| t.syntax().text_range()), field.ty())
            }
        };
        let (Some(key), Some(name_range), Some(ty)) = (field_key(node), name_range, ty) else {
            return;
        };
        let DeclKey::Field { owner, name } = &key else {
            unreachable!("field_key makes field keys")
        };
        let (owner, name) = (owner.to_string(), name.to_string());
        self.facts.struct_fields.push((owner.clone(), name.clone()));
        if let Some(of) = type_name(ty.syntax()) {
            self.facts
                .field_types
                .push((owner.clone(), name.clone(), of));
        }
        if ty
            .syntax()
            .descendants()
            .filter_map(ast::Path::cast)
            .any(|p| {
                self.lock_type(&p)
                    .is_some_and(|(f, l)| f == Family::Std && l.is_guard())
            })
        {
            self.facts.file_blockers.push(FileBlocker {
                reason: format!("a std lock guard is stored in `{owner}`"),
                range: name_range,
            });
        }
        self.push_decl(key, format!("`{owner}.{name}`"), ty.syntax(), name_range);
        if let Some(owner_type) = debug_asserted_in_tests(node) {
            if let Some(d) = self
                .facts
                .decls
                .last_mut()
                .filter(|d| d.range == name_range)
            {
                d.unsafe_premise = Some(format!(
                    "`{owner_type}` derives `Debug`, and a test of this file asserts `Debug` output that names it: tokio's lock prints differently (no `poisoned` field)"
                ));
            }
        }
        if let Some(derive) = foreign_derive(node) {
            if let Some(d) = self
                .facts
                .decls
                .last_mut()
                .filter(|d| d.range == name_range)
            {
                d.blockers.push(format!(
                    "`{owner}` derives `{derive}`, which tokio's lock does not implement"
                ));
            }
        }
    }

    pub(super) fn visit_static(&mut self, node: &SyntaxNode) {
        let Some(name) = item_name(node) else { return };
        let name_range = node
            .children()
            .find(|c| c.kind() == SyntaxKind::NAME)
            .map(|n| n.text_range());
        let Some(name_range) = name_range else { return };
        let kind = if node.kind() == SyntaxKind::STATIC {
            "static"
        } else {
            "const"
        };
        self.push_decl(
            self.static_key(node, &name),
            format!("{kind} `{name}`"),
            node,
            name_range,
        );
    }

    pub(super) fn visit_type_alias(&mut self, node: &SyntaxNode) {
        let alias = ast::TypeAlias::cast(node.clone()).unwrap();
        let (Some(name), Some(ty)) = (alias.name(), alias.ty()) else {
            return;
        };
        if let Some(deref) = deref_target(&alias) {
            self.facts.derefs.push(deref);
        }
        self.push_decl(
            DeclKey::Alias(name.text().into()),
            format!("type `{}`", name.text()),
            ty.syntax(),
            name.syntax().text_range(),
        );
    }

    /// A static's or const's key: an item of a block (`fn f() { static
    /// CACHE: .. }`) is seen only in that block, so it is keyed by its place,
    /// as a local is; one of a module by its name.
    pub(super) fn static_key(&self, node: &SyntaxNode, name: &str) -> DeclKey {
        match node.parent().map(|p| p.kind()) {
            Some(SyntaxKind::STMT_LIST) => DeclKey::Local {
                file: self.file_id,
                offset: node.text_range().start().into(),
            },
            _ => DeclKey::Static(name.into()),
        }
    }

    /// What the static or const `name` used at `anchor` is: the item of the
    /// nearest block around it that declares one, else a module's.
    pub(super) fn static_target(&self, name: &str, anchor: &SyntaxNode) -> Target {
        let block_item = anchor
            .ancestors()
            .filter(|a| a.kind() == SyntaxKind::STMT_LIST)
            .find_map(|list| {
                list.children().find(|c| {
                    matches!(c.kind(), SyntaxKind::STATIC | SyntaxKind::CONST)
                        && item_name(c).as_deref() == Some(name)
                })
            });
        match block_item {
            Some(item) => Target::Key(self.static_key(&item, name)),
            None => Target::Static(name.to_string()),
        }
    }
}

/// A derive of the struct or enum around a field that tokio's `Mutex` and
/// `RwLock` do not implement where std's may (serde's `Serialize` and
/// `Deserialize`, a crate's own derive), also under `cfg_attr`. `Debug` and
/// `Default` both implement; `Clone` and `Copy` hold only through a pointer
/// (`Arc<Mutex<T>>`), which stays one. A field under `#[serde(skip)]` is not
/// serialized.
fn foreign_derive(field: &SyntaxNode) -> Option<String> {
    const BOTH: &[&str] = &["Debug", "Default", "Clone", "Copy"];
    let adt = field.ancestors().find_map(ast::Adt::cast)?;
    let attr_text = |n: &SyntaxNode| -> Vec<String> {
        n.children()
            .filter_map(ast::Attr::cast)
            .map(|a| a.syntax().text().to_string())
            .collect()
    };
    let serde_skip = attr_text(field).iter().any(|a| {
        let a: String = a.split_whitespace().collect();
        a.contains("serde(")
            && a.split(|c: char| !c.is_alphanumeric() && c != '_')
                .any(|t| t == "skip")
    });
    for attr in attr_text(adt.syntax()) {
        let mut rest = attr.as_str();
        while let Some(at) = rest.find("derive") {
            rest = &rest[at + "derive".len()..];
            let Some(list) = rest.trim_start().strip_prefix('(') else {
                continue;
            };
            let list = list.split(')').next().unwrap_or_default();
            for item in list.split(',') {
                let name = item.trim().rsplit("::").next().unwrap_or_default().trim();
                if name.is_empty() || BOTH.contains(&name) {
                    continue;
                }
                if serde_skip && matches!(name, "Serialize" | "Deserialize") {
                    continue;
                }
                return Some(name.to_string());
            }
        }
    }
    None
}

/// The struct or enum around a lock field, where it derives `Debug` and a
/// test of the file asserts `Debug` output in a test fn that names it
/// (`assert_eq!(format!("{s:?}"), ..)`, `assert_debug_snapshot!`): what the
/// migration changes there (`Mutex { data: 2, poisoned: false, .. }` becomes
/// `Mutex { data: 2 }`) is what the test checks.
fn debug_asserted_in_tests(field: &SyntaxNode) -> Option<String> {
    let adt = field.ancestors().find_map(ast::Adt::cast)?;
    let name = adt.name()?.text().to_string();
    let derives_debug = ast::HasAttrs::attrs(&adt).any(|a| {
        let text = a.syntax().text().to_string();
        text.contains("derive")
            && text
                .split(|c: char| !c.is_alphanumeric())
                .any(|t| t == "Debug")
    });
    if !derives_debug {
        return None;
    }
    let root = field.ancestors().last()?;
    let asserts_debug = DEBUG_ASSERTS.with_borrow_mut(|by_root| {
        by_root
            .entry(root)
            .or_insert_with_key(debug_asserting_tests)
            .iter()
            .any(|text| {
                text.split(|c: char| !c.is_alphanumeric() && c != '_')
                    .any(|t| t == name)
            })
    });
    asserts_debug.then_some(name)
}

thread_local! {
    /// Per tree (the file's, or a macro's tokens parsed): the texts of
    /// `debug_asserting_tests`, read once for the tree's fields instead of
    /// once per field. Cleared when a file's walk ends (`forget_trees`).
    static DEBUG_ASSERTS: std::cell::RefCell<std::collections::HashMap<SyntaxNode, Vec<String>>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

/// The test fns under `root` that assert `Debug` output
/// (`assert_eq!(format!("{s:?}"), ..)`, `assert_debug_snapshot!`), as
/// text.
fn debug_asserting_tests(root: &SyntaxNode) -> Vec<String> {
    root.descendants()
        .filter_map(ast::Fn::cast)
        .filter(|f| super::context::in_test_code(f.syntax()))
        .map(|f| f.syntax().text().to_string())
        .filter(|text| {
            let debug_format = text.contains(":?}") || text.contains(":#?}");
            let asserted = text.contains("assert");
            (debug_format && asserted) || text.contains("assert_debug_snapshot")
        })
        .collect()
}

/// Drops what `debug_asserted_in_tests` read of the trees walked so far,
/// and the trees it held.
pub(super) fn forget_trees() {
    DEBUG_ASSERTS.with_borrow_mut(std::collections::HashMap::clear);
}

/// `Arc::new(..)`, `Rc::new(..)`, `Box::new(..)`: a pointer to the value
/// it is handed.
fn points_to_value(call: &SyntaxNode) -> bool {
    let Some(ast::Expr::PathExpr(pe)) = ast::CallExpr::cast(call.clone()).and_then(|c| c.expr())
    else {
        return false;
    };
    let segs = pe.path().and_then(|p| segments(&p)).unwrap_or_default();
    matches!(segs.as_slice(), [.., ty, _] if matches!(ty.as_str(), "Arc" | "Rc" | "Box"))
}

#[cfg(test)]
mod tests {
    use crate::driver::test_support::check_fix;

    #[test]
    fn a_constructor_handed_to_a_migrating_parameter_in_a_macro_follows_it() {
        check_fix(
            r#"use std::sync::{Arc, Mutex};

fn bump(hits: &Mutex<u32>) -> u32 {
    *hits.lock().unwrap() + 1
}

async fn owned(count: Mutex<u64>) -> u64 {
    let value = *count.lock().unwrap();
    value
}

async fn shared(count: Arc<Mutex<u64>>) -> u64 {
    let value = *count.lock().unwrap();
    value
}

async fn borrowed(count: &Mutex<u64>) -> u64 {
    let value = *count.lock().unwrap();
    value
}

#[tokio::main]
async fn main() {
    assert_eq!(owned(Mutex::new(1)).await, 1);
    println!("{} {}", shared(Arc::new(Mutex::default())).await, bump(&Mutex::new(0)));
    println!("{}", borrowed(&Mutex::new(2)).await);
}
"#,
            r#"use std::sync::{Arc, Mutex};

fn bump(hits: &Mutex<u32>) -> u32 {
    *hits.lock().unwrap() + 1
}

async fn owned(count: tokio::sync::Mutex<u64>) -> u64 {
    let value = *count.lock().await;
    value
}

async fn shared(count: Arc<tokio::sync::Mutex<u64>>) -> u64 {
    let value = *count.lock().await;
    value
}

async fn borrowed(count: &tokio::sync::Mutex<u64>) -> u64 {
    let value = *count.lock().await;
    value
}

#[tokio::main]
async fn main() {
    assert_eq!(owned(tokio::sync::Mutex::new(1)).await, 1);
    println!("{} {}", shared(Arc::new(tokio::sync::Mutex::default())).await, bump(&Mutex::new(0)));
    println!("{}", borrowed(&tokio::sync::Mutex::new(2)).await);
}
"#,
        );
    }
}
