use std::ops::Deref;
use std::sync::{Arc, Mutex};

struct State {
    hits: Mutex<u32>,
    log: Mutex<Vec<String>>,
}

fn with<L: Deref<Target = Mutex<u32>>>(lock: L) -> u32 {
    *lock.lock().unwrap()
}

async fn handle(state: Arc<State>) {
    *state.hits.lock().unwrap() += 1;
    state.log.lock().unwrap().push("handled".to_string());
    tokio::task::yield_now().await;
}

#[tokio::main]
async fn main() {
    let state = Arc::new(State { hits: Mutex::new(0), log: Mutex::new(Vec::new()) });
    handle(state.clone()).await;
    println!("{} {:?}", with(&state.hits), state.log.lock().unwrap());
}
