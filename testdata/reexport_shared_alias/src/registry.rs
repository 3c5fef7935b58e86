use crate::sync_util::StdMutex;

#[derive(Default)]
pub struct Registry {
    names: StdMutex<Vec<String>>,
}

impl Registry {
    pub fn add(&self, n: &str) {
        self.names.lock().unwrap().push(n.to_string());
    }
    pub fn count(&self) -> usize {
        self.names.lock().unwrap().len()
    }
}
