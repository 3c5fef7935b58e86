use std::collections::HashSet;
use std::sync::Mutex;

static NICKNAMES: Mutex<Option<HashSet<String>>> = Mutex::new(None);

fn claim_nick(nick: &str) -> bool {
    NICKNAMES.lock().unwrap().get_or_insert_with(HashSet::new).insert(nick.to_string())
}

fn connect(nick: &str) -> Option<String> {
    if !claim_nick(nick) {
        return None;
    }
    Some(nick.to_string())
}

#[tokio::main]
async fn main() {
    let a = connect("a");
    let b = connect("a");
    println!("{a:?} {b:?}");
}
