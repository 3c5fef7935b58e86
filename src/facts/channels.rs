//! std channels a fn body makes (`let (tx, rx) = mpsc::channel()`), and
//! what migrating each one to `tokio::sync::mpsc` takes: every use of its
//! ends (and of its senders' clones) must be in that body and of a shape
//! the rewrite knows, else the reason it stays (AW208).

use super::locals::{
    field_shorthand, field_stored_in, fn_body, fn_handed, macro_name, mentions, name_expr, place,
    plain_param, short, Followed, Locals, StoredField, Where,
};
use super::*;
use crate::edits::edit::Edit;
use ra_ap_syntax::ast::{HasGenericParams, HasVisibility};

/// A std channel made by a `let` in a fn body whose receiver is received
/// from in async code.
#[derive(Clone, Debug)]
pub struct ChannelFact {
    /// The constructor call (`mpsc::channel()`), the finding's place.
    pub ctor: TextRange,
    /// The receives in async code, by call (AW203 reports them), and the
    /// macro calls in async code that name an end.
    pub async_receives: Vec<TextRange>,
    /// Its migration, or why it stays.
    pub plan: Result<ChannelMigration, String>,
    /// Inside test code: only tests need tokio for it.
    pub in_test: bool,
    /// The private async fns of the file an end is passed to: each name,
    /// how many calls pass this channel's end, and how many times the
    /// file names the fn other than by its definition (see
    /// `locals::couple`).
    pub passed_to: Vec<(String, usize, usize)>,
    /// The private struct field a sender is stored in, whose every use is
    /// a send.
    pub field: Option<StoredField>,
}

/// The edits that migrate a channel, and what they need.
#[derive(Clone, Debug)]
pub struct ChannelMigration {
    pub edits: Vec<Edit>,
    /// Bounded (`sync_channel(n)` → `channel(n)`).
    pub bounded: bool,
    /// What drives each `recv_timeout` rewritten to `tokio::time::timeout`,
    /// which needs a tokio runtime (and the `time` feature).
    pub timers: Vec<Driver>,
}

/// Which end a binding holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum End {
    Sender,
    Receiver,
}

/// The shape around a call whose `Result` it must map to tokio's `Option`.
enum Shape {
    /// `.unwrap()`, `.expect(..)`: the same on an `Option`.
    Unwrap,
    /// `.ok()`: from the call's end to the end of `.ok()`.
    Ok(TextRange),
    /// `.is_ok()` / `.is_err()`: from the call's end to the end of the test.
    IsOk(TextRange, bool),
    /// `let _ = ..;` or a statement of its own.
    Discard,
    /// `if let Ok(p) = ..` / `while let Ok(p) = ..`: the `Ok`.
    OkPat(TextRange),
    /// `match .. { Ok(p) => .., Err(_) => .. }`: each pattern's edit.
    Match(Vec<Edit>),
}

const WHY_MACRO: &str = "is used inside a macro";

