//! AW102 `manual-lock-migration`: a lock locked in async code that no safe
//! rewrite can migrate, with its blockers.

use crate::rules::LockFinding;

use super::{Rule, Severity};

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
  shows to run off the runtime (`blocking_lock` panics on a runtime thread).
  Where every call of that fn is in async code, or in sync fns whose every
  call is, `--unsafe-fixes` makes those fns `async` and awaits their calls
  (the async-ify fix); the reason says which fns, or why they cannot
  become async (a trait's method, a call whose receiver's type is unknown,
  a call in a closure, a name also used other than in calls, a blocking
  call in the fn, a fn that calls itself);
- a `Drop` impl; a static initializer;
- a `Condvar` paired with it, or its guard passed to `Condvar::wait`;
- a task that locks it and also stays blocked in a `Condvar`, `Barrier` or
  std channel wait: migrated alone, the lock's `.await` yields there and
  more tasks reach the wait (`--unsafe-fixes` migrates it anyway);
- a std guard type in a fn signature or stored in a struct;
- the lock `Result` used in a way with no tokio equivalent (`is_poisoned`, a
  bound `LockResult`, a `match` on `TryLockError`);
- poisoning given a meaning of its own: `.map_err(..)?`, the `else` of
  `if let Ok(..)` or `let Ok(..) = .. else`, or an `Err` arm that does more
  than panic or take the guard back (`e.into_inner()`); tokio's locks never
  poison, so the migration would drop that code (`--unsafe-fixes` migrates
  it anyway, and says so);
- its struct or enum derives `Debug`, and a test of the file that names it
  asserts `Debug` output (`format!(\"{s:?}\")` in an `assert`,
  `assert_debug_snapshot!`): tokio's lock prints differently
  (`--unsafe-fixes` migrates it anyway);
- a parking_lot method tokio's locks lack (`upgradable_read`,
  `read_recursive`, `is_locked`, `try_lock_for`, `lock_arc`, ..) or any
  other method the rewrite does not know called on the lock itself (a
  user's trait for std's `Mutex`), or its guard handed to a guard type's fn
  (`MutexGuard::map`);
- a derive of its struct or enum that tokio's locks do not implement
  (serde's `Serialize`, `Deserialize`);
- a declaration inside a macro the tool cannot rewrite (`lazy_static!`), or
  anything inside a call of a macro that pastes its tokens into several
  modules (`rt_test! { .. }`);
- the crate's manifest: tokio is optional or renamed, or not a dependency
  at all (adding one is no safe fix: `--unsafe-fixes` adds it);
- a receiver that could be more than one lock, an unresolved receiver near a
  use of it, or a use inside a macro the tool cannot parse;
- a use in a file the run leaves alone (`--exclude`, or a crate the paths
  given cover only in part);
- a declaration, use or type path in a module whose file depends on cfg
  (`#[cfg(unix)] mod imp;` next to `#[cfg(not(unix))] #[path = \"..\"]
  mod imp;`, `#[cfg_attr(.., path = \"..\")]`, or any `#[path]` module):
  the tool maps a file to a module by its path, and only one cfg is built
  at a time, so the alternatives could not be kept consistent;
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
`--unsafe-fixes`, as an unsafe fix, or with `public-api = \"migrate\"`. So
is one kept only because a sync fn that locks it is called from async code
and can become async: each call of that fn becomes a point where the task
yields, and a public fn's callers outside the crate must await it.

## Known problems
Receivers are resolved by name, not type: a lock reached through a trait
method, a generic helper or a match-arm binding counts as unresolved.
Reachability follows names, not the compiler's resolution: a re-export of
another item with the same name counts as a re-export of this one.",
    ..Rule::lock(message)
};

/// Left unchanged: each blocker, with its place, is a note.
fn message(l: &LockFinding) -> (String, Vec<String>) {
    (
        format!(
            "{} is {}, but cannot be migrated safely; left unchanged",
            l.what, l.where_locked
        ),
        l.blockers.clone(),
    )
}

#[cfg(test)]
mod tests {
    use crate::driver::test_support::check_finding;

    #[test]
    fn a_lock_also_locked_by_a_sync_helper_called_from_async_code_is_manual() {
        check_finding(
            r#"use std::sync::Mutex;

static CACHE: Mutex<Vec<u8>> = Mutex::new(Vec::new());

fn len() -> usize {
    CACHE.lock().unwrap().len()
}

async fn handle() -> usize {
    CACHE.lock().unwrap().push(1);
    len()
}

#[tokio::main]
async fn main() {
    println!("{}", handle().await);
}
"#,
            "AW102",
        );
    }
}
