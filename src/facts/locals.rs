//! A value a fn body makes, followed through the local bindings that hold
//! it (a std channel's ends for AW208, a std barrier and its clones for
//! AW209): which binding a name refers to, where each use runs, and the
//! macros that name one.

use super::*;

/// Where a use of a local value runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Where {
    /// An async fn, block or closure.
    Async,
    /// A `std::thread::spawn` (or `Builder::spawn`) or `spawn_blocking`
    /// closure: off the runtime.
    Thread,
    /// Anywhere else: a sync fn body, another closure.
    Other,
}

/// The bindings of one value in a fn body, each a name and its pattern.
pub(super) struct Locals {
    pub body: SyntaxNode,
    pub names: Vec<(String, TextRange)>,
}

impl Locals {
    /// The binding a name at `at` refers to, among every binding of that
    /// name in the body: the innermost in scope (the one that starts last).
    pub fn resolve(&self, name: &str, at: TextSize) -> Option<usize> {
        if !self.names.iter().any(|(n, _)| n == name) {
            return None;
        }
        let mut best: Option<(TextSize, TextRange)> = None;
        // The fn's parameters bind names too.
        let f = self.body.parent().filter(|p| p.kind() == SyntaxKind::FN);
        let within = f.as_ref().unwrap_or(&self.body);
        for pat in within.descendants().filter_map(ast::IdentPat::cast) {
            if pat.name().is_none_or(|n| n.text() != name) {
                continue;
            }
            let scope = binding_scope(&pat);
            if scope.contains_inclusive(at) && best.is_none_or(|(s, _)| scope.start() >= s) {
                best = Some((scope.start(), pat.syntax().text_range()));
            }
        }
        let (_, pat) = best?;
        self.names.iter().position(|(_, p)| *p == pat)
    }

    /// The body's nodes, in order, but those of nested items (which cannot
    /// name the body's locals).
    pub fn nodes(&self) -> impl Iterator<Item = SyntaxNode> + '_ {
        self.body.descendants().filter(|node| {
            *node == self.body
                || !node
                    .ancestors()
                    .take_while(|a| *a != self.body)
                    .any(|a| a.kind() == SyntaxKind::FN)
        })
    }

    /// A name of the body that refers to one of the bindings: the binding.
    pub fn binding_of(&self, name: &ast::NameRef) -> Option<usize> {
        self.resolve(name.text().as_ref(), name.syntax().text_range().start())
    }

    /// Do a macro's tokens name one of the bindings (an identifier, or a
    /// format string's `{name}`)? The rules do not read inside macros.
    pub fn named_in_macro(&self, mac: &ast::MacroCall) -> bool {
        let Some(tt) = mac.token_tree() else {
            return false;
        };
        let mut tokens = tt
            .syntax()
            .descendants_with_tokens()
            .filter_map(|t| t.into_token());
        tokens.any(|token| {
            let at = token.text_range().start();
            match token.kind() {
                SyntaxKind::IDENT => self.resolve(token.text(), at).is_some(),
                // `println!("{rx:?}")`
                SyntaxKind::STRING => self.names.iter().any(|(name, _)| {
                    let text = token.text();
                    [format!("{{{name}}}"), format!("{{{name}:")]
                        .iter()
                        .any(|p| text.contains(p.as_str()))
                        && self.resolve(name, at).is_some()
                }),
                _ => false,
            }
        })
    }
}

/// The place of a use: the innermost async code, thread closure or other
/// closure around it, else its fn.
pub(super) fn place(node: &SyntaxNode) -> Where {
    for a in node.ancestors() {
        match a.kind() {
            SyntaxKind::CLOSURE_EXPR => {
                let c = ast::ClosureExpr::cast(a.clone()).unwrap();
                return if c.async_token().is_some() {
                    Where::Async
                } else if thread_closure(&a) {
                    Where::Thread
                } else {
                    Where::Other
                };
            }
            SyntaxKind::BLOCK_EXPR
                if ast::BlockExpr::cast(a.clone())
                    .unwrap()
                    .async_token()
                    .is_some() =>
            {
                return Where::Async
            }
            SyntaxKind::FN => {
                let f = ast::Fn::cast(a.clone());
                return match f.and_then(|f| f.async_token()) {
                    Some(_) => Where::Async,
                    None => Where::Other,
                };
            }
            _ => {}
        }
    }
    Where::Other
}