impl Extractor<'_> {
    /// A `let (tx, rx) = std::sync::mpsc::channel()` (or `sync_channel(n)`):
    /// its fact, if its receiver is received from in async code.
    pub(super) fn visit_channel_let(&mut self, let_stmt: &ast::LetStmt) {
        let Some(ast::Expr::CallExpr(ctor)) = let_stmt.initializer() else {
            return;
        };
        let Some(ast::Expr::PathExpr(callee)) = ctor.expr() else {
            return;
        };
        let Some(path) = callee.path() else { return };
        let Some(segs) = segments(&path) else { return };
        if !matches!(
            segs.last().map(String::as_str),
            Some("channel" | "sync_channel")
        ) {
            return;
        }
        let full = self
            .imports
            .resolve(&segs, path.syntax().text_range().start());
        let bounded = match full.as_str() {
            "std::sync::mpsc::channel" => false,
            "std::sync::mpsc::sync_channel" => true,
            _ => return,
        };
        let Some(ast::Pat::TuplePat(tuple)) = let_stmt.pat() else {
            return;
        };
        let ends: Vec<ast::Pat> = tuple.fields().collect();
        let [ast::Pat::IdentPat(tx), ast::Pat::IdentPat(rx)] = ends.as_slice() else {
            return;
        };
        let Some(body) = fn_body(let_stmt.syntax()) else {
            return;
        };
        let mut a = Analysis {
            ex: &*self,
            locals: Locals {
                body,
                names: Vec::new(),
            },
            ends: Vec::new(),
            receiver: Some(rx.clone()),
            pending: Vec::new(),
            callees: Vec::new(),
            field: None,
            edits: Vec::new(),
            async_receives: Vec::new(),
            received: false,
            bounded,
            timers: Vec::new(),
            blocker: None,
        };
        for (pat, end) in [(tx, End::Sender), (rx, End::Receiver)] {
            if pat.ref_token().is_some() || pat.pat().is_some() {
                return;
            }
            let Some(name) = pat.name() else { return };
            a.locals
                .names
                .push((name.text().to_string(), pat.syntax().text_range()));
            a.ends.push(end);
        }
        a.follow_uses();
        if a.async_receives.is_empty() {
            return;
        }
        if let_stmt.ty().is_some() {
            a.block("its `let` names the channel's types".into());
        }
        // The constructor, spelled in full so that no import is needed.
        let name_end = path
            .segment()
            .and_then(|s| s.name_ref())
            .map(|n| n.syntax().text_range().end());
        let path_range =
            name_end.map(|end| TextRange::new(path.syntax().text_range().start(), end));
        let args: Vec<ast::Expr> = ctor
            .arg_list()
            .map(|l| l.args().collect())
            .unwrap_or_default();
        let ctor_path = match (bounded, args.as_slice()) {
            (false, []) => Some("tokio::sync::mpsc::unbounded_channel"),
            (true, [n]) => match int_literal(n) {
                Some(0) => {
                    a.block(
                        "`sync_channel(0)` is a rendezvous channel, which tokio does not have"
                            .into(),
                    );
                    None
                }
                Some(_) => Some("tokio::sync::mpsc::channel"),
                None => {
                    a.block("its bound is not a literal (tokio's `channel(0)` panics)".into());
                    None
                }
            },
            _ => None,
        };
        if let (Some(range), Some(with)) = (path_range, ctor_path) {
            a.edits.push(Edit::new(range, with));
        }
        let plan = match a.blocker.take() {
            Some(why) => Err(why),
            None => Ok(ChannelMigration {
                edits: std::mem::take(&mut a.edits),
                bounded,
                timers: std::mem::take(&mut a.timers),
            }),
        };
        let fact = ChannelFact {
            ctor: ctor.syntax().text_range(),
            async_receives: std::mem::take(&mut a.async_receives),
            plan,
            in_test: in_test_code(let_stmt.syntax()),
            passed_to: a.passed_to(),
            field: a.field.take(),
        };
        self.facts.channels.push(fact);
    }
}

/// `4`, `4usize`, `1_000`: the value of an integer literal.
fn int_literal(e: &ast::Expr) -> Option<u128> {
    let ast::Expr::Literal(l) = e else {
        return None;
    };
    let ast::LiteralKind::IntNumber(n) = l.kind() else {
        return None;
    };
    n.value().ok()
}

/// One channel's uses, followed through its fn body and the private async
/// fns of the file its ends are passed to.
struct Analysis<'e, 'a> {
    ex: &'e Extractor<'a>,
    /// In the body being followed: the channel's ends there (its own two,
    /// or a parameter), and senders' clones.
    locals: Locals,
    /// Which end each of `locals` holds.
    ends: Vec<End>,
    /// The receiver's binding in the body being followed, which becomes
    /// `mut` where it is received from.
    receiver: Option<ast::IdentPat>,
    /// The bodies of fns an end is passed to, to follow next.
    pending: Vec<(Locals, End, ast::IdentPat)>,
    /// Those fns: each, its name, which parameter takes the end, and how
    /// many calls pass it.
    callees: Vec<(ast::Fn, String, usize, usize)>,
    /// The struct field a sender is stored in.
    field: Option<StoredField>,
    edits: Vec<Edit>,
    async_receives: Vec<TextRange>,
    /// Its receiver is received from: the binding becomes `mut`.
    received: bool,
    bounded: bool,
    timers: Vec<Driver>,
    /// The first reason it cannot migrate.
    blocker: Option<String>,
}

