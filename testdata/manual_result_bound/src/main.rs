use std::sync::Mutex;

struct Meter {
    reading: Mutex<f64>,
}

async fn read(meter: &Meter) -> f64 {
    let result = meter.reading.lock();
    match result {
        Ok(r) => *r,
        Err(_) => f64::NAN,
    }
}

#[tokio::main]
async fn main() {
    let meter = Meter { reading: Mutex::new(1.5) };
    println!("{}", read(&meter).await);
}
