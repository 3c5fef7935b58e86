use parking_lot::RwLock;
use std::sync::Arc;

struct Routes {
    table: Arc<RwLock<Vec<String>>>,
}

async fn add(routes: &Routes, path: &str) {
    routes.table.write().push(path.to_string());
}

#[tokio::main]
async fn main() {
    let routes = Routes { table: Arc::new(RwLock::new(Vec::new())) };
    add(&routes, "/").await;
    println!("{:?}", routes.table.read());
}
