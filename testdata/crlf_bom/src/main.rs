use std::sync::{Arc, Mutex};

// Windows line endings and a BOM.
async fn add(v: Arc<Mutex<Vec<u8>>>) {
    v.lock().unwrap().push(1);
}

#[tokio::main]
async fn main() {
    let v = Arc::new(Mutex::new(Vec::new()));
    add(v.clone()).await;
    println!("{:?}", v.lock().unwrap());
}
