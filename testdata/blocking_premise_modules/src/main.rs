mod real;

use real::exists;

mod inline {
    pub async fn load(p: &str) -> String {
        std::fs::read_to_string(p).unwrap_or_default()
    }
}

#[tokio::main]
async fn main() {
    let path = "no-such-file.txt";
    println!("{}", real::load(path).await.len());
    println!("{}", inline::load(path).await.len());
    println!("{}", exists(path).await);
}
