//! The facts of a file as plain data (no syntax nodes): what `extract`
//! returns, and what the crate-wide plan reads.

use super::*;

/// What a receiver, an initializer or a flow refers to, before the crate-wide
/// index turns it into a declaration key.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Target {
    /// An exact declaration key.
    Key(DeclKey),
    /// A struct field; `owner` is the struct when the receiver's type is known.
    Field { name: String, owner: Option<String> },
    /// A field reached through fields of known types: `name` of the type of
    /// `root.through[0].through[1]..` (`self.inner.state` in `impl Endpoint`
    /// is `state` through `inner` of `Endpoint`).
    FieldPath {
        root: String,
        through: Vec<String>,
        name: String,
    },
    /// A static or const by name.
    Static(String),
    /// The return value of a fn (`qual::name(..)`) or a method (`x.name(..)`).
    Call {
        name: String,
        qual: Option<String>,
        method: bool,
        module: Option<ModulePath>,
    },
    /// The `index`-th parameter of a fn or method.
    Param {
        name: String,
        qual: Option<String>,
        method: bool,
        index: usize,
        module: Option<ModulePath>,
    },
}

/// A place that holds a lock: a field, static, local, parameter, type alias or
/// fn return type.
#[derive(Clone, Debug)]
pub struct DeclFact {
    pub key: DeclKey,
    pub display: String,
    pub lock: LockType,
    pub family: Family,
    pub range: TextRange,
    pub blockers: Vec<String>,
    /// Why its migration would change what the crate checks (its `Debug`
    /// output asserted in tests): only an unsafe fix.
    pub unsafe_premise: Option<String>,
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
    /// Its declared type is the lock itself, or one behind a pointer (`&`,
    /// `Arc`, `Rc`, `Box`, `LazyLock`): any method called on it is the
    /// lock's own (see `other_method`).
    pub direct: bool,
    /// The inline modules around it in its file (`tests`, `a::b`).
    pub module: String,
}

/// What extraction needs to know of the file's crate.
pub struct CrateContext<'a> {
    /// Functions the configuration declares blocking.
    pub user_blocking: &'a [crate::settings::UserBlocking],
    /// The rules' detection of blocking calls (`rules::detectors()`).
    pub detectors: &'a crate::blocking::Detectors,
    /// Lock types its modules re-export.
    pub reexports: &'a crate::imports::ReExports,
    /// The file's module path (`crate::net`), where the crate's layout
    /// tells: a `use` path relative to it may name a re-export.
    pub module: Option<&'a str>,
    /// The file is an integration test's, an example's or a bench's (a
    /// compilation unit of its own): all its code is test code.
    pub test_unit: bool,
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
    /// CPU-heavy work: the largest integer literal of 100 000 or more in
    /// the fn around it (`vec![0u8; 18_874_368]`), what shows the size of
    /// a test's data.
    pub size_hint: Option<u64>,
    /// In a sync fn, inside a closure the fn only stores or hands on: the
    /// call does not run when the fn does.
    pub deferred: bool,
    /// In a non-async closure inside async code: the fn the closure is
    /// handed to (`asyncify(|| ..)` → `asyncify`), when it is named.
    pub closure_callee: Option<String>,
    /// In async code: what drives it.
    pub driver: Driver,
    /// A wait only if this fn of the crate returns a std thread's
    /// `JoinHandle` (`let h = start_poller(); h.join()`): the plan checks
    /// it against the crate's `join_handle_fns`.
    pub handle_from: Option<FnId>,
    /// The fn it is in.
    pub in_fn: Option<FnId>,
    /// The task it runs in: where its async fn, closure or block starts.
    pub task: Option<Task>,
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
    /// Another executor's `block_on` (or `run_until`) on a thread of its
    /// own: in a `std::thread::spawn`, `thread::Builder::spawn` or
    /// `spawn_blocking` closure, or a `#[test]` body (`None`), or in a sync
    /// fn (its key) whose callers decide whether it only runs on such
    /// threads. Blocking there blocks no other task.
    OwnThread(Option<FnId>),
    /// The async fn (its key) it is in: its callers decide.
    Fn(FnId),
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
        fn_name: FnId,
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
    /// Where the code gives a poisoned lock a meaning of its own, which
    /// tokio's locks (never poisoned) would drop: how, for the reason.
    pub poison_handled: Option<&'static str>,
    /// From the method name to the end of the call: `lock()`.
    pub call: TextRange,
    pub target: Target,
    pub ctx: SiteContext,
    /// The method name, for diagnostics.
    pub range: TextRange,
    pub shape: SiteShape,
    pub held_across_await: bool,
    /// In async code or a sync fn: where the site's guard is alive (see
    /// `guard_extent`).
    pub guard_extent: Option<TextRange>,
    /// The signature of the enclosing fn names a std guard type.
    pub guard_fn: Option<FnId>,
    pub guard_passed_to_wait: bool,
    /// The fn the site is in, for diagnostics.
    pub in_fn: Option<FnId>,
    /// A reference taken of the guard itself where a type is expected.
    /// The task it runs in (see [`BlockingFact::task`]).
    pub task: Option<Task>,
    pub borrow: Option<GuardBorrow>,
    /// In the expansion of the file's `macro_rules!` of this name, at the
    /// range of its body (or of the call's arguments) the site was pasted
    /// from: every expansion of it shares that one rewrite (see
    /// `expand.rs`).
    pub in_macro: Option<String>,
}

