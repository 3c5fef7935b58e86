use std::sync::Mutex;

struct Store {
    items: Mutex<Vec<u32>>,
}

impl Store {
    fn add(&self, v: u32) {
        self.items.lock().unwrap().push(v);
    }
    fn count(&self) -> usize {
        self.items.lock().unwrap().len()
    }
}

async fn handle(store: &Store, v: u32) -> usize {
    store.add(v);
    store.count()
}

#[tokio::main]
async fn main() {
    let store = Store { items: Mutex::new(Vec::new()) };
    println!("{}", handle(&store, 1).await);
}
