use std::collections::HashMap;
use std::sync::{Arc, Mutex};

struct Inventory {
    stock: Mutex<HashMap<String, u32>>,
}

impl Inventory {
    fn new() -> Self {
        Inventory {
            stock: Mutex::new(HashMap::new()),
        }
    }

    fn restock(&self, item: &str, n: u32) -> u32 {
        let mut stock = self.stock.lock().unwrap();
        let count = stock.entry(item.to_string()).or_insert(0);
        *count += n;
        *count
    }

    async fn take(&self, item: &str) -> Option<u32> {
        tokio::task::yield_now().await;
        let mut stock = self.stock.lock().unwrap();
        let count = stock.get_mut(item)?;
        if *count == 0 {
            return None;
        }
        *count -= 1;
        Some(*count)
    }
}

fn restock_all(inv: &Inventory, items: &[&str]) -> u32 {
    let mut total = 0;
    for item in items {
        total += inv.restock(item, 2);
    }
    total
}

#[tokio::main]
async fn main() {
    let inv = Arc::new(Inventory::new());
    println!("restocked {}", restock_all(&inv, &["apple", "pear"]));
    let mut handles = Vec::new();
    for _ in 0..3 {
        let inv = Arc::clone(&inv);
        handles.push(tokio::spawn(async move { inv.take("apple").await }));
    }
    let mut left = Vec::new();
    for h in handles {
        left.push(h.await.unwrap());
    }
    left.sort();
    println!("{left:?}");
    println!("pear {}", inv.restock("pear", 1));
}
