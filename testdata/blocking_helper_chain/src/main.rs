struct Config {
    text: String,
}

impl Config {
    fn read_raw() -> String {
        std::fs::read_to_string("Cargo.toml").unwrap_or_default()
    }

    fn load() -> Config {
        Config { text: Self::read_raw() }
    }
}

async fn handle() -> usize {
    let config = Config::load();
    config.text.len()
}

#[tokio::main]
async fn main() {
    println!("{}", handle().await > 0);
}
