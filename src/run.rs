//! One run of the tool: walk the paths, parse and extract every file in
//! parallel, plan each crate, and turn the plan into new file contents.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use ra_ap_syntax::{Edition, SourceFile, TextRange};
use rayon::prelude::*;

use crate::config::Config;
use crate::edit::{self, line_col, Edit};
use crate::facts::{self, FileFacts};
use crate::imports::Family;
use crate::manifest;
use crate::plan::{self, Decision, PlanOptions, Policy};
use crate::rules::{self, Applicability, Rule};
use crate::use_edit;

#[derive(Clone, Debug)]
pub struct Options {
    pub paths: Vec<PathBuf>,
    pub exclude: Vec<String>,
    /// Settings given on the command line: they win over each crate's
    /// configuration.
    pub policy: Option<Policy>,
    pub parking_lot: Option<bool>,
    pub select: Option<Vec<String>>,
    pub ignore: Option<Vec<String>>,
    pub unsafe_fixes: bool,
    /// Paths in output are shown relative to this directory.
    pub display_root: PathBuf,
    /// Edition for files that no `Cargo.toml` owns.
    pub default_edition: Edition,
    /// Only files owned by these manifests (packages picked through `cargo
    /// metadata`); `None`: every file.
    pub packages: Option<BTreeSet<PathBuf>>,
    /// Advanced once per file read.
    pub progress: Option<indicatif::ProgressBar>,
    /// Keep the text of files with findings (`Outcome::sources`), for
    /// rendering snippets.
    pub keep_sources: bool,
    /// Read the other files of a crate the paths cover only in part (off
    /// for `awaitify test`, whose cases stand alone).
    pub whole_crates: bool,
    /// Worker threads for reading and parsing; `None`: one per core.
    pub threads: Option<usize>,
    /// The run may write (`--write`): it locks each crate's directory, and
    /// rolls back what an interrupted `--write` left, before reading.
    pub write: bool,
}

impl Options {
    /// A dry run over `paths` with every setting at its default.
    pub fn new(paths: Vec<PathBuf>) -> Options {
        Options {
            paths,
            exclude: Vec::new(),
            policy: None,
            parking_lot: None,
            select: None,
            ignore: None,
            unsafe_fixes: false,
            display_root: std::env::current_dir().unwrap_or_default(),
            default_edition: Edition::Edition2021,
            packages: None,
            progress: None,
            keep_sources: false,
            whole_crates: true,
            threads: None,
            write: false,
        }
    }

    /// How the crate configured by `config` is planned.
    fn plan_options(&self, config: &Config) -> PlanOptions {
        PlanOptions {
            policy: self.policy.or(config.policy).unwrap_or(Policy::AsyncUse),
            parking_lot: self.parking_lot.or(config.parking_lot).unwrap_or(false),
            unsafe_fixes: self.unsafe_fixes,
            rules: crate::rules::RuleFilter {
                select: self
                    .select
                    .clone()
                    .or(config.select.clone())
                    .unwrap_or_default(),
                ignore: self
                    .ignore
                    .clone()
                    .or(config.ignore.clone())
                    .unwrap_or_default(),
            },
        }
    }
}

/// A place in a file: byte range of the text (without a byte-order mark) and
/// the 1-based line and column (in characters) where it starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Span {
    pub path: String,
    pub start: usize,
    pub end: usize,
    pub line: usize,
    pub col: usize,
    pub end_line: usize,
    pub end_col: usize,
}

/// One reported finding.
#[derive(Clone, Debug)]
pub struct Diagnostic {
    pub rule: &'static Rule,
    /// Where it is reported.
    pub span: Span,
    pub message: String,
    /// Other places of the finding in the same file, with what each is.
    pub labels: Vec<(Span, String)>,
    pub notes: Vec<String>,
    /// How far its fix can be trusted, if it has one (applied or not).
    pub fix: Option<Applicability>,
    /// The edits of the fix where this run applies it (shared edits to
    /// imports and manifests are only in the file changes).
    pub edits: Vec<(Span, String)>,
    /// The fix is part of this run's changes.
    pub fixed: bool,
    /// The crate whose changes hold the fix.
    pub crate_id: usize,
}

impl Outcome {
    /// Keeps only the changes of the crates `keep` accepts, and marks the
    /// fixes of the others as not applied.
    pub fn retain_crates(&mut self, keep: impl Fn(usize) -> bool) {
        self.changes.retain(|c| keep(c.crate_id));
        for d in &mut self.diagnostics {
            d.fixed &= keep(d.crate_id);
        }
    }
}

/// New contents for one file.
#[derive(Clone, Debug)]
pub struct FileChange {
    pub path: PathBuf,
    pub display: String,
    pub old: String,
    pub new: String,
    /// Files of one crate are written all together or not at all.
    pub crate_id: usize,
    /// The crate's `Cargo.toml`, if a manifest owns the file.
    pub manifest: Option<PathBuf>,
}

