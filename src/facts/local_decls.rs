//! Declarations in code: locals, closure parameters, and fn parameters and
//! return values typed with a lock; which parameter an argument is handed
//! to; and whether a local holds an owned value.

use super::*;

/// Is a type owned (not a reference, not `Rc`)? `Some(cloneable)` if so.
pub(super) fn owned_type(ty: &str) -> Option<bool> {
    if ty.contains('&')
        || ty.contains('\'')
        || ty.contains("impl")
        || ty.contains("dyn")
        || ty.contains("Rc")
        || ty.contains("Cell")
    {
        return None;
    }
    let base = ty.split('<').next().unwrap_or(ty).trim();
    let known = [
        "Vec", "String", "Box", "Arc", "HashMap", "BTreeMap", "HashSet", "BTreeSet", "VecDeque",
        "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64", "i128", "isize",
        "f32", "f64", "bool", "char",
    ];
    Some(known.contains(&base) || base.starts_with('['))
}

/// Is a local bound to an owned value? `Some(cloneable)` if so.
pub(super) fn owned_let(l: &ast::LetStmt) -> Option<bool> {
    if let Some(ty) = l.ty() {
        return owned_type(&ty.syntax().text().to_string());
    }
    let init = l.initializer()?;
    let text = init.syntax().text().to_string();
    if text.contains("Rc") || text.contains("Cell") {
        return None;
    }
    match &init {
        ast::Expr::Literal(_) => Some(true),
        ast::Expr::MacroExpr(m) => {
            let name = m.macro_call()?.path()?.syntax().text().to_string();
            matches!(name.as_str(), "vec" | "format").then_some(true)
        }
        ast::Expr::CallExpr(c) => {
            let callee = c.expr()?.syntax().text().to_string();
            matches!(
                callee.as_str(),
                "String::from" | "String::new" | "Vec::new" | "Vec::with_capacity"
            )
            .then_some(true)
        }
        ast::Expr::MethodCallExpr(m) => {
            let name = m.name_ref()?.text().to_string();
            matches!(
                name.as_str(),
                "to_vec" | "to_string" | "to_owned" | "into_bytes"
            )
            .then_some(true)
        }
        _ => None,
    }
}

/// A `let` annotated with a type that may be a lock type alias (`let db:
/// Db = ..`): the crate-wide index decides.
pub(super) fn alias_typed(let_stmt: &ast::LetStmt) -> bool {
    let mut ty = let_stmt.ty();
    while let Some(ast::Type::RefType(r)) = &ty {
        ty = r.ty();
    }
    // A bare name, as aliases are used: `Db`, not `Vec<u8>`.
    let Some(ast::Type::PathType(p)) = ty else {
        return false;
    };
    p.path()
        .and_then(|p| p.segment())
        .filter(|s| ast::HasGenericArgs::generic_arg_list(s).is_none())
        .and_then(|s| s.name_ref())
        .is_some_and(|n| n.text().starts_with(|c: char| c.is_ascii_uppercase()))
}

/// The fn a parameter is of, and its position.
pub(super) fn param_of(param: &SyntaxNode) -> Option<(ast::Fn, usize)> {
    let list = ast::ParamList::cast(param.parent()?)?;
    let f = ast::Fn::cast(list.syntax().parent()?)?;
    let index = list.params().position(|p| p.syntax() == param)?;
    Some((f, index))
}

