//! A lock site's rewrite: which lock methods a site of a migrating lock
//! may call, and the edits that turn `m.lock().unwrap()`, `if let Ok(g) =
//! m.lock()` and the like into tokio's `m.lock().await` (or, in sync code
//! off the runtime, `m.blocking_lock()`).

use ra_ap_syntax::{TextRange, TextSize};

use crate::edits::edit::Edit;
use crate::edits::layout;
use crate::facts::{SiteFact, SiteShape};
use crate::imports::{Family, LockType};

/// The tokio forms of a guard-returning lock method: awaited, and blocking.
pub(super) fn lock_method_names(method: &str) -> Option<(&'static str, &'static str)> {
    Some(match method {
        "lock" => ("lock().await", "blocking_lock()"),
        "read" => ("read().await", "blocking_read()"),
        "write" => ("write().await", "blocking_write()"),
        _ => return None,
    })
}

/// Can `method` be a call on a lock of type `lock`? (`read` on a Mutex is
/// a method of what it holds, or of something else.)
pub(super) fn method_fits(lock: LockType, method: &str) -> bool {
    match lock {
        LockType::Mutex => !matches!(method, "read" | "write" | "try_read" | "try_write"),
        LockType::RwLock => !matches!(method, "lock" | "try_lock"),
        _ => false,
    }
}

/// A guard binding: `_` would drop the guard at once, so it gets a name.
fn guard_pat(pat: &str) -> &str {
    if pat == "_" {
        "_guard"
    } else {
        pat
    }
}

/// The edits that rewrite one site of a migrating lock; `blocking` picks the
/// `blocking_*` form for sync code that runs off the runtime, and
/// `reborrow` says that a reference taken of the guard where a type is
/// expected (`f(&m.lock().unwrap())`) borrows through the awaited guard.
pub(super) fn render_site(
    site: &SiteFact,
    family: Family,
    blocking: bool,
    reborrow: bool,
    src: &layout::Source,
) -> Result<Vec<Edit>, String> {
    let method = site.method.as_str();
    if let Some((aw, bl)) = lock_method_names(method) {
        let new = if blocking { bl } else { aw };
        return render_guard_site(site, family, new, reborrow && !blocking, src);
    }
    match (method, family, &site.shape) {
        ("get_mut" | "into_inner", Family::ParkingLot, _) => Ok(Vec::new()),
        ("get_mut" | "into_inner", _, SiteShape::Unwrapped { replace }) => {
            Ok(vec![Edit::new(*replace, format!("{method}()"))])
        }
        ("try_lock" | "try_read" | "try_write", Family::Std, shape) => {
            let compatible = match shape {
                // `.unwrap()`/`.expect(..)`: both error types are Debug.
                SiteShape::Unwrapped { .. } => true,
                SiteShape::IfLetOk { .. } | SiteShape::LetElseOk { .. } => true,
                SiteShape::Bare { use_desc, .. } => {
                    matches!(use_desc.as_str(), ".is_ok(..)" | ".is_err(..)" | ".ok(..)")
                }
                SiteShape::MatchOk { .. } => false,
            };
            if compatible {
                Ok(Vec::new())
            } else {
                Err(format!(
                    "`{method}` result is matched on its error type, which differs in tokio"
                ))
            }
        }
        ("is_poisoned" | "clear_poison", ..) => Err(format!(
            "`{method}` has no tokio equivalent: tokio locks are never poisoned"
        )),
        _ if crate::facts::NO_TOKIO_METHODS.contains(&method)
            || crate::facts::other_method(method) =>
        {
            Err(format!(
                "it is called with `{method}`, which tokio's locks do not have"
            ))
        }
        _ if method.contains("::") => Err(format!(
            "its guard is handed to `{method}`, which the rewrite does not translate"
        )),
        _ => Err(format!(
            "`{method}` is used in a way the tool cannot rewrite"
        )),
    }
}

