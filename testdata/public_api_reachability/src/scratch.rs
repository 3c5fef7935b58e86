use std::sync::Mutex;

/// Private module, nothing re-exports `Pad`: its pub field is the crate's own.
pub struct Pad {
    pub lines: Mutex<Vec<String>>,
}

static PAD: Pad = Pad {
    lines: Mutex::new(Vec::new()),
};

pub async fn jot(line: &str) -> usize {
    let mut lines = PAD.lines.lock().unwrap();
    lines.push(line.to_string());
    lines.len()
}
