//! awaitify: migrate std locks that are locked in async code to `tokio::sync`.
//!
//! One run is a pipeline, and the modules below are listed in its order:
//!
//! 1. `cli` turns the command line into the library's options (`settings`:
//!    each crate's configuration and plan options); `driver` runs the steps below.
//! 2. `walk`: paths → crates → files (a crate per `Cargo.toml`; `tests/`,
//!    `examples/` and `benches/` targets are units of their own).
//! 3. `facts` (with `depth`, `imports` and `blocking`): each file's syntax as
//!    plain data, extracted in parallel.
//! 4. `locks` and `rules`: per crate, the locks' decisions and the rules'
//!    findings with their fixes; `findings` turns them into diagnostics, and
//!    `baseline` leaves the recorded ones alone.
//! 5. `edits`: the plan applied to new file contents and manifests, behind
//!    the re-parse gate.
//! 6. `verify`: `cargo check` referees the fixes; `write` writes them, crate
//!    by crate, all or nothing.
//! 7. `render`: what the run prints, in each output format.
//!
//! `migration_tests` is `awaitify test`: the user's own cases run through
//! the same pipeline.

mod alloc;

// 0. What every stage shares.
mod paths;

// 1. The command line and the run.
pub mod cli;
pub mod driver;
pub mod settings;

// 2. Paths to crates to files.
pub mod walk;

// 3. Each file's facts.
pub mod depth;
pub mod facts;
pub mod imports;
pub mod parse;

pub mod blocking;

// 4. Per crate: decisions, findings, fixes.
pub mod locks;

pub mod rules;

pub mod findings;

pub mod baseline;

// 5. New contents.
pub mod edits;

// 6. The compiler's check, and the disk.
pub mod verify;

pub mod write;

// 7. Output.
pub mod render;

pub mod migration_tests;
