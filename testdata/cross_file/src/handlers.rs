use crate::state::AppState;

pub async fn add_user(state: &AppState, name: &str) {
    state.users.lock().unwrap().push(name.to_string());
}

pub async fn count(state: &AppState) -> usize {
    state.users.lock().unwrap().len()
}
