use std::sync::{Mutex, OnceLock};

static EVENTS: OnceLock<Mutex<Vec<&'static str>>> = OnceLock::new();

fn events() -> &'static Mutex<Vec<&'static str>> {
    EVENTS.get_or_init(|| Mutex::new(Vec::new()))
}

async fn emit(event: &'static str) {
    events().lock().unwrap().push(event);
}

#[tokio::main]
async fn main() {
    emit("start").await;
    emit("stop").await;
    println!("{:?}", events().lock().unwrap());
}