impl Analysis<'_, '_> {
    fn block(&mut self, why: String) {
        self.blocker.get_or_insert(why);
    }

    /// Every use of the channel's bindings in its body and in the fns an
    /// end is passed to, in order: each is rewritten, or blocks the
    /// migration.
    fn follow_uses(&mut self) {
        loop {
            self.received = false;
            self.follow_body();
            let receiver = self.receiver.take();
            if let Some(rx) = receiver.filter(|rx| self.received && rx.mut_token().is_none()) {
                let at = TextRange::empty(rx.syntax().text_range().start());
                self.edits.push(Edit::new(at, "mut "));
            }
            let Some((locals, end, pat)) = self.pending.pop() else {
                break;
            };
            self.locals = locals;
            self.ends = vec![end];
            self.receiver = (end == End::Receiver).then_some(pat);
        }
    }

    /// The fns an end is passed to, as `ChannelFact::passed_to` holds them.
    fn passed_to(&self) -> Vec<(String, usize, usize)> {
        // Other files that may call the fn are read by the rule.
        let root = &self.ex.root;
        (self.callees.iter())
            .map(|(_, name, _, calls)| (name.clone(), *calls, mentions(root, name)))
            .collect()
    }

    /// `worker(rx)`: passed to a private async fn of the file (in the same
    /// module, not generic) whose parameter binds it by name and names its
    /// std type, which becomes tokio's; the fn's body is followed next.
    /// `Err(None)` where `e` is no such argument, `Err(Some(why))` where the
    /// fn cannot take tokio's end.
    fn pass_to_fn(&mut self, e: &ast::Expr, end: End, name: &str) -> Result<(), Option<String>> {
        let (f, callee, index) = fn_handed(&self.ex.root, e.syntax()).ok_or(None)?;
        let why = |w: &str| Err(Some(format!("`{name}` is passed to `{callee}`, {w}")));
        if let Some(c) = self.callees.iter_mut().find(|c| c.0 == f) {
            if c.2 != index {
                return why("as two of its parameters");
            }
            c.3 += 1;
            return Ok(());
        }
        // Where the fn cannot take tokio's end, its receives are still the
        // channel's (AW203 reports them with the reason).
        // (A sync fn may take it: a receive there stays blocked as it is.)
        let problem = if f.visibility().is_some() {
            Some("a fn other modules or crates may call")
        } else if f.generic_param_list().is_some() {
            Some("a generic fn")
        } else {
            None
        };
        let Some((pat, ty)) = plain_param(&f, index) else {
            return why("whose parameter the rule does not read");
        };
        let (Some(body), Some(param_name)) = (f.body(), pat.name()) else {
            return why("whose body the rule does not read");
        };
        let locals = Locals {
            body: body.syntax().clone(),
            names: vec![(param_name.text().to_string(), pat.syntax().text_range())],
        };
        self.pending.push((locals, end, pat));
        self.callees.push((f, callee.clone(), index, 1));
        if let Some(problem) = problem {
            return why(problem);
        }
        let Some(edit) = self.end_type(&ty, end) else {
            return why("whose parameter's type is not the std end's");
        };
        self.edits.push(edit);
        Ok(())
    }

    /// `e` (an end named `name`) stored in a field, or else passed to a
    /// fn of the file (`store`, then `pass_to_fn`).
    fn store_or_pass(&mut self, e: &ast::Expr, end: End, name: &str) -> Result<(), Option<String>> {
        match self.store(e.syntax(), end) {
            Err(None) => self.pass_to_fn(e, end, name),
            stored => stored,
        }
    }

