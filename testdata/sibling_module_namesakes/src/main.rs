mod a {
    use std::sync::Mutex;
    pub async fn bad(x: &Mutex<u32>) {
        let g = x.lock().unwrap();
        tokio::task::yield_now().await;
        println!("a {}", *g);
    }
}

mod b {
    use parking_lot::Mutex;
    pub async fn bad(x: &Mutex<u32>) {
        *x.lock() += 1;
        println!("b {}", *x.lock());
    }
}

#[tokio::main]
async fn main() {
    let m = std::sync::Mutex::new(1);
    let p = parking_lot::Mutex::new(2);
    a::bad(&m).await;
    b::bad(&p).await;
}
