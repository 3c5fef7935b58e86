use std::sync::{Condvar, Mutex};

struct Gate {
    open: Mutex<bool>,
    changed: Condvar,
}

async fn wait_open(gate: &Gate) {
    let open = gate.open.lock().unwrap();
    let _open = gate.changed.wait_while(open, |open| !*open).unwrap();
}

#[tokio::main]
async fn main() {
    let gate = Gate { open: Mutex::new(true), changed: Condvar::new() };
    wait_open(&gate).await;
    gate.changed.notify_all();
    println!("open");
}
