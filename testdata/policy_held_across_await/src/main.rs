use std::sync::Mutex;
use std::time::Duration;

struct Worker {
    progress: Mutex<Vec<u32>>,
    hits: Mutex<u32>,
}

impl Worker {
    async fn step(&self, n: u32) {
        *self.hits.lock().unwrap() += 1;
        let mut progress = self.progress.lock().unwrap();
        progress.push(n);
        tokio::time::sleep(Duration::from_millis(1)).await;
        progress.push(n + 100);
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let worker = Worker { progress: Mutex::new(Vec::new()), hits: Mutex::new(0) };
    worker.step(1).await;
    let hits = *worker.hits.lock().unwrap();
    println!("{hits} {:?}", worker.progress.lock().unwrap());
}
