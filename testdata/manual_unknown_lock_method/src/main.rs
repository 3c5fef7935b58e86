use std::sync::{Arc, Mutex};

/// Implemented for std's Mutex only: tokio's has no `snapshot`.
trait Snapshot {
    fn snapshot(&self) -> u32;
}

impl Snapshot for Mutex<u32> {
    fn snapshot(&self) -> u32 {
        match self.try_lock() {
            Ok(g) => *g,
            Err(_) => 0,
        }
    }
}

static TOTAL: Mutex<u32> = Mutex::new(0);

struct App {
    hits: Mutex<u32>,
    extra: Option<Arc<Mutex<u32>>>,
}

async fn serve(app: &App) -> u32 {
    *app.hits.lock().unwrap() += 1;
    *TOTAL.lock().unwrap() += 1;
    if let Some(e) = &app.extra {
        *e.lock().unwrap() += 1;
    }
    let n = app.extra.is_some() as u32;
    let extra = app.extra.clone().map_or(0, |e| Arc::strong_count(&e) as u32);
    app.hits.snapshot() + TOTAL.snapshot() + n + extra
}

#[tokio::main]
async fn main() {
    let app = App {
        hits: Mutex::new(0),
        extra: Some(Arc::new(Mutex::new(0))),
    };
    println!("{}", serve(&app).await);
}
