mod config;
mod store;

#[tokio::main]
async fn main() {
    let store = store::Store::new();
    store.put("a", 1).await;
    let cfg = config::shared();
    println!("{} {}", store.get("a").await, config::route(&cfg, "x").await);
    println!("{}", store::local_only());
}
