use std::sync::{mpsc, Mutex};
use std::time::Duration;

static HITS: Mutex<u32> = Mutex::new(0);

fn poll_inbox(value: u32) -> u32 {
    let (tx, rx) = mpsc::channel();
    tx.send(value).unwrap();
    rx.recv_timeout(Duration::from_millis(1)).unwrap_or(0)
}

fn back_off() {
    std::thread::sleep(Duration::from_millis(1));
}

fn sync_step(value: u32) -> u32 {
    let got = poll_inbox(value);
    back_off();
    got
}

fn bump() -> u32 {
    let mut hits = HITS.lock().unwrap();
    *hits += 1;
    *hits
}

fn record() -> u32 {
    bump()
}

async fn handle(value: u32) -> u32 {
    sync_step(value) + record()
}

async fn handle_again(value: u32) -> u32 {
    sync_step(value)
}

/// Scoped threads are joined before `scope` returns: their sleep blocks the caller.
fn fan_out() -> u32 {
    let mut total = 0;
    std::thread::scope(|s| {
        let worker = s.spawn(|| {
            std::thread::sleep(Duration::from_millis(1));
            2
        });
        total = worker.join().unwrap_or(0);
    });
    total
}

/// Only builds a callback: the sleep runs when someone calls it.
fn make_callback() -> Box<dyn Fn() -> u32 + Send> {
    Box::new(|| {
        std::thread::sleep(Duration::from_millis(1));
        1
    })
}

async fn gather() -> u32 {
    let callback = make_callback();
    fan_out() + u32::from(std::mem::size_of_val(&callback) > 0)
}

async fn count() -> u32 {
    *HITS.lock().unwrap()
}

#[tokio::main]
async fn main() {
    let first = handle(4).await;
    let second = handle_again(6).await;
    println!("{first} {second} {} {}", gather().await, count().await);
}
