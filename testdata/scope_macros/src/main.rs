use std::sync::{Arc, Mutex, RwLock};

/// Stands in for `log::trace!`, whose arguments are format arguments.
macro_rules! trace {
    (target: $target:expr, $($arg:tt)+) => {
        eprintln!("[{}] {}", $target, format!($($arg)+))
    };
    ($($arg:tt)+) => {
        eprintln!($($arg)+)
    };
}

/// A macro of the crate's own, which the tool cannot read.
macro_rules! check {
    ($e:expr) => {
        assert!($e > 0)
    };
}

#[derive(Debug, Default)]
struct Config {
    retries: u32,
}

struct Job {
    state: u32,
}

struct Worker {
    state: Mutex<u32>,
}

async fn advance(worker: &Worker) -> u32 {
    let mut state = worker.state.lock().unwrap();
    *state += 1;
    *state
}

async fn retries(config: &RwLock<Config>) -> u32 {
    config.read().unwrap().retries
}

#[tokio::main]
async fn main() {
    let config = Config { retries: 3 };
    trace!("{:#?}", config);
    trace!(target: "setup", "{} retries", config.retries);
    let config = Arc::new(RwLock::new(config));
    let job = Job { state: 1 };
    check!(job.state);
    let worker = Worker {
        state: Mutex::new(0),
    };
    println!("{} {}", advance(&worker).await, retries(&config).await);
}
