mod stats;
mod worker;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

type Db = Arc<Mutex<HashMap<u32, String>>>;

/// An axum-style extractor: a tuple struct around the shared state.
struct State<T>(T);

async fn get_user(db: &Db, id: u32) -> Option<String> {
    db.lock().unwrap().get(&id).cloned()
}

async fn put(State(db): State<Db>, id: u32, name: &str) {
    db.lock().unwrap().insert(id, name.to_string());
}

#[tokio::main]
async fn main() {
    let db: Db = Arc::new(Mutex::new(HashMap::new()));
    put(State(db.clone()), 1, "ada").await;
    println!("{:?}", get_user(&db, 1).await);

    let metrics = Mutex::new(stats::Metrics::default());
    stats::record(&metrics, 3).await;
    println!("{}", stats::summary(&metrics).await);

    let jobs = Arc::new(Mutex::new(0u32));
    let handle = {
        let jobs = Arc::clone(&jobs);
        std::thread::spawn(move || worker::run(&jobs))
    };
    tokio::task::spawn_blocking(move || handle.join().unwrap())
        .await
        .unwrap();
    *jobs.lock().unwrap() += 1;
    println!("{}", *jobs.lock().unwrap());
}
