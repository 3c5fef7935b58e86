use std::sync::Mutex;

struct Cache {
    entries: Mutex<Vec<String>>,
}

impl Cache {
    fn len(&self) -> usize {
        self.entries.lock().unwrap().len()
    }

    async fn insert(&self, value: &str) -> usize {
        self.entries.lock().unwrap().push(value.to_string());
        self.len()
    }
}

#[tokio::main]
async fn main() {
    let cache = Cache { entries: Mutex::new(Vec::new()) };
    println!("{}", cache.insert("x").await);
}
