mod registry;
mod worker;

#[tokio::main]
async fn main() {
    worker::work(3).await;
    worker::work(4).await;
    println!("{:?}", registry::snapshot().await);
}
