use std::fmt::Write as _;
use std::sync::Mutex;

struct Board {
    scores: Mutex<Vec<u32>>,
}

async fn report(board: &Board) -> String {
    let mut out = String::new();
    writeln!(out, "{} scores", board.scores.lock().unwrap().len()).unwrap();
    assert!(!board.scores.lock().unwrap().is_empty(), "no scores");
    assert_eq!(board.scores.lock().unwrap()[0], 10);
    let copies = vec![board.scores.lock().unwrap().len(); 2];
    out.push_str(&format!("first={} copies={copies:?}", board.scores.lock().unwrap()[0]));
    out
}

#[tokio::main]
async fn main() {
    let board = Board { scores: Mutex::new(vec![10, 20]) };
    println!("{} / {:?}", report(&board).await, board.scores.lock().unwrap());
}
