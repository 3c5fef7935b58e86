//! The rules awaitify reports, each with the documentation `awaitify explain`
//! prints.

pub mod blocking_calls;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
    Note,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }
}

/// How far a fix can be trusted (rustc's and ruff's applicability).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applicability {
    /// Keeps meaning; applied by `--write`.
    Safe,
    /// Valid code that may change behaviour; needs an opt-in.
    Unsafe,
    /// Shown, never applied.
    DisplayOnly,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
            Applicability::DisplayOnly => "display-only",
        }
    }
}

/// Which part of the pipeline a rule's findings come from; the driver and
/// the compiler check treat each family alike, whatever the rule's code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    /// The tool's own `awaitify: allow(..)` comments (AW001).
    Suppression,
    /// Files a test harness compiles, left alone (AW002).
    Harness,
    /// One finding per lock declaration, decided for the whole crate
    /// (AW101–AW104): a comment allowing one lock rule allows them all.
    Lock,
    /// One finding per blocking call in async code (AW2xx): their fixes are
    /// checked and withdrawn one by one.
    Blocking,
}

/// What a finding's primary span is, which says what its label reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Primary {
    /// A lock's declaration: "declared here".
    Declaration,
    /// A call (or another site) in code: "called here".
    Call,
    /// An `awaitify: allow(..)` comment: "suppresses nothing".
    Comment,
}

impl Primary {
    /// The label of a finding's primary span in a snippet.
    pub fn label(self) -> &'static str {
        match self {
            Primary::Declaration => "declared here",
            Primary::Call => "called here",
            Primary::Comment => "suppresses nothing",
        }
    }
}

#[derive(Debug)]
pub struct Rule {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub fix: Option<Applicability>,
    pub summary: &'static str,
    pub doc: &'static str,
    pub family: Family,
    pub primary: Primary,
    /// Its findings are left for a person to resolve: the summary counts
    /// them as `manual`.
    pub manual: bool,
}

pub const UNUSED_SUPPRESSION: Rule = Rule {
    code: "AW001",
    name: "unused-suppression",
    severity: Severity::Warning,
    fix: Some(Applicability::Safe),
    summary: "an `awaitify: allow(..)` comment suppresses nothing",
    doc: "## What it does
Reports an `// awaitify: allow(..)` comment (or a rule it names) that
suppresses no finding, like ruff's RUF100. Only rules this run checks count:
a comment naming a rule that `--select` or `ignore` turned off is left alone.

## Why is this bad?
A suppression that outlived its finding hides the next finding that appears
under it, and tells readers about a problem that is not there.

## Example
```rust
// awaitify: allow(blocking-sleep)
async fn tick() {
    tokio::time::sleep(D).await;
}
```

## Use instead
```rust
async fn tick() {
    tokio::time::sleep(D).await;
}
```

## Fix safety
Safe: it removes the comment (its line, when the comment is alone on it), or
only the rules that suppress nothing.

## Known problems
A comment in a file the run does not analyse (one that cannot hold a lock or
a blocking call) is not checked. Suppressions from `per-file-ignores` are
not reported. A comment naming one lock rule (AW101 to AW104) counts as used
by any lock finding under it: which of them a lock gets can depend on files
the check does not analyse.",
    family: Family::Suppression,
    primary: Primary::Comment,
    manual: false,
};

