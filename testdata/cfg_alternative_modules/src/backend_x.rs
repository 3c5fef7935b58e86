use crate::TICKS;

pub async fn tick() -> u32 {
    let mut t = TICKS.lock().unwrap();
    *t += 100;
    *t
}