impl Extractor<'_> {
    pub(super) fn param_target(
        &self,
        arg_list: &SyntaxNode,
        arg: &SyntaxNode,
        anchor: &SyntaxNode,
    ) -> Option<Target> {
        let index = ast::ArgList::cast(arg_list.clone())?
            .args()
            .position(|a| a.syntax() == arg)?;
        let call = arg_list.parent()?;
        if let Some(mc) = ast::MethodCallExpr::cast(call.clone()) {
            let name = mc.name_ref()?.text().to_string();
            return Some(Target::Param {
                name,
                qual: None,
                method: true,
                index,
                module: None,
            });
        }
        let ce = ast::CallExpr::cast(call)?;
        let ast::Expr::PathExpr(pe) = ce.expr()? else {
            return None;
        };
        let segs = segments(&pe.path()?)?;
        // `f(x)` of `let f = |m: Arc<Mutex<T>>| ..`: that closure's parameter.
        if let [one] = segs.as_slice() {
            let scope = self.scope_of(one, pe.syntax(), anchor);
            if let Some(c) = super::bindings::closure_named(one, &scope) {
                let param = c.param_list()?.params().nth(index)?;
                let typed = param
                    .ty()
                    .is_some_and(|t| self.lock_in_type(t.syntax()).is_some());
                return (typed && !self.in_macro_code(param.syntax()))
                    .then(|| Target::Key(self.closure_param_key(&param)));
            }
        }
        // `Shared(value)`, `Event::Lock(value)`: a positional field.
        let upper = |s: &String| s.starts_with(|c: char| c.is_ascii_uppercase());
        let owner = match segs.as_slice() {
            [.., e, v] if upper(e) && upper(v) => Some(format!("{e}::{v}")),
            [.., v] if upper(v) => Some(v.clone()),
            _ => None,
        };
        if let Some(owner) = owner {
            return Some(Target::Field {
                name: index.to_string(),
                owner: Some(owner),
            });
        }
        let (name, qual, module) = self.split_qual(&segs, anchor, self.offset_of(pe.syntax()));
        Some(Target::Param {
            name,
            qual,
            method: false,
            index,
            module,
        })
    }

    pub(super) fn let_is_decl(&self, let_stmt: &ast::LetStmt) -> bool {
        if let Some(ty) = let_stmt.ty() {
            return self.lock_in_type(ty.syntax()).is_some();
        }
        let Some(init) = let_stmt.initializer() else {
            return false;
        };
        init.syntax()
            .descendants()
            .filter_map(ast::Path::cast)
            .any(|p| {
                self.lock_type(&p)
                    .is_some_and(|(f, l)| f != Family::Tokio && !l.is_guard())
                    && self.value_reaches(p.syntax(), init.syntax())
            })
            || self.collected_lock(let_stmt).is_some()
    }

    /// The lock a collection a `let` makes holds, where the initializer's
    /// paths do not show it: `vec![Mutex::new(0)]`, or an empty collection
    /// later uses fill with locks.
    fn collected_lock(&self, let_stmt: &ast::LetStmt) -> Option<(Family, LockType)> {
        let init = let_stmt.initializer()?;
        self.vec_of_locks(&init).or_else(|| {
            let value = self.filled_with_locks(let_stmt)?;
            self.lock_in_type(value.syntax())
        })
    }

    /// `vec![Mutex::new(0), Mutex::new(1)]`: a vector whose elements are
    /// std locks of one type (or pointers to them) the macro's tokens make,
    /// and that type.
    fn vec_of_locks(&self, init: &ast::Expr) -> Option<(Family, LockType)> {
        let ast::Expr::MacroExpr(m) = init else {
            return None;
        };
        let mac = m.macro_call()?;
        if !mac.path().is_some_and(|p| p.syntax().text() == "vec") {
            return None;
        }
        let tt = mac.token_tree()?;
        // Each element's first tokens: `Mutex::new(`, or a pointer's
        // `Arc::new(Mutex::new(`.
        let tokens = super::macro_tokens::significant_tokens(&tt);
        let lock_new = |at: usize| {
            let (name, new) = (tokens.get(at)?, tokens.get(at + 3)?);
            let full =
                (self.imports).resolve(&[name.text().to_string()], name.text_range().start());
            let lock = match full.as_str() {
                "std::sync::Mutex" => LockType::Mutex,
                "std::sync::RwLock" => LockType::RwLock,
                _ => return None,
            };
            (new.text() == "new").then_some(lock)
        };
        let (mut depth, mut elements) = (0usize, 0);
        let mut locks: Vec<LockType> = Vec::new();
        let mut element_starts = false;
        for (i, t) in tokens.iter().enumerate() {
            if element_starts {
                elements += 1;
                let pointer = tokens.get(i + 3).is_some_and(|n| n.text() == "new");
                let lock = lock_new(i).or_else(|| lock_new(i + 5).filter(|_| pointer));
                locks.extend(lock);
            }
            match t.kind() {
                SyntaxKind::L_BRACK | SyntaxKind::L_PAREN | SyntaxKind::L_CURLY => depth += 1,
                SyntaxKind::R_BRACK | SyntaxKind::R_PAREN | SyntaxKind::R_CURLY => {
                    depth = depth.saturating_sub(1)
                }
                _ => {}
            }
            // The outer `[`, or a comma between elements, starts one.
            element_starts = depth == 1
                && matches!(t.kind(), SyntaxKind::L_BRACK | SyntaxKind::COMMA)
                && tokens
                    .get(i + 1)
                    .is_some_and(|n| n.kind() != SyntaxKind::R_BRACK);
        }
        let first = *locks.first()?;
        (locks.len() == elements && locks.iter().all(|l| *l == first))
            .then_some((Family::Std, first))
    }

    /// An empty std collection a `let` makes (without a type) that later
    /// uses fill with locks (`let mut m = HashMap::new(); m.insert(k,
    /// Mutex::new(0));`): the local holds them. The first value added that
    /// makes a lock, whose type is the local's.
    fn filled_with_locks(&self, let_stmt: &ast::LetStmt) -> Option<ast::Expr> {
        if let_stmt.ty().is_some() {
            return None;
        }
        let ast::Expr::CallExpr(call) = let_stmt.initializer()? else {
            return None;
        };
        let ast::Expr::PathExpr(p) = call.expr()? else {
            return None;
        };
        let segs = segments(&p.path()?)?;
        let full = self.imports.resolve(&segs, self.offset_of(p.syntax()));
        let empty = full.starts_with("std::collections::") || full.starts_with("std::vec::");
        if !empty
            || !matches!(
                segs.last().map(String::as_str),
                Some("new" | "with_capacity")
            )
        {
            return None;
        }
        super::bindings::uses_after(let_stmt)
            .into_iter()
            .find_map(|n| {
                let mc = n.syntax().ancestors().find_map(ast::MethodCallExpr::cast)?;
                let on_it = mc.receiver()?.syntax().text() == n.text();
                let adds = ADDING.contains(&mc.name_ref()?.text());
                let value = mc.arg_list()?.args().last()?;
                let lock = value
                    .syntax()
                    .descendants()
                    .filter_map(ast::Path::cast)
                    .any(|p| {
                        self.lock_type(&p)
                            .is_some_and(|(f, l)| f != Family::Tokio && !l.is_guard())
                            && self.value_reaches(p.syntax(), value.syntax())
                    });
                (on_it && adds && lock).then_some(value)
            })
    }

    /// Does the value built at `node` end up as the value of `top` itself
    /// (through std wrappers like `Arc::new`), rather than in a struct field
    /// or an argument of some other function?
    pub(super) fn value_reaches(&self, node: &SyntaxNode, top: &SyntaxNode) -> bool {
        for up in node.ancestors() {
            match up.kind() {
                // A closure's parameter or return type names what it takes
                // or makes, and a closure or async block bound as the value
                // is code, not a lock (`let f = |m: Arc<Mutex<T>>| ..`).
                SyntaxKind::PARAM_LIST | SyntaxKind::RET_TYPE => return false,
                SyntaxKind::CLOSURE_EXPR if &up == top => return false,
                SyntaxKind::BLOCK_EXPR
                    if ast::BlockExpr::cast(up.clone())
                        .is_some_and(|b| b.async_token().is_some()) =>
                {
                    return false
                }
                _ => {}
            }
            if &up == top {
                return true;
            }
            match up.kind() {
                SyntaxKind::RECORD_EXPR_FIELD => return false,
                // An argument of a method call (`v.push(Mutex::new(0))`),
                // but for the elements a `map` closure makes of what the
                // value collects (`(0..n).map(|_| Mutex::new(0)).collect()`).
                SyntaxKind::ARG_LIST
                    if up
                        .parent()
                        .is_some_and(|c| c.kind() == SyntaxKind::METHOD_CALL_EXPR) =>
                {
                    let mc = up.parent().and_then(ast::MethodCallExpr::cast);
                    if !(mc.is_some_and(|m| is_map(&m)) && collects(top)) {
                        return false;
                    }
                }
                SyntaxKind::ARG_LIST => {
                    let callee = up
                        .parent()
                        .and_then(ast::CallExpr::cast)
                        .and_then(|c| c.expr())
                        .and_then(|e| match e {
                            ast::Expr::PathExpr(p) => p.path().and_then(|p| segments(&p)),
                            _ => None,
                        });
                    let wrapper = callee.is_some_and(|segs| {
                        matches!(
                            segs.first().map(String::as_str),
                            Some("Some" | "Ok" | "Box")
                        ) || self
                            .imports
                            .resolve(&segs, self.offset_of(&up))
                            .starts_with("std::")
                    });
                    if !wrapper {
                        return false;
                    }
                }
                _ => {}
            }
        }
        false
    }

    pub(super) fn local_key(&self, let_stmt: &ast::LetStmt) -> DeclKey {
        DeclKey::Local {
            file: self.file_id,
            offset: let_stmt.syntax().text_range().start().into(),
        }
    }

    /// A closure parameter's key: it is a local of the fn it is in.
    pub(super) fn closure_param_key(&self, param: &ast::Param) -> DeclKey {
        DeclKey::Local {
            file: self.file_id,
            offset: param.syntax().text_range().start().into(),
        }
    }

    /// `let f = |m: Arc<Mutex<T>>| ..;`: each parameter whose type names a
    /// lock is a declaration, fed by the arguments of each call `f(..)`.
    /// Where `f` is used other than called (handed to `run(f, lock)`, stored,
    /// returned), its arguments come from code the tool does not see: the
    /// parameter is held back, with the locks handed along with it.
    fn visit_closure_let(&mut self, let_stmt: &ast::LetStmt) {
        let Some(ast::Expr::ClosureExpr(c)) = let_stmt.initializer() else {
            return;
        };
        let Some(name) = super::bindings::closure_let(&c)
            .and_then(|_| let_stmt.pat())
            .map(|p| p.syntax().text().to_string())
        else {
            return;
        };
        let handed_on: Vec<ast::NameRef> = super::bindings::uses_after(let_stmt)
            .into_iter()
            .filter(|n| super::bindings::called_by(n).is_none())
            .collect();
        for param in c.param_list().into_iter().flat_map(|l| l.params()) {
            let (Some(ty), Some(pat)) = (param.ty(), param.pat()) else {
                continue;
            };
            if self.lock_in_type(ty.syntax()).is_none() {
                continue;
            }
            let key = self.closure_param_key(&param);
            self.push_decl(
                key.clone(),
                format!("parameter `{}` of closure `{name}`", pat.syntax().text()),
                ty.syntax(),
                pat.syntax().text_range(),
            );
            if handed_on.is_empty() {
                continue;
            }
            if let Some(d) = self.facts.decls.iter_mut().rev().find(|d| d.key == key) {
                d.blockers.push(format!(
                    "it is a parameter of closure `{name}`, which is handed to other code, so its arguments come from code the tool does not see"
                ));
            }
            // `run(f, lock.clone())`, `Some(lock.clone()).map(f)`: code handed
            // `f` may hand it any lock of the same statement.
            for n in &handed_on {
                let statement = n
                    .syntax()
                    .ancestors()
                    .take_while(|a| a.kind() != SyntaxKind::STMT_LIST)
                    .last();
                let names = statement
                    .iter()
                    .flat_map(|s| s.descendants())
                    .filter_map(ast::PathExpr::cast);
                for name in names {
                    let name = ast::Expr::PathExpr(name);
                    if let Some(t) = self.root(&name, name.syntax(), 0) {
                        self.facts.links.push((vec![Target::Key(key.clone())], t));
                    }
                }
            }
        }
    }

    pub(super) fn visit_let(&mut self, let_stmt: &ast::LetStmt) {
        self.visit_closure_let(let_stmt);
        if !self.let_is_decl(let_stmt) && !alias_typed(let_stmt) {
            return;
        }
        let Some(ast::Pat::IdentPat(pat)) = let_stmt.pat() else {
            return;
        };
        let Some(name) = pat.name() else { return };
        let key = self.local_key(let_stmt);
        let node = let_stmt.syntax();
        let lock = self
            .collected_lock(let_stmt)
            .or_else(|| self.lock_in_type(node));
        let display = format!("local `{}`", name.text());
        self.push_decl_as(key.clone(), display, node, name.syntax().text_range(), lock);
        if let Some(init) = let_stmt.initializer() {
            if let Some(t) = self.root(&init, let_stmt.syntax(), 0) {
                self.facts.links.push((vec![Target::Key(key)], t));
            }
        }
    }

    pub(super) fn visit_fn(&mut self, f: &ast::Fn) {
        let key = fn_key(f);
        if self.names_blocking_pool && hands_param_to_blocking_pool(f) {
            if let Some(name) = f.name() {
                self.facts.blocking_wrappers.push(name.text().to_string());
            }
        }
        self.facts.async_main |= key == FnId::free("main") && f.async_token().is_some();
        let public = ast::HasVisibility::visibility(f).is_some_and(|v| v.syntax().text() == "pub");
        if public && api_visibility(f.syntax()).0 {
            self.facts.public_fns.push(key.clone());
        }
        if let Some(list) = f.param_list() {
            for (index, param) in list.params().enumerate() {
                let (Some(ty), Some(pat)) = (param.ty(), param.pat()) else {
                    continue;
                };
                if let (None, Some((family, lock))) = (
                    self.lock_in_type(ty.syntax()),
                    self.guard_in_type(ty.syntax()),
                ) {
                    let (guard_public, guard_item, guard_mods) = api_visibility(ty.syntax());
                    self.facts.decls.push(DeclFact {
                        key: DeclKey::Param {
                            func: key.clone(),
                            index,
                        },
                        display: format!("parameter `{}` of `{key}`", pat.syntax().text()),
                        lock,
                        family,
                        range: pat.syntax().text_range(),
                        blockers: Vec::new(),
                        unsafe_premise: None,
                        type_names: Vec::new(),
                        public: guard_public,
                        api_item: guard_item.clone(),
                        private_mods: guard_mods.clone(),
                        exported: false,
                        guard: true,
                        direct: false,
                        module: inline_modules(f.syntax()),
                    });
                    continue;
                }
                self.push_decl(
                    DeclKey::Param {
                        func: key.clone(),
                        index,
                    },
                    format!("parameter `{}` of `{key}`", pat.syntax().text()),
                    ty.syntax(),
                    pat.syntax().text_range(),
                );
            }
        }
        if let Some(ret) = f.ret_type() {
            if let Some(name) = f.name() {
                self.push_decl(
                    DeclKey::Ret(key.clone()),
                    format!("return value of `{key}`"),
                    ret.syntax(),
                    name.syntax().text_range(),
                );
            }
            let tail = f
                .body()
                .and_then(|b| b.stmt_list())
                .and_then(|l| l.tail_expr());
            if let Some(t) = tail.and_then(|tail| self.root(&tail, tail.syntax(), 0)) {
                self.facts
                    .links
                    .push((vec![Target::Key(DeclKey::Ret(key))], t));
            }
        }
    }
}

