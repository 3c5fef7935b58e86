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

#[tokio::main]
async fn main() {
    let stats = Stats { count: Mutex::new(0) };
    record(&stats);
    tokio::task::yield_now().await;
    println!("{}", count(&stats));
}