#[derive(Debug, Default)]
pub struct Outcome {
    pub diagnostics: Vec<Diagnostic>,
    pub changes: Vec<FileChange>,
    /// One line each, naming the path.
    pub errors: Vec<String>,
    pub files_scanned: usize,
    /// Files parsed and analysed (the others cannot hold anything relevant).
    pub files_analysed: usize,
    /// Files read: those scanned, and the other files of crates the paths
    /// given cover only in part (read, never changed).
    pub files_read: usize,
    /// Findings hidden by `// awaitify: allow(..)` comments.
    pub suppressed: usize,
    /// The text (without a byte-order mark) of every file with a finding,
    /// by displayed path, for rendering snippets (with `keep_sources`).
    pub sources: BTreeMap<String, String>,
    /// One line each, naming the path: what the run did or skipped that is
    /// not an error (a symlink read but not written, a rolled-back journal).
    pub notes: Vec<String>,
    /// With `Options::write`, the locks on the crates' directories: held
    /// until the outcome is dropped, after writing.
    pub locks: Vec<crate::write::DirLock>,
}

struct SourceText {
    path: PathBuf,
    display: String,
    /// The text without a byte-order mark.
    text: String,
    bom: bool,
    edition: Edition,
}

struct Analysed {
    src: SourceText,
    facts: FileFacts,
    /// All facts, not just those of the blocking rules.
    full: bool,
}

fn display_path(path: &Path, root: &Path) -> String {
    let shown = path.strip_prefix(root).unwrap_or(path);
    let s = shown.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

/// All `.rs` files under the paths, gitignore-aware, sorted, each with
/// whether `--exclude` matches it.
fn walk(opts: &Options, errors: &mut Vec<String>, notes: &mut Vec<String>) -> Vec<(PathBuf, bool)> {
    let mut excludes = globset::GlobSetBuilder::new();
    for g in &opts.exclude {
        match globset::Glob::new(g) {
            Ok(glob) => {
                excludes.add(glob);
            }
            Err(e) => errors.push(format!("--exclude {g}: {e}")),
        }
    }
    let excludes = excludes
        .build()
        .unwrap_or_else(|_| globset::GlobSet::empty());
    let mut files = Vec::new();
    let mut links = Vec::new();
    for root in &opts.paths {
        if !root.exists() {
            errors.push(format!("{}: no such file or directory", root.display()));
            continue;
        }
        for entry in ignore::WalkBuilder::new(root).build() {
            match entry {
                Ok(e) => {
                    let p = e.path();
                    let shown = display_path(p, &opts.display_root);
                    let excluded = excludes.is_match(&shown)
                        || p.file_name().is_some_and(|n| excludes.is_match(n));
                    if is_rs_link(&e) {
                        links.push((p.to_path_buf(), excluded));
                    } else if is_rs_file(&e) {
                        files.push((p.to_path_buf(), excluded));
                    }
                }
                Err(e) => errors.push(format!("{}: {e}", root.display())),
            }
        }
    }
    // A symlinked file is scanned where it points inside the paths given
    // (once: not if its target is scanned itself), and only read where it
    // points outside them: a symlink is never replaced, nor written through.
    if !links.is_empty() {
        let roots = crate::write::canonical_roots(&opts.paths);
        let real: HashSet<PathBuf> = files
            .iter()
            .filter_map(|(p, _)| p.canonicalize().ok())
            .collect();
        for (link, excluded) in links {
            let Ok(target) = link.canonicalize() else {
                continue;
            };
            let shown = display_path(&link, &opts.display_root);
            if real.contains(&target) {
                continue;
            }
            let inside = roots.iter().any(|r| target.starts_with(r));
            if !inside {
                notes.push(format!(
                    "{shown}: a symlink to {}, outside the paths given: read, never written",
                    target.display()
                ));
            }
            files.push((link, excluded || !inside));
        }
    }
    files.sort();
    files.dedup_by(|a, b| a.0 == b.0);
    files
}

/// A symlink to a `.rs` file (the walk does not follow symlinks).
fn is_rs_link(e: &ignore::DirEntry) -> bool {
    e.path().extension().is_some_and(|x| x == "rs")
        && std::fs::symlink_metadata(e.path()).is_ok_and(|m| m.file_type().is_symlink())
        && std::fs::metadata(e.path()).is_ok_and(|m| m.is_file())
}

fn is_rs_file(e: &ignore::DirEntry) -> bool {
    e.path().extension().is_some_and(|x| x == "rs") && e.file_type().is_some_and(|t| t.is_file())
}

/// The `.rs` files of the crate at `dir` (gitignore-aware), for files of a
/// crate the paths given do not cover.
fn crate_files(dir: &Path) -> Vec<PathBuf> {
    // `dir` is empty for a manifest in the current directory: the paths
    // found are spelled as the walk spelled the given ones.
    let here = dir.as_os_str().is_empty();
    ignore::WalkBuilder::new(if here { Path::new(".") } else { dir })
        .build()
        .filter_map(Result::ok)
        .filter(|e| is_rs_file(e) || is_rs_link(e))
        .map(|e| match here {
            true => e.path().strip_prefix(".").unwrap_or(e.path()).to_path_buf(),
            false => e.into_path(),
        })
        .collect()
}

fn read_source(path: &Path, display: String, edition: Edition) -> Result<SourceText, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{display}: cannot read: {e}"))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        format!(
            "{display}: not valid UTF-8 (byte {}); file skipped",
            e.utf8_error().valid_up_to()
        )
    })?;
    let (text, bom) = match text.strip_prefix('\u{feff}') {
        Some(rest) => (rest.to_string(), true),
        None => (text, false),
    };
    Ok(SourceText {
        path: path.to_path_buf(),
        display,
        text,
        bom,
        edition,
    })
}

