use std::time::Duration;

async fn nap(ms: u64) -> u64 {
    std::thread::sleep(Duration::from_millis(ms));
    ms
}

#[tokio::main]
async fn main() {
    println!("{}", nap(1).await);
}