/// `f(&m.lock().unwrap())`, `let v: &mut Vec<u8> = &mut m.lock().unwrap();`:
/// a reference to a guard where the code expects a reference to what the
/// guard holds. Deref coercion makes the std guard's fit, but not an
/// awaited one's (rustc expects the `.await`'s own type to be the target:
/// E0308), so the awaited rewrite borrows through it: `&*m.lock().await`.
#[derive(Clone, Debug)]
pub struct GuardBorrow {
    /// The `&` or `&mut ` before the guard's expression.
    pub prefix: TextRange,
    /// Where the borrowed expression ends: after `.unwrap()` (a std lock's
    /// guard) or after `lock()` (a parking_lot one's).
    pub guard_end: TextSize,
    /// The parameter the reference is handed to, for a call's argument: a
    /// parameter typed with the guard itself takes the guard.
    pub param: Option<Target>,
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

/// The task code runs in: the async fn, closure or block around it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Task {
    pub start: TextSize,
    /// It is an async fn's body, not a closure or block inside a fn.
    pub fn_body: bool,
}

impl Task {
    /// Code in task `task` (none: a sync fn) runs when the fn it is in does.
    pub fn runs_with_its_fn(task: Option<Task>) -> bool {
        task.is_none_or(|t| t.fn_body)
    }
}

/// A call, for the sync-helper analysis: `callee` called from `ctx`.
#[derive(Clone, Debug)]
pub struct CallFact {
    pub callee: Name,
    /// The callee's fn key when the call names it exactly: `helper(..)`,
    /// `Type::f(..)`, `Self::f(..)`, `self.f(..)`.
    pub callee_key: Option<FnId>,
    /// Any other method call (`x.f(..)`): what its file shows of the
    /// receiver's type. The crate's impls resolve it (see `rules::drivers`).
    /// (A call whose value is not awaited, in async code or a sync fn,
    /// with a receiver of the crate's own types, is `MethodReceiver::Own`:
    /// see [`CallFact::premise_receiver`] and [`CallFact::own_receiver`].)
    pub receiver: Option<MethodReceiver>,
    /// The fn the call is in.
    pub in_fn: Option<FnId>,
    pub ctx: SiteContext,
    pub range: TextRange,
    /// The call's value is `.await`ed: it calls an async fn, never a sync one.
    pub awaited: bool,
    /// In async code, inside a `#[cfg(test)]` module or a test fn.
    pub in_test: bool,
    /// In test code: the largest integer literal of 100 000 or more in the
    /// fn around it (see `BlockingFact::size_hint`).
    pub size_hint: Option<u64>,
    /// In a sync fn, inside a closure the fn only stores or hands on.
    pub deferred: bool,
    /// What drives the call's future or the async code it is in (only
    /// worked out for calls that name their fn exactly).
    pub driver: Driver,
    /// The task it runs in (see [`BlockingFact::task`]).
    pub task: Option<Task>,
}

/// The receiver of a method call `x.f(..)`, as far as its file shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MethodReceiver {
    /// Of this type (its last path segment: `Ingestor` of `x: &Ingestor`,
    /// `let x = Ingestor::new(..)`, `Arc<crate::ingest::Ingestor>`).
    Typed(Name),
    /// Nothing the file shows: a `dyn Trait`, a chain of calls, a closure's
    /// parameter.
    Unknown,
    /// A call whose value is not awaited, in async code or a sync fn, whose
    /// receiver the file shows to be of the crate's own types (AW205
    /// follows it to the crate's sync methods), with what the runtime
    /// premise sees of it.
    Own(Box<OwnCall>),
}

/// A method call's receiver of the crate's own types.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OwnCall {
    pub receiver: OwnReceiver,
    /// The receiver as the runtime premise sees it (`Typed` or `Unknown`;
    /// none where it does not follow the call).
    pub premise: Option<MethodReceiver>,
}

