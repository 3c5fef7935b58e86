use std::sync::Mutex;
use std::time::Duration;

mod legacy;

/// Held across an `.await`: migrated under the configured policy.
static QUEUE: Mutex<Vec<u32>> = Mutex::new(Vec::new());
/// Held only briefly: kept (AW104).
static COUNT: Mutex<u32> = Mutex::new(0);
/// Locked across an `.await` in the excluded file: left alone (AW102).
pub static SHARED: Mutex<u32> = Mutex::new(0);

async fn tick() {}

async fn work() -> usize {
    let q = QUEUE.lock().unwrap();
    tick().await;
    *COUNT.lock().unwrap() += 1;
    std::thread::sleep(Duration::from_millis(1));
    let text = std::fs::read_to_string("Cargo.toml").unwrap_or_default();
    q.len() + text.len().min(1)
}

#[tokio::main]
async fn main() {
    QUEUE.lock().unwrap().push(1);
    let n = work().await;
    legacy::bump().await;
    legacy::count().await;
    println!("{n} {} {}", COUNT.lock().unwrap(), SHARED.lock().unwrap());
}
