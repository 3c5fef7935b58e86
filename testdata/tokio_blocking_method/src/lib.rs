use std::sync::Arc;
use tokio::sync::{broadcast, mpsc, oneshot, Mutex, RwLock};

pub struct Shared {
    count: Mutex<u32>,
    names: RwLock<Vec<String>>,
}

impl Shared {
    pub async fn bump(&self) -> u32 {
        let mut n = self.count.blocking_lock();
        *n += 1;
        *n
    }

    pub async fn first_name(&self) -> Option<String> {
        self.names.blocking_read().first().cloned()
    }

    pub async fn add_name(&self, name: String) {
        self.names.blocking_write().push(name);
    }
}

pub async fn double(tx: mpsc::Sender<u32>, mut rx: mpsc::UnboundedReceiver<u32>) {
    while let Some(v) = rx.blocking_recv() {
        tx.blocking_send(v * 2).unwrap();
    }
}

pub async fn first_event() -> Option<u32> {
    let (tx, mut rx) = broadcast::channel(4);
    tx.send(1).unwrap();
    rx.blocking_recv().ok()
}

pub async fn answer(done: oneshot::Receiver<u32>) -> u32 {
    done.blocking_recv().unwrap_or(0)
}

// `.await` is impossible in the closure: reported, left as it is.
pub async fn total(counts: &[Arc<Mutex<u32>>]) -> u32 {
    counts.iter().map(|c| *c.blocking_lock()).sum()
}

// The blocking pool is where blocking_lock belongs.
pub async fn off_runtime(count: Arc<Mutex<u32>>) -> u32 {
    tokio::task::spawn_blocking(move || *count.blocking_lock())
        .await
        .unwrap()
}

pub fn read_sync(count: &Mutex<u32>) -> u32 {
    *count.blocking_lock()
}

pub async fn deliberate(count: &Mutex<u32>) -> u32 {
    // awaitify: allow(tokio-blocking-in-async)
    let n = *count.blocking_lock();
    n
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    #[should_panic]
    async fn blocking_lock_panics() {
        let m = tokio::sync::Mutex::new(0);
        let _g = m.blocking_lock();
    }
}
