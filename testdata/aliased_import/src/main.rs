use std::sync::Mutex as StdMutex;

struct Queue {
    items: StdMutex<Vec<u32>>,
}

async fn push(queue: &Queue, item: u32) {
    queue.items.lock().unwrap().push(item);
}

#[tokio::main]
async fn main() {
    let queue = Queue { items: StdMutex::new(Vec::new()) };
    push(&queue, 7).await;
    println!("{:?}", queue.items.lock().unwrap());
}
