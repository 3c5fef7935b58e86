use std::sync::Mutex;

static SEEN: Mutex<u32> = Mutex::new(0);

/// Counts a visit.
pub async fn visit() -> u32 {
    let mut seen = SEEN.lock().unwrap();
    *seen += 1;
    *seen
}
