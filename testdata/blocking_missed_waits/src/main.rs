use std::thread;

async fn chained() -> u32 {
    thread::spawn(|| 2).join().unwrap_or(0)
}

async fn from_block() -> u32 {
    let handle = {
        let base = 3;
        thread::spawn(move || base * 2)
    };
    handle.join().unwrap_or(0)
}

#[tokio::main]
async fn main() {
    println!("{}", chained().await + from_block().await);
}
