use std::sync::{Arc, Mutex};

struct State {
    hits: Mutex<u32>,
    log: Mutex<Vec<String>>,
}

async fn handle(state: Arc<State>) {
    let mut held: Vec<(std::sync::MutexGuard<'_, u32>, &str)> = Vec::new();
    held.push((state.hits.lock().unwrap(), "hits"));
    for (guard, name) in &held {
        println!("{name} = {}", **guard);
    }
    drop(held);
    state.log.lock().unwrap().push("handled".to_string());
    tokio::task::yield_now().await;
}

#[tokio::main]
async fn main() {
    let state = Arc::new(State { hits: Mutex::new(0), log: Mutex::new(Vec::new()) });
    handle(state.clone()).await;
    println!("{:?}", state.log.lock().unwrap());
}
