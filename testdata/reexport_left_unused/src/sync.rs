//! The lock types the crate shares.
pub(crate) use std::sync::{Arc, Mutex, RwLock};
