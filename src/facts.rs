//! Pass 1: everything one file says about locks, as plain data (no syntax
//! nodes), so files can be analysed in parallel and planned crate-wide.

use std::collections::{BTreeSet, HashSet};

use ra_ap_syntax::{
    ast::{self, HasArgList, HasName},
    AstNode, Edition, SourceFile, SyntaxKind, SyntaxNode, TextRange, TextSize,
};

use crate::imports::{classify, segments, Family, Imports, LockType};

/// What a receiver, an initializer or a flow refers to, before the crate-wide
/// index turns it into a declaration key.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Target {
    /// An exact declaration key.
    Key(String),
    /// A struct field; `owner` is the struct when the receiver's type is known.
    Field { name: String, owner: Option<String> },
    /// A static or const by name.
    Static(String),
    /// The return value of a fn (`qual::name(..)`) or a method (`x.name(..)`).
    Call {
        name: String,
        qual: Option<String>,
        method: bool,
    },
    /// The `index`-th parameter of a fn or method.
    Param {
        name: String,
        qual: Option<String>,
        method: bool,
        index: usize,
    },
}

/// A place that holds a lock: a field, static, local, parameter, type alias or
/// fn return type.
#[derive(Clone, Debug)]
pub struct DeclFact {
    pub key: String,
    pub display: String,
    pub lock: LockType,
    pub family: Family,
    pub range: TextRange,
    pub blockers: Vec<String>,
    /// Names in the declared type, to link uses of a lock type alias.
    pub type_names: Vec<String>,
    /// Public in its file: declared `pub` (a static, field, fn or type
    /// alias), in a `pub` struct, enum, trait or inherent method, inside
    /// `pub mod`s only (see [`api_visibility`]).
    pub public: bool,
    /// The file-level item a public declaration is reached through (the
    /// struct of a field, the type of a method, the static, fn or alias
    /// itself): a `pub use` of this name re-exports it.
    pub api_item: Option<String>,
    /// Private inline modules around a public declaration (outermost
    /// first): it is reachable only through a `pub use` naming one.
    pub private_mods: Vec<String>,
    /// Public in a library's own code: other crates may name it (set by
    /// the run, which knows the crate).
    pub exported: bool,
    /// A parameter typed with the lock's guard (`g: &mut MutexGuard<'_, T>`):
    /// it follows the lock whose guards are passed to it.
    pub guard: bool,
}

/// The name code elsewhere in the crate must mention to reach the
/// declaration with this key: a field, static, alias or fn name. Locals stay
/// in their file.
pub fn reach_name(key: &str) -> Option<String> {
    let (kind, rest) = key.split_once(':')?;
    let name = match kind {
        "field" => rest.rsplit_once('.').map(|(_, f)| f),
        "static" | "alias" => Some(rest),
        "param" | "ret" => rest
            .split('#')
            .next()
            .map(|f| f.rsplit("::").next().unwrap_or(f)),
        _ => None,
    };
    name.map(str::to_string)
}

/// Could this text declare or name a lock type? Files without either word
/// cannot hold a lock declaration (type aliases are found by name later).
pub fn may_declare_lock(text: &str) -> bool {
    text.contains("Mutex") || text.contains("RwLock")
}

/// How a file mentions a set of declaration names.
#[derive(Default)]
struct Mentions {
    /// A capitalised name (static, alias) or a struct literal field
    /// (`name: value`): reached on its own.
    direct: bool,
    /// Distinct names used as a field (`.name`) or a call (`name(`).
    used: usize,
}

fn mentions(text: &str, names: &HashSet<String>) -> Mentions {
    if !names.iter().any(|n| text.contains(n.as_str())) {
        return Mentions::default();
    }
    let bytes = text.as_bytes();
    let is_ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut out = Mentions::default();
    let mut first_used: Option<&str> = None;
    let mut i = 0;
    while i < bytes.len() {
        if !is_ident(bytes[i]) || (i > 0 && is_ident(bytes[i - 1])) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && is_ident(bytes[i]) {
            i += 1;
        }
        let word = &text[start..i];
        if !names.contains(word) {
            continue;
        }
        let rest = text[i..].trim_start().as_bytes();
        if word.starts_with(|c: char| c.is_ascii_uppercase())
            || (rest.first() == Some(&b':') && !rest.starts_with(b"::"))
        {
            out.direct = true;
            return out;
        }
        let prev = text[..start].trim_end().bytes().last();
        if prev == Some(b'.') || rest.first() == Some(&b'(') || rest.starts_with(b"::<") {
            match first_used {
                Some(other) if other != word => {
                    out.used = 2;
                    return out;
                }
                Some(_) => {}
                None => {
                    first_used = Some(word);
                    out.used = 1;
                }
            }
        }
    }
    out
}

/// Could this file lock one of the declarations in async code? That needs
/// `async` in the file itself, a use of a declaration's name, and a lock
/// call. (A lock handed to an unknown macro only blocks a migration; files
/// with those are found by `needs_analysis` for the locks that would migrate.)
pub fn may_lock_in_async(text: &str, names: &HashSet<String>) -> bool {
    may_hold_async_lock_site(text) && {
        let m = mentions(text, names);
        m.direct || m.used > 0
    }
}

/// Must a file that names no lock type be analysed for these declarations?
/// Only code that mentions a declaration can hold its sites or flows: a lock
/// call on it (`.inner.lock()`), a flow between two declarations
/// (`helper(&self.inner)`), a struct literal field (`inner: value`), a use of
/// a static or alias, or a macro it is handed to.
pub fn needs_analysis(text: &str, names: &HashSet<String>) -> bool {
    let m = mentions(text, names);
    m.direct || m.used >= 2 || (m.used == 1 && (has_lock_call(text) || has_unknown_macro(text)))
}

/// Does the file call or name one of these fns (`name(`, `.name`)?
/// Does `text` hold `word` as a whole identifier?
pub fn names_word(text: &str, word: &str) -> bool {
    let is_ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    text.match_indices(word).any(|(i, _)| {
        !text[..i].ends_with(is_ident) && !text[i + word.len()..].starts_with(is_ident)
    })
}

pub fn mentions_call(text: &str, names: &HashSet<String>) -> bool {
    let m = mentions(text, names);
    m.direct || m.used > 0
}

/// Could this file hold a lock site in async code (for any lock)? The
/// benchmark's parse-only baseline uses this with `may_declare_lock` as "the
/// files that can contain a finding".
pub fn may_hold_async_lock_site(text: &str) -> bool {
    text.contains("async") && has_lock_call(text)
}

fn has_lock_call(text: &str) -> bool {
    text.match_indices('.').any(|(i, _)| {
        let rest = &text[i + 1..];
        // Lock methods take no arguments: `.read(buf)` is I/O, not a lock.
        LOCK_METHODS.iter().any(|m| {
            rest.starts_with(m)
                && rest[m.len()..]
                    .trim_start()
                    .strip_prefix('(')
                    .is_some_and(|r| r.trim_start().starts_with(')'))
        })
    })
}

/// A macro invocation (`name!(..)`) other than the expression macros the
/// tool parses.
fn has_unknown_macro(text: &str) -> bool {
    text.match_indices('!').any(|(i, _)| {
        let name_start = text[..i]
            .rfind(|c: char| !(c.is_alphanumeric() || c == '_'))
            .map_or(0, |p| p + 1);
        let name = &text[name_start..i];
        !name.is_empty()
            && !EXPR_MACROS.contains(&name)
            && name != "macro_rules"
            && text[i + 1..].trim_start().starts_with(['(', '[', '{'])
    })
}

/// Imports whose uses are counted, so that one a rewrite leaves unused is
/// removed: lock types and what blocking-call fixes replace.
pub fn tracked_import(path: &str) -> bool {
    [
        "std::sync::",
        "parking_lot::",
        "std::thread",
        "std::fs",
        "std::process",
    ]
    .iter()
    .any(|p| path.starts_with(p))
}

/// What extraction needs to know of the file's crate.
pub struct CrateContext<'a> {
    /// Functions the configuration declares blocking.
    pub user_blocking: &'a [crate::config::UserBlocking],
    /// Lock types its modules re-export.
    pub reexports: &'a crate::imports::ReExports,
}

/// A blocking call and where it runs.
#[derive(Clone, Debug)]
pub struct BlockingFact {
    pub call: crate::blocking::BlockingCall,
    pub ctx: SiteContext,
    /// For CPU-heavy calls: the `let` initializer to replace and its
    /// `spawn_blocking` wrap, when the wrap is certain to compile.
    pub wrap: Option<(TextRange, String)>,
    /// Inside a `#[cfg(test)]` module or a `#[test]` fn: only tests need
    /// what its fix needs.
    pub in_test: bool,
    /// In a sync fn, inside a closure the fn only stores or hands on: the
    /// call does not run when the fn does.
    pub deferred: bool,
    /// In a non-async closure inside async code: the fn the closure is
    /// handed to (`asyncify(|| ..)` → `asyncify`), when it is named.
    pub closure_callee: Option<String>,
    /// In async code: what drives it.
    pub driver: Driver,
}

/// What drives the async code a call is in: whether it provably runs on a
/// tokio runtime.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum Driver {
    /// `#[tokio::main]`, `#[tokio::test]`, a future handed to `tokio::spawn`,
    /// `Runtime::block_on`, `Handle::spawn`.
    Tokio,
    /// Another executor: `futures::executor::block_on`, async-std, smol,
    /// another runtime's `main`/`test` attribute.
    Other,
    /// The async fn (its key) it is in: its callers decide.
    Fn(std::sync::Arc<str>),
    /// Nothing the crate shows.
    #[default]
    Unknown,
}

/// Where a lock site runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SiteContext {
    /// An async fn, async block or async closure.
    Async,
    /// A non-async closure inside async code: `.await` is impossible there.
    SyncInAsync,
    /// A `spawn_blocking`, `block_in_place` or `std::thread::spawn` closure.
    Blocking,
    /// A plain fn (`fn_key`), possibly a `Drop` impl.
    Sync {
        fn_name: std::sync::Arc<str>,
        in_drop: bool,
        /// The body of a `#[test]` fn itself: the test harness runs it on a
        /// thread of its own, off any runtime.
        test_body: bool,
    },
    /// A static or const initializer.
    Item,
    /// A non-async closure in sync code that is not run in place: stored,
    /// returned or handed to other code (`builder.on_poll(move |d| ..)`), so
    /// where it runs, on a runtime thread or not, is unknown.
    Detached,
}

/// The syntactic shape around a lock call, which decides how it is rewritten.
#[derive(Clone, Debug)]
pub enum SiteShape {
    /// `m.lock().unwrap()`, `.expect(..)`, `.unwrap_or_else(|e| e.into_inner())`,
    /// `.map_err(..)?`: the range from the method name to the end of the chain.
    Unwrapped { replace: TextRange },
    /// `if let Ok(g) = m.lock() { .. } else { .. }`.
    IfLetOk {
        head: TextRange,
        tail: TextRange,
        pat: String,
        recv: String,
    },
    /// `let Ok(g) = m.lock() else { .. };`.
    LetElseOk {
        stmt: TextRange,
        pat: String,
        recv: String,
    },
    /// `match m.lock() { Ok(g) => .., Err(_) => .. }`.
    MatchOk {
        head: TextRange,
        tail: TextRange,
        pat: String,
        recv: String,
    },
    /// The bare call (`m.lock()` used directly, here described).
    Bare { use_desc: String },
}

#[derive(Clone, Debug)]
pub struct SiteFact {
    pub method: String,
    /// From the method name to the end of the call: `lock()`.
    pub call: TextRange,
    pub target: Target,
    pub ctx: SiteContext,
    /// The method name, for diagnostics.
    pub range: TextRange,
    pub shape: SiteShape,
    pub held_across_await: bool,
    /// The signature of the enclosing fn names a std guard type.
    pub guard_fn: Option<String>,
    pub guard_passed_to_wait: bool,
    /// The fn the site is in, for diagnostics.
    pub in_fn: Option<std::sync::Arc<str>>,
}

/// A path naming a lock or guard type (`Mutex`, `std::sync::Mutex`, the
/// `Mutex` of `Mutex::new`).
#[derive(Clone, Debug)]
pub struct RefFact {
    pub range: TextRange,
    pub family: Family,
    pub lock: LockType,
    /// The `use` tree that brings the type in, when the path is a single
    /// imported name.
    pub via_import: Option<TextRange>,
    /// Candidate owners, nearest first.
    pub owners: Vec<Target>,
    /// `Mutex::new` directly in a static initializer: the `new` segment.
    pub const_new: Option<TextRange>,
}

