use std::sync::{OnceLock, RwLock};

struct Config {
    prefix: String,
}

static CONFIG: OnceLock<RwLock<Config>> = OnceLock::new();

// Locked in sync code only: it stays std, so the import does too.
static NAMES: RwLock<Vec<String>> = RwLock::new(Vec::new());

fn init(p: &str) {
    NAMES.write().unwrap().push(p.to_string());
    CONFIG
        .set(RwLock::new(Config {
            prefix: p.to_string(),
        }))
        .ok();
}

async fn label(name: &str) -> String {
    let config = CONFIG.get().expect("init first").read().unwrap();
    format!("{}{name}", config.prefix)
}

#[tokio::main]
async fn main() {
    init("user-");
    println!("{}", label("ada").await);
    println!("{:?}", NAMES.read().unwrap());
}
