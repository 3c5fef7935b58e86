use std::sync::Mutex;

enum Slot {
    Shared { value: Mutex<u32> },
    Empty,
}

async fn bump(slot: &Slot) -> u32 {
    match slot {
        Slot::Shared { value } => {
            let mut v = value.lock().unwrap();
            *v += 1;
            *v
        }
        Slot::Empty => 0,
    }
}

#[tokio::main]
async fn main() {
    let slot = Slot::Shared { value: Mutex::new(1) };
    println!("{} {}", bump(&slot).await, bump(&Slot::Empty).await);
}
