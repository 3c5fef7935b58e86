mod handlers;
mod state;

#[tokio::main]
async fn main() {
    let state = state::AppState::new();
    handlers::add_user(&state, "ada").await;
    handlers::add_user(&state, "grace").await;
    println!("{}", handlers::count(&state).await);
}
