use serde::{Deserialize, Serialize};
use std::sync::{Arc, Mutex};

/// serde serializes std's Mutex, not tokio's: left unchanged.
#[derive(Serialize, Default)]
struct Stats {
    hits: Mutex<u64>,
}

/// The same through `cfg_attr`.
#[cfg_attr(all(), derive(Deserialize))]
#[derive(Debug, Default)]
struct Limits {
    max: Mutex<u64>,
}

/// A skipped field is never serialized: it migrates.
#[derive(Serialize, Default)]
struct Snapshot {
    #[serde(skip)]
    live: Mutex<u64>,
    taken: u64,
}

/// `Clone` of an `Arc` holds for tokio's Mutex too: it migrates.
#[derive(Clone, Debug, Default)]
struct App {
    db: Arc<Mutex<Vec<u32>>>,
}

fn is_serialize<T: Serialize>(_: &T) {}

async fn run(s: &Stats, l: &Limits, snap: &Snapshot, app: App) -> u64 {
    *s.hits.lock().unwrap() += 1;
    *l.max.lock().unwrap() += 2;
    *snap.live.lock().unwrap() += 3;
    app.db.lock().unwrap().push(4);
    let db = app.clone().db.lock().unwrap().len() as u64;
    let hits = *s.hits.lock().unwrap();
    let max = *l.max.lock().unwrap();
    hits + max + *snap.live.lock().unwrap() + db
}

#[tokio::main]
async fn main() {
    let (s, l, snap) = (Stats::default(), Limits::default(), Snapshot::default());
    is_serialize(&s);
    is_serialize(&snap);
    let limits: Option<Limits> = None;
    println!("{} {} {limits:?}", run(&s, &l, &snap, App::default()).await, snap.taken);
}
