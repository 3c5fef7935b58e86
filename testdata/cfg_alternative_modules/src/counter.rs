use std::sync::Mutex;

pub struct Counter {
    hits: Mutex<u32>,
}

impl Counter {
    pub fn new() -> Self {
        Counter {
            hits: Mutex::new(0),
        }
    }

    pub async fn hit(&self) -> u32 {
        let mut h = self.hits.lock().unwrap();
        *h += 1;
        *h
    }
}
