use std::sync::Mutex;
use std::time::Duration;

struct Cache {
    slot: Mutex<Option<u32>>,
}

async fn get(cache: &Cache) -> u32 {
    if let Some(v) = *cache.slot.lock().unwrap() {
        return v;
    } else {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    *cache.slot.lock().unwrap() = Some(7);
    7
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let cache = Cache { slot: Mutex::new(None) };
    println!("{} {}", get(&cache).await, get(&cache).await);
}