/// A call, for the sync-helper analysis: `callee` called from `ctx`.
#[derive(Clone, Debug)]
pub struct CallFact {
    pub callee: String,
    /// The callee's fn key when the call names it exactly: `helper(..)`,
    /// `Type::f(..)`, `Self::f(..)`, `self.f(..)`.
    pub callee_key: Option<String>,
    /// The fn the call is in.
    pub in_fn: Option<std::sync::Arc<str>>,
    pub ctx: SiteContext,
    pub range: TextRange,
    /// The call's value is `.await`ed: it calls an async fn, never a sync one.
    pub awaited: bool,
    /// In a sync fn, inside a closure the fn only stores or hands on.
    pub deferred: bool,
    /// What drives the call's future or the async code it is in (only
    /// worked out for calls that name their fn exactly).
    pub driver: Driver,
}

/// A lock-looking call (`.lock().unwrap()`) whose receiver the tool could not
/// resolve, and the names used around it.
#[derive(Clone, Debug)]
pub struct UnresolvedSite {
    pub range: TextRange,
    /// The fn (or item) around it: the only place a local it names can be.
    pub scope: TextRange,
    pub names_nearby: BTreeSet<String>,
    pub in_async: bool,
}

/// A place handed to a macro the tool cannot parse.
#[derive(Clone, Debug)]
pub struct MacroUse {
    pub macro_name: String,
    /// What the place refers to, resolved as code around the macro would.
    pub target: Target,
    pub range: TextRange,
    pub in_async: bool,
}

#[derive(Clone, Debug)]
pub struct FileBlocker {
    pub reason: String,
    pub range: TextRange,
}

/// A use of a name imported from `std::sync` or `parking_lot`.
#[derive(Clone, Debug)]
pub struct NameUse {
    /// The `use` tree that brings the name into scope (a name or a glob).
    pub import: TextRange,
    pub name: String,
    pub range: TextRange,
}

#[derive(Default, Debug)]
pub struct FileFacts {
    pub decls: Vec<DeclFact>,
    pub sites: Vec<SiteFact>,
    pub refs: Vec<RefFact>,
    pub links: Vec<(Vec<Target>, Target)>,
    /// The file has an `async fn main`.
    pub async_main: bool,
    pub calls: Vec<CallFact>,
    pub struct_fields: Vec<(String, String)>,
    pub unresolved: Vec<UnresolvedSite>,
    pub macro_uses: Vec<MacroUse>,
    pub file_blockers: Vec<FileBlocker>,
    pub imports: Vec<(String, String, TextRange)>,
    pub name_uses: Vec<NameUse>,
    /// The tree has an ERROR node: the file does not parse.
    pub has_error: bool,
    pub blocking: Vec<BlockingFact>,
    /// `// awaitify: allow(..)` comments and the code each one covers.
    pub allows: Vec<Allow>,
    /// The run must not change this file (excluded, or outside the paths
    /// given): it is read only so that locks it touches are not migrated.
    pub read_only: bool,
    /// Lock types the file's module re-exports (`pub use std::sync::Mutex as
    /// StdMutex;`): local name and full path.
    pub reexports: Vec<(String, String)>,
    /// The compilation unit the file belongs to (set by the run): empty for
    /// the crate's own code, `tests/NAME` (or `examples/`, `benches/`) for
    /// each integration test, example and bench, which is a crate of its own.
    pub unit: String,
    /// Fns that hand their closure parameter to `spawn_blocking` or
    /// `block_in_place` (tokio's `asyncify`): closures passed to them run
    /// off the executor.
    pub blocking_wrappers: Vec<String>,
    /// The file pauses tokio's clock (`start_paused`, `time::pause()`):
    /// its sleeps may be the point of a test.
    pub paused_clock: bool,
}

/// A suppression comment: `// awaitify: allow(AW101, blocking-sleep)` or
/// `allow(all)`, covering its own line when it follows code, else the item
/// or statement below it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Allow {
    /// The code it covers.
    pub range: TextRange,
    /// The comment itself.
    pub comment: TextRange,
    pub rules: Vec<String>,
}

impl FileFacts {
    /// Does a suppression comment cover `rule` at `offset`?
    pub fn allows(&self, rule: &crate::rules::Rule, offset: TextSize) -> bool {
        self.allows.iter().any(|a| {
            a.range.contains_inclusive(offset)
                && a.rules.iter().any(|r| crate::rules::selects(r, rule))
        })
    }

    /// Anything in this file that the crate-wide plan would use.
    pub fn mentions_locks(&self) -> bool {
        !(self.decls.is_empty()
            && self.sites.is_empty()
            && self.blocking.is_empty()
            && self.refs.is_empty()
            && self.imports.is_empty()
            && self.links.is_empty()
            && self.unresolved.is_empty()
            && self.macro_uses.is_empty())
    }
}

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

/// Lock methods that return the lock's guard.
const GUARD_METHODS: &[&str] = &["lock", "read", "write", "try_lock", "try_read", "try_write"];

/// Macros whose arguments are plain expressions.
const EXPR_MACROS: &[&str] = &[
    "println",
    "print",
    "eprintln",
    "eprint",
    "format",
    "write",
    "writeln",
    "assert",
    "assert_eq",
    "assert_ne",
    "debug_assert",
    "debug_assert_eq",
    "debug_assert_ne",
    "vec",
    "panic",
    "dbg",
    "format_args",
    "unreachable",
    "todo",
];

/// The `log` and `tracing` macros: format arguments after optional
/// `target:`/`parent:` and `key = ?value` fields (see `log_arguments`).
const LOG_MACROS: &[&str] = &["trace", "debug", "info", "warn", "error", "event", "log"];

/// A log macro's arguments as an expression list of the same length: the
/// `target:`/`parent:`/`name:` labels and the `?`/`%` sigils of fields are
/// blanked, so `key = ?value` reads as an assignment and offsets still match.
fn log_arguments(tt: &ast::TokenTree) -> String {
    // Top-level elements: tokens, and nested token trees kept whole.
    let elements: Vec<(SyntaxKind, String)> = tt
        .syntax()
        .children_with_tokens()
        .map(|e| (e.kind(), e.to_string()))
        .collect();
    if elements.len() < 2 {
        return String::new();
    }
    let significant: Vec<usize> = (0..elements.len())
        .filter(|&i| !elements[i].0.is_trivia())
        .collect();
    let mut blank = HashSet::new();
    for (k, &i) in significant.iter().enumerate() {
        let prev = k.checked_sub(1).map(|p| elements[significant[p]].0);
        let next = significant.get(k + 1).map(|&n| elements[n].0);
        let (kind, text) = &elements[i];
        let at_start = matches!(
            prev,
            None | Some(
                SyntaxKind::L_PAREN | SyntaxKind::L_CURLY | SyntaxKind::L_BRACK | SyntaxKind::COMMA
            )
        );
        let label = at_start
            && next == Some(SyntaxKind::COLON)
            && matches!(text.as_str(), "target" | "parent" | "name");
        let sigil = matches!(kind, SyntaxKind::QUESTION | SyntaxKind::PERCENT)
            && (at_start || prev == Some(SyntaxKind::EQ));
        if label {
            blank.insert(i);
            blank.insert(significant[k + 1]);
        } else if sigil {
            blank.insert(i);
        }
    }
    let inner = &elements[1..elements.len() - 1];
    inner
        .iter()
        .enumerate()
        .map(|(i, (_, text))| {
            if blank.contains(&(i + 1)) {
                " ".repeat(text.len())
            } else {
                text.clone()
            }
        })
        .collect()
}

/// Method calls that pass a lock through unchanged when finding what a
/// receiver refers to.
const PASS_THROUGH: &[&str] = &[
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

struct Extractor<'a> {
    imports: &'a Imports,
    /// Last path segments that can name a lock type or a std::sync import.
    lock_names: HashSet<String>,
    flow_names: Option<&'a HashSet<String>>,
    /// The context of the node being visited (see `frame_context`).
    ctx: SiteContext,
    /// The innermost fn around it.
    in_fn: Option<std::sync::Arc<str>>,
    /// Only blocking calls, calls and loops are extracted (see `extract`).
    blocking_only: bool,
    /// Functions the configuration declares blocking.
    user_blocking: &'a [crate::config::UserBlocking],
    file_id: usize,
    edition: Edition,
    facts: FileFacts,
    /// The file's root, and the shift of the macro being visited (see `visit`).
    root: SyntaxNode,
    shift: u32,
}

/// Extracts a file's facts. `flow_names`, when given, limits the flows
/// recorded (arguments, struct literal fields, assignments) to those that
/// name a known declaration: enough for files that name no lock type.
/// `blocking_only` extracts just what the blocking rules need (calls,
/// blocking calls, loops), for files read only for those.
pub fn extract(
    file: &SourceFile,
    text: &str,
    file_id: usize,
    edition: Edition,
    flow_names: Option<&HashSet<String>>,
    blocking_only: bool,
    krate: &CrateContext,
) -> FileFacts {
    let user_blocking = krate.user_blocking;
    let imports = Imports::collect(file, text).with_reexports(krate.reexports);
    let mut lock_names: HashSet<String> = [
        "Mutex",
        "RwLock",
        "MutexGuard",
        "RwLockReadGuard",
        "RwLockWriteGuard",
    ]
    .map(String::from)
    .into();
    let mut facts = FileFacts::default();
    for import in imports.all() {
        let path = import.path.clone();
        if tracked_import(&path) {
            // Only lock types matter to other modules' resolution.
            if import.public
                && classify(&path).is_some()
                && imports.exported().any(|e| e.tree == import.tree)
            {
                facts.reexports.push((import.local.clone(), path.clone()));
            }
            // A glob: every name it brings in is counted, so that one the
            // migration leaves unused can be replaced.
            let members = path
                .strip_suffix("::*")
                .and_then(crate::imports::glob_members)
                .unwrap_or_default();
            lock_names.extend(members.iter().map(|m| m.to_string()));
            facts
                .imports
                .push((import.local.clone(), path, import.tree));
            lock_names.insert(import.local.clone());
        }
    }
    let mut ex = Extractor {
        imports: &imports,
        file_id,
        edition,
        facts,
        lock_names,
        flow_names,
        ctx: SiteContext::Item,
        in_fn: None,
        blocking_only,
        user_blocking,
        root: file.syntax().clone(),
        shift: 0,
    };
    ex.facts.imports.sort_by_key(|i| i.2.start());
    if text.contains("awaitify:") {
        ex.facts.allows = allow_comments(file, text);
    }
    ex.facts.paused_clock = text.contains("start_paused") || text.contains("time::pause()");
    // Contexts are computed top-down: each fn, closure, async block and
    // static opens a frame whose context follows from its parent's.
    #[allow(clippy::type_complexity)]
    let mut frames: Vec<(SyntaxNode, (SiteContext, Option<std::sync::Arc<str>>))> = Vec::new();
    for event in file.syntax().preorder() {
        match event {
            ra_ap_syntax::WalkEvent::Enter(node) => {
                if node.kind() == SyntaxKind::ERROR {
                    ex.facts.has_error = true;
                }
                let key: Option<std::sync::Arc<str>> =
                    ast::Fn::cast(node.clone()).map(|f| fn_key(&f).into());
                if let Some(ctx) = frame_context(&node, &ex.ctx, key.as_ref()) {
                    let in_fn = key.or_else(|| ex.in_fn.clone());
                    let outer = (
                        std::mem::replace(&mut ex.ctx, ctx),
                        std::mem::replace(&mut ex.in_fn, in_fn),
                    );
                    frames.push((node.clone(), outer));
                }
                ex.visit(&node, &node, 0);
            }
            ra_ap_syntax::WalkEvent::Leave(node) => {
                if frames.last().is_some_and(|(n, _)| n == &node) {
                    (ex.ctx, ex.in_fn) = frames.pop().unwrap().1;
                }
            }
        }
    }
    ex.facts
}