/// A closure handed straight to `std::thread::spawn`, a thread builder's
/// `spawn` or `spawn_blocking`: it runs on a thread of its own, where
/// tokio's `blocking_*` calls are allowed (not `block_in_place`, which
/// stays in the runtime's context, as `context::is_blocking_closure`
/// counts it).
fn thread_closure(closure: &SyntaxNode) -> bool {
    let Some(call) = context::call_taking(closure) else {
        return false;
    };
    if let Some(ce) = ast::CallExpr::cast(call.clone()) {
        let Some(segs) = context::callee_segments(&ce) else {
            return false;
        };
        let n = segs.len();
        return segs[n - 1] == "spawn_blocking"
            || (segs[n - 1] == "spawn" && n >= 2 && segs[n - 2] == "thread");
    }
    if let Some(mc) = ast::MethodCallExpr::cast(call) {
        let name = mc.name_ref().map(|n| n.text().to_string());
        let recv = mc
            .receiver()
            .map(|r| r.syntax().text().to_string())
            .unwrap_or_default();
        return name.as_deref() == Some("spawn")
            && (recv.contains("thread::Builder") || recv.starts_with("Builder::new"));
    }
    false
}

/// The path expression a name is, when it is one alone (`rx`, not `a.rx`
/// or `rx::f`).
pub(super) fn name_expr(name: &ast::NameRef) -> Option<ast::PathExpr> {
    let seg = name.syntax().parent().and_then(ast::PathSegment::cast)?;
    let path = seg.syntax().parent().and_then(ast::Path::cast)?;
    if path.qualifier().is_some() || seg.generic_arg_list().is_some() {
        return None;
    }
    path.syntax().parent().and_then(ast::PathExpr::cast)
}

/// `S { rx }`: a name that is a struct literal's field shorthand.
pub(super) fn field_shorthand(name: &ast::NameRef) -> bool {
    name.syntax().parent().is_some_and(|p| {
        p.kind() == SyntaxKind::RECORD_EXPR_FIELD
            && ast::RecordExprField::cast(p).is_some_and(|f| f.expr().is_none())
    })
}

/// Where a binding is visible: a `let`'s from its end to the end of its
/// block; any other's (a closure's parameter, a match arm's, a loop's) the
/// expression that binds it.
fn binding_scope(pat: &ast::IdentPat) -> TextRange {
    for a in pat.syntax().ancestors().skip(1) {
        if let Some(l) = ast::LetStmt::cast(a.clone()) {
            let block_end = a
                .parent()
                .map_or(a.text_range().end(), |p| p.text_range().end());
            return TextRange::new(l.syntax().text_range().end(), block_end);
        }
        if matches!(
            a.kind(),
            SyntaxKind::CLOSURE_EXPR
                | SyntaxKind::MATCH_ARM
                | SyntaxKind::FOR_EXPR
                | SyntaxKind::WHILE_EXPR
                | SyntaxKind::IF_EXPR
                | SyntaxKind::PARAM
        ) {
            if a.kind() == SyntaxKind::PARAM {
                // A fn's parameter: the whole fn.
                if let Some(f) = a
                    .ancestors()
                    .find(|x| matches!(x.kind(), SyntaxKind::FN | SyntaxKind::CLOSURE_EXPR))
                {
                    return f.text_range();
                }
            }
            return a.text_range();
        }
    }
    pat.syntax().text_range()
}

/// A use's text for a message, cut short.
pub(super) fn short(node: &SyntaxNode) -> String {
    let text: String = node
        .text()
        .to_string()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    match text.char_indices().nth(40) {
        Some((i, _)) => format!("{}..", &text[..i]),
        None => text,
    }
}

/// The fn body a statement is in.
pub(super) fn fn_body(node: &SyntaxNode) -> Option<SyntaxNode> {
    let body = node.ancestors().find_map(ast::Fn::cast)?.body()?;
    Some(body.syntax().clone())
}

/// The text of a macro call's path, for a message (`println`).
pub(super) fn macro_name(mac: &ast::MacroCall) -> String {
    mac.path()
        .map(|p| p.syntax().text().to_string())
        .unwrap_or_default()
}

