use std::sync::Mutex;

struct Tally {
    seen: Mutex<Vec<u32>>,
}

async fn record_all(tally: &Tally, values: &[u32]) -> usize {
    values
        .iter()
        .for_each(|v| tally.seen.lock().unwrap().push(*v));
    values.len()
}

#[tokio::main]
async fn main() {
    let tally = Tally {
        seen: Mutex::new(Vec::new()),
    };
    println!("{}", record_all(&tally, &[1, 2]).await);
}
