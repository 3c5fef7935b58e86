use std::sync::Mutex;

pub mod metrics;
mod scratch;
mod store;

pub use store::Shelf;

/// Requests served: public API, at the root.
pub static REQUESTS: Mutex<u64> = Mutex::new(0);

/// Serves one request.
pub async fn serve(item: &str) -> usize {
    *REQUESTS.lock().unwrap() += 1;
    scratch::jot(item).await
}
