use parking_lot::{Mutex, MutexGuard, RwLock, RwLockUpgradableReadGuard};
use std::sync::Arc;
use std::time::Duration;

struct Svc {
    busy: Mutex<u32>,
    timed: Mutex<u32>,
    mapped: Mutex<Vec<u32>>,
    cfg: RwLock<String>,
    recursive: RwLock<u32>,
    plain: Mutex<u32>,
}

/// Sync code counts too: `is_locked` does not exist on tokio's Mutex.
fn idle(s: &Svc) -> bool {
    !s.busy.is_locked()
}

async fn serve(s: Arc<Svc>) -> u32 {
    *s.busy.lock() += 1;
    *s.timed.lock() += 1;
    let t = s
        .timed
        .try_lock_for(Duration::from_millis(1))
        .map(|g| *g)
        .unwrap_or(0);
    s.mapped.lock().push(1);
    let first = *MutexGuard::map(s.mapped.lock(), |v| &mut v[0]);
    {
        let up = s.cfg.upgradable_read();
        if up.is_empty() {
            let mut w = RwLockUpgradableReadGuard::upgrade(up);
            w.push_str("default");
        }
    }
    *s.recursive.write() += 1;
    let r = *s.recursive.read_recursive();
    *s.plain.lock() += 1;
    let plain = *s.plain.lock();
    t + first + r + plain + idle(&s) as u32
}

#[tokio::main]
async fn main() {
    let s = Arc::new(Svc {
        busy: Mutex::new(0),
        timed: Mutex::new(0),
        mapped: Mutex::new(Vec::new()),
        cfg: RwLock::new(String::new()),
        recursive: RwLock::new(1),
        plain: Mutex::new(0),
    });
    let n = serve(s.clone()).await;
    println!("{n} {} {}", s.cfg.read(), s.busy.lock());
}