/// Methods that add their last argument to their receiver, a collection.
pub(super) const ADDING: &[&str] = &["push", "insert", "push_back", "push_front"];

/// `.map(|..| value)`: the closure's value is an element of what follows.
fn is_map(mc: &ast::MethodCallExpr) -> bool {
    let closure = mc.arg_list().and_then(|a| a.args().next());
    mc.name_ref().is_some_and(|n| n.text() == "map")
        && matches!(closure, Some(ast::Expr::ClosureExpr(_)))
}

/// Is `top` a `.collect()` (the elements a chain makes become the value)?
fn collects(top: &SyntaxNode) -> bool {
    ast::MethodCallExpr::cast(top.clone())
        .and_then(|m| m.name_ref())
        .is_some_and(|n| n.text() == "collect")
}

#[cfg(test)]
mod tests {
    use crate::facts::{DeclKey, Target};
    use crate::locks::testing::facts;

    /// The owners of each `Mutex::new` constructor of `src`.
    fn constructor_owners(src: &str) -> Vec<Vec<Target>> {
        let f = facts(src);
        let ctor =
            |r: &&crate::facts::RefFact| src[usize::from(r.range.end())..].starts_with("::new");
        f.refs
            .iter()
            .filter(ctor)
            .map(|r| r.owners.clone())
            .collect()
    }

