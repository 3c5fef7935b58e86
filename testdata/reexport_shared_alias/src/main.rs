mod sync_util;
mod registry;
mod jobs;

use std::sync::Arc;

#[tokio::main]
async fn main() {
    let reg = registry::Registry::default();
    let n = tokio::task::spawn_blocking(move || {
        reg.add("x");
        reg.count()
    })
    .await
    .unwrap();
    let q = jobs::Queue::new();
    let q2 = Arc::clone(&q.items);
    tokio::spawn(async move {
        q2.lock().unwrap().push(7);
    })
    .await
    .unwrap();
    jobs::drain(&q).await;
    println!("{} {}", n, q.items.lock().unwrap().len());
}
