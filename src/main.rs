//! The `awaitify` command line: turns flags into options for the library and
//! prints what a run found.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use awaitify::manifest::parse_edition;
use awaitify::plan::{PlanOptions, Policy};
use awaitify::run::{self, Options};
use awaitify::{output, rules, write};

const EXAMPLES: &str = "\
Examples:
  awaitify                      dry run over the current directory: diagnostics and diffs
  awaitify src/ --check         exit 1 if anything would change (for CI)
  awaitify --write              rewrite in place (refuses uncommitted files)
  awaitify | git apply          the same, through git
  awaitify explain AW101        what a rule means and how its fix works

Exit codes: 0 nothing to change (or written), 1 changes pending with --check,
2 usage error or a file that could not be read, parsed or written.";

/// Migrate std::sync locks that are locked in async code to tokio::sync.
///
/// awaitify finds std (and parking_lot) Mutex and RwLock values that are
/// locked inside async code, across every file of a crate, and rewrites
/// imports, types, constructors and every lock site. Nothing is written
/// unless --write is given.
#[derive(Parser, Debug)]
#[command(version, after_help = EXAMPLES, args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,

    /// Files or directories to scan (gitignore-aware).
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,

    /// Apply safe fixes in place, atomically.
    #[arg(long)]
    write: bool,

    /// Exit with 1 if any change would be made; write nothing.
    #[arg(long, conflicts_with = "write")]
    check: bool,

    /// With --write, also touch files that have uncommitted changes.
    #[arg(long)]
    allow_dirty: bool,

    /// Which locks to migrate.
    #[arg(long, value_enum, default_value = "async-use")]
    policy: Policy,

    /// Also migrate parking_lot locks that are locked in async code.
    #[arg(long)]
    parking_lot: bool,

    /// Also apply fixes that may change behaviour (tokio::process, spawn_blocking wraps).
    #[arg(long)]
    unsafe_fixes: bool,

    /// Skip files matching this glob (repeatable), e.g. 'tests/**'.
    #[arg(long, value_name = "GLOB")]
    exclude: Vec<String>,

    /// Edition for files that no Cargo.toml owns.
    #[arg(long, default_value = "2021", value_parser = ["2015", "2018", "2021", "2024"])]
    edition: String,

    /// Worker threads for reading and parsing (default: one per core).
    #[arg(short = 'j', long, value_name = "N")]
    threads: Option<usize>,

    /// Print only errors; no diagnostics, diffs or summary.
    #[arg(short, long, conflicts_with = "verbose")]
    quiet: bool,

    /// Also say how many files were parsed and analysed.
    #[arg(short, long)]
    verbose: bool,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Print the documentation of a rule.
    Explain {
        /// A rule code (AW101) or name (std-lock-in-async).
        code: String,
    },
    /// List all rules.
    Rules,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Explain { code }) => {
            return match rules::find(&code) {
                Some(rule) => {
                    println!(
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
        Some(Command::Rules) => {
            for r in rules::RULES {
                let fix = r.fix.map_or("no fix", |f| f.as_str());
                println!(
                    "{}  {:<28} {:<8} {:<13} {}",
                    r.code,
                    r.name,
                    r.severity.as_str(),
                    fix,
                    r.summary
                );
            }
            return ExitCode::SUCCESS;
        }
        None => {}
    }
    if let Some(n) = cli.threads {
        if let Err(e) = rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()
        {
            eprintln!("error: --threads {n}: {e}");
            return ExitCode::from(2);
        }
    }
    let opts = Options {
        paths: cli.paths.clone(),
        exclude: cli.exclude.clone(),
        plan: PlanOptions {
            policy: cli.policy,
            parking_lot: cli.parking_lot,
            unsafe_fixes: cli.unsafe_fixes,
        },
        display_root: std::env::current_dir().unwrap_or_default(),
        default_edition: parse_edition(&cli.edition).expect("clap checked the edition"),
    };
    let mut outcome = run::run(&opts);
    let mut stdout = std::io::stdout().lock();
    let stderr = &mut std::io::stderr().lock();
    if !cli.quiet {
        for d in &outcome.diagnostics {
            let _ = writeln!(stderr, "{}", output::diagnostic(d));
        }
        if !cli.write {
            for change in &outcome.changes {
                // A closed pipe (`| head`) is not an error.
                if write!(stdout, "{}", output::diff(change)).is_err() {
                    break;
                }
            }
        }
    }
    if cli.write {
        let errors = write::write_changes(&outcome.changes, cli.allow_dirty);
        outcome.errors.extend(errors);
    }
    for e in &outcome.errors {
        let _ = writeln!(stderr, "error: {e}");
    }
    if cli.verbose {
        let _ = writeln!(
            stderr,
            "awaitify: analysed {} of {} files; the others cannot hold a lock declaration or site that matters",
            outcome.files_analysed, outcome.files_scanned
        );
    }
    if !cli.quiet {
        let _ = writeln!(stderr, "{}", output::summary(&outcome, cli.write));
    }
    if !outcome.errors.is_empty() {
        ExitCode::from(2)
    } else if cli.check && !outcome.changes.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
