//! Roots: what an expression refers to, as far as locks go (the lock, its
//! guard, or data reached through the guard), peeling clones, borrows,
//! unwraps, fields and calls, and following names through the bindings
//! `bindings.rs` finds.

use super::*;

/// What a rooted value is, as far as the lock it leads to goes: the lock
/// itself (or a pointer to it, an `Option` of it, a container of locks), its
/// guard (or the `LockResult` around one), or something reached through the
/// guard (`guard.get(&k)`, `*guard`, an element of the guarded data), which
/// is the data's, never the lock's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Via {
    Lock,
    Guard,
    Inner,
}

/// Methods of a container that yield its elements (or an iterator of them).
const ELEMENT_METHODS: &[&str] = &[
    "iter",
    "iter_mut",
    "into_iter",
    "values",
    "values_mut",
    "first",
    "last",
];

/// Iterator methods that yield the same elements they are given.
const ITERATOR_ADAPTERS: &[&str] = &[
    "rev",
    "skip",
    "take",
    "filter",
    "step_by",
    "skip_while",
    "take_while",
    "peekable",
    "fuse",
    "by_ref",
];

/// Methods of a lock's result that still yield its guard.
const GUARD_RESULT_METHODS: &[&str] = &[
    "unwrap",
    "expect",
    "unwrap_or_else",
    "map_err",
    "ok",
    "unwrap_or_default",
];

impl Via {
    /// What a method call on a value of this kind yields, for a method that
    /// passes a lock through (`clone`, `as_ref`, `unwrap`, `get`, ..).
    fn pass_through(self, method: &str) -> Via {
        match self {
            Via::Guard if GUARD_RESULT_METHODS.contains(&method) => Via::Guard,
            Via::Lock => Via::Lock,
            Via::Guard | Via::Inner => Via::Inner,
        }
    }

    /// What a lock method that returns a guard yields on a value of this kind.
    fn guard_of(self) -> Via {
        match self {
            Via::Lock => Via::Guard,
            Via::Guard | Via::Inner => Via::Inner,
        }
    }

    /// What `*x`, `x[i]` or an element of `x` is.
    fn deref(self) -> Via {
        match self {
            Via::Lock => Via::Lock,
            Via::Guard | Via::Inner => Via::Inner,
        }
    }
}

/// `Arc::try_unwrap(x)`, `Rc::into_inner(x)`: the value `x` points to, in
/// a `Result` or `Option` (whose `unwrap`, `expect` and `ok` pass it on).
fn unwraps_pointer(ce: &ast::CallExpr) -> bool {
    let Some(ast::Expr::PathExpr(pe)) = ce.expr() else {
        return false;
    };
    let segs = pe.path().and_then(|p| segments(&p)).unwrap_or_default();
    matches!(
        segs.as_slice(),
        [.., ty, f] if matches!(ty.as_str(), "Arc" | "Rc")
            && matches!(f.as_str(), "try_unwrap" | "into_inner")
    )
}

