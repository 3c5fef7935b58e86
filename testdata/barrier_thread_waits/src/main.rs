use std::sync::{Arc, Barrier};

/// A std thread and this task meet: the thread cannot await.
async fn with_a_thread() -> usize {
    let barrier = Arc::new(Barrier::new(2));
    let b = barrier.clone();
    let thread = std::thread::spawn(move || b.wait().is_leader());
    let mine = barrier.wait().is_leader();
    usize::from(thread.join().unwrap()) + usize::from(mine)
}

/// Other modules may call it, with a barrier of their own.
pub(crate) async fn pass(barrier: Arc<Barrier>) -> bool {
    barrier.wait().is_leader()
}

async fn with_a_shared_fn() -> usize {
    let barrier = Arc::new(Barrier::new(2));
    let other = tokio::spawn(pass(barrier.clone()));
    let mine = barrier.wait().is_leader();
    usize::from(other.await.unwrap()) + usize::from(mine)
}

struct Gate {
    barrier: Barrier,
}

impl Gate {
    async fn pass(&self) -> bool {
        self.barrier.wait().is_leader()
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    println!("{} leader", with_a_thread().await);
    println!("{} leader", with_a_shared_fn().await);
    let gate = Gate {
        barrier: Barrier::new(1),
    };
    println!("{}", gate.pass().await);
}
