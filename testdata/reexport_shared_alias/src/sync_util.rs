pub use std::sync::Mutex as StdMutex;
pub type Shared<T> = std::sync::Arc<StdMutex<T>>;