fn analyse(
    src: SourceText,
    file_id: usize,
    flow_names: Option<&HashSet<String>>,
    full: bool,
    config: &Config,
) -> Result<Analysed, Failure> {
    let depth = crate::depth::nesting(&src.text);
    if depth > crate::depth::MAX_DEPTH {
        return Err(Failure::Crate(format!(
            "{}: nested too deeply to analyse (about {depth} levels of brackets and operators; the limit is {}); its crate is not written",
            src.display,
            crate::depth::MAX_DEPTH
        )));
    }
    #[cfg(debug_assertions)]
    fault::panic_if_asked(&src.path);
    let parse = SourceFile::parse(&src.text, src.edition);
    let tree = parse.tree();
    let facts = facts::extract(
        &tree,
        &src.text,
        file_id,
        src.edition,
        flow_names,
        !full,
        &config.blocking,
    );
    // The full error list (parser and validation) costs a tenth of the run:
    // it is checked where the tree has an ERROR node or says anything about locks.
    if facts.has_error || facts.mentions_locks() {
        if let Some(err) = parse.errors().into_iter().next() {
            let (line, col) = line_col(&src.text, err.range().start().into());
            return Err(Failure::Skip(format!(
                "{}:{line}:{col}: syntax error: {err}; file skipped",
                src.display
            )));
        }
    }
    Ok(Analysed { src, facts, full })
}

/// A walked file and the crate it belongs to.
struct Input {
    path: PathBuf,
    crate_id: usize,
    /// Position in the walk: unique, used in local declaration keys.
    file_id: usize,
    /// Excluded, or outside the paths given: analysed, never changed.
    read_only: bool,
}

struct CrateInfo {
    manifest: Option<PathBuf>,
    edition: Edition,
    config: Config,
    plan: PlanOptions,
    /// Its configuration's `exclude` globs, relative to the crate's directory.
    exclude: globset::GlobSet,
    /// Its configuration could not be read: none of its files is analysed.
    broken: bool,
    /// One of the packages asked for (or no packages were named).
    selected: bool,
}

/// How much of a file to analyse.
#[derive(PartialEq)]
enum Depth {
    Skip,
    /// Only what the blocking rules need.
    Blocking,
    Full,
}

/// What reading a file found: its analysis, if `wanted` asked for one, and
/// whether it could hold a lock site in async code.
#[derive(Default)]
struct Loaded {
    analysed: Option<Analysed>,
    async_site: bool,
}

/// Why a file has no analysis. Each holds one line naming the file.
#[derive(Debug)]
enum Failure {
    /// The file cannot be read or parsed: it is skipped, its crate goes on
    /// (a file that does not parse does not build, so no rewrite breaks it).
    Skip(String),
    /// The file may build but could not be analysed (nested too deeply, an
    /// internal error): nothing of its crate is written.
    Crate(String),
}

/// Runs `f`; a panic in it becomes an internal error about `what`.
pub fn catch<T>(what: &str, f: impl FnOnce() -> T) -> Result<T, String> {
    let outer = CATCHING.with(|c| c.replace(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    CATCHING.with(|c| c.set(outer));
    result.map_err(|payload| {
        let msg = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_string());
        let at = PANIC_AT
            .with(|p| p.take())
            .map(|at| format!(" at {at}"))
            .unwrap_or_default();
        let msg = msg.replace('\n', " ");
        format!("{what}: internal error: {msg}{at}; please report it")
    })
}

thread_local! {
    /// Where the last panic on this thread happened, if the panic hook of
    /// `quiet_panics` saw it.
    static PANIC_AT: std::cell::Cell<Option<String>> = const { std::cell::Cell::new(None) };
    /// This thread runs inside `catch`.
    static CATCHING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Makes the panics that `catch` catches quiet: it reports them as one line
/// with their place (unless `RUST_BACKTRACE` is set, when the default report
/// is printed too). Other panics are reported as usual.
pub fn quiet_panics() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let at = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()));
        PANIC_AT.with(|p| p.set(at));
        if !CATCHING.with(|c| c.get())
            || std::env::var_os("RUST_BACKTRACE").is_some_and(|v| v != "0")
        {
            default(info);
        }
    }));
}

/// A way for tests to make the analysis of a file panic: compiled only in
/// debug builds, active only when `AWAITIFY_TEST_PANIC` is set.
#[cfg(debug_assertions)]
mod fault {
    /// Panics if `path` ends with `AWAITIFY_TEST_PANIC` (`m1.rs`,
    /// `c/Cargo.toml`).
    pub fn panic_if_asked(path: &std::path::Path) {
        if let Some(name) = std::env::var_os("AWAITIFY_TEST_PANIC") {
            if path.ends_with(&name) {
                panic!("AWAITIFY_TEST_PANIC asked for a panic");
            }
        }
    }
}

/// Reads one file and analyses it as deeply as `wanted` says.
fn load(
    input: &Input,
    krate: &CrateInfo,
    opts: &Options,
    flow_names: Option<&HashSet<String>>,
    wanted: impl Fn(&str) -> Depth,
) -> Result<Loaded, Failure> {
    let display = display_path(&input.path, &opts.display_root);
    catch(&display, || {
        load_file(input, krate, flow_names, display.clone(), wanted)
    })
    .unwrap_or_else(|e| Err(Failure::Crate(format!("{e}; its crate is not written"))))
}

