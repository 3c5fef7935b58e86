use std::sync::Mutex;

static COUNT: Mutex<u32> = Mutex::new(0);

async fn bump() -> u32 {
    let mut count = COUNT.lock().unwrap();
    *count += 1;
    *count
}

#[tokio::main]
async fn main() {
    println!("{} {}", bump().await, bump().await);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_low() {
        assert!(*COUNT.lock().unwrap() < 100);
    }
}
