//! `--write`: refuse files with uncommitted changes, then replace each file
//! atomically (a temp file in the same directory, renamed over it), crate by
//! crate, all or nothing.
//!
//! A crate is written under a journal (`.awaitify-journal` in its directory)
//! that holds every file's old and new text: it is written before the first
//! rename and removed when the crate is done. A run killed in between leaves
//! it behind, and the next `--write` rolls the crate back from it before
//! reading anything, so it ends in the tree an uninterrupted run makes. While
//! a `--write` runs, it holds an advisory lock on each crate's directory.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs::File;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::{Deserialize, Serialize};

use crate::model::FileChange;

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

/// The journal of a crate being written, in the crate's directory.
pub const JOURNAL: &str = ".awaitify-journal";
/// Temp files of a write start with this (and end with `.tmp`): one left by a
/// killed run is removed when its journal is rolled back.
const TEMP_PREFIX: &str = ".awaitify-";

fn write_atomic(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let meta = std::fs::metadata(path)?;
    if meta.permissions().readonly() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::PermissionDenied,
            "file is read-only",
        ));
    }
    let tmp = temp_file(path, contents, Some(meta.permissions()))?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// A synced temp file next to `path` holding `contents`.
fn temp_file(
    path: &Path,
    contents: &[u8],
    permissions: Option<std::fs::Permissions>,
) -> std::io::Result<tempfile::NamedTempFile> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    #[cfg(debug_assertions)]
    fault::fail_if_asked(path)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(contents)?;
    tmp.as_file().sync_all()?;
    if let Some(p) = permissions {
        std::fs::set_permissions(tmp.path(), p)?;
    }
    Ok(tmp)
}

/// Ways for tests to make a write fail or the process die mid-write:
/// compiled only in debug builds, active only when the variables are set.
#[cfg(debug_assertions)]
mod fault {
    use std::path::Path;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// `AWAITIFY_TEST_FAIL_WRITE=NAME`: writing a file named NAME fails.
    pub fn fail_if_asked(path: &Path) -> std::io::Result<()> {
        match std::env::var_os("AWAITIFY_TEST_FAIL_WRITE") {
            Some(name) if path.file_name() == Some(name.as_os_str()) => Err(std::io::Error::other(
                "AWAITIFY_TEST_FAIL_WRITE asked for a failure",
            )),
            _ => Ok(()),
        }
    }

    static RENAMES: AtomicUsize = AtomicUsize::new(0);

