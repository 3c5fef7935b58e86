use crate::sync::Mutex;

#[derive(Default)]
pub struct Registry {
    names: Mutex<Vec<String>>,
}

impl Registry {
    pub fn add(&self, name: &str) {
        self.names.lock().unwrap().push(name.to_string());
    }

    pub fn count(&self) -> usize {
        self.names.lock().unwrap().len()
    }
}
