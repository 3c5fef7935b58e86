use std::sync::{Arc, Mutex};

struct Sink {
    count: Arc<Mutex<u64>>,
}

impl Sink {
    async fn flush(&self) -> u64 {
        let mut n = self.count.lock().unwrap();
        *n += 1;
        *n
    }
}

struct Pool {
    idle: Arc<Mutex<Vec<u32>>>,
}

async fn take(pool: &Pool) -> Option<u32> {
    pool.idle.lock().unwrap().pop()
}

#[tokio::main]
async fn main() {
    let count = Arc::new(Mutex::new(0u64));
    let sinks = vec![Box::new(Sink { count: count.clone() })];
    for s in &sinks {
        s.flush().await;
    }
    println!("counted: {}", count.lock().map(|c| *c).unwrap_or(0));

    let idle = Arc::new(Mutex::new(vec![1, 2]));
    let pools = vec![Pool { idle: idle.clone() }];
    println!("took {:?}", take(&pools[0]).await);
    println!("left {}", idle.lock().unwrap().len());
}
