//! `--write`: refuse files with uncommitted changes, then replace each file
//! atomically (a temp file in the same directory, renamed over it).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::run::FileChange;

/// The git work tree a path is in, if any.
fn repo_root(dir: &Path) -> Option<PathBuf> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["rev-parse", "--show-toplevel"])
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
}

/// Files among `paths` with uncommitted changes or unknown to git.
pub fn dirty_files(paths: &[&Path]) -> BTreeSet<PathBuf> {
    let mut by_repo: HashMap<PathBuf, Vec<PathBuf>> = HashMap::new();
    for p in paths {
        let Ok(abs) = std::fs::canonicalize(p) else {
            continue;
        };
        if let Some(root) = abs.parent().and_then(repo_root) {
            by_repo.entry(root).or_default().push(abs);
        }
    }
    let mut dirty = BTreeSet::new();
    for (root, files) in by_repo {
        let Ok(out) = Command::new("git")
            .arg("-C")
            .arg(&root)
            .args([
                "status",
                "--porcelain=v1",
                "-z",
                "--untracked-files=all",
                "--",
            ])
            .args(&files)
            .output()
        else {
            continue;
        };
        let root = std::fs::canonicalize(&root).unwrap_or(root);
        for entry in out.stdout.split(|b| *b == 0) {
            if entry.len() > 3 {
                dirty.insert(root.join(String::from_utf8_lossy(&entry[3..]).as_ref()));
            }
        }
    }
    dirty
}

fn write_atomic(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let meta = std::fs::metadata(path)?;
    if meta.permissions().readonly() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::PermissionDenied,
            "file is read-only",
        ));
    }
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(contents)?;
    tmp.as_file().sync_all()?;
    std::fs::set_permissions(tmp.path(), meta.permissions())?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// A file as it was before this run wrote it.
#[derive(Debug)]
pub struct Backup {
    pub crate_id: usize,
    pub path: PathBuf,
    pub display: String,
    /// The crate's `Cargo.toml`, if a manifest owns the file.
    pub manifest: Option<PathBuf>,
    pub original: Vec<u8>,
}

/// Puts the files back byte for byte. Returns one error line per failure.
pub fn restore<'a>(backups: impl IntoIterator<Item = &'a Backup>) -> Vec<String> {
    backups
        .into_iter()
        .filter_map(|b| {
            write_atomic(&b.path, &b.original)
                .err()
                .map(|e| format!("{}: cannot restore: {e}", b.display))
        })
        .collect()
}

/// Writes the changes crate by crate. A crate with a dirty or read-only file
/// is not written at all, so no migration is ever left half-applied. Returns
/// one error line per problem, and what each written file held before.
pub fn write_changes(changes: &[FileChange], allow_dirty: bool) -> (Vec<String>, Vec<Backup>) {
    let mut errors = Vec::new();
    let mut backups = Vec::new();
    let mut by_crate: BTreeMap<usize, Vec<&FileChange>> = BTreeMap::new();
    for c in changes {
        by_crate.entry(c.crate_id).or_default().push(c);
    }
    let dirty = if allow_dirty {
        BTreeSet::new()
    } else {
        dirty_files(&changes.iter().map(|c| c.path.as_path()).collect::<Vec<_>>())
    };
    for files in by_crate.values() {
        let mut blocked = false;
        for c in files {
            let abs = std::fs::canonicalize(&c.path).unwrap_or_else(|_| c.path.clone());
            if dirty.contains(&abs) {
                errors.push(format!(
                    "{}: has uncommitted changes; commit or stash them, or pass --allow-dirty (its crate was not written)",
                    c.display
                ));
                blocked = true;
            }
            match std::fs::metadata(&c.path) {
                Ok(m) if m.permissions().readonly() => {
                    errors.push(format!(
                        "{}: file is read-only (its crate was not written)",
                        c.display
                    ));
                    blocked = true;
                }
                Ok(_) => {}
                Err(e) => {
                    errors.push(format!(
                        "{}: cannot write: {e} (its crate was not written)",
                        c.display
                    ));
                    blocked = true;
                }
            }
        }
        if blocked {
            continue;
        }
        for c in files {
            let written = std::fs::read(&c.path).and_then(|original| {
                write_atomic(&c.path, c.new.as_bytes())?;
                Ok(original)
            });
            match written {
                Ok(original) => backups.push(Backup {
                    crate_id: c.crate_id,
                    path: c.path.clone(),
                    display: c.display.clone(),
                    manifest: c.manifest.clone(),
                    original,
                }),
                Err(e) => errors.push(format!("{}: cannot write: {e}", c.display)),
            }
        }
    }
    (errors, backups)
}
