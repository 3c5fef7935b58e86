use std::sync::Mutex;
use std::time::Duration;

struct Cache {
    hits: Mutex<u64>,
}

impl Cache {
    fn throttled_hit(&self) {
        std::thread::sleep(Duration::from_millis(1));
        *self.hits.lock().unwrap() += 1;
    }

    async fn lookup(&self) {
        self.throttled_hit();
    }
}

static LOG: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn note(line: &str) {
    std::thread::sleep(Duration::from_millis(1));
    LOG.lock().unwrap().push(line.to_string());
}

fn note_twice(line: &str) {
    note(line);
    note(line);
}

#[tokio::main]
async fn main() {
    let c = Cache {
        hits: Mutex::new(0),
    };
    c.lookup().await;
    c.lookup().await;
    note_twice("looked up");
    println!("hits = {}", c.hits.lock().unwrap());
    println!("log = {:?}", LOG.lock().unwrap());
}
