use std::sync::{Arc, Mutex};

#[tokio::main]
async fn main() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let mut tasks = Vec::new();
    for i in 0..3u32 {
        let seen = seen.clone();
        tasks.push(tokio::spawn(async move {
            seen.lock().unwrap().push(i);
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let add = async |n: u32| {
        seen.lock().unwrap().push(n);
    };
    add(10).await;
    let mut all = seen.lock().unwrap().clone();
    all.sort();
    println!("{all:?}");
}