pub const HARNESS_FIXTURE: Rule = Rule {
    code: "AW002",
    name: "harness-fixture",
    severity: Severity::Note,
    fix: None,
    summary: "a file a test harness compiles is left unchanged",
    doc: "## What it does
Notes a file that a test harness compiles as an expected failure or with
expected output, and that holds a lock site or a blocking call in async
code. Such a file is never rewritten, and its findings are not reported:
this note stands for them.

These files are, by default, those under `tests/ui/`, `tests/compile-fail/`
and `tests/fail/` (the `harness-fixtures` configuration key replaces this
list), and those that the crate's tests pass to trybuild or ui_test: the
string literals (paths or globs) in calls such as
`t.compile_fail(\"tests/ui/*.rs\")`, `t.pass(..)` or
`ui_test::..(\"tests/fixtures\")` in files under `tests/`.

## Why is this bad?
It is not. A trybuild fixture may hold a std `MutexGuard` across an
`.await` precisely to check that the future is not `Send`; migrating it
would defeat the test, and its `.stderr` file would no longer match.

## Example
```rust
// tests/ui/guard_not_send.rs, compiled by `t.compile_fail(\"tests/ui/*.rs\")`
async fn held(m: &std::sync::Mutex<u8>) {
    let g = m.lock().unwrap();
    other().await;
}
```

## Use instead
Nothing: the file is the test's input.

## Fix safety
No fix.

## Known problems
Harness calls are found by their method names (`compile_fail`, `pass`,
`compile_fail_check_sub`, and paths in `ui_test` calls) and string
literals; a path built at run time is not seen.",
    family: Family::Harness,
    primary: Primary::Call,
    manual: false,
};

pub const STD_LOCK_IN_ASYNC: Rule = Rule {
    code: "AW101",
    name: "std-lock-in-async",
    severity: Severity::Warning,
    fix: Some(Applicability::Safe),
    summary: "a std Mutex or RwLock is locked in async code",
    doc: "## What it does
Finds `std::sync::Mutex` and `RwLock` values (fields, statics, locals,
parameters, type aliases, through `Arc`, `Option`, `LazyLock`, ...) that are
locked inside async code, and migrates each one, in every file of the crate,
to `tokio::sync`.

## Why is this bad?
A contended std `lock()` parks the executor thread in the kernel: every task
scheduled on that thread stalls until the lock is free. A std guard held
across an `.await` can deadlock the runtime.

## Example
```rust
use std::sync::{Arc, Mutex};
async fn add(db: Arc<Mutex<Vec<u32>>>) {
    db.lock().unwrap().push(1);
}
```

## Use instead
```rust
use std::sync::Arc;
use tokio::sync::Mutex;
async fn add(db: Arc<Mutex<Vec<u32>>>) {
    db.lock().await.push(1);
}
```

## Fix safety
Safe. Imports, types, constructors (`const_new` in statics) and every lock
site change together or not at all. Sync sites become `blocking_lock()` only
where they provably run off the runtime (blocking closures, a sync `main`).
Poison handling disappears: tokio locks do not poison. Guards are dropped at
the same points as before.

## Known problems
A lock reached through code the tool cannot follow (a generic helper, an
unknown macro, an unresolved receiver near it) is reported as AW102 instead.",
    family: Family::Lock,
    primary: Primary::Declaration,
    manual: false,
};

pub const MANUAL_LOCK_MIGRATION: Rule = Rule {
    code: "AW102",
    name: "manual-lock-migration",
    severity: Severity::Warning,
    fix: None,
    summary: "a lock is locked in async code but cannot be migrated safely",
    doc: "## What it does
Reports a std lock that is locked in async code when some use of it blocks a
safe rewrite, naming each blocker and its place. Nothing of that lock is
changed.

## Why is this bad?
Same as AW101: the lock can stall the executor. But a rewrite would not
compile or would change behaviour, so a person has to decide.

## Blockers
- a lock site in a non-async closure inside async code (`.await` is impossible);
- a sync fn that locks it and is called from async code, or that nothing
  shows to run off the runtime (`blocking_lock` panics on a runtime thread);
- a `Drop` impl; a static initializer;
- a `Condvar` paired with it, or its guard passed to `Condvar::wait`;
- a std guard type in a fn signature or stored in a struct;
- the lock `Result` used in a way with no tokio equivalent (`is_poisoned`, a
  bound `LockResult`, a `match` on `TryLockError`);
- a parking_lot method tokio's locks lack (`upgradable_read`,
  `read_recursive`, `is_locked`, `try_lock_for`, `lock_arc`, ..) or any
  other method the rewrite does not know called on the lock itself (a
  user's trait for std's `Mutex`), or its guard handed to a guard type's fn
  (`MutexGuard::map`);
- a derive of its struct or enum that tokio's locks do not implement
  (serde's `Serialize`, `Deserialize`);
- a declaration inside a macro the tool cannot rewrite (`lazy_static!`);
- a receiver that could be more than one lock, an unresolved receiver near a
  use of it, or a use inside a macro the tool cannot parse;
- a use in a file the run leaves alone (`--exclude`, or a crate the paths
  given cover only in part);
- public API of a library (below), or a public lock that another crate of
  the run names.

## Public API of a library
A lock (a field, static, type alias, or a fn signature naming it or its
guard) that code outside the library can name belongs to the library's
users too: downstream crates, the code a companion proc-macro crate
generates into them, bindings. Migrating it changes its type for all of
them, a breaking change that no check inside the crate can see. So it is
reported with the reason \"public API of a library; migrating it is a
breaking change\", and left as it is. The ways out: make it private behind
methods that lock it (then only the crate's own code locks it, and it
migrates), or opt in: `--unsafe-fixes` migrates it as an unsafe fix, and
`public-api = \"migrate\"` in the configuration migrates it by default.
Opted in, a crate of the run that names the lock (the library's name and the
lock's in one file) and depends on tokio is planned together with the
library, as a binary of its own package is: the lock and every use of it
migrate together, or none does. A crate that cannot be planned with it (no
tokio dependency, or the locks of two libraries) keeps the lock reported: it
would need the same rewrite.

\"Public API\" is decided from the files, without a compiler:
- the declaration is exactly `pub` (`pub(crate)`, `pub(super)`, `pub(in
  ..)` and private items are the crate's own): a `pub` field of a `pub`
  struct, a field of a `pub` enum, a `pub` static, const or type alias, a
  `pub` fn or inherent method, a fn of a trait impl or of a `pub` trait;
  never a `let` or an item inside a fn body; an inline module around it
  must be `pub mod`, or be named by a `pub use` in its file or a file above
  (`pub use private::deeper;`);
- its file is reachable from `src/lib.rs`: every module on the way is
  declared `pub mod` by its parent file, or is re-exported (`pub use
  a::b;`, or a glob `pub use a::b::*;` that re-exports what `b` shows) by a
  reachable module above it; or the item itself is re-exported
  by one (`pub use state::AppState;`, `pub use state::*;`, matched by the
  item's and the module's names). An item in a private module that nothing
  re-exports is not reachable;
- binaries (`src/main.rs`, `src/bin/`, and the modules only they declare),
  tests, examples and benches have no public API. Where the module files
  cannot be followed (a `[lib] path` outside `src/`, a `#[path]`
  attribute), a `pub` item counts as public.

## Example
```rust
static CACHE: Mutex<Vec<u8>> = Mutex::new(Vec::new());
fn len() -> usize { CACHE.lock().unwrap().len() } // sync, called below
async fn handle() -> usize { CACHE.lock().unwrap().push(1); len() }
```

## Use instead
Make `len` async (then both sites migrate), or keep the lock std and move
the async site's critical section into `tokio::task::spawn_blocking`.

## Fix safety
No fix. A lock kept only because it is public API is migrated (AW101) with
`--unsafe-fixes`, as an unsafe fix, or with `public-api = \"migrate\"`.

## Known problems
Receivers are resolved by name, not type: a lock reached through a trait
method, a generic helper or a match-arm binding counts as unresolved.
Reachability follows names, not the compiler's resolution: a re-export of
another item with the same name counts as a re-export of this one.",
    family: Family::Lock,
    primary: Primary::Declaration,
    manual: true,
};

pub const PARKING_LOT_IN_ASYNC: Rule = Rule {
    code: "AW103",
    name: "parking-lot-lock-in-async",
    severity: Severity::Warning,
    fix: Some(Applicability::Safe),
    summary: "a parking_lot lock is locked in async code",
    doc: "## What it does
Reports `parking_lot::Mutex` and `RwLock` values locked inside async code.
With `--parking-lot` they are migrated to `tokio::sync` like std locks.

## Why is this bad?
parking_lot locks block the executor thread just like std ones, only with
less overhead. Many services use them on purpose for short critical
sections, so migration is opt-in.

## Example
```rust
static HITS: parking_lot::Mutex<u64> = parking_lot::Mutex::new(0);
async fn hit() { *HITS.lock() += 1; }
```

## Use instead (with `--parking-lot`)
```rust
static HITS: tokio::sync::Mutex<u64> = tokio::sync::Mutex::const_new(0);
async fn hit() { *HITS.lock().await += 1; }
```

## Fix safety
Safe when opted in: `m.lock()` becomes `m.lock().await`; `try_lock` (an
`Option` in parking_lot) blocks the migration.

## Known problems
A lock built with `parking_lot::const_mutex` (or `const_rwlock`) is reported
as manual; `ReentrantMutex` and `FairMutex` are not recognised.",
    family: Family::Lock,
    primary: Primary::Declaration,
    manual: false,
};

pub const SHORT_CRITICAL_SECTION: Rule = Rule {
    code: "AW104",
    name: "short-critical-section",
    severity: Severity::Note,
    fix: None,
    summary: "a std lock is locked in async code but never held across an `.await`",
    doc: "## What it does
Under `--policy held-across-await`, notes a std lock that is locked in async
code but whose guard never lives across an `.await`; it is kept.

## Why is this bad?
It may not be: tokio's own guidance is that a std mutex is fine, and faster,
for short critical sections that never hold the guard across an `.await`.

## Example
```rust
async fn bump(n: &Mutex<u64>) { *n.lock().unwrap() += 1; } // no .await while held
```

## Use instead
Nothing: it is kept on purpose. Wrap the section in a sync fn if it grows.

## Fix safety
No fix. Run with the default policy, `async-use`, to migrate it anyway.

## Known problems
A guard moved into a helper that awaits is not followed; such a lock counts
as held only briefly.",
    family: Family::Lock,
    primary: Primary::Declaration,
    manual: false,
};

pub const BLOCKING_SLEEP: Rule = Rule {
    code: "AW201",
    name: "blocking-sleep",
    severity: Severity::Warning,
    fix: Some(Applicability::Safe),
    summary: "std::thread::sleep in async code",
    doc: "## What it does
Finds `std::thread::sleep` (any spelling: fully qualified, `thread::sleep`
through `use std::thread`, `sleep` through `use std::thread::sleep`) in async
code and replaces it with `tokio::time::sleep(d).await`. An import the
rewrite leaves unused is removed; tokio's `time` feature is added.

## Why is this bad?
It parks the executor thread: every task on it stops for the duration.

## Example
```rust
async fn poll() { std::thread::sleep(Duration::from_millis(10)); }
```

## Use instead
```rust
async fn poll() { tokio::time::sleep(Duration::from_millis(10)).await; }
```

## Fix safety
Safe where the async fn provably runs on a tokio runtime (reached from
`#[tokio::main]`, `#[tokio::test]`, `tokio::spawn`, `Runtime::block_on` or
`Handle::spawn`) and the code can use tokio (a normal dependency; for test
code a dev-dependency too). Elsewhere it is reported with advice that names
no runtime. Only unsafe in tests, examples and benches, and in files that
pause tokio's clock, where the blocking may be the point. Not applied inside `spawn_blocking`, `block_in_place` or `std::thread::spawn`
closures, or in sync fns (AW205 reports their async callers). Inside a
non-async closure in async code it is reported without a fix.

## Known problems
A `sleep` reached through a re-export (`pub use std::thread::sleep` in
another module) is not recognised.",
    family: Family::Blocking,
    primary: Primary::Call,
    manual: false,
};

pub const BLOCKING_FS: Rule = Rule {
    code: "AW202",
    name: "blocking-fs",
    severity: Severity::Warning,
    fix: Some(Applicability::Safe),
    summary: "std::fs in async code",
    doc: "## What it does
Finds `std::fs` calls in async code. Those with a `tokio::fs` twin of the
same signature and return type (`read`, `read_to_string`, `write`,
`create_dir(_all)`, `remove_file`, `remove_dir(_all)`, `rename`, `copy`,
`metadata`, `symlink_metadata`, `canonicalize`, `hard_link`, `read_link`,
`set_permissions`, `try_exists`) become `tokio::fs::name(..).await`; tokio's
`fs` feature is added.

## Why is this bad?
File I/O blocks the executor thread for as long as the disk takes.

## Example
```rust
async fn load(p: &Path) -> io::Result<String> { std::fs::read_to_string(p) }
```

## Use instead
```rust
async fn load(p: &Path) -> io::Result<String> { tokio::fs::read_to_string(p).await }
```

## Fix safety
Safe for the twins: same arguments, same result, where the async fn
provably runs on a tokio runtime and the code can use tokio (see AW201).
`read_dir` and `File::open`/`File::create` return other types in tokio (a
`ReadDir` stream, an async `File`), so they are reported with a suggestion
only. A call inside a closure handed to a fn of the crate that passes its
closure parameter to `spawn_blocking` or `block_in_place` (tokio's
`asyncify`) already runs off the executor and is not reported.

## Known problems
A call through a wrapper fn of the crate is left to AW205; one through a
wrapper in another crate is not seen.",
    family: Family::Blocking,
    primary: Primary::Call,
    manual: false,
};

pub const BLOCKING_WAIT: Rule = Rule {
    code: "AW203",
    name: "blocking-wait",
    severity: Severity::Warning,
    fix: Some(Applicability::Unsafe),
    summary: "a blocking wait in async code",
    doc: "## What it does
Reports blocking waits in async code: `std::process::Command::output` /
`status`, `Child::wait`, `std::sync::mpsc::Receiver::recv(_timeout)`,
`std::thread::JoinHandle::join`, `Condvar::wait*`, `Barrier::wait`,
`std::io::stdin().read_line`, `std::net::TcpStream::connect`,
`TcpListener::accept`, `reqwest::blocking::*`. Channels, handles, condvars
and children are recognised through the `let` that created them.

## Why is this bad?
The executor thread waits for a process, another thread, the network or the
terminal.

## Example
```rust
async fn version() -> bool { Command::new(\"rustc\").arg(\"-V\").output().is_ok() }
```

## Use instead
```rust
async fn version() -> bool { tokio::process::Command::new(\"rustc\").arg(\"-V\").output().await.is_ok() }
```

## Fix safety
`Command::..output()` / `.status()` become `tokio::process::Command` with
`.await` (same builder, same `Output`): unsafe, applied only with
`--unsafe-fixes`, since a tokio child is not killed or reaped the same way if
the task is cancelled. The rest is display-only: use `tokio::sync::mpsc`,
`JoinHandle` from `tokio::task::spawn_blocking`, `tokio::net`,
`tokio::io::stdin` or async `reqwest`, or move the call into
`tokio::task::spawn_blocking`.

## Known problems
A receiver that arrives as a parameter or field is not recognised.",
    family: Family::Blocking,
    primary: Primary::Call,
    manual: false,
};

pub const BLOCK_ON_IN_ASYNC: Rule = Rule {
    code: "AW204",
    name: "block-on-in-async",
    severity: Severity::Error,
    fix: None,
    summary: "block_on called inside async code",
    doc: "## What it does
Reports `futures::executor::block_on`, `Runtime::block_on` and
`Handle::block_on` called inside async code.

## Why is this bad?
tokio panics (\"Cannot start a runtime from within a runtime\"); other
executors deadlock when the blocked thread is the one that would drive the
inner future.

## Example
```rust
async fn fetch() -> u32 { futures::executor::block_on(load()) }
```

## Use instead
```rust
async fn fetch() -> u32 { load().await }
```

## Fix safety
No fix: `.await` the future instead.

## Known problems
A runtime handle stored in a field and called through a method of another
name is not followed.",
    family: Family::Blocking,
    primary: Primary::Call,
    manual: false,
};

pub const BLOCKING_HELPER: Rule = Rule {
    code: "AW205",
    name: "blocking-helper-call",
    severity: Severity::Warning,
    fix: Some(Applicability::DisplayOnly),
    summary: "async code calls a sync helper that blocks",
    doc: "## What it does
Reports a call from async code to a sync fn of the same crate that makes a
blocking call, directly or through further sync fns, with the chain:
`handle → load_config → std::fs::read_to_string`.

## Why is this bad?
The blocking call runs on the executor thread, hidden one call away.

## Example
```rust
fn load_config() -> String { std::fs::read_to_string(\"app.toml\").unwrap() }
async fn handle() -> usize { load_config().len() }
```

## Use instead
```rust
async fn handle() -> usize {
    tokio::task::spawn_blocking(load_config).await.unwrap().len()
}
```

## Fix safety
Display-only: make the helper async, or call it inside
`tokio::task::spawn_blocking`.

## Known problems
Calls are matched by path (`helper(..)`, `Type::f(..)`, `Self::f(..)`,
`self.f(..)`); calls through other receivers are not followed.",
    family: Family::Blocking,
    primary: Primary::Call,
    manual: false,
};

pub const CPU_HEAVY: Rule = Rule {
    code: "AW206",
    name: "cpu-heavy-in-async",
    severity: Severity::Warning,
    fix: Some(Applicability::Unsafe),
    summary: "CPU-heavy work in async code",
    doc: "## What it does
Reports CPU-heavy sections of async code, where the work is heavy by
evidence, not by the crate it calls:
- a loop with no `.await` (counting one inside macro arguments such as
  `assert_eq!(rx.recv().await, ..)`) that holds another loop, or runs over a
  range whose literal bound is 100 000 or more;
- a call that is heavy whatever its input: password hashing (`bcrypt::hash`,
  `bcrypt::verify`, `scrypt::scrypt`, `pbkdf2::pbkdf2*`, argon2's
  `hash_password` / `verify_password`), whole-buffer compression
  (`zstd::encode_all` / `decode_all`, `zstd::bulk::*`,
  `brotli::BrotliCompress` / `BrotliDecompress`) and image decoding
  (`image::open`, `image::load_from_memory`).

Not counted: constructors (`GzEncoder::new`, `ZlibEncoder::new`,
`DeflateDecoder::new`), streaming hashers and one-shot digests
(`Sha256::digest(id)`): they cost what their input costs, which a single
call does not show.

## Why is this bad?
While it computes, no other task on that executor thread makes progress.

## Example
```rust
async fn store(pw: String) -> String { bcrypt::hash(pw, 12).unwrap() }
```

## Use instead
```rust
async fn store(pw: String) -> String {
    tokio::task::spawn_blocking(move || bcrypt::hash(pw, 12).unwrap())
        .await
        .expect(\"blocking task panicked\")
}
```

## Fix safety
Unsafe, applied only with `--unsafe-fixes`, and only where the wrap is
certain to compile: the heavy call is a `let` initializer with no `.await`,
closure, macro, lock call, `?`, `return` or `self` in it, and every local it
captures is owned for sure (a literal, `vec![..]`, `format!(..)`,
`String::from`, `.to_vec()`, `.to_string()`, `.to_owned()`, or a non-reference
type annotation), not `Rc`; a capture used after the `let` is cloned first,
so it must be of a type known to be `Clone`. The work then runs on another
thread (thread-locals differ; a panic surfaces as `blocking task
panicked`). Loops are only reported.

## Known problems
Loops over collections are not judged by their length; captures whose
ownership the tool cannot see leave the finding display-only.",
    family: Family::Blocking,
    primary: Primary::Call,
    manual: false,
};

pub const RULES: &[&Rule] = &[
    &UNUSED_SUPPRESSION,
    &HARNESS_FIXTURE,
    &STD_LOCK_IN_ASYNC,
    &MANUAL_LOCK_MIGRATION,
    &PARKING_LOT_IN_ASYNC,
    &SHORT_CRITICAL_SECTION,
    &BLOCKING_SLEEP,
    &BLOCKING_FS,
    &BLOCKING_WAIT,
    &BLOCK_ON_IN_ASYNC,
    &BLOCKING_HELPER,
    &CPU_HEAVY,
];

pub fn find(code: &str) -> Option<&'static Rule> {
    RULES
        .iter()
        .copied()
        .find(|r| r.code.eq_ignore_ascii_case(code) || r.name.eq_ignore_ascii_case(code))
}

impl Rule {
    /// Its fix's applicability, or `no fix`.
    pub fn fix_name(&self) -> &'static str {
        self.fix.map_or("no fix", |f| f.as_str())
    }
}

/// `awaitify rules`: one line per rule with its severity and fix.
pub fn table() -> String {
    RULES
        .iter()
        .map(|r| {
            let (code, name, severity) = (r.code, r.name, r.severity.as_str());
            format!(
                "{code}  {name:<26} {severity:<8} {:<13} {}\n",
                r.fix_name(),
                r.summary
            )
        })
        .collect()
}

/// The README's rule table, in Markdown.
pub fn markdown_table() -> String {
    let head = "| Code | Name | Severity | Fix | What it finds |\n|---|---|---|---|---|\n";
    let rows = RULES.iter().map(|r| {
        let (code, name, severity) = (r.code, r.name, r.severity.as_str());
        format!(
            "| {code} | `{name}` | {severity} | {} | {} |\n",
            r.fix_name(),
            r.summary
        )
    });
    std::iter::once(head.to_string()).chain(rows).collect()
}

/// Does `selector` pick `rule`? `all`, a code or a code prefix (`AW2` picks
/// every blocking rule), or a rule name.
pub fn selects(selector: &str, rule: &Rule) -> bool {
    selector.eq_ignore_ascii_case("all")
        || selector == rule.name
        || (selector.len() >= 2
            && rule
                .code
                .get(..selector.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(selector)))
}

/// Checks a selector written in the configuration or on the command line.
pub fn check_selector(selector: &str) -> Result<(), String> {
    if RULES.iter().any(|r| selects(selector, r)) {
        Ok(())
    } else {
        Err(format!(
            "`{selector}` names no rule (use `all`, a code such as AW101 or AW2, or a rule name; `awaitify rules` lists them)"
        ))
    }
}

/// Which rules a run reports and fixes: `select` (empty: all), minus `ignore`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RuleFilter {
    pub select: Vec<String>,
    pub ignore: Vec<String>,
}

impl RuleFilter {
    pub fn enabled(&self, rule: &Rule) -> bool {
        (self.select.is_empty() || self.select.iter().any(|s| selects(s, rule)))
            && !self.ignore.iter().any(|s| selects(s, rule))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_pick_codes_prefixes_and_names() {
        assert!(selects("AW101", &STD_LOCK_IN_ASYNC));
        assert!(selects("aw1", &STD_LOCK_IN_ASYNC));
        assert!(!selects("AW2", &STD_LOCK_IN_ASYNC));
        assert!(!selects("A", &STD_LOCK_IN_ASYNC));
        assert!(selects("blocking-sleep", &BLOCKING_SLEEP));
        assert!(selects("all", &CPU_HEAVY));
        assert!(check_selector("AW9").is_err());
        let f = RuleFilter {
            select: vec!["AW2".into()],
            ignore: vec!["AW206".into()],
        };
        assert!(f.enabled(&BLOCKING_SLEEP));
        assert!(!f.enabled(&CPU_HEAVY));
        assert!(!f.enabled(&STD_LOCK_IN_ASYNC));
    }

    #[test]
    fn every_rule_is_documented_and_unique() {
        let mut codes: Vec<_> = RULES.iter().map(|r| r.code).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), RULES.len());
        for r in RULES {
            assert!(r.doc.starts_with("## What it does"), "{}", r.code);
            for section in [
                "## Why is this bad?",
                "## Example",
                "## Use instead",
                "## Fix safety",
                "## Known problems",
            ] {
                assert!(r.doc.contains(section), "{}: no `{section}`", r.code);
            }
        }
    }
}
