//! Blocking calls as facts: the kinds a call can be (`BlockingKind`, plain
//! data that `facts/` records), and the machinery every blocking rule's
//! detection shares: resolving a callee, following a receiver to the call
//! that built it, the configuration's blocking fns, the prefilter. What
//! each call is, and how it is fixed, is its rule's (`rules/blocking_*.rs`,
//! `rules/cpu_heavy/`): the registry hands its rules' detection hooks down
//! as [`Detectors`], and `classify` and `may_block` ask them. It is not
//! under `rules/` because it belongs to no rule: `facts/` calls `classify`
//! on every call and stores its kinds, and the prefilter runs before any
//! rule does. For the same reason the tests on syntax that facts make
//! themselves are here: `heavy_loops` (CPU-heavy loops, the sizes a fn
//! writes down) and `zero_duration` (a timeout that never waits).

use ra_ap_syntax::{
    ast::{self, HasArgList},
    AstNode, SyntaxNode, TextRange, TextSize,
};

pub mod heavy_loops;

use crate::imports::{segments, Imports};
use crate::settings::UserBlocking;

/// A rule's detection of calls by their callee's path (resolved, written
/// from an external crate's root: `std::thread::sleep`).
pub type DetectCall = fn(&str) -> Option<BlockingKind>;
/// A rule's detection of method calls: the kind, and the call as the user
/// would name it (`std::process::Command::output`).
pub type DetectMethod = fn(&MethodCall) -> Option<(BlockingKind, String)>;
/// A rule's detection of calls by their arguments.
pub type DetectCallSite = fn(&CallSite) -> Option<(BlockingKind, String)>;
/// A rule's cheap test on a file's text, for the prefilter.
pub type MayMatch = fn(&str) -> bool;

/// The blocking rules' detection hooks, each kind in the registry's order
/// (`rules::detectors()` makes them from `rules::RULES`): what `classify`
/// and `may_block` ask, handed down so that the facts need not know the
/// rules.
#[derive(Debug, Default)]
pub struct Detectors {
    pub call: Vec<DetectCall>,
    pub method: Vec<DetectMethod>,
    pub call_site: Vec<DetectCallSite>,
    pub may_match: Vec<MayMatch>,
}

/// What kind of blocking call a site is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BlockingKind {
    /// `std::thread::sleep(d)` → `tokio::time::sleep(d).await`.
    Sleep,
    /// A `std::fs` function with a `tokio::fs` twin of the same signature.
    Fs { name: String },
    /// `std::fs` that has no drop-in twin (`read_dir`, `File::open`).
    FsOther,
    /// A blocking wait: process output, blocking network or stdin I/O,
    /// `reqwest::blocking`.
    Wait,
    /// `block_on` inside async code: panics or deadlocks.
    BlockOn,
    /// `std::process::Command::..output()` / `.status()`: the same builder
    /// exists in `tokio::process`; `command` is the `Command` path to replace.
    Process { command: TextRange },
    /// CPU-heavy work: a long or nested loop without `.await`, or a known
    /// heavy call (hashing, compression, image decoding).
    Heavy,
    /// A function the configuration declares blocking (or heavy), with its
    /// async twin if it names one.
    User {
        heavy: bool,
        replacement: Option<String>,
    },
}

impl BlockingKind {
    /// CPU-heavy work (AW206's), not a wait: it takes as long wherever the
    /// code around it runs.
    pub fn is_cpu_work(&self) -> bool {
        matches!(
            self,
            BlockingKind::Heavy | BlockingKind::User { heavy: true, .. }
        )
    }
}

/// A blocking call found in the tree.
#[derive(Clone, Debug)]
pub struct BlockingCall {
    pub kind: BlockingKind,
    /// The call as the user would name it: `std::fs::read_to_string`.
    pub what: String,
    /// The callee path (replaced by the fix).
    pub path: TextRange,
    /// The whole call (where `.await` goes after).
    pub call: TextRange,
}

/// A path the crate does not define or import, written from an external
/// crate's root (`futures::executor::block_on`), resolves to `crate::..`:
/// the table knows it under its crate's name.
fn external_spelling(full: &str) -> &str {
    full.strip_prefix("crate::").unwrap_or(full)
}

