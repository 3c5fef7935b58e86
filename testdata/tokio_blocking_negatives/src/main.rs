use std::sync::{Arc, Mutex};

struct Gate {
    open: bool,
}

impl Gate {
    fn blocking_lock(&self) -> bool {
        self.open
    }
}

async fn count(total: Arc<Mutex<u32>>) -> u32 {
    *total.lock().unwrap() += 1;
    let t = total.clone();
    tokio::task::spawn_blocking(move || *t.lock().unwrap())
        .await
        .unwrap()
}

async fn gate(g: &Gate) -> bool {
    g.blocking_lock()
}

fn main() {
    let total = Arc::new(Mutex::new(0));
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let n = rt.block_on(count(total.clone()));
    let open = rt.block_on(gate(&Gate { open: true }));
    println!("{n} {} {open}", total.lock().unwrap());
}
