use std::process::Command;
use std::sync::{mpsc, Arc, Condvar, Mutex};
use std::thread;

async fn collect() -> u32 {
    let (tx, rx) = mpsc::channel();
    let worker = thread::spawn(move || tx.send(41).unwrap());
    let value = rx.recv().unwrap();
    worker.join().unwrap();
    value + 1
}

#[allow(dead_code)]
async fn gate() {
    let pair = Arc::new((Mutex::new(false), Condvar::new()));
    let cvar = Condvar::new();
    let ready = pair.0.lock().unwrap();
    let _ready = cvar.wait(ready).unwrap();
    let mut child = Command::new("true").spawn().unwrap();
    child.wait().unwrap();
}

#[tokio::main]
async fn main() {
    println!("{}", collect().await);
}
