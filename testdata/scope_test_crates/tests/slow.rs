use std::time::Duration;

/// A sync test that blocks on purpose; its name is also tokio's `timeout`.
#[test]
fn timeout() {
    std::thread::sleep(Duration::from_millis(1));
    assert_eq!(scope_test_crates::answer(), 42);
}
