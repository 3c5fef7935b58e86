use std::sync::Arc;

use sync_helper_public_api::{report, Shard};

#[tokio::main]
async fn main() {
    let s = Arc::new(Shard::default());
    s.add(2).await;
    s.add(3).await;
    println!("{:?}", report(s).await);
}
