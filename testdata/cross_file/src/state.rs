use std::sync::{Arc, Mutex};

pub struct AppState {
    pub users: Arc<Mutex<Vec<String>>>,
}

impl AppState {
    pub fn new() -> Self {
        AppState { users: Arc::new(Mutex::new(Vec::new())) }
    }
}
