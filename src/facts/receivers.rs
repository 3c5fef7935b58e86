//! Receivers of the crate's own types: what a file shows of the type of a
//! method call's receiver, where that type is one the crate defines (or a
//! `dyn Trait`, `impl Trait` or generic `T: Trait` of the crate's traits),
//! for AW205 to follow sync method calls (`pool.get()`, `self.journal.flush()`,
//! `store.load(k)` on a `&dyn Store`). The types the crate defines, its trait
//! impls and its fields' types are facts too, so that the crate-wide pass
//! resolves a receiver across files (see `rules::blocking_helper`).
//!
//! Unknown stays unknown: a receiver whose type the file does not show, or
//! shows to be another crate's (`Vec`, `HashMap`, `AtomicUsize`), has none,
//! so a std method of a common name (`get`, `join`, `flush`, `load`) is
//! never taken for the crate's.

use std::collections::HashSet;

use ra_ap_syntax::ast::{HasGenericParams, HasTypeBounds};

use super::*;

/// A receiver of the crate's own types, as far as its file shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OwnReceiver {
    /// A value of a type whose path resolves into the crate (its last
    /// segment: `Pool` of `pool: &Pool`, `let pool = Pool::new(..)`,
    /// `Arc<crate::pool::Pool>`); the crate-wide pass checks the crate
    /// defines it.
    Type(Name),
    /// A `dyn Trait`, `impl Trait` or generic `T: Trait` (`where T: Trait`):
    /// any impl of these traits (the crate's, by name) may be called.
    Traits(Box<[Name]>),
    /// The value of field `fields[n - 1]` of .. of field `fields[0]` of a
    /// value of type `root` (`self.journal` in `impl Server`): the fields'
    /// declared types (`FileFacts::field_receivers`) resolve it.
    Field { root: Name, fields: Box<[Name]> },
    /// The value a fn of the crate returns: method `name` of a value `of`
    /// (`builder.build()`, `Pool::builder()`), or free fn `name`
    /// (`make_pool(..)`); its declared return type (`FnDef::returns`)
    /// resolves it. `unwrapped`: taken out of the `Result` or `Option` the
    /// fn returns by `?`, `.unwrap()` or `.expect(..)`.
    Returned {
        of: Option<Box<OwnReceiver>>,
        name: Name,
        unwrapped: bool,
    },
}

impl OwnReceiver {
    /// The field chain the value is reached from, if any (`self.map` of
    /// `self.map.get(k).cloned()`).
    fn root_field(&self) -> Option<(&Name, &Name)> {
        match self {
            OwnReceiver::Field { root, fields } => Some((root, &fields[0])),
            OwnReceiver::Returned { of: Some(of), .. } => of.root_field(),
            _ => None,
        }
    }
}

/// A value of a crate type bound to a local in async code: its `Drop`, if
/// it has one, runs in that async code where the local goes out of scope.
#[derive(Clone, Debug)]
pub struct AsyncValue {
    /// The type's last segment.
    pub ty: Name,
    /// The expression that makes it (`Scratch::new("x")`).
    pub range: TextRange,
    pub in_fn: Option<FnId>,
}

/// Types and traits of std's prelude: a path naming one the file does not
/// import resolves into the crate, yet is std's.
const PRELUDE: &[&str] = &[
    "Box",
    "String",
    "Vec",
    "Option",
    "Result",
    "Some",
    "Ok",
    "Err",
    "Send",
    "Sync",
    "Sized",
    "Unpin",
    "Copy",
    "Clone",
    "Default",
    "Drop",
    "Eq",
    "PartialEq",
    "Ord",
    "PartialOrd",
    "Fn",
    "FnMut",
    "FnOnce",
    "Iterator",
    "IntoIterator",
    "Extend",
    "ToString",
    "ToOwned",
    "AsRef",
    "AsMut",
    "Into",
    "From",
    "TryFrom",
    "TryInto",
    "FromIterator",
    "DoubleEndedIterator",
    "ExactSizeIterator",
    "Debug",
    "Hash",
];

/// Pointers a method call looks through to the value they point to.
const DEREF_POINTERS: &[&str] = &["Arc", "Rc", "Box"];

