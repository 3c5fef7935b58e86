//! Lock sites: `lock()`/`read()`/`write()` calls, their receivers and the
//! guards they bind (the shape of the code around them is `shapes.rs`'s).

use super::*;

pub const LOCK_METHODS: &[&str] = &[
    "lock",
    "read",
    "write",
    "try_lock",
    "try_read",
    "try_write",
    "get_mut",
    "into_inner",
    "is_poisoned",
    "clear_poison",
];

/// Methods of parking_lot's (and nightly std's) locks that tokio's locks do
/// not have: a lock called with one of them cannot migrate.
pub const NO_TOKIO_METHODS: &[&str] = &[
    "upgradable_read",
    "try_upgradable_read",
    "try_upgradable_read_for",
    "try_upgradable_read_until",
    "read_recursive",
    "try_read_recursive",
    "try_read_recursive_for",
    "try_read_recursive_until",
    "is_locked",
    "is_locked_exclusive",
    "try_lock_for",
    "try_lock_until",
    "try_read_for",
    "try_read_until",
    "try_write_for",
    "try_write_until",
    "lock_arc",
    "try_lock_arc",
    "try_lock_arc_for",
    "try_lock_arc_until",
    "read_arc",
    "try_read_arc",
    "try_read_arc_for",
    "try_read_arc_until",
    "read_recursive_arc",
    "try_read_recursive_arc",
    "write_arc",
    "try_write_arc",
    "try_write_arc_for",
    "try_write_arc_until",
    "upgradable_read_arc",
    "try_upgradable_read_arc",
    "data_ptr",
    "force_unlock",
    "force_unlock_fair",
    "force_unlock_read",
    "force_unlock_read_fair",
    "force_unlock_write",
    "force_unlock_write_fair",
    "make_guard_unchecked",
    "make_read_guard_unchecked",
    "make_write_guard_unchecked",
    "raw",
];

/// `NO_TOKIO_METHODS` that return a guard: like `lock()`'s, it follows its
/// lock.
pub(super) fn returns_guard(method: &str) -> bool {
    NO_TOKIO_METHODS.contains(&method)
        && !matches!(method, "raw" | "data_ptr")
        && !method.starts_with("is_")
        && !method.starts_with("force_")
}

/// Guard types whose associated fns (`MutexGuard::map(g, ..)`,
/// `RwLockUpgradableReadGuard::upgrade(g)`) take a guard: tokio's guards
/// differ, so a lock whose guard is handed to one cannot migrate.
const GUARD_TYPES: &[&str] = &[
    "MutexGuard",
    "MappedMutexGuard",
    "ArcMutexGuard",
    "RwLockReadGuard",
    "RwLockWriteGuard",
    "RwLockUpgradableReadGuard",
    "MappedRwLockReadGuard",
    "MappedRwLockWriteGuard",
    "ArcRwLockReadGuard",
    "ArcRwLockWriteGuard",
    "ArcRwLockUpgradableReadGuard",
];

/// Methods the std and parking_lot locks share with tokio's, or that the
/// pointers around a lock (`Arc`, `&`) or blanket traits give any type.
const SHARED_METHODS: &[&str] = &[
    "clone",
    "as_ref",
    "borrow",
    "borrow_mut",
    "into",
    "try_into",
    "type_id",
    "fmt",
    "deref",
    "to_owned",
    // `thread_local!`'s `LocalKey::with`.
    "with",
];

/// A site's method that no rewrite knows: not a lock method, not one of
/// `NO_TOKIO_METHODS`, not a guard type's fn. Recorded only on a receiver
/// that is a lock itself (see `visit_other_method`).
pub fn other_method(method: &str) -> bool {
    !LOCK_METHODS.contains(&method) && !NO_TOKIO_METHODS.contains(&method) && !method.contains("::")
}

/// Lock methods that wait for the lock: a site of one of them in async code
/// is where the lock is locked there (`into_inner`, `get_mut` and the
/// `try_*` never wait).
pub const LOCKING_METHODS: &[&str] = &["lock", "read", "write"];

/// Lock methods that return the lock's guard.
pub(super) const GUARD_METHODS: &[&str] =
    &["lock", "read", "write", "try_lock", "try_read", "try_write"];

/// `Some(x)`, `Ok(x)` or plain `x`: the binding is the matched value itself.
pub(super) fn some_or_ok_binding(pat: Option<ast::Pat>) -> bool {
    match pat {
        Some(ast::Pat::IdentPat(_)) => true,
        Some(ast::Pat::TupleStructPat(t)) => {
            t.path()
                .is_some_and(|p| matches!(p.syntax().text().to_string().as_str(), "Some" | "Ok"))
                && t.fields().count() == 1
                && matches!(t.fields().next(), Some(ast::Pat::IdentPat(_)))
        }
        _ => false,
    }
}

