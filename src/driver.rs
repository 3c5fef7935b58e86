//! One run of the tool: walk the paths, parse and extract every file in
//! parallel, plan each crate, and turn the plan into new file contents.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use ra_ap_syntax::{Edition, SourceFile, TextRange};
use rayon::prelude::*;

use crate::edit::{self, line_col, Edit};
use crate::facts::{self, FileFacts};
use crate::imports::Family;
use crate::locks::{self, Decision};
use crate::manifest;
use crate::rules::blocking_calls::BlockingReport;
use crate::rules::{self, Applicability, Rule};
use crate::settings::{self, Config, PlanOptions, Policy};
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
    /// Paths in output are shown relative to this directory (absolute).
    pub display_root: PathBuf,
    /// Each absolute path of `paths` and how the user spelled it: a file
    /// outside `display_root` is shown as spelled (set by [`run`]).
    pub spelled: Vec<(PathBuf, PathBuf)>,
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
    /// Findings recorded in this baseline are left alone, like suppressed
    /// ones (`--baseline`).
    pub baseline: Option<crate::baseline::Baseline>,
    /// Read the other files of a crate the paths cover only in part (off
    /// for `awaitify test`, whose cases stand alone).
    pub whole_crates: bool,
    /// Worker threads for reading and parsing; `None`: one per core.
    pub threads: Option<usize>,
    /// The run may write (`--write`): it locks each crate's directory, and
    /// rolls back what an interrupted `--write` left, before reading.
    pub write: bool,
    /// Keep what the compiler's referee needs to plan a crate again (the
    /// files' texts): only a run that verifies pays for it.
    pub replan: bool,
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
            spelled: Vec::new(),
            default_edition: Edition::Edition2021,
            packages: None,
            progress: None,
            keep_sources: false,
            baseline: None,
            whole_crates: true,
            threads: None,
            write: false,
            replan: false,
        }
    }

    /// The same options with every path absolute, so that nothing depends on
    /// the current directory: the owning `Cargo.toml`, the workspace root and
    /// the configuration are found by walking up from each file.
    fn resolved(&self) -> Options {
        let mut opts = self.clone();
        opts.spelled = self
            .paths
            .iter()
            .map(|p| (absolute(p), p.clone()))
            .collect();
        opts.paths = opts.spelled.iter().map(|(abs, _)| abs.clone()).collect();
        opts
    }

    /// How a path is shown: relative to `display_root` when it is under it,
    /// else as the user spelled the path given that holds it.
    fn display(&self, path: &Path) -> String {
        let shown = match path.strip_prefix(&self.display_root) {
            Ok(rel) => rel.to_path_buf(),
            Err(_) => self
                .spelled
                .iter()
                .find_map(|(abs, given)| match path.strip_prefix(abs).ok()? {
                    rest if rest.as_os_str().is_empty() => Some(given.clone()),
                    rest => Some(given.join(rest)),
                })
                .unwrap_or_else(|| relative_to(path, &self.display_root)),
        };
        let s = shown.to_string_lossy().replace('\\', "/");
        match s.strip_prefix("./").unwrap_or(&s) {
            // The current directory itself.
            "" => ".".to_string(),
            rest => rest.to_string(),
        }
    }

    /// How the crate configured by `config` is planned.
    fn plan_options(&self, config: &Config) -> PlanOptions {
        PlanOptions {
            policy: self.policy.or(config.policy).unwrap_or(Policy::AsyncUse),
            parking_lot: self.parking_lot.or(config.parking_lot).unwrap_or(false),
            unsafe_fixes: self.unsafe_fixes,
            tokio: None,
            referee: settings::Referee::default(),
            // The configuration's word, else `--unsafe-fixes`.
            public_api: match (config.public_api_migrate, self.unsafe_fixes) {
                (Some(true), _) => settings::PublicApi::Migrate,
                (_, true) => settings::PublicApi::MigrateUnsafe,
                _ => settings::PublicApi::Report,
            },
            // As in ruff: `--select` replaces the configuration's selection
            // (its `select` and `ignore`); `--ignore` adds to its `ignore`.
            rules: match &self.select {
                Some(select) => crate::rules::RuleFilter {
                    select: select.clone(),
                    ignore: self.ignore.clone().unwrap_or_default(),
                },
                None => crate::rules::RuleFilter {
                    select: config.select.clone().unwrap_or_default(),
                    ignore: config
                        .ignore
                        .iter()
                        .chain(&self.ignore)
                        .flatten()
                        .cloned()
                        .collect(),
                },
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
    /// The edits of the fix where this run applies it.
    pub edits: Vec<(Span, String)>,
    /// Where this run applies its fix: the edits it shares with the crate's
    /// other fixes (imports, `Cargo.toml`). With them, the fixes of a crate
    /// give what `--write` writes.
    pub shared_edits: Vec<(Span, String)>,
    /// The fix is part of this run's changes.
    pub fixed: bool,
    /// The crate whose changes hold the fix.
    pub crate_id: usize,
    /// The file it is in (absolute) and its line, whitespace collapsed:
    /// what a baseline records.
    pub file: PathBuf,
    pub snippet: String,
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
    /// One line each: something the user asked for that did nothing.
    pub warnings: Vec<String>,
    pub files_scanned: usize,
    /// Files parsed and analysed (the others cannot hold anything relevant).
    pub files_analysed: usize,
    /// Files read: those scanned, and the other files of crates the paths
    /// given cover only in part (read, never changed).
    pub files_read: usize,
    /// Findings hidden by `// awaitify: allow(..)` comments.
    pub suppressed: usize,
    /// Findings left alone because the baseline records them.
    pub baselined: usize,
    /// Per crate (by `crate_id`): its `Cargo.toml` as shown (`None`: files no
    /// manifest owns) and how many of its files were scanned.
    pub crates: Vec<(Option<String>, usize)>,
    /// The text (without a byte-order mark) of every file with a finding,
    /// by displayed path, for rendering snippets (with `keep_sources`).
    pub sources: BTreeMap<String, String>,
    /// One line each, naming the path: what the run did or skipped that is
    /// not an error (a symlink read but not written, a rolled-back journal).
    pub notes: Vec<String>,
    /// With `Options::write`, the locks on the crates' directories: held
    /// until the outcome is dropped, after writing.
    pub locks: Vec<crate::write::DirLock>,
    /// Per package the compiler checked: how that went (`verify`).
    pub verification: Vec<crate::verify::Verification>,
    /// The run's analysis, for planning a crate again (`verify`).
    pub replanner: Option<Replanner>,
}

pub(crate) struct SourceText {
    pub(crate) path: PathBuf,
    pub(crate) display: String,
    /// The text without a byte-order mark.
    pub(crate) text: String,
    bom: bool,
    edition: Edition,
}

impl SourceText {
    /// Where `range` of this file is, as the output names it.
    pub(crate) fn span(&self, range: TextRange) -> Span {
        let (line, col) = line_col(&self.text, range.start().into());
        let (end_line, end_col) = line_col(&self.text, range.end().into());
        Span {
            path: self.display.clone(),
            start: range.start().into(),
            end: range.end().into(),
            line,
            col,
            end_line,
            end_col,
        }
    }
}

pub(crate) struct Analysed {
    pub(crate) src: SourceText,
    pub(crate) facts: FileFacts,
    /// All facts, not just those of the blocking rules.
    full: bool,
}

/// Warns about each `exclude` and `per-file-ignores` glob of a crate's
/// configuration that matches none of its files (all of which were read).
fn unmatched_config_globs(
    inputs: &[Input],
    crates: &[CrateInfo],
    opts: &Options,
    warnings: &mut Vec<String>,
) {
    for (id, krate) in crates.iter().enumerate() {
        let globs = !krate.config.exclude.is_empty() || !krate.per_file_ignores.is_empty();
        let Some(manifest) = krate.manifest.as_deref().filter(|_| globs && !krate.broken) else {
            continue;
        };
        let dir = manifest.parent().unwrap_or(Path::new(""));
        let files: Vec<&Path> = inputs
            .iter()
            .filter(|i| i.crate_id == id)
            .filter_map(|i| i.path.strip_prefix(dir).ok())
            .collect();
        if files.is_empty() {
            continue;
        }
        let mut used = vec![false; krate.config.exclude.len()];
        for f in &files {
            for i in krate.exclude.matches(f) {
                used[i] = true;
            }
        }
        let unused_excludes = krate.config.exclude.iter().zip(used).filter(|(_, u)| !u);
        let unused_ignores = krate
            .per_file_ignores
            .iter()
            .filter(|(g, _)| !files.iter().any(|f| g.is_match(f)))
            .map(|(g, _)| g.glob().glob());
        for (key, glob) in unused_excludes
            .map(|(g, _)| ("exclude", g.as_str()))
            .chain(unused_ignores.map(|g| ("per-file-ignores", g)))
        {
            warnings.push(format!(
                "{}: the configuration's `{key}` glob `{glob}` matches no file of the crate (globs are relative to the crate's directory)",
                opts.display(manifest)
            ));
        }
    }
}

/// An absolute `path` as output shows it: relative to the current directory
/// (through `..` when it is not under it).
pub fn shown(path: &Path) -> String {
    match std::env::current_dir() {
        Ok(cwd) if path.is_absolute() => relative_to(path, &cwd).display().to_string(),
        _ => path.display().to_string(),
    }
}

/// `path` (absolute) relative to `base` (absolute), through `..` where it
/// is not under it.
pub fn relative_to(path: &Path, base: &Path) -> PathBuf {
    let (mut p, mut b) = (path.components().peekable(), base.components().peekable());
    while p.peek().is_some() && p.peek() == b.peek() {
        p.next();
        b.next();
    }
    b.map(|_| std::path::Component::ParentDir)
        .chain(p)
        .collect()
}

/// `path` made absolute against the current directory, with `.` and `..`
/// resolved by their names (as cargo does), without following links.
pub fn absolute(path: &Path) -> PathBuf {
    let full = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = PathBuf::new();
    for c in full.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                if !out.pop() {
                    out.push(c);
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// All `.rs` files under the paths, gitignore-aware, sorted, each with
/// whether `--exclude` matches it. A glob matches the path as it is shown
/// (relative to the current directory), or, without a `/`, a file's name.
fn walk(opts: &Options, out: &mut Outcome) -> Vec<(PathBuf, bool)> {
    let mut excludes = globset::GlobSetBuilder::new();
    let mut globs = Vec::new();
    for g in &opts.exclude {
        match globset::Glob::new(g) {
            Ok(glob) => {
                excludes.add(glob);
                globs.push(g);
            }
            Err(e) => out.errors.push(format!("--exclude {g}: {e}")),
        }
    }
    let excludes = excludes
        .build()
        .unwrap_or_else(|_| globset::GlobSet::empty());
    let mut used = vec![false; globs.len()];
    let mut example = None;
    let mut files = Vec::new();
    let mut links = Vec::new();
    for (root, given) in &opts.spelled {
        if !root.exists() {
            out.errors
                .push(format!("{}: no such file or directory", given.display()));
            continue;
        }
        for entry in ignore::WalkBuilder::new(root).build() {
            match entry {
                Ok(e) => {
                    let p = e.path();
                    let link = is_rs_link(&e);
                    if link || is_rs_file(&e) {
                        let shown = opts.display(p);
                        let mut hits = excludes.matches(&shown);
                        if let Some(name) = p.file_name() {
                            hits.extend(excludes.matches(name));
                        }
                        for &i in &hits {
                            used[i] = true;
                        }
                        example.get_or_insert(shown);
                        let entry = (p.to_path_buf(), !hits.is_empty());
                        if link {
                            links.push(entry);
                        } else {
                            files.push(entry);
                        }
                    }
                }
                Err(e) => out.errors.push(format!("{}: {e}", given.display())),
            }
        }
    }
    for (g, _) in globs.iter().zip(&used).filter(|(_, used)| !**used) {
        let example = example
            .as_deref()
            .map(|e| format!(", such as `{e}`"))
            .unwrap_or_default();
        out.warnings.push(format!(
            "--exclude `{g}` matches no file; globs match paths as they are shown, relative to the current directory{example}"
        ));
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
            let shown = opts.display(&link);
            if real.contains(&target) {
                continue;
            }
            let inside = roots.iter().any(|r| target.starts_with(r));
            if !inside {
                out.notes.push(format!(
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
    ignore::WalkBuilder::new(dir)
        .build()
        .filter_map(Result::ok)
        .filter(|e| is_rs_file(e) || is_rs_link(e))
        .map(ignore::DirEntry::into_path)
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
    krate: &CrateInfo,
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
        &facts::CrateContext {
            user_blocking: &krate.config.blocking,
            reexports: &krate.reexports,
        },
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
    /// Its configuration's `per-file-ignores`: globs relative to the crate's
    /// directory, and the rules they skip.
    per_file_ignores: Vec<(globset::GlobMatcher, Vec<String>)>,
    /// Its configuration could not be read: none of its files is analysed.
    broken: bool,
    /// One of the packages asked for (or no packages were named).
    selected: bool,
    /// Lock types its modules re-export, by their path in the crate.
    reexports: crate::imports::ReExports,
    /// Files a test harness compiles (globs relative to the crate's
    /// directory), each with why: never changed.
    harness: Vec<(globset::GlobMatcher, String)>,
    /// It has a library target: its public fns may be called from outside.
    library: bool,
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
    let display = opts.display(&input.path);
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
                let mut a = analyse(src, input.file_id, flow_names, full, krate)?;
                a.facts.read_only = input.read_only;
                if let Some(m) = krate.manifest.as_deref() {
                    a.facts.unit = compilation_unit(&input.path, m);
                    a.facts.shared_unit = shared_module(&input.path, m);
                    a.facts.module =
                        unit_module_path(&input.path, m, a.facts.shared_unit).unwrap_or_default();
                    // A library's own files (not its binaries'): code
                    // outside the crate may call their public fns.
                    a.facts.library = krate.library
                        && a.facts.unit.is_empty()
                        && !input.path.ends_with("src/main.rs")
                        && !a.facts.module.starts_with("crate::bin");
                }
                file_allows(&mut a, krate);
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

/// The compilation unit of a file of the crate of `manifest`: empty for its
/// own code, `tests/NAME` for `tests/NAME.rs` and the files of `tests/NAME/`
/// (the same for `examples/` and `benches/`), each a crate of its own.
fn compilation_unit(path: &Path, manifest: &Path) -> String {
    let crate_dir = manifest.parent().unwrap_or(Path::new(""));
    let Ok(rel) = path.strip_prefix(crate_dir) else {
        return String::new();
    };
    let mut parts = rel.components().map(|c| c.as_os_str().to_string_lossy());
    match (parts.next(), parts.next()) {
        (Some(dir), Some(name)) if matches!(&*dir, "tests" | "examples" | "benches") => {
            let name = name.strip_suffix(".rs").unwrap_or(&name);
            format!("{dir}/{name}")
        }
        _ => String::new(),
    }
}

/// Is `path` in a directory of `tests/` (`examples/`, `benches/`) that no
/// target has as its root (`tests/common/mod.rs`, with no
/// `tests/common/main.rs`)? Such files are modules that the directory's
/// crates include (`mod common;`), so each of them sees their items.
fn shared_module(path: &Path, manifest: &Path) -> bool {
    let crate_dir = manifest.parent().unwrap_or(Path::new(""));
    let Ok(rel) = path.strip_prefix(crate_dir) else {
        return false;
    };
    let parts: Vec<_> = rel.components().collect();
    parts.len() >= 3
        && matches!(
            parts[0].as_os_str().to_str(),
            Some("tests" | "examples" | "benches")
        )
        && !crate_dir
            .join(parts[0])
            .join(parts[1])
            .join("main.rs")
            .is_file()
}

/// The module path of a file in its compilation unit: `module_path` for
/// `src/`; for `tests/` (`examples/`, `benches/`), `crate` for a target's
/// root (`tests/a.rs`, `tests/a/main.rs`), `crate::x` for `tests/a/x.rs`, and
/// `crate::common` for a shared module directory's `tests/common/mod.rs`
/// (`shared`, see `shared_module`).
fn unit_module_path(path: &Path, manifest: &Path, shared: bool) -> Option<String> {
    if let Some(m) = module_path(path, manifest) {
        return Some(m);
    }
    let rel = path.strip_prefix(manifest.parent()?).ok()?;
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if !matches!(parts.first()?.as_str(), "tests" | "examples" | "benches") {
        return None;
    }
    parts.remove(0);
    if parts.len() == 1 {
        return Some("crate".to_string());
    }
    if !shared {
        // The target's own directory is its crate root.
        parts.remove(0);
    }
    let stem = parts.pop()?.strip_suffix(".rs")?.to_string();
    let root = parts.is_empty() && stem == "main";
    if stem != "mod" && !root {
        parts.push(stem);
    }
    Some(
        ["crate".to_string()]
            .into_iter()
            .chain(parts)
            .collect::<Vec<_>>()
            .join("::"),
    )
}

/// The module path of a file of the crate's `src/`: `crate` for its root
/// (`lib.rs`, `main.rs`), `crate::a::b` for `src/a/b.rs` or `src/a/b/mod.rs`.
fn module_path(path: &Path, manifest: &Path) -> Option<String> {
    let rel = path.strip_prefix(manifest.parent()?.join("src")).ok()?;
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let file = parts.pop()?;
    let stem = file.strip_suffix(".rs")?;
    if parts.is_empty() && matches!(stem, "lib" | "main") {
        return Some("crate".to_string());
    }
    if stem != "mod" {
        parts.push(stem.to_string());
    }
    Some(format!("crate::{}", parts.join("::")))
}

/// The replacements of whole lines that turn `old` into `new`, as (start,
/// end, text) in bytes of `old`.
fn replacements(old: &str, new: &str) -> Vec<(usize, usize, String)> {
    let diff = similar::TextDiff::from_lines(old, new);
    let (old_lines, new_lines) = (diff.old_slices(), diff.new_slices());
    let offset = |line: usize| -> usize { old_lines[..line].iter().map(|l| l.len()).sum() };
    let mut out: Vec<(usize, usize, String)> = Vec::new();
    for op in diff.ops() {
        if op.tag() == similar::DiffTag::Equal {
            continue;
        }
        let (start, end) = (offset(op.old_range().start), offset(op.old_range().end));
        let text: String = new_lines[op.new_range()].concat();
        match out.last_mut() {
            // A deletion and the insertion right after it are one replacement.
            Some(last) if last.1 == start => {
                last.1 = end;
                last.2.push_str(&text);
            }
            _ => out.push((start, end, text)),
        }
    }
    out
}

/// Suppressions that cover a whole file: `//! awaitify: allow(..)` comments,
/// and the configuration's `per-file-ignores` that match it.
fn file_allows(a: &mut Analysed, krate: &CrateInfo) {
    let whole = TextRange::up_to(ra_ap_syntax::TextSize::of(a.src.text.as_str()));
    let mut offset = 0;
    let lines = match a.src.text.contains("awaitify:") {
        true => a.src.text.split_inclusive('\n'),
        false => "".split_inclusive('\n'),
    };
    for line in lines {
        let start = offset;
        offset += line.len();
        let Some(body) = line.trim_start().strip_prefix("//!") else {
            continue;
        };
        let Some(list) = body.trim().strip_prefix("awaitify:").map(str::trim) else {
            continue;
        };
        let Some(list) = list
            .strip_prefix("allow(")
            .and_then(|l| l.split(')').next())
        else {
            continue;
        };
        let at = start + (line.len() - line.trim_start().len());
        let end = start + line.trim_end().len();
        a.facts.allows.push(facts::Allow {
            range: whole,
            comment: TextRange::new((at as u32).into(), (end as u32).into()),
            rules: list
                .split(',')
                .map(|r| r.trim().to_string())
                .filter(|r| !r.is_empty())
                .collect(),
        });
    }
    let dir = krate.manifest.as_deref().and_then(Path::parent);
    let Some(rel) = dir.and_then(|d| a.src.path.strip_prefix(d).ok()) else {
        return;
    };
    for (glob, rules) in &krate.per_file_ignores {
        if glob.is_match(rel) {
            a.facts.allows.push(facts::Allow {
                range: whole,
                comment: TextRange::empty(0.into()),
                rules: rules.clone(),
            });
        }
    }
}

/// Is `path` in the tests, examples or benches of the crate of `manifest`?
fn in_dev_target(path: &Path, manifest: &Path) -> bool {
    !compilation_unit(path, manifest).is_empty()
}

/// The files of the crate at `dir` that a test harness compiles as expected
/// failures or with expected output, as globs relative to `dir`, each with
/// the reason: the configuration's `harness-fixtures` (or the defaults), and
/// the string literals the crate's tests pass to trybuild (`compile_fail`,
/// `pass`, `compile_fail_check_sub`) or name in a file that uses `ui_test`.
fn harness_fixtures(dir: &Path, config: &Config) -> Vec<(globset::GlobMatcher, String)> {
    let mut out = Vec::new();
    let mut add = |glob: &str, why: String| {
        if let Ok(g) = globset::Glob::new(glob) {
            out.push((g.compile_matcher(), why));
        }
    };
    match &config.harness_fixtures {
        Some(globs) => {
            for g in globs {
                add(
                    g,
                    format!("it matches `{g}` of the configuration's `harness-fixtures`"),
                );
            }
        }
        None => {
            for g in crate::settings::DEFAULT_HARNESS_FIXTURES {
                let under = g.trim_end_matches("**");
                add(
                    g,
                    format!(
                        "it is under `{under}`, where test harnesses keep the files they compile"
                    ),
                );
            }
        }
    }
    let tests = dir.join("tests");
    if !tests.is_dir() {
        return out;
    }
    let mut files: Vec<PathBuf> = crate_files(&tests);
    files.sort();
    for file in files {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        let shown = file
            .strip_prefix(dir)
            .unwrap_or(&file)
            .display()
            .to_string();
        let ui_test = facts::names_word(&text, "ui_test");
        for (call, literal) in harness_literals(&text, ui_test) {
            let glob = match literal.contains(['*', '?', '[']) || literal.ends_with(".rs") {
                true => literal.trim_start_matches("./").to_string(),
                false => format!(
                    "{}/**",
                    literal.trim_start_matches("./").trim_end_matches('/')
                ),
            };
            add(&glob, format!("{shown} passes `{literal}` to `{call}`"));
        }
    }
    out
}

/// The string literals a test file hands to a harness: the first argument of
/// `.compile_fail(..)`, `.pass(..)` and `.compile_fail_check_sub(..)` calls
/// (trybuild), and, in a file that uses `ui_test`, every literal that names
/// a path under `tests/`. Each comes with the call that names it.
fn harness_literals(text: &str, ui_test: bool) -> Vec<(String, String)> {
    let literal_at = |rest: &str| -> Option<String> {
        let rest = rest.trim_start().strip_prefix('"')?;
        let end = rest.find('"')?;
        let lit = &rest[..end];
        (!lit.is_empty() && !lit.contains('\\')).then(|| lit.to_string())
    };
    let mut out = Vec::new();
    for call in ["compile_fail", "compile_fail_check_sub", "pass"] {
        let needle = format!(".{call}(");
        let mut from = 0;
        while let Some(at) = text[from..].find(&needle) {
            let start = from + at + needle.len();
            from = start;
            if let Some(lit) = literal_at(&text[start..]) {
                out.push((call.to_string(), lit));
            }
        }
    }
    if ui_test {
        for (i, _) in text.match_indices("\"tests/") {
            if let Some(lit) = literal_at(&text[i..]) {
                out.push(("ui_test".to_string(), lit));
            }
        }
    }
    out
}

/// AW002: a note for each file a test harness compiles that holds a lock
/// site or a blocking call in async code. The file is never changed and its
/// findings are not reported: the note says why.
fn harness_notes(
    inputs: &[Input],
    crates: &[CrateInfo],
    harness_files: &[(usize, String)],
    state: &Files,
    opts: &Options,
    out: &mut Outcome,
) {
    let in_async = |c: &facts::SiteContext| {
        matches!(
            c,
            facts::SiteContext::Async | facts::SiteContext::SyncInAsync
        )
    };
    for (i, why) in harness_files {
        let Some(a) = state.analysed[*i].as_ref() else {
            continue;
        };
        let rule = &rules::HARNESS_FIXTURE;
        let krate = &crates[inputs[*i].crate_id];
        if !krate.plan.rules.enabled(rule) {
            continue;
        }
        // Lock sites count where the file declares a std or parking_lot
        // lock (tokio's own are no finding); a library's lock it uses is
        // reported at the library (a use in a file the run leaves alone).
        let std_lock = a.facts.decls.iter().any(|d| d.family != Family::Tokio);
        let sites = a
            .facts
            .sites
            .iter()
            .filter(|s| std_lock && in_async(&s.ctx))
            .map(|s| (s.range, "a lock site in async code"));
        let calls = a
            .facts
            .blocking
            .iter()
            .filter(|b| in_async(&b.ctx))
            .map(|b| (b.call.call, "a blocking call in async code"));
        let mut found: Vec<(TextRange, &str)> = sites.chain(calls).collect();
        found.sort_by_key(|(r, _)| r.start());
        let Some(&(first, _)) = found.first() else {
            continue;
        };
        if a.facts.allows(rule, first.start()) {
            out.suppressed += 1;
            continue;
        }
        let text = &a.src.text;
        let span = |r: TextRange| {
            let (line, col) = line_col(text, r.start().into());
            let (end_line, end_col) = line_col(text, r.end().into());
            Span {
                path: a.src.display.clone(),
                start: r.start().into(),
                end: r.end().into(),
                line,
                col,
                end_line,
                end_col,
            }
        };
        out.diagnostics.push(Diagnostic {
            rule,
            span: span(first),
            message: format!(
                "{} is compiled by a test harness as an expected failure or expected output; left unchanged, and its findings are not reported",
                a.src.display
            ),
            labels: found[1..]
                .iter()
                .map(|&(r, what)| (span(r), what.to_string()))
                .collect(),
            notes: vec![
                why.clone(),
                "rewriting it would change what the test checks".to_string(),
            ],
            fix: None,
            edits: Vec::new(),
            shared_edits: Vec::new(),
            fixed: false,
            crate_id: inputs[*i].crate_id,
            file: a.src.path.clone(),
            snippet: crate::baseline::snippet(text, first.start().into()),
        });
        if opts.keep_sources {
            out.sources
                .entry(a.src.display.clone())
                .or_insert_with(|| text.clone());
        }
    }
}

/// What a module file shows the modules below it: its `mod` items (name,
/// declared exactly `pub`) and the paths of its `pub use` items (a glob
/// ends in `*`).
#[derive(Default, Clone)]
struct ModuleItems {
    mods: Vec<(String, bool)>,
    pub_uses: Vec<Vec<String>>,
}

fn module_items(path: &Path, edition: Edition) -> Option<ModuleItems> {
    use ra_ap_syntax::ast::{self, HasModuleItem, HasName, HasVisibility};
    use ra_ap_syntax::AstNode;
    let text = std::fs::read_to_string(path).ok()?;
    let file = SourceFile::parse(&text, edition).tree();
    let is_pub = |v: Option<ast::Visibility>| v.is_some_and(|v| v.syntax().text() == "pub");
    fn flatten(tree: &ast::UseTree, prefix: &[String], out: &mut Vec<Vec<String>>) {
        let mut path = prefix.to_vec();
        if let Some(p) = tree.path() {
            path.extend(p.segments().map(|s| s.syntax().text().to_string()));
        }
        if let Some(list) = tree.use_tree_list() {
            for t in list.use_trees() {
                flatten(&t, &path, out);
            }
        } else if tree.star_token().is_some() {
            path.push("*".to_string());
            out.push(path);
        } else {
            out.push(path);
        }
    }
    let mut items = ModuleItems::default();
    for item in file.items() {
        match item {
            ast::Item::Module(m) => {
                if let Some(name) = m.name() {
                    items
                        .mods
                        .push((name.text().to_string(), is_pub(m.visibility())));
                }
            }
            ast::Item::Use(u) if is_pub(u.visibility()) => {
                if let Some(tree) = u.use_tree() {
                    flatten(&tree, &[], &mut items.pub_uses);
                }
            }
            _ => {}
        }
    }
    Some(items)
}

/// Can code outside the library of `manifest` name `item`, a public item
/// (see [`facts::api_visibility`]) of the file `path`? Approximated from the
/// files alone: the file's module must be declared by its parent file, from
/// `src/lib.rs` down, and each module on the way must be a `pub mod`, or be
/// re-exported (`pub use a::b;`) by a reachable module above it; or the item
/// itself must be re-exported by one (`pub use a::b::Item;`, `pub use
/// a::b::*;`, matched by the item's and the module's last name). An item in
/// a private inline module needs a `pub use` in its file that names the
/// module (`pub use private::deeper;`). A file the
/// library root does not declare (the modules of `src/main.rs`,
/// `src/bin/`) is not the library's. Where the module files cannot be found
/// (a `[lib] path` outside `src/`, a `#[path]` attribute) the item counts
/// as reachable.
fn reachable_from_lib(
    path: &Path,
    manifest: &Path,
    d: &facts::DeclFact,
    edition: Edition,
    cache: &mut BTreeMap<PathBuf, Option<ModuleItems>>,
) -> bool {
    let item = d.api_item.as_deref();
    let Some(dir) = manifest.parent() else {
        return true;
    };
    let src = dir.join("src");
    if path == src.join("main.rs") || path.starts_with(src.join("bin")) {
        return false;
    }
    // A root elsewhere than `src/` (`[lib] path`) has module files the
    // walk below does not follow.
    let root = manifest::lib_root(manifest).unwrap_or_else(|| src.join("lib.rs"));
    if !root.is_file() || root.parent() != Some(src.as_path()) {
        return true;
    }
    // Inside a private (or `pub(crate)`) inline module, only a `pub use`
    // naming it (or a module inside it), in its file or a file above, can
    // reach the item; then its file must be reachable, as below.
    let mut above: Vec<PathBuf> = vec![path.to_path_buf()];
    above.extend(
        path.ancestors()
            .skip(1)
            .take_while(|p| p.starts_with(&src))
            .flat_map(|p| [p.with_extension("rs"), p.join("mod.rs"), p.join("lib.rs")]),
    );
    let names_private_mod = |items: &Option<ModuleItems>| {
        items.as_ref().is_none_or(|items| {
            items
                .pub_uses
                .iter()
                .any(|p| p.iter().any(|seg| d.private_mods.contains(seg)))
        })
    };
    if !d.private_mods.is_empty()
        && !above.iter().filter(|f| f.is_file()).any(|f| {
            names_private_mod(
                cache
                    .entry(f.clone())
                    .or_insert_with(|| module_items(f, edition)),
            )
        })
    {
        return false;
    }
    if path == root {
        return true;
    }
    let Some(module) = module_path(path, manifest) else {
        return true;
    };
    let names: Vec<&str> = module.split("::").skip(1).collect();
    // The file of each module on the way: the root, then `src/a.rs` or
    // `src/a/mod.rs`, ...
    let mut files = vec![root];
    for i in 1..names.len() {
        let base = names[..i].iter().fold(src.clone(), |p, n| p.join(n));
        let flat = base.with_extension("rs");
        files.push(match flat.is_file() {
            true => flat,
            false => base.join("mod.rs"),
        });
    }
    let mut items = Vec::new();
    for f in &files {
        let found = cache
            .entry(f.clone())
            .or_insert_with(|| module_items(f, edition));
        match found {
            Some(found) => items.push(found.clone()),
            // Unknown is public.
            None => return true,
        }
    }
    let last = |p: &Vec<String>| p.last().cloned().unwrap_or_default();
    // `pub use a::b;` re-exports `b`; `pub use a::b::*;` everything public
    // in `b`, its modules and re-exports too.
    let reexports = |k: usize, name: &str| {
        items[k]
            .pub_uses
            .iter()
            .any(|p| last(p) == name || (last(p) == "*" && p.len() >= 2 && p[p.len() - 2] == name))
    };
    // reach[i]: the module `names[..i]` can be named from outside.
    let mut reach = vec![true];
    let mut declared = true;
    for (i, name) in names.iter().enumerate() {
        let decl = items[i].mods.iter().find(|(m, _)| m == name);
        declared &= decl.is_some();
        let by_mod = reach[i] && decl.is_some_and(|(_, p)| *p);
        let by_use = (0..=i).any(|k| reach[k] && reexports(k, name));
        reach.push(by_mod || by_use);
    }
    let n = names.len();
    let module_name = names.last().copied().unwrap_or_default();
    let by_item = (0..n).any(|k| {
        reach[k]
            && items[k].pub_uses.iter().any(|p| {
                item.is_some_and(|it| last(p) == it)
                    || (last(p) == "*" && p.len() >= 2 && p[p.len() - 2] == module_name)
            })
    });
    declared && (reach[n] || by_item)
}

/// Marks the public locks of libraries as exported, and returns the crates
/// to plan together with a library (by crate: the library's). A public lock
/// that another crate of the run names (the library's name and the lock's
/// name in one file) needs the same rewrite there: when the library opts in
/// to migrating its public API, and that crate depends on tokio with its
/// `sync` feature (the rewrite may name tokio there too), the crate is
/// planned with the library, as a binary of the library's own package is,
/// so that the lock and every use of it migrate together or not at all.
/// Otherwise the lock is left to a person.
fn mark_exported_locks(
    inputs: &[Input],
    crates: &[CrateInfo],
    opts: &Options,
    analysed: &mut [Option<Analysed>],
) -> BTreeMap<usize, usize> {
    let mut exported: Vec<(usize, String, String)> = Vec::new();
    let mut lib_names: BTreeMap<usize, Option<String>> = BTreeMap::new();
    let mut modules = BTreeMap::new();
    for (input, a) in inputs.iter().zip(analysed.iter_mut()) {
        let Some(a) = a else { continue };
        let krate = &crates[input.crate_id];
        let Some(manifest) = krate.manifest.as_deref() else {
            continue;
        };
        if in_dev_target(&input.path, manifest) {
            continue;
        }
        for d in a.facts.decls.iter_mut().filter(|d| {
            d.public
                && d.family != Family::Tokio
                && reachable_from_lib(&input.path, manifest, d, krate.edition, &mut modules)
        }) {
            let lib = lib_names
                .entry(input.crate_id)
                .or_insert_with(|| manifest::lib_name(manifest));
            if let (Some(lib), Some(name)) =
                (lib.clone(), d.key.reach_name().map(|n| n.to_string()))
            {
                d.exported = true;
                exported.push((input.crate_id, lib, name));
            }
        }
    }
    if exported.is_empty() {
        return BTreeMap::new();
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
    let named: Vec<((usize, String), (usize, String))> = inputs
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
                    let by = (input.crate_id, opts.display(&input.path));
                    ((*c, name.clone()), by)
                })
                .collect::<Vec<_>>()
        })
        .collect();
    // Per library and lock: the crates that name it, each with a file.
    let mut named_by: BTreeMap<(usize, String), BTreeMap<usize, String>> = BTreeMap::new();
    for (lock, (by, path)) in named {
        let paths = named_by.entry(lock).or_default();
        let first = paths.entry(by).or_insert_with(|| path.clone());
        if path < *first {
            *first = path;
        }
    }
    // The crates that can join their library's plan: each joins one library,
    // and a library that joins another takes no crate in.
    let opted_in = |c: usize| crates[c].plan.public_api != settings::PublicApi::Report;
    let mut joins: BTreeMap<usize, usize> = BTreeMap::new();
    let mut refused: BTreeMap<usize, String> = BTreeMap::new();
    for ((lib, _), users) in &named_by {
        if !opted_in(*lib) {
            continue;
        }
        for &user in users.keys() {
            let text = crates[user]
                .manifest
                .as_deref()
                .and_then(|m| std::fs::read_to_string(m).ok())
                .unwrap_or_default();
            if manifest::tokio_dependency(&text).is_none() {
                refused.insert(user, "it does not depend on tokio".to_string());
            } else if joins.get(&user).is_some_and(|l| l != lib) {
                refused.insert(
                    user,
                    "it uses the public locks of two libraries".to_string(),
                );
            } else {
                joins.insert(user, *lib);
            }
        }
    }
    for user in refused.keys() {
        joins.remove(user);
    }
    let chained: Vec<usize> = joins
        .iter()
        .filter(|(_, lib)| joins.contains_key(lib))
        .map(|(&user, _)| user)
        .collect();
    for user in chained {
        joins.remove(&user);
        refused.insert(
            user,
            "its library uses another library's public lock".to_string(),
        );
    }
    for (input, a) in inputs.iter().zip(analysed.iter_mut()) {
        let Some(a) = a else { continue };
        for d in a.facts.decls.iter_mut().filter(|d| d.exported) {
            let Some(name) = d.key.reach_name().map(|n| n.to_string()) else {
                continue;
            };
            let Some(users) = named_by.get(&(input.crate_id, name.clone())) else {
                continue;
            };
            for (user, path) in users {
                if joins.get(user) == Some(&input.crate_id) {
                    continue;
                }
                let why = match refused.get(user) {
                    Some(why) => format!(", and cannot be planned with it: {why}"),
                    None => String::new(),
                };
                d.blockers.push(format!(
                    "it is public, and {path} (another crate of this run) names `{name}`: that crate would need the same rewrite{why}"
                ));
            }
        }
    }
    joins
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
        Ok(pool) => pool.install(|| run_on_pool(&opts.resolved())),
        Err(e) => Outcome {
            errors: vec![format!("cannot start the worker threads: {e}")],
            ..Outcome::default()
        },
    }
}

fn run_on_pool(opts: &Options) -> Outcome {
    let mut out = Outcome::default();
    let files = walk(opts, &mut out);

    // Crates: files grouped by their owning manifest.
    let mut finder = manifest::ManifestFinder::default();
    let mut crate_ids: BTreeMap<Option<PathBuf>, usize> = BTreeMap::new();
    let mut crates: Vec<CrateInfo> = Vec::new();
    let mut inputs = Vec::new();
    let mut seen: HashSet<PathBuf> = files.iter().map(|(p, _)| p.clone()).collect();
    let mut queue: std::collections::VecDeque<(PathBuf, bool)> = files.into();
    // Files a test harness compiles (by input), and why.
    let mut harness_files: Vec<(usize, String)> = Vec::new();
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
            let per_file_ignores = config
                .per_file_ignores
                .iter()
                .map(|(g, rules)| {
                    let glob = globset::Glob::new(g).expect("the configuration checked it");
                    (glob.compile_matcher(), rules.clone())
                })
                .collect();
            let harness = manifest
                .as_deref()
                .and_then(Path::parent)
                .map(|dir| harness_fixtures(dir, &config))
                .unwrap_or_default();
            crates.push(CrateInfo {
                library: manifest
                    .as_deref()
                    .is_some_and(|m| manifest::lib_name(m).is_some()),
                harness,
                per_file_ignores,
                edition,
                plan: PlanOptions {
                    tokio: manifest
                        .as_deref()
                        .and_then(|m| std::fs::read_to_string(m).ok())
                        .map(|t| manifest::tokio_use(&t)),
                    ..opts.plan_options(&config)
                },
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
                reexports: Default::default(),
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
            let why = path.strip_prefix(dir).ok().and_then(|rel| {
                krate
                    .harness
                    .iter()
                    .find(|(g, _)| g.is_match(rel))
                    .map(|(_, why)| why.clone())
            });
            if let Some(why) = why {
                read_only = true;
                harness_files.push((inputs.len(), why));
            }
        }
        inputs.push(Input {
            path,
            crate_id,
            file_id: inputs.len(),
            read_only,
        });
    }
    if opts.whole_crates {
        unmatched_config_globs(&inputs, &crates, opts, &mut out.warnings);
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
    let show = |p: &Path| opts.display(p);
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
    out.crates = crates
        .iter()
        .map(|c| (c.manifest.as_deref().map(|m| opts.display(m)), 0))
        .collect();
    for input in inputs.iter().filter(|i| !i.read_only) {
        out.crates[input.crate_id].1 += 1;
    }
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

    // Lock types re-exported by a crate's modules (`pub use std::sync::Mutex
    // as StdMutex;`): files that may name one are read again knowing them.
    for (input, a) in inputs.iter().zip(&state.analysed) {
        let (Some(a), Some(manifest)) = (a, crates[input.crate_id].manifest.as_deref()) else {
            continue;
        };
        let Some(module) = module_path(&input.path, manifest) else {
            continue;
        };
        for (local, path) in &a.facts.reexports {
            crates[input.crate_id]
                .reexports
                .insert(format!("{module}::{local}"), path.clone());
        }
    }
    let again: Vec<usize> = (0..inputs.len())
        .filter(|&i| {
            let reexports = &crates[inputs[i].crate_id].reexports;
            !state.failed[i]
                && !reexports.is_empty()
                && std::fs::read_to_string(&inputs[i].path).is_ok_and(|text| {
                    reexports
                        .keys()
                        .filter_map(|k| k.rsplit("::").next())
                        .any(|local| facts::names_word(&text, local))
                })
        })
        .collect();
    let reread: Vec<_> = again
        .par_iter()
        .map(|&i| {
            load(&inputs[i], &crates[inputs[i].crate_id], opts, None, |_| {
                Depth::Full
            })
        })
        .collect();
    for (i, r) in again.into_iter().zip(reread) {
        match r {
            Ok(loaded) => state.analysed[i] = loaded.analysed,
            Err(e) => state.fail(&inputs[i], e),
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
            names[input.crate_id].extend(d.key.reach_name().map(|n| n.to_string()));
        }
    }
    let joins = mark_exported_locks(&inputs, &crates, opts, &mut state.analysed);
    state.analyse_more(
        &inputs,
        &crates,
        opts,
        &names,
        |i| async_site[i],
        |c, text| facts::may_lock_in_async(text, &names[c]),
    );

    // A crate that uses a library's public lock, which migrates, is planned
    // with the library (see `mark_exported_locks`).
    let planned_with = |c: usize| joins.get(&c).copied().unwrap_or(c);
    let mut members_of: Vec<Vec<usize>> = vec![Vec::new(); crates.len()];
    for (i, input) in inputs.iter().enumerate() {
        members_of[planned_with(input.crate_id)].push(i);
    }
    let mut baseline = opts.baseline.clone();
    // What each planned crate's plan was made of, for the compiler's re-plans.
    let mut views: BTreeMap<usize, (Vec<usize>, crate::verify::CrateView)> = BTreeMap::new();
    for (crate_id, (krate, members)) in crates.iter().zip(&members_of).enumerate() {
        // A crate planned with another is blocked with it: their files are
        // written together.
        if members.is_empty()
            || members
                .iter()
                .any(|&i| state.blocked.contains(&inputs[i].crate_id))
        {
            continue;
        }
        let what = krate
            .manifest
            .as_deref()
            .map(|m| opts.display(m))
            .unwrap_or_else(|| opts.display(&inputs[members[0]].path));
        let mut crate_out = Outcome::default();
        let planned = catch(&what, || {
            // The test builds' fault hook, planning a crate by its manifest.
            #[cfg(debug_assertions)]
            if let Some(m) = &krate.manifest {
                fault::panic_if_asked(m);
            }
            // Suppressions the baseline made, and the findings they hid.
            let (mut baselined, mut baselined_findings) = (0, 0);
            loop {
                // A joined crate's tests, examples and benches are units of
                // their own, never the library's namesakes.
                for &i in members.iter().filter(|&&i| inputs[i].crate_id != crate_id) {
                    if let Some(a) = state.analysed[i].as_mut() {
                        if !a.facts.unit.is_empty() && !a.facts.unit.starts_with('#') {
                            a.facts.unit = format!("#{}/{}", inputs[i].crate_id, a.facts.unit);
                        }
                    }
                }
                let plan = state.plan(members, &krate.plan);
                // Every file that can reach a lock locked in async code (its
                // other sites, flows into it), and every file that can call a
                // sync fn whose callers decide where a site runs, must be
                // analysed before the plan is trusted.
                // Only migrating locks need it: more files can add blockers to
                // a manual lock but never make it migrate, and a flow that
                // joins it to a migrating lock names the migrating one too.
                let reach: HashSet<String> = plan
                    .reports
                    .iter()
                    .filter(|r| r.decision == Decision::Migrate)
                    .flat_map(|r| r.reach_names.iter().cloned())
                    .collect();
                let callers: HashSet<String> = plan.runtime_names.iter().cloned().collect();
                let mut scope = vec![HashSet::new(); crates.len()];
                scope[crate_id] = reach.union(&callers).cloned().collect();
                for (&user, _) in joins.iter().filter(|(_, &lib)| lib == crate_id) {
                    scope[user] = scope[crate_id].clone();
                }
                let found = state.analyse_more(
                    &inputs,
                    &crates,
                    opts,
                    &scope,
                    |_| true,
                    |_, text| {
                        // Any mention of a sync fn may call it (a fn pointer, a
                        // renamed import, a macro's tokens).
                        facts::needs_analysis(text, &reach)
                            || callers.iter().any(|n| facts::names_word(text, n))
                    },
                );
                if found != 0 {
                    continue;
                }
                let present: Vec<usize> = members
                    .iter()
                    .copied()
                    .filter(|&i| state.analysed[i].is_some())
                    .collect();
                let files: Vec<&Analysed> = present
                    .iter()
                    .filter_map(|&i| state.analysed[i].as_ref())
                    .collect();
                // Findings the baseline records are suppressed where they
                // are, and the crate planned again without them.
                let (recorded, hidden) = baseline
                    .as_mut()
                    .map(|b| in_baseline(&plan, &files, b))
                    .unwrap_or_default();
                if !recorded.is_empty() {
                    baselined += recorded.len();
                    baselined_findings += hidden;
                    for (file, range, code) in recorded {
                        let facts = &mut state.analysed[present[file]]
                            .as_mut()
                            .expect("present")
                            .facts;
                        facts.allows.push(facts::Allow {
                            range,
                            comment: TextRange::empty(range.start()),
                            rules: vec![code.to_string()],
                        });
                    }
                    continue;
                }
                drop(files);
                let crate_plan = CrateRun {
                    inputs: &inputs,
                    crates: &crates,
                    crate_id,
                    present: &present,
                    opts,
                };
                let view = crate_plan.finish(&mut state, plan, baseline.as_mut(), &mut crate_out);
                if let Some(view) = view {
                    views.insert(crate_id, (present.clone(), view));
                }
                // The baseline's suppressions are counted on their own.
                crate_out.suppressed = crate_out.suppressed.saturating_sub(baselined);
                crate_out.baselined += baselined_findings;
                break;
            }
        });
        match planned {
            Ok(()) => {
                out.diagnostics.append(&mut crate_out.diagnostics);
                out.changes.append(&mut crate_out.changes);
                out.errors.append(&mut crate_out.errors);
                out.warnings.append(&mut crate_out.warnings);
                out.notes.append(&mut crate_out.notes);
                out.suppressed += crate_out.suppressed;
                out.baselined += crate_out.baselined;
                out.sources.append(&mut crate_out.sources);
            }
            Err(e) => state.errors.push(format!("{e}; the crate is not written")),
        }
    }
    harness_notes(&inputs, &crates, &harness_files, &state, opts, &mut out);
    // A crate with a file that could not be analysed is not written.
    out.retain_crates(|c| !state.blocked.contains(&c));
    out.errors.splice(0..0, std::mem::take(&mut state.errors));
    // Messages name files as the output does: relative to the current
    // directory (manifests and configurations are found by absolute path).
    let root = format!(
        "{}{}",
        opts.display_root.display(),
        std::path::MAIN_SEPARATOR
    );
    if opts.display_root.is_absolute() {
        for m in out.errors.iter_mut().chain(&mut out.warnings) {
            *m = m.replace(&root, "");
        }
    }
    out.files_analysed = state.analysed.iter().filter(|a| a.is_some()).count();
    out.replanner = opts.replan.then(|| Replanner {
        state,
        inputs,
        crates,
        opts: opts.clone(),
        views,
    });
    out
}

/// One crate's plan turned into its outcome: what the run does once the
/// crate's files are analysed, and what a re-plan for the compiler repeats.
struct CrateRun<'a> {
    inputs: &'a [Input],
    crates: &'a [CrateInfo],
    crate_id: usize,
    /// The analysed files planned together (see `Files::plan`).
    present: &'a [usize],
    opts: &'a Options,
}

impl CrateRun<'_> {
    /// Adds the unused-suppression findings to `plan`, and emits it into
    /// `out`. Returns what the compiler's referee needs to know of it.
    fn finish(
        &self,
        state: &mut Files,
        mut plan: locks::CratePlan,
        baseline: Option<&mut crate::baseline::Baseline>,
        out: &mut Outcome,
    ) -> Option<crate::verify::CrateView> {
        let krate = &self.crates[self.crate_id];
        unused_allows(state, self.present, krate, baseline, &mut plan);
        let files: Vec<&Analysed> = self
            .present
            .iter()
            .filter_map(|&i| state.analysed[i].as_ref())
            .collect();
        // The files of crates planned with this library, and their own
        // manifests.
        let joined: Vec<(usize, &Path)> = self
            .present
            .iter()
            .enumerate()
            .filter(|(_, &i)| self.inputs[i].crate_id != self.crate_id)
            .filter_map(|(f, &i)| {
                Some((f, self.crates[self.inputs[i].crate_id].manifest.as_deref()?))
            })
            .collect();
        let view = self.opts.replan.then(|| {
            crate::verify::CrateView::new(
                files
                    .iter()
                    .map(|a| (&a.src.path, &a.src.display, &a.src.text, &a.facts)),
                &plan,
            )
        });
        emit(
            self.crate_id,
            krate.manifest.as_deref(),
            &joined,
            &files,
            plan,
            self.opts,
            out,
        );
        view
    }
}

/// What a run knows after planning, kept so that a crate can be planned
/// again with the compiler's corrections (`verify`).
pub struct Replanner {
    state: Files,
    inputs: Vec<Input>,
    crates: Vec<CrateInfo>,
    opts: Options,
    /// Per planned crate: its analysed files, and its plan's fixes.
    views: BTreeMap<usize, (Vec<usize>, crate::verify::CrateView)>,
}

impl std::fmt::Debug for Replanner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Replanner({} crates)", self.views.len())
    }
}

impl Replanner {
    /// The fixes of a crate's latest plan, and its files.
    pub fn view(&self, crate_id: usize) -> Option<&crate::verify::CrateView> {
        self.views.get(&crate_id).map(|(_, v)| v)
    }

    /// Plans crate `crate_id` again with the compiler's corrections: its
    /// findings and changes, from the unchanged files, never patched.
    pub fn replan(&mut self, crate_id: usize, referee: &settings::Referee) -> Outcome {
        let mut out = Outcome::default();
        let Some((present, _)) = self.views.get(&crate_id) else {
            return out;
        };
        let present = present.clone();
        let krate = &self.crates[crate_id];
        let opts = PlanOptions {
            referee: referee.clone(),
            ..krate.plan.clone()
        };
        let plan = self.state.plan(&present, &opts);
        let run = CrateRun {
            inputs: &self.inputs,
            crates: &self.crates,
            crate_id,
            present: &present,
            opts: &self.opts,
        };
        if let Some(view) = run.finish(&mut self.state, plan, None, &mut out) {
            self.views.insert(crate_id, (present, view));
        }
        out
    }
}

/// AW001: adds to `plan` a finding, with its fix, for each `awaitify:
/// allow(..)` comment of the crate (`present`: its analysed files) that
/// suppresses nothing, or for the rules of one that suppress nothing. What
/// a comment suppresses is what a plan without the comments reports under it.
fn unused_allows(
    state: &mut Files,
    present: &[usize],
    krate: &CrateInfo,
    mut baseline: Option<&mut crate::baseline::Baseline>,
    plan: &mut locks::CratePlan,
) {
    let rules = &krate.plan.rules;
    if !rules.enabled(&rules::UNUSED_SUPPRESSION) {
        return;
    }
    // Comments, not the suppressions of `per-file-ignores` or a baseline.
    let is_comment = |a: &facts::Allow| !a.comment.is_empty();
    let checked = |a: &Analysed| !a.facts.read_only && a.facts.allows.iter().any(is_comment);
    if !present
        .iter()
        .any(|&i| state.analysed[i].as_ref().is_some_and(checked))
    {
        return;
    }
    let mut taken: Vec<Vec<facts::Allow>> = Vec::new();
    for &i in present {
        let facts = &mut state.analysed[i].as_mut().expect("present").facts;
        let (comments, others) = std::mem::take(&mut facts.allows)
            .into_iter()
            .partition(is_comment);
        facts.allows = others;
        taken.push(comments);
    }
    let bare = state.plan(present, &krate.plan);
    let findings: Vec<(&Rule, &locks::Loc)> = bare
        .blocking
        .iter()
        .map(|b| (b.rule, &b.at))
        .chain(bare.reports.iter().map(|r| (r.decision.rule(), &r.decl)))
        .collect();
    for (file, comments) in taken.into_iter().enumerate() {
        let a = state.analysed[present[file]].as_mut().expect("present");
        for allow in &comments {
            if a.facts.read_only {
                break;
            }
            // A lock's finding counts for every lock rule: without the
            // comments, fewer files may be analysed, so the lock's rule may
            // differ from the one a full analysis gives (AW101, not AW102).
            let lock_rule = |r: &Rule| r.family == rules::Family::Lock;
            let used = |selector: &str| {
                findings.iter().any(|(rule, at)| {
                    at.file == file
                        && allow.range.contains_inclusive(at.range.start())
                        && match lock_rule(rule) {
                            true => rules::RULES
                                .iter()
                                .any(|r| lock_rule(r) && rules::selects(selector, r)),
                            false => rules::selects(selector, rule),
                        }
                })
            };
            // A rule this run does not check, or a name that is no rule (an
            // error of its own), is not called unused.
            let checked = |selector: &str| {
                rules::check_selector(selector).is_ok()
                    && rules::RULES
                        .iter()
                        .any(|r| rules.enabled(r) && rules::selects(selector, r))
            };
            let unused: Vec<&String> = allow
                .rules
                .iter()
                .filter(|r| checked(r) && !used(r))
                .collect();
            if unused.is_empty() {
                continue;
            }
            let text = &a.src.text;
            let key_offset = usize::from(allow.comment.start());
            if let Some(b) = baseline.as_deref_mut() {
                let key = b.key(
                    rules::UNUSED_SUPPRESSION.code,
                    &a.src.path,
                    text,
                    key_offset,
                );
                if b.take(&key) {
                    continue;
                }
            }
            let kept: Vec<&str> = allow
                .rules
                .iter()
                .filter(|r| !unused.contains(r))
                .map(String::as_str)
                .collect();
            let edit = allow_removal(text, allow.comment, &kept);
            let names = unused.iter().map(|r| format!("`{r}`")).collect::<Vec<_>>();
            let message = match kept.is_empty() {
                true => {
                    "this `awaitify: allow(..)` comment suppresses nothing; remove it".to_string()
                }
                false => format!(
                    "{} in this `awaitify: allow(..)` comment suppress{} nothing; remove {}",
                    names.join(", "),
                    if names.len() == 1 { "es" } else { "" },
                    if names.len() == 1 { "it" } else { "them" }
                ),
            };
            plan.edits.entry(file).or_default().push(edit.clone());
            plan.blocking.push(BlockingReport {
                rule: &rules::UNUSED_SUPPRESSION,
                at: locks::Loc {
                    file,
                    range: allow.comment,
                },
                message,
                notes: Vec::new(),
                fixed: true,
                fix: Some(Applicability::Safe),
                edits: vec![edit],
                helper: None,
            });
        }
        a.facts.allows.extend(comments);
    }
}

/// The edit that removes a suppression comment at `comment`, or keeps only
/// the rules `kept` in it. A comment alone on its line goes with its line.
fn allow_removal(text: &str, comment: TextRange, kept: &[&str]) -> Edit {
    let (start, end) = (usize::from(comment.start()), usize::from(comment.end()));
    if !kept.is_empty() {
        let body = &text[start..end];
        let open = body.find("allow(").map_or(0, |i| i + "allow(".len());
        let close = body[open..].find(')').map_or(body.len(), |i| open + i);
        let range = TextRange::new(
            ((start + open) as u32).into(),
            ((start + close) as u32).into(),
        );
        return Edit::new(range, kept.join(", "));
    }
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i + 1);
    let alone = text[line_start..start].trim().is_empty() && text[end..line_end].trim().is_empty();
    let range = if alone {
        line_start..line_end
    } else {
        // After code: the comment and the spaces before it.
        text[..start].trim_end_matches([' ', '\t']).len()..end
    };
    Edit::new(
        TextRange::new((range.start as u32).into(), (range.end as u32).into()),
        "",
    )
}

/// The findings of a crate's plan that `baseline` records (each taken out of
/// it): the file, the place and the rule of each place to suppress, and how
/// many findings they are.
fn in_baseline(
    plan: &locks::CratePlan,
    files: &[&Analysed],
    baseline: &mut crate::baseline::Baseline,
) -> (Vec<(usize, TextRange, &'static str)>, usize) {
    let mut take = |rule: &Rule, at: &locks::Loc| {
        let src = &files[at.file].src;
        baseline.take(&baseline.key(rule.code, &src.path, &src.text, at.range.start().into()))
    };
    let (mut out, mut findings) = (Vec::new(), 0);
    // The async calls of one blocking helper are one finding, recorded at
    // the first of them.
    let mut calls: BTreeMap<&str, Vec<&BlockingReport>> = BTreeMap::new();
    let mut singles = Vec::new();
    for b in &plan.blocking {
        match crate::findings::helper_of(b) {
            Some(h) => calls.entry(h).or_default().push(b),
            None => singles.push((b.rule, &b.at)),
        }
    }
    for group in calls.values() {
        let first = group
            .iter()
            .min_by_key(|c| &c.at)
            .expect("a group has calls");
        if take(first.rule, &first.at) {
            out.extend(group.iter().map(|c| (c.at.file, c.at.range, c.rule.code)));
            findings += 1;
        }
    }
    let reports = plan.reports.iter().map(|r| (r.decision.rule(), &r.decl));
    for (rule, at) in singles.into_iter().chain(reports) {
        if take(rule, at) {
            out.push((at.file, at.range, rule.code));
            findings += 1;
        }
    }
    (out, findings)
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
    /// The plan of a crate made of the analysed files among `members`.
    fn plan(&self, members: &[usize], opts: &PlanOptions) -> locks::CratePlan {
        let analysed: Vec<&Analysed> = members
            .iter()
            .filter_map(|&i| self.analysed[i].as_ref())
            .collect();
        let facts: Vec<&FileFacts> = analysed.iter().map(|a| &a.facts).collect();
        let texts: Vec<&str> = analysed.iter().map(|a| a.src.text.as_str()).collect();
        locks::plan(&facts, &texts, opts)
    }

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

/// Withdraws every fix of a plan, for `reason`: migrations become manual.
fn withdraw_fixes(plan: &mut locks::CratePlan, reason: &str) {
    for r in &mut plan.reports {
        if r.decision == Decision::Migrate {
            r.decision = Decision::Manual(vec![(r.decl.clone(), reason.to_string())]);
        }
    }
    plan.edits.clear();
    plan.imports.clear();
    plan.tokio_features.clear();
    for b in &mut plan.blocking {
        if b.fixed {
            b.fixed = false;
            b.notes.push(reason.to_string());
        }
    }
}

/// Turns a crate's plan into new file contents and diagnostics.
fn emit(
    crate_id: usize,
    manifest_path: Option<&Path>,
    joined: &[(usize, &Path)],
    files: &[&Analysed],
    mut plan: locks::CratePlan,
    opts: &Options,
    out: &mut Outcome,
) {
    let (crate_ok, shared) =
        apply_plan(crate_id, manifest_path, joined, files, &mut plan, opts, out);
    crate::findings::diagnostics(crate_id, files, &plan, crate_ok, &shared, opts, out);
}

/// The plan's edits applied to each file and manifest (into `out.changes`
/// when all of them apply and parse). Returns whether they did, and the
/// edits no single finding owns.
fn apply_plan(
    crate_id: usize,
    manifest_path: Option<&Path>,
    joined: &[(usize, &Path)],
    files: &[&Analysed],
    plan: &mut locks::CratePlan,
    opts: &Options,
    out: &mut Outcome,
) -> (bool, Vec<(Span, String)>) {
    // The manifest, when a fix needs tokio features in it.
    let manifest_text = manifest_path
        .filter(|_| !plan.tokio_features.is_empty())
        .map(|m| std::fs::read_to_string(m).map_err(anyhow::Error::from));
    // A crate that cannot name tokio everywhere (optional or renamed) gets no
    // fix, unless only tests need it and have it from [dev-dependencies].
    let test_only = !plan.tokio_outside_tests
        || manifest_path.is_some_and(|m| {
            plan.edits
                .keys()
                .chain(plan.imports.keys())
                .all(|&f| in_dev_target(&files[f].src.path, m))
        });
    let blocker = manifest_text
        .as_ref()
        .and_then(|t| t.as_ref().ok())
        .and_then(|text| manifest::tokio_blocker(text, test_only));
    if let Some(reason) = blocker {
        withdraw_fixes(plan, &reason);
    }
    let span = |file: usize, range: TextRange| files[file].src.span(range);
    // The findings' own edits: every other edit is shared.
    let own: HashSet<(usize, TextRange, &str)> = plan
        .reports
        .iter()
        .filter(|r| r.decision == Decision::Migrate)
        .flat_map(|r| r.edits.iter().map(|(f, e)| (*f, e)))
        .chain(
            plan.blocking
                .iter()
                .filter(|b| b.fixed)
                .flat_map(|b| b.edits.iter().map(|e| (b.at.file, e))),
        )
        .map(|(f, e)| (f, e.range, e.replacement.as_str()))
        .collect();
    let mut shared: Vec<(Span, String)> = Vec::new();
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
        shared.extend(
            edits
                .iter()
                .filter(|e| !own.contains(&(file, e.range, e.replacement.as_str())))
                .map(|e| (span(file, e.range), e.replacement.clone())),
        );
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
            manifest: joined
                .iter()
                .find(|(f, _)| *f == file)
                .map(|(_, m)| *m)
                .or(manifest_path)
                .map(Path::to_path_buf),
        });
    }
    // The crate's manifest, with the changes of its own files; then the
    // manifest of each crate planned with it whose files now name tokio.
    type Manifest<'a> = (
        &'a Path,
        Option<anyhow::Result<String>>,
        Vec<&'a FileChange>,
    );
    let mut manifests: Vec<Manifest> = Vec::new();
    if let Some(m) = manifest_path {
        let own: Vec<&FileChange> = changes
            .iter()
            .filter(|c| c.manifest.as_deref() == Some(m))
            .collect();
        manifests.push((m, manifest_text, own));
    }
    let mut others: Vec<&Path> = joined.iter().map(|(_, m)| *m).collect();
    others.sort();
    others.dedup();
    for m in others {
        let own: Vec<&FileChange> = changes
            .iter()
            .filter(|c| c.manifest.as_deref() == Some(m))
            .collect();
        let names_tokio = own
            .iter()
            .any(|c| c.new.matches("tokio").count() > c.old.matches("tokio").count());
        let text = (names_tokio && !plan.tokio_features.is_empty())
            .then(|| std::fs::read_to_string(m).map_err(anyhow::Error::from));
        manifests.push((m, text, own));
    }
    let mut manifest_changes = Vec::new();
    for (m, text, own) in manifests {
        let Some(text) = text.filter(|_| !plan.tokio_features.is_empty()) else {
            continue;
        };
        // Edits only in tests, examples or benches need tokio only there.
        let dev_only = !plan.tokio_outside_tests || own.iter().all(|c| in_dev_target(&c.path, m));
        let features: Vec<&str> = plan.tokio_features.iter().copied().collect();
        match text.and_then(|old| {
            Ok(manifest::with_tokio_features(&old, &features, dev_only)?.map(|new| (old, new)))
        }) {
            Ok(Some((old, new))) => {
                let display = opts.display(m);
                for (start, end, text) in replacements(&old, &new) {
                    let (line, col) = line_col(&old, start as u32);
                    let (end_line, end_col) = line_col(&old, end as u32);
                    let at = Span {
                        path: display.clone(),
                        start,
                        end,
                        line,
                        col,
                        end_line,
                        end_col,
                    };
                    shared.push((at, text));
                }
                manifest_changes.push(FileChange {
                    path: m.to_path_buf(),
                    display,
                    old,
                    new,
                    crate_id,
                    manifest: Some(m.to_path_buf()),
                })
            }
            Ok(None) => {}
            Err(e) => {
                out.errors.push(format!(
                    "{}: cannot add the tokio features the rewrite needs: {e}",
                    opts.display(m)
                ));
                crate_ok = false;
            }
        }
    }
    changes.extend(manifest_changes);
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
    (crate_ok, shared)
}
