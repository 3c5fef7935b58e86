//! What `awaitify` does without a subcommand, in steps: check the flags,
//! run, let `--interactive` review each crate, write and verify, print the
//! findings, diffs and documents, record a baseline, and pick the exit code.

use std::collections::BTreeSet;
use std::io::{IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{bail, Result};
use clap::ValueEnum;

use super::{cargo_packages, progress_bar, use_color, verification, Cli, FailOn, Format};
use crate::driver;
use crate::edits::manifest::parse_edition;
use crate::model::FileChange;
use crate::options::Options;
use crate::outcome::{Outcome, Status};
use crate::{render, rules, verify, write};

/// Runs the tool as the command line says, prints what it found and did, and
/// returns the exit code (an `Err` is a usage error, exit code 2).
pub(super) fn migrate(cli: &Cli) -> Result<ExitCode> {
    let started = Instant::now();
    check_flags(cli)?;
    let (opts, warnings, verifying) = run_options(cli)?;
    let mut outcome = driver::run(&opts);
    outcome.warnings.splice(0..0, warnings);
    if let Some(p) = &opts.progress {
        p.finish_and_clear();
    }
    let stdout = &mut std::io::stdout().lock();
    let stderr = &mut std::io::stderr().lock();
    let err_color = use_color(cli.color, &std::io::stderr());
    // Crates whose findings --interactive showed before its prompt.
    let reviewed = match cli.interactive {
        true => review_interactively(cli, &mut outcome, stderr, err_color),
        false => BTreeSet::new(),
    };
    write_and_verify(cli, &opts, &mut outcome, verifying, stderr);
    write_patch_file(cli, &mut outcome);
    let human = matches!(cli.format, Format::Full | Format::Concise);
    // --statistics alone prints only its table.
    let findings_shown = human && !cli.quiet && !cli.statistics;
    if findings_shown {
        show_findings(cli, &outcome, &reviewed, stderr, err_color);
    }
    let report = report(cli, &outcome, findings_shown);
    deliver_report(cli, &mut outcome, &report, stdout);
    print_messages(cli, &outcome, stderr);
    if cli.show_fixes && !cli.quiet {
        let _ = write!(stderr, "{}", render::fixes(&outcome, cli.write));
    }
    if findings_shown {
        let mut summary = render::summary(&outcome, cli.write, started.elapsed());
        let checked = verify::summary(&outcome)
            .or_else(|| unchecked_dry_run(cli, &outcome).map(str::to_string));
        if let Some(v) = checked {
            summary = format!("{summary}\nawaitify: {v}");
        }
        let _ = writeln!(stderr, "{summary}");
    }
    let patch_shown = findings_shown || cli.format == Format::Patch || cli.diff_out.is_some();
    if let Some(note) =
        render::outside_note(&outcome.changes).filter(|_| patch_shown && !cli.write && !cli.quiet)
    {
        let _ = writeln!(stderr, "awaitify: {note}");
    }
    if let Some(failed) = write_baseline(cli, &outcome, stderr) {
        return Ok(failed);
    }
    Ok(exit_code(cli, &outcome))
}

/// Flags that make no sense together, or here, before anything runs.
fn check_flags(cli: &Cli) -> Result<()> {
    for selector in cli.select.iter().chain(&cli.ignore).flatten() {
        crate::rules_meta::check_selector(selector)
            .map_err(|e| anyhow::anyhow!("--select/--ignore: {e}"))?;
    }
    let machine = matches!(
        cli.format,
        Format::Json | Format::CargoJson | Format::Sarif | Format::Github
    );
    if machine && cli.diff_out.as_deref() == Some(Path::new("-")) {
        let format = cli
            .format
            .to_possible_value()
            .expect("no variant is skipped");
        bail!(
            "--diff-out -: stdout holds the {} document; give the patch a file",
            format.get_name()
        );
    }
    if cli.interactive && !std::io::stdin().is_terminal() {
        bail!("--interactive needs a terminal; review the dry-run diff instead");
    }
    Ok(())
}

/// The library's options for this command line, the warnings found on the
/// way (packages `--exclude` names that are no members), and how the
/// compiler checks the result (or why it does not).
fn run_options(
    cli: &Cli,
) -> Result<(Options, Vec<String>, Result<verify::Settings, &'static str>)> {
    let mut warnings = Vec::new();
    let (mut paths, packages) = match cargo_packages(cli, &mut warnings)? {
        Some((dirs, manifests)) => (dirs, Some(manifests)),
        None => (Vec::new(), None),
    };
    paths.extend(cli.paths.iter().cloned());
    if paths.is_empty() {
        paths.push(package_of_cwd().unwrap_or_else(|| PathBuf::from(".")));
    }
    let baseline = match &cli.baseline {
        Some(file) => Some(crate::baseline::Baseline::read(file)?),
        None => None,
    };
    let progress = progress_bar(cli);
    let verifying = verification(cli);
    let opts = Options {
        baseline,
        exclude: match cli.cargo {
            true => cli.exclude_files.clone(),
            false => cli
                .exclude
                .iter()
                .chain(&cli.exclude_files)
                .cloned()
                .collect(),
        },
        policy: cli.policy,
        parking_lot: cli.parking_lot.then_some(true),
        select: cli.select.clone(),
        ignore: cli.ignore.clone(),
        unsafe_fixes: cli.unsafe_fixes,
        default_edition: parse_edition(&cli.edition).expect("clap checked the edition"),
        packages,
        progress,
        keep_sources: matches!(cli.format, Format::Full | Format::CargoJson) && !cli.quiet,
        threads: cli.threads,
        write: cli.write,
        replan: verifying.is_ok(),
        ..Options::new(paths)
    };
    Ok((opts, warnings, verifying))
}

/// With no path given, a run from inside a package covers the package, as
/// cargo does: the directory of the nearest `Cargo.toml` with a `[package]`
/// above the current directory (`..` from its `src/`). Paths are still
/// shown relative to the current directory.
fn package_of_cwd() -> Option<PathBuf> {
    let cwd = std::env::current_dir().ok()?;
    let manifest = crate::edits::manifest::ManifestFinder::default()
        .owning_manifest(&cwd.join("Cargo.toml"))?;
    let dir = manifest.parent()?;
    (dir != cwd).then(|| crate::paths::relative_to(dir, &cwd))
}

/// `--interactive`: shows each crate's findings and changes, and keeps the
/// changes of the crates accepted. Returns the crates whose findings it
/// showed.
fn review_interactively(
    cli: &Cli,
    outcome: &mut Outcome,
    stderr: &mut dyn std::io::Write,
    err_color: bool,
) -> BTreeSet<usize> {
    let reviewed = std::cell::RefCell::new(BTreeSet::new());
    let describe = |crate_id: usize| {
        reviewed.borrow_mut().insert(crate_id);
        let name = outcome
            .crates
            .get(crate_id)
            .and_then(|(m, _)| m.clone())
            .unwrap_or_else(|| "files no Cargo.toml owns".to_string());
        let mut text = format!("== {name}\n");
        for d in outcome
            .diagnostics
            .iter()
            .filter(|d| d.crate_id == crate_id)
        {
            let shown = render::human(d, outcome, cli.format == Format::Concise, err_color, false);
            text.push_str(&shown);
            text.push_str(if cli.format == Format::Full {
                "\n\n"
            } else {
                "\n"
            });
        }
        text
    };
    let accepted = review(
        &outcome.changes,
        &describe,
        &mut std::io::stdin().lock(),
        stderr,
        err_color,
    );
    outcome.retain_crates(|c| accepted.contains(&c));
    reviewed.into_inner()
}

/// `--write`: writes the changes crate by crate, then lets the compiler
/// check what was written; a dry run with `--verify` checks a scratch copy.
fn write_and_verify(
    cli: &Cli,
    opts: &Options,
    outcome: &mut Outcome,
    verifying: Result<verify::Settings, &'static str>,
    stderr: &mut dyn std::io::Write,
) {
    if cli.write && matches!(verifying, Err(why) if why == super::NO_CARGO) {
        // A broken environment is no reason to write unchecked.
        if !outcome.changes.is_empty() {
            outcome.errors.push(format!(
                "{}: --write checks its changes with `cargo check`, so nothing was written; --no-verify writes them unchecked",
                super::NO_CARGO
            ));
        }
        outcome.retain_crates(|_| false);
        return;
    }
    if verifying.is_ok() {
        // What the compiler checks is what `cargo fmt` leaves alone.
        crate::rustfmt::format_changes(&mut outcome.changes, |_| true);
    }
    if cli.write {
        let roots = write::canonical_roots(&opts.paths);
        let (errors, backups, journals) =
            write::write_changes(&outcome.changes, cli.allow_dirty, &roots);
        outcome.errors.extend(errors);
        // A crate with a dirty or read-only file is not written at all.
        let written: BTreeSet<usize> = backups.iter().map(|b| b.crate_id).collect();
        outcome.retain_crates(|c| written.contains(&c));
        if let Ok(settings) = &verifying {
            let mut referees = verify::Referees {
                settings,
                in_place: true,
                backups: &backups,
                stderr,
            };
            verify::verify_all(outcome, &mut referees);
        }
        if let Err(why) = verifying {
            verify::skipped(outcome, why);
        }
        outcome.errors.extend(journals.finish());
    } else if cli.verify {
        match &verifying {
            Ok(settings) => {
                let mut referees = verify::Referees {
                    settings,
                    in_place: false,
                    backups: &[],
                    stderr,
                };
                verify::verify_all(outcome, &mut referees);
            }
            // No cargo: the diff is the analysis' alone, and the summary says so.
            Err(why) => verify::skipped(outcome, why),
        }
    }
}

/// A plain dry run's word that the compiler has not checked its fixes:
/// `--write` has it referee them and may withdraw some, which `--verify`
/// shows first. Only when there is a fix and cargo to check it.
fn unchecked_dry_run(cli: &Cli, outcome: &Outcome) -> Option<&'static str> {
    let plain = !cli.write && !cli.verify && !cli.no_verify;
    let c = render::counts(outcome);
    let fixes = c.fixed_safe + c.fixed_unsafe > 0;
    (plain && fixes && verify::cargo_available()).then_some(
        "the fixes are not verified by the compiler: `--verify` shows the diff that builds, which `--write` applies",
    )
}

