use std::sync::{Arc, Mutex};

struct State {
    hits: Mutex<u32>,
    log: Mutex<Vec<String>>,
}

fn describe(lock: &std::sync::Mutex<u32>) -> String {
    format!("{lock:?}").len().to_string()
}

async fn handle(state: Arc<State>) {
    *state.hits.lock().unwrap() += 1;
    let described = Some(&state.hits).map(describe).unwrap_or_default();
    state.log.lock().unwrap().push(described);
    tokio::task::yield_now().await;
}

#[tokio::main]
async fn main() {
    let state = Arc::new(State { hits: Mutex::new(0), log: Mutex::new(Vec::new()) });
    handle(state.clone()).await;
    println!("{}", state.log.lock().unwrap().len());
}
