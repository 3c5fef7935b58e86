async fn crunch(rows: &[Vec<u64>]) -> u64 {
    let mut total = 0;
    for row in rows {
        for v in row {
            total += v;
        }
    }
    for i in 0..1_000_000u64 {
        total = total.wrapping_add(i % 7);
    }
    for i in 0..3u64 {
        total += i;
        tokio::task::yield_now().await;
    }
    total
}

#[tokio::main]
async fn main() {
    println!("{}", crunch(&[vec![1, 2], vec![3]]).await);
}
