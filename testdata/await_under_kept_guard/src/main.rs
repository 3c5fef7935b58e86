use std::sync::{Arc, Mutex};
use std::time::Duration;

struct S {
    a: Mutex<u32>,
    b: Mutex<u32>,
}

fn peek_b(s: &S) -> u32 {
    *s.b.lock().unwrap()
}

async fn work(s: Arc<S>) -> u32 {
    std::thread::sleep(Duration::from_millis(1));
    let mut b = s.b.lock().unwrap();
    let a = *s.a.lock().unwrap();
    std::thread::sleep(Duration::from_millis(1));
    let missing = std::fs::read_to_string("no-such-file.txt").unwrap_or_default();
    *b += a + missing.len() as u32 + 1;
    *b
}

async fn bump_a(s: &S) {
    *s.a.lock().unwrap() += 1;
}

#[tokio::main]
async fn main() {
    let s = Arc::new(S {
        a: Mutex::new(1),
        b: Mutex::new(0),
    });
    bump_a(&s).await;
    let v = tokio::spawn(work(s.clone())).await.unwrap();
    println!("{v} {}", peek_b(&s));
}
