use std::sync::Mutex;

struct Stats {
    count: Mutex<u32>,
}

fn record(stats: &Stats) {
    *stats.count.lock().unwrap() += 1;
}

fn count(stats: &Stats) -> u32 {
    *stats.count.lock().unwrap()
}

fn report(stats: &Stats) -> u32 {
    record(stats);
    count(stats)
}

#[tokio::main]
async fn main() {
    let stats = Stats { count: Mutex::new(0) };
    tokio::task::yield_now().await;
    let n = tokio::task::spawn_blocking(move || report(&stats)).await.unwrap();
    println!("{n}");
}
