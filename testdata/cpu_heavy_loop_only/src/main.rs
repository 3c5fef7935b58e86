fn fnv_rounds(data: &[u8], rounds: u64) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for r in 0..rounds {
        for b in data {
            h ^= (*b as u64).rotate_left((r % 7) as u32);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

async fn handle_upload(body: Vec<u8>) -> (u64, usize) {
    let digest = fnv_rounds(&body, 16);
    (digest, body.len())
}

#[tokio::main]
async fn main() {
    let (d, n) = handle_upload(vec![7u8; 64 * 1024]).await;
    println!("{d:016x} {n}");
}
