use parking_lot::Mutex;
use std::sync::Arc;

#[tokio::main]
async fn main() {
    let queue = Arc::new(Mutex::new(Vec::new()));
    queue.lock().push(1);
    println!("{:?}", queue.lock());
}
