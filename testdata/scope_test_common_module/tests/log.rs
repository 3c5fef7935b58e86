mod common;

use std::sync::{Arc, Mutex};

#[tokio::test]
async fn records() {
    let log = Arc::new(Mutex::new(Vec::new()));
    log.lock().unwrap().push(scope_test_common_module::answer());
    common::record(&log, 1);
    assert_eq!(log.lock().unwrap().len(), 2);
}
