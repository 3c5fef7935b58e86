use std::sync::Mutex;

#[cfg_attr(feature = "alt", path = "backend_x.rs")]
mod backend;
mod counter;
#[cfg(not(feature = "alt"))]
mod imp;
#[cfg(feature = "alt")]
#[path = "imp_other.rs"]
mod imp;

static STATE: Mutex<u32> = Mutex::new(0);
static TICKS: Mutex<u32> = Mutex::new(0);

#[tokio::main]
async fn main() {
    println!("bump {}", imp::bump(&STATE).await);
    println!("local {}", imp::local().await);
    println!("tick {}", backend::tick().await);
    let counter = counter::Counter::new();
    println!("hits {}", counter.hit().await);
}
