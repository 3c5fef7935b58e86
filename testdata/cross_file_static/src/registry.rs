use std::sync::RwLock;

pub static SEEN: RwLock<Vec<u32>> = RwLock::new(Vec::new());

pub async fn snapshot() -> Vec<u32> {
    SEEN.read().unwrap().clone()
}
