//! Local bindings: what a name in a body refers to, in scope after its
//! statement.

use super::*;

pub(super) enum Binding {
    Let(ast::LetStmt),
    /// `if let Some(x) = expr`, `match expr { Ok(x) => .. }`: `x` is the
    /// value `expr` holds.
    From(ast::Expr),
    /// `for x in expr`, `expr.map(|x| ..)`: `x` is an element of `expr`.
    Element(ast::Expr),
    Param(ast::Fn, usize, ast::Param),
    /// `Conn::Live(m)` in a `match` arm or `if let`: `m` is the variant's
    /// `index`-th field; `path` is the variant's path as written.
    Variant(Vec<String>, usize),
    /// A typed parameter of a closure bound by a `let` (`let f = |m:
    /// Arc<Mutex<T>>| ..`): a declaration of its own (see
    /// `Extractor::visit_closure_let`).
    ClosureParam(ast::Param),
    /// A `let` with a pattern other than a plain name (`let (tx, rx) = ..`).
    Destructured(ast::LetStmt),
    /// Bound by a pattern the tool does not follow (closure parameter, `for`,
    /// `match` arm, `if let`).
    Other,
    NotFound,
}

pub(super) fn binds(pat: Option<ast::Pat>, name: &str) -> bool {
    let named = |i: &ast::IdentPat| i.name().is_some_and(|n| n.text() == name);
    pat.is_some_and(|p| match &p {
        // Most patterns are a plain name: no walk.
        ast::Pat::IdentPat(i) if i.pat().is_none() => named(i),
        _ => p
            .syntax()
            .descendants()
            .filter_map(ast::IdentPat::cast)
            .any(|i| named(&i)),
    })
}

/// The first type argument of a path segment: `T` of `Arc<T>`.
pub(super) fn first_type_arg(segment: &ast::PathSegment) -> Option<ast::Type> {
    segment
        .generic_arg_list()?
        .generic_args()
        .find_map(|a| match a {
            ast::GenericArg::TypeArg(t) => t.ty(),
            _ => None,
        })
}

