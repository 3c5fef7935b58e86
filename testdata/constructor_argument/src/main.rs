use std::sync::{Arc, Mutex, RwLock};

mod work;

use work::{Ledger, Tally};

fn bump(hits: &Mutex<u32>) -> u32 {
    let mut hits = hits.lock().unwrap();
    *hits += 1;
    *hits
}

async fn owned(count: Mutex<u64>) -> u64 {
    let value = *count.lock().unwrap();
    value
}

async fn shared(count: Arc<Mutex<u64>>) -> u64 {
    let value = *count.lock().unwrap();
    value
}

async fn joined(names: RwLock<Vec<String>>) -> usize {
    let len = names.read().unwrap().len();
    len
}

#[tokio::main]
async fn main() {
    let hits = Mutex::new(0);
    assert_eq!(owned(Mutex::new(3)).await, 3);
    println!("{}", shared(Arc::new(Mutex::new(4))).await);
    let (len,) = tokio::join!(joined(RwLock::new(vec!["ada".to_string()])));
    let ledger = Ledger.take(Mutex::new(5)).await;
    let tally = Tally.take(Mutex::new(6));
    println!("{len} {ledger} {tally} {}", bump(&hits));
}
