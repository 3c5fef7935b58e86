use crate::registry::SEEN;

pub async fn work(n: u32) {
    SEEN.write().unwrap().push(n * 2);
}
