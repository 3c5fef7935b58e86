use std::sync::Mutex;

struct Counter {
    hits: Mutex<u32>,
}

impl Counter {
    async fn hit(&self) -> u32 {
        let mut hits = self.hits.lock().unwrap();
        *hits += 1;
        *hits
    }
}

#[tokio::main]
async fn main() {
    let counter = Counter { hits: Mutex::new(0) };
    counter.hit().await;
    println!("{}", counter.hit().await);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_counters_in_a_plain_lock() {
        let seen = Mutex::new(Vec::new());
        seen.lock().unwrap().push(Counter { hits: Mutex::new(0) });
        assert_eq!(seen.lock().unwrap().len(), 1);
    }
}

#[cfg(test)]
mod async_tests {
    use super::*;

    #[tokio::test]
    async fn counts_each_hit() {
        let counter = Counter { hits: Mutex::new(0) };
        assert_eq!(counter.hit().await, 1);
    }
}