/// `--diff-out FILE`: the patch of every change, written to `FILE`.
fn write_patch_file(cli: &Cli, outcome: &mut Outcome) {
    let Some(file) = cli.diff_out.as_deref().filter(|f| *f != Path::new("-")) else {
        return;
    };
    let patch: String = outcome.changes.iter().map(render::diff).collect();
    if let Err(e) = std::fs::write(file, patch) {
        outcome
            .errors
            .push(format!("{}: cannot write the patch: {e}", file.display()));
    }
}

/// Every finding not shown by `--interactive` already, on stderr.
fn show_findings(
    cli: &Cli,
    outcome: &Outcome,
    reviewed: &BTreeSet<usize>,
    stderr: &mut dyn std::io::Write,
    err_color: bool,
) {
    for d in outcome
        .diagnostics
        .iter()
        .filter(|d| !reviewed.contains(&d.crate_id))
    {
        let text = render::human(
            d,
            outcome,
            cli.format == Format::Concise,
            err_color,
            cli.write,
        );
        // Like rustc: a blank line after each snippet.
        let gap = if cli.format == Format::Full { "\n" } else { "" };
        let _ = writeln!(stderr, "{text}{gap}");
    }
}

/// What goes to stdout, or to `--output-file`: the diffs (or the patch of
/// `--diff-out -`), then the document of a machine format.
fn report(cli: &Cli, outcome: &Outcome, findings_shown: bool) -> Vec<u8> {
    let mut report: Vec<u8> = Vec::new();
    let to_stdout = cli.output_file.is_none();
    let out_color = to_stdout && use_color(cli.color, &std::io::stdout());
    let patch_to_report = cli.diff_out.as_deref() == Some(Path::new("-"));
    if patch_to_report {
        report.extend(
            outcome
                .changes
                .iter()
                .flat_map(|c| render::diff(c).into_bytes()),
        );
    } else if (findings_shown || cli.format == Format::Patch) && !cli.write {
        for change in &outcome.changes {
            report.extend(render::shown_diff(change, out_color).into_bytes());
        }
    }
    // The statistics table is output, as ruff's is: on stdout, unless a
    // machine format's document is (then on stderr, see `print_messages`).
    if cli.statistics && matches!(cli.format, Format::Full | Format::Concise) {
        report.extend(render::statistics(outcome, cli.write).into_bytes());
    }
    let document = match cli.format {
        Format::Json => render::json(outcome, cli.write),
        Format::CargoJson => render::cargo_json(outcome, cli.write),
        Format::Sarif => render::sarif(outcome),
        Format::Github => render::github(outcome),
        _ => String::new(),
    };
    report.extend(document.into_bytes());
    report
}

