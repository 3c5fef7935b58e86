use std::sync::Mutex;

pub async fn bump(x: &Mutex<u32>) {
    *x.lock().unwrap() += 10;
}