    fn local(owners: &[Target]) -> bool {
        owners
            .iter()
            .any(|o| matches!(o, Target::Key(DeclKey::Local { .. })))
    }

    #[test]
    fn locks_a_let_collects_or_adds_are_the_local_s() {
        let head = "use std::collections::HashMap;\nuse std::sync::Mutex;\nfn f() {\n";
        let collected = format!("{head}    let v = (0..2).map(|_| Mutex::new(0)).collect();\n    drop::<Vec<Mutex<u8>>>(v);\n}}\n");
        assert!(constructor_owners(&collected).iter().any(|o| local(o)));
        let inserted = format!("{head}    let mut m = HashMap::new();\n    m.insert(1, Mutex::new(0));\n    drop(m);\n}}\n");
        assert!(local(&constructor_owners(&inserted)[0]));
        // A `map` whose values are summed, or a constructor passed on to a
        // fn, is no element of the local.
        let summed = format!("{head}    let n: u8 = (0..2).map(|_| read(Mutex::new(0))).sum();\n}}\nfn read(m: Mutex<u8>) -> u8 {{ m.into_inner().unwrap() }}\n");
        assert!(!constructor_owners(&summed).iter().any(|o| local(o)));
        let vec =
            format!("{head}    let v = vec![Mutex::new(0), Mutex::new(1)];\n    drop(v);\n}}\n");
        assert!(constructor_owners(&vec).iter().all(|o| local(o)));
        // A vector of locks and other values is not a lock.
        let mixed = format!("{head}    let v = vec![Mutex::new(0), other()];\n    drop(v);\n}}\n");
        assert!(!constructor_owners(&mixed).iter().any(|o| local(o)));
        let typed = format!("{head}    let mut m: HashMap<u8, u8> = HashMap::new();\n    m.insert(1, 2);\n    drop(m);\n}}\n");
        assert!(facts(&typed).decls.is_empty());
    }
}
