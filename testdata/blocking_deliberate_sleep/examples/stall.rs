//! Shows what a blocked executor thread looks like: blocking is the point.
use std::time::Duration;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    std::thread::sleep(Duration::from_millis(1));
    println!("the executor was blocked");
}
