use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

#[derive(Default)]
struct Registry {
    names: Arc<Mutex<HashMap<u32, String>>>,
}

async fn register(registry: &Registry, id: u32, name: &str) {
    registry.names.lock().unwrap().insert(id, name.to_string());
}

#[tokio::main]
async fn main() {
    let registry = Registry::default();
    register(&registry, 1, "one").await;
    println!("{:?}", registry.names.lock().unwrap().get(&1));
}
