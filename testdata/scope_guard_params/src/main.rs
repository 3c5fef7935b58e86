use std::sync::{Mutex, MutexGuard, RwLock, RwLockReadGuard};

struct Batch {
    items: Vec<u32>,
}

fn append(batch: &mut MutexGuard<'_, Batch>, v: u32) {
    batch.items.push(v);
}

fn total(names: &RwLockReadGuard<'_, Vec<String>>) -> usize {
    names.iter().map(|n| n.len()).sum()
}

async fn add_all(batch: &Mutex<Batch>, values: &[u32]) -> usize {
    let mut guard = batch.lock().unwrap();
    for v in values {
        append(&mut guard, *v);
    }
    guard.items.len()
}

async fn name_lengths(names: &RwLock<Vec<String>>) -> usize {
    total(&names.read().unwrap())
}

#[tokio::main]
async fn main() {
    let batch = Mutex::new(Batch { items: Vec::new() });
    let names = RwLock::new(vec!["ada".to_string(), "grace".to_string()]);
    println!(
        "{} {}",
        add_all(&batch, &[1, 2, 3]).await,
        name_lengths(&names).await
    );
}