pub(super) fn method_name(node: &SyntaxNode) -> Option<String> {
    ast::MethodCallExpr::cast(node.clone())?
        .name_ref()
        .map(|n| n.text().to_string())
}

impl Extractor<'_> {
    pub(super) fn visit_method_call(
        &mut self,
        call: &ast::MethodCallExpr,
        anchor: &SyntaxNode,
        shift: u32,
    ) {
        let Some(name) = call.name_ref() else { return };
        let method = name.text().to_string();
        if NO_TOKIO_METHODS.contains(&method.as_str()) {
            // Any arguments: the lock cannot migrate whichever they are.
        } else if !LOCK_METHODS.contains(&method.as_str()) {
            self.visit_other_method(call, &method, shift);
            return;
        } else if call.arg_list().is_none_or(|a| a.args().next().is_some()) {
            return; // lock methods take no arguments
        }
        if call
            .syntax()
            .parent()
            .is_some_and(|p| p.kind() == SyntaxKind::AWAIT_EXPR)
        {
            return; // `.lock().await`: an async lock, not a std or parking_lot one
        }
        let Some(recv) = call.receiver() else { return };
        let scope_anchor = if shift == 0 {
            call.syntax().clone()
        } else {
            anchor.clone()
        };
        let shape = site_shape(call, &recv, shift);
        let unwrapped = matches!(
            shape,
            SiteShape::Unwrapped { .. }
                | SiteShape::IfLetOk { .. }
                | SiteShape::MatchOk { .. }
                | SiteShape::LetElseOk { .. }
        );
        let range = name.syntax().text_range() + TextSize::from(shift);
        let Some(target) = self.root(&recv, &scope_anchor, 0) else {
            if unwrapped {
                self.push_unresolved(range, anchor, (&method, false));
            }
            return;
        };
        // The value of a call (`self.slots()`, `x.iter()`): if the crate
        // shows no fn it can be, the site is as good as unresolved.
        if unwrapped && matches!(target, Target::Call { .. }) {
            self.push_unresolved(range, anchor, (&method, true));
        }
        let ctx = self.ctx.clone();
        let guard_fn = anchor.ancestors().find_map(ast::Fn::cast).and_then(|f| {
            let sig_has_guard = f
                .param_list()
                .into_iter()
                .map(|p| p.syntax().clone())
                .chain(f.ret_type().map(|r| r.syntax().clone()))
                .flat_map(|n| {
                    n.descendants()
                        .filter_map(ast::Path::cast)
                        .collect::<Vec<_>>()
                })
                .any(|p| {
                    self.lock_type(&p)
                        .is_some_and(|(fam, l)| fam != Family::Tokio && l.is_guard())
                });
            sig_has_guard.then(|| fn_key(&f))
        });
        // In a sync fn too: the async-ify fix may make it async, and a
        // guard of a lock that stays must not be held where it adds an
        // `.await` (`locks::kept_guards`).
        let extent = matches!(ctx, SiteContext::Async | SiteContext::Sync { .. })
            .then(|| guard_extent(call.syntax(), anchor, shift, self.edition))
            .flatten();
        let held_across_await = extent.is_some_and(|(_, awaits)| awaits);
        let guard_extent = extent.map(|(range, _)| range);
        let guard_passed_to_wait = guard_passed_to_wait(call.syntax());
        let call_range = TextRange::new(
            name.syntax().text_range().start(),
            call.syntax().text_range().end(),
        ) + TextSize::from(shift);
        let guard = match &shape {
            // The `.unwrap()` (or `?`) that yields the guard.
            SiteShape::Unwrapped { replace } => call
                .syntax()
                .ancestors()
                .find(|a| a.text_range().end() + TextSize::from(shift) == replace.end()),
            _ => Some(call.syntax().clone()),
        };
        let borrow = guard.and_then(|g| self.guard_borrow(&g, anchor, shift));
        self.facts.sites.push(SiteFact {
            poison_handled: poison_handling(call),
            method,
            call: call_range,
            target,
            ctx,
            range: name.syntax().text_range() + TextSize::from(shift),
            shape,
            held_across_await,
            guard_extent,
            guard_fn,
            guard_passed_to_wait,
            in_fn: self.in_fn.clone(),
            task: self.task,
            borrow,
            in_macro: None,
        });
    }

    /// A lock site whose receiver the tool cannot resolve (or, `fallback`,
    /// one that resolves only if the crate has a fn it can be), with the
    /// names used around it.
    fn push_unresolved(
        &mut self,
        range: TextRange,
        anchor: &SyntaxNode,
        (method, fallback): (&str, bool),
    ) {
        let scope = anchor
            .ancestors()
            .find(|a| a.kind() == SyntaxKind::FN)
            .unwrap_or_else(|| anchor.clone());
        // Names of places, not of the methods called on them (`lock`).
        let names_nearby = scope
            .descendants()
            .filter_map(ast::NameRef::cast)
            .filter(|n| {
                n.syntax()
                    .parent()
                    .is_none_or(|p| p.kind() != SyntaxKind::METHOD_CALL_EXPR)
            })
            .map(|n| n.text().to_string())
            .collect();
        self.facts.unresolved.push(UnresolvedSite {
            range,
            scope: scope.text_range(),
            names_nearby,
            in_async: matches!(self.ctx, SiteContext::Async | SiteContext::SyncInAsync)
                && LOCKING_METHODS.contains(&method),
            fallback,
        });
    }

    /// The reference taken of the guard a site yields (`guard`: its
    /// expression), where the code around expects a type: a call's argument
    /// (but the arguments a format macro is parsed into), a `let` with a
    /// type (not a guard type, and nothing left to infer), a struct
    /// literal's field. Elsewhere the reference keeps the guard's type,
    /// which code after it may need (a guard parameter).
    fn guard_borrow(
        &self,
        guard: &SyntaxNode,
        anchor: &SyntaxNode,
        shift: u32,
    ) -> Option<GuardBorrow> {
        let r = ast::RefExpr::cast(guard.parent()?)?;
        if r.raw_token().is_some() {
            return None;
        }
        let around = r.syntax().parent()?;
        let param = match around.kind() {
            SyntaxKind::ARG_LIST => {
                let callee = around.parent().and_then(|c| callee_name(&c));
                if shift != 0 && callee.as_deref() == Some(MACRO_WRAPPER) {
                    return None;
                }
                self.param_target(&around, r.syntax(), anchor)
            }
            SyntaxKind::LET_STMT => {
                let ty = ast::LetStmt::cast(around)?.ty()?;
                let infers = ty
                    .syntax()
                    .descendants()
                    .any(|d| d.kind() == SyntaxKind::INFER_TYPE);
                if infers || self.guard_in_type(ty.syntax()).is_some() {
                    return None;
                }
                None // a type to coerce to, and no parameter
            }
            SyntaxKind::RECORD_EXPR_FIELD => None,
            _ => return None,
        };
        Some(GuardBorrow {
            prefix: TextRange::new(r.syntax().text_range().start(), guard.text_range().start())
                + TextSize::from(shift),
            guard_end: guard.text_range().end() + TextSize::from(shift),
            param,
        })
    }

    /// `s.m.locked()`, `STATE.snapshot()`, `m.replace(v)`: a method the
    /// rewrite does not know called on a field (of a known struct), a static
    /// or a parameter. The plan makes it a blocker where that declaration's
    /// type is the lock itself (a user's trait implemented for std's
    /// `Mutex`, nightly std methods); elsewhere (`self.items.len()` of a
    /// `Vec<Mutex<T>>`) it is the container's method and changes nothing.
    fn visit_other_method(&mut self, call: &ast::MethodCallExpr, method: &str, shift: u32) {
        if shift != 0 || SHARED_METHODS.contains(&method) || PASS_THROUGH.contains(&method) {
            return;
        }
        let Some(recv) = call.receiver() else { return };
        let anchor = call.syntax();
        let target = match &recv {
            ast::Expr::FieldExpr(fe) => {
                if fe
                    .name_ref()
                    .is_none_or(|n| n.text().starts_with(|c: char| c.is_ascii_digit()))
                {
                    return;
                }
                match self.root(&recv, anchor, 0) {
                    Some(t @ Target::Field { owner: Some(_), .. }) => t,
                    _ => return,
                }
            }
            ast::Expr::PathExpr(pe) => {
                let Some(segs) = pe.path().and_then(|p| segments(&p)) else {
                    return;
                };
                let [one] = segs.as_slice() else { return };
                if one.starts_with(|c: char| c.is_ascii_uppercase()) {
                    self.static_target(one, anchor)
                } else if matches!(find_binding(one, anchor), Binding::Param(..)) {
                    match self.lookup_var(one, anchor, 0) {
                        Some(t) => t,
                        None => return,
                    }
                } else {
                    return;
                }
            }
            _ => return,
        };
        let Some(name) = call.name_ref() else { return };
        let call = TextRange::new(
            name.syntax().text_range().start(),
            call.syntax().text_range().end(),
        );
        self.push_untranslated(method.to_string(), call, name.syntax().text_range(), target);
    }

    /// A use of a lock that no rewrite translates, recorded as a site so
    /// that its lock is reported.
    fn push_untranslated(
        &mut self,
        method: String,
        call: TextRange,
        range: TextRange,
        target: Target,
    ) {
        self.facts.sites.push(SiteFact {
            poison_handled: None,
            method,
            call,
            target,
            ctx: self.ctx.clone(),
            range,
            shape: SiteShape::Bare {
                use_desc: String::new(),
            },
            held_across_await: false,
            guard_extent: None,
            guard_fn: None,
            guard_passed_to_wait: false,
            in_fn: self.in_fn.clone(),
            task: self.task,
            in_macro: None,
            borrow: None,
        });
    }

    /// `MutexGuard::map(m.lock(), ..)`, `RwLockUpgradableReadGuard::upgrade(g)`:
    /// an associated fn of a std or parking_lot guard type handed the guard
    /// of a lock. Recorded as a site (method `MutexGuard::map`) that no
    /// rewrite knows, so that the lock is reported.
    pub(super) fn visit_guard_fn_call(
        &mut self,
        call: &ast::CallExpr,
        anchor: &SyntaxNode,
        shift: u32,
    ) {
        let Some(ast::Expr::PathExpr(pe)) = call.expr() else {
            return;
        };
        let Some(path) = pe.path() else { return };
        let Some(segs) = segments(&path) else { return };
        let [.., ty, f] = segs.as_slice() else {
            return;
        };
        if !GUARD_TYPES.contains(&ty.as_str()) {
            return;
        }
        let qualifier = self
            .imports
            .resolve(&segs[..segs.len() - 1], self.offset_of(call.syntax()));
        if !["std::", "parking_lot::", "lock_api::"]
            .iter()
            .any(|p| qualifier.starts_with(p))
        {
            return;
        }
        let Some(arg) = call.arg_list().and_then(|a| a.args().next()) else {
            return;
        };
        let scope_anchor = if shift == 0 {
            call.syntax().clone()
        } else {
            anchor.clone()
        };
        let Some(target) = self.root(&arg, &scope_anchor, 0) else {
            return;
        };
        let range = path.syntax().text_range() + TextSize::from(shift);
        let call = call.syntax().text_range() + TextSize::from(shift);
        self.push_untranslated(format!("{ty}::{f}"), call, range, target);
    }

    /// The module a call of a free fn by `segs` names it in: through a
    /// `use crate::..` import, a `crate::` path, or a path from the code's
    /// own module (a fn or module of its scope, `self::`, `super::` within
    /// the file). `None` where the tool cannot tell (globs, other crates).
    pub(super) fn callee_module(
        &self,
        segs: &[String],
        anchor: &SyntaxNode,
        offset: TextSize,
    ) -> Option<ModulePath> {
        let (_, modules) = segs.split_last()?;
        let first = modules.first().unwrap_or(&segs[0]);
        let after_first = modules.get(1..).unwrap_or_default();
        let here = inline_modules(anchor);
        let join = |a: &str, b: &[String]| {
            let mut parts: Vec<&str> = a.split("::").filter(|s| !s.is_empty()).collect();
            parts.extend(b.iter().map(String::as_str));
            parts.join("::")
        };
        match first.as_str() {
            "crate" => return Some(ModulePath::Crate(modules.join("::"))),
            "self" => return Some(ModulePath::Here(join(&here, after_first))),
            "super" => {
                let (up, _) = here.rsplit_once("::").unwrap_or(("", &here));
                return (!here.is_empty()).then(|| ModulePath::Here(join(up, after_first)));
            }
            _ => {}
        }
        match self.imports.import_for(first, offset) {
            // `use crate::worker::run;` or `use crate::worker;`.
            Some(import) if import.local != "*" => {
                let mut path: Vec<String> = import.path.split("::").map(str::to_string).collect();
                if path.first().map(String::as_str) != Some("crate") {
                    return None;
                }
                path.extend(segs[1..].iter().cloned());
                path.pop();
                Some(ModulePath::Crate(path.join("::")))
            }
            Some(_) => None,
            None => Some(ModulePath::Here(join(&here, modules))),
        }
    }

    /// A called path's fn name, its type (`Type::f`, `Self::f`) and, for
    /// a free fn, the module it names it in (see `callee_module`).
    pub(super) fn split_qual(
        &self,
        segs: &[String],
        anchor: &SyntaxNode,
        offset: TextSize,
    ) -> (String, Option<String>, Option<ModulePath>) {
        let name = segs.last().cloned().unwrap_or_default();
        let qual = match segs {
            [.., q, _] if q == "Self" => Some(impl_type(anchor).unwrap_or_else(|| q.clone())),
            [.., q, _]
                if !self
                    .imports
                    .is_local_module(&segs[..segs.len() - 1], offset) =>
            {
                Some(q.clone())
            }
            _ => None,
        };
        let module = match qual {
            None => self.callee_module(segs, anchor, offset),
            Some(_) => None,
        };
        (name, qual, module)
    }
}
