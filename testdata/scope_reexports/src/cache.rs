use crate::sync::StdMutex;

pub struct Cache {
    hits: StdMutex<u32>,
}

impl Cache {
    pub fn new() -> Self {
        Cache {
            hits: StdMutex::new(0),
        }
    }

    pub async fn hit(&self) -> u32 {
        let mut hits = self.hits.lock().unwrap();
        *hits += 1;
        *hits
    }
}

impl Default for Cache {
    fn default() -> Self {
        Self::new()
    }
}
