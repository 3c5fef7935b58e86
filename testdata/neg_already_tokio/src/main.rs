use std::sync::Arc;
use tokio::sync::Mutex;

#[tokio::main]
async fn main() {
    let m = Arc::new(Mutex::new(1));
    *m.lock().await += 1;
    println!("{}", m.lock().await);
}
