//! Where code runs: the context of each fn, closure and async block, and
//! what drives it.

use super::*;

/// Is this node in test code: a `#[cfg(test)]` module, or a fn marked
/// `#[test]` or `#[tokio::test]`?
pub(super) fn in_test_code(node: &SyntaxNode) -> bool {
    node.ancestors()
        .filter(|a| matches!(a.kind(), SyntaxKind::MODULE | SyntaxKind::FN))
        .any(|item| {
            item.children()
                .filter(|c| c.kind() == SyntaxKind::ATTR)
                .any(|attr| {
                    let text: String = attr.text().to_string().split_whitespace().collect();
                    text == "#[cfg(test)]" || text == "#[test]" || text.ends_with("::test]")
                })
        })
}

/// Is this node in a fn marked `#[should_panic]` (with or without its
/// `expected`)?
pub(super) fn in_should_panic_fn(node: &SyntaxNode) -> bool {
    node.ancestors().find_map(ast::Fn::cast).is_some_and(|f| {
        ast::HasAttrs::attrs(&f).any(|a| {
            a.path()
                .is_some_and(|p| p.syntax().text() == "should_panic")
        })
    })
}

/// Methods and fns that run the closure they are given before they return
/// (`iter.map(|x| ..)`, `opt.unwrap_or_else(|| ..)`, `thread::scope(|s| ..)`).
pub(super) const INLINE_CLOSURE_CALLS: &[&str] = &[
    "all",
    "and_modify",
    "and_then",
    "any",
    "binary_search_by",
    "binary_search_by_key",
    "call_once",
    "chunk_by",
    "dedup_by",
    "dedup_by_key",
    "entry",
    "filter",
    "filter_map",
    "find",
    "find_map",
    "flat_map",
    "fold",
    "for_each",
    "from_fn",
    "get_or_init",
    "get_or_insert_with",
    "inspect",
    "is_none_or",
    "is_ok_and",
    "is_some_and",
    "map",
    "map_err",
    "map_or",
    "map_or_else",
    "max_by",
    "max_by_key",
    "min_by",
    "min_by_key",
    "ok_or_else",
    "or_else",
    "or_insert_with",
    "or_insert_with_key",
    "par_iter",
    "partition",
    "position",
    "retain",
    "retain_mut",
    "rposition",
    "scan",
    "scope",
    "skip_while",
    "sort_by",
    "sort_by_cached_key",
    "sort_by_key",
    "sort_unstable_by",
    "sort_unstable_by_key",
    "take_while",
    "then",
    "try_fold",
    "try_for_each",
    "unwrap_or_else",
    "with",
];

/// Is a closure run while the code around it runs: called at once, or given
/// to a call that runs it in place (`iter.map(|x| ..)`, a scoped thread)?
pub(super) fn runs_in_place(closure: &SyntaxNode) -> bool {
    let Some(parent) = closure.parent() else {
        return false;
    };
    match parent.kind() {
        SyntaxKind::CALL_EXPR | SyntaxKind::PAREN_EXPR => true,
        SyntaxKind::ARG_LIST => parent.parent().is_some_and(|call| {
            let name = method_name(&call).or_else(|| {
                let ast::Expr::PathExpr(p) = ast::CallExpr::cast(call)?.expr()? else {
                    return None;
                };
                Some(p.path()?.segment()?.name_ref()?.text().to_string())
            });
            name.is_some_and(|n| {
                INLINE_CLOSURE_CALLS.contains(&n.as_str())
                    // A scoped thread is joined when its scope ends.
                    || (n == "spawn" && in_scope_closure(&parent))
            })
        }),
        _ => false,
    }
}

/// In a sync fn, is `node` inside a closure the fn only stores or hands on
/// (`Box::new(move || ..)`, `on_event(move || ..)`, `let f = || ..;`)? A
/// closure given to a call that runs it in place, or called at once, runs
/// with the fn.
pub(super) fn deferred_closure(node: &SyntaxNode) -> bool {
    for a in node.ancestors() {
        match a.kind() {
            SyntaxKind::FN => return false,
            SyntaxKind::CLOSURE_EXPR if !runs_in_place(&a) => return true,
            _ => {}
        }
    }
    false
}

