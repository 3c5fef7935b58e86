use std::sync::Mutex;

/// Private module, but the root re-exports `Shelf`: `items` is public API.
#[derive(Default)]
pub struct Shelf {
    pub items: Mutex<Vec<String>>,
}

impl Shelf {
    pub async fn put(&self, item: &str) {
        self.items.lock().unwrap().push(item.to_string());
    }
}
