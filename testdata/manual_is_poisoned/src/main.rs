use std::sync::Mutex;

struct Health {
    status: Mutex<String>,
}

async fn check(health: &Health) -> bool {
    *health.status.lock().unwrap() = "ok".to_string();
    !health.status.is_poisoned()
}

#[tokio::main]
async fn main() {
    let health = Health { status: Mutex::new(String::new()) };
    println!("{}", check(&health).await);
}
