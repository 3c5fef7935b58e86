//! `--write-baseline FILE` records a run's findings; `--baseline FILE` then
//! leaves the recorded ones alone (neither reported, nor fixed, nor failing
//! the run), so that CI can fail on new findings only.
//!
//! A finding is recorded by its rule, its file (relative to the baseline's
//! directory, so the baseline works from any current directory) and the
//! source line it is on with whitespace collapsed, never by line number:
//! edits elsewhere in the file do not invalidate it. Equal keys are counted,
//! so a second identical finding in the same file is new.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _, Result};
use serde::{Deserialize, Serialize};

/// Version of the baseline file; raised on incompatible changes.
const VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
struct File {
    version: u32,
    findings: Vec<Entry>,
}

/// One recorded finding. `message` is for people reading the file; it is
/// not matched.
#[derive(Serialize, Deserialize, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Entry {
    pub code: String,
    pub path: String,
    pub snippet: String,
    #[serde(default)]
    pub message: String,
}

/// What a finding is matched by.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key {
    pub code: &'static str,
    pub path: String,
    pub snippet: String,
}

/// A baseline read from its file: how many findings of each key it holds.
#[derive(Clone, Debug)]
pub struct Baseline {
    /// The baseline file's directory (absolute): paths are relative to it.
    dir: PathBuf,
    counts: BTreeMap<(String, String, String), usize>,
}

/// The source line that holds byte `offset` of `text`, with every run of
/// whitespace made one space.
pub fn snippet(text: &str, offset: usize) -> String {
    let offset = offset.min(text.len());
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    text[start..end]
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The directory paths of the baseline `file` are relative to.
pub fn dir_of(file: &Path) -> PathBuf {
    let abs = crate::paths::absolute(file);
    abs.parent().map(Path::to_path_buf).unwrap_or(abs)
}

/// `path` (absolute) as recorded in a baseline whose directory is `dir`.
pub fn recorded_path(path: &Path, dir: &Path) -> String {
    crate::paths::relative_to(path, dir)
        .to_string_lossy()
        .replace('\\', "/")
}

impl Baseline {
    pub fn read(file: &Path) -> Result<Baseline> {
        let text = std::fs::read_to_string(file)
            .with_context(|| format!("{}: cannot read the baseline", file.display()))?;
        let parsed: File = serde_json::from_str(&text)
            .with_context(|| format!("{}: not an awaitify baseline", file.display()))?;
        if parsed.version != VERSION {
            bail!(
                "{}: baseline version {} (this awaitify reads version {VERSION}); write it again with --write-baseline",
                file.display(),
                parsed.version
            );
        }
        let mut counts = BTreeMap::new();
        for e in parsed.findings {
            *counts.entry((e.code, e.path, e.snippet)).or_insert(0) += 1;
        }
        Ok(Baseline {
            dir: dir_of(file),
            counts,
        })
    }

    /// The key of a finding of `code` at byte `offset` of the file at `path`
    /// (absolute) whose text is `text`.
    pub fn key(&self, code: &'static str, path: &Path, text: &str, offset: usize) -> Key {
        Key {
            code,
            path: recorded_path(path, &self.dir),
            snippet: snippet(text, offset),
        }
    }

    /// Takes one finding of `key` out of the baseline, if it holds one.
    pub fn take(&mut self, key: &Key) -> bool {
        let k = (key.code.to_string(), key.path.clone(), key.snippet.clone());
        match self.counts.get_mut(&k) {
            Some(n) if *n > 0 => {
                *n -= 1;
                true
            }
            _ => false,
        }
    }
}

/// Writes `entries` to `file` as a baseline.
pub fn write(file: &Path, mut entries: Vec<Entry>) -> Result<()> {
    entries.sort();
    let doc = File {
        version: VERSION,
        findings: entries,
    };
    let text = serde_json::to_string_pretty(&doc).expect("a baseline serializes") + "\n";
    std::fs::write(file, text)
        .with_context(|| format!("{}: cannot write the baseline", file.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_are_the_line_with_whitespace_collapsed() {
        let text = "fn a() {}\n    let  x =\tf(1);\nlast";
        assert_eq!(snippet(text, 20), "let x = f(1);");
        assert_eq!(snippet(text, 0), "fn a() {}");
        assert_eq!(snippet(text, text.len()), "last");
    }

    #[test]
    fn equal_keys_are_counted() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("b.json");
        let entry = Entry {
            code: "AW201".into(),
            path: "src/main.rs".into(),
            snippet: "sleep(d);".into(),
            message: String::new(),
        };
        write(&file, vec![entry.clone(), entry]).unwrap();
        let mut b = Baseline::read(&file).unwrap();
        let path = tmp.path().join("src/main.rs");
        let key = b.key("AW201", &path, "  sleep(d);\n", 3);
        assert!(b.take(&key));
        assert!(b.take(&key));
        assert!(!b.take(&key));
    }
}
