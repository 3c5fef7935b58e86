//! The command line, shared by `awaitify` and `cargo awaitify`: the clap
//! definitions, the subcommands, and the flags turned into what the library
//! and `apply` (run, review, write, verify, print, exit code) need.

mod apply;

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::io::{IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{bail, Context as _, Result};
use clap::{CommandFactory as _, Parser, Subcommand, ValueEnum};

use crate::driver;
use crate::settings::Policy;
use crate::{migration_tests, rules, verify};

const EXAMPLES: &str = "\
Examples:
  awaitify                      dry run over the current directory: diagnostics and diffs
  awaitify src/ --check         exit 1 if anything would change (for CI)
  awaitify --write              rewrite in place, then `cargo check` what changed
  awaitify --verify             dry run, checked by the compiler in a scratch copy
  awaitify --verify | git apply the same as --write, through git
  awaitify --format sarif -o awaitify.sarif
  awaitify --write-baseline awaitify-baseline.json    record today's findings, then in CI:
  awaitify --check --baseline awaitify-baseline.json  fail only on new findings
  cargo awaitify --workspace    every package of the workspace
  awaitify explain AW101        what a rule means and how its fix works

Exit codes: 0 nothing to change (or written), 1 an error-severity finding,
changes pending with --check or what --fail-on names, 2 usage error or a file
that could not be read, parsed, written or verified.";

/// Migrate std::sync locks that are locked in async code to tokio::sync.
///
/// awaitify finds std (and parking_lot) Mutex and RwLock values that are
/// locked inside async code, across every file of a crate, and rewrites
/// imports, types, constructors and every lock site. It also finds blocking
/// calls in async code and replaces them where a tokio twin exists. Nothing
/// is written unless --write is given.
#[derive(Parser, Debug)]
#[command(name = "awaitify", version, after_help = EXAMPLES, args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,

    /// Files or directories to scan (gitignore-aware) [default: the package
    /// the current directory is in (as cargo finds it), else .; or the
    /// packages picked with --manifest-path, -p, --workspace]. Symlinks:
    /// symlinked directories are not followed; a symlinked `.rs` file is
    /// scanned, and --write writes its target (never replacing the link)
    /// only when the target lies inside the paths given; otherwise it is
    /// read, never written, with a note.
    paths: Vec<PathBuf>,

    /// Apply fixes in place, atomically, crate by crate: a crate is written
    /// whole or not at all (a failed write restores it; a file changed since
    /// it was read is not overwritten). A run killed mid-write leaves a
    /// journal (`.awaitify-journal`) from which the next --write rolls the
    /// crate back first. Two --write runs on one crate wait for each other.
    /// It then runs `cargo check`, and so the crate's build scripts and proc
    /// macros (--no-verify does not).
    #[arg(long, visible_alias = "fix")]
    write: bool,

    /// Write nothing; exit with 1 if any change would be made or an
    /// error-severity finding (AW204) remains (see --fail-on).
    #[arg(long, conflicts_with = "write")]
    check: bool,

    /// What makes the run exit with 1: `error` (an error-severity finding,
    /// AW204), `fix` (that, or a change pending), `manual` (that, or a
    /// finding this run cannot fix: AW102, AW205, reported blocking calls),
    /// `warning` (any finding of warning or error severity). Findings fixed
    /// by --write no longer count. [default: fix with --check, else error]
    #[arg(long, value_enum, value_name = "LEVEL")]
    fail_on: Option<FailOn>,

    /// Leave the findings recorded in FILE (by --write-baseline) alone:
    /// neither reported, nor fixed, nor failing the run, as if suppressed.
    /// Matched by rule, file and source line (whitespace aside), not by line
    /// number, so edits elsewhere keep them matched.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,

    /// Record this run's findings in FILE for --baseline, and exit with 0
    /// (unless a file could not be handled). Paths in it are relative to
    /// FILE's directory.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["write", "baseline"])]
    write_baseline: Option<PathBuf>,

    /// Exit with 0 even when --check or --fail-on would fail (errors
    /// reading, parsing or writing files still exit with 2).
    #[arg(long)]
    exit_zero: bool,

    /// With --write, also touch files that have uncommitted changes.
    #[arg(long)]
    allow_dirty: bool,

    /// Check the changes with `cargo check --all-targets` (and
    /// `--all-features` for a package with features; on by default with
    /// --write, which writes nothing when cargo cannot run). A target that
    /// did not build before is left out. A new error is traced to the fix
    /// that caused it: the fix is extended to a declaration the analysis
    /// missed, completed at a lock site, `&guard` or std constructor it
    /// missed, or withdrawn and reported (AW102), until the package builds;
    /// if it cannot be made to, its files are restored byte for byte. A
    /// package that did not build before is written unverified. When cargo
    /// itself fails (no compiler error: I/O, network, resolution, a signal)
    /// its files are restored too, and the run exits 2. Without
    /// --write: checked in a scratch copy, and the diff shown is the one
    /// that builds. The check shares the package's target directory.
    #[arg(long, conflicts_with = "no_verify")]
    verify: bool,

    /// With --write, do not run `cargo check` on what was written.
    #[arg(long)]
    no_verify: bool,

    /// With --write, keep the edits of a package whose check itself failed
    /// (cargo could not run, failed with no compiler error, or was killed);
    /// by default its files are restored. Either way the run exits 2.
    #[arg(long, conflicts_with = "no_verify")]
    allow_unverified: bool,

    /// How long one `cargo check` of the changes may run, in seconds; then
    /// it is stopped, and the package handled as when cargo itself fails.
    #[arg(long, value_name = "SECONDS", default_value_t = 600)]
    verify_timeout: u64,

    /// Features for the check (space- or comma-separated), as `cargo check
    /// --features` takes them.
    #[arg(long, value_name = "FEATURES")]
    features: Vec<String>,

    /// Check with every feature of the package.
    #[arg(long)]
    all_features: bool,

    /// Check without the package's default features.
    #[arg(long)]
    no_default_features: bool,

    /// Run the check as `cargo check --offline`: it uses only the
    /// dependencies already downloaded, and fails rather than fetch one.
    #[arg(long)]
    offline: bool,

    /// Ask before writing each crate's changes (y/n/a/q); needs a terminal.
    #[arg(long, requires = "write")]
    interactive: bool,

    /// Which locks to migrate [default: async-use, or the configuration's].
    #[arg(long, value_enum)]
    policy: Option<Policy>,

    /// Also migrate parking_lot locks that are locked in async code.
    #[arg(long)]
    parking_lot: bool,

    /// Also apply fixes that may change behaviour (tokio::process, spawn_blocking wraps),
    /// and migrate locks that are a library's public API (a breaking change;
    /// or set `public-api = "migrate"` in the configuration).
    #[arg(long)]
    unsafe_fixes: bool,

    /// Only these rules: codes, code prefixes (AW2), names or `all`;
    /// comma-separated. Replaces the configuration's selection (its `select`
    /// and `ignore`).
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    select: Option<Vec<String>>,

    /// Skip these rules (same forms as --select), in addition to those the
    /// configuration's `ignore` skips.
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    ignore: Option<Vec<String>>,

    /// Leave files matching this glob alone (repeatable), e.g.
    /// 'src/generated/**': they are read, never changed. Globs match paths as
    /// they are shown, relative to the current directory, or (without a `/`)
    /// a file's name; one that matches nothing is warned about. In `cargo
    /// awaitify`, --exclude takes packages, as cargo's does. Files a test
    /// harness compiles are always left alone: tests/ui/**,
    /// tests/compile-fail/**, tests/fail/** (the configuration key
    /// `harness-fixtures` replaces this list) and the paths the crate's tests
    /// hand to trybuild or ui_test.
    #[arg(long, value_name = "GLOB")]
    exclude: Vec<String>,

    /// Leave files matching this glob alone (repeatable): --exclude GLOB of
    /// `awaitify`, under a name that `cargo awaitify` shares.
    #[arg(long, value_name = "GLOB")]
    exclude_files: Vec<String>,

    /// Edition for files that no Cargo.toml owns.
    #[arg(long, default_value = "2021", value_parser = ["2015", "2018", "2021", "2024"])]
    edition: String,

    /// Output: rustc-style snippets (full), one line per finding (concise),
    /// one JSON document, cargo's JSON message stream (cargo-json: one
    /// rustc diagnostic per line, fixes as suggestions), SARIF 2.1.0, GitHub
    /// workflow annotations, or only the combined patch.
    #[arg(
        long,
        visible_alias = "output-format",
        value_enum,
        default_value = "full"
    )]
    format: Format,

    /// cargo's name for the output: `json` (and cargo's `json-*` forms) is
    /// `--format cargo-json`, the stream editors read from `cargo check
    /// --message-format json` (e.g. rust-analyzer's
    /// `check.overrideCommand`: ["cargo", "awaitify", "--message-format=json"]);
    /// `short` is `concise`, `human` is `full`.
    #[arg(long, value_name = "FMT", conflicts_with_all = ["format", "diff"], value_parser = [
        "json", "json-diagnostic-short", "json-diagnostic-rendered-ansi",
        "json-render-diagnostics", "short", "human",
    ])]
    message_format: Option<String>,

    /// Print only the diff of the fixes and write nothing (ruff's name for
    /// `--format patch`).
    #[arg(long, conflicts_with_all = ["write", "format"])]
    diff: bool,

    /// Also write the combined patch of every change to FILE (`-`: to
    /// stdout, instead of the diffs shown there).
    #[arg(long, value_name = "FILE")]
    diff_out: Option<PathBuf>,

    /// Write what goes to stdout (diffs, or the json, sarif or github
    /// document) to FILE instead; diagnostics stay on stderr.
    #[arg(short, long, value_name = "FILE")]
    output_file: Option<PathBuf>,

    /// Colors: on a terminal only (auto), always or never. NO_COLOR is respected.
    #[arg(long, value_enum, default_value = "auto")]
    color: Color,

    /// Print only the number of findings per rule, and how many this run
    /// fixes (fixable in a dry run, fixed with --write), instead of the
    /// diagnostics, diffs and summary, on stdout (with json, sarif or
    /// github: on stderr, beside the document).
    #[arg(long)]
    statistics: bool,

    /// Also list the fixes this run applies (with --write) or would apply
    /// (in the diff), per file and rule, on stderr before the summary.
    #[arg(long)]
    show_fixes: bool,

    /// Cargo.toml of the package or workspace to migrate (through `cargo metadata`).
    #[arg(long, value_name = "PATH")]
    manifest_path: Option<PathBuf>,

    /// Package(s) of the workspace to migrate (repeatable).
    #[arg(short, long = "package", value_name = "SPEC")]
    package: Vec<String>,

    /// Every package of the workspace.
    #[arg(long)]
    workspace: bool,

    /// Worker threads for reading and parsing (default: one per core).
    #[arg(short = 'j', long, value_name = "N")]
    threads: Option<usize>,

    /// Print only errors (and the --statistics table); no diagnostics,
    /// warnings, diffs, progress or summary.
    #[arg(short, long, conflicts_with = "verbose")]
    quiet: bool,

    /// Also print one line per crate (its files, findings and fixes) and
    /// how many files were parsed and analysed.
    #[arg(short, long)]
    verbose: bool,

    /// Run as `cargo awaitify`: --exclude takes packages.
    #[arg(skip)]
    cargo: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    Full,
    Concise,
    Json,
    CargoJson,
    Sarif,
    Github,
    Patch,
}

