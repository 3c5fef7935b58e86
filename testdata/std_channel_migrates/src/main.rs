use std::sync::mpsc;
use std::time::Duration;

fn feed(tx: mpsc::Sender<u8>) {
    tx.send(5).unwrap();
}

/// A thread and a task send; the loop ends when both senders are gone.
async fn sum() -> u32 {
    let (tx, rx) = mpsc::channel::<u32>();
    let tx2 = tx.clone();
    std::thread::spawn(move || {
        for i in 0..3 {
            tx2.send(i).unwrap();
        }
    });
    tokio::spawn(async move {
        tx.send(10).unwrap();
    });
    let mut sum = 0;
    for n in rx.iter() {
        sum += n;
    }
    sum
}

/// A bounded channel: a task and a thread send into it.
async fn words() -> String {
    let (tx, rx) = mpsc::sync_channel(1);
    let thread_tx = tx.clone();
    let task = tokio::spawn(async move {
        for word in ["a", "b"] {
            tx.send(word.to_string()).unwrap();
        }
    });
    let mut words = Vec::new();
    while let Ok(w) = rx.recv() {
        words.push(w);
        if words.len() == 2 {
            break;
        }
    }
    task.await.unwrap();
    std::thread::spawn(move || {
        thread_tx.send("c".to_string()).unwrap();
    });
    match rx.recv() {
        Ok(w) => words.push(w),
        Err(_) => words.push("closed".to_string()),
    }
    let closed = rx.recv().is_err();
    format!("{} {closed}", words.join(","))
}

/// Timeouts, polling, and a receiver handed on to a thread.
async fn timed() -> String {
    let (tx, rx) = mpsc::channel::<&'static str>();
    let d = Duration::from_millis(20);
    let first = match rx.recv_timeout(d) {
        Ok(v) => v,
        Err(_) => "timed out",
    };
    tx.send("late").unwrap();
    let mut second = "none";
    if let Ok(v) = rx.recv_timeout(d) {
        second = v;
    }
    let polled = rx.try_recv().is_ok();
    tx.send("x").unwrap();
    tx.send("y").unwrap();
    drop(tx);
    let (back, total) = mpsc::sync_channel::<usize>(1);
    std::thread::spawn(move || {
        let mut n = 0;
        while let Ok(v) = rx.recv() {
            n += v.len();
        }
        back.send(n).unwrap();
    });
    let total = total.recv().ok();
    format!("{first} {second} {polled} {total:?}")
}

/// A rendezvous channel, which stays, and one whose sender goes to a
/// private sync fn, whose unbounded send stays as it is.
async fn stays() -> (u8, u8) {
    let (tx, rx) = mpsc::sync_channel(0);
    std::thread::spawn(move || tx.send(7).unwrap());
    let a = rx.recv().unwrap();
    let (tx, rx) = mpsc::channel();
    feed(tx);
    let b = rx.recv().unwrap();
    (a, b)
}

#[tokio::main]
async fn main() {
    println!("sum {}", sum().await);
    println!("words {}", words().await);
    println!("timed {}", timed().await);
    println!("stays {:?}", stays().await);
}
