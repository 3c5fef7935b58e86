mod a;
mod b;

use std::sync::Mutex;

use crate::b::bump as add_ten;

mod inner {
    use std::sync::Mutex;

    pub async fn bump(x: &Mutex<u32>) {
        *x.lock().unwrap() += 100;
    }
}

#[tokio::main]
async fn main() {
    let first = Mutex::new(0);
    b::bump(&first).await;
    add_ten(&first).await;
    println!("first {}", first.lock().unwrap());

    let second = Mutex::new(0);
    std::thread::scope(|s| {
        s.spawn(|| a::bump(&second));
    });
    println!("second {}", second.lock().unwrap());

    let third = Mutex::new(0);
    inner::bump(&third).await;
    println!("third {}", third.lock().unwrap());
}
