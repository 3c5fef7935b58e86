//! Calls and flows: arguments, struct literal fields and assignments that
//! carry a lock from one declaration to another.

use super::*;
use std::ops::ControlFlow;

/// Method calls that pass a lock through unchanged when finding what a
/// receiver refers to.
pub(super) const PASS_THROUGH: &[&str] = &[
    "clone",
    "as_ref",
    "unwrap",
    "expect",
    "get",
    "get_or_init",
    "deref",
    "borrow",
    "as_deref",
];

/// `let x = heavy(&data);` in async code →
/// `let x = { let data = data.clone(); tokio::task::spawn_blocking(move || heavy(&data)).await.expect(..) };`
///
/// Only where it is certain to compile: the call is the whole work of a
/// `let` initializer with no `.await`, closure, macro, lock call, `?`,
/// `return` or `self` inside; every local it captures is owned for sure (a
/// literal, `vec![..]`, `format!(..)`, `String::from`, `.to_vec()`,
/// `.to_string()`, `.to_owned()`, or annotated with a type that is not a
/// reference), not `Rc`, and, if used after the `let`, of a type known to be
/// `Clone`, so that it is cloned into the closure. Else why not.
pub(super) fn spawn_blocking_wrap(call: &SyntaxNode) -> Result<(TextRange, String), &'static str> {
    let let_stmt = call
        .ancestors()
        .take_while(|a| {
            !matches!(
                a.kind(),
                SyntaxKind::STMT_LIST | SyntaxKind::FN | SyntaxKind::CLOSURE_EXPR
            )
        })
        .find_map(ast::LetStmt::cast)
        .ok_or("it is not in a `let` initializer")?;
    let init = let_stmt
        .initializer()
        .filter(|_| let_stmt.let_else().is_none())
        .ok_or("it is not in a `let` initializer")?;
    for d in init.syntax().descendants() {
        let forbidden = matches!(
            d.kind(),
            SyntaxKind::AWAIT_EXPR
                | SyntaxKind::CLOSURE_EXPR
                | SyntaxKind::MACRO_CALL
                | SyntaxKind::RETURN_EXPR
                | SyntaxKind::TRY_EXPR
                | SyntaxKind::BREAK_EXPR
                | SyntaxKind::CONTINUE_EXPR
                | SyntaxKind::BLOCK_EXPR
        ) || ast::MethodCallExpr::cast(d.clone())
            .and_then(|m| m.name_ref())
            .is_some_and(|n| LOCK_METHODS.contains(&n.text()));
        if forbidden {
            return Err("its `let` initializer also awaits, returns, uses `?`, a closure, a block, a macro or a lock");
        }
    }
    if init
        .syntax()
        .descendants_with_tokens()
        .any(|t| t.kind() == SyntaxKind::SELF_KW)
    {
        return Err("it uses `self`, which the closure cannot take");
    }
    let not_owned =
        "a local it uses may be borrowed or not `Send` (the tool cannot see it is owned)";
    let body = let_stmt
        .syntax()
        .ancestors()
        .find(|a| a.kind() == SyntaxKind::FN)
        .ok_or("it is not in a fn")?;
    let after = let_stmt.syntax().text_range().end();
    let mut clones = Vec::new();
    let mut seen = BTreeSet::new();
    for pe in init.syntax().descendants().filter_map(ast::PathExpr::cast) {
        let Some(path) = pe.path() else {
            return Err(not_owned);
        };
        if path.qualifier().is_some() {
            continue;
        }
        let Some(name) = path.segment().and_then(|s| s.name_ref()) else {
            return Err(not_owned);
        };
        let name = name.text().to_string();
        if !seen.insert(name.clone()) {
            continue;
        }
        let cloneable = match find_binding(&name, let_stmt.syntax()) {
            Binding::NotFound => continue, // a fn, static or const
            Binding::Let(l) => owned_let(&l),
            Binding::Param(_, _, p) => p
                .ty()
                .and_then(|t| owned_type(&t.syntax().text().to_string())),
            Binding::From(_)
            | Binding::Element(_)
            | Binding::Destructured(_)
            | Binding::Variant(..)
            | Binding::ClosureParam(_)
            | Binding::Other => None,
        }
        .ok_or(not_owned)?;
        let used_after = body
            .descendants()
            .filter_map(ast::NameRef::cast)
            .any(|n| n.syntax().text_range().start() >= after && n.text() == name.as_str());
        if used_after {
            if !cloneable {
                return Err("a local it uses is used after the `let` and may not be `Clone`");
            }
            clones.push(name);
        }
    }
    let wrapped = format!(
        "tokio::task::spawn_blocking(move || {}).await.expect(\"blocking task panicked\")",
        init.syntax().text()
    );
    let text = if clones.is_empty() {
        wrapped
    } else {
        let prelude: String = clones
            .iter()
            .map(|c| format!("let {c} = {c}.clone(); "))
            .collect();
        format!("{{ {prelude}{wrapped} }}")
    };
    Ok((init.syntax().text_range(), text))
}

