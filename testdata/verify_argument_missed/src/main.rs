use std::sync::Mutex;

struct State {
    hits: Mutex<u32>,
}

struct Spare {
    count: Mutex<u32>,
}

fn pass<T>(value: T) -> T {
    value
}

async fn bump(lock: &Mutex<u32>) {
    *lock.lock().unwrap() += 1;
}

#[tokio::main]
async fn main() {
    let state = State { hits: Mutex::new(0) };
    let spare = Spare { count: Mutex::new(10) };
    bump(&state.hits).await;
    bump(pass(&spare.count)).await;
    println!("{}", state.hits.lock().unwrap());
}
