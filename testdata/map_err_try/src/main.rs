use std::sync::Mutex;

struct Ledger {
    entries: Mutex<Vec<i32>>,
}

async fn record(ledger: &Ledger, amount: i32) -> Result<usize, String> {
    let mut entries = ledger.entries.lock().map_err(|e| e.to_string())?;
    entries.push(amount);
    Ok(entries.len())
}

#[tokio::main]
async fn main() {
    let ledger = Ledger { entries: Mutex::new(Vec::new()) };
    println!("{:?}", record(&ledger, 5).await);
}
