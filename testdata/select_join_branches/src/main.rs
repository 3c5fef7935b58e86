use std::sync::{Arc, Mutex};

struct Scoreboard {
    hits: Mutex<u32>,
    log: Mutex<Vec<String>>,
}

async fn bump(board: &Scoreboard) -> u32 {
    let mut hits = board.hits.lock().unwrap();
    *hits += 1;
    *hits
}

async fn tenfold(n: u32) -> Result<u32, String> {
    Ok(n * 10)
}

#[tokio::main]
async fn main() {
    let board = Arc::new(Scoreboard {
        hits: Mutex::new(0),
        log: Mutex::new(Vec::new()),
    });
    let mut queue = vec![5];
    for _ in 0..2 {
        tokio::select! {
            biased;
            Some(n) = std::future::ready(queue.pop()), if *board.hits.lock().unwrap() < 10 => {
                *board.hits.lock().unwrap() += n;
                board.log.lock().unwrap().push(format!("got {n}"));
            }
            v = bump(&board) => board.log.lock().unwrap().push(format!("bumped to {v}")),
        }
    }
    tokio::select! {
        _ = std::future::pending::<()>(), if board.log.lock().unwrap().is_empty() => {}
        else => board.log.lock().unwrap().push("no branch".to_string()),
    }
    let (a, b) = tokio::join!(bump(&board), async { board.log.lock().unwrap().len() });
    let (x, y) = tokio::try_join!(tenfold(*board.hits.lock().unwrap()), tenfold(b as u32)).unwrap();
    println!("a={a} b={b} x={x} y={y} log={:?}", board.log.lock().unwrap());
}
