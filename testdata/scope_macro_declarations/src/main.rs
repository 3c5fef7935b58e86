use std::sync::{Arc, Mutex};

/// Declares the items it is given, as `pin_project!` does.
macro_rules! declare {
    ($($item:item)*) => { $($item)* };
}

declare! {
    struct Recorder {
        log: Arc<Mutex<Vec<String>>>,
    }
}

impl Recorder {
    fn record(&self, line: &str) {
        self.log.lock().unwrap().push(line.to_string());
    }
}

async fn replay(log: Arc<Mutex<Vec<String>>>) -> usize {
    log.lock().unwrap().len()
}

#[tokio::main]
async fn main() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let recorder = Recorder { log: log.clone() };
    recorder.record("started");
    println!("{}", replay(log).await);
}
