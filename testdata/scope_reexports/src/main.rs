use scope_reexports::cache::Cache;

#[tokio::main]
async fn main() {
    let cache = Cache::new();
    println!("{} {}", cache.hit().await, cache.hit().await);
}
