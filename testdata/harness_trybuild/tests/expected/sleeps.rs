// Expected to build and print what it printed when it was written, blocking
// sleep included.
async fn nap() {
    std::thread::sleep(std::time::Duration::from_millis(1));
}

fn main() {
    let _ = nap();
}
