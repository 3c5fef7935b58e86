//! One run of the tool: walk the paths, parse and extract every file in
//! parallel, plan each crate, and turn the plan into new file contents.
//! `run_on_pool` reads as the pipeline's steps; `plan_crate` plans one crate
//! to a fixed point, and `Replanner` plans it again for the compiler.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use ra_ap_syntax::{Edition, TextRange};
use rayon::prelude::*;

use crate::edits::edit::{line_col, Edit};
use crate::facts::{self, FileFacts};
use crate::imports::Family;
use crate::locks::{self, Decision};
use crate::paths::{self, absolute};
use crate::rules::blocking_calls::BlockingReport;
use crate::rules::{self, Applicability, Rule};
use crate::settings::Config;
use crate::settings::Policy;
use crate::settings::{self, PlanOptions};
use crate::walk::{self, CrateInfo, Input, Walked};

mod exports;

use exports::mark_exported_locks;

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
    pub(crate) fn display(&self, path: &Path) -> String {
        paths::display(path, &self.display_root, &self.spelled)
    }

    /// How the crate configured by `config` is planned.
    pub(crate) fn plan_options(&self, config: &Config) -> PlanOptions {
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
    pub(crate) bom: bool,
    pub(crate) edition: Edition,
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
    let parsed = crate::parse::parse(&src.text, src.edition);
    let facts = facts::extract(
        &parsed.tree,
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
    // A file that does not parse is skipped where the tree has an ERROR node
    // or says anything about locks.
    if facts.has_error || facts.mentions_locks() {
        if let Some(err) = parsed.error {
            let (line, col) = line_col(&src.text, err.range().start().into());
            return Err(Failure::Skip(format!(
                "{}:{line}:{col}: syntax error: {err}; file skipped",
                src.display
            )));
        }
    }
    Ok(Analysed { src, facts, full })
}

/// How much of a file to analyse.
#[derive(Clone, Copy, PartialEq)]
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
    /// Boxed: a run holds one entry per file walked, most of them empty.
    analysed: Option<Box<Analysed>>,
    async_site: bool,
    /// Its cfg-alternative module items.
    alt_modules: Vec<walk::AltModule>,
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
            let alt_modules = walk::alternative_modules(&src.text, src.edition);
            let depth = wanted(&src.text);
            let analysed = if depth == Depth::Skip || krate.broken {
                None
            } else {
                let full = depth == Depth::Full;
                let mut a = analyse(src, input.file_id, flow_names, full, krate)?;
                a.facts.read_only = input.read_only;
                a.facts.cfg_alternative = input.cfg_alternative.clone();
                if let Some(m) = krate.manifest.as_deref() {
                    a.facts.unit = walk::compilation_unit(&input.path, m);
                    a.facts.shared_unit = walk::shared_module(&input.path, m);
                    a.facts.module = walk::unit_module_path(&input.path, m, a.facts.shared_unit)
                        .unwrap_or_default();
                    // A library's own files (not its binaries'): code
                    // outside the crate may call their public fns.
                    a.facts.library = krate.library
                        && a.facts.unit.is_empty()
                        && !input.path.ends_with("src/main.rs")
                        && !a.facts.module.starts_with("crate::bin");
                }
                file_allows(&mut a, krate);
                Some(Box::new(a))
            };
            Ok(Loaded {
                analysed,
                async_site,
                alt_modules,
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

/// The run as a pipeline of named steps: walk, group into crates, lock and
/// recover, load (pass 1, re-exports, async uses), plan each crate, report.
fn run_on_pool(opts: &Options) -> Outcome {
    let mut out = Outcome::default();
    let files = walk::walk(opts, &mut out);
    let Walked {
        mut inputs,
        mut crates,
        harness_files,
    } = walk::group_into_crates(files, opts, &mut out);
    if opts.whole_crates {
        walk::unmatched_config_globs(&inputs, &crates, opts, &mut out.warnings);
    }
    if !lock_and_recover(&inputs, &mut crates, opts, &mut out) {
        return out;
    }
    count_inputs(&mut inputs, &crates, opts, &mut out);
    let (mut state, async_site, alt_modules) = load_pass_one(&inputs, &crates, opts, &mut out);
    mark_cfg_alternatives(&mut inputs, &crates, &alt_modules, opts, &mut state);
    reread_for_reexports(&inputs, &mut crates, opts, &mut state);
    let joins = analyse_async_uses(&inputs, &crates, opts, &mut state, &async_site);
    let run = RunContext {
        inputs: &inputs,
        crates: &crates,
        joins: &joins,
        opts,
    };
    let views = plan_crates(&run, &mut state, &mut out);
    harness_notes(&inputs, &crates, &harness_files, &state, opts, &mut out);
    finish_run(&mut out, &mut state, opts);
    out.replanner = opts.replan.then(|| Replanner {
        state,
        inputs,
        crates,
        opts: opts.clone(),
        views,
    });
    out
}

/// Before anything is read: the `--write` lock of every crate directory,
/// then what an interrupted `--write` left there (a crate whose journal
/// cannot be rolled back is skipped). Returns false where the locks could
/// not be taken: the run stops there.
fn lock_and_recover(
    inputs: &[Input],
    crates: &mut [CrateInfo],
    opts: &Options,
    out: &mut Outcome,
) -> bool {
    let mut dirs: BTreeMap<PathBuf, BTreeSet<usize>> = BTreeMap::new();
    for input in inputs {
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
                return false;
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
    true
}

/// Drops the files of crates no longer selected, numbers the rest, and
/// counts them: scanned (per crate too) and read.
fn count_inputs(inputs: &mut Vec<Input>, crates: &[CrateInfo], opts: &Options, out: &mut Outcome) {
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
}

/// Pass 1, in parallel over every file: only a file that names a lock type
/// can declare a lock, so only those are parsed in full now (and those that
/// may block, for the blocking rules). Returns the files' state, which takes
/// over the errors so far, and per file whether it could hold a lock site in
/// async code.
fn load_pass_one(
    inputs: &[Input],
    crates: &[CrateInfo],
    opts: &Options,
    out: &mut Outcome,
) -> (Files, Vec<bool>, Vec<Vec<walk::AltModule>>) {
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
    let mut alt_modules = vec![Vec::new(); inputs.len()];
    for (i, r) in results.into_iter().enumerate() {
        match r {
            Ok(loaded) => {
                async_site[i] = loaded.async_site;
                alt_modules[i] = loaded.alt_modules;
                state.analysed.push(loaded.analysed);
            }
            Err(e) => {
                state.fail(&inputs[i], e);
                state.analysed.push(None);
            }
        }
    }
    (state, async_site, alt_modules)
}

/// Gives every file of a crate the places its cfg-alternative modules
/// cover (see `walk::alternative_places`), the analyses made so far
/// included: a lock with a declaration, site or type path there is manual.
fn mark_cfg_alternatives(
    inputs: &mut [Input],
    crates: &[CrateInfo],
    alt_modules: &[Vec<walk::AltModule>],
    opts: &Options,
    state: &mut Files,
) {
    if alt_modules.iter().all(Vec::is_empty) {
        return;
    }
    for crate_id in 0..crates.len() {
        let members: Vec<usize> = (0..inputs.len())
            .filter(|&i| inputs[i].crate_id == crate_id)
            .collect();
        if members.iter().all(|&i| alt_modules[i].is_empty()) {
            continue;
        }
        let files: Vec<(&Path, &[walk::AltModule])> = members
            .iter()
            .map(|&i| (inputs[i].path.as_path(), alt_modules[i].as_slice()))
            .collect();
        let places = walk::alternative_places(&files, |p| opts.display(p));
        for (&i, places) in members.iter().zip(places) {
            if let Some(a) = state.analysed[i].as_deref_mut() {
                a.facts.cfg_alternative = places.clone();
            }
            inputs[i].cfg_alternative = places;
        }
    }
}

/// Lock types re-exported by a crate's modules (`pub use std::sync::Mutex
/// as StdMutex;`) are recorded in its `CrateInfo`, and the files that may
/// name one are read again knowing them.
fn reread_for_reexports(
    inputs: &[Input],
    crates: &mut [CrateInfo],
    opts: &Options,
    state: &mut Files,
) {
    for (input, a) in inputs.iter().zip(&state.analysed) {
        let (Some(a), Some(manifest)) = (a, crates[input.crate_id].manifest.as_deref()) else {
            continue;
        };
        let Some(module) = walk::module_path(&input.path, manifest) else {
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
}

/// Marks the libraries' exported locks, then analyses the files that may
/// lock one of the declarations found in async code: only these can make a
/// lock a candidate for migration. Returns the crates planned with a
/// library (see `mark_exported_locks`).
fn analyse_async_uses(
    inputs: &[Input],
    crates: &[CrateInfo],
    opts: &Options,
    state: &mut Files,
    async_site: &[bool],
) -> BTreeMap<usize, usize> {
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
    let joins = mark_exported_locks(inputs, crates, opts, &mut state.analysed);
    state.analyse_more(
        inputs,
        crates,
        opts,
        (&names, Depth::Full),
        |i| async_site[i],
        |c, text| facts::may_lock_in_async(text, &names[c]),
    );
    joins
}

/// What every crate's planning reads and none changes: the walked files,
/// the crates, and which crates are planned with a library.
struct RunContext<'a> {
    inputs: &'a [Input],
    crates: &'a [CrateInfo],
    /// A crate that uses a library's public lock, which migrates, is planned
    /// with the library (see `mark_exported_locks`): by crate, the library.
    joins: &'a BTreeMap<usize, usize>,
    opts: &'a Options,
}

/// The plan of each crate, with the findings and changes merged into `out`
/// in crate order. Returns, per planned crate, what its plan was made of,
/// for the compiler's re-plans.
///
/// Crates are planned in parallel: each is planned on the files it owns
/// (its own and those of the crates planned with it), taken out of `state`
/// and put back after, so no two plans touch the same file. With a
/// baseline, which every crate takes its entries out of, they are planned
/// one after the other.
fn plan_crates(
    run: &RunContext,
    state: &mut Files,
    out: &mut Outcome,
) -> BTreeMap<usize, (Vec<usize>, crate::verify::CrateView)> {
    let planned_with = |c: usize| run.joins.get(&c).copied().unwrap_or(c);
    let mut members_of: Vec<Vec<usize>> = vec![Vec::new(); run.crates.len()];
    for (i, input) in run.inputs.iter().enumerate() {
        members_of[planned_with(input.crate_id)].push(i);
    }
    // A crate planned with another is blocked with it: their files are
    // written together.
    let todo: Vec<(usize, &[usize])> = members_of
        .iter()
        .enumerate()
        .filter(|(_, members)| {
            !members.is_empty()
                && !members
                    .iter()
                    .any(|&i| state.blocked.contains(&run.inputs[i].crate_id))
        })
        .map(|(c, members)| (c, members.as_slice()))
        .collect();
    // Per crate: its plan, and the errors and blocked crates its analyses
    // added (merged in crate order below, as a serial run would).
    let results: Vec<(Result<PlannedCrate, String>, Files)> = match run.opts.baseline.clone() {
        Some(mut baseline) => todo
            .iter()
            .map(|&(c, members)| {
                let mut own = state.take(members);
                let planned = plan_crate(run, c, members, &mut own, Some(&mut baseline));
                (planned, state.put_back(members, own))
            })
            .collect(),
        None => {
            let shared = std::sync::Mutex::new(&mut *state);
            let lock = || shared.lock().unwrap_or_else(|e| e.into_inner());
            todo.par_iter()
                .map(|&(c, members)| {
                    let mut own = lock().take(members);
                    let planned = plan_crate(run, c, members, &mut own, None);
                    (planned, lock().put_back(members, own))
                })
                .collect()
        }
    };
    let mut views = BTreeMap::new();
    for ((crate_id, _), (planned, mut added)) in todo.into_iter().zip(results) {
        state.errors.append(&mut added.errors);
        state.blocked.append(&mut added.blocked);
        match planned {
            Ok(PlannedCrate {
                out: mut crate_out,
                view,
            }) => {
                if let Some(view) = view {
                    views.insert(crate_id, view);
                }
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
    views
}

/// What planning one crate gives: its findings and changes, and what its
/// plan was made of (its analysed files, its fixes) for the compiler's
/// re-plans, when the run keeps that.
struct PlannedCrate {
    out: Outcome,
    view: Option<(Vec<usize>, crate::verify::CrateView)>,
}

/// Plans crate `crate_id`, whose files are `members` (its own, and those of
/// crates planned with it), to a fixed point: while the plan makes more
/// files worth analysing, they are analysed and the crate planned again;
/// while the baseline records some of its findings, they are suppressed and
/// the crate planned again.
///
/// Reads `run`. Writes `state`: more analysed files (of this crate and of
/// those planned with it), the joined crates' units, the baseline's
/// suppressions and the unused-suppression check's round trip, failures and
/// errors. Takes the findings it records out of `baseline`, which is shared
/// by every crate of the run. A panic becomes the error returned.
fn plan_crate(
    run: &RunContext,
    crate_id: usize,
    members: &[usize],
    state: &mut Files,
    mut baseline: Option<&mut crate::baseline::Baseline>,
) -> Result<PlannedCrate, String> {
    let krate = &run.crates[crate_id];
    let what = krate
        .manifest
        .as_deref()
        .map(|m| run.opts.display(m))
        .unwrap_or_else(|| run.opts.display(&run.inputs[members[0]].path));
    catch(&what, || {
        // The test builds' fault hook, planning a crate by its manifest.
        #[cfg(debug_assertions)]
        if let Some(m) = &krate.manifest {
            fault::panic_if_asked(m);
        }
        // Suppressions the baseline made, and the findings they hid.
        let (mut baselined, mut baselined_findings) = (0, 0);
        loop {
            own_units_for_joined(run.inputs, crate_id, members, state);
            let plan = state.plan(members, &krate.plan);
            if analyse_reach(run, crate_id, &plan, state) != 0 {
                continue;
            }
            let present: Vec<usize> = members
                .iter()
                .copied()
                .filter(|&i| state.analysed[i].is_some())
                .collect();
            let recorded = baseline
                .as_deref_mut()
                .map(|b| suppress_baselined(&plan, &present, state, b))
                .unwrap_or_default();
            if recorded.0 != 0 {
                baselined += recorded.0;
                baselined_findings += recorded.1;
                continue;
            }
            let mut out = Outcome::default();
            let view = CrateRun {
                inputs: run.inputs,
                crates: run.crates,
                crate_id,
                present: &present,
                opts: run.opts,
            }
            .finish(state, plan, baseline.as_deref_mut(), &mut out);
            // The baseline's suppressions are counted on their own.
            out.suppressed = out.suppressed.saturating_sub(baselined);
            out.baselined += baselined_findings;
            return PlannedCrate {
                out,
                view: view.map(|v| (present, v)),
            };
        }
    })
}

/// A joined crate's tests, examples and benches are units of their own,
/// never the library's namesakes.
fn own_units_for_joined(inputs: &[Input], crate_id: usize, members: &[usize], state: &mut Files) {
    for &i in members.iter().filter(|&&i| inputs[i].crate_id != crate_id) {
        if let Some(a) = state.analysed[i].as_mut() {
            if !a.facts.unit.is_empty() && !a.facts.unit.starts_with('#') {
                a.facts.unit = format!("#{}/{}", inputs[i].crate_id, a.facts.unit);
            }
        }
    }
}

/// Analyses what `plan` says may matter to it and is not analysed yet.
/// Returns how many files it analysed: the plan is trusted only at none.
///
/// Every file that can reach a lock locked in async code (its other sites,
/// flows into it), and every file that can call a sync fn whose callers
/// decide where a site runs, must be analysed before the plan is trusted.
/// Only migrating locks need it: more files can add blockers to a manual
/// lock but never make it migrate, and a flow that joins it to a migrating
/// lock names the migrating one too.
fn analyse_reach(
    run: &RunContext,
    crate_id: usize,
    plan: &locks::CratePlan,
    state: &mut Files,
) -> usize {
    let reach: HashSet<String> = plan
        .reports
        .iter()
        .filter(|r| r.decision == Decision::Migrate)
        .flat_map(|r| r.reach_names.iter().cloned())
        .collect();
    let callers: HashSet<String> = plan.runtime_names.iter().cloned().collect();
    let mut scope = vec![HashSet::new(); run.crates.len()];
    scope[crate_id] = reach.union(&callers).cloned().collect();
    for (&user, _) in run.joins.iter().filter(|(_, &lib)| lib == crate_id) {
        scope[user] = scope[crate_id].clone();
    }
    let found = state.analyse_more(
        run.inputs,
        run.crates,
        run.opts,
        (&scope, Depth::Full),
        |_| true,
        |_, text| {
            // Any mention of a sync fn may call it (a fn pointer, a
            // renamed import, a macro's tokens).
            facts::needs_analysis(text, &reach)
                || callers.iter().any(|n| facts::names_word(text, n))
        },
    );
    found + analyse_routes(run, crate_id, plan, state)
}

/// Analyses, for the blocking rules, the files not analysed yet that call
/// an async fn whose callers decide what executor runs a blocking call
/// (`plan.driver_names`): a `#[tokio::main]` that names no blocking call,
/// an async fn that only passes the call on. Returns how many it analysed.
fn analyse_routes(
    run: &RunContext,
    crate_id: usize,
    plan: &locks::CratePlan,
    state: &mut Files,
) -> usize {
    let names: HashSet<String> = plan.driver_names.iter().cloned().collect();
    let mut scope = vec![HashSet::new(); run.crates.len()];
    for (&user, _) in run.joins.iter().filter(|(_, &lib)| lib == crate_id) {
        scope[user] = names.clone();
    }
    scope[crate_id] = names;
    let names = &scope[crate_id];
    state.analyse_more(
        run.inputs,
        run.crates,
        run.opts,
        (&scope, Depth::Blocking),
        |_| true,
        |_, text| names.iter().any(|n| facts::calls_word(text, n)),
    )
}

/// Findings of `plan` that `baseline` records are suppressed where they are
/// (an allow in the file's facts), for the crate to be planned again
/// without them. Returns how many places it suppressed, and how many
/// findings they are.
fn suppress_baselined(
    plan: &locks::CratePlan,
    present: &[usize],
    state: &mut Files,
    baseline: &mut crate::baseline::Baseline,
) -> (usize, usize) {
    let files: Vec<&Analysed> = present
        .iter()
        .filter_map(|&i| state.analysed[i].as_deref())
        .collect();
    let (recorded, hidden) = in_baseline(plan, &files, baseline);
    let places = recorded.len();
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
    (places, hidden)
}

/// The run's last steps: a crate with a file that could not be analysed is
/// not written; the files' errors come first; messages name files as the
/// output does.
fn finish_run(out: &mut Outcome, state: &mut Files, opts: &Options) {
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
            .filter_map(|&i| state.analysed[i].as_deref())
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
        .any(|&i| state.analysed[i].as_deref().is_some_and(checked))
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
        .chain(bare.reports.iter().map(|r| (r.rule(), &r.decl)))
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
            report_unused(plan, file, text, allow, &unused);
        }
        a.facts.allows.extend(comments);
    }
}

/// The finding, with its fix, of the rules `unused` of the suppression
/// comment `allow` in file `file` (whose text is `text`), added to `plan`.
fn report_unused(
    plan: &mut locks::CratePlan,
    file: usize,
    text: &str,
    allow: &facts::Allow,
    unused: &[&String],
) {
    let kept: Vec<&str> = allow
        .rules
        .iter()
        .filter(|r| !unused.contains(r))
        .map(String::as_str)
        .collect();
    let edit = allow_removal(text, allow.comment, &kept);
    let names = unused.iter().map(|r| format!("`{r}`")).collect::<Vec<_>>();
    let message = match kept.is_empty() {
        true => "this `awaitify: allow(..)` comment suppresses nothing; remove it".to_string(),
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
        match b.helper.as_deref() {
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
    for (rule, at) in singles {
        if take(rule, at) {
            out.push((at.file, at.range, rule.code));
            findings += 1;
        }
    }
    // A migration the crate cannot take (tokio optional or renamed: see
    // `apply::withdraw_if_tokio_unusable`) is reported, and recorded, as
    // manual: a recorded manual finding holds the lock back either way.
    for r in &plan.reports {
        let rule = r.rule();
        let recorded = take(rule, &r.decl)
            || (r.decision == Decision::Migrate && take(&rules::MANUAL_LOCK_MIGRATION, &r.decl));
        if recorded {
            out.push((r.decl.file, r.decl.range, rule.code));
            findings += 1;
        }
    }
    (out, findings)
}

/// Per walked file: its analysis, if it had one, and whether it failed.
struct Files {
    analysed: Vec<Option<Box<Analysed>>>,
    failed: Vec<bool>,
    errors: Vec<String>,
    /// Crates with a file that could not be analysed: none is written.
    blocked: BTreeSet<usize>,
}

impl Files {
    /// The files `members` as a state of their own, for one crate's plan:
    /// their analyses move out of `self` (the other entries stay empty).
    fn take(&mut self, members: &[usize]) -> Files {
        let mut own = Files {
            analysed: std::iter::repeat_with(|| None)
                .take(self.analysed.len())
                .collect(),
            failed: self.failed.clone(),
            errors: Vec::new(),
            blocked: BTreeSet::new(),
        };
        for &i in members {
            own.analysed[i] = self.analysed[i].take();
        }
        own
    }

    /// Puts back what `take` moved out, with the files the crate's plan
    /// analysed and those that failed. Returns the rest of what it added
    /// (errors, blocked crates), for the caller to merge in crate order.
    fn put_back(&mut self, members: &[usize], mut own: Files) -> Files {
        for &i in members {
            self.analysed[i] = own.analysed[i].take();
            self.failed[i] = own.failed[i];
        }
        Files {
            analysed: Vec::new(),
            failed: Vec::new(),
            ..own
        }
    }

    /// The plan of a crate made of the analysed files among `members`.
    fn plan(&self, members: &[usize], opts: &PlanOptions) -> locks::CratePlan {
        let analysed: Vec<&Analysed> = members
            .iter()
            .filter_map(|&i| self.analysed[i].as_deref())
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

    /// Analyses to `depth` the files not yet analysed so far, of crates
    /// with a non-empty `scope`, for which `wanted(crate, text)` holds.
    /// Returns how many it analysed.
    fn analyse_more(
        &mut self,
        inputs: &[Input],
        crates: &[CrateInfo],
        opts: &Options,
        (scope, depth): (&[HashSet<String>], Depth),
        candidate: impl Fn(usize) -> bool,
        wanted: impl Fn(usize, &str) -> bool + Sync,
    ) -> usize {
        let todo: Vec<usize> = (0..inputs.len())
            .filter(|&i| {
                self.analysed[i]
                    .as_ref()
                    .is_none_or(|a| depth == Depth::Full && !a.full)
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
                        depth
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
    joined: &[(usize, &Path)],
    files: &[&Analysed],
    mut plan: locks::CratePlan,
    opts: &Options,
    out: &mut Outcome,
) {
    let (crate_ok, shared) = crate::edits::apply::apply_plan(
        crate_id,
        manifest_path,
        joined,
        files,
        &mut plan,
        opts,
        out,
    );
    crate::findings::diagnostics(crate_id, files, &plan, crate_ok, &shared, opts, out);
}
