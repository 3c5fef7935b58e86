//! A library with an async API and async tests.

use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
pub struct Tracker {
    pub seen: Arc<Mutex<Vec<u32>>>,
}

pub async fn track(tracker: &Tracker, id: u32) {
    tracker.seen.lock().unwrap().push(id);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn tracks_in_order() {
        let tracker = Tracker::default();
        track(&tracker, 1).await;
        track(&tracker, 2).await;
        assert_eq!(*tracker.seen.lock().unwrap(), vec![1, 2]);
    }
}