/// The path of the call a value is built by: the innermost receiver of a
/// method chain (`Command::new("ls").arg("-l")` → `std::process::Command::new`),
/// looking through `Arc::new(..)`.
fn root_call(imports: &Imports, expr: &ast::Expr, shift: u32) -> Option<(String, TextRange)> {
    let mut root = expr.clone();
    loop {
        root = match &root {
            ast::Expr::MethodCallExpr(inner) => inner.receiver()?,
            // `{ ..; thread::spawn(..) }`: the block's value is its tail.
            ast::Expr::BlockExpr(b) if b.modifier().is_none() => b.stmt_list()?.tail_expr()?,
            ast::Expr::ParenExpr(p) => p.expr()?,
            _ => break,
        };
    }
    let ast::Expr::CallExpr(c) = &root else {
        return None;
    };
    let ast::Expr::PathExpr(p) = c.expr()? else {
        return None;
    };
    let path = p.path()?;
    let at = path.syntax().text_range().start() + TextSize::from(shift);
    let full = imports.resolve(&segments(&path)?, at);
    if matches!(full.as_str(), "std::sync::Arc::new" | "std::rc::Rc::new") {
        return root_call(imports, &c.arg_list()?.args().next()?, shift);
    }
    Some((full, path.syntax().text_range()))
}

/// Finds what a local receiver was bound to: its initializer, and its index
/// in a tuple pattern.
pub type BoundLookup<'a> = dyn Fn(&ast::Expr) -> Option<(ast::Expr, Option<usize>)> + 'a;

/// Finds the resolved path of the type of the value an expression is
/// (`std::sync::Condvar` of `self.available`), as far as its file shows.
pub type TypeLookup<'a> = dyn Fn(&ast::Expr) -> Option<String> + 'a;

/// Classifies a call expression or method call. `bound` finds what a local
/// receiver was bound to: its initializer, and its index in a tuple pattern;
/// `typed`, the type of a receiver.
/// The configuration's blocking fns come first; then each rule's detection
/// (its `call` and `method` hooks, in registry order: `detect`) is asked in
/// turn.
pub fn classify(
    imports: &Imports,
    node: &SyntaxNode,
    shift: u32,
    bound: &BoundLookup,
    typed: &TypeLookup,
    user: &[UserBlocking],
    detect: &Detectors,
) -> Option<BlockingCall> {
    let sh = |r: TextRange| r + TextSize::from(shift);
    if let Some(call) = ast::CallExpr::cast(node.clone()) {
        let ast::Expr::PathExpr(pe) = call.expr()? else {
            return None;
        };
        let path = pe.path()?;
        let at = path.syntax().text_range().start() + TextSize::from(shift);
        let full = imports.resolve(&segments(&path)?, at);
        let declared = user
            .iter()
            .find(|u| u.path == full || u.path == external_spelling(&full))
            .map(|u| BlockingKind::User {
                heavy: u.heavy,
                replacement: u.replacement.clone(),
            });
        let (kind, what) = match declared {
            Some(kind) => (kind, full),
            None => {
                let known = external_spelling(&full);
                match detect.call.iter().find_map(|call| call(known)) {
                    Some(kind) => (kind, known.to_string()),
                    // A call that is blocking by its arguments
                    // (`std::io::copy(&mut decoder, ..)`).
                    None => {
                        let site = CallSite {
                            path: known,
                            call: &call,
                            shift,
                            imports,
                            bound,
                        };
                        detect.call_site.iter().find_map(|call| call(&site))?
                    }
                }
            }
        };
        return Some(BlockingCall {
            kind,
            what,
            path: sh(path.syntax().text_range()),
            call: sh(node.text_range()),
        });
    }
    let mc = ast::MethodCallExpr::cast(node.clone())?;
    let name = mc.name_ref()?.text().to_string();
    let recv = mc.receiver()?;
    // The local the receiver chain starts with.
    let mut root = recv.clone();
    while let ast::Expr::MethodCallExpr(inner) = &root {
        root = inner.receiver()?;
    }
    let method = MethodCall {
        name: &name,
        call: &mc,
        // The call the receiver chain starts with: `Command::new("ls").arg("-l").output()`.
        made_by: root_call(imports, &recv, shift),
        recv,
        root,
        shift,
        imports,
        bound,
        typed,
        recv_type: std::cell::OnceCell::new(),
    };
    let (kind, what) = detect.method.iter().find_map(|m| m(&method))?;
    let name_range = mc.name_ref()?.syntax().text_range();
    Some(BlockingCall {
        kind,
        what,
        path: sh(name_range),
        call: sh(node.text_range()),
    })
}

/// A call expression being classified by its arguments, for a rule whose
/// detection needs more than the callee's path (`call_site` hook).
pub struct CallSite<'a> {
    /// The callee, resolved and written from its crate's root.
    pub path: &'a str,
    pub call: &'a ast::CallExpr,
    shift: u32,
    imports: &'a Imports,
    bound: &'a BoundLookup<'a>,
}

impl CallSite<'_> {
    /// The `i`-th argument.
    pub fn arg(&self, i: usize) -> Option<ast::Expr> {
        self.call.arg_list()?.args().nth(i)
    }

    /// The call that built the value `e` is (see [`built_by`]).
    pub fn built_by(&self, e: &ast::Expr) -> Option<String> {
        built_by(self.imports, self.bound, e, self.shift)
    }
}

