//! awaitify: migrate std locks that are locked in async code to `tokio::sync`.
//!
//! One run is a pipeline:
//!
//! 1. `cli` turns the command line into the library's `options` (with
//!    `settings`: each crate's configuration and plan options); `driver`
//!    runs the steps below.
//! 2. `walk`: paths → crates → files (a crate per `Cargo.toml`; `tests/`,
//!    `examples/` and `benches/` targets are units of their own).
//! 3. `facts` (with `parse`, `depth`, `imports` and `blocking`): each file's
//!    syntax as plain data, extracted in parallel.
//! 4. `plan`: per crate, the locks' decisions (`locks`) and the rules'
//!    findings (`rules`) with their fixes; `findings` turns them into
//!    diagnostics, and `baseline` leaves the recorded ones alone.
//! 5. The plan applied to new file contents and manifests (`driver/apply.rs`,
//!    with the tools of `edits`), behind the re-parse gate.
//! 6. `verify`: `cargo check` referees the fixes; `write` writes them, crate
//!    by crate, all or nothing.
//! 7. `render`: what the run prints, in each output format.
//!
//! `migration_tests` is `awaitify test`: the user's own cases run through
//! the same pipeline.
//!
//! The modules below are listed from the bottom up: each imports only the
//! ones listed before it. The rules plug into the stages below them without
//! those stages importing the registry: the rules' detection hooks reach
//! `blocking` as data (`blocking::Detectors`, from `rules::detectors()`),
//! the lock planner (`locks`) holds the analyses it shares with the
//! blocking rules (the tasks that wait, the joins of thread handles) and
//! names the rules of its decisions by their `rules_meta` identity, and
//! `plan`, above both, runs the lock planner's steps around the blocking
//! rules' plan. What selectors pick rules by (codes, names, families) is
//! `rules_meta`, below the facts and the settings.

// What every stage shares: paths as shown, the parser, names in scope, and
// the tools that edit text (rustfmt would sort modules without the blank
// lines between them).
mod paths;

pub mod parse;

pub mod depth;

pub mod imports;

pub mod edits;

// Each file's facts, and the decisions per crate: the lock planner, the
// rules above it, and the crate's plan that runs both.
pub mod rules_meta;

pub mod settings;

pub mod blocking;

pub mod facts;

pub mod locks;

pub mod rules;

pub mod plan;

// What a run is asked, what it reads, what it finds and changes.
pub mod baseline;

mod model;

pub mod write;

pub mod rustfmt;

mod options;

mod outcome;

// The stages.
pub mod walk;

pub mod findings;

pub mod driver;

pub mod verify;

pub mod render;

// The command line.
pub mod migration_tests;

pub mod cli;
