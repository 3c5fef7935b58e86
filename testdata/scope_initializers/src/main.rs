use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, OnceLock, RwLock};

static NAMES: OnceLock<RwLock<Vec<String>>> = OnceLock::new();

static LIMITS: LazyLock<RwLock<HashMap<&'static str, u32>>> = LazyLock::new(|| {
    let mut limits = HashMap::new();
    limits.insert("default", 10);
    RwLock::new(limits)
});

/// Only read by sync code: stays std, so the `RwLock` import stays too.
static VERSION: RwLock<u32> = RwLock::new(3);

fn version() -> u32 {
    *VERSION.read().unwrap()
}

async fn register(name: &str) -> usize {
    let mut names = NAMES.get_or_init(|| RwLock::new(Vec::new())).write().unwrap();
    names.push(name.to_string());
    names.len()
}

async fn limit(kind: &str) -> u32 {
    let limits = LIMITS.read().unwrap();
    limits.get(kind).copied().unwrap_or(1)
}

#[tokio::main]
async fn main() {
    // A closure that takes a lock is not itself a lock.
    let bump = |m: Arc<Mutex<u32>>| async move {
        let mut n = m.lock().unwrap();
        *n += 1;
        *n
    };
    let counter = Arc::new(Mutex::new(0));
    let bumped = bump(counter.clone()).await;
    println!("version {}", version());
    println!(
        "{} {} {} {}",
        register("a").await,
        register("b").await,
        limit("default").await,
        bumped
    );
}
