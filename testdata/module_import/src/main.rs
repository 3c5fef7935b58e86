use std::sync;

struct Flags {
    enabled: sync::Arc<sync::RwLock<bool>>,
}

async fn toggle(flags: &Flags) -> bool {
    let mut enabled = flags.enabled.write().unwrap();
    *enabled = !*enabled;
    *enabled
}

#[tokio::main]
async fn main() {
    let flags = Flags { enabled: sync::Arc::new(sync::RwLock::new(false)) };
    println!("{} {}", toggle(&flags).await, toggle(&flags).await);
}
