use std::sync::{Mutex, MutexGuard};

struct Tally {
    votes: Mutex<Vec<u8>>,
}

impl Tally {
    fn votes(&self) -> MutexGuard<'_, Vec<u8>> {
        self.votes.lock().unwrap()
    }

    async fn vote(&self, v: u8) {
        self.votes.lock().unwrap().push(v);
    }
}

#[tokio::main]
async fn main() {
    let tally = Tally { votes: Mutex::new(Vec::new()) };
    tally.vote(1).await;
    println!("{:?}", *tally.votes());
}