/// `--fail-on`: each level includes the ones before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
enum FailOn {
    Error,
    Fix,
    Manual,
    Warning,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Print the documentation of a rule.
    Explain {
        /// A rule code (AW101) or name (std-lock-in-async).
        #[arg(value_parser = rule_names(), ignore_case = true)]
        code: String,
    },
    /// List all rules with their severity and fix.
    Rules {
        /// As the Markdown table of the README.
        #[arg(long)]
        markdown: bool,
    },
    /// Run every case in DIR (a `*.rs` file or a crate directory) and compare
    /// each file with the `*.fixed` file next to it (no `.fixed`: unchanged).
    Test {
        dir: PathBuf,
        /// Write the `.fixed` files from this run instead of comparing.
        #[arg(long)]
        bless: bool,
        /// Run the cases with --unsafe-fixes.
        #[arg(long)]
        unsafe_fixes: bool,
    },
    /// Print a shell completion script.
    Completions { shell: clap_complete::Shell },
}

/// Every rule's code and name, so that shells complete them.
fn rule_names() -> clap::builder::PossibleValuesParser {
    let names = rules::RULES.iter().flat_map(|r| [r.code, r.name]);
    clap::builder::PossibleValuesParser::new(names)
}

/// Runs the command line `args` (the program name first).
pub fn main(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    run_cli(Cli::parse_from(args))
}

