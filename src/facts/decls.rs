//! Declarations: fields, statics, aliases, locals and parameters typed with a
//! lock, and the paths and constructors that name a lock type.

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

/// The fn a parameter is of, and its position.
pub(super) fn param_of(param: &SyntaxNode) -> Option<(ast::Fn, usize)> {
    let list = ast::ParamList::cast(param.parent()?)?;
    let f = ast::Fn::cast(list.syntax().parent()?)?;
    let index = list.params().position(|p| p.syntax() == param)?;
    Some((f, index))
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
                // An argument of a method call (`v.push(Mutex::new(0))`).
                SyntaxKind::METHOD_CALL_EXPR
                    if ast::MethodCallExpr::cast(up.clone())
                        .and_then(|m| m.arg_list())
                        .is_some_and(|a| {
                            a.syntax().text_range().contains_range(node.text_range())
                        }) =>
                {
                    return false;
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
        self.push_decl(
            key.clone(),
            format!("local `{}`", name.text()),
            let_stmt.syntax(),
            name.syntax().text_range(),
        );
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
    let asserts_debug = root.descendants().filter_map(ast::Fn::cast).any(|f| {
        if !super::context::in_test_code(f.syntax()) {
            return false;
        }
        let text = f.syntax().text().to_string();
        let names_it = text
            .split(|c: char| !c.is_alphanumeric() && c != '_')
            .any(|t| t == name);
        let debug_format = text.contains(":?}") || text.contains(":#?}");
        let asserted = text.contains("assert");
        names_it && ((debug_format && asserted) || text.contains("assert_debug_snapshot"))
    });
    asserts_debug.then_some(name)
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
