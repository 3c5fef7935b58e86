use std::sync::Mutex;

struct Left {
    inner: Mutex<u8>,
}

struct Right {
    inner: Mutex<u8>,
}

trait HasInner {
    fn get(&self) -> &Self;
}

impl HasInner for Left {
    fn get(&self) -> &Self {
        self
    }
}

async fn bump(left: &Left, right: &Right) {
    let l = left.get();
    *l.inner.lock().unwrap() += 1;
    *right.inner.lock().unwrap() += 2;
}

#[tokio::main]
async fn main() {
    let (left, right) = (Left { inner: Mutex::new(0) }, Right { inner: Mutex::new(0) });
    bump(&left, &right).await;
    println!("{} {}", left.inner.lock().unwrap(), right.inner.lock().unwrap());
}
