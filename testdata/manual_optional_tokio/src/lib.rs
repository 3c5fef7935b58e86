//! A library whose async support is behind a feature.

use std::sync::Mutex;

pub struct Counter {
    n: Mutex<u64>,
}

impl Counter {
    pub fn new() -> Self {
        Counter { n: Mutex::new(0) }
    }

    pub async fn incr(&self) -> u64 {
        let mut n = self.n.lock().unwrap();
        *n += 1;
        *n
    }
}

impl Default for Counter {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(feature = "runtime")]
pub fn block_on_incr(counter: &Counter) -> u64 {
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    rt.block_on(counter.incr())
}
