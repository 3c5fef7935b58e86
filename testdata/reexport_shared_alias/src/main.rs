mod sync_util;
mod registry;
mod jobs;

use std::sync::Arc;

#[tokio::main]
async fn main() {
    let reg = registry::Registry::default();
    reg.add("x");
    let q = jobs::Queue::new();
    let q2 = Arc::clone(&q.items);
    tokio::spawn(async move {
        q2.lock().unwrap().push(7);
    })
    .await
    .unwrap();
    jobs::drain(&q).await;
    println!("{} {}", reg.count(), q.items.lock().unwrap().len());
}
