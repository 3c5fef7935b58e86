use std::time::{Duration, Instant};

#[tokio::test(start_paused = true)]
async fn real_time_passes_under_a_paused_clock() {
    let start = Instant::now();
    std::thread::sleep(Duration::from_millis(1));
    assert!(start.elapsed() >= Duration::from_millis(1));
}
