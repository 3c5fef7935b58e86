use std::sync::{Arc, Mutex};

enum Conn {
    Live(Arc<Mutex<Vec<u8>>>),
    Dead,
}

impl Conn {
    async fn len(&self) -> usize {
        match self {
            Self::Live(m) => m.lock().unwrap().len(),
            Self::Dead => 0,
        }
    }
}

mod glob {
    use super::Conn::{self, *};

    pub async fn first(c: &Conn) -> Option<u8> {
        match c {
            Live(m) => m.lock().unwrap().first().copied(),
            Dead => None,
        }
    }
}

struct Pool {
    conns: Vec<Conn>,
    total: Mutex<usize>,
}

async fn send(p: &Pool, b: u8) -> usize {
    let mut n = 0;
    for c in &p.conns {
        match c {
            Conn::Live(m) => {
                m.lock().unwrap().push(b);
                n += 1;
            }
            Conn::Dead => {}
        }
        if let Conn::Live(m) = c {
            m.lock().unwrap().push(b + 1);
        }
    }
    *p.total.lock().unwrap() += n;
    n
}

#[tokio::main]
async fn main() {
    let live = Arc::new(Mutex::new(vec![]));
    let p = Pool {
        conns: vec![Conn::Live(live.clone()), Conn::Dead],
        total: Mutex::new(0),
    };
    let n = send(&p, 1).await;
    let len = p.conns[0].len().await + p.conns[1].len().await;
    let first = glob::first(&p.conns[0]).await;
    println!("{n} {len} {first:?} {:?} {}", live.lock().unwrap(), p.total.lock().unwrap());
}
