//! Local bindings: what a name in a body refers to, in scope after its
//! statement.

use super::*;

pub(super) enum Binding {
    Let(ast::LetStmt),
    /// `if let Some(x) = expr`, `for x in expr`: `x` is (an element of) `expr`.
    From(ast::Expr),
    Param(ast::Fn, usize, ast::Param),
    /// `Conn::Live(m)` in a `match` arm or `if let`: `m` is the variant's
    /// `index`-th field; `path` is the variant's path as written.
    Variant(Vec<String>, usize),
    /// A `let` with a pattern other than a plain name (`let (tx, rx) = ..`).
    Destructured(ast::LetStmt),
    /// Bound by a pattern the tool does not follow (closure parameter, `for`,
    /// `match` arm, `if let`).
    Other,
    NotFound,
}

pub(super) fn binds(pat: Option<ast::Pat>, name: &str) -> bool {
    pat.is_some_and(|p| {
        p.syntax()
            .descendants()
            .filter_map(ast::IdentPat::cast)
            .any(|i| i.name().is_some_and(|n| n.text() == name))
    })
}

pub(super) fn find_binding(name: &str, anchor: &SyntaxNode) -> Binding {
    let pos = anchor.text_range().start();
    for up in anchor.ancestors() {
        match up.kind() {
            SyntaxKind::STMT_LIST => {
                if let Some(b) = earlier_let(&up, pos, name) {
                    return b;
                }
            }
            SyntaxKind::CLOSURE_EXPR => {
                let c = ast::ClosureExpr::cast(up.clone()).unwrap();
                if c.param_list()
                    .is_some_and(|l| l.params().any(|p| binds(p.pat(), name)))
                {
                    return Binding::Other;
                }
            }
            SyntaxKind::FOR_EXPR => {
                let f = ast::ForExpr::cast(up.clone()).unwrap();
                let in_iterable = f
                    .iterable()
                    .is_some_and(|e| e.syntax().text_range().contains_range(anchor.text_range()));
                if binds(f.pat(), name) && !in_iterable {
                    return match (f.pat(), f.iterable()) {
                        (Some(ast::Pat::IdentPat(_)), Some(e)) => Binding::From(e),
                        _ => Binding::Other,
                    };
                }
            }
            SyntaxKind::MATCH_ARM
                if binds(ast::MatchArm::cast(up.clone()).unwrap().pat(), name) =>
            {
                return match_arm_binding(&up, name);
            }
            SyntaxKind::IF_EXPR | SyntaxKind::WHILE_EXPR => {
                if let Some(b) = condition_binding(&up, anchor, name) {
                    return b;
                }
            }
            SyntaxKind::FN => {
                let f = ast::Fn::cast(up.clone()).unwrap();
                if let Some(list) = f.param_list() {
                    for (i, p) in list.params().enumerate() {
                        if binds(p.pat(), name) {
                            return Binding::Param(f, i, p);
                        }
                    }
                }
                return Binding::NotFound;
            }
            _ => {}
        }
    }
    Binding::NotFound
}

/// The last `let` of a block, before `pos`, that binds `name`: the binding
/// in scope there, if the block has one.
fn earlier_let(list: &SyntaxNode, pos: TextSize, name: &str) -> Option<Binding> {
    let l = list
        .children()
        .filter_map(ast::LetStmt::cast)
        .filter(|l| l.syntax().text_range().end() <= pos)
        .filter(|l| binds(l.pat(), name))
        .last()?;
    Some(match l.pat() {
        Some(ast::Pat::IdentPat(_)) => Binding::Let(l),
        // `let Some(x) = expr else { .. };`: `x` is in `expr`.
        pat if some_or_ok_binding(pat.clone()) && l.initializer().is_some() => {
            Binding::From(l.initializer().unwrap())
        }
        _ => Binding::Destructured(l),
    })
}

/// A name bound by a `match` arm's pattern: a variant's field, or the
/// value inside the scrutinee's `Some`/`Ok`.
fn match_arm_binding(arm_node: &SyntaxNode, name: &str) -> Binding {
    let arm = ast::MatchArm::cast(arm_node.clone()).unwrap();
    if let Some(v) = variant_binding(arm.pat(), name) {
        return v;
    }
    // `Some(x) => ..`: `x` is in the scrutinee.
    let scrutinee = arm_node
        .ancestors()
        .find_map(ast::MatchExpr::cast)
        .and_then(|m| m.expr());
    match (some_or_ok_binding(arm.pat()), scrutinee) {
        (true, Some(e)) if arm.guard().is_none() => Binding::From(e),
        _ => Binding::Other,
    }
}

