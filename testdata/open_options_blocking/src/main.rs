use std::fs::OpenOptions;
use std::io::Write;
use std::path::Path;

async fn append_log(dir: &Path, line: &str) -> std::io::Result<()> {
    let mut f = OpenOptions::new().create(true).append(true).open(dir.join("log.txt"))?;
    writeln!(f, "{line}")?;
    Ok(())
}

fn append_audit(dir: &Path, line: &str) -> std::io::Result<()> {
    let mut options = std::fs::File::options();
    options.create(true).append(true);
    let mut f = options.open(dir.join("audit.txt"))?;
    writeln!(f, "{line}")
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let dir = std::env::temp_dir().join("open_options_blocking");
    std::fs::create_dir_all(&dir)?;
    append_log(&dir, "started").await?;
    append_audit(&dir, "user a")?;
    println!("logged");
    Ok(())
}
