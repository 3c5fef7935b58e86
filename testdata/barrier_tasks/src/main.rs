use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};

/// Two tasks and `main` meet at the barrier twice. Each counts, after each
/// meeting, the parties that reached it: all of them, every time.
#[tokio::main(flavor = "multi_thread", worker_threads = 4)]
async fn main() {
    let barrier = Arc::new(Barrier::new(3));
    let arrived = Arc::new(AtomicUsize::new(0));
    let left = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for id in 0..2 {
        let barrier = Arc::clone(&barrier);
        let arrived = arrived.clone();
        let left = left.clone();
        tasks.push(tokio::spawn(async move {
            arrived.fetch_add(1, Ordering::SeqCst);
            let first = barrier.wait().is_leader();
            let seen = arrived.load(Ordering::SeqCst);
            left.fetch_add(1, Ordering::SeqCst);
            let second = barrier.wait().is_leader();
            (id, seen, left.load(Ordering::SeqCst), [first, second])
        }));
    }
    arrived.fetch_add(1, Ordering::SeqCst);
    let mut leaders = usize::from(barrier.wait().is_leader());
    left.fetch_add(1, Ordering::SeqCst);
    leaders += usize::from(barrier.wait().is_leader());
    for task in tasks {
        let (id, seen, gone, led) = task.await.unwrap();
        leaders += led.iter().filter(|l| **l).count();
        println!("task {id}: {seen} arrived, {gone} left");
    }
    // One leader each time the parties meet.
    println!("{leaders} leaders");
}
