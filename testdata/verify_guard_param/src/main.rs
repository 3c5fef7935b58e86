use std::sync::Mutex;

struct State {
    hits: Mutex<u32>,
}

fn show(guard: &std::sync::MutexGuard<'_, u32>) -> u32 {
    **guard + 1
}

async fn handle(state: &State) -> u32 {
    let guard = state.hits.lock().unwrap();
    let shown = Some(&guard).map(show).unwrap_or_default();
    drop(guard);
    tokio::task::yield_now().await;
    shown
}

#[tokio::main]
async fn main() {
    let state = State { hits: Mutex::new(0) };
    println!("{}", handle(&state).await);
}
