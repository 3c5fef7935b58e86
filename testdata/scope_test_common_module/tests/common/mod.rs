#![allow(dead_code)]

use std::sync::Mutex;

// Sync, and called from async tests: its lock cannot become tokio's.
pub fn record(log: &Mutex<Vec<u32>>, v: u32) {
    log.lock().unwrap().push(v);
}

// Async: its parameter follows the counter the tests hand it.
pub async fn bump(counter: &Mutex<u32>) {
    *counter.lock().unwrap() += 1;
}