/// The `spawn_blocking` wrap of the call at `range` of the file `root`, for
/// a call a rule picks after facts are extracted (AW206's calls of the
/// crate's sync helpers), as [`spawn_blocking_wrap`] makes it for a heavy
/// call; or why there is none (a call in a macro's arguments has none).
pub fn spawn_blocking_wrap_at(
    root: &SyntaxNode,
    range: TextRange,
) -> Result<(TextRange, String), &'static str> {
    let call = root
        .covering_element(range)
        .ancestors()
        .find(|n| {
            n.text_range() == range
                && matches!(
                    n.kind(),
                    SyntaxKind::CALL_EXPR | SyntaxKind::METHOD_CALL_EXPR
                )
        })
        .ok_or("it is in a macro's arguments")?;
    spawn_blocking_wrap(&call)
}

pub(super) fn is_assign(bin: &ast::BinExpr) -> bool {
    bin.op_kind() == Some(ast::BinaryOp::Assignment { op: None })
}

/// The name a call calls: a method's name, or the last segment of a called
/// path; none for calls of anything else (a closure in a field, `(f)(x)`).
pub(super) fn callee_name(node: &SyntaxNode) -> Option<String> {
    if let Some(mc) = ast::MethodCallExpr::cast(node.clone()) {
        return mc.name_ref().map(|n| n.text().to_string());
    }
    match ast::CallExpr::cast(node.clone())?.expr()? {
        ast::Expr::PathExpr(p) => p
            .path()?
            .segment()?
            .name_ref()
            .map(|n| n.text().to_string()),
        _ => None,
    }
}

/// The tail expression of a block is its value: a fn body's is the fn's
/// return value (settled), and a closure's or plain block's passes on to
/// the expression the block is part of.
fn tail_owner(list: &SyntaxNode, child: &SyntaxNode, out: &mut Vec<Target>) -> ControlFlow<()> {
    let is_tail = ast::StmtList::cast(list.clone())
        .and_then(|l| l.tail_expr())
        .is_some_and(|t| t.syntax() == child);
    let body_of = list.parent().and_then(|b| b.parent());
    match body_of.as_ref().and_then(|b| ast::Fn::cast(b.clone())) {
        Some(f) if is_tail => out.push(fn_target(&f, None)),
        // The tail of a closure or a plain block is its value:
        // `LazyLock::new(|| { ..; RwLock::new(m) })`.
        None if is_tail
            && list
                .parent()
                .and_then(ast::BlockExpr::cast)
                .is_some_and(|b| {
                    b.async_token().is_none()
                        && b.const_token().is_none()
                        && b.unsafe_token().is_none()
                }) =>
        {
            return ControlFlow::Continue(());
        }
        _ => {}
    }
    ControlFlow::Break(())
}

