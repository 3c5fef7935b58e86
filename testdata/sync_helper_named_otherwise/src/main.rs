mod shard;

use shard::by_new_name as read_renamed;
use shard::{by_blocking_only, by_macro, by_new_name, by_pointer, by_value, Shard};
use std::sync::Arc;

macro_rules! show {
    ($e:expr) => {
        println!("{}", $e)
    };
}

#[tokio::main]
async fn main() {
    let s = Arc::new(Shard::default());
    shard::add(&s, 2).await;
    let t = s.clone();
    let total = tokio::task::spawn_blocking(move || {
        by_pointer(&t) + by_new_name(&t) + by_macro(&t) + by_value(&t) + by_blocking_only(&t)
    })
    .await
    .unwrap();
    println!("{total}");
    let f: fn(&Shard) -> u32 = by_pointer;
    println!("{}", f(&s));
    println!("{}", read_renamed(&s));
    show!(by_macro(&s));
    println!("{:?}", Some(&*s).map(by_value));
}
