use std::process::Command;

async fn rustc_ok() -> bool {
    let out = Command::new("rustc").arg("--version").output();
    out.map(|o| o.status.success()).unwrap_or(false)
}

#[tokio::main]
async fn main() {
    println!("{}", rustc_ok().await);
}
