//! awaitify: migrate std locks that are locked in async code to `tokio::sync`.

pub mod baseline;
pub mod blocking;
pub mod cli;
pub mod config;
pub mod depth;
pub mod driver;
pub mod edits;
pub mod facts;
pub mod findings;
pub mod imports;
pub mod migration_tests;
pub mod output;
pub mod plan;
pub mod rules;
pub mod verify;
pub mod walk;
pub mod write;