impl Extractor<'_> {
    /// Who owns a type or constructor path: the declaration whose type or value
    /// it is part of, nearest first.
    pub(super) fn owners(&self, node: &SyntaxNode) -> Vec<Target> {
        let mut out = Vec::new();
        let mut child = node.clone();
        for up in node.ancestors().skip(1) {
            if self.owner_at(&up, &child, &mut out).is_break() {
                return out;
            }
            child = up;
        }
        out
    }

    /// What one ancestor `up` of `child` says about the owner: it adds the
    /// owners it names and breaks where the owner is settled, or continues
    /// to the next ancestor when the value only passes through.
    fn owner_at(
        &self,
        up: &SyntaxNode,
        child: &SyntaxNode,
        out: &mut Vec<Target>,
    ) -> ControlFlow<()> {
        match up.kind() {
            SyntaxKind::RECORD_FIELD | SyntaxKind::TUPLE_FIELD => {
                if let Some(key) = field_key(up) {
                    out.push(Target::Key(key));
                }
            }
            SyntaxKind::STATIC | SyntaxKind::CONST => {
                if let Some(name) = item_name(up) {
                    out.push(Target::Key(self.static_key(up, &name)));
                }
            }
            SyntaxKind::TYPE_ALIAS => {
                if let Some(name) = item_name(up) {
                    out.push(Target::Key(DeclKey::Alias(name.into())));
                }
            }
            SyntaxKind::PARAM => {
                if let Some((f, index)) = param_of(up) {
                    out.push(fn_target(&f, Some(index)));
                }
                // A parameter of a closure a `let` binds: a local.
                let param = ast::Param::cast(up.clone()).unwrap();
                let closure = up.ancestors().nth(2).and_then(ast::ClosureExpr::cast);
                if closure.is_some_and(|c| super::bindings::closure_let(&c).is_some()) {
                    out.push(Target::Key(self.closure_param_key(&param)));
                }
            }
            SyntaxKind::RET_TYPE => {
                if let Some(f) = up.parent().and_then(ast::Fn::cast) {
                    out.push(fn_target(&f, None));
                }
            }
            SyntaxKind::LET_STMT => {
                out.extend(self.let_owners(&ast::LetStmt::cast(up.clone()).unwrap()));
            }
            SyntaxKind::RECORD_EXPR_FIELD => {
                if let Some(key) = record_expr_field_key(up) {
                    out.push(Target::Key(key));
                }
            }
            SyntaxKind::ARG_LIST => return self.arg_owners(up, child, out),
            SyntaxKind::BIN_EXPR => {
                let bin = ast::BinExpr::cast(up.clone()).unwrap();
                if !is_assign(&bin) {
                    return ControlFlow::Continue(());
                }
                if let Some(lhs) = bin.lhs() {
                    out.extend(self.root(&lhs, up, 0));
                }
            }
            SyntaxKind::RETURN_EXPR => {
                if let Some(f) = up.ancestors().find_map(ast::Fn::cast) {
                    out.push(fn_target(&f, None));
                }
            }
            SyntaxKind::STMT_LIST => return tail_owner(up, child, out),
            SyntaxKind::FN | SyntaxKind::IMPL => {}
            _ => return ControlFlow::Continue(()),
        }
        ControlFlow::Break(())
    }

    /// The owners a `let` gives a value in its type or initializer: the local
    /// itself where it is a lock declaration, else the lock a guard is taken
    /// from.
    fn let_owners(&self, let_stmt: &ast::LetStmt) -> Vec<Target> {
        let mut out = Vec::new();
        if self.let_is_decl(let_stmt) {
            out.push(Target::Key(self.local_key(let_stmt)));
        } else if let Some(init) = let_stmt.initializer() {
            // `let db: Db = ..`: the local, if `Db` is a lock alias.
            if alias_typed(let_stmt) {
                out.push(Target::Key(self.local_key(let_stmt)));
            }
            // `let g: MutexGuard<_> = m.lock().unwrap();`
            if let Some(site) = init
                .syntax()
                .descendants()
                .filter_map(ast::MethodCallExpr::cast)
                .find(|m| {
                    m.name_ref()
                        .is_some_and(|n| LOCK_METHODS.contains(&n.text()))
                })
            {
                if let Some(recv) = site.receiver() {
                    out.extend(self.root(&recv, site.syntax(), 0));
                }
            }
        }
        out
    }

    /// An argument is owned by the parameter it is passed to, and a value
    /// handed to a once-cell's initializer by the cell: the owner is settled
    /// only in the second case.
    fn arg_owners(
        &self,
        args: &SyntaxNode,
        child: &SyntaxNode,
        out: &mut Vec<Target>,
    ) -> ControlFlow<()> {
        if let Some(t) = self.param_target(args, child, args) {
            out.push(t);
        }
        // `m.insert(k, Mutex::new(0))`: an element of the collection `m`
        // (itself, not the data behind a guard; not a crate method's
        // parameter of that name).
        let adding = ast::MethodCallExpr::cast(args.parent().unwrap_or(args.clone())).filter(|m| {
            let last = m.arg_list().and_then(|a| a.args().last());
            m.name_ref()
                .is_some_and(|n| super::local_decls::ADDING.contains(&n.text()))
                && last.is_some_and(|a| a.syntax() == child)
        });
        if let Some((owner, super::roots::Via::Lock)) = adding
            .and_then(|m| m.receiver())
            .and_then(|recv| self.rooted(&recv, args, 0))
        {
            out.retain(|t| !matches!(t, Target::Param { .. }));
            out.push(owner);
            return ControlFlow::Break(());
        }
        // `S.get_or_init(|| RwLock::new(..))`, `S.set(RwLock::new(..))`:
        // the value is the receiver's.
        let init = ast::MethodCallExpr::cast(args.parent().unwrap_or(args.clone())).filter(|m| {
            m.name_ref().is_some_and(|n| {
                [
                    "get_or_init",
                    "get_or_try_init",
                    "get_or_insert_with",
                    "set",
                ]
                .contains(&n.text())
            })
        });
        match init
            .and_then(|m| m.receiver())
            .and_then(|recv| self.root(&recv, args, 0))
        {
            Some(owner) => {
                out.push(owner);
                ControlFlow::Break(())
            }
            None => ControlFlow::Continue(()),
        }
    }

    /// The fn a call names exactly, if it does.
    pub(super) fn callee_key(
        &self,
        node: &SyntaxNode,
        anchor: &SyntaxNode,
        name: &str,
    ) -> Option<FnId> {
        if let Some(mc) = ast::MethodCallExpr::cast(node.clone()) {
            let recv = mc.receiver()?;
            return if recv.syntax().text() == "self" {
                Some(FnId::method(&impl_type(anchor)?, name))
            } else {
                None
            };
        }
        let ast::Expr::PathExpr(pe) = ast::CallExpr::cast(node.clone())?.expr()? else {
            return None;
        };
        let segs = segments(&pe.path()?)?;
        match segs.as_slice() {
            [_] => Some(FnId::free(name)),
            [.., q, _] if q == "Self" => Some(FnId::method(&impl_type(anchor)?, name)),
            [.., q, _] if q.starts_with(|c: char| c.is_ascii_uppercase()) => {
                Some(FnId::method(q, name))
            }
            // `real::load(..)`: a free fn of a module of the crate.
            [modules @ .., _]
                if self
                    .imports
                    .is_local_module(modules, self.offset_of(pe.syntax())) =>
            {
                Some(FnId::free(name))
            }
            _ => None,
        }
    }

    /// A call: for the sync-helper analysis, and for flows from arguments into
    /// lock parameters. `anchor` is where it stands in the file (see `visit`).
    pub(super) fn visit_call_like(&mut self, node: &SyntaxNode, anchor: &SyntaxNode, shift: u32) {
        self.visit_watched_method(node, anchor, shift);
        let Some(callee) = callee_name(node) else {
            return;
        };
        let flows = self.flow_names.is_none_or(|names| names.contains(&callee));
        self.record_blocking_call(node, anchor, shift);
        let callee_key = self.callee_key(node, anchor, &callee);
        let receiver = callee_key
            .is_none()
            .then(|| self.method_receiver(node, anchor, shift))
            .flatten();
        let spawner = matches!(
            callee.as_str(),
            "spawn" | "spawn_blocking" | "block_in_place"
        );
        // AW205 follows a sync method call to the crate's methods where the
        // file shows its receiver is of the crate's types.
        let own = match (&callee_key, &self.ctx) {
            (None, SiteContext::Async | SiteContext::Sync { .. })
                if node
                    .parent()
                    .is_none_or(|p| p.kind() != SyntaxKind::AWAIT_EXPR) =>
            {
                self.own_call_receiver(node, anchor, shift)
            }
            _ => None,
        };
        let resolvable = callee_key.is_some() || receiver.is_some();
        let receiver = match own {
            Some(own) => Some(MethodReceiver::Own(Box::new(OwnCall {
                receiver: own,
                premise: receiver,
            }))),
            None => receiver,
        };
        // For the blocking rules alone, helper chains need only calls that
        // name their fn exactly or have a receiver of the crate's types, and
        // the runtime premise method calls too.
        if !self.blocking_only || resolvable || receiver.is_some() {
            self.record_call(node, anchor, shift, callee, (callee_key, receiver));
        }
        if spawner {
            self.record_spawned_fns(node, shift);
        }
        if self.blocking_only {
            return;
        }
        if flows {
            self.link_args_to_params(node, anchor, shift);
        }
    }

    /// A blocking call (std I/O, sleeps, heavy work, the user's own blocking
    /// fns), with what the blocking rules need to judge and fix it.
    fn record_blocking_call(&mut self, node: &SyntaxNode, anchor: &SyntaxNode, shift: u32) {
        let ctx = self.ctx.clone();
        let scope = if shift == 0 { node } else { anchor };
        let bound = |e: &ast::Expr| -> Option<(ast::Expr, Option<usize>)> {
            let ast::Expr::PathExpr(p) = e else {
                return None;
            };
            let name = p.path()?.as_single_name_ref()?.text().to_string();
            let_binding(&name, scope)
        };
        let typed = |e: &ast::Expr| self.value_type_path(e, scope);
        let classified = crate::blocking::classify(
            self.imports,
            node,
            shift,
            &bound,
            &typed,
            self.user_blocking,
            self.detectors,
        );
        let (call, handle_from) = match classified {
            Some(call) => (call, None),
            None => match self.join_of_crate_handle(node, scope, shift) {
                Some((call, f)) => (call, Some(f)),
                None => return,
            },
        };
        let in_test = in_test_code(anchor);
        let heavy = call.kind.is_cpu_work();
        let wrap = (heavy && shift == 0 && ctx == SiteContext::Async)
            .then(|| spawn_blocking_wrap(node).ok())
            .flatten();
        self.facts.blocking.push(BlockingFact {
            call,
            ctx: ctx.clone(),
            wrap,
            in_test,
            size_hint: (heavy && (in_test || self.test_unit))
                .then(|| self.size_hint(anchor))
                .flatten(),
            deferred: deferred_closure(anchor),
            closure_callee: (ctx == SiteContext::SyncInAsync)
                .then(|| closure_callee(anchor))
                .flatten(),
            driver: self.driver(anchor),
            handle_from,
            in_fn: self.in_fn.clone(),
            task: self.task,
        });
    }

    /// `h.join()` where the local `h` was bound to a call of a fn of the
    /// crate (`let h = start_poller();`): a std thread's join if that fn's
    /// declared return type is `std::thread::JoinHandle`, which only the
    /// crate's other files may show; the plan checks (`handle_from`).
    fn join_of_crate_handle(
        &self,
        node: &SyntaxNode,
        scope: &SyntaxNode,
        shift: u32,
    ) -> Option<(crate::blocking::BlockingCall, FnId)> {
        let mc = ast::MethodCallExpr::cast(node.clone())?;
        let name = mc.name_ref()?;
        if name.text() != "join" || mc.arg_list()?.args().next().is_some() {
            return None;
        }
        let ast::Expr::PathExpr(p) = mc.receiver()? else {
            return None;
        };
        let local = p.path()?.as_single_name_ref()?.text().to_string();
        let (ast::Expr::CallExpr(init), None) = let_binding(&local, scope)? else {
            return None;
        };
        let callee = callee_name(init.syntax())?;
        let key = self.callee_key(init.syntax(), scope, &callee)?;
        let sh = |r: TextRange| r + TextSize::from(shift);
        let call = crate::blocking::BlockingCall {
            kind: crate::blocking::BlockingKind::Wait,
            what: "std::thread::JoinHandle::join".to_string(),
            path: sh(name.syntax().text_range()),
            call: sh(node.text_range()),
        };
        Some((call, key))
    }

    /// A fn whose declared return type is a std thread's `JoinHandle`.
    pub(super) fn record_join_handle_fn(&mut self, f: &ast::Fn, key: &FnId) {
        let Some(ast::Type::PathType(t)) = f.ret_type().and_then(|r| r.ty()) else {
            return;
        };
        let Some(path) = t.path() else {
            return;
        };
        let Some(segs) = segments(&path) else {
            return;
        };
        if segs.last().is_some_and(|s| s == "JoinHandle")
            && self
                .imports
                .resolve(&segs, path.syntax().text_range().start())
                == "std::thread::JoinHandle"
        {
            self.facts.join_handle_fns.push(key.clone());
        }
    }

    /// The call itself, for the sync-helper analysis: which fn calls which,
    /// in what context, and (where the callee is known exactly, or is a
    /// method the crate's impls may resolve) what drives it.
    fn record_call(
        &mut self,
        node: &SyntaxNode,
        anchor: &SyntaxNode,
        shift: u32,
        callee: String,
        (callee_key, receiver): (Option<FnId>, Option<MethodReceiver>),
    ) {
        let premise = match &receiver {
            Some(MethodReceiver::Own(own)) => own.premise.is_some(),
            r => r.is_some(),
        };
        let resolvable = callee_key.is_some() || premise;
        let in_test = self.ctx == SiteContext::Async && resolvable && self.in_test_fn(anchor);
        // A future handed to a spawner (`tokio::spawn(fold(rx))`) runs in a
        // task of its own, not the caller's.
        let spawned = shift == 0
            && node
                .parent()
                .filter(|p| p.kind() == SyntaxKind::ARG_LIST)
                .and_then(|p| p.parent())
                .is_some_and(|call| self.driver_call(&call).is_some());
        let task = match spawned {
            true => Some(crate::facts::Task {
                start: node.text_range().start(),
                fn_body: false,
            }),
            false => self.task,
        };
        self.facts.calls.push(CallFact {
            callee: callee.into(),
            in_fn: self.in_fn.clone(),
            ctx: self.ctx.clone(),
            range: node.text_range() + TextSize::from(shift),
            awaited: node
                .parent()
                .is_some_and(|p| p.kind() == SyntaxKind::AWAIT_EXPR),
            in_test,
            // Only AW206's chains in test code read it.
            size_hint: (in_test
                || (self.test_unit && self.ctx == SiteContext::Async && resolvable))
                .then(|| self.size_hint(anchor))
                .flatten(),
            deferred: deferred_closure(anchor),
            driver: if resolvable {
                self.driver(if shift == 0 { node } else { anchor })
            } else {
                Driver::Unknown
            },
            callee_key,
            receiver,
            task,
        });
    }

    /// A method call other than `self.f(..)`, whose value is used (a
    /// future dropped at once runs nowhere): what the file shows of its
    /// receiver's type. Only where the call is `.await`ed or its future
    /// handed on as an argument (`rt.block_on(x.run())`) is the type worked
    /// out; elsewhere it stays unknown, which resolves to more methods.
    fn method_receiver(
        &self,
        node: &SyntaxNode,
        anchor: &SyntaxNode,
        shift: u32,
    ) -> Option<MethodReceiver> {
        let recv = ast::MethodCallExpr::cast(node.clone())?.receiver()?;
        let parent = node.parent()?.kind();
        if parent == SyntaxKind::EXPR_STMT {
            return None;
        }
        if !matches!(parent, SyntaxKind::AWAIT_EXPR | SyntaxKind::ARG_LIST) {
            return Some(MethodReceiver::Unknown);
        }
        let scope = if shift == 0 { node } else { anchor };
        let path = match self.receiver_type(&recv, scope, 0) {
            ReceiverType::Typed(path) => path,
            ReceiverType::OwnType(name) => name,
            // `T::new(..)`, `T::default()`: a value of `T`.
            ReceiverType::MadeBy(f, None) => {
                f.rsplit_once("::").map_or(f.clone(), |(ty, _)| ty.into())
            }
            _ => return Some(MethodReceiver::Unknown),
        };
        let ty = match path.rsplit("::").next().unwrap_or_default() {
            "Self" => impl_type(scope).unwrap_or_default(),
            ty => ty.to_string(),
        };
        Some(match ty.starts_with(|c: char| c.is_ascii_uppercase()) {
            true => MethodReceiver::Typed(ty.into()),
            false => MethodReceiver::Unknown,
        })
    }

    /// An async fn that takes `self`: a method call of its name may call it.
    pub(super) fn record_async_method(&mut self, f: &ast::Fn, key: &FnId) {
        let takes_self = f.param_list().is_some_and(|l| l.self_param().is_some());
        if f.async_token().is_some() && takes_self {
            self.facts.async_methods.push(key.clone());
        }
    }

    /// `std::thread::spawn(worker)`: a fn handed by name to a spawner that
    /// runs it off the runtime is called from blocking code.
    fn record_spawned_fns(&mut self, node: &SyntaxNode, shift: u32) {
        let Some(args) = ast::CallExpr::cast(node.clone())
            .and_then(|c| c.arg_list())
            .or_else(|| ast::MethodCallExpr::cast(node.clone()).and_then(|m| m.arg_list()))
        else {
            return;
        };
        for arg in args.args() {
            let ast::Expr::PathExpr(p) = &arg else {
                continue;
            };
            let Some(name) = p.path().and_then(|p| p.segment()?.name_ref()) else {
                continue;
            };
            if shift == 0 && is_blocking_closure(arg.syntax()) {
                let name = name.text().to_string();
                self.facts.calls.push(CallFact {
                    callee_key: Some(FnId::free(&name)),
                    callee: name.into(),
                    in_fn: self.in_fn.clone(),
                    ctx: SiteContext::Blocking,
                    range: arg.syntax().text_range(),
                    awaited: false,
                    in_test: false,
                    size_hint: None,
                    deferred: false,
                    driver: Driver::Unknown,
                    receiver: None,
                    task: None,
                });
            }
        }
    }

    /// The arguments of a call flow into the callee's parameters: a lock
    /// passed to a lock parameter links the two declarations.
    fn link_args_to_params(&mut self, node: &SyntaxNode, anchor: &SyntaxNode, shift: u32) {
        let args = if let Some(mc) = ast::MethodCallExpr::cast(node.clone()) {
            mc.arg_list()
        } else {
            ast::CallExpr::cast(node.clone()).and_then(|c| c.arg_list())
        };
        let Some(args) = args else { return };
        // Literals, arithmetic and closures never carry a lock.
        let carries = |a: &ast::Expr| {
            !matches!(
                a,
                ast::Expr::Literal(_) | ast::Expr::BinExpr(_) | ast::Expr::ClosureExpr(_)
            )
        };
        for arg in args.args().filter(carries) {
            if let (Some(param), Some(t)) = (
                self.param_target(args.syntax(), arg.syntax(), anchor),
                self.root(&arg, if shift == 0 { node } else { anchor }, 0),
            ) {
                self.facts.links.push((vec![param], t));
            }
        }
    }

    /// `S { field: value }`: the value flows into the field. `anchor` and
    /// `shift` as for [`Self::visit_call_like`] (a literal in `vec![..]`).
    pub(super) fn visit_record_expr_field(
        &mut self,
        node: &SyntaxNode,
        anchor: &SyntaxNode,
        shift: u32,
    ) {
        let scope = if shift == 0 { node } else { anchor };
        let Some(key) = record_expr_field_key(node) else {
            return;
        };
        let field = ast::RecordExprField::cast(node.clone()).unwrap();
        let name = field
            .field_name()
            .map(|n| n.text().to_string())
            .unwrap_or_default();
        if self.flow_names.is_some_and(|names| !names.contains(&name)) {
            return;
        }
        let value = match field.expr() {
            Some(e) => self.root(&e, scope, 0),
            // Shorthand `S { m }`.
            None => field
                .name_ref()
                .and_then(|n| self.lookup_var(n.text(), scope, 0)),
        };
        if let Some(t) = value {
            self.facts.links.push((vec![Target::Key(key)], t));
        }
    }

    pub(super) fn visit_assign(&mut self, node: &SyntaxNode) {
        let bin = ast::BinExpr::cast(node.clone()).unwrap();
        if !is_assign(&bin) {
            return;
        }
        let lhs_name = match bin.lhs() {
            Some(ast::Expr::FieldExpr(f)) => f.name_ref().map(|n| n.text().to_string()),
            Some(ast::Expr::PathExpr(p)) => p
                .path()
                .and_then(|p| segments(&p))
                .and_then(|s| s.last().cloned()),
            _ => None,
        };
        if self
            .flow_names
            .is_some_and(|names| lhs_name.is_none_or(|n| !names.contains(&n)))
        {
            return;
        }
        if let (Some(lhs), Some(rhs)) = (bin.lhs(), bin.rhs()) {
            if let (Some(l), Some(r)) = (self.root(&lhs, node, 0), self.root(&rhs, node, 0)) {
                self.facts.links.push((vec![l], r));
            }
        }
    }
}