/// The resolved path of the call that built the value `e` is, looking
/// through references, `?`, method chains (`Encoder::new(w, 3)?.auto_finish()`),
/// `Box::new`/`Arc::new`, and one local's `let` initializer
/// (`let mut d = zstd::Decoder::new(&*bytes)?;` → `zstd::Decoder::new`).
pub(crate) fn built_by(
    imports: &Imports,
    bound: &BoundLookup,
    e: &ast::Expr,
    shift: u32,
) -> Option<String> {
    let mut e = e.clone();
    let mut shift = shift;
    let mut followed = false;
    loop {
        e = match &e {
            ast::Expr::RefExpr(r) => r.expr()?,
            ast::Expr::ParenExpr(p) => p.expr()?,
            ast::Expr::TryExpr(t) => t.expr()?,
            ast::Expr::MethodCallExpr(m) => m.receiver()?,
            ast::Expr::PathExpr(_) if !followed => {
                followed = true;
                // The initializer is in the file itself: no shift.
                shift = 0;
                bound(&e)?.0
            }
            ast::Expr::CallExpr(c) => {
                let ast::Expr::PathExpr(p) = c.expr()? else {
                    return None;
                };
                let path = p.path()?;
                let at = path.syntax().text_range().start() + TextSize::from(shift);
                let full = imports.resolve(&segments(&path)?, at);
                let full = external_spelling(&full).to_string();
                if matches!(
                    full.as_str(),
                    "std::sync::Arc::new"
                        | "std::rc::Rc::new"
                        | "std::boxed::Box::new"
                        | "Box::new"
                ) {
                    c.arg_list()?.args().next()?
                } else {
                    return Some(full);
                }
            }
            _ => return None,
        };
    }
}

/// A method call being classified, with what a rule's detection asks of
/// its receiver.
pub struct MethodCall<'a> {
    /// The method's name: `output`.
    pub name: &'a str,
    pub call: &'a ast::MethodCallExpr,
    pub recv: ast::Expr,
    /// The call the receiver chain starts with, resolved, and its path's
    /// range in the syntax node (unshifted): `std::process::Command::new`.
    pub made_by: Option<(String, TextRange)>,
    /// The local the receiver chain starts with.
    root: ast::Expr,
    /// Where the node's text starts in its file (macro arguments are
    /// parsed apart).
    shift: u32,
    imports: &'a Imports,
    bound: &'a BoundLookup<'a>,
    typed: &'a TypeLookup<'a>,
    /// The receiver's type, looked up once for every rule that asks.
    recv_type: std::cell::OnceCell<Option<String>>,
}

impl MethodCall<'_> {
    /// Is the receiver chain built by `f` (a resolved path)?
    pub fn made_by_is(&self, f: &str) -> bool {
        self.made_by.as_ref().is_some_and(|(m, _)| m == f)
    }

    /// What the local the receiver chain starts with was bound by: the
    /// call its initializer starts with, and its index in a tuple pattern
    /// (`let (tx, rx) = mpsc::channel()` binds `rx` at 1).
    pub fn bound_root(&self) -> Option<(String, Option<usize>)> {
        let (init, index) = (self.bound)(&self.root)?;
        Some((root_call(self.imports, &init, 0)?.0, index))
    }

    /// Is the receiver, as far as its file shows, a value of type `ty` (a
    /// resolved path: `std::sync::Condvar`)?
    pub fn receiver_is(&self, ty: &str) -> bool {
        self.recv_type
            .get_or_init(|| (self.typed)(&self.recv))
            .as_deref()
            == Some(ty)
    }

    /// The call that built the receiver, through one local's `let`
    /// initializer, `?` and method chains (see [`built_by`]).
    pub fn recv_built_by(&self) -> Option<String> {
        built_by(self.imports, self.bound, &self.recv, self.shift)
    }

    /// A range of the node, moved to where it is in the file.
    pub fn in_file(&self, r: TextRange) -> TextRange {
        r + TextSize::from(self.shift)
    }
}

/// Could this text hold a blocking call the rules know? (For the prefilter.)
/// Each rule says so for its own calls (its `may_match` hook); what drives
/// async code (`block_on`) and what runs code off the executor
/// (`spawn_blocking`, `block_in_place`) matter to all of them, and so do
/// the fns the configuration declares blocking.
pub fn may_block(text: &str, user: &[UserBlocking], detect: &Detectors) -> bool {
    text.contains("block_on(")
        || text.contains("spawn_blocking(")
        || text.contains("block_in_place(")
        || detect.may_match.iter().any(|may_match| may_match(text))
        || user
            .iter()
            .any(|u| text.contains(u.path.rsplit("::").next().unwrap_or(&u.path)))
}

