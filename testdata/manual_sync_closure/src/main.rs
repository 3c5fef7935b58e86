use std::sync::Mutex;

struct Prices {
    table: Mutex<Vec<u32>>,
}

async fn total(prices: &Prices, ids: &[usize]) -> u32 {
    prices.table.lock().unwrap().push(0);
    ids.iter().map(|&i| prices.table.lock().unwrap()[i]).sum()
}

#[tokio::main]
async fn main() {
    let prices = Prices { table: Mutex::new(vec![5, 7, 9]) };
    println!("{}", total(&prices, &[0, 2]).await);
}
