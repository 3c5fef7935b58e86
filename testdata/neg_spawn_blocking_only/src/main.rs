use std::sync::{Arc, Mutex};

#[tokio::main]
async fn main() {
    let data = Arc::new(Mutex::new(Vec::new()));
    let d = data.clone();
    tokio::task::spawn_blocking(move || d.lock().unwrap().push(1)).await.unwrap();
    let d = data.clone();
    let len = tokio::task::spawn_blocking(move || d.lock().unwrap().len()).await.unwrap();
    println!("{len}");
}
