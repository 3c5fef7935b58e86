use std::sync::{Arc, Condvar, Mutex};

struct Signal {
    pair: Arc<(Mutex<bool>, Condvar)>,
}

async fn fire(signal: &Signal) {
    let (ready, cvar) = &*signal.pair;
    *ready.lock().unwrap() = true;
    cvar.notify_all();
}

#[tokio::main]
async fn main() {
    let signal = Signal { pair: Arc::new((Mutex::new(false), Condvar::new())) };
    fire(&signal).await;
    println!("{}", *signal.pair.0.lock().unwrap());
}
