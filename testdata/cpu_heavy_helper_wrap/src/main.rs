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

/// The byte the hash of `data` picks: a borrow of `data`.
fn pick(data: &[u8], rounds: u64) -> &u8 {
    let h = fnv_rounds(data, rounds);
    &data[(h % data.len() as u64) as usize]
}

/// `body` is not used after the call: moved in.
async fn handle_upload(body: Vec<u8>) -> u64 {
    let digest = fnv_rounds(&body, 16);
    digest
}

/// `body` is used after the call: cloned in.
async fn handle_echo(body: Vec<u8>) -> (u64, usize) {
    let digest = fnv_rounds(&body, 16);
    (digest, body.len())
}

/// Reported, not moved: the helper returns a borrow, and `data` is one.
async fn handle_pick(body: Vec<u8>, data: &[u8]) -> u8 {
    let b = *pick(&body, 16);
    let d = fnv_rounds(data, 16);
    b ^ d as u8
}

#[tokio::main]
async fn main() {
    let body = vec![7u8; 64 * 1024];
    let a = handle_upload(body.clone()).await;
    let (b, n) = handle_echo(body.clone()).await;
    let c = handle_pick(body.clone(), &body).await;
    println!("{a:016x} {b:016x} {n} {c}");
}
