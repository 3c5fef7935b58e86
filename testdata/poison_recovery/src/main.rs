use std::sync::{Mutex, PoisonError};

struct Metrics {
    count: Mutex<u32>,
}

async fn bump(metrics: &Metrics) {
    *metrics.count.lock().unwrap_or_else(|e| e.into_inner()) += 1;
    *metrics.count.lock().unwrap_or_else(PoisonError::into_inner) += 10;
}

#[tokio::main]
async fn main() {
    let metrics = Metrics { count: Mutex::new(0) };
    bump(&metrics).await;
    println!("{}", metrics.count.lock().unwrap_or_else(|poisoned| poisoned.into_inner()));
}
