mod helpers;

use std::sync::Mutex;

#[tokio::test]
async fn adds() {
    let total = Mutex::new(1);
    helpers::add(&total, 2).await;
    assert_eq!(*total.lock().unwrap(), 3);
}
