use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

static TOTAL: Mutex<u64> = Mutex::new(0);

struct Registry {
    counters: RwLock<HashMap<&'static str, u32>>,
    hits: Mutex<HashMap<&'static str, u32>>,
    misses: Mutex<HashMap<&'static str, u32>>,
}

macro_rules! with_counters {
    ($r:expr, $m:ident) => {
        let $m = $r.counters.read().unwrap();
    };
}

// One body site, two locks: they migrate together.
macro_rules! bump {
    ($m:expr, $k:expr) => {
        *$m.lock().unwrap().entry($k).or_insert(0) += 1;
        *TOTAL.lock().unwrap() += 1;
    };
}

async fn record(r: &Registry, key: &'static str) {
    *r.counters.write().unwrap().entry(key).or_insert(0) += 1;
    if key == "a" {
        bump!(r.hits, key);
    } else {
        bump!(r.misses, key);
    }
}

async fn total(r: &Registry) -> u32 {
    with_counters!(r, m);
    m.values().sum()
}

#[tokio::main]
async fn main() {
    let registry = Arc::new(Registry {
        counters: RwLock::new(HashMap::new()),
        hits: Mutex::new(HashMap::new()),
        misses: Mutex::new(HashMap::new()),
    });
    record(&registry, "a").await;
    record(&registry, "b").await;
    record(&registry, "a").await;
    println!("total {}", total(&registry).await);
    let hits = registry.hits.lock().unwrap().len();
    let misses = registry.misses.lock().unwrap().len();
    println!("hits {hits} misses {misses} all {}", TOTAL.lock().unwrap());
}
