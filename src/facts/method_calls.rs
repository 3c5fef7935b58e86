//! Method calls that rules watch by name (tokio's `blocking_lock`,
//! `blocking_recv`, ..): where each runs, and what the file shows of the
//! type of its receiver.

use super::*;

/// Method names whose calls are recorded as [`MethodCallFact`]s: the
/// blocking twins of tokio's async methods.
pub const WATCHED_METHODS: &[&str] = &[
    "blocking_lock",
    "blocking_read",
    "blocking_write",
    "blocking_recv",
    "blocking_send",
];

/// Could this text call a watched method? (For the prefilter.)
pub fn may_call_watched_method(text: &str) -> bool {
    text.contains("blocking_") && WATCHED_METHODS.iter().any(|m| text.contains(m))
}

fn is_item(n: &SyntaxNode) -> bool {
    matches!(n.kind(), SyntaxKind::STRUCT | SyntaxKind::ENUM)
}

/// Where the structs and enums of a file are, read from its green tree,
/// which makes no node of the tree for what it walks past: a tenth of the
/// cost of `descendants()` on a large file.
fn struct_and_enum_ranges(root: &SyntaxNode) -> Vec<TextRange> {
    let (structs, enums) = (SyntaxKind::STRUCT as u16, SyntaxKind::ENUM as u16);
    let mut found = Vec::new();
    let green = root.green();
    let mut stack = vec![(green.children(), root.text_range().start())];
    while let Some((children, offset)) = stack.last_mut() {
        let Some(child) = children.next() else {
            stack.pop();
            continue;
        };
        let start = *offset;
        *offset += child.text_len();
        if let ra_ap_syntax::NodeOrToken::Node(node) = child {
            if node.kind().0 == structs || node.kind().0 == enums {
                found.push(TextRange::at(start, node.text_len()));
            }
            stack.push((node.children(), start));
        }
    }
    found
}

/// A file's structs by name (two modules may each have one), and the names
/// of its enums.
#[derive(Default)]
pub(super) struct OwnItems {
    structs: std::collections::HashMap<String, Vec<ast::Struct>>,
    enums: HashSet<String>,
}

/// The type a constructor makes: `std::sync::Barrier` of
/// `std::sync::Barrier::new`, a thread's handle of `std::thread::spawn`.
fn made_type(f: &str) -> Option<String> {
    if f == "std::thread::spawn" {
        return Some("std::thread::JoinHandle".to_string());
    }
    f.strip_suffix("::new")
        .or_else(|| f.strip_suffix("::default"))
        .map(str::to_string)
}

/// `ty` without the references and parentheses around it.
fn strip_refs(ty: ast::Type) -> ast::Type {
    match &ty {
        ast::Type::RefType(r) => r.ty().map_or(ty, strip_refs),
        ast::Type::ParenType(p) => p.ty().map_or(ty, strip_refs),
        _ => ty,
    }
}

/// A call of a watched method.
#[derive(Clone, Debug)]
pub struct MethodCallFact {
    pub method: String,
    /// The receiver expression (`self.state` of `self.state.blocking_lock()`).
    pub receiver: TextRange,
    /// The method's name.
    pub name: TextRange,
    /// The whole call, receiver included.
    pub call: TextRange,
    /// How many arguments it is given.
    pub args: usize,
    pub ctx: SiteContext,
    /// What the file shows of the receiver's type.
    pub receiver_type: ReceiverType,
    /// Inside a `#[cfg(test)]` module or a test fn.
    pub in_test: bool,
    /// Inside a fn marked `#[should_panic]`: the panic may be the test.
    pub should_panic: bool,
    /// In a non-async closure inside async code: the fn the closure is
    /// handed to, when it is named (see [`BlockingFact::closure_callee`]).
    pub closure_callee: Option<String>,
}

/// What a receiver is, as far as its file shows, with paths resolved through
/// the imports in scope (a path the file does not import starts `crate::`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReceiverType {
    /// Nothing in the file says.
    Unknown,
    /// Its declared type, without the pointers around it (`Arc<Mutex<T>>` →
    /// `tokio::sync::Mutex`).
    Typed(String),
    /// Made by a call of this fn (`tokio::sync::Mutex::new`), at this index
    /// of the tuple it returns (`tokio::sync::mpsc::channel`, 1).
    MadeBy(String, Option<usize>),
    /// A struct or enum the file defines (typed by it, or made by one of its
    /// fns): the crate's own type, not another crate's.
    OwnType(String),
}

