use std::sync::{Arc, Mutex};

#[tokio::main]
async fn main() {
    let total = Arc::new(Mutex::new(0u64));
    let worker = total.clone();
    tokio::task::spawn_blocking(move || {
        let mut total = worker.lock().unwrap();
        for i in 0..1000u64 {
            *total += i;
        }
    })
    .await
    .unwrap();
    *total.lock().unwrap() += 1;
    println!("{}", total.lock().unwrap());
}
