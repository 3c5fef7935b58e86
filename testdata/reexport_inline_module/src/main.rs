mod sync {
    pub use std::sync::Mutex;
}
mod tally;

use std::sync::Arc;
use sync::Mutex;

struct State {
    hits: Mutex<u32>,
}

async fn hit(state: Arc<State>) -> u32 {
    let mut hits = state.hits.lock().unwrap();
    *hits += 1;
    *hits
}

#[tokio::main]
async fn main() {
    let state = Arc::new(State {
        hits: Mutex::new(0),
    });
    let first = tokio::spawn(hit(state.clone())).await.unwrap();
    let second = hit(state).await;
    let tally = tally::Tally::default();
    let total = tokio::task::spawn_blocking(move || {
        tally.add(first + second);
        tally.total()
    })
    .await
    .unwrap();
    println!("{first} {second} {total}");
}
