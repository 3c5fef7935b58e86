use std::sync::{Arc, Mutex};

struct Store {
    items: Mutex<Vec<u32>>,
}

struct StoreBuilder {
    cap: usize,
}

impl StoreBuilder {
    fn new() -> Self {
        StoreBuilder { cap: 0 }
    }

    fn capacity(mut self, cap: usize) -> Self {
        self.cap = cap;
        self
    }

    fn build(self) -> Arc<Store> {
        Arc::new(Store {
            items: Mutex::new(Vec::with_capacity(self.cap)),
        })
    }
}

impl Store {
    fn len(&self) -> usize {
        self.items.lock().unwrap().len()
    }

    async fn add(&self, v: u32) {
        self.items.lock().unwrap().push(v);
        tokio::task::yield_now().await;
    }
}

fn open(name: &str) -> Result<Arc<Store>, String> {
    match name.is_empty() {
        true => Err("no name".to_string()),
        false => Ok(StoreBuilder::new().build()),
    }
}

async fn fill(n: u32) -> Result<usize, String> {
    let store = StoreBuilder::new().capacity(8).build();
    for i in 0..n {
        store.add(i).await;
    }
    let other = open("other")?;
    other.add(1).await;
    Ok(store.len() + other.len() + open("third")?.len())
}

#[tokio::main]
async fn main() {
    println!("{:?}", fill(3).await);
    println!("{:?}", fill(0).await);
}
