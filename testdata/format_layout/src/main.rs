use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

#[derive(Default)]
struct Registry {
    names: RwLock<HashMap<u32, String>>,
}

impl Registry {
    async fn name_len(&self, id: u32) -> usize {
        let len = match self.names.read() {
            Ok(names) => names.get(&id).map_or(0, |n| n.len()),
            Err(e) => panic!("poisoned: {e}"),
        };
        len
    }

    async fn rename(&self, id: u32, name: &str) -> Option<String> {
        match self.names.write() {
            Ok(mut names) => {
                let old = names.insert(id, name.to_string());
                let note = "renamed:
    this line of the string keeps its indentation";
                println!("{}", note.len());
                old
            }
            Err(e) => panic!("poisoned: {e}"),
        }
    }

    async fn count(&self) -> usize {
        self.names
            .read()
            .expect("the registry lock was poisoned by a panic elsewhere")
            .len()
    }

    async fn known(&self, id: u32) -> bool {
        if let Ok(names) = self.names.read() {
            names.contains_key(&id)
        } else {
            unreachable!("poisoned")
        }
    }
}

async fn load(registry: &Registry) -> usize {
    tokio::time::sleep(Duration::from_millis(1)).await;
    let text = std::fs::read_to_string("Cargo.toml").unwrap_or_default();
    registry.rename(1, "ada").await;
    registry.name_len(1).await + registry.count().await + text.len().min(1)
}

#[tokio::main]
async fn main() {
    let registry = Arc::new(Registry::default());
    println!("{} {}", load(&registry).await, registry.known(1).await);
}