/// Is `node` inside a closure handed to `thread::scope` (`s.spawn(..)` there
/// is joined before the scope returns)?
pub(super) fn in_scope_closure(node: &SyntaxNode) -> bool {
    node.ancestors()
        .take_while(|a| a.kind() != SyntaxKind::FN)
        .filter(|a| a.kind() == SyntaxKind::CLOSURE_EXPR)
        .any(|c| {
            c.parent()
                .filter(|p| p.kind() == SyntaxKind::ARG_LIST)
                .and_then(|p| p.parent())
                .and_then(ast::CallExpr::cast)
                .and_then(|call| match call.expr()? {
                    ast::Expr::PathExpr(p) => {
                        Some(p.path()?.segment()?.name_ref()?.text() == "scope")
                    }
                    _ => None,
                })
                .unwrap_or(false)
        })
}

/// The fn (by its last path segment) the innermost closure around `node` is
/// handed to: `asyncify(move || std::fs::read(p))` → `asyncify`.
pub(super) fn closure_callee(node: &SyntaxNode) -> Option<String> {
    let closure = node
        .ancestors()
        .take_while(|a| a.kind() != SyntaxKind::FN)
        .find(|a| a.kind() == SyntaxKind::CLOSURE_EXPR)?;
    let call = closure
        .parent()
        .filter(|p| p.kind() == SyntaxKind::ARG_LIST)?
        .parent()?;
    let ast::Expr::PathExpr(p) = ast::CallExpr::cast(call)?.expr()? else {
        return None;
    };
    Some(p.path()?.segment()?.name_ref()?.text().to_string())
}

/// Does fn `f` hand a parameter of its own to `spawn_blocking` or
/// `block_in_place` (`fn asyncify<F>(f: F) { spawn_blocking(f) }`)?
pub(super) fn hands_param_to_blocking_pool(f: &ast::Fn) -> bool {
    // A closure parameter is generic (`f: F`) or `impl FnOnce(..)`.
    let closure_param = ast::HasGenericParams::generic_param_list(f).is_some()
        || f.param_list().is_some_and(|l| {
            l.params().any(|p| {
                p.ty()
                    .is_some_and(|t| matches!(t, ast::Type::ImplTraitType(_)))
            })
        });
    if !closure_param {
        return false;
    }
    let params: Vec<String> = f
        .param_list()
        .into_iter()
        .flat_map(|l| l.params())
        .filter_map(|p| match p.pat()? {
            ast::Pat::IdentPat(i) => Some(i.name()?.text().to_string()),
            _ => None,
        })
        .collect();
    if params.is_empty() {
        return false;
    }
    let Some(body) = f.body() else {
        return false;
    };
    body.syntax().descendants().any(|d| {
        let name = method_name(&d).or_else(|| {
            let ast::Expr::PathExpr(p) = ast::CallExpr::cast(d.clone())?.expr()? else {
                return None;
            };
            Some(p.path()?.segment()?.name_ref()?.text().to_string())
        });
        if !matches!(name.as_deref(), Some("spawn_blocking" | "block_in_place")) {
            return false;
        }
        let args = ast::CallExpr::cast(d.clone())
            .and_then(|c| c.arg_list())
            .or_else(|| ast::MethodCallExpr::cast(d.clone()).and_then(|m| m.arg_list()));
        args.is_some_and(|a| {
            a.syntax()
                .descendants_with_tokens()
                .filter_map(|t| t.into_token())
                .any(|t| t.kind() == SyntaxKind::IDENT && params.iter().any(|p| p == t.text()))
        })
    })
}

