use std::ops::Deref;
use std::sync::{Arc, Condvar, Mutex};

/// A one-shot flag threads and tasks wait on.
#[derive(Default)]
struct Gate {
    open: Mutex<bool>,
    cv: Condvar,
}

impl Gate {
    fn open(&self) {
        *self.open.lock().unwrap() = true;
        self.cv.notify_all();
    }

    fn wait(&self) {
        let mut open = self.open.lock().unwrap();
        while !*open {
            open = self.cv.wait(open).unwrap();
        }
    }
}

struct Inner {
    ready: Gate,
    seen: Mutex<u32>,
}

impl Inner {
    fn count(&self) -> u32 {
        let mut seen = self.seen.lock().unwrap();
        *seen += 1;
        *seen
    }
}

#[derive(Clone)]
struct Shared(Arc<Inner>);

impl Deref for Shared {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

// `shared.ready.wait()` and `shared.count()` reach `Inner`'s field and
// method through `Deref`: the Condvar wait is reported (AW205), and the
// lock `count` takes is one a sync fn async code calls.
#[tokio::main]
async fn main() {
    let shared = Shared(Arc::new(Inner {
        ready: Gate::default(),
        seen: Mutex::new(0),
    }));
    let opener = shared.clone();
    std::thread::spawn(move || opener.ready.open());
    shared.ready.wait();
    println!("count {}", shared.count());
}
