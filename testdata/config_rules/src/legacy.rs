use std::sync::Mutex;

static LOCAL: Mutex<u32> = Mutex::new(0);

async fn tick() {}

pub async fn bump() {
    let mut shared = crate::SHARED.lock().unwrap();
    tick().await;
    *shared += 1;
}

pub async fn count() {
    let mut n = LOCAL.lock().unwrap();
    tick().await;
    *n += 1;
    std::thread::sleep(std::time::Duration::from_millis(1));
}