/// Writes the report to `--output-file`, or to stdout.
fn deliver_report(
    cli: &Cli,
    outcome: &mut Outcome,
    report: &[u8],
    stdout: &mut dyn std::io::Write,
) {
    match &cli.output_file {
        Some(file) => {
            if let Err(e) = std::fs::write(file, report) {
                outcome
                    .errors
                    .push(format!("{}: cannot write the output: {e}", file.display()));
            }
        }
        // A closed pipe (`| head`) is not an error: printing just stops.
        None => {
            let _ = stdout.write_all(report);
            let _ = stdout.flush();
        }
    }
}

/// Warnings, notes and errors on stderr, then what `--verbose` and
/// `--statistics` add.
fn print_messages(cli: &Cli, outcome: &Outcome, stderr: &mut dyn std::io::Write) {
    for w in outcome.warnings.iter().filter(|_| !cli.quiet) {
        let _ = writeln!(stderr, "warning: {w}");
    }
    for n in outcome.notes.iter().filter(|_| !cli.quiet) {
        let _ = writeln!(stderr, "note: {n}");
    }
    for e in &outcome.errors {
        let _ = writeln!(stderr, "error: {e}");
    }
    if cli.verbose {
        let _ = write!(stderr, "{}", render::crate_summaries(outcome, cli.write));
        let _ = writeln!(
            stderr,
            "awaitify: analysed {} of {} files read; the others cannot hold a lock declaration or site that matters",
            outcome.files_analysed, outcome.files_read
        );
    }
    if cli.statistics && !matches!(cli.format, Format::Full | Format::Concise) {
        let _ = write!(stderr, "{}", render::statistics(outcome, cli.write));
    }
}

