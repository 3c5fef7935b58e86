use std::sync::{Arc, Mutex};

async fn work(list: Arc<Mutex<Vec<u32>>>) -> usize {
    list.lock().unwrap().push(1);
    let n = list.lock().unwrap().len();
    if list.lock().unwrap().contains(&1) {
        list.lock().unwrap().push(2);
    }
    while list.lock().unwrap().len() < 4 {
        list.lock().unwrap().push(3);
    }
    n
}

#[tokio::main]
async fn main() {
    let list = Arc::new(Mutex::new(Vec::new()));
    println!("{}", work(list.clone()).await);
    println!("{:?}", list.lock().unwrap());
}
