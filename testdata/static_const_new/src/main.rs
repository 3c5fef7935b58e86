use std::sync::Mutex;

static NEXT_ID: Mutex<u64> = Mutex::new(1);

async fn next_id() -> u64 {
    let mut id = NEXT_ID.lock().unwrap();
    let current = *id;
    *id += 1;
    current
}

#[tokio::main]
async fn main() {
    let a = next_id().await;
    let b = next_id().await;
    println!("{a} {b}");
}