/// Associated fns that make a value of their type (`Pool::new(2)`), as far
/// as a name says: others (`Pool::builder()`, `Pool::open(p)?`) may return
/// anything.
fn constructor(name: &str) -> bool {
    matches!(name, "new" | "default" | "from")
        || name.starts_with("new_")
        || name.starts_with("with_")
}

impl Extractor<'_> {
    /// What the file shows of the receiver of the method call `node`, among
    /// the crate's own types (see [`OwnReceiver`]).
    pub(super) fn own_call_receiver(
        &self,
        node: &SyntaxNode,
        anchor: &SyntaxNode,
        shift: u32,
    ) -> Option<OwnReceiver> {
        let recv = ast::MethodCallExpr::cast(node.clone())?.receiver()?;
        let scope = if shift == 0 { node } else { anchor };
        self.own_receiver(&recv, scope, 0)
    }

    /// What `expr` is among the crate's own types, looked up from `anchor`.
    pub(super) fn own_receiver(
        &self,
        expr: &ast::Expr,
        anchor: &SyntaxNode,
        depth: u32,
    ) -> Option<OwnReceiver> {
        if depth > 8 {
            return None;
        }
        if !matches!(expr, ast::Expr::MethodCallExpr(_) | ast::Expr::CallExpr(_)) {
            return self.own_receiver_of(expr, anchor, depth);
        }
        if let Some(own) = self.own_calls.borrow().get(expr.syntax()) {
            return own.clone();
        }
        let own = self.own_receiver_of(expr, anchor, depth);
        self.own_calls
            .borrow_mut()
            .insert(expr.syntax().clone(), own.clone());
        own
    }

    fn own_receiver_of(
        &self,
        expr: &ast::Expr,
        anchor: &SyntaxNode,
        depth: u32,
    ) -> Option<OwnReceiver> {
        match expr {
            ast::Expr::ParenExpr(e) => self.own_receiver(&e.expr()?, anchor, depth + 1),
            ast::Expr::RefExpr(e) => self.own_receiver(&e.expr()?, anchor, depth + 1),
            // `Arc::clone`, or the value's own `Clone`: the same type.
            ast::Expr::MethodCallExpr(mc) if mc.name_ref()?.text() == "clone" => {
                self.own_receiver(&mc.receiver()?, anchor, depth + 1)
            }
            ast::Expr::MethodCallExpr(mc) => {
                let of = self.own_receiver(&mc.receiver()?, anchor, depth + 1)?;
                let name = mc.name_ref()?;
                match name.text() {
                    "unwrap" | "expect" => unwrapped(of),
                    name => Some(OwnReceiver::Returned {
                        of: Some(Box::new(of)),
                        name: name.into(),
                        unwrapped: false,
                    }),
                }
            }
            ast::Expr::TryExpr(e) => unwrapped(self.own_receiver(&e.expr()?, anchor, depth + 1)?),
            ast::Expr::AwaitExpr(e) => self.own_receiver(&e.expr()?, anchor, depth + 1),
            ast::Expr::PathExpr(p) => {
                let name = p.path()?.as_single_name_ref()?;
                if name.text() == "self" {
                    return impl_type(anchor).map(|t| OwnReceiver::Type(t.into()));
                }
                match find_binding(name.text(), anchor) {
                    Binding::Let(l) => match l.ty() {
                        Some(ty) => self.own_type_of(&ty, l.syntax()),
                        None => self.own_receiver(&l.initializer()?, l.syntax(), depth + 1),
                    },
                    Binding::Param(f, _, param) => self.own_type_of(&param.ty()?, f.syntax()),
                    _ => None,
                }
            }
            ast::Expr::CallExpr(call) => {
                let ast::Expr::PathExpr(p) = call.expr()? else {
                    return None;
                };
                let path = p.path()?;
                let name = path.segment()?.name_ref()?;
                // A tuple struct's constructor: `Scratch(dir)`.
                if name.text().starts_with(|c: char| c.is_ascii_uppercase()) {
                    return self.own_path_type(&path, anchor).map(OwnReceiver::Type);
                }
                if !constructor(name.text()) {
                    // Another fn of the crate: what it is declared to return.
                    let key = self.callee_key(call.syntax(), anchor, name.text())?;
                    let of = match (&key.ty, path.qualifier()) {
                        (Some(_), Some(q)) => {
                            Some(Box::new(OwnReceiver::Type(self.own_path_type(&q, anchor)?)))
                        }
                        _ => None,
                    };
                    return Some(OwnReceiver::Returned {
                        of,
                        name: name.text().into(),
                        unwrapped: false,
                    });
                }
                let qualifier = path.qualifier()?;
                // `Arc::new(Pool::new(2))`: the pointer's value.
                if name.text() == "new"
                    && qualifier
                        .as_single_name_ref()
                        .is_some_and(|q| DEREF_POINTERS.contains(&q.text()))
                {
                    let value = call.arg_list()?.args().next()?;
                    return self.own_receiver(&value, anchor, depth + 1);
                }
                self.own_path_type(&qualifier, anchor)
                    .map(OwnReceiver::Type)
            }
            ast::Expr::RecordExpr(r) => self
                .own_path_type(&r.path()?, anchor)
                .map(OwnReceiver::Type),
            ast::Expr::FieldExpr(f) => {
                let field = Name::new(f.name_ref()?.text());
                match self.own_receiver(&f.expr()?, anchor, depth + 1)? {
                    OwnReceiver::Type(root) => Some(OwnReceiver::Field {
                        root,
                        fields: Box::new([field]),
                    }),
                    OwnReceiver::Field { root, fields } => Some(OwnReceiver::Field {
                        root,
                        fields: fields.iter().cloned().chain([field]).collect(),
                    }),
                    OwnReceiver::Traits(_) | OwnReceiver::Returned { .. } => None,
                }
            }
            _ => None,
        }
    }

    /// What `f` is declared to return among the crate's own types, and
    /// whether in a `Result` or `Option` (see [`OwnReceiver::Returned`]).
    pub(super) fn own_return(&self, f: &ast::Fn) -> Option<(OwnReceiver, bool)> {
        let ty = f.ret_type()?.ty()?;
        let wrapper = match &ty {
            ast::Type::PathType(p) => p.path().and_then(|p| p.segment()).filter(|s| {
                s.name_ref()
                    .is_some_and(|n| matches!(n.text(), "Result" | "Option"))
            }),
            _ => None,
        };
        let (ty, wrapped) = match wrapper {
            Some(segment) => (first_type_arg(&segment)?, true),
            None => (ty, false),
        };
        match self.own_type_of(&ty, f.syntax())? {
            own @ (OwnReceiver::Type(_) | OwnReceiver::Traits(_)) => Some((own, wrapped)),
            _ => None,
        }
    }

    /// The crate type a path names (`Pool`, `crate::pool::Pool`, `Self`),
    /// by its last segment; none for another crate's.
    fn own_path_type(&self, path: &ast::Path, anchor: &SyntaxNode) -> Option<Name> {
        let segs = segments(path)?;
        if segs == ["Self"] {
            return impl_type(anchor).map(Into::into);
        }
        let offset = self.offset_of(path.syntax());
        let full = self.imports.resolve(&segs, offset);
        let (module, last) = full.rsplit_once("::")?;
        let first = module.split("::").next().unwrap_or_default();
        // `crate::pool::Pool`, or `pool::Pool` under a `use pool::Pool` of
        // the crate's module `pool`.
        let local = matches!(first, "crate" | "self" | "super")
            || self.imports.is_local_module(&[first.to_string()], offset);
        (local && last.starts_with(|c: char| c.is_ascii_uppercase()) && !PRELUDE.contains(&last))
            .then(|| last.into())
    }

    /// What a declared type is among the crate's own types, with the
    /// generics of the items around `anchor` in scope.
    pub(super) fn own_type_of(&self, ty: &ast::Type, anchor: &SyntaxNode) -> Option<OwnReceiver> {
        match ty {
            ast::Type::RefType(r) => self.own_type_of(&r.ty()?, anchor),
            ast::Type::ParenType(p) => self.own_type_of(&p.ty()?, anchor),
            ast::Type::DynTraitType(d) => self.own_traits(d.type_bound_list()?, anchor),
            ast::Type::ImplTraitType(i) => self.own_traits(i.type_bound_list()?, anchor),
            ast::Type::PathType(p) => {
                let path = p.path()?;
                let segment = path.segment()?;
                let last = segment.name_ref()?.text().to_string();
                let pointer = DEREF_POINTERS.contains(&last.as_str()) && {
                    let full = self
                        .imports
                        .resolve(&segments(&path)?, self.offset_of(path.syntax()));
                    let root = full.split("::").next().unwrap_or_default();
                    matches!(root, "std" | "alloc" | "crate")
                };
                if pointer {
                    return self.own_type_of(&first_type_arg(&segment)?, anchor);
                }
                if path.qualifier().is_none() {
                    if let Some(bounds) = generic_bounds(&last, anchor) {
                        return self.own_traits_of(bounds, anchor);
                    }
                }
                self.own_path_type(&path, anchor).map(OwnReceiver::Type)
            }
            _ => None,
        }
    }

    fn own_traits(&self, list: ast::TypeBoundList, anchor: &SyntaxNode) -> Option<OwnReceiver> {
        self.own_traits_of(list.bounds().collect(), anchor)
    }

    /// The crate's traits among `bounds` (`Store + Send + 'static`).
    fn own_traits_of(
        &self,
        bounds: Vec<ast::TypeBound>,
        anchor: &SyntaxNode,
    ) -> Option<OwnReceiver> {
        let traits: Box<[Name]> = bounds
            .iter()
            .filter(|b| b.question_mark_token().is_none())
            .filter_map(|b| match b.ty()? {
                ast::Type::PathType(p) => self.own_path_type(&p.path()?, anchor),
                _ => None,
            })
            .collect();
        (!traits.is_empty()).then_some(OwnReceiver::Traits(traits))
    }

    /// The types, trait impls and field types an item of the file declares
    /// (`FileFacts::own_types`, `trait_impls`, `field_receivers`).
    pub(super) fn visit_type_item(&mut self, node: &SyntaxNode) {
        let name = match node.kind() {
            SyntaxKind::STRUCT => ast::Struct::cast(node.clone()).and_then(|s| s.name()),
            SyntaxKind::ENUM => ast::Enum::cast(node.clone()).and_then(|s| s.name()),
            SyntaxKind::UNION => ast::Union::cast(node.clone()).and_then(|s| s.name()),
            SyntaxKind::TRAIT => ast::Trait::cast(node.clone()).and_then(|s| s.name()),
            SyntaxKind::IMPL => {
                self.visit_trait_impl(&ast::Impl::cast(node.clone()).unwrap());
                return;
            }
            _ => None,
        };
        let Some(name) = name else { return };
        let owner = Name::new(name.text());
        self.facts.own_types.push(owner.clone());
        let Some(ast::FieldList::RecordFieldList(fields)) =
            ast::Struct::cast(node.clone()).and_then(|s| s.field_list())
        else {
            return;
        };
        for f in fields.fields() {
            let (Some(field), Some(ty)) = (f.name(), f.ty()) else {
                continue;
            };
            if let Some(t @ (OwnReceiver::Type(_) | OwnReceiver::Traits(_))) =
                self.own_type_of(&ty, node)
            {
                let field = Name::new(field.text());
                self.facts.field_receivers.push((owner.clone(), field, t));
            }
        }
    }

    /// `impl Store for DiskStore`: `(Store, DiskStore)`, where the trait is
    /// the crate's.
    fn visit_trait_impl(&mut self, imp: &ast::Impl) {
        let Some(ast::Type::PathType(t)) = imp.trait_() else {
            return;
        };
        let (Some(tr), Some(ty)) = (
            t.path().and_then(|p| self.own_path_type(&p, imp.syntax())),
            impl_type(imp.syntax()),
        ) else {
            return;
        };
        self.facts.trait_impls.push((tr, ty.into()));
    }

    /// `let dir = Scratch::new(..);` in async code: a value of a crate type
    /// that is dropped there, unless the local is moved on (handed by value
    /// to a call, returned, captured by a `move` closure).
    pub(super) fn visit_async_let(&mut self, let_stmt: &ast::LetStmt) {
        if self.ctx != SiteContext::Async {
            return;
        }
        let name = match let_stmt.pat() {
            Some(ast::Pat::IdentPat(p)) if p.ref_token().is_none() => match p.name() {
                Some(n) => n.text().to_string(),
                None => return,
            },
            Some(ast::Pat::WildcardPat(_)) => String::new(),
            _ => return,
        };
        let Some(init) = let_stmt.initializer() else {
            return;
        };
        if !matches!(init, ast::Expr::CallExpr(_) | ast::Expr::RecordExpr(_)) {
            return;
        }
        let Some(OwnReceiver::Type(ty)) = self.own_receiver(&init, let_stmt.syntax(), 0) else {
            return;
        };
        if !name.is_empty() && moved_later(let_stmt, &name) {
            return;
        }
        self.facts.async_values.push(AsyncValue {
            ty,
            range: init.syntax().text_range(),
            in_fn: self.in_fn.clone(),
        });
    }
}

