use std::sync::Mutex;

struct Inbox {
    messages: Mutex<Vec<String>>,
}

async fn deliver(inbox: &Inbox, text: &str) -> usize {
    if let Ok(mut messages) = inbox.messages.lock() {
        messages.push(text.to_string());
        messages.len()
    } else {
        0
    }
}

async fn touch(inbox: &Inbox) {
    if let Ok(_) = inbox.messages.lock() {
        println!("locked");
    }
}

#[tokio::main]
async fn main() {
    let inbox = Inbox { messages: Mutex::new(Vec::new()) };
    touch(&inbox).await;
    println!("{}", deliver(&inbox, "hello").await);
}
