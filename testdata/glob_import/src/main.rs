use std::sync::*;

struct Pool {
    free: Arc<Mutex<Vec<u8>>>,
}

async fn take(pool: &Pool) -> Option<u8> {
    pool.free.lock().unwrap().pop()
}

#[tokio::main]
async fn main() {
    let pool = Pool { free: Arc::new(Mutex::new(vec![1, 2, 3])) };
    println!("{:?} {:?}", take(&pool).await, take(&pool).await);
}
