use std::sync::{Arc, Mutex, MutexGuard, RwLock};

struct Report<'a> {
    values: &'a Vec<u64>,
}

struct Sink;

impl Sink {
    fn record(&self, values: &Vec<u64>) -> usize {
        values.len()
    }
}

fn total(values: &Vec<u64>) -> u64 {
    values.iter().sum()
}

fn first(values: &[u64]) -> u64 {
    values[0]
}

fn push(values: &mut Vec<u64>, value: u64) {
    values.push(value);
}

fn describe(counts: &MutexGuard<'_, Vec<u64>>) -> String {
    format!("{counts:?}")
}

async fn run(values: Arc<RwLock<Vec<u64>>>, counts: Arc<Mutex<Vec<u64>>>) {
    push(&mut values.write().unwrap(), 3);
    push(&mut counts.lock().unwrap(), 4);
    let sum = total(&values.read().unwrap()) + total(&counts.lock().unwrap());
    let head = first(&values.read().unwrap());
    let (seen, reported) = {
        let seen: &Vec<u64> = &counts.lock().unwrap();
        let report = Report {
            values: &values.read().unwrap(),
        };
        (seen.len(), report.values.len())
    };
    let recorded = Sink.record(&counts.lock().unwrap());
    println!("{sum} {head} {seen} {reported} {recorded}");
    println!("{} {}", total(&values.read().unwrap()), describe(&counts.lock().unwrap()));
    println!("{:?}", &values.read().unwrap());
}

#[tokio::main]
async fn main() {
    let values = Arc::new(RwLock::new(vec![1, 2]));
    let counts = Arc::new(Mutex::new(vec![10]));
    run(values, counts).await;
}
