use std::collections::HashMap;
use std::sync::{Arc, RwLock};

struct Registry {
    counters: RwLock<HashMap<&'static str, u32>>,
}

macro_rules! with_counters {
    ($r:expr, $m:ident) => {
        let $m = $r.counters.read().unwrap();
    };
}

async fn record(r: &Registry, key: &'static str) {
    *r.counters.write().unwrap().entry(key).or_insert(0) += 1;
}

async fn total(r: &Registry) -> u32 {
    with_counters!(r, m);
    m.values().sum()
}

#[tokio::main]
async fn main() {
    let registry = Arc::new(Registry {
        counters: RwLock::new(HashMap::new()),
    });
    record(&registry, "a").await;
    record(&registry, "b").await;
    record(&registry, "a").await;
    println!("total {}", total(&registry).await);
}
