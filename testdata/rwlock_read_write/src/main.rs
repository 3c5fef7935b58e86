use std::collections::HashMap;
use std::sync::RwLock;

struct Config {
    values: RwLock<HashMap<String, String>>,
}

impl Config {
    async fn set(&self, key: &str, value: &str) {
        self.values.write().unwrap().insert(key.to_string(), value.to_string());
    }

    async fn get(&self, key: &str) -> Option<String> {
        self.values.read().expect("config lock").get(key).cloned()
    }
}

#[tokio::main]
async fn main() {
    let config = Config { values: RwLock::new(HashMap::new()) };
    config.set("mode", "fast").await;
    println!("{:?} {:?}", config.get("mode").await, config.get("other").await);
}