impl CallFact {
    /// The receiver of a method call as the runtime premise sees it: only
    /// where the call is `.await`ed or its future handed on is its type
    /// worked out (see `calls::method_receiver`).
    pub fn premise_receiver(&self) -> Option<&MethodReceiver> {
        match &self.receiver {
            Some(MethodReceiver::Own(own)) => own.premise.as_ref(),
            r => r.as_ref(),
        }
    }

    /// The receiver of a sync method call, where it is of the crate's own
    /// types.
    pub fn own_receiver(&self) -> Option<&OwnReceiver> {
        match &self.receiver {
            Some(MethodReceiver::Own(own)) => Some(&own.receiver),
            _ => None,
        }
    }
}

/// A lock-looking call (`.lock().unwrap()`) whose receiver the tool could not
/// resolve, and the names used around it.
#[derive(Clone, Debug)]
pub struct UnresolvedSite {
    pub range: TextRange,
    /// The fn (or item) around it: the only place a local it names can be.
    pub scope: TextRange,
    pub names_nearby: BTreeSet<String>,
    /// It locks (`lock`, `read`, `write`; not `into_inner` or `get_mut`)
    /// in async code.
    pub in_async: bool,
    /// The site has a receiver, the value of a call: it counts as
    /// unresolved only if no declaration is found for it.
    pub fallback: bool,
}

/// A place handed to a macro the tool cannot parse, or used in the body of
/// a `macro_rules!` the crate defines.
#[derive(Clone, Debug)]
pub struct MacroUse {
    pub macro_name: String,
    /// What the place refers to, resolved as code around the macro would.
    pub target: Target,
    pub range: TextRange,
    pub in_async: bool,
    pub kind: MacroUseKind,
}

/// How a place is used by a macro.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MacroUseKind {
    /// It is named in the macro call's tokens.
    Handed,
    /// It is a parameter handed a constructor of its lock
    /// (`join!(run(Mutex::new(0)))`), not a lock itself.
    HandedConstructor,
    /// It is locked in the body of the `macro_rules!` named `macro_name`:
    /// it runs wherever that macro is called (see
    /// `FileFacts::unexpanded_macro_calls`).
    InDefinition,
    /// It is locked in an expansion of the file's `macro_rules!`, where the
    /// rewrite would span the macro's body and the call's arguments.
    Spanning,
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
    /// The `use super::*` of a `#[cfg(test)]` module that brings the name in
    /// from the module around it: an import only tests still need can move
    /// beside it.
    pub test_glob: Option<TestGlob>,
}

