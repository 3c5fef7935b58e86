mod hash {
    pub fn digest(data: &[u8]) -> u64 {
        data.iter().fold(17u64, |h, &b| h.wrapping_mul(31).wrapping_add(u64::from(b)))
    }
}

async fn fingerprint(id: u8) -> (u64, usize) {
    let data = vec![id; 4096];
    let sum = hash::digest(&data);
    (sum, data.len())
}

async fn fingerprint_once(text: String) -> u64 {
    let bytes = text.into_bytes();
    let sum = hash::digest(&bytes);
    sum
}

async fn fingerprint_borrowed(data: &[u8]) -> u64 {
    let sum = hash::digest(data);
    sum
}

#[tokio::main]
async fn main() {
    println!("{:?}", fingerprint(3).await);
    println!("{}", fingerprint_once("abc".to_string()).await);
    println!("{}", fingerprint_borrowed(b"xyz").await);
}
