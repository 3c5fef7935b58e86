use std::sync::Mutex;

async fn broken(m: &Mutex<u8>) {
    let x = m.lock().unwrap(;
}

fn main() {}
