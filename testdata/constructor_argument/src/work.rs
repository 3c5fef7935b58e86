use std::sync::Mutex;

pub struct Ledger;

pub struct Tally;

impl Ledger {
    pub async fn take(&self, total: Mutex<u64>) -> u64 {
        let value = *total.lock().unwrap();
        value
    }
}

impl Tally {
    pub fn take(&self, total: Mutex<u64>) -> u64 {
        total.into_inner().unwrap()
    }
}
