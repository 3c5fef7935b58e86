use std::sync::{Arc, Mutex};

fn crunch(data: &Mutex<Vec<u64>>) -> u64 {
    let data = data.lock().unwrap();
    data.iter().sum()
}

async fn push(data: &Mutex<Vec<u64>>, v: u64) {
    data.lock().unwrap().push(v);
}

#[tokio::main]
async fn main() {
    let data = Arc::new(Mutex::new(vec![1, 2]));
    push(&data, 3).await;
    let d = data.clone();
    let sum = tokio::task::spawn_blocking(move || crunch(&d)).await.unwrap();
    println!("{sum}");
}