/// The one fn named `name` among the items of the module of `at` (not a
/// method, not a fn inside a block), or where that module has none and
/// brings its parent's items in (`use super::*`, a test module), of the
/// parent's, and so on.
pub(super) fn own_fn(root: &SyntaxNode, name: &str, at: &SyntaxNode) -> Option<ast::Fn> {
    let module = |n: &SyntaxNode| n.ancestors().find(|a| a.kind() == SyntaxKind::MODULE);
    let item = |f: &ast::Fn| {
        let parent = f.syntax().parent();
        parent.is_some_and(|p| matches!(p.kind(), SyntaxKind::SOURCE_FILE | SyntaxKind::ITEM_LIST))
    };
    let named: Vec<ast::Fn> = root
        .descendants()
        .filter_map(ast::Fn::cast)
        .filter(|f| f.name().is_some_and(|n| n.text() == name) && item(f))
        .collect();
    let mut scope = module(at);
    loop {
        let here: Vec<&ast::Fn> = named
            .iter()
            .filter(|f| module(f.syntax()) == scope)
            .collect();
        match here.as_slice() {
            [f] => return Some((*f).clone()),
            [] => {}
            _ => return None,
        }
        let m = ast::Module::cast(scope?)?;
        let globs_parent = m.item_list().is_some_and(|items| {
            ast::HasModuleItem::items(&items).any(|i| {
                matches!(&i, ast::Item::Use(u) if u.use_tree().is_some_and(|t| t.syntax().text() == "super::*"))
            })
        });
        if !globs_parent {
            return None;
        }
        scope = module(m.syntax().parent().as_ref()?);
    }
}

/// `f(.., arg, ..)` where `f` is a fn of the file `own_fn` finds, or
/// `Type::f(.., arg, ..)` (`Self::f`) where `f` is an associated fn of an
/// inherent impl of the file's `Type`: it, its name (`Type::f` for one),
/// and which argument `arg` is.
pub(super) fn fn_handed(root: &SyntaxNode, arg: &SyntaxNode) -> Option<(ast::Fn, String, usize)> {
    let list = arg.parent().and_then(ast::ArgList::cast)?;
    let call = list.syntax().parent().and_then(ast::CallExpr::cast)?;
    let ast::Expr::PathExpr(p) = call.expr()? else {
        return None;
    };
    let path = p.path()?;
    let index = list.args().position(|a| a.syntax() == arg)?;
    let name = path.segment()?.name_ref()?.text().to_string();
    let Some(qualifier) = path.qualifier() else {
        let f = own_fn(root, &name, call.syntax())?;
        return Some((f, name, index));
    };
    let mut ty = qualifier.as_single_name_ref()?.text().to_string();
    if ty == "Self" {
        ty = impl_type(call.syntax())?;
    }
    let f = own_method(root, &ty, &name)?;
    Some((f, format!("{ty}::{name}"), index))
}

/// The one associated fn `name` of the inherent impls of `ty` in the file.
fn own_method(root: &SyntaxNode, ty: &str, name: &str) -> Option<ast::Fn> {
    let impls = root
        .descendants()
        .filter_map(ast::Impl::cast)
        .filter(|i| i.trait_().is_none() && i.self_ty().is_some_and(|t| t.syntax().text() == ty));
    let fns: Vec<ast::Fn> = impls
        .flat_map(|i| {
            i.assoc_item_list()
                .into_iter()
                .flat_map(|l| l.assoc_items())
        })
        .filter_map(|item| match item {
            ast::AssocItem::Fn(f) => Some(f),
            _ => None,
        })
        .filter(|f| f.name().is_some_and(|n| n.text() == name))
        .collect();
    match fns.as_slice() {
        [f] => Some(f.clone()),
        _ => None,
    }
}

/// How many times the code of `root` names fn `name` other than by its
/// definition: its name (a free fn's), or its paths `Type::f` and, in
/// `Type`'s impls, `Self::f` (an associated fn's, `Type::f`).
pub(super) fn mentions(root: &SyntaxNode, name: &str) -> usize {
    let Some((ty, f)) = name.split_once("::") else {
        return count_ident(root, name).saturating_sub(1);
    };
    root.descendants()
        .filter_map(ast::Path::cast)
        .filter(|p| {
            p.segment()
                .and_then(|s| s.name_ref())
                .is_some_and(|n| n.text() == f)
        })
        .filter(|p| {
            let q = p.qualifier().and_then(|q| q.as_single_name_ref());
            match q.as_ref().map(|q| q.text().to_string()).as_deref() {
                Some("Self") => impl_type(p.syntax()).as_deref() == Some(ty),
                Some(q) => q == ty,
                None => false,
            }
        })
        .count()
}

