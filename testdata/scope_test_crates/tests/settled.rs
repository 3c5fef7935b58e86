use std::time::Duration;

/// Blocks the runtime thread it is called on.
fn settle() {
    std::thread::sleep(Duration::from_millis(1));
}

#[tokio::test]
async fn settles() {
    settle();
    assert_eq!(scope_test_crates::answer(), 42);
}
