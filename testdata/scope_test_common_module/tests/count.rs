mod common;

use std::sync::Mutex;

#[tokio::test]
async fn counts() {
    let counter = Mutex::new(0);
    common::bump(&counter).await;
    common::bump(&counter).await;
    assert_eq!(*counter.lock().unwrap(), 2);
}