impl Extractor<'_> {
    /// What an expression refers to, peeling clones, borrows and unwraps: a
    /// lock or its guard. A value reached through a guard has no target.
    pub(super) fn root(&self, expr: &ast::Expr, anchor: &SyntaxNode, depth: u32) -> Option<Target> {
        match self.rooted(expr, anchor, depth)? {
            (t, Via::Lock | Via::Guard) => Some(t),
            (_, Via::Inner) => None,
        }
    }

    /// [`Self::root`], with what the value is on the way to its target.
    pub(super) fn rooted(
        &self,
        expr: &ast::Expr,
        anchor: &SyntaxNode,
        depth: u32,
    ) -> Option<(Target, Via)> {
        if depth > 8 {
            return None;
        }
        let lock = |t: Target| Some((t, Via::Lock));
        match expr {
            ast::Expr::ParenExpr(e) => self.rooted(&e.expr()?, anchor, depth + 1),
            ast::Expr::RefExpr(e) => self.rooted(&e.expr()?, anchor, depth + 1),
            ast::Expr::PrefixExpr(e) => {
                let (t, via) = self.rooted(&e.expr()?, anchor, depth + 1)?;
                let deref = e.op_kind() == Some(ast::UnaryOp::Deref);
                Some((t, if deref { via.deref() } else { via }))
            }
            ast::Expr::IndexExpr(e) => {
                let (t, via) = self.rooted(&e.base()?, anchor, depth + 1)?;
                Some((t, via.deref()))
            }
            ast::Expr::TryExpr(e) => self.rooted(&e.expr()?, anchor, depth + 1),
            ast::Expr::MethodCallExpr(mc) => self.root_of_method_call(mc, anchor, depth),
            ast::Expr::CallExpr(ce) => self.root_of_call(ce, anchor, depth),
            ast::Expr::FieldExpr(fe) => lock(self.root_of_field(fe, anchor, depth)?),
            ast::Expr::PathExpr(pe) => {
                let segs = segments(&pe.path()?)?;
                match segs.as_slice() {
                    [one] if one == "self" => None,
                    [one] if one.starts_with(|c: char| c.is_lowercase() || c == '_') => {
                        self.lookup_var_via(one, &self.scope_of(one, pe.syntax(), anchor), depth)
                    }
                    [one] => lock(self.static_target(one, anchor)),
                    [.., last] => lock(Target::Static(last.clone())),
                    [] => None,
                }
            }
            _ => None,
        }
    }

    /// A method call: its receiver, where the method passes the lock through
    /// or returns its guard; no place for a lock method (or one tokio's locks
    /// lack); else the method's return value.
    fn root_of_method_call(
        &self,
        mc: &ast::MethodCallExpr,
        anchor: &SyntaxNode,
        depth: u32,
    ) -> Option<(Target, Via)> {
        let name = mc.name_ref()?.text().to_string();
        // `weak.upgrade()`: the lock the `Weak` points to; `.ok()` of
        // `Arc::try_unwrap(x)`: the lock `x` points to (see `root_of_call`).
        let ok_of_unwrapped_pointer = name == "ok"
            && matches!(mc.receiver(), Some(ast::Expr::CallExpr(ce)) if unwraps_pointer(&ce));
        if PASS_THROUGH.contains(&name.as_str())
            || ITERATOR_ADAPTERS.contains(&name.as_str())
            || name == "upgrade"
            || ok_of_unwrapped_pointer
        {
            let (t, via) = self.rooted(&mc.receiver()?, anchor, depth + 1)?;
            Some((t, via.pass_through(&name)))
        } else if ELEMENT_METHODS.contains(&name.as_str()) {
            // `self.slots.iter()`: the elements of a container of locks.
            let (t, via) = self.rooted(&mc.receiver()?, anchor, depth + 1)?;
            Some((t, via.deref()))
        } else if GUARD_METHODS.contains(&name.as_str()) || returns_guard(&name) {
            // A guard: it follows its lock (into guard parameters).
            let (t, via) = self.rooted(&mc.receiver()?, anchor, depth + 1)?;
            Some((t, via.guard_of()))
        } else if LOCK_METHODS.contains(&name.as_str()) || NO_TOKIO_METHODS.contains(&name.as_str())
        {
            None
        } else if GUARD_RESULT_METHODS.contains(&name.as_str()) {
            // `m.lock().unwrap_or_else(..)`: the guard, if its receiver is one.
            let (t, via) = self.rooted(&mc.receiver()?, anchor, depth + 1)?;
            (via == Via::Guard).then_some((t, via))
        } else {
            let call = Target::Call {
                name,
                qual: None,
                method: true,
                module: None,
            };
            Some((call, Via::Lock))
        }
    }

    /// A call of a path: the argument of a pointer clone or a one-field
    /// wrapper, nothing for a std or parking_lot constructor (a value, not
    /// a place), else the called fn's return value.
    fn root_of_call(
        &self,
        ce: &ast::CallExpr,
        anchor: &SyntaxNode,
        depth: u32,
    ) -> Option<(Target, Via)> {
        let ast::Expr::PathExpr(pe) = ce.expr()? else {
            return None;
        };
        let segs = segments(&pe.path()?)?;
        let last = segs.last()?.as_str();
        let ty = segs.len().checked_sub(2).map(|i| segs[i].as_str());
        // `Arc::downgrade(&x)`, `Weak::upgrade(&w)`: a pointer to
        // the same lock, as `Arc::clone(&x)` is.
        let weak = matches!(
            (ty, last),
            (Some("Arc" | "Rc"), "downgrade") | (Some("Weak"), "upgrade" | "clone")
        );
        if weak
            || unwraps_pointer(ce)
            || last == "clone"
                && segs.len() == 2
                && matches!(segs[0].as_str(), "Arc" | "Rc" | "Clone")
        {
            let arg = ce.arg_list()?.args().next()?;
            return self.rooted(&arg, anchor, depth + 1);
        }
        let qualifier = self
            .imports
            .resolve(&segs[..segs.len() - 1], self.offset_of(ce.syntax()));
        if qualifier.starts_with("std::") || qualifier.starts_with("parking_lot") {
            return None; // `Mutex::new(..)`, `Arc::new(..)`: a value, not a place
        }
        // `State(db)`, `Extension(x)`: a tuple struct around the value.
        if let [wrapper] = segs.as_slice() {
            let mut args = ce.arg_list()?.args();
            if let (true, Some(arg), None) = (
                wrapper.starts_with(|c: char| c.is_ascii_uppercase()),
                args.next(),
                args.next(),
            ) {
                return self.rooted(&arg, anchor, depth + 1);
            }
        }
        let (name, qual, module) = self.split_qual(&segs, anchor, self.offset_of(ce.syntax()));
        let call = Target::Call {
            name,
            qual,
            method: false,
            module,
        };
        Some((call, Via::Lock))
    }

    /// A field access: the local a tuple field belongs to, else the field
    /// of the struct its base is (of `self`, or of a local's known type).
    fn root_of_field(
        &self,
        fe: &ast::FieldExpr,
        anchor: &SyntaxNode,
        depth: u32,
    ) -> Option<Target> {
        let name = fe.name_ref()?.text().to_string();
        // `pair.0` of a local tuple that holds a lock: the local.
        if name.starts_with(|c: char| c.is_ascii_digit()) {
            if let ast::Expr::PathExpr(p) = fe.expr()? {
                if let Some(base) = p.path()?.as_single_name_ref() {
                    let scope = self.scope_of(base.text().as_ref(), p.syntax(), anchor);
                    if let Some(Target::Key(k)) =
                        self.lookup_var(base.text().as_ref(), &scope, depth)
                    {
                        if matches!(k, DeclKey::Local { .. }) {
                            return Some(Target::Key(k));
                        }
                    }
                }
            }
        }
        // `self.inner.state`: the fields on the way, down to a base whose
        // type the code shows.
        let mut base = fe.expr()?;
        let mut through = Vec::new();
        while let ast::Expr::FieldExpr(inner) = &base {
            through.push(inner.name_ref()?.text().to_string());
            base = inner.expr()?;
        }
        through.reverse();
        let owner = match base {
            ast::Expr::PathExpr(p) => {
                let segs = segments(&p.path()?)?;
                if segs == ["self"] {
                    impl_type(&self.in_file(anchor))
                } else if segs.len() == 1 {
                    self.var_type_hint(&segs[0], &self.scope_of(&segs[0], p.syntax(), anchor))
                } else {
                    None
                }
            }
            _ => None,
        };
        match owner {
            Some(root) if !through.is_empty() => Some(Target::FieldPath {
                root,
                through,
                name,
            }),
            Some(_) => Some(Target::Field { name, owner }),
            None => Some(Target::Field { name, owner: None }),
        }
    }

    /// Where `name` used at `at` is looked up: `anchor`, the place in the
    /// file the code stands for, unless `at` is code parsed out of a
    /// macro's tokens that binds the name itself (a `let` in an async
    /// block, a `select!` branch's pattern).
    pub(super) fn scope_of(&self, name: &str, at: &SyntaxNode, anchor: &SyntaxNode) -> SyntaxNode {
        if !self.in_macro_code(at) {
            return anchor.clone();
        }
        match find_binding(name, at) {
            Binding::NotFound => self.in_file(anchor),
            _ => at.clone(),
        }
    }

    /// Is `node` in code parsed out of a macro's tokens?
    pub(super) fn in_macro_code(&self, node: &SyntaxNode) -> bool {
        node.ancestors().last().as_ref() != Some(&self.root)
    }

    /// The place in the file `node` stands for: the macro call, for code
    /// parsed out of its tokens.
    pub(super) fn in_file(&self, node: &SyntaxNode) -> SyntaxNode {
        match &self.macro_call {
            Some(call) if self.in_macro_code(node) => call.clone(),
            _ => node.clone(),
        }
    }

    pub(super) fn lookup_var(&self, name: &str, anchor: &SyntaxNode, depth: u32) -> Option<Target> {
        match self.lookup_var_via(name, anchor, depth)? {
            (t, Via::Lock | Via::Guard) => Some(t),
            (_, Via::Inner) => None,
        }
    }

    fn lookup_var_via(&self, name: &str, anchor: &SyntaxNode, depth: u32) -> Option<(Target, Via)> {
        let lock = |t: Target| Some((t, Via::Lock));
        match find_binding(name, anchor) {
            // A lock made in a macro's code is no declaration the index has.
            Binding::Let(let_stmt) if self.in_macro_code(anchor) && self.let_is_decl(&let_stmt) => {
                None
            }
            Binding::Let(let_stmt) => {
                if self.let_is_decl(&let_stmt) {
                    lock(Target::Key(self.local_key(&let_stmt)))
                } else {
                    self.rooted(&let_stmt.initializer()?, let_stmt.syntax(), depth + 1)
                }
            }
            Binding::Param(f, index, param) => {
                // A lock type, or a type alias the crate-wide index may know
                // as one (`db: &Db`).
                let ty = param.ty()?;
                if self.lock_in_type(ty.syntax()).is_none()
                    && (Self::type_names(ty.syntax()).is_empty()
                        || self.other_lock_in_type(ty.syntax()))
                {
                    return None;
                }
                lock(fn_target(&f, Some(index)))
            }
            Binding::ClosureParam(p) if !self.in_macro_code(p.syntax()) => {
                self.lock_in_type(p.ty()?.syntax())?;
                lock(Target::Key(self.closure_param_key(&p)))
            }
            Binding::From(e) => self.rooted(&e, e.syntax(), depth + 1),
            Binding::Element(e) => {
                let (t, via) = self.rooted(&e, e.syntax(), depth + 1)?;
                Some((t, via.deref()))
            }
            // `let (a, b) = (Arc::clone(&a), Arc::clone(&b));`: the element
            // at the name's place.
            Binding::Destructured(l) if tuple_element(&l, name).is_some() => {
                self.rooted(&tuple_element(&l, name)?, l.syntax(), depth + 1)
            }
            // `let (flag, cv) = &*pair;`: a part of what `pair` holds.
            Binding::Destructured(l)
                if matches!(strip_ref_pat(l.pat()), Some(ast::Pat::TuplePat(_))) =>
            {
                self.rooted(&l.initializer()?, l.syntax(), depth + 1)
            }
            Binding::Variant(path, index) => {
                let owner = match path.as_slice() {
                    [.., ty, variant] if ty == "Self" => {
                        format!("{}::{variant}", impl_type(anchor)?)
                    }
                    [.., ty, variant] => format!("{ty}::{variant}"),
                    [variant] => variant.clone(),
                    [] => return None,
                };
                lock(Target::Field {
                    name: index.to_string(),
                    owner: Some(owner),
                })
            }
            Binding::Destructured(_) | Binding::ClosureParam(_) | Binding::Other => None,
            Binding::NotFound => lock(self.static_target(name, anchor)),
        }
    }

    /// The struct a variable's type names, for resolving `x.field`.
    pub(super) fn var_type_hint(&self, name: &str, anchor: &SyntaxNode) -> Option<String> {
        let ty = match find_binding(name, anchor) {
            Binding::Let(l) => match (l.ty(), l.initializer()) {
                (Some(t), _) => t.syntax().clone(),
                (None, Some(ast::Expr::RecordExpr(r))) => r.path()?.syntax().clone(),
                (None, Some(ast::Expr::CallExpr(c))) => {
                    let ast::Expr::PathExpr(p) = c.expr()? else {
                        return None;
                    };
                    p.path()?.qualifier()?.syntax().clone()
                }
                _ => return None,
            },
            Binding::Param(_, _, p) => p.ty()?.syntax().clone(),
            _ => return None,
        };
        match type_name(&ty)?.as_str() {
            "Self" => impl_type(anchor),
            n => Some(n.to_string()),
        }
    }
}

