// Expected to fail: the future holds a std MutexGuard across an `.await`, so
// it is not `Send`. Migrating the lock would make this compile.
use std::sync::Mutex;

fn assert_send<T: Send>(_: T) {}

async fn held(m: &Mutex<u32>) {
    let guard = m.lock().unwrap();
    tokio::task::yield_now().await;
    drop(guard);
}

fn main() {
    let m = Mutex::new(0);
    assert_send(held(&m));
}
