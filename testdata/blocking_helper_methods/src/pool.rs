use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

/// Slots handed out one at a time.
pub struct Pool {
    free: AtomicU32,
}

impl Pool {
    pub fn new(n: u32) -> Pool {
        Pool {
            free: AtomicU32::new(n),
        }
    }

    /// Waits until a slot is free.
    pub fn get(&self) -> u32 {
        while self.free.load(Ordering::Acquire) == 0 {
            std::thread::sleep(Duration::from_millis(1));
        }
        self.free.fetch_sub(1, Ordering::AcqRel)
    }

    pub fn put(&self, _slot: u32) {
        self.free.fetch_add(1, Ordering::AcqRel);
    }
}
