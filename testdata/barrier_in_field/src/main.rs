use std::sync::{Arc, Barrier};

/// A sampler that starts with the others: every use of `start` is a wait.
struct Sampler {
    id: usize,
    start: Arc<Barrier>,
}

impl Sampler {
    fn new(id: usize, start: Arc<Barrier>) -> Self {
        Sampler { id, start }
    }

    async fn run(self) -> (usize, bool) {
        let leader = self.start.wait().is_leader();
        (self.id, leader)
    }
}

async fn run_all(n: usize) -> usize {
    let start = Arc::new(Barrier::new(n));
    let mut tasks = Vec::new();
    for id in 0..n {
        let sampler = Sampler::new(id, start.clone());
        tasks.push(tokio::spawn(sampler.run()));
    }
    let mut leaders = 0;
    for t in tasks {
        let (_, leader) = t.await.unwrap();
        leaders += usize::from(leader);
    }
    leaders
}

#[tokio::main(flavor = "multi_thread", worker_threads = 4)]
async fn main() {
    println!("leaders {}", run_all(3).await);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn one_leader() {
        let start = Arc::new(Barrier::new(1));
        let s = Sampler { id: 7, start };
        assert_eq!(s.run().await, (7, true));
    }
}