/// The edits that turn a site of a guard-returning method into `new`, its
/// awaited or blocking form; `reborrow` (for an awaited guard): see
/// `render_site`.
fn render_guard_site(
    site: &SiteFact,
    family: Family,
    new: &str,
    reborrow: bool,
    src: &layout::Source,
) -> Result<Vec<Edit>, String> {
    let text = src.text;
    let method = site.method.as_str();
    // `&m.lock().await` coerces to nothing where `&*m.lock().await` does:
    // the `*` the reference to the guard ending at `end` borrows through.
    let through = |end: TextSize| {
        let b = site.borrow.as_ref();
        b.filter(|b| reborrow && b.guard_end == end)
            .map(|b| Edit::new(b.prefix, format!("{}*", &text[b.prefix])))
    };
    let in_chain = |replaced: TextRange| {
        let star = through(replaced.end());
        let extra = usize::from(star.is_some());
        let mut edits = layout::chain_edits(src, replaced, new, extra);
        edits.extend(star);
        edits
    };
    if family == Family::ParkingLot {
        return Ok(in_chain(site.call));
    }
    match &site.shape {
        SiteShape::Unwrapped { replace } => Ok(in_chain(*replace)),
        SiteShape::IfLetOk { head, tail, pat, recv } => {
            // The then-block runs from the `{` that ends `head`.
            let then = TextRange::new(head.end() - TextSize::from(1), tail.start());
            Ok(layout::guard_block(
                text,
                head.cover(*tail),
                &format!("let {} = {recv}.{new};", guard_pat(pat)),
                layout::Body::Block(then),
            ))
        }
        SiteShape::LetElseOk { stmt, pat, recv } => {
            Ok(vec![Edit::new(*stmt, format!("let {} = {recv}.{new};", guard_pat(pat)))])
        }
        SiteShape::MatchOk { head, tail, pat, recv } => {
            // The `Ok` arm's expression lies between the two.
            let arm = TextRange::new(head.end(), tail.start());
            let arm_text = &text[arm];
            // `Ok(g) => g`: the match is the guard itself.
            if arm_text.trim() == pat.trim_start_matches("mut ").trim() {
                return Ok(vec![Edit::new(head.cover(*tail), format!("{recv}.{new}"))]);
            }
            let body = match arm_text.starts_with('{') && arm_text.ends_with('}') {
                true => layout::Body::Block(arm),
                false => layout::Body::Expr(arm),
            };
            Ok(layout::guard_block(
                text,
                head.cover(*tail),
                &format!("let {} = {recv}.{new};", guard_pat(pat)),
                body,
            ))
        }
        SiteShape::Bare { use_desc, .. } => Err(format!(
            "the lock result is used as a `Result` ({use_desc}); tokio's `{method}` returns the guard"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use crate::driver::test_support::check_fix;
    use crate::settings::PlanOptions;

    /// `Ok(g) => g` beside a recovering `Err` arm is the guard itself, not a
    /// block that binds and returns it (clippy's `let_and_return`).
    #[test]
    fn a_match_that_only_yields_the_guard_becomes_the_lock_call() {
        check_fix(
            "use std::sync::Mutex;\nstatic N: Mutex<u8> = Mutex::new(0);\nasync fn f() -> u8 {\n    let g = match N.lock() {\n        Ok(g) => g,\n        Err(e) => e.into_inner(),\n    };\n    *g\n}\n",
            "use tokio::sync::Mutex;\nstatic N: Mutex<u8> = Mutex::const_new(0);\nasync fn f() -> u8 {\n    let g = N.lock().await;\n    *g\n}\n",
        );
    }

    #[test]
    fn guard_methods_have_an_awaited_and_a_blocking_form() {
        assert_eq!(
            lock_method_names("read"),
            Some(("read().await", "blocking_read()"))
        );
        assert_eq!(
            lock_method_names("lock"),
            Some(("lock().await", "blocking_lock()"))
        );
        assert_eq!(lock_method_names("try_lock"), None);
        assert_eq!(lock_method_names("get_mut"), None);
    }

    #[test]
    fn a_method_fits_the_lock_type_that_has_it() {
        assert!(method_fits(LockType::Mutex, "lock"));
        assert!(method_fits(LockType::Mutex, "into_inner"));
        assert!(!method_fits(LockType::Mutex, "write"));
        assert!(method_fits(LockType::RwLock, "try_read"));
        assert!(!method_fits(LockType::RwLock, "try_lock"));
    }

    #[test]
    fn a_discarded_guard_gets_a_name() {
        assert_eq!(guard_pat("_"), "_guard");
        assert_eq!(guard_pat("mut g"), "mut g");
    }

    #[test]
    fn if_let_ok_becomes_a_block_that_binds_the_guard() {
        let src = "use std::sync::{Arc, Mutex};\nstruct S { m: Mutex<u32> }\nasync fn f(s: Arc<S>) { if let Ok(mut g) = s.m.lock() { *g += 1; } }\n";
        let out = rewritten(src, &plan_of(src));
        let expected =
            "async fn f(s: Arc<S>) { {\n    let mut g = s.m.lock().await;\n    *g += 1;\n} }\n";
        assert!(out.ends_with(expected), "{out}");
    }

    #[test]
    fn a_reference_to_the_guard_where_a_type_is_expected_borrows_through_it() {
        check_fix(
            r#"use std::sync::{Arc, Mutex, MutexGuard};

struct View<'a> {
    v: &'a Vec<u8>,
}

fn total(v: &Vec<u8>) -> usize {
    v.len()
}

fn push(v: &mut Vec<u8>) {
    v.push(1);
}

fn show(g: &MutexGuard<'_, Vec<u8>>) -> usize {
    g.len()
}

async fn f(m: Arc<Mutex<Vec<u8>>>) -> usize {
    push(&mut m.lock().unwrap());
    let n = total(&m.lock().unwrap()) + show(&m.lock().unwrap());
    let typed: usize = { let v: &Vec<u8> = &m.lock().unwrap(); v.len() };
    let view = { View { v: &m.lock().expect("lock") }.v.len() };
    println!("{:?}", &m.lock().unwrap());
    n + typed + view
}
"#,
            r#"use std::sync::Arc;
use tokio::sync::{Mutex, MutexGuard};

struct View<'a> {
    v: &'a Vec<u8>,
}

fn total(v: &Vec<u8>) -> usize {
    v.len()
}

fn push(v: &mut Vec<u8>) {
    v.push(1);
}

fn show(g: &MutexGuard<'_, Vec<u8>>) -> usize {
    g.len()
}

async fn f(m: Arc<Mutex<Vec<u8>>>) -> usize {
    push(&mut *m.lock().await);
    let n = total(&*m.lock().await) + show(&m.lock().await);
    let typed: usize = { let v: &Vec<u8> = &*m.lock().await; v.len() };
    let view = { View { v: &*m.lock().await }.v.len() };
    println!("{:?}", &m.lock().await);
    n + typed + view
}
"#,
        );
    }

    #[test]
    fn a_reference_to_a_blocking_guard_coerces_as_it_did() {
        let src = "use std::sync::{Arc, Mutex};\nfn total(v: &Vec<u8>) -> usize { v.len() }\nasync fn f(m: Arc<Mutex<Vec<u8>>>) { m.lock().unwrap().push(1); let m2 = m.clone(); tokio::task::spawn_blocking(move || total(&m2.lock().unwrap())); }\n";
        let out = rewritten(src, &plan_of(src));
        assert!(out.contains("total(&m2.blocking_lock())"), "{out}");
    }

    #[test]
    fn a_reference_to_an_awaited_parking_lot_guard_borrows_through_it() {
        let src = "use std::sync::Arc;\nuse parking_lot::Mutex;\nfn total(v: &Vec<u8>) -> usize { v.len() }\nasync fn f(m: Arc<Mutex<Vec<u8>>>) -> usize { total(&m.lock()) }\n";
        let opts = PlanOptions {
            parking_lot: true,
            ..options()
        };
        let out = rewritten(src, &plan_with(src, &opts));
        assert!(out.contains("total(&*m.lock().await)"), "{out}");
    }

    #[test]
    fn a_lock_result_used_as_a_result_cannot_be_rewritten() {
        let src = "use std::sync::{Arc, Mutex};\nstruct S { m: Mutex<u32> }\nasync fn f(s: Arc<S>) -> bool { s.m.lock().is_ok() }\n";
        let why = blockers(report(&plan_of(src), "S.m"));
        assert_eq!(why.len(), 1);
        assert!(
            why[0].starts_with("the lock result is used as a `Result`"),
            "{why:?}"
        );
    }
}
