use std::sync::{Mutex, RwLock};

/// `latency` is public API (a pub field of a pub struct in a `pub mod`);
/// `errors` is only the crate's (`pub(crate)`).
#[derive(Default)]
pub struct Metrics {
    pub latency: RwLock<Vec<u64>>,
    pub(crate) errors: Mutex<u32>,
}

impl Metrics {
    pub async fn observe(&self, micros: u64, failed: bool) {
        self.latency.write().unwrap().push(micros);
        if failed {
            *self.errors.lock().unwrap() += 1;
        }
    }

    pub async fn failures(&self) -> u32 {
        *self.errors.lock().unwrap()
    }
}
