use std::sync::Mutex;

struct Buffer {
    bytes: Mutex<Vec<u8>>,
}

async fn fill(buffer: &Buffer) {
    buffer.bytes.lock().unwrap().extend_from_slice(b"abc");
}

fn reset(buffer: &mut Buffer) {
    buffer.bytes.get_mut().unwrap().clear();
}

#[tokio::main]
async fn main() {
    let mut buffer = Buffer { bytes: Mutex::new(Vec::new()) };
    fill(&buffer).await;
    reset(&mut buffer);
    fill(&buffer).await;
    let bytes = buffer.bytes.into_inner().unwrap();
    println!("{bytes:?}");
}