fn load_file(
    input: &Input,
    krate: &CrateInfo,
    flow_names: Option<&HashSet<String>>,
    display: String,
    wanted: impl Fn(&str) -> Depth,
) -> Result<Loaded, Failure> {
    let loaded = read_source(&input.path, display, krate.edition)
        .map_err(Failure::Skip)
        .and_then(|src| {
            let async_site = facts::may_hold_async_lock_site(&src.text);
            let depth = wanted(&src.text);
            let analysed = if depth == Depth::Skip || krate.broken {
                None
            } else {
                let full = depth == Depth::Full;
                let mut a = analyse(src, input.file_id, flow_names, full, &krate.config)?;
                a.facts.read_only = input.read_only;
                Some(a)
            };
            Ok(Loaded {
                analysed,
                async_site,
            })
        });
    match loaded {
        // A file the run leaves alone is read only to see the locks it uses;
        // one that cannot be read or parsed does not build, so it cannot
        // break either.
        Err(Failure::Skip(_)) if input.read_only => Ok(Loaded::default()),
        loaded => loaded,
    }
}

/// Is `path` in the tests, examples or benches of the crate of `manifest`?
fn in_dev_target(path: &Path, manifest: &Path) -> bool {
    let crate_dir = manifest.parent().unwrap_or(Path::new(""));
    let first = path
        .strip_prefix(crate_dir)
        .ok()
        .and_then(|r| r.components().next());
    first.is_some_and(|f| {
        matches!(
            f.as_os_str().to_str(),
            Some("tests" | "examples" | "benches")
        )
    })
}

/// Marks the public locks of libraries as exported. One that another crate
/// of the run names (the library's name and the lock's name in one file) is
/// left to a person: the other crate would need the same rewrite, which a
/// crate-by-crate plan cannot make.
fn mark_exported_locks(
    inputs: &[Input],
    crates: &[CrateInfo],
    opts: &Options,
    analysed: &mut [Option<Analysed>],
) {
    let mut exported: Vec<(usize, String, String)> = Vec::new();
    let mut lib_names: BTreeMap<usize, Option<String>> = BTreeMap::new();
    for (input, a) in inputs.iter().zip(analysed.iter_mut()) {
        let Some(a) = a else { continue };
        let Some(manifest) = crates[input.crate_id].manifest.as_deref() else {
            continue;
        };
        if in_dev_target(&input.path, manifest) {
            continue;
        }
        for d in a
            .facts
            .decls
            .iter_mut()
            .filter(|d| d.public && d.family != Family::Tokio)
        {
            let lib = lib_names
                .entry(input.crate_id)
                .or_insert_with(|| manifest::lib_name(manifest));
            if let (Some(lib), Some(name)) = (lib.clone(), facts::reach_name(&d.key)) {
                d.exported = true;
                exported.push((input.crate_id, lib, name));
            }
        }
    }
    if exported.is_empty() {
        return;
    }
    exported.sort();
    exported.dedup();
    // Only a crate whose manifest names a library can use its locks: the
    // other crates' files are not read again.
    let mut usable: BTreeMap<usize, Vec<&(usize, String, String)>> = BTreeMap::new();
    for (id, krate) in crates.iter().enumerate() {
        let text = krate
            .manifest
            .as_deref()
            .and_then(|m| std::fs::read_to_string(m).ok())
            .unwrap_or_default();
        let locks: Vec<_> = exported
            .iter()
            .filter(|(c, lib, _)| {
                *c != id
                    && (facts::names_word(&text, lib)
                        || facts::names_word(&text, &lib.replace('_', "-")))
            })
            .collect();
        if !locks.is_empty() {
            usable.insert(id, locks);
        }
    }
    let named: Vec<((usize, String), String)> = inputs
        .par_iter()
        .zip(analysed.par_iter())
        .filter_map(|(input, a)| Some((input, a, usable.get(&input.crate_id)?)))
        .flat_map_iter(|(input, a, locks)| {
            let text = match a {
                Some(a) => Some(std::borrow::Cow::Borrowed(a.src.text.as_str())),
                None => std::fs::read_to_string(&input.path).ok().map(Into::into),
            };
            locks
                .iter()
                .filter(|(_, lib, name)| {
                    text.as_deref()
                        .is_some_and(|t| facts::names_word(t, lib) && facts::names_word(t, name))
                })
                .map(|(c, _, name)| {
                    (
                        (*c, name.clone()),
                        display_path(&input.path, &opts.display_root),
                    )
                })
                .collect::<Vec<_>>()
        })
        .collect();
    let named: BTreeMap<(usize, String), String> = named.into_iter().rev().collect();
    for (input, a) in inputs.iter().zip(analysed.iter_mut()) {
        let Some(a) = a else { continue };
        for d in a.facts.decls.iter_mut().filter(|d| d.exported) {
            let Some(name) = facts::reach_name(&d.key) else {
                continue;
            };
            if let Some(path) = named.get(&(input.crate_id, name.clone())) {
                d.blockers.push(format!(
                    "it is public, and {path} (another crate of this run) names `{name}`: that crate would need the same rewrite"
                ));
            }
        }
    }
}

/// Stack of every thread that parses or walks a syntax tree: the parser and
/// the walks recurse once per level of nesting. Only the pages a deep file
/// touches are ever mapped; `MAX_DEPTH` keeps it far from the end.
pub const STACK_SIZE: usize = 256 << 20;

/// Runs the tool on its own thread pool, whose threads (the one that plans
/// too) have `STACK_SIZE` of stack.
pub fn run(opts: &Options) -> Outcome {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads.unwrap_or(0))
        .stack_size(STACK_SIZE)
        .thread_name(|i| format!("awaitify-{i}"))
        .build();
    match pool {
        Ok(pool) => pool.install(|| run_on_pool(opts)),
        Err(e) => Outcome {
            errors: vec![format!("cannot start the worker threads: {e}")],
            ..Outcome::default()
        },
    }
}