/// Does the text name std's module `path` (`std::fs`), in a path or an
/// import (`std::fs`, or `std::{fs, ..}`)? A rule's prefilter asks, so that
/// tokio's own `sleep`, `recv` and `fs` do not count.
pub(crate) fn names_std_module(text: &str, path: &str) -> bool {
    let module = path.trim_start_matches("std::");
    text.contains(path) || (text.contains("std::{") && text.contains(module))
}

/// `Duration::ZERO`, `Duration::from_secs(0)`, `Duration::default()`: a
/// timeout that never waits.
pub(crate) fn zero_duration(e: &ast::Expr) -> bool {
    let text: String = e.syntax().text().to_string().split_whitespace().collect();
    let text = text
        .trim_start_matches("std::time::")
        .trim_start_matches("core::time::");
    text == "Duration::ZERO"
        || text == "Duration::default()"
        || ["from_secs", "from_millis", "from_micros", "from_nanos"]
            .iter()
            .any(|f| text == format!("Duration::{f}(0)"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ra_ap_syntax::{Edition, SourceFile};

    fn kinds(src: &str) -> Vec<(BlockingKind, String)> {
        let file = SourceFile::parse(src, Edition::Edition2021).tree();
        let imports = Imports::collect(&file, src);
        file.syntax()
            .descendants()
            .filter_map(|n| {
                let detect = crate::rules::detectors();
                classify(&imports, &n, 0, &|_| None, &|_| None, &[], detect)
            })
            .map(|b| (b.kind, b.what))
            .collect()
    }

    #[test]
    fn spellings_of_sleep_and_fs_resolve_through_imports() {
        let found = kinds(
            "use std::thread; use std::fs; use std::thread::sleep as nap;\n\
             async fn f() { thread::sleep(d); nap(d); std::thread::sleep(d); fs::read(p); fs::read_dir(p); }",
        );
        let whats: Vec<&str> = found.iter().map(|(_, w)| w.as_str()).collect();
        assert_eq!(
            whats,
            [
                "std::thread::sleep",
                "std::thread::sleep",
                "std::thread::sleep",
                "std::fs::read",
                "std::fs::read_dir"
            ]
        );
        assert_eq!(
            found[3].0,
            BlockingKind::Fs {
                name: "read".into()
            }
        );
        assert_eq!(found[4].0, BlockingKind::FsOther);
    }

    #[test]
    fn user_fns_named_sleep_and_tokio_sleep_are_not_blocking() {
        assert!(kinds(
            "fn sleep(_: u8) {} async fn f() { sleep(1); tokio::time::sleep(d).await; }"
        )
        .is_empty());
    }

    #[test]
    fn constructors_small_digests_binds_and_polls_do_not_block() {
        let src = "use std::sync::mpsc; use std::time::Duration;\n\
             use flate2::write::GzEncoder; use sha2::{Digest, Sha256};\n\
             async fn f() {\n\
               let e = GzEncoder::new(Vec::new(), flate2::Compression::default());\n\
               let d = flate2::read::DeflateDecoder::new(&b\"\"[..]);\n\
               let h = Sha256::digest(b\"id\");\n\
               let s = std::net::UdpSocket::bind(\"127.0.0.1:0\");\n\
               let (tx, rx) = mpsc::channel::<u8>();\n\
               rx.recv_timeout(Duration::ZERO); rx.recv_timeout(std::time::Duration::from_millis(0)); rx.try_recv();\n\
             }";
        assert!(kinds(src).is_empty(), "{:?}", kinds(src));
    }

    #[test]
    fn heavy_calls_waits_and_full_paths_are_found() {
        let src = "async fn f() {\n\
               let z = zstd::encode_all(&data[..], 3);\n\
               let p = bcrypt::hash(pw, 12);\n\
               let v = futures::executor::block_on(load());\n\
               std::thread::spawn(|| 1).join();\n\
             }";
        // (Receivers and handles bound by `let` need the extractor's lookup:
        // the blocking_missed_waits and blocking_not_blocking fixtures.)
        let found = kinds(src);
        let whats: Vec<&str> = found.iter().map(|(_, w)| w.as_str()).collect();
        assert_eq!(
            whats,
            [
                "zstd::encode_all",
                "bcrypt::hash",
                "futures::executor::block_on",
                "std::thread::JoinHandle::join",
            ]
        );
        assert_eq!(found[0].0, BlockingKind::Heavy);
        assert_eq!(found[2].0, BlockingKind::BlockOn);
    }

    #[test]
    fn process_output_and_block_on_are_found() {
        let found = kinds("use std::process::Command;\nasync fn f() { Command::new(\"ls\").arg(\"-l\").output(); rt.block_on(g()); }");
        assert!(matches!(found[0].0, BlockingKind::Process { .. }));
        assert_eq!(found[1].0, BlockingKind::BlockOn);
    }
}