/// Drops the receivers of the crate's own types that cannot resolve: a
/// field of a struct this file defines (the only one of its name the
/// crate may define) that the file does not type as one of the crate's
/// own (`self.map.insert(..)` with `map: HashMap<..>`), unless the struct
/// derefs to another type, whose fields it has too. For the blocking
/// rules alone, a call left with nothing to resolve is dropped too.
pub(super) fn prune_own_receivers(facts: &mut FileFacts, blocking_only: bool) {
    let defined: HashSet<&Name> = facts.own_types.iter().collect();
    let typed: HashSet<(&Name, &Name)> = facts
        .field_receivers
        .iter()
        .map(|(owner, field, _)| (owner, field))
        .collect();
    let mut pruned = false;
    for c in &mut facts.calls {
        let Some(MethodReceiver::Own(own)) = &mut c.receiver else {
            continue;
        };
        if let Some((root, field)) = own.receiver.root_field() {
            // A type that derefs to another has that one's fields too.
            let derefs = facts.derefs.iter().any(|(ty, _)| ty == root.as_str());
            if defined.contains(root) && !derefs && !typed.contains(&(root, field)) {
                c.receiver = own.premise.take();
                pruned = true;
            }
        }
    }
    if pruned && blocking_only {
        facts
            .calls
            .retain(|c| c.callee_key.is_some() || c.receiver.is_some());
    }
}