/// The `index`-th parameter of `f` where it binds a name by value and
/// declares its type (`rx: Receiver<Job>`): its pattern and type.
pub(super) fn plain_param(f: &ast::Fn, index: usize) -> Option<(ast::IdentPat, ast::Type)> {
    let param = f.param_list()?.params().nth(index)?;
    match (param.pat()?, param.ty()?) {
        (ast::Pat::IdentPat(p), ty)
            if p.ref_token().is_none() && p.pat().is_none() && p.name().is_some() =>
        {
            Some((p, ty))
        }
        _ => None,
    }
}

/// A `mod x;` whose file can see `item`: in the module that holds it, or
/// in one inside that.
pub(super) fn out_of_line_module(item: &SyntaxNode) -> Option<String> {
    let holder = item
        .ancestors()
        .skip(1)
        .find(|a| matches!(a.kind(), SyntaxKind::MODULE | SyntaxKind::SOURCE_FILE))?;
    holder
        .descendants()
        .filter_map(ast::Module::cast)
        .find(|m| m.item_list().is_none())
        .and_then(|m| m.name())
        .map(|n| n.text().to_string())
}

/// How many times the code of `root` names `name` (macros' tokens
/// included, comments and strings not).
pub(super) fn count_ident(root: &SyntaxNode, name: &str) -> usize {
    root.descendants_with_tokens()
        .filter_map(|t| t.into_token())
        .filter(|t| t.kind() == SyntaxKind::IDENT && t.text() == name)
        .count()
}

/// `S { field: value, .. }` (or `S { field }`, `value` the name): the
/// struct's and the field's names, and where the literal starts.
pub(super) fn field_stored_in(value: &SyntaxNode) -> Option<(String, String, TextSize)> {
    let field = value
        .ancestors()
        .take(2)
        .find_map(ast::RecordExprField::cast)
        .filter(|f| f.expr().is_none_or(|e| e.syntax() == value))?;
    let name = field.field_name()?.text().to_string();
    let literal = field.syntax().ancestors().find_map(ast::RecordExpr::cast)?;
    let strukt = literal.path()?.segment()?.name_ref()?.text().to_string();
    Some((strukt, name, literal.syntax().text_range().start()))
}

/// A private field of a struct the file defines that a value is stored in
/// (a barrier for AW209, a channel's end for AW208): the rule follows the
/// value there when every use of the field is one it rewrites and every
/// literal of the struct stores a value it follows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredField {
    pub strukt: String,
    pub name: String,
    /// The literals of the struct that store this value there (where each
    /// starts: one in a constructor fn stores every caller's), and how many
    /// the file has.
    pub stored_at: Vec<TextSize>,
    pub literals: usize,
    /// Why the rule cannot follow the field, if it cannot.
    problem: Option<&'static str>,
}

impl StoredField {
    /// The field `strukt.name` of the file `root` a literal starting `at`
    /// stores a value in, and its declared type.
    pub(super) fn read(
        root: &SyntaxNode,
        (strukt, name, at): (String, String, TextSize),
    ) -> (StoredField, Option<ast::Type>) {
        use ra_ap_syntax::ast::HasVisibility;
        let decls: Vec<ast::RecordField> = root
            .descendants()
            .filter_map(ast::RecordField::cast)
            .filter(|f| f.name().is_some_and(|n| n.text() == name))
            .collect();
        let mut problem = None;
        let mut ty = None;
        if let [decl] = &decls[..] {
            let owner = decl.syntax().ancestors().find_map(ast::Struct::cast);
            if owner
                .and_then(|o| o.name())
                .is_none_or(|n| n.text() != strukt)
            {
                problem = Some("a field of a struct the file does not define");
            } else if decl.visibility().is_some() {
                problem = Some("a field other modules may use");
            }
            ty = decl.ty();
        } else {
            problem = Some("a field name another type of the file has too");
        }
        let literals: Vec<ast::RecordExpr> = root
            .descendants()
            .filter_map(ast::RecordExpr::cast)
            .filter(|l| {
                let last = l
                    .path()
                    .and_then(|p| p.segment())
                    .and_then(|s| s.name_ref());
                last.is_some_and(|n| n.text() == strukt)
            })
            .collect();
        let spread = |l: &ast::RecordExpr| {
            l.record_expr_field_list()
                .is_some_and(|f| f.spread().is_some())
        };
        if literals.iter().any(spread) {
            problem =
                Some("and a literal of the struct copies its fields from another value (`..`)");
        }
        let field = StoredField {
            strukt,
            name,
            stored_at: vec![at],
            literals: literals.len(),
            problem,
        };
        (field, ty)
    }

