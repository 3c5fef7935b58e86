use std::sync::{Arc, RwLock};

pub struct Config {
    pub prefix: String,
}

pub type SharedConfig = Arc<RwLock<Config>>;

pub fn shared() -> SharedConfig {
    Arc::new(RwLock::new(Config {
        prefix: "/api".to_string(),
    }))
}

pub async fn route(cfg: &SharedConfig, path: &str) -> String {
    let cfg = cfg.read().unwrap();
    format!("{}/{path}", cfg.prefix)
}
