use std::collections::HashMap;
use std::ops::Deref;
use std::sync::{Arc, Mutex};

struct User {
    locked: bool,
}

impl User {
    fn is_locked(&self) -> bool {
        self.locked
    }
}

#[derive(Default)]
struct State {
    db: Mutex<HashMap<u64, User>>,
}

struct Inner {
    errors: Mutex<Vec<String>>,
}

#[derive(Clone)]
struct Env(Arc<Inner>);

impl Deref for Env {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

async fn check(state: &State, id: u64) -> bool {
    let users = state.db.lock().unwrap();
    if let Some(u) = users.get(&id) {
        u.is_locked()
    } else {
        false
    }
}

async fn locked_count(state: &State) -> usize {
    let users = state.db.lock().unwrap();
    users.values().filter(|u| u.is_locked()).count()
}

async fn report(env: Env) -> usize {
    env.errors.lock().unwrap().push("timeout".into());
    env.errors.lock().unwrap().len()
}

async fn maybe(tracker: Option<Arc<Mutex<u32>>>) -> u32 {
    tracker.as_ref().map(|t| *t.lock().unwrap()).unwrap_or(0)
}

#[tokio::main]
async fn main() {
    let state = State::default();
    state.db.lock().unwrap().insert(1, User { locked: true });
    state.db.lock().unwrap().insert(2, User { locked: false });
    println!("{} {}", check(&state, 1).await, locked_count(&state).await);
    let env = Env(Arc::new(Inner {
        errors: Mutex::new(vec![]),
    }));
    println!("{}", report(env.clone()).await);
    println!("{}", maybe(Some(Arc::new(Mutex::new(4)))).await);
}
