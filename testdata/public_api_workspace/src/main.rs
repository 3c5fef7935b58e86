use std::sync::Arc;

use page_stats::counter::PageViews;

/// Reads the library's public lock directly.
async fn most_viewed(stats: &PageViews) -> Option<String> {
    let views = stats.views.lock().unwrap();
    views
        .iter()
        .max_by_key(|(_, n)| **n)
        .map(|(page, _)| page.clone())
}

#[tokio::main]
async fn main() {
    let stats = Arc::new(PageViews::default());
    for page in ["/", "/about", "/"] {
        stats.record(page).await;
    }
    println!("{:?}", most_viewed(&stats).await);
}
