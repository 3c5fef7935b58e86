use std::time::Duration;

// awaitify: allow(blocking-sleep)
async fn nap() {
    std::thread::sleep(Duration::from_millis(1));
}

async fn idle() -> u32 {
    // awaitify: allow(AW201)
    let x = 1 + 1;
    x * 2
}

async fn doze() {
    std::thread::sleep(Duration::from_millis(1)); // awaitify: allow(AW201, AW206)
}

fn sync_only() -> u32 {
    3 // awaitify: allow(AW202)
}

#[tokio::main]
async fn main() {
    nap().await;
    doze().await;
    println!("{} {}", idle().await, sync_only());
}
