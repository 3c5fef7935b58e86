//! The crate's lock types, under names that say where they come from.
pub use std::sync::Mutex as StdMutex;
