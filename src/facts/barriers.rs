//! std barriers a fn body makes (`let b = Arc::new(Barrier::new(n))`), and
//! what migrating one to `tokio::sync::Barrier` takes: every use of it and
//! of its clones is in that body, or in a private async fn of the file it
//! is passed to, and of a shape the rewrite knows, and every wait is in
//! async code (tokio's barrier has no blocking wait), else the reason it
//! stays (AW209).

use super::locals::{
    count_ident, field_shorthand, field_stored_in, fn_body, fn_handed, macro_name, mentions,
    name_expr, out_of_line_module, place, plain_param, short, Followed, Locals, StoredField, Where,
};
use super::*;
use crate::edits::edit::Edit;
use ra_ap_syntax::ast::{HasGenericParams, HasVisibility};

/// A std barrier made by a `let` in a fn body and waited on in async code.
#[derive(Clone, Debug)]
pub struct BarrierFact {
    /// The constructor call (`Barrier::new(n)`), the finding's place.
    pub ctor: TextRange,
    /// Its waits in async code, by call (AW203 reports them), and the
    /// macro calls in async code that name it.
    pub async_waits: Vec<TextRange>,
    /// Its migration, or why it stays.
    pub plan: Result<BarrierMigration, BarrierBlocker>,
    /// Inside test code: only tests need tokio for it.
    pub in_test: bool,
    /// The private struct field it is stored in, whose every use is a wait
    /// the migration awaits (see `Analysis::store`).
    pub field: Option<StoredField>,
    /// The private async fns of the file it is passed to (see
    /// `locals::Followed`).
    pub passed_to: Vec<(String, usize, usize)>,
}

/// The edits that migrate a barrier.
#[derive(Clone, Debug)]
pub struct BarrierMigration {
    /// An `.await` after each wait, and each path that spells std's type
    /// out (`std::sync::Barrier` → `tokio::sync::Barrier`).
    pub edits: Vec<Edit>,
    /// The names (`Barrier`) that name std's type through an import: the
    /// import follows them, as it follows a migrated lock's type paths.
    pub imported: Vec<TextRange>,
}

/// Why a barrier stays std, and the use that shows it.
#[derive(Clone, Debug)]
pub struct BarrierBlocker {
    pub at: TextRange,
    pub why: String,
}

impl Extractor<'_> {
    /// A `let` whose value is a std barrier (`Barrier::new(n)`, or one in
    /// an `Arc`): its fact, if it is waited on in async code.
    pub(super) fn visit_barrier_let(&mut self, let_stmt: &ast::LetStmt) {
        let Some(ctor) = let_stmt.initializer().and_then(|i| self.barrier_ctor(&i)) else {
            return;
        };
        let Some(ast::Pat::IdentPat(pat)) = let_stmt.pat() else {
            return;
        };
        let (Some(name), None, None) = (pat.name(), pat.ref_token(), pat.pat()) else {
            return;
        };
        let Some(body) = fn_body(let_stmt.syntax()) else {
            return;
        };
        let mut b = Analysis {
            ex: &*self,
            scopes: vec![Locals {
                body,
                names: vec![(name.text().to_string(), pat.syntax().text_range())],
            }],
            callees: Vec::new(),
            edits: Vec::new(),
            imported: Vec::new(),
            async_waits: Vec::new(),
            blocker: None,
            field: None,
        };
        b.follow_uses();
        if b.async_waits.is_empty() {
            return;
        }
        let passed_to = b.passed_to();
        // A result typed as std's (`fn led(r: BarrierWaitResult)`) would
        // not take tokio's.
        if count_ident(&self.root, "BarrierWaitResult") > 0 {
            let why = "the file names `BarrierWaitResult`, the type of a wait's result, which the rule does not rewrite".to_string();
            b.block(ctor.syntax(), why);
        }
        // The constructor's path and the `let`'s type name std's type.
        if let Some(callee) = ctor.expr() {
            b.type_paths(callee.syntax());
        }
        if let Some(ty) = let_stmt.ty() {
            b.type_paths(ty.syntax());
        }
        let plan = match b.blocker.take() {
            Some(blocker) => Err(blocker),
            None => Ok(BarrierMigration {
                edits: std::mem::take(&mut b.edits),
                imported: std::mem::take(&mut b.imported),
            }),
        };
        let fact = BarrierFact {
            ctor: ctor.syntax().text_range(),
            async_waits: std::mem::take(&mut b.async_waits),
            plan,
            in_test: in_test_code(let_stmt.syntax()),
            field: b.field.take(),
            passed_to,
        };
        self.facts.barriers.push(fact);
    }

    /// `Barrier::new(n)` of std, alone or in `Arc::new(..)`: the call.
    fn barrier_ctor(&self, init: &ast::Expr) -> Option<ast::CallExpr> {
        let ast::Expr::CallExpr(call) = init else {
            return None;
        };
        let ast::Expr::PathExpr(callee) = call.expr()? else {
            return None;
        };
        let path = callee.path()?;
        if path.segment()?.name_ref()?.text() != "new" {
            return None;
        }
        let full = self
            .imports
            .resolve(&segments(&path)?, path.syntax().text_range().start());
        match full.as_str() {
            "std::sync::Barrier::new" => Some(call.clone()),
            "std::sync::Arc::new" | "std::rc::Rc::new" => {
                self.barrier_ctor(&call.arg_list()?.args().next()?)
            }
            _ => None,
        }
    }
}

