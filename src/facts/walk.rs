//! The walk over a file's syntax: each node visited once, in the context
//! it runs in, and handed to the concern that records its facts.

use super::*;

impl Extractor<'_> {
    /// Visits every node of the file in the context it runs in. Contexts are
    /// computed top-down: each fn, closure, async block and static opens a
    /// frame whose context follows from its parent's.
    pub(super) fn visit_in_context(&mut self, file: &SourceFile) {
        #[allow(clippy::type_complexity)]
        let mut frames: Vec<(SyntaxNode, (SiteContext, Option<FnId>, Option<Task>))> = Vec::new();
        for event in file.syntax().preorder() {
            match event {
                ra_ap_syntax::WalkEvent::Enter(node) => {
                    if node.kind() == SyntaxKind::ERROR {
                        self.facts.has_error = true;
                    }
                    let f = ast::Fn::cast(node.clone());
                    let key: Option<FnId> = f.as_ref().map(fn_key);
                    if let (Some(f), Some(key)) = (&f, &key) {
                        self.record_async_method(f, key);
                        self.record_join_handle_fn(f, key);
                        self.record_fn_def(f, key);
                    }
                    if let Some(ctx) = frame_context(&node, &self.ctx, key.as_ref()) {
                        self.record_in_place_closure(&node, &ctx);
                        let in_fn = key.or_else(|| self.in_fn.clone());
                        let task = match ctx {
                            SiteContext::Async => Some(Task {
                                start: node.text_range().start(),
                                fn_body: f.is_some(),
                            }),
                            SiteContext::SyncInAsync => self.task,
                            _ => None,
                        };
                        let outer = (
                            std::mem::replace(&mut self.ctx, ctx),
                            std::mem::replace(&mut self.in_fn, in_fn),
                            std::mem::replace(&mut self.task, task),
                        );
                        frames.push((node.clone(), outer));
                    }
                    self.visit(&node, &node, 0);
                }
                ra_ap_syntax::WalkEvent::Leave(node) => {
                    if frames.last().is_some_and(|(n, _)| n == &node) {
                        (self.ctx, self.in_fn, self.task) = frames.pop().unwrap().1;
                    }
                }
            }
        }
        decls::forget_trees();
    }

    /// Visits one node. `anchor` is where the node stands in the real file (for
    /// nodes parsed out of a macro's tokens it is the macro call) and `shift`
    /// maps the node's offsets back to the file.
    pub(super) fn visit(&mut self, node: &SyntaxNode, anchor: &SyntaxNode, shift: u32) {
        self.shift = shift;
        if self.blocking_only {
            // Calls (for blocking findings and helper chains), loops, paths
            // (uses of imports a fix may leave unused) and macro arguments
            // (which may hold blocking calls).
            match node.kind() {
                SyntaxKind::PATH => {
                    self.visit_path(&ast::Path::cast(node.clone()).unwrap(), anchor, shift)
                }
                SyntaxKind::METHOD_CALL_EXPR | SyntaxKind::CALL_EXPR => {
                    self.visit_call_like(node, anchor, shift)
                }
                SyntaxKind::FOR_EXPR | SyntaxKind::WHILE_EXPR | SyntaxKind::LOOP_EXPR
                    if shift == 0 =>
                {
                    self.visit_loop(node)
                }
                SyntaxKind::MACRO_CALL => {
                    self.visit_macro(&ast::MacroCall::cast(node.clone()).unwrap(), anchor, shift)
                }
                SyntaxKind::STRUCT
                | SyntaxKind::ENUM
                | SyntaxKind::UNION
                | SyntaxKind::TRAIT
                | SyntaxKind::IMPL
                    if shift == 0 =>
                {
                    self.visit_type_item(node)
                }
                SyntaxKind::LET_STMT if shift == 0 => {
                    let let_stmt = ast::LetStmt::cast(node.clone()).unwrap();
                    self.visit_async_let(&let_stmt);
                    self.visit_channel_let(&let_stmt);
                    self.visit_barrier_let(&let_stmt);
                }
                SyntaxKind::FN if shift == 0 => {
                    let f = ast::Fn::cast(node.clone()).unwrap();
                    if hands_param_to_blocking_pool(&f) {
                        if let Some(name) = f.name() {
                            self.facts.blocking_wrappers.push(name.text().to_string());
                        }
                    }
                }
                _ => {}
            }
            return;
        }
        if let Some(path) = ast::Path::cast(node.clone()) {
            self.visit_path(&path, anchor, shift);
        }
        if shift != 0 {
            if let Some(call) = ast::MethodCallExpr::cast(node.clone()) {
                self.visit_method_call(&call, anchor, shift);
            }
            if let Some(call) = ast::CallExpr::cast(node.clone()) {
                self.visit_guard_fn_call(&call, anchor, shift);
            }
            if matches!(
                node.kind(),
                SyntaxKind::METHOD_CALL_EXPR | SyntaxKind::CALL_EXPR
            ) {
                self.visit_call_like(node, anchor, shift);
            }
            if let Some(mac) = ast::MacroCall::cast(node.clone()) {
                self.visit_macro(&mac, anchor, shift);
            }
            if node.kind() == SyntaxKind::RECORD_EXPR_FIELD {
                self.visit_record_expr_field(node, anchor, shift);
            }
            return;
        }
        match node.kind() {
            SyntaxKind::RECORD_FIELD | SyntaxKind::TUPLE_FIELD => self.visit_record_field(node),
            SyntaxKind::STATIC | SyntaxKind::CONST => self.visit_static(node),
            SyntaxKind::LET_STMT => {
                let let_stmt = ast::LetStmt::cast(node.clone()).unwrap();
                self.visit_let(&let_stmt);
                self.visit_async_let(&let_stmt);
                self.visit_channel_let(&let_stmt);
                self.visit_barrier_let(&let_stmt);
            }
            SyntaxKind::STRUCT
            | SyntaxKind::ENUM
            | SyntaxKind::UNION
            | SyntaxKind::TRAIT
            | SyntaxKind::IMPL => self.visit_type_item(node),
            SyntaxKind::FN => self.visit_fn(&ast::Fn::cast(node.clone()).unwrap()),
            SyntaxKind::TYPE_ALIAS => self.visit_type_alias(node),
            SyntaxKind::METHOD_CALL_EXPR => {
                let call = ast::MethodCallExpr::cast(node.clone()).unwrap();
                self.visit_method_call(&call, node, 0);
                self.visit_call_like(node, node, 0);
            }
            SyntaxKind::CALL_EXPR => {
                let call = ast::CallExpr::cast(node.clone()).unwrap();
                self.visit_guard_fn_call(&call, node, 0);
                self.visit_call_like(node, node, 0);
            }
            SyntaxKind::RECORD_EXPR_FIELD => self.visit_record_expr_field(node, node, 0),
            SyntaxKind::FOR_EXPR | SyntaxKind::WHILE_EXPR | SyntaxKind::LOOP_EXPR => {
                self.visit_loop(node)
            }
            SyntaxKind::BIN_EXPR => self.visit_assign(node),
            SyntaxKind::MACRO_CALL => {
                self.visit_macro(&ast::MacroCall::cast(node.clone()).unwrap(), node, 0)
            }
            SyntaxKind::MACRO_RULES => {
                self.visit_macro_rules(&ast::MacroRules::cast(node.clone()).unwrap())
            }
            _ => {}
        }
    }

    /// Where a node stands in the file: nodes parsed out of a macro's tokens
    /// are moved back by the macro's shift.
    pub(super) fn offset_of(&self, node: &SyntaxNode) -> TextSize {
        let start = node.text_range().start();
        if self.shift != 0 && node.ancestors().last().as_ref() != Some(&self.root) {
            start + TextSize::from(self.shift)
        } else {
            start
        }
    }
}
