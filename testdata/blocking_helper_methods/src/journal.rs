use std::path::PathBuf;

/// Lines kept in memory until flushed to a file.
pub struct Journal {
    pub path: PathBuf,
    pub lines: Vec<String>,
}

impl Journal {
    pub fn push(&mut self, line: &str) {
        self.lines.push(line.to_string());
    }

    pub fn flush(&mut self) {
        let _ = std::fs::write(&self.path, self.lines.join("\n"));
        self.lines.clear();
    }
}
