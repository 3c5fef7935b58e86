use std::collections::HashMap;
use std::path::PathBuf;

pub trait Store {
    fn load(&self, key: &str) -> String;
}

pub struct MemStore {
    pub map: HashMap<String, String>,
}

impl Store for MemStore {
    fn load(&self, key: &str) -> String {
        self.map.get(key).cloned().unwrap_or_default()
    }
}

pub struct DiskStore {
    pub dir: PathBuf,
}

impl Store for DiskStore {
    fn load(&self, key: &str) -> String {
        std::fs::read_to_string(self.dir.join(key)).unwrap_or_default()
    }
}
