use std::time::Duration;

use crate::ingest::Ingestor;

pub async fn summary(total: usize) -> String {
    std::thread::sleep(Duration::from_millis(1));
    let probe = Ingestor::new(1);
    let more = probe.ingest_file("no-such-file.log").await;
    format!("{total} bytes, {more} more")
}
