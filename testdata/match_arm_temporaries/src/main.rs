use std::sync::{Arc, Mutex, RwLock};

struct Store {
    done: RwLock<Vec<(u32, String)>>,
    failed: Mutex<Vec<u32>>,
}

impl Store {
    fn done_count(&self) -> usize {
        self.done.read().unwrap().len()
    }
}

fn process(id: u32) -> Result<String, String> {
    if id % 3 == 0 {
        return Err(format!("job {id} failed"));
    }
    Ok(format!("job {id} ok"))
}

async fn run(store: Arc<Store>, ids: Vec<u32>) -> usize {
    let mut count = 0;
    for id in ids {
        match process(id) {
            Ok(result) => store.done.write().unwrap().push((id, result)),
            Err(_) => store.failed.lock().unwrap().push(id),
        }
        count += 1;
        tokio::task::yield_now().await;
    }
    count
}

#[tokio::main]
async fn main() {
    let store = Arc::new(Store {
        done: RwLock::new(Vec::new()),
        failed: Mutex::new(Vec::new()),
    });
    let n = run(store.clone(), (1..=6).collect()).await;
    println!("processed {n}, done {}", store.done_count());
    println!("failed: {:?}", store.failed.lock().unwrap());
}
