mod fast;
mod shared;

#[tokio::main]
async fn main() {
    let f = fast::Inner {
        m: parking_lot::Mutex::new(0),
    };
    let s = shared::Inner {
        m: tokio::sync::Mutex::new(0),
    };
    println!("{} {}", f.bump(), s.bump().await);
}
