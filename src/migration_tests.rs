//! `awaitify test DIR`: the user's own migration tests. Every `*.rs` file and
//! every crate directory directly in DIR is a case; each `.rs` file of a case
//! must come out of a dry run as its `.fixed` sibling says (clippy's
//! convention), or unchanged when it has none. `--bless` writes them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use similar::TextDiff;

use crate::driver;
use crate::options::Options;
use crate::paths;

/// The `.fixed` file that holds what `rs` must become.
fn fixed_path(rs: &Path) -> PathBuf {
    rs.with_extension("fixed")
}

fn cases(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let is_rs = path.extension().is_some_and(|e| e == "rs") && path.is_file();
        if is_rs || path.join("Cargo.toml").is_file() {
            out.push(path);
        }
    }
    out.sort();
    Ok(out)
}

/// `.fixed` files under a crate case.
fn fixed_files(dir: &Path) -> Vec<PathBuf> {
    ignore::WalkBuilder::new(dir)
        .build()
        .filter_map(Result::ok)
        .map(|e| e.into_path())
        .filter(|p| p.extension().is_some_and(|e| e == "fixed"))
        .collect()
}

/// What one case's files must be and are: `None` for "unchanged".
type Expectations = BTreeMap<PathBuf, (Option<String>, Option<String>)>;

fn run_case(case: &Path, unsafe_fixes: bool) -> Result<Expectations, Vec<String>> {
    // Keys are absolute, as the run's paths are.
    let case = &paths::absolute(case);
    let opts = Options {
        unsafe_fixes,
        // A case is planned on its own, even inside a crate of the project.
        whole_crates: false,
        ..Options::new(vec![case.to_path_buf()])
    };
    let outcome = driver::run(&opts);
    if !outcome.errors.is_empty() {
        return Err(outcome.errors);
    }
    let mut files: Expectations = BTreeMap::new();
    for c in outcome.changes {
        if c.path.extension().is_some_and(|e| e == "rs") {
            files.entry(c.path).or_default().1 = Some(c.new);
        }
    }
    let fixed = match case.is_dir() {
        true => fixed_files(case),
        false => vec![fixed_path(case)],
    };
    for f in fixed {
        if let Ok(text) = std::fs::read_to_string(&f) {
            files.entry(f.with_extension("rs")).or_default().0 = Some(text);
        }
    }
    Ok(files)
}

pub fn main(dir: &Path, bless: bool, unsafe_fixes: bool) -> ExitCode {
    let cases = match cases(dir) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {}: {e}", dir.display());
            return ExitCode::from(2);
        }
    };
    if cases.is_empty() {
        eprintln!(
            "error: {}: no cases (`*.rs` files or crate directories)",
            dir.display()
        );
        return ExitCode::from(2);
    }
    let (mut passed, mut failed, mut errors) = (0, 0, 0);
    for case in &cases {
        let shown = case.display();
        let files = match run_case(case, unsafe_fixes) {
            Ok(f) => f,
            Err(errs) => {
                println!("test {shown} ... ERROR");
                for e in errs {
                    println!("  error: {e}");
                }
                errors += 1;
                continue;
            }
        };
        let mut ok = true;
        for (rs, (expected, actual)) in &files {
            if expected == actual {
                continue;
            }
            if bless {
                let fixed = fixed_path(rs);
                let result = match actual {
                    Some(text) => std::fs::write(&fixed, text),
                    None => std::fs::remove_file(&fixed),
                };
                match result {
                    Ok(()) => println!("blessed {}", paths::shown(&fixed)),
                    Err(e) => {
                        println!("  error: {}: {e}", paths::shown(&fixed));
                        errors += 1;
                    }
                }
                continue;
            }
            ok = false;
            let old = std::fs::read_to_string(rs).unwrap_or_default();
            let (want, got) = (
                expected.as_deref().unwrap_or(&old),
                actual.as_deref().unwrap_or(&old),
            );
            println!("--- {} differs from its expected result:", paths::shown(rs));
            print!(
                "{}",
                TextDiff::from_lines(want, got)
                    .unified_diff()
                    .header("expected", "actual")
            );
        }
        if ok {
            passed += 1;
            if !bless {
                println!("test {shown} ... ok");
            }
        } else {
            failed += 1;
            println!("test {shown} ... FAILED");
        }
    }
    println!(
        "\ntest result: {}. {passed} passed; {failed} failed; {errors} errors{}",
        if failed + errors == 0 { "ok" } else { "FAILED" },
        if bless { " (blessed)" } else { "" }
    );
    if failed > 0 && !bless {
        println!(
            "to accept the new results as the expected ones, rerun with --bless: awaitify test {} --bless",
            dir.display()
        );
    }
    if errors > 0 {
        ExitCode::from(2)
    } else if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