/// The value of a fn's call `own` taken out of its `Result` or `Option`.
fn unwrapped(own: OwnReceiver) -> Option<OwnReceiver> {
    match own {
        OwnReceiver::Returned {
            of,
            name,
            unwrapped: false,
        } => Some(OwnReceiver::Returned {
            of,
            name,
            unwrapped: true,
        }),
        _ => None,
    }
}

/// Is the local `name` bound by `let_stmt` moved on after it: named on its
/// own (not as a receiver, a field's base or behind `&`) anywhere but in
/// `drop(name)`, or captured by a `move` closure or async block?
fn moved_later(let_stmt: &ast::LetStmt, name: &str) -> bool {
    let Some(list) = let_stmt.syntax().parent() else {
        return true;
    };
    let after = let_stmt.syntax().text_range().end();
    list.descendants()
        .filter(|n| n.text_range().start() >= after)
        .filter_map(ast::PathExpr::cast)
        .filter(|p| {
            p.path()
                .and_then(|p| p.as_single_name_ref())
                .is_some_and(|n| n.text() == name)
        })
        .any(|p| {
            let captured = p.syntax().ancestors().any(|a| {
                ast::ClosureExpr::cast(a.clone()).is_some_and(|c| c.move_token().is_some())
                    || ast::BlockExpr::cast(a).is_some_and(|b| b.move_token().is_some())
            });
            let parent = p.syntax().parent();
            let borrowed = parent.as_ref().is_some_and(|up| {
                matches!(
                    up.kind(),
                    SyntaxKind::FIELD_EXPR | SyntaxKind::REF_EXPR | SyntaxKind::METHOD_CALL_EXPR
                ) && !(up.kind() == SyntaxKind::METHOD_CALL_EXPR
                    && ast::MethodCallExpr::cast(up.clone())
                        .and_then(|m| m.receiver())
                        .is_none_or(|r| r.syntax() != p.syntax()))
            });
            let dropped = parent
                .and_then(|args| args.parent())
                .and_then(ast::CallExpr::cast)
                .and_then(|c| c.expr())
                .is_some_and(|e| e.syntax().text() == "drop");
            captured || !(borrowed || dropped)
        })
}

