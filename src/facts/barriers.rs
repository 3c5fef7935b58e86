//! std barriers a fn body makes (`let b = Arc::new(Barrier::new(n))`), and
//! what migrating one to `tokio::sync::Barrier` takes: every use of it and
//! of its clones is in that body and of a shape the rewrite knows, and
//! every wait is in async code (tokio's barrier has no blocking wait), else
//! the reason it stays (AW209).

use super::locals::{field_shorthand, fn_body, macro_name, name_expr, place, short, Locals, Where};
use super::*;
use crate::edits::edit::Edit;

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
            locals: Locals {
                body,
                names: vec![(name.text().to_string(), pat.syntax().text_range())],
            },
            edits: Vec::new(),
            imported: Vec::new(),
            async_waits: Vec::new(),
            blocker: None,
        };
        b.follow_uses();
        if b.async_waits.is_empty() {
            return;
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

/// One barrier's uses, followed through its fn body.
struct Analysis<'e, 'a> {
    ex: &'e Extractor<'a>,
    /// The barrier's binding and its clones'.
    locals: Locals,
    edits: Vec<Edit>,
    imported: Vec<TextRange>,
    async_waits: Vec<TextRange>,
    /// The first reason it cannot migrate.
    blocker: Option<BarrierBlocker>,
}

impl Analysis<'_, '_> {
    fn block(&mut self, at: &SyntaxNode, why: String) {
        let at = at.text_range();
        self.blocker.get_or_insert(BarrierBlocker { at, why });
    }

    /// Every use of the barrier's bindings in the body, in order: each is
    /// rewritten, or blocks the migration.
    fn follow_uses(&mut self) {
        let nodes: Vec<SyntaxNode> = self.locals.nodes().collect();
        for node in nodes {
            if let Some(mac) = ast::MacroCall::cast(node.clone()) {
                if self.locals.named_in_macro(&mac) {
                    // A wait inside it is AW203's to report, with the reason.
                    if place(mac.syntax(), &self.locals.body) == Where::Async {
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
            if self.locals.binding_of(&name).is_none() {
                continue;
            }
            match name_expr(&name) {
                Some(e) => self.use_of(&e),
                // `S { barrier }`
                None if field_shorthand(&name) => {
                    let why = format!("`{}` is stored in a struct", name.text());
                    self.block(name.syntax(), why);
                }
                None => {}
            }
        }
    }

    /// One use of a binding: a wait, a clone into another binding, a
    /// `drop`; anything else blocks the migration.
    fn use_of(&mut self, e: &ast::PathExpr) {
        let name = e.syntax().text().to_string();
        let value = e.syntax();
        if let Some(clone) = self.arc_clone(value) {
            return self.clone_into(&clone, &name);
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
            let why = leaves(value, &format!("`{name}`"));
            return self.block(value, why);
        };
        let method = call.name_ref().map(|n| n.text().to_string());
        let args = call.arg_list().map_or(0, |l| l.args().count());
        match (method.as_deref(), args) {
            (Some("wait"), 0) => self.wait(&call, &name),
            (Some("clone"), 0) => self.clone_into(call.syntax(), &name),
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
        let why = match place(node, &self.locals.body) {
            Where::Async => {
                self.async_waits.push(node.text_range());
                // `let r: BarrierWaitResult = b.wait();` names std's result.
                let typed = node
                    .parent()
                    .and_then(ast::LetStmt::cast)
                    .is_some_and(|l| l.ty().is_some());
                if !typed {
                    let end = TextRange::empty(node.text_range().end());
                    return self.edits.push(Edit::new(end, ".await"));
                }
                format!("the `let` of `{name}.wait()`'s result names its std type")
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
    fn clone_into(&mut self, clone: &SyntaxNode, name: &str) {
        let bound = clone
            .parent()
            .and_then(ast::LetStmt::cast)
            .filter(|l| l.let_else().is_none());
        let pat = match bound.as_ref().and_then(|l| l.pat()) {
            Some(ast::Pat::IdentPat(p)) if p.ref_token().is_none() && p.pat().is_none() => p,
            _ => {
                let why = leaves(clone, &format!("a clone of `{name}`"));
                return self.block(clone, why);
            }
        };
        if let Some(ty) = bound.and_then(|l| l.ty()) {
            self.type_paths(ty.syntax());
        }
        let new = pat.name().map(|n| n.text().to_string()).unwrap_or_default();
        self.locals.names.push((new, pat.syntax().text_range()));
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
