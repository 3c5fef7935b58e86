//! Aliases that name std keep their name where a rename is not safe: a
//! `pub use` that other code may name stays std (this file's migrated uses
//! are qualified), and an alias whose tokio name the file already uses
//! keeps its name, as the finding says.
pub use std::sync::Mutex as StdMutex;
use std::sync::RwLock as StdRwLock;

/// Takes the name that `StdRwLock` would be renamed to.
#[allow(dead_code)]
struct TokioRwLock;

struct State {
    hits: StdMutex<u32>,
    names: StdRwLock<Vec<String>>,
}

async fn visit(state: &State, name: &str) -> u32 {
    state.names.write().unwrap().push(name.to_string());
    let mut hits = state.hits.lock().unwrap();
    *hits += 1;
    *hits
}

#[tokio::main]
async fn main() {
    let state = State {
        hits: StdMutex::new(0),
        names: StdRwLock::new(Vec::new()),
    };
    println!("{}", visit(&state, "ada").await);
    println!("{:?}", state.names.read().unwrap());
}
