//! The tools that turn a plan into new file contents: text edits and how
//! they apply (`edit`), the layout of rewritten code (`layout`), `use` items
//! (`use_edit`), tokio in `Cargo.toml` (`manifest`). The whole plan is
//! applied behind the re-parse gate by the driver (`driver/apply.rs`).

pub mod edit;
pub mod layout;
pub mod manifest;
pub mod use_edit;
