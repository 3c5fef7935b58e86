//! The command line, shared by `awaitify` and `cargo awaitify`: turns flags
//! into options for the library, prints what a run found, writes, verifies.

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::io::{IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _, Result};
use clap::{CommandFactory as _, Parser, Subcommand, ValueEnum};

use crate::manifest::parse_edition;
use crate::plan::Policy;
use crate::run::{self, FileChange, Options};
use crate::{output, rules, usertest, write};

const EXAMPLES: &str = "\
Examples:
  awaitify                      dry run over the current directory: diagnostics and diffs
  awaitify src/ --check         exit 1 if anything would change (for CI)
  awaitify --write --verify     rewrite in place, then `cargo check`; undo on failure
  awaitify | git apply          the same as --write, through git
  awaitify --format sarif > awaitify.sarif
  cargo awaitify --workspace    every package of the workspace
  awaitify explain AW101        what a rule means and how its fix works

Exit codes: 0 nothing to change (or written), 1 changes pending with --check
or an error-severity finding, 2 usage error or a file that could not be read,
parsed, written or verified.";

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

    /// Files or directories to scan (gitignore-aware) [default: ., or the
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
    #[arg(long)]
    write: bool,

    /// Exit with 1 if any change would be made or an error-severity finding
    /// (AW204) remains; write nothing.
    #[arg(long, conflicts_with = "write")]
    check: bool,

    /// With --write, also touch files that have uncommitted changes.
    #[arg(long)]
    allow_dirty: bool,

    /// After --write, run `cargo check --all-targets` for each changed package
    /// and restore its files if it fails.
    #[arg(long, requires = "write")]
    verify: bool,

    /// Ask before writing each crate's changes (y/n/a/q); needs a terminal.
    #[arg(long, requires = "write")]
    interactive: bool,

    /// Which locks to migrate [default: async-use, or the configuration's].
    #[arg(long, value_enum)]
    policy: Option<Policy>,

    /// Also migrate parking_lot locks that are locked in async code.
    #[arg(long)]
    parking_lot: bool,

    /// Also apply fixes that may change behaviour (tokio::process, spawn_blocking wraps).
    #[arg(long)]
    unsafe_fixes: bool,

    /// Only these rules: codes, code prefixes (AW2), names or `all`; comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    select: Option<Vec<String>>,

    /// Skip these rules (same forms as --select).
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    ignore: Option<Vec<String>>,

    /// Leave files matching this glob alone (repeatable), e.g. 'tests/**':
    /// they are read, never changed.
    #[arg(long, value_name = "GLOB")]
    exclude: Vec<String>,

    /// Edition for files that no Cargo.toml owns.
    #[arg(long, default_value = "2021", value_parser = ["2015", "2018", "2021", "2024"])]
    edition: String,

    /// Output: rustc-style snippets (full), one line per finding (concise),
    /// one JSON document, SARIF 2.1.0, GitHub workflow annotations, or only
    /// the combined patch.
    #[arg(long, value_enum, default_value = "full")]
    format: Format,

    /// Also write the combined patch of every change to FILE.
    #[arg(long, value_name = "FILE")]
    diff_out: Option<PathBuf>,

    /// Colors: on a terminal only (auto), always or never. NO_COLOR is respected.
    #[arg(long, value_enum, default_value = "auto")]
    color: Color,

    /// Print the number of findings per rule.
    #[arg(long)]
    statistics: bool,

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

    /// Print only errors; no diagnostics, diffs, progress or summary.
    #[arg(short, long, conflicts_with = "verbose")]
    quiet: bool,

    /// Also say how many files were parsed and analysed.
    #[arg(short, long)]
    verbose: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    Full,
    Concise,
    Json,
    Sarif,
    Github,
    Patch,
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

