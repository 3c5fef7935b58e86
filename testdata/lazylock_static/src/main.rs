use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

static CACHE: LazyLock<Mutex<HashMap<u32, String>>> = LazyLock::new(|| Mutex::new(HashMap::new()));

async fn lookup(key: u32) -> String {
    let mut cache = CACHE.lock().unwrap();
    cache.entry(key).or_insert_with(|| format!("value-{key}")).clone()
}

#[tokio::main]
async fn main() {
    println!("{} {}", lookup(1).await, lookup(1).await);
}
