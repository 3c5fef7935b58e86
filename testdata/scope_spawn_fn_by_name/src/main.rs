use std::sync::Mutex;

static QUEUE: Mutex<Vec<u32>> = Mutex::new(Vec::new());

/// Runs on its own thread.
fn drain() -> usize {
    let mut queue = QUEUE.lock().unwrap();
    let n = queue.len();
    queue.clear();
    n
}

async fn push(v: u32) {
    QUEUE.lock().unwrap().push(v);
}

#[tokio::main]
async fn main() {
    push(1).await;
    push(2).await;
    let handle = std::thread::spawn(drain);
    let drained = tokio::task::spawn_blocking(move || handle.join().unwrap())
        .await
        .unwrap();
    println!("{drained}");
}
