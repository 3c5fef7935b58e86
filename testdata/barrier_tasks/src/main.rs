use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};

/// The counts a party reads after each meeting, and how often it led.
type Seen = (usize, usize, usize);

/// One party: it arrives, meets the others, leaves, and meets them again.
/// After each meeting every party has arrived (or left): the counts are
/// the same whatever the order.
async fn party(barrier: Arc<Barrier>, arrived: Arc<AtomicUsize>, left: Arc<AtomicUsize>) -> Seen {
    arrived.fetch_add(1, Ordering::SeqCst);
    let mut led = usize::from(barrier.wait().is_leader());
    let seen = arrived.load(Ordering::SeqCst);
    left.fetch_add(1, Ordering::SeqCst);
    led += usize::from(barrier.wait().is_leader());
    (seen, left.load(Ordering::SeqCst), led)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 4)]
async fn main() {
    let barrier = Arc::new(Barrier::new(3));
    let arrived = Arc::new(AtomicUsize::new(0));
    let left = Arc::new(AtomicUsize::new(0));
    let inline = {
        let barrier = barrier.clone();
        let (arrived, left) = (arrived.clone(), left.clone());
        tokio::spawn(async move {
            arrived.fetch_add(1, Ordering::SeqCst);
            let mut led = usize::from(barrier.wait().is_leader());
            let seen = arrived.load(Ordering::SeqCst);
            left.fetch_add(1, Ordering::SeqCst);
            led += usize::from(barrier.wait().is_leader());
            (seen, left.load(Ordering::SeqCst), led)
        })
    };
    let spawned = tokio::spawn(party(Arc::clone(&barrier), arrived.clone(), left.clone()));
    let own = party(barrier, arrived, left).await;
    let mut leaders = 0;
    for (who, (seen, gone, led)) in [
        ("block", inline.await.unwrap()),
        ("fn", spawned.await.unwrap()),
        ("main", own),
    ] {
        leaders += led;
        println!("{who}: {seen} arrived, {gone} left");
    }
    // One leader each time the parties meet.
    println!("{leaders} leaders");
}
