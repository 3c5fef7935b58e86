use std::sync::Arc;
use tokio::sync::Mutex;

/// Already tokio: the file's own `Mutex` is tokio's, whatever the modules
/// below import.
struct Cache {
    entries: Mutex<Vec<u32>>,
}

async fn remember(cache: &Cache, v: u32) -> usize {
    let mut entries = cache.entries.lock().await;
    entries.push(v);
    entries.len()
}

mod plain {
    use std::sync::Mutex;

    pub struct Counter {
        pub hits: Mutex<u32>,
    }

    pub async fn bump(c: &Counter) -> u32 {
        let mut hits = c.hits.lock().unwrap();
        *hits += 1;
        *hits
    }
}

mod fast {
    use parking_lot::Mutex;

    pub struct Gauge {
        pub level: Mutex<u32>,
    }

    pub async fn set(g: &Gauge, x: u32) -> u32 {
        *g.level.lock() = x;
        *g.level.lock()
    }
}

async fn pending_total() -> u32 {
    use std::sync::RwLock;
    let pending = RwLock::new(vec![1, 2, 3]);
    let total = pending.read().unwrap().iter().sum();
    total
}

#[tokio::main]
async fn main() {
    let cache = Arc::new(Cache {
        entries: Mutex::new(Vec::new()),
    });
    let counter = plain::Counter {
        hits: std::sync::Mutex::new(0),
    };
    let gauge = fast::Gauge {
        level: parking_lot::Mutex::new(0),
    };
    println!(
        "{} {} {} {}",
        remember(&cache, 7).await,
        plain::bump(&counter).await,
        fast::set(&gauge, 3).await,
        pending_total().await
    );
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    #[test]
    fn sync_only() {
        let m = Mutex::new(1);
        *m.lock().unwrap() += 1;
        assert_eq!(*m.lock().unwrap(), 2);
    }
}
