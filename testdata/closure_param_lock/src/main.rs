use std::sync::{Arc, Mutex};

async fn record_all() -> Vec<i32> {
    let order = Arc::new(Mutex::new(vec![]));
    let record = |x: i32, order: Arc<Mutex<Vec<i32>>>| async move {
        order.lock().unwrap().push(x);
        tokio::task::yield_now().await;
    };
    tokio::join!(record(1, Arc::clone(&order)), record(2, order.clone()));
    let seen = order.lock().unwrap().clone();
    seen
}

async fn run_twice<F, Fut>(f: F, total: Arc<Mutex<u32>>)
where
    F: Fn(Arc<Mutex<u32>>) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    f(total.clone()).await;
    f(total).await;
}

async fn count() -> u32 {
    let total = Arc::new(Mutex::new(0));
    let bump = |total: Arc<Mutex<u32>>| async move {
        *total.lock().unwrap() += 1;
    };
    run_twice(bump, total.clone()).await;
    let n = *total.lock().unwrap();
    n
}

#[tokio::main]
async fn main() {
    println!("{:?} {}", record_all().await, count().await);
}
