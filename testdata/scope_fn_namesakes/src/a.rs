use std::sync::Mutex;

// Sync: runs on a thread of its own.
pub fn bump(x: &Mutex<u32>) {
    *x.lock().unwrap() += 1;
}
