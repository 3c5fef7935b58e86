use std::io::Read;
use std::process::Command;

async fn version() -> bool {
    let out = Command::new("rustc").arg("--version").output();
    out.map(|o| o.status.success()).unwrap_or(false)
}

#[allow(dead_code)]
async fn fetch(addr: &str) -> std::io::Result<String> {
    let mut stream = std::net::TcpStream::connect(addr)?;
    let mut body = String::new();
    stream.read_to_string(&mut body)?;
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    Ok(body + &line)
}

#[tokio::main]
async fn main() {
    println!("{}", version().await);
}
