use std::sync::{Arc, Mutex, Weak};

struct Child {
    parent: Weak<Mutex<Vec<u8>>>,
}

async fn notify(c: &Child) -> usize {
    if let Some(p) = c.parent.upgrade() {
        p.lock().unwrap().push(2);
    }
    match Weak::upgrade(&c.parent) {
        Some(p) => p.lock().unwrap().len(),
        None => 0,
    }
}

#[tokio::main]
async fn main() {
    let parent = Arc::new(Mutex::new(Vec::new()));
    let c = Child {
        parent: Arc::downgrade(&parent),
    };
    parent.lock().unwrap().push(1);
    let n = notify(&c).await;
    println!("{n} {:?}", parent.lock().unwrap());
}
