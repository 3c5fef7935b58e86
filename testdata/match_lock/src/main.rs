use std::sync::Mutex;

struct Store {
    data: Mutex<Vec<u8>>,
}

async fn size(store: &Store) -> usize {
    match store.data.lock() {
        Ok(data) => data.len(),
        Err(poisoned) => poisoned.into_inner().len(),
    }
}

async fn append(store: &Store, byte: u8) {
    match store.data.lock() {
        Err(_) => eprintln!("poisoned"),
        Ok(mut data) => {
            data.push(byte);
        }
    }
}

#[tokio::main]
async fn main() {
    let store = Store { data: Mutex::new(vec![1]) };
    append(&store, 2).await;
    println!("{}", size(&store).await);
}