    /// `S { alerts: tx.clone(), .. }` (or `S { tx }`, `value` the name): a
    /// sender stored in a private field of a struct the file defines,
    /// whose every use in the file is a send (rewritten as the sender's
    /// own are), and whose type becomes tokio's. A receiver stays: receiving
    /// from a field takes `&mut` access to what holds it. `Err(None)` where
    /// `value` is stored in no field.
    fn store(&mut self, value: &SyntaxNode, end: End) -> Result<(), Option<String>> {
        let stored = field_stored_in(value).ok_or(None)?;
        if let Some(f) = &mut self.field {
            return f.again(stored);
        }
        let (field, ty) = StoredField::read(&self.ex.root, stored);
        let what = format!("{}.{}", field.strukt, field.name);
        let problem = match end {
            End::Receiver => Some(format!("its receiver is stored in `{what}`: receiving from a field takes `&mut` access to what holds it, which the rule does not add")),
            End::Sender => field.problem(),
        };
        let uses = field.uses(&self.ex.root);
        self.field = Some(field);
        if let Some(why) = problem {
            return Err(Some(why));
        }
        let edit = ty.and_then(|ty| self.end_type(&ty, end));
        let edit = edit.ok_or_else(|| {
            Some(format!(
                "it is stored in `{what}`, whose type is not the std sender's"
            ))
        })?;
        self.edits.push(edit);
        for u in uses {
            let sends = u
                .syntax()
                .parent()
                .and_then(ast::MethodCallExpr::cast)
                .is_some_and(|m| {
                    m.name_ref()
                        .is_some_and(|n| matches!(n.text(), "send" | "try_send"))
                });
            let (true, Some(_)) = (sends, fn_body(u.syntax())) else {
                return Err(Some(format!(
                    "it is stored in `{what}`, which is used other than by a send (`{}`)",
                    short(u.syntax())
                )));
            };
            self.use_of(&ast::Expr::FieldExpr(u), End::Sender)
                .map_err(Some)?;
        }
        Ok(())
    }

    /// A parameter's type that names the std end (`Receiver<Job>`,
    /// `mpsc::Sender<u8>`): its path, up to the generic arguments, spelled
    /// as tokio's end.
    fn end_type(&self, ty: &ast::Type, end: End) -> Option<Edit> {
        let ast::Type::PathType(t) = ty else {
            return None;
        };
        let path = t.path()?;
        let segment = path.segment()?;
        let name = segment.name_ref()?;
        let full = self
            .ex
            .imports
            .resolve(&segments(&path)?, path.syntax().text_range().start());
        let with = match (end, self.bounded, full.as_str()) {
            (End::Receiver, false, "std::sync::mpsc::Receiver") => {
                "tokio::sync::mpsc::UnboundedReceiver"
            }
            (End::Receiver, true, "std::sync::mpsc::Receiver") => "tokio::sync::mpsc::Receiver",
            (End::Sender, false, "std::sync::mpsc::Sender") => "tokio::sync::mpsc::UnboundedSender",
            (End::Sender, true, "std::sync::mpsc::SyncSender") => "tokio::sync::mpsc::Sender",
            _ => return None,
        };
        let range = TextRange::new(
            path.syntax().text_range().start(),
            name.syntax().text_range().end(),
        );
        Some(Edit::new(range, with))
    }

    /// The uses in the body being followed.
    fn follow_body(&mut self) {
        let nodes: Vec<SyntaxNode> = self.locals.nodes().collect();
        for node in nodes {
            if let Some(mac) = ast::MacroCall::cast(node.clone()) {
                self.macro_use(&mac);
                continue;
            }
            let Some(name) = ast::NameRef::cast(node) else {
                continue;
            };
            let Some(i) = self.locals.binding_of(&name) else {
                continue;
            };
            let end = self.ends[i];
            // `S { tx }`: stored.
            let Some(expr) = name_expr(&name) else {
                if field_shorthand(&name) {
                    if let Err(why) = self.store(name.syntax(), end) {
                        let why = why
                            .unwrap_or_else(|| format!("`{}` is stored in a struct", name.text()));
                        self.block(why);
                    }
                }
                continue;
            };
            if let Err(why) = self.use_of(&ast::Expr::PathExpr(expr), end) {
                self.block(why);
            }
        }
    }

    /// A macro whose tokens name one of the channel's bindings: the rule
    /// does not read inside macros.
    fn macro_use(&mut self, mac: &ast::MacroCall) {
        if !self.locals.named_in_macro(mac) {
            return;
        }
        // A receive inside it is AW203's to report, with the reason.
        if place(mac.syntax()) == Where::Async {
            self.async_receives.push(mac.syntax().text_range());
        }
        let name = macro_name(mac);
        self.block(format!("one of its ends {WHY_MACRO} (`{name}!`)"));
    }