/// A `#[cfg(test)]` module's `use super::*`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TestGlob {
    /// Its use tree.
    pub tree: TextRange,
    /// The module names through it an item of its parent other than a std
    /// import a migration may move: the glob stays used if one moves.
    pub names_other_items: bool,
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
    /// `impl Deref for Env { type Target = Inner; .. }`: `(Env, Inner)`, so
    /// that `env.field` finds `Inner`'s field.
    pub derefs: Vec<(String, String)>,
    /// Fields of structs and the type each is about (see
    /// `bindings::type_name`): `(Endpoint, inner, EndpointRef)`.
    pub field_types: Vec<(String, String, String)>,
    pub unresolved: Vec<UnresolvedSite>,
    pub macro_uses: Vec<MacroUse>,
    /// Calls of the file's pasting macros, read as modules: what is locked
    /// or declared inside is reported, never rewritten.
    pub macro_regions: Vec<MacroRegion>,
    /// The macros the tool does not read that the file calls in async code,
    /// by name, each once.
    pub async_macro_calls: Vec<String>,
    /// Calls of macros the tool does not read or expand (anywhere in the
    /// file's code, or named in another macro's tokens), by name, each once.
    pub unexpanded_macro_calls: Vec<String>,
    /// The `macro_rules!` the file defines, by name.
    pub macro_rules: Vec<String>,
    pub file_blockers: Vec<FileBlocker>,
    pub imports: Vec<(String, String, TextRange)>,
    pub name_uses: Vec<NameUse>,
    /// The tree has an ERROR node: the file does not parse.
    pub has_error: bool,
    pub blocking: Vec<BlockingFact>,
    /// Calls of the methods in [`WATCHED_METHODS`].
    pub method_calls: Vec<MethodCallFact>,
    /// `// awaitify: allow(..)` comments and the code each one covers.
    pub allows: Vec<Allow>,
    /// Comments that look like a suppression but are not one the tool
    /// reads, each with what it should be.
    pub malformed_allows: Vec<(TextRange, String)>,
    /// The run must not change this file (excluded, or outside the paths
    /// given): it is read only so that locks it touches are not migrated.
    pub read_only: bool,
    /// The places of the file cfg-alternative modules cover (a whole file,
    /// or an inline module's range), each with why a lock there cannot
    /// migrate.
    pub cfg_alternative: Vec<(Option<TextRange>, String)>,
    /// Lock types (and `Arc`, `Condvar`, ..) the file's modules re-export
    /// (`pub use std::sync::Mutex as StdMutex;`).
    pub reexports: Vec<ReExport>,
    /// Imports whose path went through a re-export of the crate: the
    /// import's `UseTree`, and the re-export (`crate::sync::Mutex`).
    pub imports_via: Vec<(TextRange, String)>,
    /// The re-exports the file's paths (other than imports) go through.
    pub paths_via: Vec<String>,
    /// Imports of lowercase names (fns, modules): the path's last segment
    /// and the local name (`count as tally`).
    pub imported_fns: Vec<(Name, Name)>,
    /// The compilation unit the file belongs to (set by the run): empty for
    /// the crate's own code, `tests/NAME` (or `examples/`, `benches/`) for
    /// each integration test, example and bench, which is a crate of its own.
    pub unit: String,
    /// The unit is a module directory the other units of its kind include
    /// (`tests/common/`), not a crate of its own (set by the run).
    pub shared_unit: bool,
    /// A file of a library's own code (set by the run).
    pub library: bool,
    /// Fns declared `pub` where other modules can name them (see
    /// `api_visibility`).
    pub public_fns: Vec<FnId>,
    /// The module path of the file in its unit (`crate`, `crate::worker`;
    /// set by the run, empty where unknown).
    pub module: String,
    /// Async fns that take `self`: the methods a method call of their name
    /// may call (a trait's default method is keyed as a free fn).
    pub async_methods: Vec<FnId>,
    /// Fns that hand their closure parameter to `spawn_blocking` or
    /// `block_in_place` (tokio's `asyncify`): closures passed to them run
    /// off the executor.
    pub blocking_wrappers: Vec<String>,
    /// Fns whose declared return type is `std::thread::JoinHandle<..>`.
    pub join_handle_fns: Vec<FnId>,
    /// The file pauses tokio's clock (`start_paused`, `time::pause()`):
    /// its sleeps may be the point of a test.
    pub paused_clock: bool,
    /// The structs, enums, unions and traits the file defines.
    pub own_types: Vec<Name>,
    /// `impl Trait for Type` of the crate's traits: `(Trait, Type)`.
    pub trait_impls: Vec<(Name, Name)>,
    /// Struct fields whose type is one of the crate's own (or a `dyn` of
    /// its traits), as a method call's receiver sees it: `(Server,
    /// journal, Journal)` (see `receivers`).
    pub field_receivers: Vec<(Name, Name, OwnReceiver)>,
    /// Values of the crate's types bound to locals in async code, whose
    /// `Drop` runs there.
    pub async_values: Vec<AsyncValue>,
    /// std channels made by a `let` in a fn body whose receiver is
    /// received from in async code (AW208).
    pub channels: Vec<ChannelFact>,
    /// The fns the file defines (see `fn_defs`).
    pub fn_defs: Vec<FnDef>,
    /// Closures run in place in sync fns (see `record_in_place_closure`).
    pub in_place_closures: Vec<TextRange>,
    /// std barriers made by a `let` in a fn body that are waited on in
    /// async code (AW209).
    pub barriers: Vec<BarrierFact>,
}

/// A re-export of a std sync item by a module of the file.
#[derive(Clone, Debug)]
pub struct ReExport {
    /// Its name below the file's module (`StdMutex`, `sync::Mutex` for one
    /// in an inline `mod sync`).
    pub local: String,
    /// What it names (`std::sync::Mutex`).
    pub path: String,
    /// Its `UseTree`.
    pub tree: TextRange,
    /// Only the crate can name it (`pub(crate) use`, or in a private inline
    /// module).
    pub crate_only: bool,
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
    pub fn allows(&self, rule: impl Into<crate::rules_meta::RuleName>, offset: TextSize) -> bool {
        let rule = rule.into();
        self.allows.iter().any(|a| {
            a.range.contains_inclusive(offset)
                && a.rules.iter().any(|r| crate::rules_meta::selects(r, rule))
        })
    }

    /// Anything in this file that the crate-wide plan would use.
    pub fn mentions_locks(&self) -> bool {
        !(self.decls.is_empty()
            && self.sites.is_empty()
            && self.blocking.is_empty()
            && self.method_calls.is_empty()
            && self.refs.is_empty()
            && self.imports.is_empty()
            && self.links.is_empty()
            && self.unresolved.is_empty()
            && self.macro_uses.is_empty()
            && self.derefs.is_empty()
            && self.join_handle_fns.is_empty()
            && self.channels.is_empty()
            && self.barriers.is_empty())
    }
}