/// The bounds of the generic parameter `name` of the items around
/// `anchor` (`<S: Store>`, `where S: Store`), nearest item first; none if
/// no item around declares it.
fn generic_bounds(name: &str, anchor: &SyntaxNode) -> Option<Vec<ast::TypeBound>> {
    for item in anchor.ancestors() {
        if !matches!(
            item.kind(),
            SyntaxKind::FN | SyntaxKind::IMPL | SyntaxKind::STRUCT | SyntaxKind::TRAIT
        ) {
            continue;
        }
        let generic = ast::AnyHasGenericParams::cast(item).expect("an item with generics");
        let (params, wheres) = (generic.generic_param_list(), generic.where_clause());
        let param = params.and_then(|l| {
            l.type_or_const_params().find_map(|p| match p {
                ast::TypeOrConstParam::Type(t) if t.name().is_some_and(|n| n.text() == name) => {
                    Some(t)
                }
                _ => None,
            })
        });
        let Some(param) = param else { continue };
        let mut bounds: Vec<ast::TypeBound> = param
            .type_bound_list()
            .map(|l| l.bounds().collect())
            .unwrap_or_default();
        for pred in wheres.iter().flat_map(|w| w.predicates()) {
            if pred.ty().is_some_and(|t| t.syntax().text() == name) {
                bounds.extend(pred.type_bound_list().into_iter().flat_map(|l| l.bounds()));
            }
        }
        return Some(bounds);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The own receivers of the method calls named `method` in `src`.
    fn receivers(src: &str, method: &str) -> Vec<Option<OwnReceiver>> {
        facts_of(src)
            .calls
            .into_iter()
            .filter(|c| c.callee == method)
            .map(|c| c.own_receiver().cloned())
            .collect()
    }

    fn ty(t: &str) -> Option<OwnReceiver> {
        Some(OwnReceiver::Type(t.into()))
    }

    #[test]
    fn locals_params_and_pointers_of_crate_types_are_typed() {
        let src = "use std::sync::Arc;\nmod pool { pub struct Pool; }\nuse pool::Pool;\n\
            async fn f(p: &Pool, a: Arc<Pool>, b: Box<crate::pool::Pool>) {\n\
              let local = Pool::new(2); local.get(); p.get(); a.get(); b.get();\n\
              let lit = Pool {}; lit.get(); let c = local.clone(); c.get();\n\
              let annotated: Pool = make(); annotated.get();\n\
            }";
        assert_eq!(receivers(src, "get"), vec![ty("Pool"); 7]);
    }

    #[test]
    fn std_and_unknown_receivers_stay_unknown() {
        let src = "use std::collections::HashMap; use std::sync::atomic::AtomicUsize;\n\
            async fn f(m: &HashMap<u8, u8>, it: impl Iterator<Item = u8>) {\n\
              let v = vec![1]; v.get(0); m.get(&1);\n\
              let n = AtomicUsize::new(0); n.load(O);\n\
              for p in pools { p.get(); } std::env::args().get();\n\
              let s = std::sync::mpsc::channel::<u8>(); s.get();\n\
            }";
        assert!(receivers(src, "get").iter().all(Option::is_none));
        assert!(receivers(src, "load").iter().all(Option::is_none));
    }

    /// What the crate's fns return is left to their declared return types,
    /// which the crate-wide pass reads (`FnDef::returns`).
    #[test]
    fn values_the_crates_fns_return_are_typed_by_those_fns() {
        let returned = |of: Option<OwnReceiver>, name: &str, unwrapped| {
            Some(OwnReceiver::Returned {
                of: of.map(Box::new),
                name: name.into(),
                unwrapped,
            })
        };
        let src = "struct Pool;\n\
            async fn f(p: &Pool) {\n\
              let b = Pool::builder(); b.get(); make().get(); p.conn().get();\n\
              open()?.get(); open().unwrap().get(); load().await.get();\n\
            }";
        let builder = returned(ty("Pool"), "builder", false);
        assert_eq!(
            receivers(src, "get"),
            vec![
                builder,
                returned(None, "make", false),
                returned(ty("Pool"), "conn", false),
                returned(None, "open", true),
                returned(None, "open", true),
                returned(None, "load", false),
            ]
        );
        let defs = facts_of(
            "struct Pool;\nimpl Pool {\n  fn builder() -> Self { Pool }\n  fn open() -> std::io::Result<Pool> { Ok(Pool) }\n  fn n(&self) -> usize { 0 }\n}",
        )
        .fn_defs;
        let returns: Vec<_> = defs.iter().map(|d| d.returns.clone()).collect();
        assert_eq!(
            returns,
            vec![
                Some((OwnReceiver::Type("Pool".into()), false)),
                Some((OwnReceiver::Type("Pool".into()), true)),
                None
            ]
        );
    }

    #[test]
    fn dyn_impl_and_generic_receivers_are_their_crate_traits() {
        let src = "trait Store {}\n\
            async fn f<S: Store + Send, T>(d: &dyn Store, i: impl Store, s: &S, w: T, b: Box<dyn Store + Send>) where T: Store + Sync {\n\
              d.load(); i.load(); s.load(); w.load(); b.load();\n\
            }\n\
            fn g(x: &dyn std::io::Write, y: &impl Fn()) { x.load(); y.load(); }";
        let traits = Some(OwnReceiver::Traits(Box::new(["Store".into()])));
        let found = receivers(src, "load");
        assert_eq!(found[..5], vec![traits; 5][..]);
        assert_eq!(found[5..], [None, None]);
    }

    #[test]
    fn fields_are_followed_from_self_and_typed_locals() {
        let src = "struct Server { journal: Journal, store: Box<dyn Store>, n: Option<Journal> }\n\
            trait Store {}\n\
            impl Server { async fn f(&mut self) { self.journal.flush(); self.journal.inner.flush(); }\n\
              fn g(&self, other: &Server) { other.journal.flush(); } }";
        let field = |fields: &[&str]| {
            Some(OwnReceiver::Field {
                root: "Server".into(),
                fields: fields.iter().map(|&f| Name::from(f)).collect(),
            })
        };
        assert_eq!(
            receivers(src, "flush"),
            [
                field(&["journal"]),
                field(&["journal", "inner"]),
                field(&["journal"])
            ]
        );
        let facts = facts_of(src);
        let fields: Vec<(&str, &str)> = facts
            .field_receivers
            .iter()
            .map(|(o, f, _)| (o.as_str(), f.as_str()))
            .collect();
        // `Option<Journal>` is no `Journal`: its methods are `Option`'s.
        assert_eq!(fields, [("Server", "journal"), ("Server", "store")]);
        assert_eq!(facts.own_types, ["Server", "Store"]);
    }

    #[test]
    fn trait_impls_and_async_values_are_recorded() {
        let src = "trait Store {}\nstruct Disk;\nimpl Store for Disk {}\nimpl std::fmt::Debug for Disk {}\n\
            struct Scratch;\n\
            async fn f() {\n\
              let a = Scratch::new(); let _ = Scratch {}; let moved = Scratch::new(); keep(moved);\n\
              let dropped = Scratch::new(); drop(dropped); let used = Scratch::new(); used.len();\n\
              let other = Vec::new(); let spawned = Scratch::new(); tokio::spawn(async move { spawned.len() });\n\
            }\n\
            fn g() { let s = Scratch::new(); }";
        let facts = facts_of(src);
        let impls: Vec<(&str, &str)> = facts
            .trait_impls
            .iter()
            .map(|(t, ty)| (t.as_str(), ty.as_str()))
            .collect();
        assert_eq!(impls, [("Store", "Disk")]);
        let text = |r: TextRange| src[r].to_string();
        let values: Vec<String> = facts.async_values.iter().map(|v| text(v.range)).collect();
        assert_eq!(
            values,
            [
                "Scratch::new()",
                "Scratch {}",
                "Scratch::new()",
                "Scratch::new()"
            ],
        );
    }
}