/// The node whose value `expr` is: itself, or the block (or parentheses)
/// it is the tail of, outwards (`{ let p = ..; move || .. }` is the
/// closure). An `async` block's tail is not its value: it is a future's.
fn value_of(expr: &SyntaxNode) -> SyntaxNode {
    let mut at = expr.clone();
    loop {
        let Some(parent) = at.parent() else {
            return at;
        };
        match parent.kind() {
            SyntaxKind::PAREN_EXPR => at = parent,
            SyntaxKind::STMT_LIST
                if ast::StmtList::cast(parent.clone())
                    .and_then(|l| l.tail_expr())
                    .is_some_and(|t| t.syntax() == &at) =>
            {
                let Some(block) = parent.parent().and_then(ast::BlockExpr::cast) else {
                    return at;
                };
                if block.async_token().is_some()
                    || block.const_token().is_some()
                    || block.label().is_some()
                {
                    return at;
                }
                at = block.syntax().clone();
            }
            _ => return at,
        }
    }
}

/// The call whose argument `arg` is (a call expression or a method call).
pub(super) fn call_taking(arg: &SyntaxNode) -> Option<SyntaxNode> {
    arg.parent()
        .filter(|p| p.kind() == SyntaxKind::ARG_LIST)
        .and_then(|a| a.parent())
}

/// The path a call expression calls, as written (`std::thread::spawn`).
pub(super) fn callee_segments(call: &ast::CallExpr) -> Option<Vec<String>> {
    let ast::Expr::PathExpr(pe) = call.expr()? else {
        return None;
    };
    segments(&pe.path()?)
}

/// The call a closure (or a fn passed by name) is handed to makes it run
/// off the async executor: as an argument, or as the tail of a block that
/// is the argument (`spawn_blocking({ let p = p.clone(); move || .. })`).
pub(super) fn is_blocking_closure(closure: &SyntaxNode) -> bool {
    let Some(call) = call_taking(&value_of(closure)) else {
        return false;
    };
    if let Some(ce) = ast::CallExpr::cast(call.clone()) {
        let Some(segs) = callee_segments(&ce) else {
            return false;
        };
        let last = segs.last().map(String::as_str);
        return matches!(last, Some("spawn_blocking" | "block_in_place"))
            || (last == Some("spawn") && segs.len() >= 2 && segs[segs.len() - 2] == "thread");
    }
    if let Some(mc) = ast::MethodCallExpr::cast(call) {
        let name = mc.name_ref().map(|n| n.text().to_string());
        if name.as_deref() == Some("spawn_blocking") {
            return true;
        }
        if name.as_deref() == Some("spawn") {
            let recv = mc
                .receiver()
                .map(|r| r.syntax().text().to_string())
                .unwrap_or_default();
            return recv.contains("thread::Builder") || recv.starts_with("Builder::new");
        }
    }
    false
}

/// Is `f` marked `#[test]`: the test harness runs its body on a thread of
/// its own?
fn plain_test_fn(f: &ast::Fn) -> bool {
    ast::HasAttrs::attrs(f).any(|a| {
        let text = a.syntax().text();
        text.len() <= 16.into()
            && text.to_string().split_whitespace().collect::<String>() == "#[test]"
    })
}

/// The thread another executor's `block_on(..)` call runs on, as far as
/// the code around it shows: one of its own where the call is in a
/// `std::thread::spawn`, `thread::Builder::spawn` or `spawn_blocking`
/// closure or a `#[test]` body; in a sync fn, the one its callers run on;
/// anywhere else (async code, a closure handed on), maybe a runtime's.
fn block_on_thread(call: &SyntaxNode) -> Driver {
    for a in call.ancestors().skip(1) {
        match a.kind() {
            SyntaxKind::CLOSURE_EXPR => {
                let async_closure = ast::ClosureExpr::cast(a.clone())
                    .unwrap()
                    .async_token()
                    .is_some();
                if !async_closure && is_blocking_closure(&a) {
                    return Driver::OwnThread(None);
                }
                if async_closure || !runs_in_place(&a) {
                    return Driver::Other;
                }
            }
            SyntaxKind::BLOCK_EXPR
                if ast::BlockExpr::cast(a.clone())
                    .unwrap()
                    .async_token()
                    .is_some() =>
            {
                return Driver::Other
            }
            SyntaxKind::FN => {
                let f = ast::Fn::cast(a).unwrap();
                return match (f.async_token(), plain_test_fn(&f)) {
                    (Some(_), _) => Driver::Other,
                    (None, true) => Driver::OwnThread(None),
                    (None, false) => Driver::OwnThread(Some(fn_key(&f))),
                };
            }
            _ => {}
        }
    }
    Driver::Other
}

