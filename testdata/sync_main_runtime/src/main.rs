use std::sync::{Arc, Mutex};

fn seed(store: &Mutex<Vec<u32>>) {
    store.lock().unwrap().push(1);
}

async fn serve(store: Arc<Mutex<Vec<u32>>>) {
    store.lock().unwrap().push(2);
}

fn main() {
    let store = Arc::new(Mutex::new(Vec::new()));
    seed(&store);
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    runtime.block_on(serve(store.clone()));
    store.lock().unwrap().push(3);
    println!("{:?}", store.lock().unwrap());
}
