use std::sync::{Arc, Mutex};

enum Conn {
    Live(Arc<Mutex<Vec<u8>>>),
    Backup(Arc<Mutex<Vec<u8>>>),
}

enum Slot {
    Held(Arc<Mutex<u32>>),
}

async fn size(c: &Conn) -> usize {
    match c {
        Conn::Live(m) | Conn::Backup(m) => m.lock().unwrap().len(),
    }
}

async fn held(s: Option<&Slot>) -> u32 {
    match s {
        Some(Slot::Held(m)) => *m.lock().unwrap(),
        None => 0,
    }
}

#[tokio::main]
async fn main() {
    let live = Conn::Live(Arc::new(Mutex::new(vec![1])));
    let backup = Conn::Backup(Arc::new(Mutex::new(vec![])));
    let slot = Slot::Held(Arc::new(Mutex::new(7)));
    println!("{} {} {}", size(&live).await, size(&backup).await, held(Some(&slot)).await);
}
