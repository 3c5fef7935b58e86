use std::sync::{Arc, Mutex};

struct Hub {
    tracker: Option<Arc<Mutex<Vec<u32>>>>,
}

impl Hub {
    async fn track(&self, v: u32) -> usize {
        let Some(tracker) = self.tracker.as_ref() else {
            return 0;
        };
        let mut seen = tracker.lock().unwrap();
        seen.push(v);
        seen.len()
    }
}

/// Locks its `order` through a closure parameter the tool cannot follow
/// (the closure is handed to `Option::map`, not called where it is seen):
/// this `order` is left as it is.
async fn first() -> Vec<i32> {
    let order = Arc::new(Mutex::new(vec![]));
    let push = |order: Arc<Mutex<Vec<i32>>>| async move {
        order.lock().unwrap().push(1);
    };
    Some(order.clone()).map(push).unwrap().await;
    let v = order.lock().unwrap().clone();
    v
}

/// Another `order`, which nothing above concerns.
async fn second() -> usize {
    let order = Arc::new(Mutex::new(vec![7]));
    let n = order.lock().unwrap().len();
    n
}

#[tokio::main]
async fn main() {
    let hub = Hub {
        tracker: Some(Arc::new(Mutex::new(Vec::new()))),
    };
    println!("{} {:?} {}", hub.track(3).await, first().await, second().await);
}
