//! The promise, checked on every fixture crate: after `--write`, the crate
//! builds with no warnings, its program prints what it printed before, and a
//! second run changes nothing. Cases that end as `manual` build unchanged.
//! The same is checked separately for the cases that `--unsafe-fixes` changes.
//!
//! All fixtures are members of one temporary workspace with one pinned
//! `Cargo.lock` and one target directory, so tokio builds once per run.

mod common;

use std::path::Path;
use std::process::Command;

fn cargo(workspace: &Path, args: &[&str]) {
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("fixture-target");
    let out = Command::new(env!("CARGO"))
        .args(args)
        .arg("--target-dir")
        .arg(&target)
        .current_dir(workspace)
        .env("RUSTFLAGS", "-D warnings")
        .env_remove("CARGO_TARGET_DIR")
        .output()
        .expect("run cargo");
    assert!(
        out.status.success(),
        "cargo {} failed in {}:\n{}",
        args.join(" "),
        workspace.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn run_program(name: &str) -> String {
    let exe = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("fixture-target/debug")
        .join(name);
    let out = Command::new(&exe)
        .output()
        .unwrap_or_else(|e| panic!("run {}: {e}", exe.display()));
    assert!(
        out.status.success(),
        "{name} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Copies `cases` into a fresh workspace named `name`, builds and runs them,
/// migrates each with `--write` plus `extra` flags, then checks that they
/// build without warnings, print the same, and that a second run is a no-op.
fn migrate_and_check(name: &str, cases: &[&common::Case], extra: &[&str]) {
    let work = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).unwrap();
    let members: Vec<String> = cases.iter().map(|c| format!("\"{}\"", c.name)).collect();
    for case in cases {
        common::copy_dir(&case.dir, &work.join(&case.name));
    }
    std::fs::write(
        work.join("Cargo.toml"),
        format!(
            "[workspace]\nresolver = \"2\"\nmembers = [{}]\n",
            members.join(", ")
        ),
    )
    .unwrap();
    let lock = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures.lock");
    std::fs::copy(lock, work.join("Cargo.lock")).unwrap();

    cargo(&work, &["build", "--workspace", "--all-targets"]);
    let programs: Vec<_> = cases
        .iter()
        .filter(|c| c.dir.join("src/main.rs").exists())
        .collect();
    let before: Vec<String> = programs.iter().map(|c| run_program(&c.name)).collect();

    let args = |case: &common::Case, more: &[&str]| -> Vec<String> {
        let mut args = case.args.clone();
        args.extend(extra.iter().chain(more).map(|s| s.to_string()));
        args
    };
    for case in cases {
        let out = common::awaitify(
            &work.join(&case.name),
            &args(case, &["--write", "--allow-dirty"]),
        );
        // Exit 1 is an error-severity finding that no fix removes.
        let ok = out.code == 0 || (out.code == 1 && out.stderr.contains("error[AW"));
        assert!(
            ok,
            "{}: awaitify --write failed (exit {}):\n{}",
            case.name, out.code, out.stderr
        );
    }

    cargo(&work, &["build", "--workspace", "--all-targets"]);
    for (case, before) in programs.iter().zip(&before) {
        assert_eq!(
            &run_program(&case.name),
            before,
            "{}: output changed after migration",
            case.name
        );
    }

    for case in cases {
        // The diff is on stdout (`--check` also fails on error-severity
        // findings, which a fix never removes by itself).
        let out = common::awaitify(&work.join(&case.name), &args(case, &["--check"]));
        assert!(
            out.stdout.is_empty() && out.code != 2,
            "{}: a second run would change more (exit {}):\n{}",
            case.name,
            out.code,
            out.stdout
        );
    }
}

#[test]
fn migrated_fixtures_compile_run_the_same_and_converge() {
    let cases = common::cases();
    let compiling: Vec<&common::Case> = cases.iter().filter(|c| c.compiles).collect();
    migrate_and_check("fixture-workspace", &compiling, &[]);

    // Separately, the cases whose migration changes with unsafe fixes.
    let with_unsafe: Vec<&common::Case> = compiling
        .iter()
        .copied()
        .filter(|c| {
            let mut args = c.args.clone();
            let safe = common::awaitify(&c.dir, &args).stdout;
            args.push("--unsafe-fixes".to_string());
            common::awaitify(&c.dir, &args).stdout != safe
        })
        .collect();
    assert!(
        !with_unsafe.is_empty(),
        "no fixture exercises --unsafe-fixes"
    );
    migrate_and_check(
        "fixture-workspace-unsafe",
        &with_unsafe,
        &["--unsafe-fixes"],
    );
}
