use std::sync::{Arc, Mutex};

struct Counter {
    hits: Mutex<u64>,
}

impl Counter {
    async fn hit(&self) -> u64 {
        let mut hits = self.hits.lock().unwrap();
        *hits += 1;
        *hits
    }
}

#[tokio::main]
async fn main() {
    let counter = Arc::new(Counter { hits: Mutex::new(0) });
    counter.hit().await;
    println!("hits = {}", counter.hit().await);
}
