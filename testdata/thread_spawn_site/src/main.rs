use std::sync::{Arc, RwLock};
use std::thread;

#[tokio::main]
async fn main() {
    let names = Arc::new(RwLock::new(vec!["a".to_string()]));
    let writer = Arc::clone(&names);
    let handle = thread::spawn(move || {
        writer.write().unwrap().push("b".to_string());
        writer.read().unwrap().len()
    });
    let len = handle.join().unwrap();
    names.write().unwrap().push("c".to_string());
    println!("{len} {:?}", names.read().unwrap());
}
