// Compiled as a test crate of its own too, where nothing calls these.
#![allow(dead_code)]

use std::sync::Mutex;

pub mod time {
    use std::time::Duration;

    // Sync, and blocks: the test calls it from async code.
    pub fn settle() {
        std::thread::sleep(Duration::from_millis(1));
    }
}

// Async: its parameter follows the lock the test hands it.
pub async fn bump(counter: &Mutex<u32>) {
    *counter.lock().unwrap() += 1;
}
