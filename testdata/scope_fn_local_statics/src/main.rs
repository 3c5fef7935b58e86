use std::sync::Mutex;

static HITS: Mutex<u32> = Mutex::new(0);

async fn lookup(k: u32) -> String {
    static CACHE: Mutex<Vec<u32>> = Mutex::new(Vec::new());
    let mut g = CACHE.lock().unwrap();
    g.push(k);
    format!("v{}", g[0])
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