/// `--write-baseline FILE`: records every finding. Returns the exit code
/// when the file cannot be written.
fn write_baseline(
    cli: &Cli,
    outcome: &Outcome,
    stderr: &mut dyn std::io::Write,
) -> Option<ExitCode> {
    let file = cli.write_baseline.as_ref()?;
    let dir = crate::baseline::dir_of(file);
    let entries = outcome
        .diagnostics
        .iter()
        .map(|d| crate::baseline::Entry {
            code: d.rule.code.to_string(),
            path: crate::baseline::recorded_path(&d.file, &dir),
            snippet: d.snippet.clone(),
            message: d.message.clone(),
        })
        .collect();
    match crate::baseline::write(file, entries) {
        Ok(()) if !cli.quiet => {
            let _ = writeln!(
                stderr,
                "awaitify: recorded {} finding(s) in {}",
                outcome.diagnostics.len(),
                file.display()
            );
            None
        }
        Ok(()) => None,
        Err(e) => {
            let _ = writeln!(stderr, "error: {e:#}");
            Some(ExitCode::from(2))
        }
    }
}

/// 2 for an error, 1 where the outcome reaches `--fail-on` (by default:
/// an error-severity finding, or with `--check` a change pending), else 0.
fn exit_code(cli: &Cli, outcome: &Outcome) -> ExitCode {
    let fail_on = cli.fail_on.unwrap_or(match cli.check {
        true => FailOn::Fix,
        false => FailOn::Error,
    });
    let check_failed = outcome
        .verification
        .iter()
        .any(|v| matches!(v.status, Status::CheckFailed { .. }));
    if !outcome.errors.is_empty() || check_failed {
        ExitCode::from(2)
    } else if fails(outcome, fail_on, cli.write) && !cli.exit_zero && cli.write_baseline.is_none() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Does the outcome reach the `--fail-on` level? A finding whose fix this
/// run wrote no longer counts.
fn fails(outcome: &Outcome, level: FailOn, written: bool) -> bool {
    let mut remaining = outcome.diagnostics.iter().filter(|d| !(written && d.fixed));
    remaining.any(|d| match d.severity {
        rules::Severity::Error => true,
        _ if level >= FailOn::Warning => d.severity != rules::Severity::Note,
        _ if level >= FailOn::Manual => d.manual(),
        _ => false,
    }) || (level >= FailOn::Fix && !written && !outcome.changes.is_empty())
}

/// `--interactive`: shows each crate's name and findings (`describe`) and
/// changes, and returns the crates whose changes are accepted. The unit is a
/// crate because a lock migration must change all of its files together to
/// compile.
pub fn review(
    changes: &[FileChange],
    describe: &dyn Fn(usize) -> String,
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
            let _ = write!(out, "{}", describe(crate_id));
            for c in &files {
                let _ = write!(out, "{}", render::shown_diff(c, color));
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
        let describe = |c: usize| format!("== crate {c}\n");
        review(&changes, &describe, &mut input.as_bytes(), &mut out, false)
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