/// `value` of `for (key, value) in map.iter()` (or of `for (i, value) in
/// v.iter().enumerate()`): an element of the map's values, or of `v`.
fn pair_value(pat: &ast::TuplePat, iterable: &ast::Expr, name: &str) -> Binding {
    let fields: Vec<ast::Pat> = pat.fields().collect();
    let [_, ast::Pat::IdentPat(value)] = &fields[..] else {
        return Binding::Other;
    };
    if value.name().is_none_or(|n| n.text() != name) {
        return Binding::Other;
    }
    match iterable {
        ast::Expr::MethodCallExpr(mc) if mc.name_ref().is_some_and(|n| n.text() == "enumerate") => {
            mc.receiver().map_or(Binding::Other, Binding::Element)
        }
        e => Binding::Element(e.clone()),
    }
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
                    return closure_param_binding(&c, name);
                }
            }
            SyntaxKind::FOR_EXPR => {
                let f = ast::ForExpr::cast(up.clone()).unwrap();
                let in_iterable = f
                    .iterable()
                    .is_some_and(|e| e.syntax().text_range().contains_range(anchor.text_range()));
                if binds(f.pat(), name) && !in_iterable {
                    return match (f.pat(), f.iterable()) {
                        (Some(ast::Pat::IdentPat(_)), Some(e)) => Binding::Element(e),
                        (Some(ast::Pat::TuplePat(t)), Some(e)) => pair_value(&t, &e, name),
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

/// Methods of `Option`, `Result` and iterators whose closure is handed the
/// elements of the receiver, one at a time, as its only parameter.
const ELEMENT_CLOSURE_METHODS: &[&str] = &[
    "map",
    "and_then",
    "for_each",
    "inspect",
    "filter_map",
    "flat_map",
    "find_map",
    "is_some_and",
    "is_none_or",
    "is_ok_and",
    "any",
    "all",
    // `KEY.with(|v| ..)` of a `thread_local!` key: a reference to its value.
    "with",
];

/// A closure's parameter: an element of the receiver, where the closure is
/// the only argument of one of `ELEMENT_CLOSURE_METHODS` and the parameter
/// a plain name (`tracker.as_ref().map(|t| t.lock())`); else unknown.
fn closure_param_binding(c: &ast::ClosureExpr, name: &str) -> Binding {
    let typed = c
        .param_list()
        .into_iter()
        .flat_map(|l| l.params())
        .find(|p| binds(p.pat(), name) && p.ty().is_some());
    if let Some(p) = typed.filter(|_| closure_let(c).is_some()) {
        return Binding::ClosureParam(p);
    }
    let plain = c.param_list().is_some_and(|l| {
        let params: Vec<_> = l.params().collect();
        matches!(params.as_slice(), [p] if matches!(strip_ref_pat(p.pat()), Some(ast::Pat::IdentPat(i)) if i.name().is_some_and(|n| n.text() == name)))
    });
    let call = c
        .syntax()
        .parent()
        .and_then(ast::ArgList::cast)
        .filter(|args| args.args().count() == 1)
        .and_then(|args| args.syntax().parent())
        .and_then(ast::MethodCallExpr::cast);
    match call {
        Some(mc)
            if plain
                && mc
                    .name_ref()
                    .is_some_and(|n| ELEMENT_CLOSURE_METHODS.contains(&n.text())) =>
        {
            mc.receiver().map_or(Binding::Other, Binding::Element)
        }
        _ => Binding::Other,
    }
}

/// The `let` that binds closure `c` to a plain name (`let f = move |..| ..;`).
///
/// Not where a macro's tokens name it other than in a call (`run!(f)`): what
/// the macro does with it is not in sight.
pub(super) fn closure_let(c: &ast::ClosureExpr) -> Option<ast::LetStmt> {
    let l = ast::LetStmt::cast(c.syntax().parent()?)?;
    let Some(ast::Pat::IdentPat(pat)) = l.pat() else {
        return None;
    };
    let name = pat.name()?.text().to_string();
    let bound = l.initializer().is_some_and(|i| i.syntax() == c.syntax());
    let after = l.syntax().text_range().end();
    let mut in_macros = l
        .syntax()
        .parent()?
        .descendants_with_tokens()
        .filter_map(|e| e.into_token())
        .filter(|t| t.text_range().start() >= after && t.kind() == SyntaxKind::IDENT)
        .filter(|t| t.text() == name.as_str())
        .filter(|t| {
            t.parent()
                .is_some_and(|p| p.kind() == SyntaxKind::TOKEN_TREE)
        });
    let handed_in_macro = in_macros.any(|t| {
        let next = std::iter::successors(t.next_token(), |n| n.next_token())
            .find(|n| !n.kind().is_trivia());
        next.is_none_or(|n| n.kind() != SyntaxKind::L_PAREN)
    });
    (bound && !handed_in_macro).then_some(l)
}

/// The uses of the name a `let` binds, after it in its block.
pub(super) fn uses_after(l: &ast::LetStmt) -> Vec<ast::NameRef> {
    let Some(ast::Pat::IdentPat(pat)) = l.pat() else {
        return Vec::new();
    };
    let Some(name) = pat.name().map(|n| n.text().to_string()) else {
        return Vec::new();
    };
    let after = l.syntax().text_range().end();
    let Some(block) = l.syntax().parent() else {
        return Vec::new();
    };
    block
        .descendants()
        .filter(|d| d.text_range().start() >= after)
        .filter_map(ast::NameRef::cast)
        .filter(|n| n.text() == name.as_str())
        .collect()
}

/// The call a use of a name is the callee of (`f(..)`), if it is one.
pub(super) fn called_by(n: &ast::NameRef) -> Option<ast::CallExpr> {
    let pe = n.syntax().ancestors().find_map(ast::PathExpr::cast)?;
    let call = pe.syntax().parent().and_then(ast::CallExpr::cast)?;
    (call.expr()?.syntax() == pe.syntax()).then_some(call)
}

/// The closure a plain `let` binds `name` to where `at` is, if any.
pub(super) fn closure_named(name: &str, at: &SyntaxNode) -> Option<ast::ClosureExpr> {
    let Binding::Let(l) = find_binding(name, at) else {
        return None;
    };
    match l.initializer()? {
        ast::Expr::ClosureExpr(c) => Some(c),
        _ => None,
    }
}

/// The last `let` of a block, before `pos`, that binds `name`: the binding
/// in scope there, if the block has one.
fn earlier_let(list: &SyntaxNode, pos: TextSize, name: &str) -> Option<Binding> {
    // Statements are in order: none after the one that holds `pos` binds.
    let l = list
        .children()
        .take_while(|s| s.text_range().end() <= pos)
        .filter_map(ast::LetStmt::cast)
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

/// The `index`-th parameter (or, for `None`, the return value) of the fn
/// `f` around the code: a free fn's names its inline module, so that
/// namesakes in sibling modules (`a::run`, `b::run`) stay apart.
pub(super) fn fn_target(f: &ast::Fn, index: Option<usize>) -> Target {
    let func = fn_key(f);
    if func.ty.is_some() {
        return Target::Key(match index {
            Some(index) => DeclKey::Param { func, index },
            None => DeclKey::Ret(func),
        });
    }
    let (name, module) = (
        func.name.to_string(),
        Some(ModulePath::Here(inline_modules(f.syntax()))),
    );
    match index {
        Some(index) => Target::Param {
            name,
            qual: None,
            method: false,
            index,
            module,
        },
        None => Target::Call {
            name,
            qual: None,
            method: false,
            module,
        },
    }
}

/// Pointers and extractors around the value a type is about.
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

/// The name of the type `ty` is about: `Foo` of `&Foo`, `Arc<Foo>`,
/// `std::sync::Arc<crate::Foo>` or `Option<Box<Foo>>`; none for tuples,
/// `impl Trait`, `dyn Trait` and the like.
pub(super) fn type_name(ty: &SyntaxNode) -> Option<String> {
    // A struct literal's or an associated fn's path: `Job`, `crate::Job`.
    if let Some(path) = ast::Path::cast(ty.clone()) {
        return Some(path.segment()?.name_ref()?.text().to_string());
    }
    match ast::Type::cast(ty.clone())? {
        ast::Type::RefType(r) => type_name(r.ty()?.syntax()),
        ast::Type::ParenType(p) => type_name(p.ty()?.syntax()),
        ast::Type::PathType(p) => {
            let seg = p.path()?.segment()?;
            let name = seg.name_ref()?.text().to_string();
            if !WRAPPERS.contains(&name.as_str()) {
                return Some(name);
            }
            type_name(first_type_arg(&seg)?.syntax())
        }
        _ => None,
    }
}

/// A pattern without its `&`s.
pub(super) fn strip_ref_pat(pat: Option<ast::Pat>) -> Option<ast::Pat> {
    match pat? {
        ast::Pat::RefPat(r) => strip_ref_pat(r.pat()),
        p => Some(p),
    }
}
