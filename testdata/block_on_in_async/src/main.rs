use tokio::runtime::Handle;

async fn compute() -> u32 {
    7
}

#[allow(dead_code)]
async fn nested() -> u32 {
    Handle::current().block_on(compute())
}

#[tokio::main]
async fn main() {
    println!("{}", compute().await);
}
