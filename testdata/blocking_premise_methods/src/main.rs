mod ingest;
mod report;

use ingest::Ingestor;

async fn run(ing: &Ingestor, paths: &[&str]) -> usize {
    let mut total = 0;
    for path in paths {
        total += ing.ingest_file(path).await;
    }
    total
}

#[tokio::main]
async fn main() {
    let ing = Ingestor::new(2);
    let total = run(&ing, &["no-such-file.txt", "no-such-file.csv"]).await;
    println!("{}", report::summary(total).await);
}