/// One barrier's uses, followed through its fn body and the fns it is
/// passed to.
struct Analysis<'e, 'a> {
    ex: &'e Extractor<'a>,
    /// Per body, the barrier's bindings there: its own and its clones' in
    /// the fn that makes it, then a parameter's in each fn it is passed to.
    scopes: Vec<Locals>,
    /// The fns it is passed to (`scopes[1..]`, in order).
    callees: Vec<Callee>,
    edits: Vec<Edit>,
    imported: Vec<TextRange>,
    async_waits: Vec<TextRange>,
    /// The first reason it cannot migrate.
    blocker: Option<BarrierBlocker>,
    /// The struct field it is stored in.
    field: Option<StoredField>,
}

/// A fn of the file a barrier is passed to.
struct Callee {
    f: ast::Fn,
    name: String,
    /// Which parameter takes it.
    param: usize,
    /// The calls that pass it.
    calls: usize,
}

impl Analysis<'_, '_> {
    fn block(&mut self, at: &SyntaxNode, why: String) {
        let at = at.text_range();
        self.blocker.get_or_insert(BarrierBlocker { at, why });
    }

    /// Every use of the barrier's bindings in the body, in order: each is
    /// rewritten, or blocks the migration.
    fn follow_uses(&mut self) {
        // Each fn it is passed to adds a scope.
        let mut s = 0;
        while s < self.scopes.len() {
            self.follow_scope(s);
            s += 1;
        }
    }

    /// The uses in one body (`scopes[s]`).
    fn follow_scope(&mut self, s: usize) {
        let nodes: Vec<SyntaxNode> = self.scopes[s].nodes().collect();
        for node in nodes {
            if let Some(mac) = ast::MacroCall::cast(node.clone()) {
                if self.scopes[s].named_in_macro(&mac) {
                    // A wait inside it is AW203's to report, with the reason.
                    if place(mac.syntax()) == Where::Async {
                        self.async_waits.push(mac.syntax().text_range());
                    }
                    let why = format!(
                        "it is named inside a macro (`{}!`), which the rule does not read",
                        macro_name(&mac)
                    );
                    self.block(mac.syntax(), why);
                }
                continue;
            }
            let Some(name) = ast::NameRef::cast(node) else {
                continue;
            };
            if self.scopes[s].binding_of(&name).is_none() {
                continue;
            }
            match name_expr(&name) {
                Some(e) => self.use_of(&e, s),
                // `S { barrier }`
                None if field_shorthand(&name) => {
                    if let Err(why) = self.store(name.syntax()) {
                        let why = why
                            .unwrap_or_else(|| format!("`{}` is stored in a struct", name.text()));
                        self.block(name.syntax(), why);
                    }
                }
                None => {}
            }
        }
    }

