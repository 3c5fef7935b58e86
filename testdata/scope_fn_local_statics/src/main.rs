use std::collections::HashMap;
use std::sync::Mutex;

static HITS: Mutex<u32> = Mutex::new(0);

async fn lookup(k: u32) -> String {
    static CACHE: Mutex<Option<HashMap<u32, String>>> = Mutex::new(None);
    let mut g = CACHE.lock().unwrap();
    let map = g.get_or_insert_with(HashMap::new);
    map.entry(k).or_insert_with(|| format!("v{k}")).clone()
}

/// Another `CACHE`, locked only in sync code: left alone.
fn names() -> Vec<String> {
    static CACHE: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let mut g = CACHE.lock().unwrap();
    g.push("n".into());
    g.clone()
}

async fn run() -> (u32, String) {
    fn helper() -> String {
        static HITS: Mutex<String> = Mutex::new(String::new());
        HITS.lock().unwrap().push('h');
        let h = HITS.lock().unwrap().clone();
        h
    }
    let h = helper();
    *HITS.lock().unwrap() += 1;
    let n = *HITS.lock().unwrap();
    (n, h)
}

#[tokio::main]
async fn main() {
    println!("{} {:?} {:?}", lookup(1).await, names(), run().await);
}