    /// One use of an end; its edits, or why it blocks the migration.
    fn use_of(&mut self, e: &ast::Expr, end: End) -> Result<(), String> {
        let name = e.syntax().text().to_string();
        let parent = e.syntax().parent().ok_or_else(String::new)?;
        // `drop(tx)`
        if let Some(call) = parent.parent().and_then(ast::CallExpr::cast) {
            let is_drop =
                matches!(call.expr(), Some(ast::Expr::PathExpr(p)) if p.syntax().text() == "drop");
            if is_drop && call.arg_list().is_some_and(|l| l.args().count() == 1) {
                return Ok(());
            }
        }
        let whole_for = |node: &SyntaxNode| {
            node.parent()
                .and_then(ast::ForExpr::cast)
                .filter(|f| f.iterable().is_some_and(|i| i.syntax() == node))
        };
        // `for x in rx`, `for x in &rx`
        if end == End::Receiver {
            let target = match ast::RefExpr::cast(parent.clone()) {
                Some(r) if r.mut_token().is_none() => r.syntax().clone(),
                _ => e.syntax().clone(),
            };
            if let Some(f) = whole_for(&target) {
                return self.for_loop(&f, e, &name);
            }
        }
        let Some(call) = ast::MethodCallExpr::cast(parent)
            .filter(|m| m.receiver().is_some_and(|r| r.syntax() == e.syntax()))
        else {
            match self.store_or_pass(e, end, &name) {
                Ok(()) => return Ok(()),
                Err(Some(why)) => return Err(why),
                Err(None) => {}
            }
            let parent = e.syntax().parent().unwrap();
            return Err(
                match parent
                    .parent()
                    .filter(|_| parent.kind() == SyntaxKind::ARG_LIST)
                {
                    Some(call) => format!("`{name}` is passed to a call (`{}`)", short(&call)),
                    // The value of a block, a closure or a fn: it leaves.
                    None if parent.kind() == SyntaxKind::STMT_LIST => {
                        format!("`{name}` is the value of the block it is made in, and leaves it")
                    }
                    None => format!(
                        "`{name}` is used where the rule cannot follow it (`{}`)",
                        short(&parent)
                    ),
                },
            );
        };
        let method = call
            .name_ref()
            .map(|n| n.text().to_string())
            .unwrap_or_default();
        let args = call.arg_list().map(|l| l.args().count()).unwrap_or(0);
        let at = place(e.syntax());
        let unknown = || format!("`{name}.{method}(..)` is used in a way the rule cannot rewrite");
        match (end, method.as_str(), args) {
            (End::Receiver, "recv", 0) => {
                self.received = true;
                let shape = result_shape(&call).ok_or_else(unknown)?;
                let name_range = call.name_ref().unwrap().syntax().text_range();
                let aw = match at {
                    Where::Async => {
                        self.async_receives.push(call.syntax().text_range());
                        ".await"
                    }
                    Where::Thread => {
                        self.edits.push(Edit::new(name_range, "blocking_recv"));
                        ""
                    }
                    Where::Other => {
                        return Err(format!("`{name}.recv()` is in a sync fn or closure that may run on the runtime"))
                    }
                };
                self.map_result(&call, shape, aw);
                Ok(())
            }
            (End::Receiver, "recv_timeout", 1) => {
                self.received = true;
                if at != Where::Async {
                    return Err(format!("`{name}.recv_timeout(..)` outside async code (tokio has no blocking receive with a timeout)"));
                }
                let d = call.arg_list().and_then(|l| l.args().next()).unwrap();
                // A zero timeout polls: it is no wait of its own.
                if !crate::blocking::zero_duration(&d) {
                    self.async_receives.push(call.syntax().text_range());
                }
                let shape = result_shape(&call).ok_or_else(unknown)?;
                let with = format!(
                    "tokio::time::timeout({}, {name}.recv()).await.ok().flatten()",
                    d.syntax().text()
                );
                let range = call.syntax().text_range();
                match shape {
                    Shape::Ok(ok) => self.edits.push(Edit::new(range.cover(ok), with)),
                    Shape::OkPat(_) | Shape::Match(_) => {
                        self.edits.push(Edit::new(range, with));
                        self.map_result(&call, shape, "");
                    }
                    _ => return Err(unknown()),
                }
                self.timers.push(self.ex.driver_at(call.syntax()));
                Ok(())
            }
            (End::Receiver, "try_recv", 0) => {
                self.received = true;
                match result_shape(&call) {
                    Some(Shape::Ok(_) | Shape::IsOk(_, false) | Shape::OkPat(_)) => Ok(()),
                    _ => Err(unknown()),
                }
            }
            (End::Receiver, "iter", 0) => match whole_for(call.syntax()) {
                Some(f) => self.for_loop(&f, e, &name),
                None => Err(unknown()),
            },
            (End::Sender, "send", 1) if !self.bounded => Ok(()),
            (End::Sender, "send", 1) => match at {
                Where::Async => {
                    let end = call.syntax().text_range().end();
                    self.edits.push(Edit::new(TextRange::empty(end), ".await"));
                    Ok(())
                }
                Where::Thread => {
                    let name_range = call.name_ref().unwrap().syntax().text_range();
                    self.edits.push(Edit::new(name_range, "blocking_send"));
                    Ok(())
                }
                Where::Other => Err(format!(
                    "`{name}.send(..)` on a bounded channel is in a sync fn or closure that may run on the runtime"
                )),
            },
            (End::Sender, "try_send", 1) if self.bounded => match result_shape(&call) {
                Some(Shape::Ok(_) | Shape::IsOk(..) | Shape::Discard) => Ok(()),
                _ => Err(unknown()),
            },
            (End::Sender, "clone", 0) => {
                let clone = call
                    .syntax()
                    .parent()
                    .and_then(ast::LetStmt::cast)
                    .filter(|l| l.ty().is_none() && l.let_else().is_none());
                match clone.and_then(|l| l.pat()) {
                    Some(ast::Pat::IdentPat(p)) if p.ref_token().is_none() && p.pat().is_none() => {
                        let name = p.name().map(|n| n.text().to_string()).unwrap_or_default();
                        self.locals.names.push((name, p.syntax().text_range()));
                        self.ends.push(End::Sender);
                        Ok(())
                    }
                    _ => {
                        let clone = ast::Expr::MethodCallExpr(call.clone());
                        match self.store_or_pass(&clone, End::Sender, &name) {
                            Err(None) => Err(format!("a clone of `{name}` is used where the rule cannot follow it")),
                            followed => followed.map_err(Option::unwrap_or_default),
                        }
                    }
                }
            }
            _ => Err(unknown()),
        }
    }

