use std::sync::mpsc;
use std::time::Duration;

mod sync_api {
    /// The blocking twin of the async `load` below; async code never calls it.
    #[allow(dead_code)]
    pub fn load() -> u32 {
        std::thread::sleep(std::time::Duration::from_millis(5));
        1
    }
}

async fn load() -> u32 {
    1
}

/// Moves its closure to the blocking pool, the way tokio's `asyncify` does.
async fn off_executor<F, T>(f: F) -> T
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    tokio::task::spawn_blocking(f)
        .await
        .expect("blocking task panicked")
}

/// Builds a job for a worker thread: building it runs none of it.
fn make_job(handle: tokio::runtime::Handle) -> Box<dyn FnOnce() -> u32 + Send> {
    Box::new(move || handle.block_on(async { 3 }))
}

async fn manifest_len() -> usize {
    off_executor(|| std::fs::read_to_string("Cargo.toml").map_or(0, |s| s.len())).await
}

async fn run_job() -> u32 {
    let job = make_job(tokio::runtime::Handle::current());
    let worker = std::thread::spawn(job);
    tokio::task::spawn_blocking(move || worker.join().unwrap_or(0))
        .await
        .unwrap_or(0)
}

async fn drain(values: &[u32]) -> u32 {
    let (tx, rx) = mpsc::channel();
    for v in values {
        tx.send(*v).unwrap();
    }
    let mut sum = 0;
    while let Ok(n) = rx.recv_timeout(Duration::ZERO) {
        sum += n;
    }
    while let Ok(n) = rx.try_recv() {
        sum += n;
    }
    sum
}

async fn wait_one(value: u32) -> u32 {
    let (tx, rx) = mpsc::channel();
    tx.send(value).unwrap();
    rx.recv_timeout(Duration::from_millis(50)).unwrap_or(0)
}

async fn bind_local() -> bool {
    std::net::UdpSocket::bind("127.0.0.1:0").is_ok()
}

async fn echo_rounds() -> u32 {
    let (tx, mut rx) = tokio::sync::mpsc::channel(4);
    let mut seen = 0;
    for round in 0..3u32 {
        for i in 0..2u32 {
            assert!(tx.send(round * 2 + i).await.is_ok());
            assert_eq!(rx.recv().await, Some(round * 2 + i));
            seen += 1;
        }
    }
    seen
}

#[tokio::main]
async fn main() {
    println!("{}", load().await);
    println!("{}", manifest_len().await > 0);
    println!("{}", run_job().await);
    println!("{}", drain(&[2, 5]).await);
    println!("{}", wait_one(4).await);
    println!("{}", bind_local().await);
    println!("{}", echo_rounds().await);
}
