use std::sync::Mutex;

pub async fn add(total: &Mutex<u32>, n: u32) {
    *total.lock().unwrap() += n;
}
