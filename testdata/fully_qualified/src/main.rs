struct Totals {
    sum: std::sync::Mutex<i64>,
}

async fn add(totals: &Totals, n: i64) {
    *totals.sum.lock().unwrap() += n;
}

#[tokio::main]
async fn main() {
    let totals = Totals { sum: std::sync::Mutex::new(0) };
    add(&totals, 5).await;
    add(&totals, -2).await;
    println!("{}", totals.sum.lock().unwrap());
}