    /// `for x in rx.iter()` / `for x in rx` / `for x in &rx` → `while let
    /// Some(x) = rx.recv().await` (`blocking_recv()` off the runtime).
    fn for_loop(&mut self, f: &ast::ForExpr, e: &ast::Expr, name: &str) -> Result<(), String> {
        self.received = true;
        let recv = match place(e.syntax()) {
            Where::Async => {
                self.async_receives.push(
                    f.iterable()
                        .map_or(e.syntax().text_range(), |i| i.syntax().text_range()),
                );
                "recv().await"
            }
            Where::Thread => "blocking_recv()",
            Where::Other => {
                return Err(format!(
                    "`for .. in {name}` is in a sync fn or closure that may run on the runtime"
                ))
            }
        };
        let (Some(kw), Some(pat), Some(iter)) = (f.for_token(), f.pat(), f.iterable()) else {
            return Err(format!("a loop over `{name}` the rule cannot read"));
        };
        let range = TextRange::new(kw.text_range().start(), iter.syntax().text_range().end());
        self.edits.push(Edit::new(
            range,
            format!("while let Some({}) = {name}.{recv}", pat.syntax().text()),
        ));
        Ok(())
    }

    /// The edits that turn a std receive's `Result` into tokio's `Option`
    /// (`aw`: `.await` after the call, or nothing off the runtime).
    fn map_result(&mut self, call: &ast::MethodCallExpr, shape: Shape, aw: &str) {
        let end = TextRange::empty(call.syntax().text_range().end());
        let after = match shape {
            // The `.ok()` or the test it replaces carries the `.await`.
            Shape::Ok(r) => return self.edits.push(Edit::new(r, aw)),
            Shape::IsOk(r, err) => {
                let test = if err { "is_none" } else { "is_some" };
                return self.edits.push(Edit::new(r, format!("{aw}.{test}()")));
            }
            Shape::Unwrap | Shape::Discard => Vec::new(),
            Shape::OkPat(ok) => vec![Edit::new(ok, "Some")],
            Shape::Match(edits) => edits,
        };
        self.edits.extend(after);
        if !aw.is_empty() {
            self.edits.push(Edit::new(end, aw));
        }
    }
}

