/// Same names, another lock: tokio's, locked in async code as it should be.
pub struct Inner {
    pub m: tokio::sync::Mutex<u32>,
}

impl Inner {
    pub async fn bump(&self) -> u32 {
        let mut m = self.m.lock().await;
        *m += 10;
        *m
    }
}