/// The context a frame node (fn, closure, async block, static) opens, given
/// the context around it; `None` for other nodes. `key` is the fn's key when
/// the node is a fn.
pub(super) fn frame_context(
    node: &SyntaxNode,
    parent: &SiteContext,
    key: Option<&FnId>,
) -> Option<SiteContext> {
    Some(match node.kind() {
        SyntaxKind::FN => {
            let f = ast::Fn::cast(node.clone()).unwrap();
            if f.async_token().is_some() {
                return Some(SiteContext::Async);
            }
            let in_drop = f
                .syntax()
                .ancestors()
                .find_map(ast::Impl::cast)
                .and_then(|i| i.trait_())
                .is_some_and(|t| t.syntax().text().to_string().ends_with("Drop"));
            SiteContext::Sync {
                fn_name: key?.clone(),
                in_drop,
                test_body: plain_test_fn(&f),
            }
        }
        SyntaxKind::CLOSURE_EXPR => {
            let c = ast::ClosureExpr::cast(node.clone()).unwrap();
            if c.async_token().is_some() {
                SiteContext::Async
            } else if is_blocking_closure(node) {
                SiteContext::Blocking
            } else if matches!(parent, SiteContext::Async | SiteContext::SyncInAsync) {
                SiteContext::SyncInAsync
            } else if let SiteContext::Sync {
                fn_name, in_drop, ..
            } = parent
            {
                // A closure runs as part of its fn only where it is called
                // in place (`iter.map(|x| ..)`); even then, in a test body
                // it may be run by a runtime the test drives.
                if runs_in_place(node) {
                    SiteContext::Sync {
                        fn_name: fn_name.clone(),
                        in_drop: *in_drop,
                        test_body: false,
                    }
                } else {
                    SiteContext::Detached
                }
            } else {
                parent.clone()
            }
        }
        SyntaxKind::BLOCK_EXPR
            if ast::BlockExpr::cast(node.clone())
                .unwrap()
                .async_token()
                .is_some() =>
        {
            SiteContext::Async
        }
        SyntaxKind::STATIC | SyntaxKind::CONST => SiteContext::Item,
        _ => return None,
    })
}

