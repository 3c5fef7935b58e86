use std::thread;

pub fn start_cruncher(n: u64) -> thread::JoinHandle<u64> {
    thread::spawn(move || (1..=n).sum())
}
