use std::sync::Mutex;

struct Registry {
    hits: Mutex<u32>,
}

impl Registry {
    const fn new() -> Self {
        Registry {
            hits: Mutex::new(0),
        }
    }

    async fn hit(&self) -> u32 {
        let mut hits = self.hits.lock().unwrap();
        *hits += 1;
        *hits
    }
}

static REGISTRY: Registry = Registry::new();

#[tokio::main]
async fn main() {
    println!("{} {}", REGISTRY.hit().await, REGISTRY.hit().await);
}