/// The element of a tuple expression a tuple pattern binds `name` to (`b`
/// of `let (a, b) = (x, y);` is `y`), where both are flat tuples of one
/// length.
fn tuple_element(l: &ast::LetStmt, name: &str) -> Option<ast::Expr> {
    let Some(ast::Pat::TuplePat(pat)) = l.pat() else {
        return None;
    };
    let Some(ast::Expr::TupleExpr(value)) = l.initializer() else {
        return None;
    };
    let fields: Vec<ast::Pat> = pat.fields().collect();
    let values: Vec<ast::Expr> = value.fields().collect();
    let named = |f: &ast::Pat| matches!(f, ast::Pat::IdentPat(i) if i.name().is_some_and(|n| n.text() == name));
    let index = fields.iter().position(named)?;
    (fields.len() == values.len()).then(|| values[index].clone())
}

#[cfg(test)]
mod tests {
    use crate::driver::test_support::check_fix;
    use crate::locks::testing::{blockers, plan_of, report};
    use crate::locks::Decision;

    #[test]
    fn a_value_reached_through_a_guard_is_the_datas_not_the_locks() {
        // `u` is a `&User` out of the guarded map: its `is_locked` is the
        // user's method, not parking_lot's.
        let src = "use std::collections::HashMap;\nuse std::sync::Mutex;\nstruct User { locked: bool }\nimpl User { fn is_locked(&self) -> bool { self.locked } }\nstruct S { db: Mutex<HashMap<u64, User>> }\nasync fn f(s: &S) -> bool {\n    let users = s.db.lock().unwrap();\n    if let Some(u) = users.get(&1) { u.is_locked() } else { false }\n}\nasync fn g(s: &S) -> usize {\n    let users = s.db.lock().unwrap();\n    let mut n = 0;\n    for u in users.values() { if u.is_locked() { n += 1; } }\n    for (_, u) in &*users { if u.is_locked() { n += 1; } }\n    n\n}\n";
        let plan = plan_of(src);
        assert_eq!(report(&plan, "S.db").decision, Decision::Migrate);
    }

