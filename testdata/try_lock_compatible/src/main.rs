use std::sync::Mutex;

struct Job {
    state: Mutex<&'static str>,
}

async fn run(job: &Job) -> &'static str {
    let mut state = job.state.lock().unwrap();
    *state = "running";
    *state
}

fn busy(job: &Job) -> bool {
    job.state.try_lock().is_err()
}

async fn peek(job: &Job) -> &'static str {
    if let Ok(state) = job.state.try_lock() {
        *state
    } else {
        "busy"
    }
}

#[tokio::main]
async fn main() {
    let job = Job { state: Mutex::new("new") };
    println!("{} {}", busy(&job), peek(&job).await);
    println!("{}", run(&job).await);
}
