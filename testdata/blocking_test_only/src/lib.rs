//! A sync library tested from async tests.

pub fn double(n: u32) -> u32 {
    n * 2
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn doubles_after_a_pause() {
        std::thread::sleep(Duration::from_millis(1));
        assert_eq!(double(2), 4);
    }
}
