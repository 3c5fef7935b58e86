use std::collections::BTreeMap;
use std::sync::Mutex;

/// Views per page. `views` is public: users of the library lock it too.
#[derive(Default)]
pub struct PageViews {
    pub views: Mutex<BTreeMap<String, u64>>,
}

impl PageViews {
    /// Counts one view of `page`.
    pub async fn record(&self, page: &str) {
        *self.views.lock().unwrap().entry(page.to_string()).or_default() += 1;
        tokio::task::yield_now().await;
    }
}