    /// One use of a binding: a wait, a clone into another binding, a
    /// `drop`; anything else blocks the migration.
    fn use_of(&mut self, e: &ast::PathExpr, s: usize) {
        let name = e.syntax().text().to_string();
        let value = e.syntax();
        if let Some(clone) = self.arc_clone(value) {
            return self.clone_into(&clone, &name, s);
        }
        let parent = value.parent();
        if let Some(call) = parent.as_ref().and_then(|p| p.parent()) {
            let drop = ast::CallExpr::cast(call)
                .and_then(|c| c.expr())
                .is_some_and(|f| f.syntax().text() == "drop");
            if drop {
                return;
            }
        }
        let call = parent
            .and_then(ast::MethodCallExpr::cast)
            .filter(|m| m.receiver().is_some_and(|r| r.syntax() == value));
        let Some(call) = call else {
            return self.goes(value, &format!("`{name}`"));
        };
        let method = call.name_ref().map(|n| n.text().to_string());
        let args = call.arg_list().map_or(0, |l| l.args().count());
        match (method.as_deref(), args) {
            (Some("wait"), 0) => self.wait(&call, &name),
            (Some("clone"), 0) => self.clone_into(call.syntax(), &name, s),
            (Some(m), _) => {
                let why = format!("`{name}.{m}(..)` is a use the rule does not rewrite");
                self.block(call.syntax(), why);
            }
            (None, _) => {}
        }
    }

    /// `b.wait()`: awaited in async code; anywhere else tokio's barrier
    /// cannot wait.
    fn wait(&mut self, call: &ast::MethodCallExpr, name: &str) {
        let node = call.syntax();
        let why = match place(node) {
            Where::Async => {
                self.async_waits.push(node.text_range());
                let end = TextRange::empty(node.text_range().end());
                return self.edits.push(Edit::new(end, ".await"));
            }
            Where::Thread => format!(
                "`{name}.wait()` runs on a thread of its own, and tokio's `Barrier` has no blocking wait"
            ),
            Where::Other => format!(
                "`{name}.wait()` is in a sync fn or closure, where tokio's `Barrier` cannot be awaited"
            ),
        };
        self.block(node, why);
    }

    /// `Arc::clone(&b)`: the call.
    fn arc_clone(&self, value: &SyntaxNode) -> Option<SyntaxNode> {
        let r = value
            .parent()
            .filter(|p| p.kind() == SyntaxKind::REF_EXPR)?;
        let args = r.parent().and_then(ast::ArgList::cast)?;
        let call = args.syntax().parent().and_then(ast::CallExpr::cast)?;
        let ast::Expr::PathExpr(callee) = call.expr()? else {
            return None;
        };
        let path = callee.path()?;
        let full = self
            .ex
            .imports
            .resolve(&segments(&path)?, path.syntax().text_range().start());
        let clone = matches!(
            full.as_str(),
            "std::sync::Arc::clone" | "std::rc::Rc::clone"
        );
        (clone && args.args().count() == 1).then(|| call.syntax().clone())
    }

    /// A clone of the barrier (`b.clone()`, `Arc::clone(&b)`): followed
    /// where a `let` binds it to a name.
    fn clone_into(&mut self, clone: &SyntaxNode, name: &str, s: usize) {
        let bound = clone
            .parent()
            .and_then(ast::LetStmt::cast)
            .filter(|l| l.let_else().is_none());
        let pat = match bound.as_ref().and_then(|l| l.pat()) {
            Some(ast::Pat::IdentPat(p)) if p.ref_token().is_none() && p.pat().is_none() => p,
            _ => return self.goes(clone, &format!("a clone of `{name}`")),
        };
        if let Some(ty) = bound.and_then(|l| l.ty()) {
            self.type_paths(ty.syntax());
        }
        let new = pat.name().map(|n| n.text().to_string()).unwrap_or_default();
        self.scopes[s].names.push((new, pat.syntax().text_range()));
    }

