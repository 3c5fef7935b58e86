use std::collections::HashMap;
use std::sync::{Arc, Mutex};

type Db = Arc<Mutex<HashMap<String, u32>>>;

struct App {
    db: Db,
}

async fn put(app: &App, key: &str, value: u32) {
    app.db.lock().unwrap().insert(key.to_string(), value);
}

#[tokio::main]
async fn main() {
    let app = App { db: Arc::new(Mutex::new(HashMap::new())) };
    put(&app, "x", 1).await;
    println!("{:?}", app.db.lock().unwrap().get("x"));
}