fn run_on_pool(opts: &Options) -> Outcome {
    let mut out = Outcome::default();
    let files = walk(opts, &mut out.errors, &mut out.notes);

    // Crates: files grouped by their owning manifest.
    let mut finder = manifest::ManifestFinder::default();
    let mut crate_ids: BTreeMap<Option<PathBuf>, usize> = BTreeMap::new();
    let mut crates: Vec<CrateInfo> = Vec::new();
    let mut inputs = Vec::new();
    let mut seen: HashSet<PathBuf> = files.iter().map(|(p, _)| p.clone()).collect();
    let mut queue: std::collections::VecDeque<(PathBuf, bool)> = files.into();
    while let Some((path, mut read_only)) = queue.pop_front() {
        let manifest = finder.owning_manifest(&path);
        let crate_id = *crate_ids.entry(manifest.clone()).or_insert_with(|| {
            let edition = match &manifest {
                Some(m) => manifest::edition(m).unwrap_or_else(|e| {
                    out.errors.push(format!("{e:#}; assuming edition 2015"));
                    Edition::Edition2015
                }),
                None => opts.default_edition,
            };
            let (config, broken) = match manifest.as_deref().map(Config::for_manifest) {
                Some(Err(e)) => {
                    out.errors.push(format!("{e:#}; crate skipped"));
                    (Config::default(), true)
                }
                Some(Ok(c)) => (c, false),
                None => (Config::default(), false),
            };
            let mut exclude = globset::GlobSetBuilder::new();
            for g in &config.exclude {
                exclude.add(globset::Glob::new(g).expect("the configuration checked it"));
            }
            crates.push(CrateInfo {
                edition,
                plan: opts.plan_options(&config),
                exclude: exclude
                    .build()
                    .unwrap_or_else(|_| globset::GlobSet::empty()),
                selected: opts.packages.as_ref().is_none_or(|p| {
                    manifest
                        .as_ref()
                        .and_then(|m| m.canonicalize().ok())
                        .is_some_and(|m| p.contains(&m))
                }),
                manifest,
                config,
                broken,
            });
            // A crate the paths given cover only in part: its other files are
            // read too, so that no migration misses a use of a lock there.
            let partial = crates
                .last()
                .and_then(|c| c.manifest.as_deref()?.parent())
                .filter(|_| opts.whole_crates);
            if let Some(dir) = partial {
                let canonical = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
                let crate_dir = canonical(dir);
                let covered = opts
                    .paths
                    .iter()
                    .any(|p| p.is_dir() && crate_dir.starts_with(canonical(p)));
                if !covered {
                    for f in crate_files(dir) {
                        if seen.insert(f.clone()) {
                            queue.push_back((f, true));
                        }
                    }
                }
            }
            crates.len() - 1
        });
        let krate = &crates[crate_id];
        if !krate.selected {
            continue;
        }
        if let Some(dir) = krate.manifest.as_deref().and_then(Path::parent) {
            read_only |= path
                .strip_prefix(dir)
                .is_ok_and(|rel| krate.exclude.is_match(rel));
        }
        inputs.push(Input {
            path,
            crate_id,
            file_id: inputs.len(),
            read_only,
        });
    }
    // Before anything is read: the `--write` lock of every crate directory,
    // then what an interrupted `--write` left there.
    let mut dirs: BTreeMap<PathBuf, BTreeSet<usize>> = BTreeMap::new();
    for input in &inputs {
        let manifest = crates[input.crate_id].manifest.as_deref();
        dirs.entry(crate::write::crate_dir(manifest, &input.path))
            .or_default()
            .insert(input.crate_id);
    }
    let show = |p: &Path| display_path(p, &opts.display_root);
    if opts.write {
        match crate::write::lock_dirs(&dirs.keys().cloned().collect(), &show) {
            Ok(locks) => out.locks = locks,
            Err(e) => {
                out.errors.push(e);
                return out;
            }
        }
    }
    for (dir, ids) in &dirs {
        match crate::write::recover(dir, opts.write, &show) {
            Ok(None) => {}
            Ok(Some(note)) => out.notes.push(note),
            Err(e) => {
                out.errors.push(e);
                for &id in ids {
                    crates[id].broken = true;
                    crates[id].selected = false;
                }
            }
        }
    }
    inputs.retain(|i| crates[i.crate_id].selected);
    for (i, input) in inputs.iter_mut().enumerate() {
        input.file_id = i;
    }
    out.files_scanned = inputs.iter().filter(|i| !i.read_only).count();
    out.files_read = inputs.len();
    if let Some(p) = &opts.progress {
        p.set_length(inputs.len() as u64);
    }

    // Pass 1, in parallel over every file: only a file that names a lock type
    // can declare a lock, so only those are parsed now.
    let results: Vec<_> = inputs
        .par_iter()
        .map(|i| {
            if let Some(p) = &opts.progress {
                p.inc(1);
            }
            load(i, &crates[i.crate_id], opts, None, |t| {
                if facts::may_declare_lock(t) {
                    Depth::Full
                } else if crate::blocking::may_block(t, &crates[i.crate_id].config.blocking) {
                    Depth::Blocking
                } else {
                    Depth::Skip
                }
            })
        })
        .collect();
    let mut state = Files {
        analysed: Vec::with_capacity(inputs.len()),
        failed: vec![false; inputs.len()],
        errors: std::mem::take(&mut out.errors),
        blocked: BTreeSet::new(),
    };
    let mut async_site = vec![false; inputs.len()];
    for (i, r) in results.into_iter().enumerate() {
        match r {
            Ok(loaded) => {
                async_site[i] = loaded.async_site;
                state.analysed.push(loaded.analysed);
            }
            Err(e) => {
                state.fail(&inputs[i], e);
                state.analysed.push(None);
            }
        }
    }

    // Then the files that may lock one of those declarations in async code:
    // only these can make a lock a candidate for migration.
    let mut names: Vec<HashSet<String>> = vec![HashSet::new(); crates.len()];
    for (input, a) in inputs.iter().zip(&state.analysed) {
        // Placeholder declarations (types that might be a lock alias) are not locks.
        for d in a
            .iter()
            .flat_map(|a| &a.facts.decls)
            .filter(|d| d.family != Family::Tokio)
        {
            names[input.crate_id].extend(facts::reach_name(&d.key));
        }
    }
    mark_exported_locks(&inputs, &crates, opts, &mut state.analysed);
    state.analyse_more(
        &inputs,
        &crates,
        opts,
        &names,
        |i| async_site[i],
        |c, text| facts::may_lock_in_async(text, &names[c]),
    );

    let mut members_of: Vec<Vec<usize>> = vec![Vec::new(); crates.len()];
    for (i, input) in inputs.iter().enumerate() {
        members_of[input.crate_id].push(i);
    }
    for (crate_id, (krate, members)) in crates.iter().zip(&members_of).enumerate() {
        if members.is_empty() || state.blocked.contains(&crate_id) {
            continue;
        }
        let what = krate
            .manifest
            .as_deref()
            .map(|m| display_path(m, &opts.display_root))
            .unwrap_or_else(|| display_path(&inputs[members[0]].path, &opts.display_root));
        let mut crate_out = Outcome::default();
        let planned = catch(&what, || {
            // The test builds' fault hook, planning a crate by its manifest.
            #[cfg(debug_assertions)]
            if let Some(m) = &krate.manifest {
                fault::panic_if_asked(m);
            }
            loop {
                let plan = {
                    let facts: Vec<&FileFacts> = members
                        .iter()
                        .filter_map(|&i| state.analysed[i].as_ref())
                        .map(|a| &a.facts)
                        .collect();
                    plan::plan(&facts, &krate.plan)
                };
                // Every file that can reach a lock locked in async code (its other
                // sites, flows into it), and every file that can call a sync fn
                // whose callers decide where a site runs, must be analysed before
                // the plan is trusted.
                // Only migrating locks need it: more files can add blockers to a
                // manual lock but never make it migrate, and a flow that joins it
                // to a migrating lock names the migrating one too.
                let reach: HashSet<String> = plan
                    .reports
                    .iter()
                    .filter(|r| r.decision == Decision::Migrate)
                    .flat_map(|r| r.reach_names.iter().cloned())
                    .collect();
                let callers: HashSet<String> = plan.runtime_names.iter().cloned().collect();
                let mut scope = vec![HashSet::new(); crates.len()];
                scope[crate_id] = reach.union(&callers).cloned().collect();
                let found = state.analyse_more(
                    &inputs,
                    &crates,
                    opts,
                    &scope,
                    |_| true,
                    |_, text| {
                        facts::needs_analysis(text, &reach) || facts::mentions_call(text, &callers)
                    },
                );
                if found == 0 {
                    let files: Vec<&Analysed> = members
                        .iter()
                        .filter_map(|&i| state.analysed[i].as_ref())
                        .collect();
                    emit(
                        crate_id,
                        krate.manifest.as_deref(),
                        &files,
                        plan,
                        opts,
                        &mut crate_out,
                    );
                    break;
                }
            }
        });
        match planned {
            Ok(()) => {
                out.diagnostics.append(&mut crate_out.diagnostics);
                out.changes.append(&mut crate_out.changes);
                out.errors.append(&mut crate_out.errors);
                out.suppressed += crate_out.suppressed;
                out.sources.append(&mut crate_out.sources);
            }
            Err(e) => state.errors.push(format!("{e}; the crate is not written")),
        }
    }
    // A crate with a file that could not be analysed is not written.
    out.retain_crates(|c| !state.blocked.contains(&c));
    out.errors.splice(0..0, state.errors);
    out.files_analysed = state.analysed.iter().filter(|a| a.is_some()).count();
    out
}

