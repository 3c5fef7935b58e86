use std::sync::mpsc::{self, Receiver, Sender};

/// A producer whose sender is a private field: every use of it is a send.
struct Producer {
    id: u32,
    out: Sender<(u32, u32)>,
}

impl Producer {
    async fn run(self, n: u32) {
        for i in 0..n {
            self.out.send((self.id, i)).unwrap();
            tokio::task::yield_now().await;
        }
    }
}

/// The consumer task: the receiver is passed to it.
async fn consume(rx: Receiver<(u32, u32)>) -> u32 {
    let mut total = 0;
    while let Ok((_, v)) = rx.recv() {
        total += v;
    }
    total
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let (tx, rx) = mpsc::channel();
    let consumer = tokio::spawn(consume(rx));
    let mut producers = Vec::new();
    for id in 0..3 {
        let p = Producer { id, out: tx.clone() };
        producers.push(tokio::spawn(p.run(4)));
    }
    drop(tx);
    for p in producers {
        p.await.unwrap();
    }
    println!("total {}", consumer.await.unwrap());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn one_producer() {
        let (tx, rx) = mpsc::channel();
        let consumer = tokio::spawn(consume(rx));
        Producer { id: 1, out: tx }.run(3).await;
        assert_eq!(consumer.await.unwrap(), 3);
    }
}
