use std::sync::Mutex;

static LOCAL: Mutex<u32> = Mutex::new(2);

pub async fn bump(m: &Mutex<u32>) -> u32 {
    // Locked in a sync closure: this twin's parameter cannot migrate.
    [1u32, 2].iter().map(|x| x + *m.lock().unwrap()).sum()
}

pub async fn local() -> u32 {
    let v = *LOCAL.lock().unwrap();
    v
}