/// The shape around a receive (or `try_*`) call, if it is one the rewrite
/// knows.
fn result_shape(call: &ast::MethodCallExpr) -> Option<Shape> {
    let node = call.syntax();
    let parent = node.parent()?;
    let end = node.text_range().end();
    if let Some(next) = ast::MethodCallExpr::cast(parent.clone())
        .filter(|m| m.receiver().is_some_and(|r| r.syntax() == node))
    {
        let name = next.name_ref()?.text().to_string();
        let args = next.arg_list().map(|l| l.args().count()).unwrap_or(0);
        let rest = TextRange::new(end, next.syntax().text_range().end());
        return match (name.as_str(), args) {
            ("unwrap", 0) | ("expect", 1) => Some(Shape::Unwrap),
            ("ok", 0) => Some(Shape::Ok(rest)),
            ("is_ok", 0) => Some(Shape::IsOk(rest, false)),
            ("is_err", 0) => Some(Shape::IsOk(rest, true)),
            _ => None,
        };
    }
    if let Some(l) = ast::LetStmt::cast(parent.clone()) {
        return matches!(l.pat(), Some(ast::Pat::WildcardPat(_)))
            .then_some(Shape::Discard)
            .filter(|_| l.ty().is_none() && l.let_else().is_none());
    }
    if parent.kind() == SyntaxKind::EXPR_STMT {
        return Some(Shape::Discard);
    }
    if let Some(l) = ast::LetExpr::cast(parent.clone()) {
        return ok_pat(&l.pat()?).map(Shape::OkPat);
    }
    if let Some(m) = ast::MatchExpr::cast(parent) {
        let mut edits = Vec::new();
        for arm in m.match_arm_list()?.arms() {
            match arm.pat()? {
                ast::Pat::WildcardPat(_) => {}
                p => match (ok_pat(&p), err_wildcard(&p)) {
                    (Some(ok), _) => edits.push(Edit::new(ok, "Some")),
                    (_, true) => edits.push(Edit::new(p.syntax().text_range(), "None")),
                    _ => return None,
                },
            }
        }
        return Some(Shape::Match(edits));
    }
    None
}

/// `Ok(p)` with one field: the `Ok`.
fn ok_pat(p: &ast::Pat) -> Option<TextRange> {
    let ast::Pat::TupleStructPat(t) = p else {
        return None;
    };
    let path = t.path()?;
    (path.syntax().text() == "Ok" && t.fields().count() == 1).then(|| path.syntax().text_range())
}

/// `Err(_)`.
fn err_wildcard(p: &ast::Pat) -> bool {
    let ast::Pat::TupleStructPat(t) = p else {
        return false;
    };
    let fields: Vec<ast::Pat> = t.fields().collect();
    t.path().is_some_and(|p| p.syntax().text() == "Err")
        && matches!(fields.as_slice(), [ast::Pat::WildcardPat(_)])
}

impl Followed for ChannelFact {
    fn field(&self) -> Option<&StoredField> {
        self.field.as_ref()
    }

    fn passed_to(&self) -> &[(String, usize, usize)] {
        &self.passed_to
    }

    fn blocked(&self) -> Option<String> {
        self.plan.as_ref().err().cloned()
    }

    fn block(&mut self, why: String) {
        if self.plan.is_ok() {
            self.plan = Err(why);
        }
    }
}
