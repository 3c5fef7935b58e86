use crate::sync::Mutex;

#[derive(Default)]
pub struct Tally {
    total: Mutex<u32>,
}

impl Tally {
    pub fn add(&self, n: u32) {
        *self.total.lock().unwrap() += n;
    }

    pub fn total(&self) -> u32 {
        *self.total.lock().unwrap()
    }
}
