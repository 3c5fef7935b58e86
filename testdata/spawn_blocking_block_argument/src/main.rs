use std::path::{Path, PathBuf};

/// Sums the bytes of a file, reading it on the blocking pool.
async fn checksum(path: &Path) -> u32 {
    let data = tokio::task::spawn_blocking({
        let path = path.to_path_buf();
        move || std::fs::read(path).unwrap()
    })
    .await
    .unwrap();
    data.iter().map(|b| *b as u32).sum()
}

/// The length of a file, read on the blocking pool.
async fn size(path: PathBuf) -> usize {
    tokio::task::spawn_blocking({
        let p = path.clone();
        move || std::fs::read_to_string(p).map(|s| s.len()).unwrap_or(0)
    })
    .await
    .unwrap()
}

#[tokio::main]
async fn main() {
    let path = std::env::temp_dir().join("spawn_blocking_block_argument.txt");
    std::fs::write(&path, "abc").unwrap();
    println!("checksum: {}", checksum(&path).await);
    println!("size: {}", size(path.clone()).await);
}
