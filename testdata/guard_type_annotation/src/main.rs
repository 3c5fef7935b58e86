use std::sync::{Mutex, MutexGuard};

struct Book {
    pages: Mutex<Vec<String>>,
}

async fn write_page(book: &Book, text: &str) -> usize {
    let mut pages: MutexGuard<'_, Vec<String>> = book.pages.lock().unwrap();
    pages.push(text.to_string());
    pages.len()
}

#[tokio::main]
async fn main() {
    let book = Book { pages: Mutex::new(Vec::new()) };
    println!("{}", write_page(&book, "one").await);
}
