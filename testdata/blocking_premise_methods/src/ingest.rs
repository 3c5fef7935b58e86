use std::time::Duration;

pub struct Ingestor {
    pause_ms: u64,
}

impl Ingestor {
    pub fn new(pause_ms: u64) -> Self {
        Ingestor { pause_ms }
    }

    /// Waits its turn, then reads the file (0 bytes if there is none).
    pub async fn ingest_file(&self, path: &str) -> usize {
        std::thread::sleep(Duration::from_millis(self.pause_ms));
        std::fs::read_to_string(path).map_or(0, |s| s.len())
    }
}
