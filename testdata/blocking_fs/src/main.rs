use std::fs;
use std::io;
use std::path::Path;

async fn roundtrip(dir: &Path) -> io::Result<usize> {
    fs::create_dir_all(dir)?;
    let file = dir.join("note.txt");
    std::fs::write(&file, b"hello")?;
    let text = fs::read_to_string(&file)?;
    let len = fs::metadata(&file)?.len() as usize;
    let entries = fs::read_dir(dir)?.count();
    fs::remove_file(&file)?;
    Ok(text.len() + len + entries)
}

#[tokio::main]
async fn main() {
    let dir = std::env::temp_dir().join(format!("awaitify-blocking-fs-{}", std::process::id()));
    println!("{:?}", roundtrip(&dir).await.map(|n| n > 0));
    fs::remove_dir_all(&dir).unwrap();
}