impl Extractor<'_> {
    /// Visits one node. `anchor` is where the node stands in the real file (for
    /// nodes parsed out of a macro's tokens it is the macro call) and `shift`
    /// maps the node's offsets back to the file.
    fn visit(&mut self, node: &SyntaxNode, anchor: &SyntaxNode, shift: u32) {
        self.shift = shift;
        if self.blocking_only {
            // Calls (for blocking findings and helper chains), loops, paths
            // (uses of imports a fix may leave unused) and macro arguments
            // (which may hold blocking calls).
            match node.kind() {
                SyntaxKind::PATH => self.visit_path(&ast::Path::cast(node.clone()).unwrap(), shift),
                SyntaxKind::METHOD_CALL_EXPR | SyntaxKind::CALL_EXPR => {
                    self.visit_call_like(node, anchor, shift)
                }
                SyntaxKind::FOR_EXPR | SyntaxKind::WHILE_EXPR | SyntaxKind::LOOP_EXPR
                    if shift == 0 =>
                {
                    self.visit_loop(node)
                }
                SyntaxKind::MACRO_CALL if shift == 0 => {
                    self.visit_macro(&ast::MacroCall::cast(node.clone()).unwrap())
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
            self.visit_path(&path, shift);
        }
        if shift != 0 {
            if let Some(call) = ast::MethodCallExpr::cast(node.clone()) {
                self.visit_method_call(&call, anchor, shift);
            }
            if matches!(
                node.kind(),
                SyntaxKind::METHOD_CALL_EXPR | SyntaxKind::CALL_EXPR
            ) {
                self.visit_call_like(node, anchor, shift);
            }
            return;
        }
        match node.kind() {
            SyntaxKind::RECORD_FIELD | SyntaxKind::TUPLE_FIELD => self.visit_record_field(node),
            SyntaxKind::STATIC | SyntaxKind::CONST => self.visit_static(node),
            SyntaxKind::LET_STMT => self.visit_let(&ast::LetStmt::cast(node.clone()).unwrap()),
            SyntaxKind::FN => self.visit_fn(&ast::Fn::cast(node.clone()).unwrap()),
            SyntaxKind::TYPE_ALIAS => self.visit_type_alias(node),
            SyntaxKind::METHOD_CALL_EXPR => {
                let call = ast::MethodCallExpr::cast(node.clone()).unwrap();
                self.visit_method_call(&call, node, 0);
                self.visit_call_like(node, node, 0);
            }
            SyntaxKind::CALL_EXPR => self.visit_call_like(node, node, 0),
            SyntaxKind::RECORD_EXPR_FIELD => self.visit_record_expr_field(node),
            SyntaxKind::FOR_EXPR | SyntaxKind::WHILE_EXPR | SyntaxKind::LOOP_EXPR => {
                self.visit_loop(node)
            }
            SyntaxKind::BIN_EXPR => self.visit_assign(node),
            SyntaxKind::MACRO_CALL => {
                self.visit_macro(&ast::MacroCall::cast(node.clone()).unwrap())
            }
            _ => {}
        }
    }

    /// A CPU-heavy loop in async code (AW206).
    fn visit_loop(&mut self, node: &SyntaxNode) {
        if self.ctx != SiteContext::Async || !crate::blocking::heavy_loop(node) {
            return;
        }
        let keyword = node
            .first_token()
            .map_or(node.text_range(), |t| t.text_range());
        let call = crate::blocking::BlockingCall {
            kind: crate::blocking::BlockingKind::Heavy,
            what: "a loop with no `.await`".to_string(),
            path: keyword,
            call: node.text_range(),
        };
        self.facts.blocking.push(BlockingFact {
            call,
            ctx: self.ctx.clone(),
            wrap: None,
            in_test: in_test_code(node),
            deferred: false,
            closure_callee: None,
            driver: self.driver(node),
        });
    }

    /// What drives async code at `node` (see `Driver`).
    fn driver(&self, node: &SyntaxNode) -> Driver {
        // Outside async code only a future handed straight to a driver
        // (`rt.block_on(serve())`) has one.
        let own = self.ctx != SiteContext::Async;
        for a in node.ancestors().take(if own { 1 } else { usize::MAX }) {
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
                    return Driver::Fn(fn_key(&f).into());
                }
                SyntaxKind::CLOSURE_EXPR
                    if ast::ClosureExpr::cast(a.clone())
                        .unwrap()
                        .async_token()
                        .is_none() =>
                {
                    return Driver::Unknown
                }
                _ => {}
            }
        }
        Driver::Unknown
    }

    /// The executor a call hands its future argument to, when known.
    fn driver_call(&self, call: &SyntaxNode) -> Option<Driver> {
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
        } else if other_path(&built) {
            Some(Driver::Other)
        } else {
            // Some other executor's `spawn` or `block_on`.
            Some(Driver::Unknown)
        }
    }

    /// The lock type a path names; paths whose last segment cannot name one
    /// are rejected before any allocation.
    fn lock_type(&self, path: &ast::Path) -> Option<(Family, LockType)> {
        let name = path.segment()?.name_ref()?;
        if !self.lock_names.contains(name.text()) {
            return None;
        }
        classify(
            &self
                .imports
                .resolve(&segments(path)?, self.offset_of(path.syntax())),
        )
    }

    /// Where a node stands in the file: nodes parsed out of a macro's tokens
    /// are moved back by the macro's shift.
    fn offset_of(&self, node: &SyntaxNode) -> TextSize {
        let start = node.text_range().start();
        if self.shift != 0 && node.ancestors().last().as_ref() != Some(&self.root) {
            start + TextSize::from(self.shift)
        } else {
            start
        }
    }

    fn visit_path(&mut self, path: &ast::Path, shift: u32) {
        let named = path
            .segment()
            .and_then(|s| s.name_ref())
            .is_some_and(|n| self.lock_names.contains(n.text()));
        if !named {
            return;
        }
        if path
            .syntax()
            .ancestors()
            .any(|a| a.kind() == SyntaxKind::USE)
        {
            return;
        }
        let Some(segs) = segments(path) else { return };
        let import = (segs.len() == 1 && path.qualifier().is_none())
            .then(|| {
                self.imports
                    .import_for(&segs[0], self.offset_of(path.syntax()))
            })
            .flatten();
        if let Some(import) = import.filter(|i| tracked_import(&i.path)) {
            let name_range = path
                .segment()
                .and_then(|s| s.name_ref())
                .map(|n| n.syntax().text_range());
            self.facts.name_uses.push(NameUse {
                import: import.tree,
                name: segs[0].clone(),
                range: name_range.unwrap_or(path.syntax().text_range()) + TextSize::from(shift),
            });
        }
        let Some((family, lock)) = self.lock_type(path) else {
            return;
        };
        if family == Family::Tokio {
            return;
        }
        // `Mutex<u64>`: the path without its generic arguments.
        let Some(name_end) = path
            .segment()
            .and_then(|s| s.name_ref())
            .map(|n| n.syntax().text_range().end())
        else {
            return;
        };
        let range = TextRange::new(path.syntax().text_range().start(), name_end);
        let owners = if shift == 0 {
            self.owners(path.syntax())
        } else {
            Vec::new()
        };
        let const_new = (shift == 0).then(|| self.const_new_segment(path)).flatten();
        self.facts.refs.push(RefFact {
            range: range + TextSize::from(shift),
            family,
            lock,
            via_import: import.map(|i| i.tree),
            owners,
            const_new,
        });
    }

    /// `Mutex::new(..)` as the whole value (or inside struct literals, arrays and
    /// tuples) of a static or const: `new` must become `const_new`.
    fn const_new_segment(&self, path: &ast::Path) -> Option<TextRange> {
        let parent = ast::Path::cast(path.syntax().parent()?)?;
        let seg = parent.segment()?;
        if seg.name_ref()?.text() != "new" {
            return None;
        }
        // Anywhere in a `const fn` (outside closures): `Mutex::new` there
        // must stay const.
        let const_fn = parent
            .syntax()
            .ancestors()
            .take_while(|a| a.kind() != SyntaxKind::CLOSURE_EXPR)
            .find_map(ast::Fn::cast)
            .is_some_and(|f| f.const_token().is_some());
        if const_fn {
            return Some(seg.syntax().text_range());
        }
        let mut node = parent.syntax().parent()?; // PATH_EXPR
        loop {
            let up = node.parent()?;
            match up.kind() {
                SyntaxKind::STATIC | SyntaxKind::CONST => return Some(seg.syntax().text_range()),
                SyntaxKind::CALL_EXPR
                | SyntaxKind::ARG_LIST
                | SyntaxKind::RECORD_EXPR_FIELD
                | SyntaxKind::RECORD_EXPR_FIELD_LIST
                | SyntaxKind::RECORD_EXPR
                | SyntaxKind::ARRAY_EXPR
                | SyntaxKind::TUPLE_EXPR
                | SyntaxKind::PAREN_EXPR => node = up,
                _ => return None,
            }
        }
    }

    /// Who owns a type or constructor path: the declaration whose type or value
    /// it is part of, nearest first.
    fn owners(&self, node: &SyntaxNode) -> Vec<Target> {
        let mut out = Vec::new();
        let mut child = node.clone();
        for up in node.ancestors().skip(1) {
            match up.kind() {
                SyntaxKind::RECORD_FIELD | SyntaxKind::TUPLE_FIELD => {
                    if let Some(key) = field_key(&up) {
                        out.push(Target::Key(key));
                    }
                    return out;
                }
                SyntaxKind::STATIC | SyntaxKind::CONST => {
                    if let Some(name) = item_name(&up) {
                        out.push(Target::Static(name));
                    }
                    return out;
                }
                SyntaxKind::TYPE_ALIAS => {
                    if let Some(name) = item_name(&up) {
                        out.push(Target::Key(format!("alias:{name}")));
                    }
                    return out;
                }
                SyntaxKind::PARAM => {
                    if let Some(key) = self.param_key(&up) {
                        out.push(Target::Key(key));
                    }
                    return out;
                }
                SyntaxKind::RET_TYPE => {
                    if let Some(f) = up.parent().and_then(ast::Fn::cast) {
                        out.push(Target::Key(format!("ret:{}", fn_key(&f))));
                    }
                    return out;
                }
                SyntaxKind::LET_STMT => {
                    let let_stmt = ast::LetStmt::cast(up.clone()).unwrap();
                    if self.let_is_decl(&let_stmt) {
                        out.push(Target::Key(self.local_key(&let_stmt)));
                    } else if let Some(init) = let_stmt.initializer() {
                        // `let db: Db = ..`: the local, if `Db` is a lock alias.
                        if alias_typed(&let_stmt) {
                            out.push(Target::Key(self.local_key(&let_stmt)));
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
                    return out;
                }
                SyntaxKind::RECORD_EXPR_FIELD => {
                    if let Some(key) = record_expr_field_key(&up) {
                        out.push(Target::Key(key));
                    }
                    return out;
                }
                SyntaxKind::ARG_LIST => {
                    if let Some(t) = self.param_target(&up, &child, &up) {
                        out.push(t);
                    }
                    // `S.get_or_init(|| RwLock::new(..))`: the value is the
                    // receiver's.
                    let init =
                        ast::MethodCallExpr::cast(up.parent().unwrap_or(up.clone())).filter(|m| {
                            m.name_ref().is_some_and(|n| {
                                ["get_or_init", "get_or_try_init", "get_or_insert_with"]
                                    .contains(&n.text())
                            })
                        });
                    if let Some(recv) = init.and_then(|m| m.receiver()) {
                        out.extend(self.root(&recv, &up, 0));
                        return out;
                    }
                }
                SyntaxKind::BIN_EXPR => {
                    let bin = ast::BinExpr::cast(up.clone()).unwrap();
                    if is_assign(&bin) {
                        if let Some(lhs) = bin.lhs() {
                            out.extend(self.root(&lhs, &up, 0));
                        }
                        return out;
                    }
                }
                SyntaxKind::RETURN_EXPR => {
                    if let Some(f) = up.ancestors().find_map(ast::Fn::cast) {
                        out.push(Target::Key(format!("ret:{}", fn_key(&f))));
                    }
                    return out;
                }
                SyntaxKind::STMT_LIST => {
                    // The tail expression of a fn body is its return value.
                    let is_tail = ast::StmtList::cast(up.clone())
                        .and_then(|l| l.tail_expr())
                        .is_some_and(|t| t.syntax() == &child);
                    let body_of = up.parent().and_then(|b| b.parent());
                    match body_of.as_ref().and_then(|b| ast::Fn::cast(b.clone())) {
                        Some(f) if is_tail => out.push(Target::Key(format!("ret:{}", fn_key(&f)))),
                        // The tail of a closure or a plain block is its value:
                        // `LazyLock::new(|| { ..; RwLock::new(m) })`.
                        None if is_tail
                            && up.parent().and_then(ast::BlockExpr::cast).is_some_and(|b| {
                                b.async_token().is_none()
                                    && b.const_token().is_none()
                                    && b.unsafe_token().is_none()
                            }) =>
                        {
                            child = up;
                            continue;
                        }
                        _ => {}
                    }
                    return out;
                }
                SyntaxKind::FN | SyntaxKind::IMPL => return out,
                _ => {}
            }
            child = up;
        }
        out
    }

    fn param_target(
        &self,
        arg_list: &SyntaxNode,
        arg: &SyntaxNode,
        anchor: &SyntaxNode,
    ) -> Option<Target> {
        let index = ast::ArgList::cast(arg_list.clone())?
            .args()
            .position(|a| a.syntax() == arg)?;
        let call = arg_list.parent()?;
        if let Some(mc) = ast::MethodCallExpr::cast(call.clone()) {
            let name = mc.name_ref()?.text().to_string();
            return Some(Target::Param {
                name,
                qual: None,
                method: true,
                index,
            });
        }
        let ce = ast::CallExpr::cast(call)?;
        let ast::Expr::PathExpr(pe) = ce.expr()? else {
            return None;
        };
        let segs = segments(&pe.path()?)?;
        // `Shared(value)`, `Event::Lock(value)`: a positional field.
        let upper = |s: &String| s.starts_with(|c: char| c.is_ascii_uppercase());
        let owner = match segs.as_slice() {
            [.., e, v] if upper(e) && upper(v) => Some(format!("{e}::{v}")),
            [.., v] if upper(v) => Some(v.clone()),
            _ => None,
        };
        if let Some(owner) = owner {
            return Some(Target::Field {
                name: index.to_string(),
                owner: Some(owner),
            });
        }
        let (name, qual) = self.split_qual(&segs, anchor, self.offset_of(pe.syntax()));
        Some(Target::Param {
            name,
            qual,
            method: false,
            index,
        })
    }

    fn lock_in_type(&self, ty: &SyntaxNode) -> Option<(Family, LockType)> {
        ty.descendants()
            .filter_map(ast::Path::cast)
            .filter_map(|p| self.lock_type(&p))
            .find(|(f, l)| *f != Family::Tokio && !l.is_guard())
    }

    /// The std or parking_lot guard a type names, as the lock it guards.
    fn guard_in_type(&self, ty: &SyntaxNode) -> Option<(Family, LockType)> {
        ty.descendants()
            .filter_map(ast::Path::cast)
            .filter_map(|p| self.lock_type(&p))
            .find(|(f, l)| *f != Family::Tokio && l.is_guard())
            .map(|(f, l)| {
                let lock = if l == LockType::MutexGuard {
                    LockType::Mutex
                } else {
                    LockType::RwLock
                };
                (f, lock)
            })
    }

    /// Does a type name a lock of another library (`async_lock::Mutex`)?
    fn other_lock_in_type(&self, ty: &SyntaxNode) -> bool {
        ty.descendants().filter_map(ast::Path::cast).any(|p| {
            p.segment()
                .and_then(|s| s.name_ref())
                .is_some_and(|n| ["Mutex", "RwLock"].contains(&n.text()))
                && self.lock_type(&p).is_none()
        })
    }

    fn type_names(ty: &SyntaxNode) -> Vec<String> {
        ty.descendants()
            .filter_map(ast::NameRef::cast)
            .map(|n| n.text().to_string())
            .filter(|n| n.starts_with(|c: char| c.is_ascii_uppercase()))
            .collect()
    }

    fn push_decl(
        &mut self,
        key: String,
        display: String,
        node: &SyntaxNode,
        name_range: TextRange,
    ) {
        let lock = self.lock_in_type(node);
        let names = Self::type_names(node);
        let Some((family, lock)) = lock else {
            // Maybe a lock type alias; the crate-wide index decides.
            if !names.is_empty() {
                self.facts.decls.push(DeclFact {
                    key,
                    display,
                    lock: LockType::Mutex,
                    family: Family::Tokio, // placeholder: not a lock unless an alias says so
                    range: name_range,
                    blockers: Vec::new(),
                    type_names: names,
                    public: false,
                    api_item: None,
                    private_mods: Vec::new(),
                    exported: false,
                    guard: false,
                });
            }
            return;
        };
        let mut blockers = Vec::new();
        if let Some(f) = node.descendants().filter_map(ast::NameRef::cast).find(|n| {
            matches!(
                n.text(),
                "const_mutex" | "const_fair_mutex" | "const_rwlock" | "const_reentrant_mutex"
            )
        }) {
            blockers.push(format!(
                "it is built with parking_lot's `{}`, which the rewrite does not translate",
                f.text()
            ));
        }
        if names.iter().any(|n| n == "Condvar") {
            blockers
                .push("it is paired with a `Condvar`, which has no tokio equivalent".to_string());
        }
        let (public, api_item, private_mods) = api_visibility(node);
        self.facts.decls.push(DeclFact {
            key,
            display,
            lock,
            family,
            range: name_range,
            blockers,
            type_names: names,
            public,
            api_item,
            private_mods,
            exported: false,
            guard: false,
        });
    }

    /// A struct or variant field, named (`m: Mutex<T>`) or positional
    /// (`struct Shared(Mutex<T>)`, whose field is `0`).
    fn visit_record_field(&mut self, node: &SyntaxNode) {
        let (name_range, ty) = match ast::RecordField::cast(node.clone()) {
            Some(field) => (field.name().map(|n| n.syntax().text_range()), field.ty()),
            None => {
                let field = ast::TupleField::cast(node.clone()).unwrap();
                (field.ty().map(|t| t.syntax().text_range()), field.ty())
            }
        };
        let (Some(key), Some(name_range), Some(ty)) = (field_key(node), name_range, ty) else {
            return;
        };
        let name = key
            .rsplit_once('.')
            .map(|(_, n)| n.to_string())
            .unwrap_or_default();
        let owner = key
            .trim_start_matches("field:")
            .rsplit_once('.')
            .map(|(o, _)| o.to_string())
            .unwrap_or_default();
        self.facts.struct_fields.push((owner.clone(), name.clone()));
        if ty
            .syntax()
            .descendants()
            .filter_map(ast::Path::cast)
            .any(|p| {
                self.lock_type(&p)
                    .is_some_and(|(f, l)| f == Family::Std && l.is_guard())
            })
        {
            self.facts.file_blockers.push(FileBlocker {
                reason: format!("a std lock guard is stored in `{owner}`"),
                range: name_range,
            });
        }
        self.push_decl(key, format!("`{owner}.{name}`"), ty.syntax(), name_range);
    }

    fn visit_static(&mut self, node: &SyntaxNode) {
        let Some(name) = item_name(node) else { return };
        let name_range = node
            .children()
            .find(|c| c.kind() == SyntaxKind::NAME)
            .map(|n| n.text_range());
        let Some(name_range) = name_range else { return };
        let kind = if node.kind() == SyntaxKind::STATIC {
            "static"
        } else {
            "const"
        };
        self.push_decl(
            format!("static:{name}"),
            format!("{kind} `{name}`"),
            node,
            name_range,
        );
    }

    fn visit_type_alias(&mut self, node: &SyntaxNode) {
        let alias = ast::TypeAlias::cast(node.clone()).unwrap();
        let (Some(name), Some(ty)) = (alias.name(), alias.ty()) else {
            return;
        };
        self.push_decl(
            format!("alias:{}", name.text()),
            format!("type `{}`", name.text()),
            ty.syntax(),
            name.syntax().text_range(),
        );
    }

    fn let_is_decl(&self, let_stmt: &ast::LetStmt) -> bool {
        if let Some(ty) = let_stmt.ty() {
            return self.lock_in_type(ty.syntax()).is_some();
        }
        let Some(init) = let_stmt.initializer() else {
            return false;
        };
        init.syntax()
            .descendants()
            .filter_map(ast::Path::cast)
            .any(|p| {
                self.lock_type(&p)
                    .is_some_and(|(f, l)| f != Family::Tokio && !l.is_guard())
                    && self.value_reaches(p.syntax(), init.syntax())
            })
    }

    /// Does the value built at `node` end up as the value of `top` itself
    /// (through std wrappers like `Arc::new`), rather than in a struct field
    /// or an argument of some other function?
    fn value_reaches(&self, node: &SyntaxNode, top: &SyntaxNode) -> bool {
        for up in node.ancestors() {
            match up.kind() {
                // A closure's parameter or return type names what it takes
                // or makes, and a closure or async block bound as the value
                // is code, not a lock (`let f = |m: Arc<Mutex<T>>| ..`).
                SyntaxKind::PARAM_LIST | SyntaxKind::RET_TYPE => return false,
                SyntaxKind::CLOSURE_EXPR if &up == top => return false,
                SyntaxKind::BLOCK_EXPR
                    if ast::BlockExpr::cast(up.clone())
                        .is_some_and(|b| b.async_token().is_some()) =>
                {
                    return false
                }
                _ => {}
            }
            if &up == top {
                return true;
            }
            match up.kind() {
                SyntaxKind::RECORD_EXPR_FIELD => return false,
                // An argument of a method call (`v.push(Mutex::new(0))`).
                SyntaxKind::METHOD_CALL_EXPR
                    if ast::MethodCallExpr::cast(up.clone())
                        .and_then(|m| m.arg_list())
                        .is_some_and(|a| {
                            a.syntax().text_range().contains_range(node.text_range())
                        }) =>
                {
                    return false;
                }
                SyntaxKind::ARG_LIST => {
                    let callee = up
                        .parent()
                        .and_then(ast::CallExpr::cast)
                        .and_then(|c| c.expr())
                        .and_then(|e| match e {
                            ast::Expr::PathExpr(p) => p.path().and_then(|p| segments(&p)),
                            _ => None,
                        });
                    let wrapper = callee.is_some_and(|segs| {
                        matches!(
                            segs.first().map(String::as_str),
                            Some("Some" | "Ok" | "Box")
                        ) || self
                            .imports
                            .resolve(&segs, self.offset_of(&up))
                            .starts_with("std::")
                    });
                    if !wrapper {
                        return false;
                    }
                }
                _ => {}
            }
        }
        false
    }

    fn local_key(&self, let_stmt: &ast::LetStmt) -> String {
        format!(
            "local:{}:{}",
            self.file_id,
            u32::from(let_stmt.syntax().text_range().start())
        )
    }

    fn visit_let(&mut self, let_stmt: &ast::LetStmt) {
        if !self.let_is_decl(let_stmt) && !alias_typed(let_stmt) {
            return;
        }
        let Some(ast::Pat::IdentPat(pat)) = let_stmt.pat() else {
            return;
        };
        let Some(name) = pat.name() else { return };
        let key = self.local_key(let_stmt);
        self.push_decl(
            key.clone(),
            format!("local `{}`", name.text()),
            let_stmt.syntax(),
            name.syntax().text_range(),
        );
        if let Some(init) = let_stmt.initializer() {
            if let Some(t) = self.root(&init, let_stmt.syntax(), 0) {
                self.facts.links.push((vec![Target::Key(key)], t));
            }
        }
    }

    fn param_key(&self, param: &SyntaxNode) -> Option<String> {
        let list = ast::ParamList::cast(param.parent()?)?;
        let f = ast::Fn::cast(list.syntax().parent()?)?;
        let index = list.params().position(|p| p.syntax() == param)?;
        Some(format!("param:{}#{index}", fn_key(&f)))
    }

    fn visit_fn(&mut self, f: &ast::Fn) {
        let key = fn_key(f);
        if hands_param_to_blocking_pool(f) {
            if let Some(name) = f.name() {
                self.facts.blocking_wrappers.push(name.text().to_string());
            }
        }
        self.facts.async_main |= key == "main" && f.async_token().is_some();
        if let Some(list) = f.param_list() {
            for (index, param) in list.params().enumerate() {
                let (Some(ty), Some(pat)) = (param.ty(), param.pat()) else {
                    continue;
                };
                if let (None, Some((family, lock))) = (
                    self.lock_in_type(ty.syntax()),
                    self.guard_in_type(ty.syntax()),
                ) {
                    let (guard_public, guard_item, guard_mods) = api_visibility(ty.syntax());
                    self.facts.decls.push(DeclFact {
                        key: format!("param:{key}#{index}"),
                        display: format!("parameter `{}` of `{key}`", pat.syntax().text()),
                        lock,
                        family,
                        range: pat.syntax().text_range(),
                        blockers: Vec::new(),
                        type_names: Vec::new(),
                        public: guard_public,
                        api_item: guard_item.clone(),
                        private_mods: guard_mods.clone(),
                        exported: false,
                        guard: true,
                    });
                    continue;
                }
                self.push_decl(
                    format!("param:{key}#{index}"),
                    format!("parameter `{}` of `{key}`", pat.syntax().text()),
                    ty.syntax(),
                    pat.syntax().text_range(),
                );
            }
        }
        if let Some(ret) = f.ret_type() {
            if let Some(name) = f.name() {
                self.push_decl(
                    format!("ret:{key}"),
                    format!("return value of `{key}`"),
                    ret.syntax(),
                    name.syntax().text_range(),
                );
            }
            let tail = f
                .body()
                .and_then(|b| b.stmt_list())
                .and_then(|l| l.tail_expr());
            if let Some(t) = tail.and_then(|tail| self.root(&tail, tail.syntax(), 0)) {
                self.facts
                    .links
                    .push((vec![Target::Key(format!("ret:{key}"))], t));
            }
        }
    }

    /// The fn key a call names exactly, if it does.
    fn callee_key(&self, node: &SyntaxNode, anchor: &SyntaxNode, name: &str) -> Option<String> {
        if let Some(mc) = ast::MethodCallExpr::cast(node.clone()) {
            let recv = mc.receiver()?;
            return if recv.syntax().text() == "self" {
                Some(format!("{}::{name}", impl_type(anchor)?))
            } else {
                None
            };
        }
        let ast::Expr::PathExpr(pe) = ast::CallExpr::cast(node.clone())?.expr()? else {
            return None;
        };
        let segs = segments(&pe.path()?)?;
        match segs.as_slice() {
            [_] => Some(name.to_string()),
            [.., q, _] if q == "Self" => Some(format!("{}::{name}", impl_type(anchor)?)),
            [.., q, _] if q.starts_with(|c: char| c.is_ascii_uppercase()) => {
                Some(format!("{q}::{name}"))
            }
            _ => None,
        }
    }

    /// A call: for the sync-helper analysis, and for flows from arguments into
    /// lock parameters. `anchor` is where it stands in the file (see `visit`).
    fn visit_call_like(&mut self, node: &SyntaxNode, anchor: &SyntaxNode, shift: u32) {
        let callee = if let Some(mc) = ast::MethodCallExpr::cast(node.clone()) {
            mc.name_ref().map(|n| n.text().to_string())
        } else {
            ast::CallExpr::cast(node.clone())
                .and_then(|c| c.expr())
                .and_then(|e| match e {
                    ast::Expr::PathExpr(p) => p
                        .path()?
                        .segment()?
                        .name_ref()
                        .map(|n| n.text().to_string()),
                    _ => None,
                })
        };
        let Some(callee) = callee else { return };
        let flows = self.flow_names.is_none_or(|names| names.contains(&callee));
        let ctx = self.ctx.clone();
        let scope = if shift == 0 { node } else { anchor };
        let bound = |e: &ast::Expr| -> Option<(ast::Expr, Option<usize>)> {
            let ast::Expr::PathExpr(p) = e else {
                return None;
            };
            let name = p.path()?.as_single_name_ref()?.text().to_string();
            let_binding(&name, scope)
        };
        if let Some(call) =
            crate::blocking::classify(self.imports, node, shift, &bound, self.user_blocking)
        {
            let heavy = matches!(
                call.kind,
                crate::blocking::BlockingKind::Heavy
                    | crate::blocking::BlockingKind::User { heavy: true, .. }
            );
            let wrap = (heavy && shift == 0 && ctx == SiteContext::Async)
                .then(|| spawn_blocking_wrap(node))
                .flatten();
            self.facts.blocking.push(BlockingFact {
                call,
                ctx: ctx.clone(),
                wrap,
                in_test: in_test_code(anchor),
                deferred: deferred_closure(anchor),
                closure_callee: (ctx == SiteContext::SyncInAsync)
                    .then(|| closure_callee(anchor))
                    .flatten(),
                driver: self.driver(anchor),
            });
        }
        let callee_key = self.callee_key(node, anchor, &callee);
        let spawner = matches!(
            callee.as_str(),
            "spawn" | "spawn_blocking" | "block_in_place"
        );
        // For the blocking rules alone, helper chains need only calls that
        // name their fn exactly.
        if !self.blocking_only || callee_key.is_some() {
            self.facts.calls.push(CallFact {
                callee,
                in_fn: self.in_fn.clone(),
                ctx,
                range: node.text_range() + TextSize::from(shift),
                awaited: node
                    .parent()
                    .is_some_and(|p| p.kind() == SyntaxKind::AWAIT_EXPR),
                deferred: deferred_closure(anchor),
                driver: if callee_key.is_some() {
                    self.driver(if shift == 0 { node } else { anchor })
                } else {
                    Driver::Unknown
                },
                callee_key,
            });
        }
        // `std::thread::spawn(worker)`: a fn handed by name to a spawner
        // that runs it off the runtime is called from blocking code.
        if let Some(args) = ast::CallExpr::cast(node.clone())
            .and_then(|c| c.arg_list())
            .or_else(|| ast::MethodCallExpr::cast(node.clone()).and_then(|m| m.arg_list()))
            .filter(|_| spawner)
        {
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
                        callee_key: Some(name.clone()),
                        callee: name,
                        in_fn: self.in_fn.clone(),
                        ctx: SiteContext::Blocking,
                        range: arg.syntax().text_range(),
                        awaited: false,
                        deferred: false,
                        driver: Driver::Unknown,
                    });
                }
            }
        }
        if self.blocking_only {
            return;
        }
        // Flows from arguments into lock parameters.
        let args = if let Some(mc) = ast::MethodCallExpr::cast(node.clone()) {
            mc.arg_list()
        } else {
            ast::CallExpr::cast(node.clone()).and_then(|c| c.arg_list())
        };
        if let Some(args) = args.filter(|_| flows) {
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
    }

    fn visit_record_expr_field(&mut self, node: &SyntaxNode) {
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
            Some(e) => self.root(&e, node, 0),
            // Shorthand `S { m }`.
            None => field
                .name_ref()
                .and_then(|n| self.lookup_var(n.text(), node, 0)),
        };
        if let Some(t) = value {
            self.facts.links.push((vec![Target::Key(key)], t));
        }
    }

    fn visit_assign(&mut self, node: &SyntaxNode) {
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

    fn visit_macro(&mut self, mac: &ast::MacroCall) {
        let Some(name) = mac
            .path()
            .and_then(|p| segments(&p))
            .and_then(|s| s.last().cloned())
        else {
            return;
        };
        let Some(tt) = mac.token_tree() else { return };
        let text = tt.syntax().text().to_string();
        if text.len() < 2 {
            return;
        }
        let start = u32::from(tt.syntax().text_range().start()) + 1;
        let known = EXPR_MACROS.contains(&name.as_str());
        // A log macro is parsed only where it may hold a lock site; its
        // other places resolve from its tokens like any macro's.
        let log = LOG_MACROS.contains(&name.as_str()) && has_lock_call(&text);
        let inner = if log {
            log_arguments(&tt)
        } else {
            text[1..text.len() - 1].to_string()
        };
        let (prefix, suffix) = if name == "vec" {
            ("fn __awaitify() { [", "\n]; }")
        } else {
            ("fn __awaitify() { __m(", "\n); }")
        };
        if known || log {
            // Ranges in the wrapper move back by `shift` into the file. A
            // macro that starts closer to the file's start than the wrapper's
            // prefix is long cannot move (and `shift == 0` means "not in a
            // macro"): it is treated as an unknown macro.
            let shift = start.checked_sub(prefix.len() as u32).filter(|s| *s > 0);
            let parsed = SourceFile::parse(&format!("{prefix}{inner}{suffix}"), self.edition);
            if let (true, Some(shift)) = (parsed.errors().is_empty(), shift) {
                for node in parsed.syntax_node().descendants() {
                    self.visit(&node, mac.syntax(), shift);
                }
                self.shift = 0;
                return;
            }
        }
        self.macro_declarations(mac, &name, &inner, start);
        // An unknown macro: note the uses of tracked imports in its tokens,
        // and every place handed to it, so that a lock used here is never
        // migrated behind the macro's back.
        let tokens: Vec<_> = tt
            .syntax()
            .descendants_with_tokens()
            .filter_map(|t| t.into_token())
            .filter(|t| !t.kind().is_trivia())
            .collect();
        for t in &tokens {
            if t.kind() != SyntaxKind::IDENT {
                continue;
            }
            if let Some(import) = self
                .imports
                .import_for(t.text(), t.text_range().start())
                .filter(|i| tracked_import(&i.path))
            {
                self.facts.name_uses.push(NameUse {
                    import: import.tree,
                    name: t.text().to_string(),
                    range: t.text_range(),
                });
            }
        }
        let in_async = self.ctx == SiteContext::Async;
        let mut places: Vec<(Target, TextRange)> = Vec::new();
        // A local in scope, a field (`.name`, of the struct `x` or `self`
        // is, where known), or a static, as code around the macro would
        // resolve them.
        // In item position no local is in scope.
        let item_level = at_item_level(mac);
        for (i, t) in tokens.iter().enumerate() {
            if t.kind() != SyntaxKind::IDENT {
                continue;
            }
            let after_dot = i > 0 && tokens[i - 1].kind() == SyntaxKind::DOT;
            let before_colons = tokens
                .get(i + 1)
                .is_some_and(|n| n.kind() == SyntaxKind::COLON2);
            let name = t.text().to_string();
            let target = if after_dot {
                let base = i
                    .checked_sub(2)
                    .map(|b| &tokens[b])
                    .filter(|b| matches!(b.kind(), SyntaxKind::IDENT | SyntaxKind::SELF_KW));
                let owner = base.and_then(|b| match b.text() {
                    "self" => impl_type(mac.syntax()),
                    var => self.var_type_hint(var, mac.syntax()),
                });
                Some(Target::Field { name, owner })
            } else if before_colons {
                None
            } else if name.starts_with(|c: char| c.is_ascii_uppercase()) {
                Some(Target::Static(name))
            } else if item_level {
                None
            } else {
                match self.lookup_var(&name, mac.syntax(), 0) {
                    Some(Target::Static(_)) | None => None,
                    found => found,
                }
            };
            places.extend(target.map(|target| (target, t.text_range())));
        }
        let mut seen = HashSet::new();
        for (target, range) in places {
            if seen.insert(target.clone()) {
                self.facts.macro_uses.push(MacroUse {
                    macro_name: name.clone(),
                    target,
                    range,
                    in_async,
                });
            }
        }
    }

    /// An item-level macro the tool cannot read may declare locks
    /// (`pin_project! { struct S { m: Mutex<T> } }`). Where its tokens read as
    /// items, their fields and statics are declarations that can never be
    /// rewritten: a lock that flows into one is left to a person.
    fn macro_declarations(&mut self, mac: &ast::MacroCall, name: &str, inner: &str, start: u32) {
        if !at_item_level(mac) || !(inner.contains("Mutex") || inner.contains("RwLock")) {
            return;
        }
        let parsed = SourceFile::parse(inner, self.edition);
        if !parsed.errors().is_empty() {
            return;
        }
        let first = self.facts.decls.len();
        self.shift = start;
        for node in parsed.syntax_node().descendants() {
            match node.kind() {
                SyntaxKind::RECORD_FIELD | SyntaxKind::TUPLE_FIELD => {
                    self.visit_record_field(&node)
                }
                SyntaxKind::STATIC | SyntaxKind::CONST => self.visit_static(&node),
                _ => {}
            }
        }
        self.shift = 0;
        let reason = format!("it is declared inside `{name}!`, a macro the tool cannot rewrite");
        for d in &mut self.facts.decls[first..] {
            d.range += TextSize::from(start);
            d.blockers.push(reason.clone());
        }
    }

    fn visit_method_call(&mut self, call: &ast::MethodCallExpr, anchor: &SyntaxNode, shift: u32) {
        let Some(name) = call.name_ref() else { return };
        let method = name.text().to_string();
        if !LOCK_METHODS.contains(&method.as_str()) {
            return;
        }
        if call.arg_list().is_none_or(|a| a.args().next().is_some()) {
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
        let Some(target) = self.root(&recv, &scope_anchor, 0) else {
            if matches!(
                shape,
                SiteShape::Unwrapped { .. }
                    | SiteShape::IfLetOk { .. }
                    | SiteShape::MatchOk { .. }
                    | SiteShape::LetElseOk { .. }
            ) {
                let scope = anchor
                    .ancestors()
                    .find(|a| a.kind() == SyntaxKind::FN)
                    .unwrap_or_else(|| anchor.clone());
                let names_nearby = scope
                    .descendants()
                    .filter_map(ast::NameRef::cast)
                    .map(|n| n.text().to_string())
                    .collect();
                self.facts.unresolved.push(UnresolvedSite {
                    range: name.syntax().text_range() + TextSize::from(shift),
                    scope: scope.text_range(),
                    names_nearby,
                    in_async: self.ctx == SiteContext::Async,
                });
            }
            return;
        };
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
        let held_across_await = matches!(ctx, SiteContext::Async)
            && held_across_await(call.syntax(), anchor, shift != 0, self.edition);
        let guard_passed_to_wait = guard_passed_to_wait(call.syntax());
        let call_range = TextRange::new(
            name.syntax().text_range().start(),
            call.syntax().text_range().end(),
        ) + TextSize::from(shift);
        self.facts.sites.push(SiteFact {
            method,
            call: call_range,
            target,
            ctx,
            range: name.syntax().text_range() + TextSize::from(shift),
            shape,
            held_across_await,
            guard_fn,
            guard_passed_to_wait,
            in_fn: self.in_fn.clone(),
        });
    }

    /// A called path's fn name and the type it is qualified with: `Self` is
    /// the enclosing `impl`'s type, and a path through this crate's modules
    /// (`worker::run`, `crate::stats::summary`) names the fn itself, as an
    /// imported `run` would.
    fn split_qual(
        &self,
        segs: &[String],
        anchor: &SyntaxNode,
        offset: TextSize,
    ) -> (String, Option<String>) {
        let name = segs.last().cloned().unwrap_or_default();
        let [.., qual, _] = segs else {
            return (name, None);
        };
        if qual == "Self" {
            (
                name,
                Some(impl_type(anchor).unwrap_or_else(|| qual.clone())),
            )
        } else if self
            .imports
            .is_local_module(&segs[..segs.len() - 1], offset)
        {
            (name, None)
        } else {
            (name, Some(qual.clone()))
        }
    }

    /// What an expression refers to, peeling clones, borrows and unwraps.
    fn root(&self, expr: &ast::Expr, anchor: &SyntaxNode, depth: u32) -> Option<Target> {
        if depth > 8 {
            return None;
        }
        match expr {
            ast::Expr::ParenExpr(e) => self.root(&e.expr()?, anchor, depth + 1),
            ast::Expr::RefExpr(e) => self.root(&e.expr()?, anchor, depth + 1),
            ast::Expr::PrefixExpr(e) => self.root(&e.expr()?, anchor, depth + 1),
            ast::Expr::IndexExpr(e) => self.root(&e.base()?, anchor, depth + 1),
            ast::Expr::TryExpr(e) => self.root(&e.expr()?, anchor, depth + 1),
            ast::Expr::MethodCallExpr(mc) => {
                let name = mc.name_ref()?.text().to_string();
                if PASS_THROUGH.contains(&name.as_str()) {
                    self.root(&mc.receiver()?, anchor, depth + 1)
                } else if GUARD_METHODS.contains(&name.as_str()) {
                    // A guard: it follows its lock (into guard parameters).
                    self.root(&mc.receiver()?, anchor, depth + 1)
                } else if LOCK_METHODS.contains(&name.as_str()) {
                    None
                } else {
                    Some(Target::Call {
                        name,
                        qual: None,
                        method: true,
                    })
                }
            }
            ast::Expr::CallExpr(ce) => {
                let ast::Expr::PathExpr(pe) = ce.expr()? else {
                    return None;
                };
                let segs = segments(&pe.path()?)?;
                let last = segs.last()?.as_str();
                if last == "clone"
                    && segs.len() == 2
                    && matches!(segs[0].as_str(), "Arc" | "Rc" | "Clone")
                {
                    let arg = ce.arg_list()?.args().next()?;
                    return self.root(&arg, anchor, depth + 1);
                }
                let qualifier = self
                    .imports
                    .resolve(&segs[..segs.len() - 1], self.offset_of(ce.syntax()));
                if qualifier.starts_with("std::") || qualifier.starts_with("parking_lot") {
                    return None; // `Mutex::new(..)`, `Arc::new(..)`: a value, not a place
                }
                // `State(db)`, `Extension(x)`: a tuple struct around the value.
                if let [wrapper] = segs.as_slice() {
                    let mut args = ce.arg_list()?.args();
                    if let (true, Some(arg), None) = (
                        wrapper.starts_with(|c: char| c.is_ascii_uppercase()),
                        args.next(),
                        args.next(),
                    ) {
                        return self.root(&arg, anchor, depth + 1);
                    }
                }
                let (name, qual) = self.split_qual(&segs, anchor, self.offset_of(ce.syntax()));
                Some(Target::Call {
                    name,
                    qual,
                    method: false,
                })
            }
            ast::Expr::FieldExpr(fe) => {
                let name = fe.name_ref()?.text().to_string();
                // `pair.0` of a local tuple that holds a lock: the local.
                if name.starts_with(|c: char| c.is_ascii_digit()) {
                    if let ast::Expr::PathExpr(p) = fe.expr()? {
                        if let Some(base) = p.path()?.as_single_name_ref() {
                            if let Some(Target::Key(k)) =
                                self.lookup_var(base.text().as_ref(), anchor, depth)
                            {
                                if k.starts_with("local:") {
                                    return Some(Target::Key(k));
                                }
                            }
                        }
                    }
                }
                let owner = match fe.expr()? {
                    ast::Expr::PathExpr(p) => {
                        let segs = segments(&p.path()?)?;
                        if segs == ["self"] {
                            impl_type(anchor)
                        } else if segs.len() == 1 {
                            self.var_type_hint(&segs[0], anchor)
                        } else {
                            None
                        }
                    }
                    _ => None,
                };
                Some(Target::Field { name, owner })
            }
            ast::Expr::PathExpr(pe) => {
                let segs = segments(&pe.path()?)?;
                match segs.as_slice() {
                    [one] if one == "self" => None,
                    [one] if one.starts_with(|c: char| c.is_lowercase() || c == '_') => {
                        self.lookup_var(one, anchor, depth)
                    }
                    [.., last] => Some(Target::Static(last.clone())),
                    [] => None,
                }
            }
            _ => None,
        }
    }

    fn lookup_var(&self, name: &str, anchor: &SyntaxNode, depth: u32) -> Option<Target> {
        match find_binding(name, anchor) {
            Binding::Let(let_stmt) => {
                if self.let_is_decl(&let_stmt) {
                    Some(Target::Key(self.local_key(&let_stmt)))
                } else {
                    self.root(&let_stmt.initializer()?, let_stmt.syntax(), depth + 1)
                }
            }
            Binding::Param(f, index, param) => {
                // A lock type, or a type alias the crate-wide index may know
                // as one (`db: &Db`).
                let ty = param.ty()?;
                if self.lock_in_type(ty.syntax()).is_none()
                    && (Self::type_names(ty.syntax()).is_empty()
                        || self.other_lock_in_type(ty.syntax()))
                {
                    return None;
                }
                Some(Target::Key(format!("param:{}#{index}", fn_key(&f))))
            }
            Binding::From(e) => self.root(&e, e.syntax(), depth + 1),
            // `let (flag, cv) = &*pair;`: a part of what `pair` holds.
            Binding::Destructured(l)
                if matches!(strip_ref_pat(l.pat()), Some(ast::Pat::TuplePat(_))) =>
            {
                self.root(&l.initializer()?, l.syntax(), depth + 1)
            }
            Binding::Destructured(_) | Binding::Other => None,
            Binding::NotFound => Some(Target::Static(name.to_string())),
        }
    }

    /// The struct a variable's type names, for resolving `x.field`.
    fn var_type_hint(&self, name: &str, anchor: &SyntaxNode) -> Option<String> {
        let ty = match find_binding(name, anchor) {
            Binding::Let(l) => match (l.ty(), l.initializer()) {
                (Some(t), _) => t.syntax().clone(),
                (None, Some(ast::Expr::RecordExpr(r))) => r.path()?.syntax().clone(),
                (None, Some(ast::Expr::CallExpr(c))) => {
                    let ast::Expr::PathExpr(p) = c.expr()? else {
                        return None;
                    };
                    p.path()?.qualifier()?.syntax().clone()
                }
                _ => return None,
            },
            Binding::Param(_, _, p) => p.ty()?.syntax().clone(),
            _ => return None,
        };
        const WRAPPERS: &[&str] = &[
            "Arc",
            "Rc",
            "Box",
            "State",
            "Extension",
            "Data",
            "Option",
            "Cow",
        ];
        let names: Vec<String> = ty
            .descendants()
            .filter_map(ast::NameRef::cast)
            .map(|n| n.text().to_string())
            .filter(|n| !WRAPPERS.contains(&n.as_str()))
            .collect();
        match names.first().map(String::as_str) {
            Some("Self") => impl_type(anchor),
            Some(n) => Some(n.to_string()),
            None => None,
        }
    }
}

enum Binding {
    Let(ast::LetStmt),
    /// `if let Some(x) = expr`, `for x in expr`: `x` is (an element of) `expr`.
    From(ast::Expr),
    Param(ast::Fn, usize, ast::Param),
    /// A `let` with a pattern other than a plain name (`let (tx, rx) = ..`).
    Destructured(ast::LetStmt),
    /// Bound by a pattern the tool does not follow (closure parameter, `for`,
    /// `match` arm, `if let`).
    Other,
    NotFound,
}

fn binds(pat: Option<ast::Pat>, name: &str) -> bool {
    pat.is_some_and(|p| {
        p.syntax()
            .descendants()
            .filter_map(ast::IdentPat::cast)
            .any(|i| i.name().is_some_and(|n| n.text() == name))
    })
}

fn find_binding(name: &str, anchor: &SyntaxNode) -> Binding {
    let pos = anchor.text_range().start();
    for up in anchor.ancestors() {
        match up.kind() {
            SyntaxKind::STMT_LIST => {
                let found = up
                    .children()
                    .filter_map(ast::LetStmt::cast)
                    .filter(|l| l.syntax().text_range().end() <= pos)
                    .filter(|l| binds(l.pat(), name))
                    .last();
                if let Some(l) = found {
                    return match l.pat() {
                        Some(ast::Pat::IdentPat(_)) => Binding::Let(l),
                        // `let Some(x) = expr else { .. };`: `x` is in `expr`.
                        pat if some_or_ok_binding(pat.clone()) && l.initializer().is_some() => {
                            Binding::From(l.initializer().unwrap())
                        }
                        _ => Binding::Destructured(l),
                    };
                }
            }
            SyntaxKind::CLOSURE_EXPR => {
                let c = ast::ClosureExpr::cast(up.clone()).unwrap();
                if c.param_list()
                    .is_some_and(|l| l.params().any(|p| binds(p.pat(), name)))
                {
                    return Binding::Other;
                }
            }
            SyntaxKind::FOR_EXPR => {
                let f = ast::ForExpr::cast(up.clone()).unwrap();
                let in_iterable = f
                    .iterable()
                    .is_some_and(|e| e.syntax().text_range().contains_range(anchor.text_range()));
                if binds(f.pat(), name) && !in_iterable {
                    return match (f.pat(), f.iterable()) {
                        (Some(ast::Pat::IdentPat(_)), Some(e)) => Binding::From(e),
                        _ => Binding::Other,
                    };
                }
            }
            SyntaxKind::MATCH_ARM
                if binds(ast::MatchArm::cast(up.clone()).unwrap().pat(), name) =>
            {
                return Binding::Other;
            }
            SyntaxKind::IF_EXPR | SyntaxKind::WHILE_EXPR => {
                // The condition of `if`/`while`: `let` chains bind into the body.
                let Some(cond) = up
                    .children()
                    .find_map(ast::Expr::cast)
                    .filter(|c| c.syntax().kind() != SyntaxKind::BLOCK_EXPR)
                else {
                    continue;
                };
                if cond
                    .syntax()
                    .text_range()
                    .contains_range(anchor.text_range())
                {
                    continue;
                }
                let lets: Vec<ast::LetExpr> = cond
                    .syntax()
                    .descendants()
                    .filter_map(ast::LetExpr::cast)
                    .filter(|l| binds(l.pat(), name))
                    .collect();
                if let Some(l) = lets.first() {
                    return match (some_or_ok_binding(l.pat()), l.expr()) {
                        (true, Some(e)) if lets.len() == 1 => Binding::From(e),
                        _ => Binding::Other,
                    };
                }
            }
            SyntaxKind::FN => {
                let f = ast::Fn::cast(up.clone()).unwrap();
                if let Some(list) = f.param_list() {
                    for (i, p) in list.params().enumerate() {
                        if binds(p.pat(), name) {
                            return Binding::Param(f, i, p);
                        }
                    }
                }
                return Binding::NotFound;
            }
            _ => {}
        }
    }
    Binding::NotFound
}

/// `Some(x)`, `Ok(x)` or plain `x`: the binding is the matched value itself.
fn some_or_ok_binding(pat: Option<ast::Pat>) -> bool {
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

/// `let x = heavy(&data);` in async code →
/// `let x = { let data = data.clone(); tokio::task::spawn_blocking(move || heavy(&data)).await.expect(..) };`
///
/// Only where it is certain to compile: the call is the whole work of a
/// `let` initializer with no `.await`, closure, macro, lock call, `?`,
/// `return` or `self` inside; every local it captures is owned for sure (a
/// literal, `vec![..]`, `format!(..)`, `String::from`, `.to_vec()`,
/// `.to_string()`, `.to_owned()`, or annotated with a type that is not a
/// reference), not `Rc`, and, if used after the `let`, of a type known to be
/// `Clone`, so that it is cloned into the closure.
fn spawn_blocking_wrap(call: &SyntaxNode) -> Option<(TextRange, String)> {
    let let_stmt = call
        .ancestors()
        .take_while(|a| {
            !matches!(
                a.kind(),
                SyntaxKind::STMT_LIST | SyntaxKind::FN | SyntaxKind::CLOSURE_EXPR
            )
        })
        .find_map(ast::LetStmt::cast)?;
    let init = let_stmt.initializer()?;
    if let_stmt.let_else().is_some() {
        return None;
    }
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
            return None;
        }
    }
    if init
        .syntax()
        .descendants_with_tokens()
        .any(|t| t.kind() == SyntaxKind::SELF_KW)
    {
        return None;
    }
    let body = let_stmt
        .syntax()
        .ancestors()
        .find(|a| a.kind() == SyntaxKind::FN)?;
    let after = let_stmt.syntax().text_range().end();
    let mut clones = Vec::new();
    let mut seen = BTreeSet::new();
    for pe in init.syntax().descendants().filter_map(ast::PathExpr::cast) {
        let path = pe.path()?;
        if path.qualifier().is_some() {
            continue;
        }
        let name = path.segment()?.name_ref()?.text().to_string();
        if !seen.insert(name.clone()) {
            continue;
        }
        let cloneable = match find_binding(&name, let_stmt.syntax()) {
            Binding::NotFound => continue, // a fn, static or const
            Binding::Let(l) => owned_let(&l)?,
            Binding::Param(_, _, p) => owned_type(&p.ty()?.syntax().text().to_string())?,
            Binding::From(_) | Binding::Destructured(_) | Binding::Other => return None,
        };
        let used_after = body
            .descendants()
            .filter_map(ast::NameRef::cast)
            .any(|n| n.syntax().text_range().start() >= after && n.text() == name.as_str());
        if used_after {
            if !cloneable {
                return None;
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
    Some((init.syntax().text_range(), text))
}

/// Is a type owned (not a reference, not `Rc`)? `Some(cloneable)` if so.
fn owned_type(ty: &str) -> Option<bool> {
    if ty.contains('&')
        || ty.contains('\'')
        || ty.contains("impl")
        || ty.contains("dyn")
        || ty.contains("Rc")
        || ty.contains("Cell")
    {
        return None;
    }
    let base = ty.split('<').next().unwrap_or(ty).trim();
    let known = [
        "Vec", "String", "Box", "Arc", "HashMap", "BTreeMap", "HashSet", "BTreeSet", "VecDeque",
        "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64", "i128", "isize",
        "f32", "f64", "bool", "char",
    ];
    Some(known.contains(&base) || base.starts_with('['))
}

/// Is a local bound to an owned value? `Some(cloneable)` if so.
fn owned_let(l: &ast::LetStmt) -> Option<bool> {
    if let Some(ty) = l.ty() {
        return owned_type(&ty.syntax().text().to_string());
    }
    let init = l.initializer()?;
    let text = init.syntax().text().to_string();
    if text.contains("Rc") || text.contains("Cell") {
        return None;
    }
    match &init {
        ast::Expr::Literal(_) => Some(true),
        ast::Expr::MacroExpr(m) => {
            let name = m.macro_call()?.path()?.syntax().text().to_string();
            matches!(name.as_str(), "vec" | "format").then_some(true)
        }
        ast::Expr::CallExpr(c) => {
            let callee = c.expr()?.syntax().text().to_string();
            matches!(
                callee.as_str(),
                "String::from" | "String::new" | "Vec::new" | "Vec::with_capacity"
            )
            .then_some(true)
        }
        ast::Expr::MethodCallExpr(m) => {
            let name = m.name_ref()?.text().to_string();
            matches!(
                name.as_str(),
                "to_vec" | "to_string" | "to_owned" | "into_bytes"
            )
            .then_some(true)
        }
        _ => None,
    }
}

/// Is this node in test code: a `#[cfg(test)]` module, or a fn marked
/// `#[test]` or `#[tokio::test]`?
fn in_test_code(node: &SyntaxNode) -> bool {
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

/// The initializer a local was bound by, and its index when the `let`
/// destructures a tuple (`let (tx, rx) = channel();`).
fn let_binding(name: &str, anchor: &SyntaxNode) -> Option<(ast::Expr, Option<usize>)> {
    match find_binding(name, anchor) {
        Binding::Let(l) => Some((l.initializer()?, None)),
        Binding::Destructured(l) => {
            let ast::Pat::TuplePat(t) = l.pat()? else {
                return None;
            };
            let is_name = |f: &ast::Pat| matches!(f, ast::Pat::IdentPat(i) if i.name().is_some_and(|n| n.text() == name));
            let index = t.fields().position(|f| is_name(&f))?;
            Some((l.initializer()?, Some(index)))
        }
        _ => None,
    }
}

/// A `let` annotated with a type that may be a lock type alias (`let db:
/// Db = ..`): the crate-wide index decides.
fn alias_typed(let_stmt: &ast::LetStmt) -> bool {
    let mut ty = let_stmt.ty();
    while let Some(ast::Type::RefType(r)) = &ty {
        ty = r.ty();
    }
    // A bare name, as aliases are used: `Db`, not `Vec<u8>`.
    let Some(ast::Type::PathType(p)) = ty else {
        return false;
    };
    p.path()
        .and_then(|p| p.segment())
        .filter(|s| ast::HasGenericArgs::generic_arg_list(s).is_none())
        .and_then(|s| s.name_ref())
        .is_some_and(|n| n.text().starts_with(|c: char| c.is_ascii_uppercase()))
}

/// A macro call in item position (a file's or module's item, or one made by
/// another macro), whose tokens are items if anything.
fn at_item_level(mac: &ast::MacroCall) -> bool {
    mac.syntax().parent().is_some_and(|p| {
        matches!(
            p.kind(),
            SyntaxKind::SOURCE_FILE | SyntaxKind::ITEM_LIST | SyntaxKind::MACRO_ITEMS
        )
    })
}

/// A pattern without its `&`s.
fn strip_ref_pat(pat: Option<ast::Pat>) -> Option<ast::Pat> {
    match pat? {
        ast::Pat::RefPat(r) => strip_ref_pat(r.pat()),
        p => Some(p),
    }
}

fn is_assign(bin: &ast::BinExpr) -> bool {
    bin.op_kind() == Some(ast::BinaryOp::Assignment { op: None })
}

fn item_name(node: &SyntaxNode) -> Option<String> {
    node.children()
        .find_map(ast::Name::cast)
        .map(|n| n.text().to_string())
}

/// Is the declaration at `node` public in its file (code outside the crate
/// can name it if its module is reachable), and through which item? Exact
/// `pub` only: `pub(crate)`, `pub(super)` and `pub(in ..)` are private to
/// the crate. A field needs a `pub` struct (or enum, whose variant fields
/// are public); a method a `pub` fn in an inherent impl, or any fn of a
/// trait impl (its signature is the trait's); a trait's fn a `pub` trait.
/// Items inside fn bodies and `let` bindings are never public. The names
/// of the private inline modules around it come third: only a `pub use`
/// naming one can make it reachable.
pub fn api_visibility(node: &SyntaxNode) -> (bool, Option<String>, Vec<String>) {
    let is_pub = |n: &SyntaxNode| {
        n.children()
            .any(|c| c.kind() == SyntaxKind::VISIBILITY && c.text() == "pub")
    };
    let Some(item) = node.ancestors().find(|a| {
        matches!(
            a.kind(),
            SyntaxKind::STATIC
                | SyntaxKind::CONST
                | SyntaxKind::RECORD_FIELD
                | SyntaxKind::TUPLE_FIELD
                | SyntaxKind::FN
                | SyntaxKind::TYPE_ALIAS
                | SyntaxKind::LET_STMT
        )
    }) else {
        return (false, None, Vec::new());
    };
    let outer = || item.ancestors().skip(1);
    if item.kind() == SyntaxKind::LET_STMT
        || outer().any(|a| matches!(a.kind(), SyntaxKind::FN | SyntaxKind::BLOCK_EXPR))
    {
        return (false, None, Vec::new());
    }
    let mut private_mods: Vec<String> = outer()
        .filter(|a| a.kind() == SyntaxKind::MODULE && !is_pub(a))
        .filter_map(|m| item_name(&m))
        .collect();
    private_mods.reverse();
    let container = outer().find(|a| {
        matches!(
            a.kind(),
            SyntaxKind::STRUCT
                | SyntaxKind::UNION
                | SyntaxKind::ENUM
                | SyntaxKind::IMPL
                | SyntaxKind::TRAIT
        )
    });
    let item_pub = is_pub(&item);
    let (public, name) = match container {
        None => (item_pub, item_name(&item)),
        Some(c) => match c.kind() {
            SyntaxKind::ENUM => (is_pub(&c), item_name(&c)),
            SyntaxKind::TRAIT => (is_pub(&c), item_name(&c)),
            SyntaxKind::IMPL => {
                let trait_impl = ast::Impl::cast(c.clone()).is_some_and(|i| i.trait_().is_some());
                (item_pub || trait_impl, impl_type(&item))
            }
            _ => (item_pub && is_pub(&c), item_name(&c)),
        },
    };
    (public, name, private_mods)
}

/// `field:Struct.name`, or `field:Enum::Variant.name` for enum variants;
/// a positional field's name is its index (`field:Shared.0`).
fn field_key(field: &SyntaxNode) -> Option<String> {
    let name = match ast::RecordField::cast(field.clone()) {
        Some(f) => f.name()?.text().to_string(),
        None => ast::TupleFieldList::cast(field.parent()?)?
            .fields()
            .position(|f| f.syntax() == field)?
            .to_string(),
    };
    let owner_node = field.parent()?.parent()?;
    let owner = match owner_node.kind() {
        SyntaxKind::STRUCT | SyntaxKind::UNION => item_name(&owner_node)?,
        SyntaxKind::VARIANT => {
            let variant = item_name(&owner_node)?;
            let en = owner_node
                .ancestors()
                .find(|a| a.kind() == SyntaxKind::ENUM)?;
            format!("{}::{variant}", item_name(&en)?)
        }
        _ => return None,
    };
    Some(format!("field:{owner}.{name}"))
}

/// The field a struct literal's `name: value` initialises.
fn record_expr_field_key(node: &SyntaxNode) -> Option<String> {
    let field = ast::RecordExprField::cast(node.clone())?;
    let name = field.field_name()?.text().to_string();
    let record = node.ancestors().find_map(ast::RecordExpr::cast)?;
    let segs = segments(&record.path()?)?;
    let owner = match segs.as_slice() {
        [one] if one == "Self" => impl_type(node)?,
        [.., e, v] if e.starts_with(char::is_uppercase) => format!("{e}::{v}"),
        [.., last] => last.clone(),
        [] => return None,
    };
    Some(format!("field:{owner}.{name}"))
}

/// The type of the enclosing `impl` block (`Self`).
pub fn impl_type(node: &SyntaxNode) -> Option<String> {
    let imp = node.ancestors().find_map(ast::Impl::cast)?;
    let ty = imp.self_ty()?;
    let path = ty.syntax().descendants().find_map(ast::Path::cast)?;
    segments(&path)?.last().cloned()
}

/// A fn's key: `name` for free fns, `Type::name` for methods.
pub fn fn_key(f: &ast::Fn) -> String {
    let name = f.name().map(|n| n.text().to_string()).unwrap_or_default();
    match f
        .syntax()
        .parent()
        .and_then(|p| p.parent())
        .and_then(ast::Impl::cast)
    {
        Some(_) => match impl_type(f.syntax()) {
            Some(t) => format!("{t}::{name}"),
            None => name,
        },
        None => name,
    }
}

/// Methods and fns that run the closure they are given before they return
/// (`iter.map(|x| ..)`, `opt.unwrap_or_else(|| ..)`, `thread::scope(|s| ..)`).
const INLINE_CLOSURE_CALLS: &[&str] = &[
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
fn runs_in_place(closure: &SyntaxNode) -> bool {
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
fn deferred_closure(node: &SyntaxNode) -> bool {
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
fn in_scope_closure(node: &SyntaxNode) -> bool {
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
fn closure_callee(node: &SyntaxNode) -> Option<String> {
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
fn hands_param_to_blocking_pool(f: &ast::Fn) -> bool {
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

/// The call a closure (or a fn passed by name) is handed to makes it run
/// off the async executor.
fn is_blocking_closure(closure: &SyntaxNode) -> bool {
    let Some(call) = closure
        .parent()
        .filter(|p| p.kind() == SyntaxKind::ARG_LIST)
        .and_then(|a| a.parent())
    else {
        return false;
    };
    if let Some(ce) = ast::CallExpr::cast(call.clone()) {
        let Some(ast::Expr::PathExpr(pe)) = ce.expr() else {
            return false;
        };
        let Some(segs) = pe.path().and_then(|p| segments(&p)) else {
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

/// The context a frame node (fn, closure, async block, static) opens, given
/// the context around it; `None` for other nodes. `key` is the fn's key when
/// the node is a fn.
fn frame_context(
    node: &SyntaxNode,
    parent: &SiteContext,
    key: Option<&std::sync::Arc<str>>,
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
            let test_body = ast::HasAttrs::attrs(&f).any(|a| {
                a.syntax()
                    .text()
                    .to_string()
                    .split_whitespace()
                    .collect::<String>()
                    == "#[test]"
            });
            SiteContext::Sync {
                fn_name: key?.clone(),
                in_drop,
                test_body,
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

fn method_name(node: &SyntaxNode) -> Option<String> {
    ast::MethodCallExpr::cast(node.clone())?
        .name_ref()
        .map(|n| n.text().to_string())
}

/// `|e| e.into_inner()` or `PoisonError::into_inner`.
fn is_poison_recovery(arg: &ast::Expr) -> bool {
    let text: String = arg.syntax().text().to_string().split_whitespace().collect();
    text.ends_with("PoisonError::into_inner")
        || text
            .strip_prefix('|')
            .and_then(|t| t.split_once('|'))
            .is_some_and(|(param, body)| body == format!("{param}.into_inner()"))
}

fn ok_binding(pat: Option<ast::Pat>) -> Option<String> {
    let ast::Pat::TupleStructPat(tsp) = pat? else {
        return None;
    };
    if tsp.path()?.syntax().text() != "Ok" {
        return None;
    }
    let mut fields = tsp.fields();
    let inner = fields.next()?;
    if fields.next().is_some() || !matches!(inner, ast::Pat::IdentPat(_) | ast::Pat::WildcardPat(_))
    {
        return None;
    }
    Some(inner.syntax().text().to_string())
}

fn site_shape(call: &ast::MethodCallExpr, recv: &ast::Expr, shift: u32) -> SiteShape {
    let sh = |r: TextRange| r + TextSize::from(shift);
    let name_start = call.name_ref().unwrap().syntax().text_range().start();
    let from_name = |end: TextSize| sh(TextRange::new(name_start, end));
    let bare = |desc: &str| SiteShape::Bare {
        use_desc: desc.to_string(),
    };
    let Some(parent) = call.syntax().parent() else {
        return bare("");
    };
    let recv_text = recv.syntax().text().to_string();
    let method = call.name_ref().unwrap().text().to_string();
    match parent.kind() {
        SyntaxKind::METHOD_CALL_EXPR => {
            let outer = ast::MethodCallExpr::cast(parent.clone()).unwrap();
            let outer_name = method_name(&parent).unwrap_or_default();
            let first_arg = outer.arg_list().and_then(|a| a.args().next());
            match outer_name.as_str() {
                "unwrap" | "expect" => SiteShape::Unwrapped {
                    replace: from_name(parent.text_range().end()),
                },
                "unwrap_or_else" if first_arg.as_ref().is_some_and(is_poison_recovery) => {
                    SiteShape::Unwrapped {
                        replace: from_name(parent.text_range().end()),
                    }
                }
                "map_err" => match parent.parent().filter(|p| p.kind() == SyntaxKind::TRY_EXPR) {
                    Some(try_expr) => SiteShape::Unwrapped {
                        replace: from_name(try_expr.text_range().end()),
                    },
                    None => bare(".map_err(..) without `?`"),
                },
                other => bare(&format!(".{other}(..)")),
            }
        }
        SyntaxKind::LET_EXPR => {
            let let_expr = ast::LetExpr::cast(parent.clone()).unwrap();
            let if_expr = parent.parent().and_then(ast::IfExpr::cast);
            match (ok_binding(let_expr.pat()), if_expr) {
                (Some(pat), Some(if_expr))
                    if if_expr.condition().is_some_and(|c| c.syntax() == &parent) =>
                {
                    let Some(then) = if_expr.then_branch() else {
                        return bare("if let");
                    };
                    let Some(l_curly) = then.stmt_list().and_then(|l| l.l_curly_token()) else {
                        return bare("if let");
                    };
                    SiteShape::IfLetOk {
                        head: sh(TextRange::new(
                            if_expr.syntax().text_range().start(),
                            l_curly.text_range().end(),
                        )),
                        tail: sh(TextRange::new(
                            then.syntax().text_range().end(),
                            if_expr.syntax().text_range().end(),
                        )),
                        pat,
                        recv: recv_text,
                    }
                }
                _ => bare("a `let` pattern"),
            }
        }
        SyntaxKind::LET_STMT => {
            let let_stmt = ast::LetStmt::cast(parent.clone()).unwrap();
            match (let_stmt.let_else(), ok_binding(let_stmt.pat())) {
                (Some(_), Some(pat)) => SiteShape::LetElseOk {
                    stmt: sh(parent.text_range()),
                    pat,
                    recv: recv_text,
                },
                _ => bare("a `Result` bound to a variable"),
            }
        }
        SyntaxKind::MATCH_EXPR => {
            let m = ast::MatchExpr::cast(parent.clone()).unwrap();
            let arms: Vec<_> = m
                .match_arm_list()
                .map(|l| l.arms().collect())
                .unwrap_or_default();
            let ok_arm = arms
                .iter()
                .find(|a| ok_binding(a.pat()).is_some() && a.guard().is_none());
            let err_arms_ok = arms.iter().filter(|a| Some(*a) != ok_arm).all(|a| {
                a.pat()
                    .is_some_and(|p| p.syntax().text().to_string().starts_with("Err"))
            });
            match (ok_arm, arms.len() == 2 && err_arms_ok) {
                (Some(arm), true) => {
                    let Some(expr) = arm.expr() else {
                        return bare("match");
                    };
                    SiteShape::MatchOk {
                        head: sh(TextRange::new(
                            m.syntax().text_range().start(),
                            expr.syntax().text_range().start(),
                        )),
                        tail: sh(TextRange::new(
                            expr.syntax().text_range().end(),
                            m.syntax().text_range().end(),
                        )),
                        pat: ok_binding(arm.pat()).unwrap(),
                        recv: recv_text,
                    }
                }
                _ => bare("a `match` on the lock result"),
            }
        }
        _ => bare(&format!("`{method}()` used as a value")),
    }
}

/// The guard of this site is passed to `Condvar::wait*`.
fn guard_passed_to_wait(call: &SyntaxNode) -> bool {
    let Some(let_stmt) = call.ancestors().take(4).find_map(ast::LetStmt::cast) else {
        return false;
    };
    let Some(ast::Pat::IdentPat(pat)) = let_stmt.pat() else {
        return false;
    };
    let Some(name) = pat.name().map(|n| n.text().to_string()) else {
        return false;
    };
    let Some(block) = let_stmt.syntax().parent() else {
        return false;
    };
    block
        .descendants()
        .filter_map(ast::MethodCallExpr::cast)
        .any(|mc| {
            mc.name_ref().is_some_and(|n| n.text().starts_with("wait"))
                && mc
                    .arg_list()
                    .is_some_and(|a| a.args().any(|arg| arg.syntax().text() == name.as_str()))
        })
}

/// Does the guard produced at `call` stay alive across an `.await`?
fn held_across_await(
    call: &SyntaxNode,
    anchor: &SyntaxNode,
    in_macro: bool,
    edition: Edition,
) -> bool {
    let site_end = anchor.text_range().end().max(if in_macro {
        anchor.text_range().end()
    } else {
        call.text_range().end()
    });
    let awaits_after = |scope: &SyntaxNode, until: Option<TextSize>| {
        scope
            .descendants()
            .filter(|d| d.kind() == SyntaxKind::AWAIT_EXPR)
            .any(|a| {
                let start = a.text_range().end();
                start > site_end && until.is_none_or(|u| start <= u)
            })
    };
    let node = if in_macro {
        anchor.clone()
    } else {
        call.clone()
    };
    // Climb through the chain that produces the guard (`.unwrap()`, `?`).
    let mut expr = node.clone();
    while let Some(p) = expr.parent() {
        if matches!(
            p.kind(),
            SyntaxKind::METHOD_CALL_EXPR | SyntaxKind::TRY_EXPR | SyntaxKind::AWAIT_EXPR
        ) && ast::MethodCallExpr::cast(p.clone()).is_none_or(|m| {
            m.receiver().is_some_and(|r| r.syntax() == &expr)
                && m.name_ref().is_some_and(|n| {
                    matches!(n.text(), "unwrap" | "expect" | "unwrap_or_else" | "map_err")
                })
        }) {
            expr = p;
        } else {
            break;
        }
    }
    let parent = expr.parent();
    // `let g = m.lock().unwrap();`: held until the end of the block or `drop(g)`.
    if let Some(let_stmt) = parent.clone().and_then(ast::LetStmt::cast) {
        if let Some(ast::Pat::IdentPat(pat)) = let_stmt.pat() {
            let name = pat.name().map(|n| n.text().to_string()).unwrap_or_default();
            let Some(block) = let_stmt.syntax().parent() else {
                return false;
            };
            let drop_at = block
                .children()
                .filter(|s| s.text_range().start() > site_end)
                .find(|s| {
                    let t: String = s.text().to_string().split_whitespace().collect();
                    t == format!("drop({name});") || t == format!("std::mem::drop({name});")
                })
                .map(|s| s.text_range().start());
            return awaits_after(&block, drop_at);
        }
        if matches!(let_stmt.pat(), Some(ast::Pat::WildcardPat(_))) {
            return false;
        }
    }
    // A temporary: alive to the end of its statement, the whole `match` or
    // `if let` (before 2024, `if let` temporaries also live through `else`).
    for up in node.ancestors() {
        match up.kind() {
            SyntaxKind::IF_EXPR | SyntaxKind::WHILE_EXPR => {
                let cond = up
                    .children()
                    .find(|c| c.text_range().contains_range(node.text_range()));
                if let Some(cond) = cond.filter(|c| {
                    ast::Expr::cast(c.clone()).is_some() && c.kind() != SyntaxKind::BLOCK_EXPR
                }) {
                    if cond.kind() != SyntaxKind::LET_EXPR {
                        return awaits_after(&cond, None);
                    }
                    if edition >= Edition::Edition2024 {
                        let then = ast::IfExpr::cast(up.clone()).and_then(|i| i.then_branch());
                        return then.is_some_and(|t| awaits_after(t.syntax(), None))
                            || awaits_after(&cond, None);
                    }
                    return awaits_after(&up, None);
                }
            }
            SyntaxKind::EXPR_STMT | SyntaxKind::LET_STMT | SyntaxKind::MATCH_EXPR => {
                return awaits_after(&up, None);
            }
            SyntaxKind::STMT_LIST | SyntaxKind::CLOSURE_EXPR | SyntaxKind::FN => {
                return awaits_after(&up, None)
            }
            _ => {}
        }
    }
    false
}

/// The rules a comment allows, if it is an `awaitify: allow(..)` comment.
fn parse_allow(comment: &str) -> Option<Vec<String>> {
    let body = comment
        .trim_start_matches('/')
        .trim_start_matches('*')
        .trim();
    let list = body
        .strip_prefix("awaitify:")?
        .trim()
        .strip_prefix("allow(")?
        .split(')')
        .next()?;
    Some(
        list.split(',')
            .map(|r| r.trim().to_string())
            .filter(|r| !r.is_empty())
            .collect(),
    )
}

/// Every suppression comment of the file with the range it covers.
fn allow_comments(file: &SourceFile, text: &str) -> Vec<Allow> {
    let mut out = Vec::new();
    for token in file
        .syntax()
        .descendants_with_tokens()
        .filter_map(|e| e.into_token())
        .filter(|t| t.kind() == SyntaxKind::COMMENT)
    {
        let Some(rules) = parse_allow(token.text()) else {
            continue;
        };
        let start = usize::from(token.text_range().start());
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let trailing = !text[line_start..start].trim().is_empty();
        let end = if trailing {
            token.text_range().end()
        } else {
            // Leading comments belong to the item that follows them; else the
            // next sibling is what the comment stands above.
            let parent = token.parent();
            let leads_parent = parent.as_ref().is_some_and(|p| {
                p.children_with_tokens()
                    .take_while(|e| e.as_token() != Some(&token))
                    .all(|e| matches!(e.kind(), SyntaxKind::COMMENT | SyntaxKind::WHITESPACE))
            });
            match parent {
                Some(p) if leads_parent && p.kind() != SyntaxKind::SOURCE_FILE => {
                    p.text_range().end()
                }
                _ => std::iter::successors(token.next_sibling_or_token(), |e| {
                    e.next_sibling_or_token()
                })
                .find(|e| !matches!(e.kind(), SyntaxKind::COMMENT | SyntaxKind::WHITESPACE))
                .map_or(token.text_range().end(), |e| e.text_range().end()),
            }
        };
        out.push(Allow {
            range: TextRange::new(TextSize::from(line_start as u32), end),
            comment: token.text_range(),
            rules,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(src: &str) -> FileFacts {
        extract(
            &SourceFile::parse(src, Edition::Edition2021).tree(),
            src,
            0,
            Edition::Edition2021,
            None,
            false,
            &CrateContext {
                user_blocking: &[],
                reexports: &Default::default(),
            },
        )
    }

    #[test]
    fn files_are_analysed_only_where_a_declaration_can_be_reached() {
        let names: HashSet<String> = [
            "inner".to_string(),
            "helper".to_string(),
            "CACHE".to_string(),
        ]
        .into();
        assert!(needs_analysis("x.inner.lock()", &names));
        assert!(needs_analysis("S { inner: v }", &names));
        assert!(needs_analysis("helper(&self.inner)", &names));
        assert!(needs_analysis("CACHE", &names));
        assert!(needs_analysis("debug!(\"{}\", self.inner.len())", &names));
        assert!(!needs_analysis("self.inner.len()", &names));
        assert!(!needs_analysis(
            "println!(\"{}\", self.inner.len())",
            &names
        ));
        assert!(!needs_analysis(
            "let inner = 1; inner::thing(); winner.lock()",
            &names
        ));
    }

    #[test]
    fn if_let_some_binding_resolves_to_the_scrutinee() {
        let f = facts("use std::sync::Mutex;\nstruct S { m: Option<Mutex<u8>> }\nimpl S { async fn f(&self) { if let Some(m) = &self.m { *m.lock().unwrap() += 1; } } }");
        assert_eq!(f.sites.len(), 1, "{f:#?}");
        assert_eq!(
            f.sites[0].target,
            Target::Field {
                name: "m".into(),
                owner: Some("S".into())
            }
        );
    }
}
