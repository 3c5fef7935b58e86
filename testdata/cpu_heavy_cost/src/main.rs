use std::io::Read;

fn checksum(data: &[u8]) -> u32 {
    let mut sum: u32 = 0;
    for b in data {
        sum = sum.rotate_left(5) ^ u32::from(*b).wrapping_mul(0x9e37_79b9);
    }
    sum
}

async fn receive(body: Vec<u8>) -> u32 {
    checksum(&body)
}

async fn pack(text: String) -> usize {
    let packed = zstd::encode_all(text.as_bytes(), 3).unwrap();
    packed.len()
}

async fn unpack(packed: Vec<u8>) -> usize {
    let mut decoder = zstd::Decoder::new(&packed[..]).unwrap();
    let mut out = Vec::new();
    decoder.read_to_end(&mut out).unwrap();
    out.len()
}

async fn tick(players: &mut [(f32, f32)], enemies: &[(f32, f32)]) -> f32 {
    for p in players.iter_mut() {
        for e in enemies {
            p.0 += (e.0 - p.0) * 0.5;
            p.1 += (e.1 - p.1) * 0.5;
        }
    }
    players.iter().map(|p| p.0 + p.1).sum()
}

async fn settle(state: &mut [u32; 8], rounds: u32) -> u32 {
    for i in 0..rounds {
        state[i as usize % 8] = state[i as usize % 8].wrapping_mul(31) ^ (i << 3);
        tokio::task::yield_now().await;
    }
    for i in 0..8 {
        state[i] = state[i].wrapping_mul(17) ^ (state[i] >> 2);
    }
    state[0]
}

#[tokio::main]
async fn main() {
    println!("{}", receive(b"payload".to_vec()).await);
    println!("{}", pack("some text".to_string()).await);
    println!("{}", unpack(b"packed".to_vec()).await);
    let mut players = [(0.0, 0.0), (4.0, 2.0)];
    println!("{}", tick(&mut players, &[(1.0, 1.0)]).await);
    println!("{}", settle(&mut [1; 8], 4).await);
}
