use std::sync::{Arc, Mutex};

struct State {
    hits: Mutex<u32>,
    config: Mutex<String>,
}

fn pass<T>(value: T) -> T {
    value
}

fn tally(state: &State) -> u32 {
    *pass(&state.hits).lock().unwrap() * 10
}

fn label(state: &State) -> String {
    state.config.lock().unwrap().clone()
}

async fn work(lock: Arc<Mutex<u32>>) -> u32 {
    let mut n = lock.lock().unwrap();
    *n += 1;
    *n
}

async fn handle(state: Arc<State>) -> u32 {
    *state.hits.lock().unwrap() += 1;
    let seen = *pass(&state.hits).lock().unwrap();
    tokio::task::yield_now().await;
    seen
}

#[tokio::main]
async fn main() {
    let state = Arc::new(State { hits: Mutex::new(0), config: Mutex::new("hits".to_string()) });
    let seen = handle(state.clone()).await;
    let shared = state.clone();
    let tallied = tokio::task::spawn_blocking(move || tally(&shared)).await.unwrap();
    println!("{} {seen} {tallied} {}", label(&state), work(Arc::new(Mutex::new(5))).await);
}
