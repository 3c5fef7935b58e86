use std::sync::{Arc, Mutex};

struct Conn {
    open: Arc<Mutex<u32>>,
}

impl Drop for Conn {
    fn drop(&mut self) {
        *self.open.lock().unwrap() -= 1;
    }
}

async fn connect(open: &Arc<Mutex<u32>>) -> Conn {
    *open.lock().unwrap() += 1;
    Conn { open: open.clone() }
}

#[tokio::main]
async fn main() {
    let open = Arc::new(Mutex::new(0));
    let conn = connect(&open).await;
    drop(conn);
    println!("{}", open.lock().unwrap());
}
