use std::time::Duration;

fn sleep(ms: u64) -> u64 {
    ms + 1
}

fn warm_up() {
    std::thread::sleep(Duration::from_millis(1));
}

async fn work() -> usize {
    tokio::time::sleep(Duration::from_millis(1)).await;
    let n = sleep(1);
    let text = tokio::task::spawn_blocking(|| {
        std::thread::sleep(Duration::from_millis(1));
        std::fs::read_to_string("Cargo.toml").unwrap_or_default()
    })
    .await
    .unwrap();
    text.len() + n as usize
}

fn main() {
    warm_up();
    let rt = tokio::runtime::Runtime::new().unwrap();
    println!("{}", rt.block_on(work()) > 0);
}
