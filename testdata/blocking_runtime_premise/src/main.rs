use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

/// A minimal executor: polls the future on this thread until it is ready.
fn run_here<F: Future>(fut: F) -> F::Output {
    struct Unpark(std::thread::Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut fut = pin!(fut);
    loop {
        if let Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
            return v;
        }
        std::thread::park();
    }
}

async fn settle() -> u32 {
    std::thread::sleep(Duration::from_millis(1));
    1
}

async fn task() -> u32 {
    settle().await + 1
}

async fn offline_step() -> u32 {
    std::thread::sleep(Duration::from_millis(1));
    5
}

async fn job() -> u32 {
    std::thread::sleep(Duration::from_millis(1));
    7
}

/// Drives `job` on a runtime of its own, built here: tokio's.
fn run_job() -> u32 {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(job())
}

#[tokio::main]
async fn main() {
    let spawned = tokio::spawn(task()).await.unwrap_or(0);
    let offline = std::thread::spawn(|| run_here(offline_step()))
        .join()
        .unwrap_or(0);
    let own = std::thread::spawn(run_job).join().unwrap_or(0);
    println!("{spawned} {offline} {own}");
}
