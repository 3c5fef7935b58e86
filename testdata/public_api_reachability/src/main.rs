use std::sync::Mutex;

use public_api_reachability::metrics::Metrics;
use public_api_reachability::Shelf;

/// A binary has no public API: this migrates.
pub static STARTED: Mutex<bool> = Mutex::new(false);

#[tokio::main]
async fn main() {
    *STARTED.lock().unwrap() = true;
    let metrics = Metrics::default();
    metrics.observe(120, false).await;
    metrics.observe(300, true).await;
    let shelf = Shelf::default();
    shelf.put("book").await;
    let served = public_api_reachability::serve("note").await;
    println!("{} {served} {}", metrics.failures().await, *STARTED.lock().unwrap());
}