/// Types that only point to or wrap the value a method is called on.
const POINTERS: &[&str] = &["Arc", "Rc", "Box", "Option"];

/// Methods that hand back (a reference to) their receiver's value.
const PASS_THROUGH_METHODS: &[&str] = &[
    "clone",
    "as_ref",
    "as_mut",
    "unwrap",
    "expect",
    "borrow",
    "borrow_mut",
];

impl Extractor<'_> {
    /// Records `node` if it calls a watched method.
    pub(super) fn visit_watched_method(
        &mut self,
        node: &SyntaxNode,
        anchor: &SyntaxNode,
        shift: u32,
    ) {
        let Some(mc) = ast::MethodCallExpr::cast(node.clone()) else {
            return;
        };
        let (Some(name), Some(recv)) = (mc.name_ref(), mc.receiver()) else {
            return;
        };
        if !WATCHED_METHODS.contains(&name.text()) {
            return;
        }
        let sh = |r: TextRange| r + TextSize::from(shift);
        let scope = if shift == 0 { node } else { anchor };
        let receiver_type = self.own_type(self.receiver_type(&recv, scope, 0));
        self.facts.method_calls.push(MethodCallFact {
            method: name.text().to_string(),
            receiver: sh(recv.syntax().text_range()),
            name: sh(name.syntax().text_range()),
            call: sh(node.text_range()),
            args: mc.arg_list().map_or(0, |a| a.args().count()),
            ctx: self.ctx.clone(),
            receiver_type,
            in_test: in_test_code(anchor),
            should_panic: in_should_panic_fn(anchor),
            closure_callee: (self.ctx == SiteContext::SyncInAsync)
                .then(|| closure_callee(anchor))
                .flatten(),
        });
    }

    /// What the file shows of the type of `expr`: a local's or parameter's
    /// declared type or initializer, a field's type in a struct of this file.
    pub(super) fn receiver_type(
        &self,
        expr: &ast::Expr,
        anchor: &SyntaxNode,
        depth: u32,
    ) -> ReceiverType {
        if depth > 8 {
            return ReceiverType::Unknown;
        }
        let typed = |t: Option<ast::Type>| {
            t.and_then(|t| self.type_path(&t))
                .map_or(ReceiverType::Unknown, ReceiverType::Typed)
        };
        match expr {
            ast::Expr::ParenExpr(e) => e.expr().map_or(ReceiverType::Unknown, |e| {
                self.receiver_type(&e, anchor, depth + 1)
            }),
            ast::Expr::RefExpr(e) => e.expr().map_or(ReceiverType::Unknown, |e| {
                self.receiver_type(&e, anchor, depth + 1)
            }),
            ast::Expr::MethodCallExpr(mc)
                if mc
                    .name_ref()
                    .is_some_and(|n| PASS_THROUGH_METHODS.contains(&n.text())) =>
            {
                mc.receiver().map_or(ReceiverType::Unknown, |e| {
                    self.receiver_type(&e, anchor, depth + 1)
                })
            }
            // In an inherent `impl`, `self` is the crate's own type.
            ast::Expr::PathExpr(p) if p.path().is_some_and(|p| p.to_string() == "self") => {
                match anchor.ancestors().find_map(ast::Impl::cast) {
                    Some(imp) if imp.trait_().is_none() => {
                        impl_type(anchor).map_or(ReceiverType::Unknown, ReceiverType::OwnType)
                    }
                    _ => ReceiverType::Unknown,
                }
            }
            ast::Expr::PathExpr(p) => {
                let Some(name) = p.path().and_then(|p| p.as_single_name_ref()) else {
                    return ReceiverType::Unknown;
                };
                match find_binding(name.text(), anchor) {
                    Binding::Let(l) if l.ty().is_some() => typed(l.ty()),
                    // Looked up where it was bound: `let m = m.clone();`.
                    Binding::Let(l) => l.initializer().map_or(ReceiverType::Unknown, |init| {
                        self.made_by(&init, None, l.syntax(), depth)
                    }),
                    Binding::Destructured(_) => match let_binding(name.text(), anchor) {
                        Some((init, index)) => self.made_by(&init, index, anchor, depth),
                        None => ReceiverType::Unknown,
                    },
                    Binding::Param(_, _, param) => typed(param.ty()),
                    _ => ReceiverType::Unknown,
                }
            }
            ast::Expr::CallExpr(_) => self.made_by(expr, None, anchor, depth),
            ast::Expr::FieldExpr(f) => {
                let (Some(base), Some(field)) = (f.expr(), f.name_ref()) else {
                    return ReceiverType::Unknown;
                };
                let owner = match &base {
                    ast::Expr::PathExpr(p) if p.path().is_some_and(|p| p.to_string() == "self") => {
                        impl_type(anchor)
                    }
                    _ => match self.receiver_type(&base, anchor, depth + 1) {
                        ReceiverType::Typed(t) => t
                            .strip_prefix("crate::")
                            .filter(|t| !t.contains("::"))
                            .map(str::to_string),
                        _ => None,
                    },
                };
                owner
                    .and_then(|owner| self.field_type(&owner, field.text()))
                    .map_or(ReceiverType::Unknown, |t| typed(Some(t)))
            }
            _ => ReceiverType::Unknown,
        }
    }

    /// What the call `init` makes, looking through `Arc::new(..)` and the
    /// like, and through a local it clones.
    fn made_by(
        &self,
        init: &ast::Expr,
        index: Option<usize>,
        anchor: &SyntaxNode,
        depth: u32,
    ) -> ReceiverType {
        let ast::Expr::CallExpr(call) = init else {
            return match index {
                None => self.receiver_type(init, anchor, depth + 1),
                Some(_) => ReceiverType::Unknown,
            };
        };
        let Some(path) = call.expr().and_then(|e| match e {
            ast::Expr::PathExpr(p) => p.path(),
            _ => None,
        }) else {
            return ReceiverType::Unknown;
        };
        let Some(segs) = segments(&path) else {
            return ReceiverType::Unknown;
        };
        let full = self.imports.resolve(&segs, self.offset_of(path.syntax()));
        let pointer = POINTERS.iter().any(|p| {
            full == format!("std::sync::{p}::new")
                || full == format!("std::rc::{p}::new")
                || full == format!("std::boxed::{p}::new")
                || full == format!("crate::{p}::new")
                || full == "crate::Some"
        });
        // `Arc::clone(&b)` is what `b` is.
        let cloned = ["std::sync::Arc::clone", "std::rc::Rc::clone"].contains(&full.as_str());
        match call.arg_list().and_then(|a| a.args().next()) {
            Some(inner) if (pointer || cloned) && index.is_none() => {
                let inner = match &inner {
                    ast::Expr::RefExpr(r) if cloned => r.expr().unwrap_or(inner),
                    _ => inner,
                };
                self.made_by(&inner, None, anchor, depth + 1)
            }
            _ => ReceiverType::MadeBy(full, index),
        }
    }

    /// `t` as an [`ReceiverType::OwnType`] where it names a struct or enum
    /// of this file (`crate::Gate`, `crate::Gate::new`).
    fn own_type(&self, t: ReceiverType) -> ReceiverType {
        let path = match &t {
            ReceiverType::Typed(p) => p.as_str(),
            ReceiverType::MadeBy(f, None) => f.rsplit_once("::").map_or("", |(ty, _)| ty),
            _ => return t,
        };
        let Some(name) = path.strip_prefix("crate::").filter(|n| !n.contains("::")) else {
            return t;
        };
        let items = self.own_items();
        match items.structs.contains_key(name) || items.enums.contains(name) {
            true => ReceiverType::OwnType(name.to_string()),
            false => t,
        }
    }

    /// The file's structs and enums, read on first use.
    fn own_items(&self) -> &OwnItems {
        self.own_items.get_or_init(|| {
            let mut items = OwnItems::default();
            for at in struct_and_enum_ranges(&self.root) {
                let Some(node) = self.root.covering_element(at).into_node() else {
                    continue;
                };
                let Some(n) = node
                    .ancestors()
                    .find(|n| n.text_range() == at && is_item(n))
                else {
                    continue;
                };
                if let Some(s) = ast::Struct::cast(n.clone()) {
                    if let Some(name) = s.name() {
                        items
                            .structs
                            .entry(name.text().to_string())
                            .or_default()
                            .push(s);
                    }
                } else if let Some(name) = ast::Enum::cast(n).and_then(|e| e.name()) {
                    items.enums.insert(name.text().to_string());
                }
            }
            items
        })
    }

    /// The path of a type, without the pointers around it.
    fn type_path(&self, ty: &ast::Type) -> Option<String> {
        match ty {
            ast::Type::RefType(r) => self.type_path(&r.ty()?),
            ast::Type::ParenType(p) => self.type_path(&p.ty()?),
            ast::Type::PathType(p) => {
                let path = p.path()?;
                let segs = segments(&path)?;
                if POINTERS.contains(&segs.last()?.as_str()) {
                    return self.type_path(&first_type_arg(&path.segment()?)?);
                }
                Some(self.imports.resolve(&segs, self.offset_of(path.syntax())))
            }
            _ => None,
        }
    }

    /// The resolved path of the type of the value `expr` is, pointers and
    /// `Option` peeled off (`std::thread::JoinHandle` of `h` in `for h in
    /// self.handles.drain(..)`), as far as its file shows; see
    /// [`Self::value_type`].
    pub(super) fn value_type_path(&self, expr: &ast::Expr, anchor: &SyntaxNode) -> Option<String> {
        let declared = self.value_type(expr, anchor, 0);
        if let Some(path) = declared.and_then(|ty| self.type_path(&ty)) {
            return Some(path);
        }
        // No declared type (or `_`): the type whose constructor made it
        // (`Barrier::new(2)`, through `Arc::new` and clones), or made the
        // elements of the collection it is one of.
        match self.receiver_type(expr, anchor, 0) {
            ReceiverType::MadeBy(f, None) => made_type(&f),
            _ => made_type(&self.element_made_by(expr, anchor)?),
        }
    }

    /// What made the elements of the collection `expr` is an element of
    /// (`for t in threads`, `threads.into_iter().for_each(|t| ..)`), where
    /// its `let` collects a closure's values:
    /// `let threads: Vec<_> = (0..n).map(|i| std::thread::spawn(..)).collect();`.
    fn element_made_by(&self, expr: &ast::Expr, anchor: &SyntaxNode) -> Option<String> {
        let ast::Expr::PathExpr(p) = expr else {
            return None;
        };
        let Binding::Element(mut collection) =
            find_binding(p.path()?.as_single_name_ref()?.text(), anchor)
        else {
            return None;
        };
        while let ast::Expr::MethodCallExpr(mc) = &collection {
            match mc.name_ref()?.text() {
                "iter" | "into_iter" | "drain" => collection = mc.receiver()?,
                _ => return None,
            }
        }
        let ast::Expr::PathExpr(c) = &collection else {
            return None;
        };
        let name = c.path()?.as_single_name_ref()?;
        let Binding::Let(l) = find_binding(name.text(), collection.syntax()) else {
            return None;
        };
        if let Some(made) = self.pushed_made_by(&l) {
            return Some(made);
        }
        let ast::Expr::MethodCallExpr(collect) = l.initializer()? else {
            return None;
        };
        let ast::Expr::MethodCallExpr(map) = collect.receiver()? else {
            return None;
        };
        if collect.name_ref()?.text() != "collect" || map.name_ref()?.text() != "map" {
            return None;
        }
        let Some(ast::Expr::ClosureExpr(closure)) = map.arg_list()?.args().next() else {
            return None;
        };
        let value = match closure.body()? {
            ast::Expr::BlockExpr(b) => b.stmt_list()?.tail_expr()?,
            e => e,
        };
        match self.made_by(&value, None, value.syntax(), 0) {
            ReceiverType::MadeBy(f, None) => Some(f),
            _ => None,
        }
    }

    /// What made every element pushed onto the empty collection `l` binds
    /// (`let mut hs = Vec::new(); hs.push(std::thread::spawn(..));`), where
    /// one fn made them all.
    fn pushed_made_by(&self, l: &ast::LetStmt) -> Option<String> {
        let empty = match l.initializer()? {
            ast::Expr::CallExpr(c) => {
                c.arg_list()?.args().next().is_none()
                    && c.expr()?.syntax().text().to_string().ends_with("Vec::new")
            }
            ast::Expr::MacroExpr(m) => m.syntax().text().to_string().replace(' ', "") == "vec![]",
            _ => false,
        };
        if !empty {
            return None;
        }
        // Each method called on it that adds elements: `hs.push(value)`
        // gives what made `value`; any other adds what is not known.
        let adds = super::bindings::uses_after(l).into_iter().filter_map(|n| {
            let mc = n.syntax().ancestors().find_map(ast::MethodCallExpr::cast)?;
            let on_it = mc.receiver()?.syntax().text() == n.text();
            let method = mc.name_ref()?.text().to_string();
            let adding = [
                "push",
                "extend",
                "insert",
                "append",
                "push_back",
                "push_front",
            ];
            (on_it && adding.contains(&method.as_str())).then_some((method, mc))
        });
        let mut made = adds.map(|(method, mc)| {
            let value = mc.arg_list()?.args().next().filter(|_| method == "push")?;
            match self.made_by(&value, None, value.syntax(), 0) {
                ReceiverType::MadeBy(f, None) => Some(f),
                _ => None,
            }
        });
        let first = made.next()??;
        made.all(|m| m.as_ref() == Some(&first)).then_some(first)
    }

    /// The declared type of the value `expr` is: a local's or parameter's
    /// type (or its initializer's), a field's in a struct of this file, an
    /// element of a collection (`for h in handles`, `handles.pop()`,
    /// `map.get(k)`), or the data behind a std lock's guard. `Option` and
    /// pointers may remain around it ([`Self::type_path`] peels them).
    /// Unknown stays unknown.
    fn value_type(&self, expr: &ast::Expr, anchor: &SyntaxNode, depth: u32) -> Option<ast::Type> {
        if depth > 8 {
            return None;
        }
        let inner = |e: Option<ast::Expr>| self.value_type(&e?, anchor, depth + 1);
        match expr {
            ast::Expr::ParenExpr(e) => inner(e.expr()),
            ast::Expr::RefExpr(e) => inner(e.expr()),
            ast::Expr::PrefixExpr(e) if e.op_kind() == Some(ast::UnaryOp::Deref) => inner(e.expr()),
            ast::Expr::TryExpr(e) => self.unwrapped(inner(e.expr())?),
            // What an async fn declares it returns is what its call awaits.
            ast::Expr::AwaitExpr(e) => inner(e.expr()),
            ast::Expr::CallExpr(call) => {
                let ast::Expr::PathExpr(p) = call.expr()? else {
                    return None;
                };
                let segs = segments(&p.path()?)?;
                let key = match segs.as_slice() {
                    [f] => FnId::free(f),
                    [ty, f] if ty == "Self" => FnId::method(&impl_type(anchor)?, f),
                    [ty, f] => FnId::method(ty, f),
                    _ => return None,
                };
                self.returns(&key)
            }
            ast::Expr::PathExpr(p) => {
                let name = p.path()?.as_single_name_ref()?;
                // What a binding was bound to is looked up where it was
                // bound: `let barrier = barrier.clone();` names the outer one.
                match find_binding(name.text(), anchor) {
                    Binding::Let(l) => l
                        .ty()
                        .or_else(|| self.value_type(&l.initializer()?, l.syntax(), depth + 1)),
                    Binding::Param(_, _, param) => param.ty(),
                    Binding::Element(e) => self.element_type(&e, e.syntax(), depth + 1),
                    Binding::From(e) => {
                        self.unwrapped(self.value_type(&e, e.syntax(), depth + 1)?)
                    }
                    _ => None,
                }
            }
            ast::Expr::FieldExpr(f) => {
                let owner = self.owner_of(&f.expr()?, anchor, depth)?;
                self.field_type(&owner, f.name_ref()?.text())
            }
            ast::Expr::MethodCallExpr(mc) => {
                let recv = mc.receiver()?;
                match mc.name_ref()?.text() {
                    "clone" | "as_ref" | "as_mut" | "take" | "borrow" | "borrow_mut" => {
                        inner(Some(recv))
                    }
                    "unwrap" | "expect" => self.unwrapped(inner(Some(recv))?),
                    // The data behind a std lock's guard.
                    "lock" | "read" | "write" => {
                        let ty = inner(Some(recv))?;
                        let lock = self.type_path(&ty)?;
                        matches!(lock.as_str(), "std::sync::Mutex" | "std::sync::RwLock")
                            .then(|| self.type_args(&ty)?.into_iter().next())
                            .flatten()
                    }
                    "pop" | "pop_front" | "pop_back" | "first" | "last" | "first_mut"
                    | "last_mut" | "get" | "get_mut" | "remove" | "swap_remove" => {
                        self.element_type(&recv, anchor, depth + 1)
                    }
                    // A method of a struct of this file: what it declares
                    // it returns.
                    name => {
                        let owner = self.owner_of(&recv, anchor, depth)?;
                        self.returns(&FnId::method(&owner, name))
                    }
                }
            }
            _ => None,
        }
    }

    /// The crate type (its name) the value `expr` is: `self`'s, a declared
    /// one, or one the file shows it is made as (`Service::new()`).
    fn owner_of(&self, expr: &ast::Expr, anchor: &SyntaxNode, depth: u32) -> Option<String> {
        if let ast::Expr::PathExpr(p) = expr {
            if p.path().is_some_and(|p| p.to_string() == "self") {
                return impl_type(anchor);
            }
        }
        let declared = self
            .value_type(expr, anchor, depth + 1)
            .and_then(|ty| self.type_path(&ty))
            .and_then(|ty| Some(ty.strip_prefix("crate::")?.to_string()))
            .filter(|own| !own.contains("::"));
        declared.or_else(|| match self.own_receiver(expr, anchor, depth + 1)? {
            OwnReceiver::Type(t) => Some(t.to_string()),
            _ => None,
        })
    }

    /// The type the fn `key` of this file declares it returns, if the file
    /// has one fn of that key.
    fn returns(&self, key: &FnId) -> Option<ast::Type> {
        let fns = self.own_fns.get_or_init(|| {
            let mut fns: std::collections::HashMap<FnId, Vec<ast::Fn>> = Default::default();
            for f in self.root.descendants().filter_map(ast::Fn::cast) {
                fns.entry(fn_key(&f)).or_default().push(f);
            }
            fns
        });
        let [f] = fns.get(key)?.as_slice() else {
            return None;
        };
        f.ret_type()?.ty()
    }

    /// The type of an element of `expr`: of a collection, or of the
    /// iterator one of its methods makes (`drain(..)`, `values()`). A map's
    /// elements are its values.
    fn element_type(&self, expr: &ast::Expr, anchor: &SyntaxNode, depth: u32) -> Option<ast::Type> {
        let collection = match expr {
            ast::Expr::MethodCallExpr(mc)
                if mc.name_ref().is_some_and(|n| {
                    matches!(
                        n.text(),
                        "iter"
                            | "iter_mut"
                            | "into_iter"
                            | "drain"
                            | "values"
                            | "values_mut"
                            | "into_values"
                    )
                }) =>
            {
                mc.receiver()?
            }
            _ => expr.clone(),
        };
        let ty = self.value_type(&collection, anchor, depth + 1)?;
        match strip_refs(ty) {
            ast::Type::SliceType(s) => s.ty(),
            ast::Type::ArrayType(a) => a.ty(),
            ty @ ast::Type::PathType(_) => {
                let last = |args: Vec<ast::Type>| args.into_iter().last();
                let container = self.type_path(&ty)?;
                match container.rsplit("::").next()? {
                    "Vec" | "VecDeque" | "LinkedList" | "BinaryHeap" | "HashSet" | "BTreeSet" => {
                        self.type_args(&ty)?.into_iter().next()
                    }
                    "HashMap" | "BTreeMap" => last(self.type_args(&ty)?),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// The `T` of an `Option<T>` or `Result<T, E>` (through references and
    /// pointers); any other type as it is.
    fn unwrapped(&self, ty: ast::Type) -> Option<ast::Type> {
        let ty = strip_refs(ty);
        match self.type_path(&ty).as_deref() {
            Some("std::result::Result" | "crate::Result" | "std::io::Result") => {
                self.type_args(&ty)?.into_iter().next()
            }
            _ => Some(ty),
        }
    }

    /// The type arguments of the last segment of a path type, behind
    /// references and the pointers `type_path` peels.
    fn type_args(&self, ty: &ast::Type) -> Option<Vec<ast::Type>> {
        let ast::Type::PathType(p) = strip_refs(ty.clone()) else {
            return None;
        };
        let segment = p.path()?.segment()?;
        let name = segment.name_ref()?;
        if POINTERS.contains(&name.text()) {
            return self.type_args(&first_type_arg(&segment)?);
        }
        Some(
            segment
                .generic_arg_list()?
                .generic_args()
                .filter_map(|a| match a {
                    ast::GenericArg::TypeArg(t) => t.ty(),
                    _ => None,
                })
                .collect(),
        )
    }

    /// The declared type of field `field` of the struct `owner` of this file.
    fn field_type(&self, owner: &str, field: &str) -> Option<ast::Type> {
        // Two structs of that name (in two modules): which one is unknown.
        let [s] = self.own_items().structs.get(owner)?.as_slice() else {
            return None;
        };
        match s.field_list()? {
            ast::FieldList::RecordFieldList(l) => l
                .fields()
                .find(|f| f.name().is_some_and(|n| n.text() == field))?
                .ty(),
            ast::FieldList::TupleFieldList(l) => l.fields().nth(field.parse().ok()?)?.ty(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn calls(src: &str) -> Vec<(String, SiteContext, ReceiverType)> {
        let facts = facts_of(src);
        facts
            .method_calls
            .into_iter()
            .map(|c| (c.method, c.ctx, c.receiver_type))
            .collect()
    }

    #[test]
    fn receivers_are_typed_by_lets_params_and_fields() {
        let src = "use std::sync::Arc; use tokio::sync::{mpsc, oneshot, Mutex};\n\
            struct S { m: Arc<Mutex<u8>>, rx: Option<oneshot::Receiver<u8>> }\n\
            impl S { async fn f(&self, tx: &mpsc::Sender<u8>) {\n\
              let m = Arc::new(Mutex::new(1));\n\
              let (_t, mut rx) = mpsc::channel::<u8>(1);\n\
              m.blocking_lock(); rx.blocking_recv(); tx.blocking_send(1);\n\
              self.m.blocking_lock(); self.rx.take().unwrap().blocking_recv(); other().blocking_lock();\n\
              Gate::new().blocking_lock(); self.blocking_lock();\n\
            } }\n\
            struct Gate;";
        let found = calls(src);
        let types: Vec<&ReceiverType> = found.iter().map(|(_, _, t)| t).collect();
        let made = |p: &str, i| ReceiverType::MadeBy(p.into(), i);
        let typed = |p: &str| ReceiverType::Typed(p.into());
        assert_eq!(
            types,
            [
                &made("tokio::sync::Mutex::new", None),
                &made("tokio::sync::mpsc::channel", Some(1)),
                &typed("tokio::sync::mpsc::Sender"),
                &typed("tokio::sync::Mutex"),
                &ReceiverType::Unknown,
                &made("crate::other", None),
                &ReceiverType::OwnType("Gate".into()),
                &ReceiverType::OwnType("S".into()),
            ]
        );
        assert!(found.iter().all(|(_, ctx, _)| *ctx == SiteContext::Async));
    }

    #[test]
    fn contexts_tell_async_code_from_closures_and_the_blocking_pool() {
        let src = "async fn f(m: tokio::sync::Mutex<u8>) {\n\
              let _ = [1].iter().map(|_| *m.blocking_lock());\n\
              tokio::task::spawn_blocking(move || m.blocking_lock());\n\
            }\n\
            fn g(m: &tokio::sync::Mutex<u8>) { m.blocking_lock(); }";
        let ctxs: Vec<SiteContext> = calls(src).into_iter().map(|(_, c, _)| c).collect();
        assert_eq!(ctxs[0], SiteContext::SyncInAsync);
        assert_eq!(ctxs[1], SiteContext::Blocking);
        assert!(matches!(ctxs[2], SiteContext::Sync { .. }));
        assert!(may_call_watched_method("x.blocking_send(1)"));
        assert!(!may_call_watched_method("spawn_blocking(f)"));
    }
}
