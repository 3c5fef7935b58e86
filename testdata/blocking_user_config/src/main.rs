mod legacy {
    pub fn fetch_sync(id: u32) -> String {
        format!("record-{id}")
    }

    pub async fn fetch(id: u32) -> String {
        format!("record-{id}")
    }

    pub fn checksum(data: &[u8]) -> u64 {
        data.iter().map(|&b| u64::from(b)).sum()
    }
}

fn describe() -> String {
    legacy::fetch_sync(0)
}

async fn load(id: u32) -> (String, u64) {
    let record = legacy::fetch_sync(id);
    let sum = legacy::checksum(record.as_bytes());
    (record, sum)
}

#[tokio::main]
async fn main() {
    println!("{:?}", load(7).await);
    println!("{} {}", legacy::fetch(1).await, describe());
}
