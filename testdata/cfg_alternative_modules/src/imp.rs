use std::sync::Mutex;

static LOCAL: Mutex<u32> = Mutex::new(1);

pub async fn bump(m: &Mutex<u32>) -> u32 {
    let mut g = m.lock().unwrap();
    *g += 1;
    *g
}

pub async fn local() -> u32 {
    *LOCAL.lock().unwrap()
}
