use std::sync::{Arc, Mutex};

static SEEN: Mutex<u32> = Mutex::new(0);

struct Stats {
    runs: Mutex<u32>,
}

/// The same jobs on a single-threaded and on a multi-threaded runtime.
macro_rules! on_each_runtime {
    ($($body:tt)*) => {
        mod current_thread {
            use super::*;
            fn runtime() -> tokio::runtime::Runtime {
                tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
            }
            $($body)*
        }
        mod multi_thread {
            use super::*;
            fn runtime() -> tokio::runtime::Runtime {
                tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap()
            }
            $($body)*
        }
    };
}

on_each_runtime! {
    pub fn count_jobs(jobs: u32) -> u32 {
        let done = Arc::new(Mutex::new(0));
        runtime().block_on(async {
            for _ in 0..jobs {
                *done.lock().unwrap() += 1;
                *SEEN.lock().unwrap() += 1;
                tokio::task::yield_now().await;
            }
        });
        let total = *done.lock().unwrap();
        total
    }
}

async fn record(stats: &Stats) -> u32 {
    let mut runs = stats.runs.lock().unwrap();
    *runs += 1;
    *runs
}

#[tokio::main]
async fn main() {
    let stats = Stats { runs: Mutex::new(0) };
    record(&stats).await;
    println!("runs: {}", record(&stats).await);
    let (a, b) = tokio::task::spawn_blocking(|| (current_thread::count_jobs(3), multi_thread::count_jobs(4)))
        .await
        .unwrap();
    println!("jobs: {a} {b}, seen: {}", SEEN.lock().unwrap());
}
