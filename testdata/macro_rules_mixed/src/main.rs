use std::sync::{Arc, Mutex};

struct Stats {
    seen: Mutex<u64>,
    dropped: Mutex<u64>,
}

// Called from async code and from a std thread: `.lock().await` in the body
// would not compile in the thread, `blocking_lock()` would panic on the
// runtime. The lock stays std and is reported.
macro_rules! add {
    ($m:expr, $n:expr) => {
        *$m.lock().unwrap() += $n
    };
}

// A repetition: the tool does not expand it.
macro_rules! add_all {
    ($($m:expr),*) => {
        $(*$m.lock().unwrap() += 1;)*
    };
}

async fn seen(stats: &Stats, n: u64) {
    add!(stats.seen, n);
}

async fn dropped(stats: &Stats) {
    add_all!(stats.dropped);
}

#[tokio::main]
async fn main() {
    let stats = Arc::new(Stats {
        seen: Mutex::new(0),
        dropped: Mutex::new(0),
    });
    seen(&stats, 2).await;
    dropped(&stats).await;
    let s = stats.clone();
    std::thread::spawn(move || add!(s.seen, 3)).join().unwrap();
    println!(
        "seen {} dropped {}",
        stats.seen.lock().unwrap(),
        stats.dropped.lock().unwrap()
    );
}
