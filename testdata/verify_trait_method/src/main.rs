use std::sync::{Arc, Mutex};

trait Counter {
    fn counter(&self) -> &Mutex<u32>;
}

struct State {
    hits: Mutex<u32>,
    log: Mutex<Vec<String>>,
}

impl Counter for State {
    fn counter(&self) -> &Mutex<u32> {
        &self.hits
    }
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
    println!("{} {:?}", state.counter().lock().unwrap(), state.log.lock().unwrap());
}
