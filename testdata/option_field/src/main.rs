use std::sync::Mutex;

struct Session {
    scratch: Option<Mutex<String>>,
}

impl Session {
    async fn append(&self, text: &str) {
        if let Some(scratch) = &self.scratch {
            scratch.lock().unwrap().push_str(text);
        }
        self.scratch.as_ref().unwrap().lock().unwrap().push('.');
    }
}

#[tokio::main]
async fn main() {
    let session = Session { scratch: Some(Mutex::new(String::new())) };
    session.append("hi").await;
    println!("{}", session.scratch.as_ref().unwrap().lock().unwrap());
}