    /// The barrier (`what`: it, or a clone of it) as `value` goes anywhere
    /// but into a binding: into a private async fn of the file it is an
    /// argument of, which the rule follows; anywhere else it leaves.
    fn goes(&mut self, value: &SyntaxNode, what: &str) {
        let followed = match self.store(value) {
            Err(None) => self.pass_to_fn(value),
            stored => stored,
        };
        if let Err(why) = followed {
            let why = why.unwrap_or_else(|| leaves(value, what));
            self.block(value, why);
        }
    }

    /// `S { start: b.clone(), .. }` (or `S { start }`, `value` the name):
    /// stored in a private field of a struct the file defines, whose every
    /// use in the file is a wait (awaited, as the barrier's own are). Other
    /// files are checked by the rule (`rules::std_barrier`), and the other
    /// barriers the file stores there by `locals::couple`. `Err(None)` where
    /// `value` is stored in no field.
    fn store(&mut self, value: &SyntaxNode) -> Result<(), Option<String>> {
        let stored = field_stored_in(value).ok_or(None)?;
        if let Some(f) = &mut self.field {
            return f.again(stored);
        }
        // Where the migration cannot follow the field, its waits are still
        // the barrier's (AW203 reports them with the reason).
        let (field, ty) = StoredField::read(&self.ex.root, stored);
        if let Some(ty) = ty {
            self.type_paths(ty.syntax());
        }
        let what = format!("{}.{}", field.strukt, field.name);
        // Every use of the field is a wait.
        for u in field.uses(&self.ex.root) {
            let call = u
                .syntax()
                .parent()
                .and_then(ast::MethodCallExpr::cast)
                .filter(|m| m.arg_list().is_some_and(|l| l.args().next().is_none()));
            let wait = call.filter(|m| m.name_ref().is_some_and(|n| n.text() == "wait"));
            match (wait, fn_body(u.syntax())) {
                (Some(call), Some(_)) => self.wait(&call, &what),
                _ => {
                    let w = format!(
                        "which is used other than by `.wait()` (`{}`)",
                        short(u.syntax())
                    );
                    self.block(u.syntax(), format!("it is stored in `{what}`, {w}"));
                }
            }
        }
        let problem = field.problem();
        self.field = Some(field);
        problem.map_or(Ok(()), |why| Err(Some(why)))
    }

    /// `worker(b.clone())`, where `worker` is a private async fn of the
    /// file (in the same module, not generic) whose parameter binds the
    /// barrier by name and names its type: the parameter's body becomes a
    /// scope, and its type follows. `Err(None)` where `value` is no such
    /// argument, `Err(Some(why))` where the fn cannot take tokio's barrier.
    fn pass_to_fn(&mut self, value: &SyntaxNode) -> Result<(), Option<String>> {
        let arg = match value.parent() {
            Some(r) if r.kind() == SyntaxKind::REF_EXPR => r,
            _ => value.clone(),
        };
        let (f, name, index) = fn_handed(&self.ex.root, &arg).ok_or(None)?;
        if let Some(c) = self.callees.iter_mut().find(|c| c.f == f) {
            if c.param != index {
                return Err(Some(format!(
                    "it is passed to `{name}` as two of its parameters"
                )));
            }
            c.calls += 1;
            return Ok(());
        }
        let why = |w: &str| Err(Some(format!("it is passed to `{name}`, {w}")));
        if f.visibility().is_some() {
            return why("a fn other modules or crates may call");
        }
        // (A sync fn may take it: a wait there keeps it std.)
        if f.generic_param_list().is_some() {
            return why("a generic fn");
        }
        let Some((pat, ty)) = plain_param(&f, index) else {
            return why("whose parameter the rule does not read");
        };
        let (Some(body), Some(param_name)) = (f.body(), pat.name()) else {
            return why("whose body the rule does not read");
        };
        self.type_paths(ty.syntax());
        self.scopes.push(Locals {
            body: body.syntax().clone(),
            names: vec![(param_name.text().to_string(), pat.syntax().text_range())],
        });
        self.callees.push(Callee {
            f,
            name,
            param: index,
            calls: 1,
        });
        Ok(())
    }