impl Extractor<'_> {
    /// A CPU-heavy loop in async code (AW206), or in a sync fn (for the
    /// chains of sync fns async code calls).
    pub(super) fn visit_loop(&mut self, node: &SyntaxNode) {
        if !matches!(self.ctx, SiteContext::Async | SiteContext::Sync { .. }) {
            return;
        }
        let Some(what) = crate::blocking::heavy_loops::heavy_loop(node) else {
            return;
        };
        let keyword = node
            .first_token()
            .map_or(node.text_range(), |t| t.text_range());
        let in_test = in_test_code(node);
        let call = crate::blocking::BlockingCall {
            kind: crate::blocking::BlockingKind::Heavy,
            what,
            path: keyword,
            call: node.text_range(),
        };
        self.facts.blocking.push(BlockingFact {
            call,
            ctx: self.ctx.clone(),
            wrap: None,
            in_test,
            size_hint: (in_test || self.test_unit)
                .then(|| self.size_hint(node))
                .flatten(),
            deferred: false,
            closure_callee: None,
            driver: self.driver(node),
            handle_from: None,
            in_fn: self.in_fn.clone(),
            task: self.task,
        });
    }

    /// The size the outermost fn around `node` shows (see
    /// `cpu_heavy::size_hint`), read once per fn.
    pub(super) fn size_hint(&self, node: &SyntaxNode) -> Option<u64> {
        let f = node
            .ancestors()
            .filter(|a| a.kind() == SyntaxKind::FN)
            .last()?;
        *self
            .size_hints
            .borrow_mut()
            .entry(f.text_range())
            .or_insert_with(|| crate::blocking::heavy_loops::size_hint(&f))
    }

    /// Is `node` in test code (`in_test_code`)? Read once per fn.
    pub(super) fn in_test_fn(&self, node: &SyntaxNode) -> bool {
        let Some(f) = node.ancestors().find(|a| a.kind() == SyntaxKind::FN) else {
            return in_test_code(node);
        };
        *self
            .test_fns
            .borrow_mut()
            .entry(f.text_range())
            .or_insert_with(|| in_test_code(&f))
    }

    /// What drives async code at `node` (see `Driver`).
    pub(super) fn driver(&self, node: &SyntaxNode) -> Driver {
        // Outside async code only a future handed straight to a driver
        // (`rt.block_on(serve())`) has one.
        if self.ctx != SiteContext::Async {
            return self.driver_of(node, 1, &mut Vec::new());
        }
        // The answer for a node is the answer for each node the walk passes.
        let mut passed = Vec::new();
        let driver = self.driver_of(node, usize::MAX, &mut passed);
        let mut cache = self.drivers.borrow_mut();
        cache.extend(passed.into_iter().map(|a| (a, driver.clone())));
        driver
    }

    /// What drives async code at `node`, wherever the walk is (a use of a
    /// channel the walk reached through its `let`).
    pub(super) fn driver_at(&self, node: &SyntaxNode) -> Driver {
        self.driver_of(node, usize::MAX, &mut Vec::new())
    }

    /// `driver`, walking at most `depth` ancestors from `node`; `passed`
    /// gets the nodes whose answer is the one returned.
    fn driver_of(&self, node: &SyntaxNode, depth: usize, passed: &mut Vec<SyntaxNode>) -> Driver {
        for a in node.ancestors().take(depth) {
            if depth > 1 {
                if let Some(d) = self.drivers.borrow().get(&a) {
                    return d.clone();
                }
                passed.push(a.clone());
            }
            // A future (or async block) handed to a driver.
            if let Some(call) = a
                .parent()
                .filter(|p| p.kind() == SyntaxKind::ARG_LIST)
                .and_then(|p| p.parent())
            {
                if let Some(d) = self.driver_call(&call) {
                    return d;
                }
            }
            match a.kind() {
                SyntaxKind::FN => {
                    let f = ast::Fn::cast(a.clone()).unwrap();
                    if f.async_token().is_none() {
                        return Driver::Unknown;
                    }
                    for attr in ast::HasAttrs::attrs(&f) {
                        let text: String = attr
                            .syntax()
                            .text()
                            .to_string()
                            .split_whitespace()
                            .collect();
                        let path = text
                            .trim_start_matches("#[")
                            .split(['(', ']'])
                            .next()
                            .unwrap_or_default()
                            .to_string();
                        if path == "tokio::main" || path == "tokio::test" {
                            return Driver::Tokio;
                        }
                        if path.ends_with("::main") || path.ends_with("::test") {
                            return Driver::Other;
                        }
                    }
                    return Driver::Fn(fn_key(&f));
                }
                SyntaxKind::CLOSURE_EXPR
                    if ast::ClosureExpr::cast(a.clone())
                        .unwrap()
                        .async_token()
                        .is_none() =>
                {
                    return self.closure_calls_driver(&ast::ClosureExpr::cast(a).unwrap());
                }
                _ => {}
            }
        }
        Driver::Unknown
    }

    /// What drives the code of closure `c` that a `let` binds and that is
    /// only called (`let work = |id| async move { .. }; work(1).await`): what
    /// drives each of its calls, where they all agree.
    fn closure_calls_driver(&self, c: &ast::ClosureExpr) -> Driver {
        let Some(l) = super::bindings::closure_let(c) else {
            return Driver::Unknown;
        };
        let uses = super::bindings::uses_after(&l);
        let calls: Vec<ast::CallExpr> =
            uses.iter().filter_map(super::bindings::called_by).collect();
        if calls.len() != uses.len() {
            return Driver::Unknown;
        }
        let mut drivers = calls
            .iter()
            .map(|call| self.driver_of(call.syntax(), usize::MAX, &mut Vec::new()));
        match drivers.next() {
            Some(first) if drivers.all(|d| d == first) => first,
            _ => Driver::Unknown,
        }
    }

    /// The executor a call hands its future argument to, when known.
    pub(super) fn driver_call(&self, call: &SyntaxNode) -> Option<Driver> {
        let tokio_path = |p: &str| p.starts_with("tokio::");
        let other_path = |p: &str| {
            let p = p.strip_prefix("crate::").unwrap_or(p);
            [
                "futures::executor::",
                "futures_executor::",
                "futures_lite::",
                "async_std::",
                "smol::",
                "pollster::",
                "async_global_executor::",
            ]
            .iter()
            .any(|c| p.starts_with(c))
        };
        if let Some(ce) = ast::CallExpr::cast(call.clone()) {
            let ast::Expr::PathExpr(pe) = ce.expr()? else {
                return None;
            };
            let path = pe.path()?;
            let full = self.imports.resolve(
                &segments(&path)?,
                path.syntax().text_range().start() + TextSize::from(self.shift),
            );
            let last = full.rsplit("::").next().unwrap_or_default();
            if !matches!(last, "spawn" | "spawn_local" | "block_on" | "run") {
                return None;
            }
            return if tokio_path(&full) {
                Some(Driver::Tokio)
            } else if other_path(&full) && last == "block_on" {
                Some(block_on_thread(call))
            } else if other_path(&full) {
                Some(Driver::Other)
            } else {
                None
            };
        }
        let mc = ast::MethodCallExpr::cast(call.clone())?;
        let name = mc.name_ref()?.text().to_string();
        if !matches!(
            name.as_str(),
            "block_on" | "spawn" | "spawn_local" | "run_until"
        ) {
            return None;
        }
        // The runtime or handle the method is called on: built by a call
        // the imports resolve, directly or through a local.
        let recv = mc.receiver()?;
        let mut root = recv.clone();
        while let ast::Expr::MethodCallExpr(inner) = &root {
            root = inner.receiver()?;
        }
        let made_by = |e: &ast::Expr| -> Option<String> {
            let mut e = e.clone();
            while let ast::Expr::MethodCallExpr(inner) = &e {
                e = inner.receiver()?;
            }
            let ast::Expr::CallExpr(c) = e else {
                return None;
            };
            let ast::Expr::PathExpr(p) = c.expr()? else {
                return None;
            };
            let path = p.path()?;
            Some(self.imports.resolve(
                &segments(&path)?,
                path.syntax().text_range().start() + TextSize::from(self.shift),
            ))
        };
        let built = made_by(&recv).or_else(|| {
            let ast::Expr::PathExpr(p) = &root else {
                return None;
            };
            let name = p.path()?.as_single_name_ref()?.text().to_string();
            let (init, _) = let_binding(&name, call)?;
            made_by(&init)
        })?;
        if built.starts_with("tokio::runtime::") || built.starts_with("tokio::task::") {
            Some(Driver::Tokio)
        } else if other_path(&built) && matches!(name.as_str(), "block_on" | "run_until") {
            // `LocalPool::run_until`, a local executor's `block_on`: the
            // calling thread runs the future.
            Some(block_on_thread(call))
        } else if other_path(&built) {
            Some(Driver::Other)
        } else {
            // Some other executor's `spawn` or `block_on`.
            Some(Driver::Unknown)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What drives each `std::thread::sleep` of `src`.
    fn sleep_drivers(src: &str) -> Vec<Driver> {
        facts_of(src)
            .blocking
            .into_iter()
            .filter(|b| b.call.kind == crate::blocking::BlockingKind::Sleep)
            .map(|b| b.driver)
            .collect()
    }

    #[test]
    fn another_executors_block_on_runs_on_the_thread_it_is_called_on() {
        let src = "fn main() {\n\
              std::thread::spawn(|| futures::executor::block_on(async { std::thread::sleep(D) }));\n\
              futures::executor::block_on(async { std::thread::sleep(D) });\n\
            }\n\
            fn helper() { let _ = [1].iter().map(|_| futures::executor::block_on(async { std::thread::sleep(D) })); }\n\
            #[test] fn t() { futures::executor::block_on(async { std::thread::sleep(D) }); }\n\
            fn hook() -> Box<dyn Fn()> { Box::new(|| futures::executor::block_on(async { std::thread::sleep(D) })) }\n\
            async fn a() { futures::executor::block_on(async { std::thread::sleep(D) }); }\n\
            fn spawned() { async_std::task::spawn(async { std::thread::sleep(D) }); }\n";
        assert_eq!(
            sleep_drivers(src),
            [
                Driver::OwnThread(None),
                Driver::OwnThread(Some(FnId::free("main"))),
                Driver::OwnThread(Some(FnId::free("helper"))),
                Driver::OwnThread(None),
                Driver::Other,
                Driver::Other,
                Driver::Other,
            ]
        );
    }

    #[test]
    fn a_closure_that_is_the_tail_of_a_block_argument_runs_where_the_call_runs_it() {
        let src = "async fn f(p: &Path) {\n\
              tokio::task::spawn_blocking({ let p = p.to_owned(); move || std::fs::read(p) });\n\
              tokio::task::spawn_blocking(({ move || std::fs::read(\"a\") }));\n\
              std::thread::spawn({ let p = p.to_owned(); std::fs::read(&p); move || std::fs::read(p) });\n\
              let _ = tokio::spawn({ async move { let _ = || std::fs::read(\"b\"); } });\n\
              let _ = [1].iter().map({ |_| std::fs::read(\"c\") });\n\
            }\n";
        let contexts: Vec<SiteContext> =
            facts_of(src).blocking.into_iter().map(|b| b.ctx).collect();
        assert_eq!(
            contexts,
            [
                SiteContext::Blocking,
                SiteContext::Blocking,
                SiteContext::Async,
                SiteContext::Blocking,
                SiteContext::SyncInAsync,
                SiteContext::SyncInAsync,
            ]
        );
    }

    #[test]
    fn method_calls_carry_what_the_file_shows_of_their_receiver() {
        let src = "struct Ingestor;\n\
            impl Ingestor { fn new() -> Self { Ingestor } async fn go(&self) {} }\n\
            async fn f(ing: &Ingestor, s: &dyn Source) {\n\
              ing.go().await;\n\
              let x = Ingestor::new();\n\
              x.go().await;\n\
              s.go().await;\n\
              let _later = ing.go();\n\
              ing.go();\n\
            }\n";
        let facts = facts_of(src);
        let receivers: Vec<_> = facts
            .calls
            .iter()
            .filter(|c| c.callee == "go")
            .map(|c| c.premise_receiver().cloned())
            .collect();
        let typed = || Some(MethodReceiver::Typed("Ingestor".into()));
        assert_eq!(
            receivers,
            [
                typed(),
                typed(),
                Some(MethodReceiver::Unknown),
                Some(MethodReceiver::Unknown),
                None
            ]
        );
        assert_eq!(facts.async_methods, [FnId::method("Ingestor", "go")]);
    }
}
