//! From a crate's plan to new file contents: text edits and how they apply
//! (`edit`), the layout of rewritten code (`layout`), `use` items
//! (`use_edit`), tokio in `Cargo.toml` (`manifest`), and the whole plan
//! applied behind the re-parse gate (`apply`).

pub mod apply;
pub mod edit;
pub mod layout;
pub mod manifest;
pub mod use_edit;
