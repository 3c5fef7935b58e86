mod workers;

use std::thread::JoinHandle;
use std::time::Duration;

fn start_poller(rounds: u32) -> JoinHandle<u32> {
    std::thread::spawn(move || {
        let mut seen = 0;
        for _ in 0..rounds {
            std::thread::sleep(Duration::from_millis(1));
            seen += 1;
        }
        seen
    })
}

/// Not a thread: its `join` waits for nothing.
struct Words(Vec<&'static str>);

impl Words {
    fn join(&self) -> String {
        self.0.join(" ")
    }
}

fn words() -> Words {
    Words(vec!["all", "done"])
}

#[tokio::main]
async fn main() {
    let poller = start_poller(3);
    let cruncher = workers::start_cruncher(10);
    tokio::time::sleep(Duration::from_millis(1)).await;
    println!("poller saw {} rounds", poller.join().unwrap());
    println!("cruncher summed {}", cruncher.join().unwrap());
    let w = words();
    println!("{}", w.join());
}