    /// The fns the barrier is passed to, as `BarrierFact::passed_to` holds
    /// them (every call of each must pass one of the file's barriers, see
    /// `locals::couple`); one other files can call blocks it.
    fn passed_to(&mut self) -> Vec<(String, usize, usize)> {
        let mut passed = Vec::new();
        for i in 0..self.callees.len() {
            let (f, name, calls) = {
                let c = &self.callees[i];
                (c.f.clone(), c.name.clone(), c.calls)
            };
            if let Some(m) = out_of_line_module(f.syntax()) {
                let why = format!(
                    "`{name}`, which it is passed to, may be called from another file (`mod {m};`)"
                );
                self.block(f.syntax(), why);
            }
            passed.push((name.clone(), calls, mentions(&self.ex.root, &name)));
        }
        passed
    }

    /// Each path in `node` that names std's `Barrier`: spelled out, it is
    /// rewritten to tokio's; named through an import, the import follows.
    fn type_paths(&mut self, node: &SyntaxNode) {
        for path in node.descendants().filter_map(ast::Path::cast) {
            let Some(name) = path.segment().and_then(|s| s.name_ref()) else {
                continue;
            };
            if name.text() != "Barrier" {
                continue;
            }
            let Some(segs) = segments(&path) else {
                continue;
            };
            let start = path.syntax().text_range().start();
            if self.ex.imports.resolve(&segs, start) != "std::sync::Barrier" {
                continue;
            }
            let text = path.syntax().text().to_string();
            if path.qualifier().is_none() {
                self.imported.push(name.syntax().text_range());
            } else if matches!(text.as_str(), "std::sync::Barrier" | "::std::sync::Barrier") {
                let with = "tokio::sync::Barrier";
                self.edits.push(Edit::new(path.syntax().text_range(), with));
            } else {
                let why = format!("its type is spelled `{text}`, a path the rule does not rewrite");
                self.block(path.syntax(), why);
            }
        }
    }
}

impl Followed for BarrierFact {
    fn field(&self) -> Option<&StoredField> {
        self.field.as_ref()
    }

    fn passed_to(&self) -> &[(String, usize, usize)] {
        &self.passed_to
    }

    fn blocked(&self) -> Option<String> {
        self.plan.as_ref().err().map(|e| e.why.clone())
    }

    fn block(&mut self, why: String) {
        if self.plan.is_ok() {
            self.plan = Err(BarrierBlocker { at: self.ctor, why });
        }
    }
}

/// Why a value that is not a wait, a clone or a `drop` leaves the rule's
/// sight: where it goes.
fn leaves(value: &SyntaxNode, what: &str) -> String {
    // `&b` goes where `b` would.
    let value = match value.parent() {
        Some(r) if r.kind() == SyntaxKind::REF_EXPR => r,
        _ => value.clone(),
    };
    let Some(parent) = value.parent() else {
        return format!("{what} is used where the rule cannot follow it");
    };
    let outer = parent.parent();
    match parent.kind() {
        SyntaxKind::ARG_LIST => match outer {
            Some(call) => format!("{what} is passed to a call (`{}`)", short(&call)),
            None => format!("{what} is passed to a call"),
        },
        SyntaxKind::RECORD_EXPR_FIELD => {
            let literal = outer.and_then(|l| l.parent()).unwrap_or(parent);
            format!("{what} is stored in a struct (`{}`)", short(&literal))
        }
        SyntaxKind::STMT_LIST | SyntaxKind::RETURN_EXPR => {
            format!("{what} is the value of the block it is made in, and leaves it")
        }
        _ => format!(
            "{what} is used where the rule cannot follow it (`{}`)",
            short(&parent)
        ),
    }
}