    /// `let (a, b) = (x, y);` binds each name to its element: a clone of
    /// the lock handed to a task this way is the lock (held-out crate
    /// config_reload: "a receiver the tool cannot resolve" before).
    #[test]
    fn a_name_a_tuple_pattern_binds_is_its_element() {
        let src = "use std::sync::{Arc, Mutex};\nasync fn f() -> usize {\n    let log = Arc::new(Mutex::new(Vec::new()));\n    let (n, log2) = (1, Arc::clone(&log));\n    tokio::spawn(async move { log2.lock().unwrap().push(n) }).await.unwrap();\n    let len = log.lock().unwrap().len();\n    len\n}\n";
        assert_eq!(report(&plan_of(src), "log").decision, Decision::Migrate);
    }

    #[test]
    fn a_guard_still_follows_its_lock() {
        // `is_poisoned` on the lock result's guard... is the lock's: a
        // guard out of `unwrap_or_else` is still tied to the lock it guards.
        let src = "use std::sync::{Mutex, MutexGuard};\nstruct S { m: Mutex<u32> }\nfn bump(g: &mut MutexGuard<'_, u32>) { **g += 1; }\nasync fn f(s: &S) {\n    let mut g = s.m.lock().unwrap_or_else(|e| e.into_inner());\n    bump(&mut g);\n}\n";
        let plan = plan_of(src);
        assert_eq!(report(&plan, "S.m").decision, Decision::Migrate);
    }

