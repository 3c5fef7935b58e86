use std::rc::Rc;
use std::sync::{Arc, Mutex, RwLock};

async fn add(total: Arc<Mutex<u64>>, n: u64) {
    *total.lock().unwrap() += n;
}

async fn push(names: Rc<RwLock<Vec<String>>>, name: &str) {
    names.write().unwrap().push(name.to_string());
}

#[tokio::main]
async fn main() {
    let total = Arc::new(Mutex::new(0));
    add(total.clone(), 2).await;
    add(total.clone(), 3).await;
    let sum = Arc::try_unwrap(total).expect("one owner").into_inner().unwrap();

    let names = Rc::new(RwLock::new(Vec::new()));
    push(names.clone(), "ada").await;
    let names = Rc::try_unwrap(names).ok().unwrap().into_inner().unwrap();

    let spare = Arc::new(Mutex::new(5));
    add(spare.clone(), 1).await;
    let mut spare = Arc::try_unwrap(spare).unwrap();
    *spare.get_mut().unwrap() += 1;

    let last = Arc::new(Mutex::new(10));
    add(last.clone(), 1).await;
    let last = match Arc::try_unwrap(last) {
        Ok(lock) => lock.into_inner().unwrap(),
        Err(_) => 0,
    };
    println!("{sum} {names:?} {} {last}", spare.into_inner().unwrap());
}
