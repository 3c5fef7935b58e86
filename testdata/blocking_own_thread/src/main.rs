use std::sync::mpsc;
use std::time::Duration;

/// Polls a device at its own pace: only the poller thread runs it.
async fn poll_device(rounds: u32) -> u32 {
    let mut seen = 0;
    for _ in 0..rounds {
        std::thread::sleep(Duration::from_millis(1));
        seen += 1;
    }
    seen
}

async fn load_settings(path: &str) -> usize {
    std::fs::read_to_string(path).map_or(0, |s| s.len())
}

/// Runs on the beat thread and on the tokio runtime.
async fn heartbeat() -> u32 {
    std::thread::sleep(Duration::from_millis(1));
    1
}

/// Runs on the main thread, with whatever else `main` drives there.
async fn settle() -> u32 {
    std::thread::sleep(Duration::from_millis(1));
    2
}

fn run_poller(tx: mpsc::Sender<u32>) {
    let seen = futures::executor::block_on(poll_device(3));
    tx.send(seen).expect("main is listening");
}

fn main() {
    let (tx, rx) = mpsc::channel();
    let polling = std::thread::spawn(move || run_poller(tx));
    let settings = std::thread::Builder::new()
        .name("settings".into())
        .spawn(|| futures::executor::block_on(load_settings("no-such-file.toml")))
        .expect("a thread");
    let beat = std::thread::spawn(|| futures::executor::block_on(heartbeat()));
    let rt = tokio::runtime::Runtime::new().expect("a runtime");
    let local = rt.block_on(heartbeat());
    let settled = futures::executor::block_on(settle());
    polling.join().expect("the poller");
    let seen = rx.recv().expect("a count");
    let bytes = settings.join().expect("the settings");
    let beats = beat.join().expect("the beat") + local;
    println!("{seen} {bytes} {beats} {settled}");
}
