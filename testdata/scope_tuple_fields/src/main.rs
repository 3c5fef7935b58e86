use std::sync::{Arc, Condvar, Mutex};

/// A newtype around the shared state.
#[derive(Clone)]
struct Shared(Arc<Mutex<Vec<u32>>>);

impl Shared {
    async fn push(&self, v: u32) -> usize {
        let mut items = self.0.lock().unwrap();
        items.push(v);
        items.len()
    }
}

/// Holds the count and a label; never locked in async code.
struct Labelled(Mutex<u32>, &'static str);

fn bump(l: &Labelled) -> String {
    let mut n = l.0.lock().unwrap();
    *n += 1;
    format!("{} {}", l.1, n)
}

#[tokio::main]
async fn main() {
    let items = Arc::new(Mutex::new(Vec::new()));
    let shared = Shared(items.clone());
    let pair = (Mutex::new(1), 2);
    let first = *pair.0.lock().unwrap();
    // A flag and its condition variable: reported, and nothing else here
    // is blamed for its sites.
    let ready = Arc::new((Mutex::new(true), Condvar::new()));
    let (flag, cv) = &*ready;
    let is_ready = *flag.lock().unwrap();
    cv.notify_all();
    println!("{} {}", shared.push(7).await, shared.clone().push(8).await);
    let bumped = bump(&Labelled(Mutex::new(0), "n"));
    println!("{bumped} {first} {is_ready}");
}
