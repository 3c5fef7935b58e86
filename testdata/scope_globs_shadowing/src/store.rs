use std::collections::HashMap;
use std::sync::*;

pub struct Store {
    entries: RwLock<HashMap<String, u32>>,
}

impl Store {
    pub fn new() -> Self {
        Store {
            entries: RwLock::new(HashMap::new()),
        }
    }

    pub async fn put(&self, k: &str, v: u32) {
        self.entries.write().unwrap().insert(k.to_string(), v);
    }

    pub async fn get(&self, k: &str) -> u32 {
        self.entries.read().unwrap().get(k).copied().unwrap_or(0)
    }
}

/// Its own `RwLock`, only in sync code.
pub fn local_only() -> usize {
    use std::sync::RwLock;
    let names = RwLock::new(vec![1, 2]);
    let n = names.read().unwrap().len();
    n
}
