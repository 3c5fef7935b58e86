use std::sync::{Arc, Mutex};

#[derive(Clone)]
struct State {
    log: Arc<Mutex<Vec<String>>>,
}

async fn record(state: &State, line: &str) {
    let log = state.log.clone();
    log.lock().unwrap().push(line.to_string());
    let again = Arc::clone(&state.log);
    again.lock().unwrap().push(format!("{line}!"));
}

#[tokio::main]
async fn main() {
    let state = State { log: Arc::new(Mutex::new(Vec::new())) };
    record(&state, "a").await;
    let captured = state.clone();
    let task = tokio::spawn(async move {
        captured.log.lock().unwrap().push("from task".to_string());
    });
    task.await.unwrap();
    println!("{:?}", state.log.lock().unwrap());
}
