//! awaitify: migrate std locks that are locked in async code to `tokio::sync`.

pub mod baseline;
pub mod blocking;
pub mod cli;
pub mod depth;
pub mod driver;
pub mod edit;
pub mod facts;
pub mod findings;
pub mod imports;
pub mod layout;
pub mod locks;
pub mod manifest;
pub mod migration_tests;
pub mod output;
pub mod rules;
pub mod settings;
pub mod use_edit;
pub mod verify;
pub mod write;
