pub async fn tick() -> u32 {
    let mut t = crate::TICKS.lock().unwrap();
    *t += 1;
    *t
}
