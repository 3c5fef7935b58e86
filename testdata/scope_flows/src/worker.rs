use std::sync::Mutex;

/// Runs on its own thread, off the runtime.
pub fn run(jobs: &Mutex<u32>) {
    *jobs.lock().unwrap() += 10;
}