/// Runs `cargo awaitify` (the program name first, without cargo's
/// `awaitify`): the same as `awaitify`, but for `--exclude`, which takes
/// packages of the workspace as cargo's does.
pub fn cargo_main(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    use clap::FromArgMatches as _;
    let mut command = Cli::command()
        .name("cargo-awaitify")
        .bin_name("cargo awaitify")
        .mut_arg("exclude", |a| {
            a.value_name("SPEC").help(
                "Leave this package out of --workspace (repeatable), as cargo does; files: --exclude-files",
            ).long_help(None)
        });
    let matches = command
        .try_get_matches_from_mut(args)
        .unwrap_or_else(|e| e.exit());
    let mut cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.format(&mut command).exit());
    cli.cargo = true;
    // As a cargo subcommand, cargo's color setting stands in for `auto`.
    if cli.color == Color::Auto {
        match std::env::var("CARGO_TERM_COLOR").as_deref() {
            Ok("always") => cli.color = Color::Always,
            Ok("never") => cli.color = Color::Never,
            _ => {}
        }
    }
    run_cli(cli)
}

fn run_cli(mut cli: Cli) -> ExitCode {
    if cli.diff {
        cli.format = Format::Patch;
    }
    cli.format = match cli.message_format.as_deref() {
        Some("short") => Format::Concise,
        Some("human") => Format::Full,
        Some(_) => Format::CargoJson,
        None => cli.format,
    };
    // A panic in one file's or crate's analysis is reported as one line.
    driver::quiet_panics();
    let stdout = &mut std::io::stdout().lock();
    match cli.command {
        Some(Command::Explain { code }) => {
            return match rules::find(&code) {
                Some(rule) => {
                    let _ = writeln!(
                        stdout,
                        "{} ({}): {}\n\n{}",
                        rule.code, rule.name, rule.summary, rule.doc
                    );
                    ExitCode::SUCCESS
                }
                None => {
                    eprintln!("error: unknown rule `{code}`; `awaitify rules` lists them");
                    ExitCode::from(2)
                }
            };
        }
        Some(Command::Rules { markdown }) => {
            let table = match markdown {
                true => rules::markdown_table(),
                false => rules::table(),
            };
            let _ = write!(stdout, "{table}");
            return ExitCode::SUCCESS;
        }
        Some(Command::Completions { shell }) => {
            clap_complete::generate(shell, &mut Cli::command(), "awaitify", stdout);
            return ExitCode::SUCCESS;
        }
        Some(Command::Test {
            dir,
            bless,
            unsafe_fixes,
        }) => return migration_tests::main(&dir, bless, unsafe_fixes),
        None => {}
    }
    match apply::migrate(&cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// Manifests of the packages `--manifest-path`, `-p` and `--workspace` pick,
/// or `None` when none of them is given.
fn cargo_packages(
    cli: &Cli,
    warnings: &mut Vec<String>,
) -> Result<Option<(Vec<PathBuf>, BTreeSet<PathBuf>)>> {
    if cli.cargo && !cli.exclude.is_empty() && !cli.workspace {
        bail!("--exclude can only be used together with --workspace (for files: --exclude-files)");
    }
    if cli.manifest_path.is_none() && cli.package.is_empty() && !cli.workspace {
        return Ok(None);
    }
    let mut cmd = cargo_metadata::MetadataCommand::new();
    cmd.no_deps();
    if let Some(m) = &cli.manifest_path {
        cmd.manifest_path(m);
    }
    let meta = cmd.exec().context("cargo metadata")?;
    let members = meta.workspace_packages();
    let picked: Vec<_> = if cli.workspace {
        let excluded = |p: &&cargo_metadata::Package| {
            cli.cargo && cli.exclude.iter().any(|e| e == p.name.as_str())
        };
        for spec in cli.exclude.iter().filter(|_| cli.cargo) {
            if !members.iter().any(|p| p.name.as_str() == spec) {
                warnings.push(format!(
                    "--exclude: package `{spec}` is not a member of the workspace at {}",
                    meta.workspace_root
                ));
            }
        }
        members.iter().filter(|p| !excluded(p)).copied().collect()
    } else if !cli.package.is_empty() {
        let mut picked = Vec::new();
        for spec in &cli.package {
            match members.iter().find(|p| p.name.as_str() == spec) {
                Some(p) => picked.push(*p),
                None => bail!(
                    "package `{spec}` is not a member of the workspace at {} (members: {})",
                    meta.workspace_root,
                    members
                        .iter()
                        .map(|p| p.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            }
        }
        picked
    } else {
        // Like cargo: the package of the manifest, or the default members of
        // a virtual workspace.
        let root = cli
            .manifest_path
            .as_deref()
            .and_then(|m| m.canonicalize().ok());
        match members
            .iter()
            .find(|p| Some(p.manifest_path.as_std_path()) == root.as_deref())
        {
            Some(p) => vec![*p],
            None => meta.workspace_default_packages(),
        }
    };
    let manifests: BTreeSet<PathBuf> = picked
        .iter()
        .map(|p| p.manifest_path.clone().into_std_path_buf())
        .collect();
    let dirs = manifests
        .iter()
        .filter_map(|m| m.parent().map(Path::to_path_buf))
        .collect();
    Ok(Some((dirs, manifests)))
}

fn use_color(choice: Color, stream: &impl std::io::IsTerminal) -> bool {
    match choice {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => {
            stream.is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    }
}

/// A progress bar that shows itself only if the run takes over a second, on
/// a terminal.
fn progress_bar(cli: &Cli) -> Option<indicatif::ProgressBar> {
    if cli.quiet || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::hidden();
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {pos}/{len} files {wide_bar} {elapsed}")
            .expect("a valid template"),
    );
    let shown = bar.clone();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(1));
        if !shown.is_finished() {
            shown.set_draw_target(indicatif::ProgressDrawTarget::stderr());
            // Keeps drawing while the crates are planned, after the last file.
            shown.enable_steady_tick(Duration::from_millis(100));
        }
    });
    Some(bar)
}

/// Why nothing checks the changes when cargo cannot be run.
const NO_CARGO: &str = "cargo is not on PATH";

/// How `cargo check` runs for this command line, or why it does not.
fn verification(cli: &Cli) -> Result<verify::Settings, &'static str> {
    if cli.no_verify {
        return Err("--no-verify");
    }
    if !cli.verify && !cli.write {
        return Err("a dry run checks with --verify");
    }
    if !verify::cargo_available() {
        return Err(NO_CARGO);
    }
    let mut cargo_args = Vec::new();
    for f in &cli.features {
        cargo_args.extend(["--features".to_string(), f.clone()]);
    }
    if cli.all_features {
        cargo_args.push("--all-features".to_string());
    }
    if cli.no_default_features {
        cargo_args.push("--no-default-features".to_string());
    }
    Ok(verify::Settings {
        cargo_args,
        offline: cli.offline,
        quiet: cli.quiet,
        allow_unverified: cli.allow_unverified,
        timeout: std::time::Duration::from_secs(cli.verify_timeout),
    })
}
