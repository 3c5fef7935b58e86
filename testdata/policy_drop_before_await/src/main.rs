use std::sync::Mutex;
use std::time::Duration;

static EVENTS: Mutex<Vec<&str>> = Mutex::new(Vec::new());

async fn tick() {
    let mut events = EVENTS.lock().unwrap();
    events.push("tick");
    drop(events);
    tokio::time::sleep(Duration::from_millis(1)).await;
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    tick().await;
    println!("{:?}", EVENTS.lock().unwrap());
}
