use std::time::Duration;
use tokio::time::timeout;

/// Shares its name with the blocking `settle` of another test crate, but
/// does not block.
fn settle() -> u32 {
    scope_test_crates::answer()
}

#[tokio::test]
async fn answers_in_time() {
    let v = timeout(Duration::from_secs(5), async { settle() })
        .await
        .unwrap();
    assert_eq!(v, 42);
    // Off the runtime: not a finding.
    tokio::task::spawn_blocking(|| std::thread::sleep(Duration::from_millis(1)))
        .await
        .unwrap();
}
