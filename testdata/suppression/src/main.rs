use std::sync::Mutex;
use std::time::Duration;

// A short critical section the team decided to keep on std.
// awaitify: allow(AW101)
static HITS: Mutex<u64> = Mutex::new(0);

static MISSES: Mutex<u64> = Mutex::new(0); // awaitify: allow(std-lock-in-async)

struct Cache {
    // awaitify: allow(all)
    entries: Mutex<Vec<u64>>,
    // Not suppressed: migrated.
    order: Mutex<Vec<u64>>,
}

async fn record(cache: &Cache, n: u64) {
    *HITS.lock().unwrap() += 1;
    *MISSES.lock().unwrap() += n % 2;
    cache.entries.lock().unwrap().push(n);
    cache.order.lock().unwrap().push(n);
    std::thread::sleep(Duration::from_millis(1)); // awaitify: allow(AW201)
    std::thread::sleep(Duration::from_millis(1));
}

// awaitify: allow(AW2)
async fn warm_up() {
    std::thread::sleep(Duration::from_millis(1));
}

#[tokio::main]
async fn main() {
    let cache = Cache {
        entries: Mutex::new(Vec::new()),
        order: Mutex::new(Vec::new()),
    };
    warm_up().await;
    record(&cache, 3).await;
    let entries = cache.entries.lock().unwrap().len();
    let order = cache.order.lock().unwrap().len();
    println!("{} {} {entries} {order}", HITS.lock().unwrap(), MISSES.lock().unwrap());
}
