use std::rc::Rc;
use std::time::Duration;

async fn tick(label: &'static str) -> usize {
    let shared = Rc::new(label);
    std::thread::sleep(Duration::from_millis(1));
    shared.len()
}

async fn pause() {
    std::thread::sleep(Duration::from_millis(1));
}

#[tokio::main]
async fn main() {
    let n = tokio::spawn(tick("tick")).await.unwrap();
    pause().await;
    println!("{n}");
}
