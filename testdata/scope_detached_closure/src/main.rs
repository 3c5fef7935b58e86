use std::sync::{Arc, Mutex};

/// Called before any runtime exists; the hook it returns runs inside one.
fn make_hook(seen: &Arc<Mutex<Vec<u32>>>) -> impl Fn(u32) {
    let seen = seen.clone();
    move |v| seen.lock().unwrap().push(v)
}

async fn count(seen: &Arc<Mutex<Vec<u32>>>) -> usize {
    seen.lock().unwrap().len()
}

fn main() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let hook = make_hook(&seen);
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        hook(1);
        hook(2);
        println!("{}", count(&seen).await);
    });
}
