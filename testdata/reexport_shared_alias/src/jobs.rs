use crate::sync_util::{Shared, StdMutex};
use std::sync::Arc;

pub struct Queue {
    pub items: Shared<Vec<u32>>,
}

impl Queue {
    pub fn new() -> Self {
        Queue { items: Arc::new(StdMutex::new(Vec::new())) }
    }
}

pub async fn drain(q: &Queue) {
    let mut g = q.items.lock().unwrap();
    g.clear();
}
