use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

#[derive(Default)]
struct AppState {
    sessions: RwLock<HashMap<u64, String>>,
    audit: Mutex<Vec<String>>,
}

impl AppState {
    fn audit_len(&self) -> usize {
        self.audit.lock().unwrap().len()
    }
}

async fn login(state: Arc<AppState>, id: u64, user: &str) {
    state.sessions.write().unwrap().insert(id, user.to_string());
    state.audit.lock().unwrap().push(format!("login {user}"));
}

async fn whoami(state: &AppState, id: u64) -> Option<String> {
    match state.sessions.read() {
        Ok(sessions) => sessions.get(&id).cloned(),
        Err(poisoned) => poisoned.into_inner().get(&id).cloned(),
    }
}

#[tokio::main]
async fn main() {
    let state = Arc::new(AppState::default());
    login(state.clone(), 1, "ada").await;
    let snapshot = state.clone();
    let count = tokio::task::spawn_blocking(move || snapshot.sessions.read().unwrap().len())
        .await
        .unwrap();
    println!("{:?} {count} {}", whoami(&state, 1).await, state.audit_len());
}
