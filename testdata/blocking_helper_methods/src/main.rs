mod journal;
mod pool;
mod store;

use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use journal::Journal;
use pool::Pool;
use store::{DiskStore, MemStore, Store};

/// A directory removed when dropped.
struct Scratch {
    path: PathBuf,
}

impl Scratch {
    fn new(name: &str) -> Scratch {
        Scratch {
            path: std::env::temp_dir().join(name),
        }
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

struct Server {
    journal: Journal,
}

impl Server {
    async fn save(&mut self, line: &str) {
        self.journal.push(line);
        self.journal.flush();
    }
}

async fn checkout() -> u32 {
    let pool = Pool::new(2);
    let slot = pool.get();
    pool.put(slot);
    slot
}

async fn handle(pool: &Pool) -> u32 {
    pool.get()
}

async fn lookup(store: &dyn Store, key: &str) -> String {
    store.load(key)
}

async fn lookup_in<S: Store>(store: &S, key: &str) -> String {
    store.load(key)
}

async fn scratch_len() -> usize {
    let dir = Scratch::new("awaitify-blocking-helper-methods");
    dir.path.as_os_str().len()
}

/// Std methods named like the crate's blocking ones.
async fn namesakes(index: &HashMap<String, u32>) -> usize {
    let slots = vec![1u32, 2];
    let first = slots.get(0).copied().unwrap_or(0);
    let mut buf: Vec<u8> = Vec::new();
    let _ = buf.flush();
    let hits = AtomicUsize::new(1);
    let task = tokio::spawn(async { 1u32 });
    let n = task.await.unwrap_or(0);
    (first + n) as usize + hits.load(Ordering::Relaxed) + index.get("a").map_or(0, |v| *v as usize)
}

#[tokio::main]
async fn main() {
    let dir = std::env::temp_dir().join("awaitify-blocking-helper-methods-journal");
    let mut server = Server {
        journal: Journal {
            path: dir,
            lines: Vec::new(),
        },
    };
    server.save("one").await;
    let pool = Pool::new(1);
    let mem = MemStore {
        map: HashMap::new(),
    };
    let disk = DiskStore {
        dir: std::env::temp_dir(),
    };
    let found = lookup(&mem, "a").await.len() + lookup_in(&disk, "awaitify-none").await.len();
    println!(
        "{} {} {} {} {}",
        checkout().await,
        handle(&pool).await,
        found,
        scratch_len().await > 0,
        namesakes(&HashMap::new()).await
    );
}
