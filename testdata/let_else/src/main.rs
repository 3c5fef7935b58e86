use std::sync::Mutex;

struct Slots {
    used: Mutex<u8>,
}

async fn claim(slots: &Slots) -> Option<u8> {
    let Ok(mut used) = slots.used.lock() else {
        return None;
    };
    *used += 1;
    Some(*used)
}

#[tokio::main]
async fn main() {
    let slots = Slots { used: Mutex::new(0) };
    println!("{:?} {:?}", claim(&slots).await, claim(&slots).await);
}
