use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

struct Pool {
    conns: Mutex<Vec<u32>>,
    available: Condvar,
}

impl Pool {
    async fn acquire(&self) -> u32 {
        let mut conns = self.conns.lock().unwrap();
        loop {
            if let Some(c) = conns.pop() {
                return c;
            }
            conns = self.available.wait(conns).unwrap();
        }
    }

    fn release(&self, c: u32) {
        self.conns.lock().unwrap().push(c);
        self.available.notify_one();
    }
}

struct Workers {
    handles: Vec<JoinHandle<u32>>,
    stats: Option<JoinHandle<u32>>,
}

impl Workers {
    async fn shutdown(&mut self) -> u32 {
        let mut total = 0;
        for h in self.handles.drain(..) {
            total += h.join().unwrap();
        }
        if let Some(h) = self.stats.take() {
            total += h.join().unwrap();
        }
        total
    }
}

async fn query(pool: Arc<Pool>) -> u32 {
    let conn = pool.acquire().await;
    std::thread::sleep(Duration::from_millis(2));
    pool.release(conn);
    conn
}

async fn tick() {
    std::thread::sleep(Duration::from_millis(1));
}

#[tokio::main]
async fn main() {
    let pool = Arc::new(Pool {
        conns: Mutex::new(vec![1, 2]),
        available: Condvar::new(),
    });
    let a = tokio::spawn(query(pool.clone()));
    let b = tokio::spawn(query(pool.clone()));
    let conns = [a.await.unwrap(), b.await.unwrap()];
    println!("queries {}", conns.iter().filter(|c| **c > 0).count());
    tick().await;
    let mut workers = Workers {
        handles: (1..=3).map(|n| std::thread::spawn(move || n * 10)).collect(),
        stats: Some(std::thread::spawn(|| 4)),
    };
    println!("total {}", workers.shutdown().await);
}
