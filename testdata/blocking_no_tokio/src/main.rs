use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

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

async fn step() -> bool {
    std::thread::sleep(Duration::from_millis(1));
    let ok = std::process::Command::new("true").status().is_ok();
    std::fs::read_to_string("Cargo.toml").is_ok() && (ok || !ok)
}

fn main() {
    println!("{}", run_here(step()));
}
