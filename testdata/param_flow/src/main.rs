use std::sync::Mutex;

struct Bank {
    balance: Mutex<i64>,
}

async fn deposit(balance: &Mutex<i64>, amount: i64) {
    *balance.lock().unwrap() += amount;
}

#[tokio::main]
async fn main() {
    let bank = Bank { balance: Mutex::new(100) };
    deposit(&bank.balance, 50).await;
    println!("{}", bank.balance.lock().unwrap());
}