/// Per walked file: its analysis, if it had one, and whether it failed.
struct Files {
    analysed: Vec<Option<Analysed>>,
    failed: Vec<bool>,
    errors: Vec<String>,
    /// Crates with a file that could not be analysed: none is written.
    blocked: BTreeSet<usize>,
}

impl Files {
    fn fail(&mut self, input: &Input, failure: Failure) {
        self.failed[input.file_id] = true;
        match failure {
            Failure::Skip(e) => self.errors.push(e),
            Failure::Crate(e) => {
                self.errors.push(e);
                self.blocked.insert(input.crate_id);
            }
        }
    }

    /// Analyses the files not yet analysed, of crates with a non-empty `scope`,
    /// for which `wanted(crate, text)` holds. Returns how many it analysed.
    fn analyse_more(
        &mut self,
        inputs: &[Input],
        crates: &[CrateInfo],
        opts: &Options,
        scope: &[HashSet<String>],
        candidate: impl Fn(usize) -> bool,
        wanted: impl Fn(usize, &str) -> bool + Sync,
    ) -> usize {
        let todo: Vec<usize> = (0..inputs.len())
            .filter(|&i| {
                self.analysed[i].as_ref().is_none_or(|a| !a.full)
                    && !self.failed[i]
                    && !scope[inputs[i].crate_id].is_empty()
                    && candidate(i)
            })
            .collect();
        let results: Vec<_> = todo
            .par_iter()
            .map(|&i| {
                let c = inputs[i].crate_id;
                load(&inputs[i], &crates[c], opts, Some(&scope[c]), |t| {
                    if wanted(c, t) {
                        Depth::Full
                    } else {
                        Depth::Skip
                    }
                })
            })
            .collect();
        let mut found = 0;
        for (&i, r) in todo.iter().zip(results) {
            match r {
                // A file analysed for the blocking rules keeps that analysis
                // unless it is now analysed in full.
                Ok(Loaded {
                    analysed: Some(a), ..
                }) => {
                    found += 1;
                    self.analysed[i] = Some(a);
                }
                Ok(_) => {}
                Err(e) => self.fail(&inputs[i], e),
            }
        }
        found
    }
}

