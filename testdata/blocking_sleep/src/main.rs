use std::thread;
use std::thread::sleep;
use std::time::Duration;

async fn step(n: u64) -> u64 {
    std::thread::sleep(Duration::from_millis(1));
    thread::sleep(Duration::from_millis(n));
    sleep(Duration::from_millis(1));
    n * 2
}

#[tokio::main]
async fn main() {
    println!("{}", step(2).await);
}
