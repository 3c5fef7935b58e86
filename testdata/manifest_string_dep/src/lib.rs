//! A library whose async API locks a std Mutex.

use std::sync::Mutex;

pub struct Registry {
    ids: Mutex<Vec<u64>>,
}

impl Registry {
    pub fn new() -> Self {
        Registry { ids: Mutex::new(Vec::new()) }
    }

    pub async fn register(&self, id: u64) -> usize {
        let mut ids = self.ids.lock().unwrap();
        ids.push(id);
        ids.len()
    }
}

impl Default for Registry {
    fn default() -> Self {
        Self::new()
    }
}
