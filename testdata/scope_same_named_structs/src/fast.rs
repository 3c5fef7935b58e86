/// A parking_lot lock, only ever locked in sync code.
pub struct Inner {
    pub m: parking_lot::Mutex<u32>,
}

impl Inner {
    pub fn bump(&self) -> u32 {
        let mut m = self.m.lock();
        *m += 1;
        *m
    }
}