    #[test]
    fn a_closure_parameter_of_option_map_is_the_options_value() {
        let src = "use std::sync::{Arc, Mutex};\nasync fn f(tracker: Option<Arc<Mutex<u32>>>) -> u32 {\n    tracker.as_ref().map(|t| *t.lock().unwrap()).unwrap_or(0)\n}\n";
        let plan = plan_of(src);
        assert_eq!(
            blockers(report(&plan, "tracker")),
            ["it is locked in a non-async closure inside async code, where `.await` is impossible"]
        );
    }

    #[test]
    fn an_unresolved_site_in_a_closure_in_async_code_is_reported() {
        // `t` comes from a closure the tool does not follow: the site near
        // `tracker` blocks it, rather than leaving it unreported.
        let src = "use std::sync::{Arc, Mutex};\nasync fn f(tracker: Option<Arc<Mutex<u32>>>) -> u32 {\n    let get = |t: &Arc<Mutex<u32>>| *t.lock().unwrap();\n    tracker.as_ref().map(get).unwrap_or(0)\n}\n";
        let plan = plan_of(src);
        assert!(!blockers(report(&plan, "tracker")).is_empty());
    }

    #[test]
    fn a_lock_taken_out_of_its_arc_is_the_lock_the_arc_pointed_to() {
        check_fix(
            r#"use std::sync::{Arc, Mutex};

async fn add(total: Arc<Mutex<u64>>) {
    *total.lock().unwrap() += 1;
}

#[tokio::main]
async fn main() {
    let total = Arc::new(Mutex::new(0));
    add(total.clone()).await;
    let sum = Arc::try_unwrap(total).expect("one owner").into_inner().unwrap();
    println!("{sum}");
}
"#,
            r#"use std::sync::Arc;
use tokio::sync::Mutex;

async fn add(total: Arc<Mutex<u64>>) {
    *total.lock().await += 1;
}

#[tokio::main]
async fn main() {
    let total = Arc::new(Mutex::new(0));
    add(total.clone()).await;
    let sum = Arc::try_unwrap(total).expect("one owner").into_inner();
    println!("{sum}");
}
"#,
        );
    }

    #[test]
    fn a_lock_taken_out_of_its_rc_by_ok_unwrap_is_the_lock_the_rc_pointed_to() {
        check_fix(
            r#"use std::rc::Rc;
use std::sync::RwLock;

async fn push(names: Rc<RwLock<Vec<u8>>>) {
    names.write().unwrap().push(1);
}

#[tokio::main]
async fn main() {
    let names = Rc::new(RwLock::new(Vec::new()));
    push(names.clone()).await;
    let mut names = Rc::try_unwrap(names).ok().unwrap();
    names.get_mut().unwrap().push(2);
}
"#,
            r#"use std::rc::Rc;
use tokio::sync::RwLock;

async fn push(names: Rc<RwLock<Vec<u8>>>) {
    names.write().await.push(1);
}

#[tokio::main]
async fn main() {
    let names = Rc::new(RwLock::new(Vec::new()));
    push(names.clone()).await;
    let mut names = Rc::try_unwrap(names).ok().unwrap();
    names.get_mut().push(2);
}
"#,
        );
    }
}