/// Turns a crate's plan into new file contents and diagnostics.
fn emit(
    crate_id: usize,
    manifest_path: Option<&Path>,
    files: &[&Analysed],
    mut plan: plan::CratePlan,
    opts: &Options,
    out: &mut Outcome,
) {
    // The manifest, when a fix needs tokio features in it.
    let manifest_text = manifest_path
        .filter(|_| !plan.tokio_features.is_empty())
        .map(|m| std::fs::read_to_string(m).map_err(anyhow::Error::from));
    // A crate that cannot name tokio everywhere (optional or renamed) gets no fix.
    let blocker = manifest_text
        .as_ref()
        .and_then(|t| t.as_ref().ok())
        .and_then(|text| manifest::tokio_blocker(text));
    if let Some(reason) = blocker {
        for r in &mut plan.reports {
            if r.decision == Decision::Migrate {
                r.decision = Decision::Manual(vec![(r.decl.clone(), reason.clone())]);
            }
        }
        plan.edits.clear();
        plan.imports.clear();
        plan.tokio_features.clear();
        for b in &mut plan.blocking {
            if b.fixed {
                b.fixed = false;
                b.notes.push(reason.clone());
            }
        }
    }
    let loc = |file: usize, range: TextRange| {
        let (line, col) = line_col(&files[file].src.text, range.start().into());
        (files[file].src.display.clone(), line, col)
    };
    let span = |file: usize, range: TextRange| {
        let (path, line, col) = loc(file, range);
        let (end_line, end_col) = line_col(&files[file].src.text, range.end().into());
        Span {
            path,
            start: range.start().into(),
            end: range.end().into(),
            line,
            col,
            end_line,
            end_col,
        }
    };
    // A finding's own edits, in file order, where this run applies its fix.
    let fix_edits = |fixed: bool, edits: &mut dyn Iterator<Item = (usize, &Edit)>| {
        let mut edits: Vec<(usize, &Edit)> = edits.filter(|_| fixed).collect();
        edits.sort_by_key(|(f, e)| (*f, e.range.start()));
        edits
            .into_iter()
            .map(|(f, e)| (span(f, e.range), e.replacement.clone()))
            .collect::<Vec<_>>()
    };
    let mut changes = Vec::new();
    let mut crate_ok = true;
    for (file, a) in files.iter().enumerate() {
        let mut edits: Vec<Edit> = plan.edits.get(&file).cloned().unwrap_or_default();
        if edits.is_empty() && !plan.imports.contains_key(&file) {
            continue;
        }
        let original = SourceFile::parse(&a.src.text, a.src.edition);
        if let Some(change) = plan.imports.get(&file) {
            edits.extend(use_edit::import_edits(
                &original.tree(),
                &a.src.text,
                change,
                if a.src.text.contains("\r\n") {
                    "\r\n"
                } else {
                    "\n"
                },
            ));
        }
        if edits.is_empty() {
            continue;
        }
        let new = match edit::apply(&a.src.text, edits) {
            Ok(t) => t,
            Err(e) => {
                out.errors.push(format!(
                    "{}: internal error: {e}; crate left unchanged",
                    a.src.display
                ));
                crate_ok = false;
                continue;
            }
        };
        // Never write a file whose output parses with more errors than its input.
        let errors_before = original.errors().len();
        let reparsed = SourceFile::parse(&new, a.src.edition).errors();
        if reparsed.len() > errors_before {
            out.errors.push(format!(
                "{}: internal error: the rewrite does not parse ({}); crate left unchanged",
                a.src.display, reparsed[0]
            ));
            crate_ok = false;
            continue;
        }
        let bom = if a.src.bom { "\u{feff}" } else { "" };
        changes.push(FileChange {
            path: a.src.path.clone(),
            display: a.src.display.clone(),
            old: format!("{bom}{}", a.src.text),
            new: format!("{bom}{new}"),
            crate_id,
            manifest: manifest_path.map(Path::to_path_buf),
        });
    }
    if let (Some(m), Some(text)) = (
        manifest_path,
        manifest_text.filter(|_| !plan.tokio_features.is_empty()),
    ) {
        // Edits only in tests, examples or benches need tokio only there.
        let dev_only = !plan.tokio_outside_tests
            || changes
                .iter()
                .all(|c: &FileChange| in_dev_target(&c.path, m));
        let features: Vec<&str> = plan.tokio_features.iter().copied().collect();
        match text.and_then(|old| {
            Ok(manifest::with_tokio_features(&old, &features, dev_only)?.map(|new| (old, new)))
        }) {
            Ok(Some((old, new))) => changes.push(FileChange {
                path: m.to_path_buf(),
                display: display_path(m, &opts.display_root),
                old,
                new,
                crate_id,
                manifest: Some(m.to_path_buf()),
            }),
            Ok(None) => {}
            Err(e) => {
                out.errors.push(format!(
                    "{}: cannot add the tokio features the rewrite needs: {e}",
                    m.display()
                ));
                crate_ok = false;
            }
        }
    }
    if crate_ok {
        out.changes.extend(changes);
    }
    out.suppressed += plan.suppressed;
    // A suppression that names no rule suppresses nothing: say so.
    for a in files {
        for allow in &a.facts.allows {
            for r in &allow.rules {
                if let Err(e) = rules::check_selector(r) {
                    let (line, col) = line_col(&a.src.text, allow.comment.start().into());
                    out.errors.push(format!(
                        "{}:{line}:{col}: `awaitify: allow(..)`: {e}",
                        a.src.display
                    ));
                }
            }
        }
    }
    let first_diagnostic = out.diagnostics.len();
    let mut with_findings: Vec<usize> = Vec::new();
    for b in &plan.blocking {
        let at = span(b.at.file, b.at.range);
        let fixed = crate_ok && b.fixed;
        with_findings.push(b.at.file);
        out.diagnostics.push(Diagnostic {
            rule: b.rule,
            span: at,
            message: b.message.clone(),
            labels: Vec::new(),
            notes: b.notes.clone(),
            fix: b.fix,
            edits: fix_edits(fixed, &mut b.edits.iter().map(|e| (b.at.file, e))),
            fixed,
            crate_id,
        });
    }
    for report in &plan.reports {
        with_findings.push(report.decl.file);
        let same_file = |l: &plan::Loc| l.file == report.decl.file;
        let mut labels: Vec<(Span, String)> = report
            .async_sites
            .iter()
            .filter(|s| same_file(s))
            .map(|s| {
                (
                    span(s.file, s.range),
                    "locked in async code here".to_string(),
                )
            })
            .collect();
        if let Decision::Manual(blockers) = &report.decision {
            labels.extend(
                blockers
                    .iter()
                    .filter(|(l, _)| same_file(l) && l != &report.decl)
                    .map(|(l, reason)| (span(l.file, l.range), reason.clone())),
            );
        }
        let lib = match report.family {
            Family::ParkingLot => "parking_lot",
            _ => "std",
        };
        let what = format!("{lib} {} {}", report.lock.name(), report.display);
        let first_async = report.async_sites.first().map(|s| {
            let (p, l, c) = loc(s.file, s.range);
            format!("{p}:{l}:{c}")
        });
        let in_fn = report
            .async_fn
            .as_ref()
            .map(|f| format!(" in `{f}`"))
            .unwrap_or_default();
        let where_locked = match (report.async_sites.len(), first_async) {
            (1, Some(at)) => format!("locked in async code{in_fn} at {at}"),
            (n, Some(at)) => format!(
                "locked in async code{in_fn} at {at} and {} more place{}",
                n - 1,
                if n == 2 { "" } else { "s" }
            ),
            _ => String::new(),
        };
        let rule = report.decision.rule();
        let (message, notes) = match &report.decision {
            Decision::Migrate => (
                format!("{what} is {where_locked}; migrating it to tokio::sync::{}", report.lock.name()),
                match report.exported {
                    true => vec!["it is public in a library: its type changes for the crates that use it, which must lock it with `.await` too".to_string()],
                    false => Vec::new(),
                },
            ),
            Decision::Manual(blockers) => (
                format!("{what} is {where_locked}, but cannot be migrated safely; left unchanged"),
                blockers
                    .iter()
                    .map(|(l, reason)| {
                        let (p, line, col) = loc(l.file, l.range);
                        format!("{p}:{line}:{col}: {reason}")
                    })
                    .collect(),
            ),
            Decision::ReportParkingLot => (
                format!("{what} is {where_locked}"),
                vec!["run with --parking-lot to migrate it to tokio::sync".to_string()],
            ),
            Decision::KeepShort => (
                format!("{what} is {where_locked}, but its guard is never held across an `.await`; kept (policy held-across-await)"),
                Vec::new(),
            ),
        };
        let fixed = crate_ok && report.decision == Decision::Migrate;
        out.diagnostics.push(Diagnostic {
            rule,
            span: span(report.decl.file, report.decl.range),
            message,
            labels,
            notes,
            fix: (report.decision == Decision::Migrate).then_some(Applicability::Safe),
            edits: fix_edits(fixed, &mut report.edits.iter().map(|(f, e)| (*f, e))),
            fixed,
            crate_id,
        });
    }
    for file in with_findings.into_iter().filter(|_| opts.keep_sources) {
        let src = &files[file].src;
        out.sources
            .entry(src.display.clone())
            .or_insert_with(|| src.text.clone());
    }
    let key = |d: &Diagnostic| (d.span.path.clone(), d.span.line, d.span.col);
    out.diagnostics[first_diagnostic..].sort_by_key(key);
}
