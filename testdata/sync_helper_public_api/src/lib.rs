use std::sync::{Arc, Mutex};

#[derive(Default)]
pub struct Shard {
    n: Mutex<u32>,
    seen: Mutex<u32>,
}

impl Shard {
    pub async fn add(&self, k: u32) {
        *self.n.lock().unwrap() += k;
        *self.seen.lock().unwrap() += 1;
    }
}

pub fn count(s: &Shard) -> u32 {
    *s.n.lock().unwrap()
}

fn times_seen(s: &Shard) -> u32 {
    *s.seen.lock().unwrap()
}

pub async fn report(s: Arc<Shard>) -> (u32, u32) {
    tokio::task::spawn_blocking(move || (count(&s), times_seen(&s)))
        .await
        .unwrap()
}
