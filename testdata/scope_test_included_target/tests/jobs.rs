mod util;

use std::sync::Mutex;

#[tokio::test]
async fn jobs_are_counted() {
    let done = Mutex::new(0);
    util::bump(&done).await;
    util::time::settle();
    util::bump(&done).await;
    assert_eq!(*done.lock().unwrap(), 2);
}