    /// The uses of the field in the file (every `x.name` there).
    pub(super) fn uses(&self, root: &SyntaxNode) -> Vec<ast::FieldExpr> {
        root.descendants()
            .filter_map(ast::FieldExpr::cast)
            .filter(|f| f.name_ref().is_some_and(|n| n.text() == self.name))
            .collect()
    }

    /// Why the rule cannot follow the field, if it cannot.
    pub(super) fn problem(&self) -> Option<String> {
        let problem = self.problem?;
        Some(format!(
            "it is stored in `{}.{}`, {problem}",
            self.strukt, self.name
        ))
    }

    /// The value is stored in `strukt.name` again (by the literal at
    /// `at`): fine where it is this field.
    pub(super) fn again(
        &mut self,
        (strukt, name, at): (String, String, TextSize),
    ) -> Result<(), Option<String>> {
        if self.strukt == strukt && self.name == name {
            if !self.stored_at.contains(&at) {
                self.stored_at.push(at);
            }
            return Ok(());
        }
        Err(Some(format!(
            "it is stored in two fields (`{}.{}` and `{strukt}.{name}`)",
            self.strukt, self.name
        )))
    }
}

/// A value a rule follows from a `let` (a channel, a barrier): the field
/// it is stored in, the fns it is passed to (each name, how many calls
/// pass it, and how many times the file names the fn other than by its
/// definition), and its reason to stay.
pub(super) trait Followed {
    fn field(&self) -> Option<&StoredField>;
    fn passed_to(&self) -> &[(String, usize, usize)];
    fn blocked(&self) -> Option<String>;
    /// Makes it stay for `why`, unless it already stays.
    fn block(&mut self, why: String);
}

/// The values a file stores in one field, or passes to one fn, migrate
/// together: each stays where one does, where a literal of the struct
/// stores a value that is none of them, or where the calls that pass them
/// are not every mention of the fn (`what` names the value in the reason).
pub(super) fn couple<T: Followed>(values: &mut [T], what: &str) {
    let fields: Vec<(String, String, usize)> = values
        .iter()
        .filter_map(T::field)
        .map(|f| (f.strukt.clone(), f.name.clone(), f.literals))
        .collect();
    for (strukt, name, literals) in fields {
        let of_field = |v: &T| {
            v.field()
                .is_some_and(|f| f.strukt == strukt && f.name == name)
        };
        let mut stored: Vec<TextSize> = (values.iter().filter(|v| of_field(v)))
            .filter_map(T::field)
            .flat_map(|f| f.stored_at.iter().copied())
            .collect();
        stored.sort_unstable();
        stored.dedup();
        let short = (stored.len() != literals).then(|| {
            format!("a literal of `{strukt}` stores in `{name}` a value the rule does not follow")
        });
        block_together(values, of_field, short);
    }
    let fns: Vec<(String, usize)> = values
        .iter()
        .flat_map(|v| {
            v.passed_to()
                .iter()
                .map(|(f, _, named)| (f.clone(), *named))
        })
        .collect();
    for (f, named) in fns {
        let passes = |v: &T| v.passed_to().iter().any(|(g, ..)| *g == f);
        let calls: usize = values
            .iter()
            .flat_map(|v| {
                v.passed_to()
                    .iter()
                    .filter(|(g, ..)| *g == f)
                    .map(|(_, n, _)| n)
            })
            .sum();
        let short = (calls != named).then(|| {
            format!("`{f}`, which {what} is passed to, is named elsewhere too (another call, a fn pointer or a macro)")
        });
        block_together(values, passes, short);
    }
}

/// Blocks every value `member` picks where one of them stays, or for
/// `why`.
fn block_together<T: Followed>(values: &mut [T], member: impl Fn(&T) -> bool, why: Option<String>) {
    let why = (values.iter().filter(|v| member(v)))
        .find_map(T::blocked)
        .or(why);
    if let Some(why) = why {
        for v in values.iter_mut().filter(|v| member(v)) {
            v.block(why.clone());
        }
    }
}
