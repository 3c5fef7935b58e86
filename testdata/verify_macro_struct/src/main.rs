use std::sync::{Arc, Mutex};

struct State {
    hits: Mutex<u32>,
}

static LOG: Mutex<Vec<String>> = Mutex::new(Vec::new());

macro_rules! state {
    ($n:expr) => {
        State { hits: std::sync::Mutex::new($n) }
    };
}

async fn handle(state: Arc<State>) {
    *state.hits.lock().unwrap() += 1;
    LOG.lock().unwrap().push("handled".to_string());
    tokio::task::yield_now().await;
}

#[tokio::main]
async fn main() {
    let state = Arc::new(state!(1));
    handle(state.clone()).await;
    println!("{:?}", LOG.lock().unwrap());
}