/// A name bound by a `let` in the condition of an `if`/`while` around
/// `anchor`: `let` chains bind into the body, not into the condition itself.
fn condition_binding(up: &SyntaxNode, anchor: &SyntaxNode, name: &str) -> Option<Binding> {
    let cond = up
        .children()
        .find_map(ast::Expr::cast)
        .filter(|c| c.syntax().kind() != SyntaxKind::BLOCK_EXPR)?;
    if cond
        .syntax()
        .text_range()
        .contains_range(anchor.text_range())
    {
        return None;
    }
    let lets: Vec<ast::LetExpr> = cond
        .syntax()
        .descendants()
        .filter_map(ast::LetExpr::cast)
        .filter(|l| binds(l.pat(), name))
        .collect();
    let l = lets.first()?;
    if let (Some(v), 1) = (variant_binding(l.pat(), name), lets.len()) {
        return Some(v);
    }
    Some(match (some_or_ok_binding(l.pat()), l.expr()) {
        (true, Some(e)) if lets.len() == 1 => Binding::From(e),
        _ => Binding::Other,
    })
}

/// `Conn::Live(m)`, `Self::Live(_, m)`, `Live(ref m)`, also nested
/// (`Some(Conn::Live(m))`): `name` bound directly by a field of a tuple
/// variant (not `Some`/`Ok`), whatever is around it.
fn variant_binding(pat: Option<ast::Pat>, name: &str) -> Option<Binding> {
    let idents: Vec<ast::IdentPat> = pat?
        .syntax()
        .descendants()
        .filter_map(ast::IdentPat::cast)
        .filter(|i| i.name().is_some_and(|n| n.text() == name))
        .collect();
    // Bound once (not by each side of an or-pattern), by a plain name.
    let [ident] = idents.as_slice() else {
        return None;
    };
    if ident.pat().is_some() {
        return None;
    }
    let t = ast::TupleStructPat::cast(ident.syntax().parent()?)?;
    let path = segments(&t.path()?)?;
    if matches!(path.as_slice(), [one] if one == "Some" || one == "Ok" || one == "Err") {
        return None;
    }
    let index = t.fields().position(|f| f.syntax() == ident.syntax())?;
    // A `..` before it shifts the positions.
    let rest = t
        .fields()
        .take(index)
        .any(|f| matches!(f, ast::Pat::RestPat(_)));
    (!rest).then_some(Binding::Variant(path, index))
}

