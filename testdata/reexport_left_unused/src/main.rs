mod registry;
mod sync;

use sync::{Arc, RwLock};

struct Config {
    greeting: RwLock<String>,
}

async fn greet(config: Arc<Config>, name: &str) -> String {
    format!("{}, {name}", config.greeting.read().unwrap())
}

async fn set_greeting(config: Arc<Config>, greeting: &str) {
    *config.greeting.write().unwrap() = greeting.to_string();
}

#[tokio::main]
async fn main() {
    let config = Arc::new(Config {
        greeting: RwLock::new("hello".to_string()),
    });
    println!("{}", greet(config.clone(), "ada").await);
    tokio::spawn(set_greeting(config.clone(), "hi")).await.unwrap();
    println!("{}", greet(config, "bob").await);
    let registry = registry::Registry::default();
    let n = tokio::task::spawn_blocking(move || {
        registry.add("ada");
        registry.count()
    })
    .await
    .unwrap();
    println!("{n} registered");
}
