pub mod cache;
pub mod sync;