/// The initializer a local was bound by, and its index when the `let`
/// destructures a tuple (`let (tx, rx) = channel();`).
pub(super) fn let_binding(name: &str, anchor: &SyntaxNode) -> Option<(ast::Expr, Option<usize>)> {
    match find_binding(name, anchor) {
        Binding::Let(l) => Some((l.initializer()?, None)),
        Binding::Destructured(l) => {
            let ast::Pat::TuplePat(t) = l.pat()? else {
                return None;
            };
            let is_name = |f: &ast::Pat| matches!(f, ast::Pat::IdentPat(i) if i.name().is_some_and(|n| n.text() == name));
            let index = t.fields().position(|f| is_name(&f))?;
            Some((l.initializer()?, Some(index)))
        }
        _ => None,
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

/// A pattern without its `&`s.
pub(super) fn strip_ref_pat(pat: Option<ast::Pat>) -> Option<ast::Pat> {
    match pat? {
        ast::Pat::RefPat(r) => strip_ref_pat(r.pat()),
        p => Some(p),
    }
}

impl Extractor<'_> {
    /// What an expression refers to, peeling clones, borrows and unwraps.
    pub(super) fn root(&self, expr: &ast::Expr, anchor: &SyntaxNode, depth: u32) -> Option<Target> {
        if depth > 8 {
            return None;
        }
        match expr {
            ast::Expr::ParenExpr(e) => self.root(&e.expr()?, anchor, depth + 1),
            ast::Expr::RefExpr(e) => self.root(&e.expr()?, anchor, depth + 1),
            ast::Expr::PrefixExpr(e) => self.root(&e.expr()?, anchor, depth + 1),
            ast::Expr::IndexExpr(e) => self.root(&e.base()?, anchor, depth + 1),
            ast::Expr::TryExpr(e) => self.root(&e.expr()?, anchor, depth + 1),
            ast::Expr::MethodCallExpr(mc) => self.root_of_method_call(mc, anchor, depth),
            ast::Expr::CallExpr(ce) => self.root_of_call(ce, anchor, depth),
            ast::Expr::FieldExpr(fe) => self.root_of_field(fe, anchor, depth),
            ast::Expr::PathExpr(pe) => {
                let segs = segments(&pe.path()?)?;
                match segs.as_slice() {
                    [one] if one == "self" => None,
                    [one] if one.starts_with(|c: char| c.is_lowercase() || c == '_') => {
                        self.lookup_var(one, anchor, depth)
                    }
                    [one] => Some(self.static_target(one, anchor)),
                    [.., last] => Some(Target::Static(last.clone())),
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
    ) -> Option<Target> {
        let name = mc.name_ref()?.text().to_string();
        // `weak.upgrade()`: the lock the `Weak` points to; `.ok()` of
        // `Arc::try_unwrap(x)`: the lock `x` points to (see `root_of_call`).
        let ok_of_unwrapped_pointer = name == "ok"
            && matches!(mc.receiver(), Some(ast::Expr::CallExpr(ce)) if unwraps_pointer(&ce));
        if PASS_THROUGH.contains(&name.as_str()) || name == "upgrade" || ok_of_unwrapped_pointer {
            self.root(&mc.receiver()?, anchor, depth + 1)
        } else if GUARD_METHODS.contains(&name.as_str()) || returns_guard(&name) {
            // A guard: it follows its lock (into guard parameters).
            self.root(&mc.receiver()?, anchor, depth + 1)
        } else if LOCK_METHODS.contains(&name.as_str()) || NO_TOKIO_METHODS.contains(&name.as_str())
        {
            None
        } else {
            Some(Target::Call {
                name,
                qual: None,
                method: true,
                module: None,
            })
        }
    }

    /// A call of a path: the argument of a pointer clone or a one-field
    /// wrapper, nothing for a std or parking_lot constructor (a value, not
    /// a place), else the called fn's return value.
    fn root_of_call(&self, ce: &ast::CallExpr, anchor: &SyntaxNode, depth: u32) -> Option<Target> {
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
            return self.root(&arg, anchor, depth + 1);
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
                return self.root(&arg, anchor, depth + 1);
            }
        }
        let (name, qual, module) = self.split_qual(&segs, anchor, self.offset_of(ce.syntax()));
        Some(Target::Call {
            name,
            qual,
            method: false,
            module,
        })
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
                    if let Some(Target::Key(k)) =
                        self.lookup_var(base.text().as_ref(), anchor, depth)
                    {
                        if matches!(k, DeclKey::Local { .. }) {
                            return Some(Target::Key(k));
                        }
                    }
                }
            }
        }
        let owner = match fe.expr()? {
            ast::Expr::PathExpr(p) => {
                let segs = segments(&p.path()?)?;
                if segs == ["self"] {
                    impl_type(anchor)
                } else if segs.len() == 1 {
                    self.var_type_hint(&segs[0], anchor)
                } else {
                    None
                }
            }
            _ => None,
        };
        Some(Target::Field { name, owner })
    }

    pub(super) fn lookup_var(&self, name: &str, anchor: &SyntaxNode, depth: u32) -> Option<Target> {
        match find_binding(name, anchor) {
            Binding::Let(let_stmt) => {
                if self.let_is_decl(&let_stmt) {
                    Some(Target::Key(self.local_key(&let_stmt)))
                } else {
                    self.root(&let_stmt.initializer()?, let_stmt.syntax(), depth + 1)
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
                Some(Target::Key(DeclKey::Param {
                    func: fn_key(&f),
                    index,
                }))
            }
            Binding::From(e) => self.root(&e, e.syntax(), depth + 1),
            // `let (flag, cv) = &*pair;`: a part of what `pair` holds.
            Binding::Destructured(l)
                if matches!(strip_ref_pat(l.pat()), Some(ast::Pat::TuplePat(_))) =>
            {
                self.root(&l.initializer()?, l.syntax(), depth + 1)
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
                Some(Target::Field {
                    name: index.to_string(),
                    owner: Some(owner),
                })
            }
            Binding::Destructured(_) | Binding::Other => None,
            Binding::NotFound => Some(self.static_target(name, anchor)),
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
        const WRAPPERS: &[&str] = &[
            "Arc",
            "Rc",
            "Box",
            "State",
            "Extension",
            "Data",
            "Option",
            "Cow",
        ];
        let names: Vec<String> = ty
            .descendants()
            .filter_map(ast::NameRef::cast)
            .map(|n| n.text().to_string())
            .filter(|n| !WRAPPERS.contains(&n.as_str()))
            .collect();
        match names.first().map(String::as_str) {
            Some("Self") => impl_type(anchor),
            Some(n) => Some(n.to_string()),
            None => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::check_fix;

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