/// Runs the command line `args` (the program name first).
pub fn main(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    let cli = Cli::parse_from(args);
    // A panic in one file's or crate's analysis is reported as one line.
    run::quiet_panics();
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
        }) => return usertest::main(&dir, bless, unsafe_fixes),
        None => {}
    }
    match migrate(&cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// Manifests of the packages `--manifest-path`, `-p` and `--workspace` pick,
/// or `None` when none of them is given.
fn cargo_packages(cli: &Cli) -> Result<Option<(Vec<PathBuf>, BTreeSet<PathBuf>)>> {
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
        members
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

fn migrate(cli: &Cli) -> Result<ExitCode> {
    let started = Instant::now();
    for selector in cli.select.iter().chain(&cli.ignore).flatten() {
        rules::check_selector(selector).map_err(|e| anyhow::anyhow!("--select/--ignore: {e}"))?;
    }
    if cli.interactive && !std::io::stdin().is_terminal() {
        bail!("--interactive needs a terminal; review the dry-run diff instead");
    }
    let (mut paths, packages) = match cargo_packages(cli)? {
        Some((dirs, manifests)) => (dirs, Some(manifests)),
        None => (Vec::new(), None),
    };
    paths.extend(cli.paths.iter().cloned());
    if paths.is_empty() {
        paths.push(PathBuf::from("."));
    }
    let progress = progress_bar(cli);
    let opts = Options {
        exclude: cli.exclude.clone(),
        policy: cli.policy,
        parking_lot: cli.parking_lot.then_some(true),
        select: cli.select.clone(),
        ignore: cli.ignore.clone(),
        unsafe_fixes: cli.unsafe_fixes,
        default_edition: parse_edition(&cli.edition).expect("clap checked the edition"),
        packages,
        progress: progress.clone(),
        keep_sources: cli.format == Format::Full && !cli.quiet,
        threads: cli.threads,
        write: cli.write,
        ..Options::new(paths)
    };
    let mut outcome = run::run(&opts);
    if let Some(p) = progress {
        p.finish_and_clear();
    }
    let stdout = &mut std::io::stdout().lock();
    let stderr = &mut std::io::stderr().lock();
    let err_color = use_color(cli.color, &std::io::stderr());
    let out_color = use_color(cli.color, &std::io::stdout());

    if cli.interactive {
        let accepted = review(
            &outcome.changes,
            &mut std::io::stdin().lock(),
            stderr,
            err_color,
        );
        outcome.retain_crates(|c| accepted.contains(&c));
    }
    if cli.write {
        let roots = write::canonical_roots(&opts.paths);
        let (errors, backups, journals) =
            write::write_changes(&outcome.changes, cli.allow_dirty, &roots);
        outcome.errors.extend(errors);
        // A crate with a dirty or read-only file is not written at all.
        let written: BTreeSet<usize> = backups.iter().map(|b| b.crate_id).collect();
        outcome.retain_crates(|c| written.contains(&c));
        if cli.verify {
            let (errors, restored) = verify(&backups, cli.quiet, stderr);
            outcome.errors.extend(errors);
            outcome.retain_crates(|c| !restored.contains(&c));
        }
        outcome.errors.extend(journals.finish());
    }
    if let Some(file) = &cli.diff_out {
        let patch: String = outcome.changes.iter().map(output::diff).collect();
        if let Err(e) = std::fs::write(file, patch) {
            outcome
                .errors
                .push(format!("{}: cannot write the patch: {e}", file.display()));
        }
    }
    // A closed pipe (`| head`) is not an error: printing just stops.
    let human = matches!(cli.format, Format::Full | Format::Concise);
    if human && !cli.quiet {
        for d in &outcome.diagnostics {
            let text = output::human(
                d,
                &outcome,
                cli.format == Format::Concise,
                err_color,
                cli.write,
            );
            // Like rustc: a blank line after each snippet.
            let gap = if cli.format == Format::Full { "\n" } else { "" };
            let _ = writeln!(stderr, "{text}{gap}");
        }
    }
    let diffs = (human && !cli.quiet) || cli.format == Format::Patch;
    if diffs && !cli.write {
        for change in &outcome.changes {
            if write!(stdout, "{}", output::shown_diff(change, out_color)).is_err() {
                break;
            }
        }
    }
    let document = match cli.format {
        Format::Json => output::json(&outcome, cli.write),
        Format::Sarif => output::sarif(&outcome),
        Format::Github => output::github(&outcome),
        _ => String::new(),
    };
    let _ = write!(stdout, "{document}");
    if !cli.quiet {
        for n in &outcome.notes {
            let _ = writeln!(stderr, "note: {n}");
        }
    }
    for e in &outcome.errors {
        let _ = writeln!(stderr, "error: {e}");
    }
    if cli.verbose {
        let _ = writeln!(
            stderr,
            "awaitify: analysed {} of {} files read; the others cannot hold a lock declaration or site that matters",
            outcome.files_analysed, outcome.files_read
        );
    }
    if cli.statistics {
        let _ = write!(stderr, "{}", output::statistics(&outcome));
    }
    if !cli.quiet && (human || cli.statistics) {
        let _ = writeln!(
            stderr,
            "{}",
            output::summary(&outcome, cli.write, started.elapsed())
        );
    }
    let error_findings = outcome
        .diagnostics
        .iter()
        .any(|d| d.rule.severity == rules::Severity::Error);
    Ok(if !outcome.errors.is_empty() {
        ExitCode::from(2)
    } else if cli.check && (!outcome.changes.is_empty() || error_findings) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// `--interactive`: shows each crate's changes and returns the crates whose
/// changes are accepted. The unit is a crate because a lock migration must
/// change all of its files together to compile.
pub fn review(
    changes: &[FileChange],
    input: &mut dyn std::io::BufRead,
    out: &mut dyn std::io::Write,
    color: bool,
) -> BTreeSet<usize> {
    let mut crates: Vec<usize> = changes.iter().map(|c| c.crate_id).collect();
    crates.dedup();
    let mut accepted = BTreeSet::new();
    let mut all = false;
    for (i, &crate_id) in crates.iter().enumerate() {
        if !all {
            let files: Vec<&FileChange> =
                changes.iter().filter(|c| c.crate_id == crate_id).collect();
            for c in &files {
                let _ = write!(out, "{}", output::shown_diff(c, color));
            }
            let answer = loop {
                let _ = write!(
                    out,
                    "({}/{}) Apply the changes to these {} file(s) [y,n,a,q,?]? ",
                    i + 1,
                    crates.len(),
                    files.len()
                );
                let _ = out.flush();
                let mut line = String::new();
                if input.read_line(&mut line).unwrap_or(0) == 0 {
                    break "q".to_string();
                }
                match line.trim() {
                    "y" | "n" | "a" | "q" => break line.trim().to_string(),
                    _ => {
                        let _ = writeln!(
                            out,
                            "y - apply these changes\nn - skip them\na - apply these and all later changes\nq - quit; skip these and all later changes"
                        );
                    }
                }
            };
            match answer.as_str() {
                "y" => {}
                "a" => all = true,
                "n" => continue,
                _ => break,
            }
        }
        accepted.insert(crate_id);
    }
    accepted
}

/// `--verify`: `cargo check --all-targets` for each package this run wrote;
/// a package that fails gets its files back byte for byte.
fn verify(
    backups: &[write::Backup],
    quiet: bool,
    stderr: &mut dyn std::io::Write,
) -> (Vec<String>, BTreeSet<usize>) {
    let mut errors = Vec::new();
    let mut restored = BTreeSet::new();
    let mut crates: Vec<usize> = backups.iter().map(|b| b.crate_id).collect();
    crates.dedup();
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    for crate_id in crates {
        let of_crate: Vec<_> = backups.iter().filter(|b| b.crate_id == crate_id).collect();
        let Some(manifest) = &of_crate[0].manifest else {
            errors.push(format!(
                "{}: --verify: no Cargo.toml owns it, so it cannot be checked (kept as written)",
                of_crate[0].display
            ));
            continue;
        };
        if !quiet {
            let _ = writeln!(stderr, "awaitify: checking {}", manifest.display());
        }
        let result = std::process::Command::new(&cargo)
            .args([
                "check",
                "--all-targets",
                "--quiet",
                "--message-format",
                "short",
                "--manifest-path",
            ])
            .arg(manifest)
            .output();
        let failure = match result {
            Ok(o) if o.status.success() => continue,
            Ok(o) => {
                let text = String::from_utf8_lossy(&o.stderr);
                let first: Vec<&str> = text
                    .lines()
                    .filter(|l| l.contains("error"))
                    .take(3)
                    .collect();
                match first.is_empty() {
                    true => format!("cargo check exited with {}", o.status),
                    false => first.join("; "),
                }
            }
            Err(e) => format!("cannot run {}: {e}", cargo.to_string_lossy()),
        };
        errors.extend(write::restore(of_crate.iter().copied()));
        restored.insert(crate_id);
        errors.push(format!(
            "{}: --verify: after the migration the package does not build ({failure}); restored its {} file(s)",
            manifest.display(),
            of_crate.len()
        ));
    }
    (errors, restored)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(crate_id: usize, name: &str) -> FileChange {
        FileChange {
            path: PathBuf::from(name),
            display: name.to_string(),
            old: "a\n".into(),
            new: "b\n".into(),
            crate_id,
            manifest: None,
        }
    }

    fn answers(input: &str) -> Vec<usize> {
        let changes = [
            change(0, "x.rs"),
            change(0, "y.rs"),
            change(1, "z.rs"),
            change(2, "w.rs"),
        ];
        let mut out = Vec::new();
        review(&changes, &mut input.as_bytes(), &mut out, false)
            .into_iter()
            .collect()
    }

    #[test]
    fn review_keeps_what_is_accepted_crate_by_crate() {
        assert_eq!(answers("y\nn\ny\n"), [0, 2]);
        assert_eq!(answers("n\na\n"), [1, 2]);
        assert_eq!(answers("y\nq\n"), [0]);
        assert_eq!(answers("?\nn\nn\ny\n"), [2]);
        // End of input: nothing more is applied.
        assert_eq!(answers("y\n"), [0]);
    }
}
