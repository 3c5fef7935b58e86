use std::collections::HashMap;
use std::sync::{Arc, Mutex};

struct Pool {
    slots: Vec<Mutex<u32>>,
}

struct Gates {
    open: Vec<Arc<Mutex<bool>>>,
}

struct Registry {
    series: HashMap<&'static str, Mutex<Vec<u64>>>,
}

async fn bump(pool: &Pool, i: usize) {
    *pool.slots[i].lock().unwrap() += 1;
}

async fn observe(reg: &Registry, name: &str, v: u64) {
    if let Some(s) = reg.series.get(name) {
        s.lock().unwrap().push(v);
    }
}

#[tokio::main]
async fn main() {
    let slots = (0..2).map(|_| Mutex::new(0)).collect();
    let pool = Pool { slots };
    bump(&pool, 1).await;
    bump(&pool, 1).await;

    let mut series = HashMap::new();
    series.insert("cpu", Mutex::new(Vec::new()));
    series.insert("mem", Mutex::new(vec![1]));
    let reg = Registry { series };

    let open = vec![Arc::new(Mutex::new(false)), Arc::new(Mutex::new(true))];
    let gates = Gates { open };
    *gates.open[0].lock().unwrap() = true;
    observe(&reg, "cpu", 7).await;
    observe(&reg, "mem", 2).await;

    println!("slot 1: {}", pool.slots[1].lock().unwrap());
    println!("cpu: {:?}", reg.series["cpu"].lock().unwrap());
    println!("mem: {:?}", reg.series["mem"].lock().unwrap());
    println!(
        "gates: {} {}",
        gates.open[0].lock().unwrap(),
        gates.open[1].lock().unwrap()
    );
}
