use std::sync::Mutex;

struct Service {
    requests: Mutex<u32>,
    config: Mutex<String>,
}

impl Service {
    fn configure(&self, value: &str) {
        *self.config.lock().unwrap() = value.to_string();
    }

    fn config(&self) -> String {
        self.config.lock().unwrap().clone()
    }

    async fn handle(&self) -> u32 {
        let mut requests = self.requests.lock().unwrap();
        *requests += 1;
        *requests
    }
}

#[tokio::main]
async fn main() {
    let service = Service { requests: Mutex::new(0), config: Mutex::new(String::new()) };
    service.configure("prod");
    service.handle().await;
    println!("{} {}", service.handle().await, service.config());
}
