use std::sync::Mutex;

static LOG: Mutex<Vec<u8>> = Mutex::new(Vec::new());

async fn log(b: u8) {
    LOG.lock().unwrap().push(b);
}

fn main() {
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    rt.block_on(log(1));
    rt.block_on(log(2));
    println!("{:?}", LOG.lock().unwrap());
}
