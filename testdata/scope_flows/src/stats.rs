use std::sync::Mutex;

#[derive(Default)]
pub struct Metrics {
    pub count: u32,
}

pub async fn record(metrics: &Mutex<Metrics>, n: u32) {
    metrics.lock().unwrap().count += n;
}

pub async fn summary(metrics: &Mutex<Metrics>) -> u32 {
    metrics.lock().unwrap().count
}