    /// `AWAITIFY_TEST_KILL_AFTER=N`: the process aborts (no clean-up, like
    /// `kill -9`) right after its Nth rename of a written file.
    /// `AWAITIFY_TEST_PAUSE_MS=N`: it sleeps N ms after its first rename.
    pub fn after_rename() {
        let n = RENAMES.fetch_add(1, Ordering::SeqCst) + 1;
        let var = |name| std::env::var(name).ok().and_then(|v| v.parse::<u64>().ok());
        if var("AWAITIFY_TEST_KILL_AFTER") == Some(n as u64) {
            std::process::abort();
        }
        if let (1, Some(ms)) = (n, var("AWAITIFY_TEST_PAUSE_MS")) {
            std::thread::sleep(std::time::Duration::from_millis(ms));
        }
    }
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

/// One file of a journal: where, and its text before and after the write.
#[derive(Serialize, Deserialize)]
struct JournalFile {
    path: PathBuf,
    old: String,
    new: String,
}

#[derive(Serialize, Deserialize)]
struct Journal {
    /// "awaitify journal 1".
    format: String,
    files: Vec<JournalFile>,
}

const JOURNAL_FORMAT: &str = "awaitify journal 1";

/// The journals of crates written by this run; removed by `finish` once
/// nothing can undo the writes any more (after `--verify`).
#[derive(Debug, Default)]
pub struct Journals(Vec<PathBuf>);

impl Journals {
    /// Removes the journals: the crates they cover are complete.
    pub fn finish(self) -> Vec<String> {
        self.0
            .iter()
            .filter_map(|j| {
                std::fs::remove_file(j)
                    .err()
                    .map(|e| format!("{}: cannot remove the journal: {e}", j.display()))
            })
            .collect()
    }
}

/// The directory a crate's journal and lock live in: its manifest's, or, for
/// files no manifest owns, the first file's.
pub fn crate_dir(manifest: Option<&Path>, first_file: &Path) -> PathBuf {
    let dir = manifest
        .and_then(Path::parent)
        .or_else(|| first_file.parent())
        .unwrap_or(Path::new(""));
    match dir.as_os_str().is_empty() {
        true => PathBuf::from("."),
        false => dir.to_path_buf(),
    }
}

/// An advisory lock on a directory, held until dropped.
#[derive(Debug)]
pub struct DirLock(#[allow(dead_code)] File);

/// Takes the `--write` lock of each directory (in sorted order, so two runs
/// cannot deadlock), waiting for another run that holds one. (Only where a
/// directory can be opened as a file, as on Unix; elsewhere no lock is
/// taken.)
#[cfg(not(unix))]
pub fn lock_dirs(
    _dirs: &BTreeSet<PathBuf>,
    _show: &dyn Fn(&Path) -> String,
) -> Result<Vec<DirLock>, String> {
    Ok(Vec::new())
}

/// Takes the `--write` lock of each directory (in sorted order, so two runs
/// cannot deadlock), waiting for another run that holds one.
#[cfg(unix)]
pub fn lock_dirs(
    dirs: &BTreeSet<PathBuf>,
    show: &dyn Fn(&Path) -> String,
) -> Result<Vec<DirLock>, String> {
    let mut locks = Vec::new();
    for dir in dirs {
        let file =
            File::open(dir).map_err(|e| format!("{}: cannot lock for --write: {e}", show(dir)))?;
        // fs4 rather than std's `File::lock`: that needs Rust 1.89.
        match fs4::FileExt::try_lock(&file) {
            Ok(()) => {}
            Err(fs4::TryLockError::WouldBlock) => {
                eprintln!(
                    "awaitify: waiting for another `awaitify --write` that is writing {}",
                    show(dir)
                );
                fs4::FileExt::lock(&file)
                    .map_err(|e| format!("{}: cannot lock for --write: {e}", show(dir)))?;
            }
            Err(fs4::TryLockError::Error(e)) => {
                return Err(format!("{}: cannot lock for --write: {e}", show(dir)))
            }
        }
        locks.push(DirLock(file));
    }
    Ok(locks)
}

/// What an interrupted `--write` left in `dir`, if anything: with `roll_back`,
/// puts every file of the journal back as it was before that run and
/// returns a note; without, returns the error that the crate is half-written.
pub fn recover(
    dir: &Path,
    roll_back: bool,
    show: &dyn Fn(&Path) -> String,
) -> Result<Option<String>, String> {
    let path = dir.join(JOURNAL);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("{}: cannot read: {e}", show(&path))),
    };
    if !roll_back {
        return Err(format!(
            "{}: an interrupted `awaitify --write` left this crate half-written; run `awaitify --write` again to roll it back first (crate skipped)",
            show(&path)
        ));
    }
    let journal: Journal = serde_json::from_str(&text)
        .ok()
        .filter(|j: &Journal| j.format == JOURNAL_FORMAT)
        .ok_or_else(|| {
            format!(
                "{}: not a journal of this awaitify; remove it by hand (crate skipped)",
                show(&path)
            )
        })?;
    // Check every file first: a file that is neither as it was nor as the
    // run would have written it was changed by someone else.
    for f in &journal.files {
        let now = std::fs::read(&f.path).unwrap_or_default();
        if now != f.old.as_bytes() && now != f.new.as_bytes() {
            return Err(format!(
                "{}: changed since an interrupted `awaitify --write` wrote its crate; compare it with {} and remove the journal by hand (crate skipped)",
                show(&f.path),
                show(&path)
            ));
        }
    }
    let mut restored = 0;
    for f in &journal.files {
        if std::fs::read(&f.path).is_ok_and(|now| now == f.new.as_bytes() && f.new != f.old) {
            write_atomic(&f.path, f.old.as_bytes()).map_err(|e| {
                format!(
                    "{}: cannot restore: {e} (journal kept at {})",
                    show(&f.path),
                    show(&path)
                )
            })?;
            restored += 1;
        }
    }
    // Temp files the killed run left next to the files it wrote.
    let dirs: BTreeSet<&Path> = journal
        .files
        .iter()
        .filter_map(|f| f.path.parent())
        .collect();
    for d in dirs {
        for entry in std::fs::read_dir(d).into_iter().flatten().flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with(TEMP_PREFIX) && name.ends_with(".tmp") {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
    std::fs::remove_file(&path).map_err(|e| format!("{}: cannot remove: {e}", show(&path)))?;
    Ok(Some(format!(
        "{}: rolled back an interrupted `awaitify --write` ({restored} file(s) restored); this run writes the crate again",
        show(dir)
    )))
}

/// Is `path` inside one of `roots` (all canonical)?
fn inside(path: &Path, roots: &[PathBuf]) -> bool {
    roots.iter().any(|r| path.starts_with(r))
}

/// The paths given, as the real paths they name; a symlink given as a path
/// names the link itself, not its target.
pub fn canonical_roots(paths: &[PathBuf]) -> Vec<PathBuf> {
    paths
        .iter()
        .filter_map(|p| {
            let link = std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_symlink());
            match (link, p.parent(), p.file_name()) {
                (true, Some(parent), Some(name)) => {
                    let parent = if parent.as_os_str().is_empty() {
                        Path::new(".")
                    } else {
                        parent
                    };
                    Some(parent.canonicalize().ok()?.join(name))
                }
                _ => p.canonicalize().ok(),
            }
        })
        .collect()
}

/// The file to write for `path`: itself, or, for a symlink whose target is
/// inside `roots`, the target. A symlink is never replaced, nor written
/// through to outside the roots. (Directories on the way are the user's: the
/// walk does not follow symlinked ones, so only a path given names one.)
fn real_path(path: &Path, roots: &[PathBuf]) -> Result<PathBuf, String> {
    let link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    if !link {
        return Ok(path.to_path_buf());
    }
    let real = path
        .canonicalize()
        .map_err(|e| format!("cannot write: {e}"))?;
    if !inside(&real, roots) {
        return Err(format!(
            "is a symlink to {}, outside the paths given: not written through",
            real.display()
        ));
    }
    Ok(real)
}

/// Writes the changes crate by crate, all or nothing per crate. A crate with
/// a dirty, read-only or changed file, or a symlink to outside `roots`, is
/// not written; a crate whose write fails midway gets its written files
/// back. Returns one error line per problem, what each written file held
/// before, and the journals to remove once the writes are final.
pub fn write_changes(
    changes: &[FileChange],
    allow_dirty: bool,
    roots: &[PathBuf],
) -> (Vec<String>, Vec<Backup>, Journals) {
    let mut errors = Vec::new();
    let mut backups = Vec::new();
    let mut journals = Journals::default();
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
        let mut real = Vec::new();
        for c in files {
            let abs = std::fs::canonicalize(&c.path).unwrap_or_else(|_| c.path.clone());
            if dirty.contains(&abs) {
                errors.push(format!(
                    "{}: has uncommitted changes; commit or stash them, or pass --allow-dirty (its crate was not written)",
                    c.display
                ));
                blocked = true;
            }
            match real_path(&c.path, roots) {
                Ok(p) => real.push(p),
                Err(e) => {
                    errors.push(format!("{}: {e} (its crate was not written)", c.display));
                    blocked = true;
                    continue;
                }
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
            // An editor's save since the file was read is never overwritten.
            if std::fs::read(&c.path).is_ok_and(|now| now != c.old.as_bytes()) {
                errors.push(format!(
                    "{}: changed on disk since awaitify read it; run again (its crate was not written)",
                    c.display
                ));
                blocked = true;
            }
        }
        if blocked {
            continue;
        }
        let dir = crate_dir(files[0].manifest.as_deref(), &files[0].path);
        match write_crate(files, &real, &dir) {
            Ok(journal) => {
                journals.0.push(journal);
                backups.extend(files.iter().zip(&real).map(|(c, path)| Backup {
                    crate_id: c.crate_id,
                    path: path.clone(),
                    display: c.display.clone(),
                    manifest: c.manifest.clone(),
                    original: c.old.clone().into_bytes(),
                }));
            }
            Err(e) => errors.push(e),
        }
    }
    (errors, backups, journals)
}

/// Replaces the journal in `dir` with `files` (each path, with its text
/// before the run and the text about to be written): `--write`'s check
/// rewrites a crate round by round, and a run killed meanwhile must still
/// be rolled back from the journal.
pub fn rewrite_journal(dir: &Path, files: &[(PathBuf, &str, &str)]) -> Result<(), String> {
    let journal_path = dir.join(JOURNAL);
    let journal = Journal {
        format: JOURNAL_FORMAT.to_string(),
        files: files
            .iter()
            .map(|(path, old, new)| JournalFile {
                path: path.clone(),
                old: old.to_string(),
                new: new.to_string(),
            })
            .collect(),
    };
    let text = serde_json::to_string(&journal).expect("a journal serializes");
    temp_file(&journal_path, text.as_bytes(), None)
        .and_then(|t| t.persist(&journal_path).map_err(|e| e.error))
        .map(drop)
        .map_err(|e| format!("{}: cannot write the journal: {e}", journal_path.display()))
}

/// Writes one crate's files (`real`: where each goes) under a journal in
/// `dir`. On failure, puts back what it wrote and removes the journal.
fn write_crate(files: &[&FileChange], real: &[PathBuf], dir: &Path) -> Result<PathBuf, String> {
    let journal_path = dir.join(JOURNAL);
    let journal = Journal {
        format: JOURNAL_FORMAT.to_string(),
        files: files
            .iter()
            .zip(real)
            .map(|(c, path)| JournalFile {
                path: path.clone(),
                old: c.old.clone(),
                new: c.new.clone(),
            })
            .collect(),
    };
    let text = serde_json::to_string(&journal).expect("a journal serializes");
    temp_file(&journal_path, text.as_bytes(), None)
        .and_then(|t| t.persist(&journal_path).map_err(|e| e.error))
        .map_err(|e| {
            format!(
                "{}: cannot write the journal: {e} (its crate was not written)",
                journal_path.display()
            )
        })?;
    let mut written: Vec<(&FileChange, &PathBuf)> = Vec::new();
    let mut failure = None;
    for (c, path) in files.iter().zip(real) {
        let result = std::fs::metadata(path).and_then(|meta| {
            let tmp = temp_file(path, c.new.as_bytes(), Some(meta.permissions()))?;
            // The last moment before the rename: a file changed since it was
            // read is not overwritten.
            if std::fs::read(path)? != c.old.as_bytes() {
                return Err(std::io::Error::other(
                    "changed on disk since awaitify read it; run again",
                ));
            }
            tmp.persist(path).map_err(|e| e.error)
        });
        match result {
            Ok(_) => {
                written.push((c, path));
                #[cfg(debug_assertions)]
                fault::after_rename();
            }
            Err(e) => {
                failure = Some(format!("{}: {e}", c.display));
                break;
            }
        }
    }
    let Some(failure) = failure else {
        return Ok(journal_path);
    };
    let mut problems = Vec::new();
    for (c, path) in &written {
        if let Err(e) = write_atomic(path, c.old.as_bytes()) {
            problems.push(format!("{}: cannot restore: {e}", c.display));
        }
    }
    if problems.is_empty() {
        let _ = std::fs::remove_file(&journal_path);
        Err(format!(
            "{failure}; its crate was not written ({} file(s) already written were restored)",
            written.len()
        ))
    } else {
        Err(format!(
            "{failure}; restoring the crate failed too ({}); `awaitify --write` rolls it back from {}",
            problems.join("; "),
            journal_path.display()
        ))
    }
}
