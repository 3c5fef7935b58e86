use parking_lot::RwLock;
use std::sync::Arc;

/// Built with `const_mutex`: reported as manual, left unchanged.
static HITS: parking_lot::Mutex<u32> = parking_lot::const_mutex(0);

struct Routes {
    table: Arc<RwLock<Vec<String>>>,
}

async fn add(routes: &Routes, path: &str) {
    routes.table.write().push(path.to_string());
    *HITS.lock() += 1;
}

#[tokio::main]
async fn main() {
    let routes = Routes { table: Arc::new(RwLock::new(Vec::new())) };
    add(&routes, "/").await;
    println!("{:?} {}", routes.table.read(), HITS.lock());
}
