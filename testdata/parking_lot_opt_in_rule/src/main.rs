use parking_lot::Mutex as PlMutex;
use std::collections::HashMap;
use std::sync::Mutex;

static REQUESTS: PlMutex<u64> = PlMutex::new(0);

struct Limiter {
    buckets: PlMutex<HashMap<String, u32>>,
    log: Mutex<Vec<String>>,
}

impl Limiter {
    async fn check(&self, client: &str) -> bool {
        *REQUESTS.lock() += 1;
        let mut buckets = self.buckets.lock();
        let used = buckets.entry(client.to_string()).or_insert(0);
        *used += 1;
        let ok = *used <= 2;
        drop(buckets);
        self.log.lock().unwrap().push(format!("{client}:{ok}"));
        ok
    }
}

#[tokio::main]
async fn main() {
    let limiter = Limiter {
        buckets: PlMutex::new(HashMap::new()),
        log: Mutex::new(Vec::new()),
    };
    for client in ["a", "b", "a", "a"] {
        println!("{client}: {}", limiter.check(client).await);
    }
    println!("requests: {}", *REQUESTS.lock());
    println!("log: {:?}", limiter.log.lock().unwrap());
}
