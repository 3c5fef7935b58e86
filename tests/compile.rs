//! The promise, checked on every fixture crate: after `--write`, the crate
//! builds with no warnings, its program prints what it printed before, and a
//! second run changes nothing. Cases that end as `manual` build unchanged.
//! The same is checked separately for the cases that `--unsafe-fixes` changes.
//!
//! It runs twice: with `--no-verify`, so that the analysis alone stays
//! honest (every compiling fixture but those marked `needs-verify`, which it
//! gets wrong on purpose), and with the compiler's referee on (the default),
//! where the `needs-verify` fixtures build too and the others end as the
//! analysis alone leaves them.
//!
//! All fixtures are members of one temporary workspace with one pinned
//! `Cargo.lock` and one target directory, so tokio builds once per run;
//! awaitify's own `cargo check` shares it, with the same flags.

mod common;

use std::path::Path;
use std::process::Command;

fn cargo(workspace: &Path, args: &[&str]) {
    let out = Command::new(env!("CARGO"))
        .args(args)
        .current_dir(workspace)
        .envs(common::fixture_env())
        .env("RUSTFLAGS", "-D warnings")
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
/// Returns each case's name and what `--write` printed on stderr.
fn migrate_and_check(name: &str, cases: &[&common::Case], extra: &[&str]) -> Vec<(String, String)> {
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
    // A case with features builds with all of them too (cfg-alternative
    // modules: the code the default build leaves out must build as well).
    let featured: Vec<&&common::Case> = cases
        .iter()
        .filter(|c| {
            std::fs::read_to_string(c.dir.join("Cargo.toml"))
                .is_ok_and(|t| t.contains("[features]"))
        })
        .collect();
    let all_features = |case: &common::Case| {
        let args = ["build", "-p", &case.name, "--all-targets", "--all-features"];
        cargo(&work, &args);
    };
    featured.iter().for_each(|c| all_features(c));

    let args = |case: &common::Case, more: &[&str]| -> Vec<String> {
        let mut args = case.args.clone();
        args.extend(extra.iter().chain(more).map(|s| s.to_string()));
        args
    };
    let mut written = Vec::new();
    for case in cases {
        let out = common::awaitify_checked(
            &work.join(&case.name),
            &args(case, &["--write", "--allow-dirty"]),
        );
        written.push((case.name.clone(), out.stderr.clone()));
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

    featured.iter().for_each(|c| all_features(c));

    for case in cases {
        // The diff is on stdout (`--check` also fails on error-severity
        // findings, which a fix never removes by itself).
        // A case only the compiler gets right is checked by it again.
        let check: &[&str] = match case.needs_verify {
            true => &["--check", "--verify"],
            false => &["--check"],
        };
        let out = common::awaitify_checked(&work.join(&case.name), &args(case, check));
        assert!(
            out.stdout.is_empty() && out.code != 2,
            "{}: a second run would change more (exit {}):\n{}",
            case.name,
            out.code,
            out.stdout
        );
    }
    written
}

#[test]
fn migrated_fixtures_compile_run_the_same_and_converge() {
    let cases = common::cases();
    // The analysis alone: every case it is meant to get right.
    let compiling: Vec<&common::Case> = cases
        .iter()
        .filter(|c| c.compiles && !c.needs_verify)
        .collect();
    migrate_and_check("fixture-workspace", &compiling, &["--no-verify"]);

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
        &["--unsafe-fixes", "--no-verify"],
    );
}

/// With the compiler's referee on (the default): the cases the analysis
/// gets wrong on purpose build too, and a few it gets right are verified
/// as they are, in the first round.
#[test]
fn verified_fixtures_compile_run_the_same_and_converge() {
    let cases = common::cases();
    let right = [
        "param_flow",
        "cross_file",
        "blocking_sleep",
        "rwlock_read_write",
    ];
    let picked: Vec<&common::Case> = cases
        .iter()
        .filter(|c| c.needs_verify || right.contains(&c.name.as_str()))
        .collect();
    assert!(picked.iter().filter(|c| c.needs_verify).count() >= 5);
    let written = migrate_and_check("fixture-workspace-verify", &picked, &[]);
    for (name, stderr) in written {
        assert!(
            stderr.contains("1 of 1 package(s) verified by `cargo check`"),
            "{name}: not verified:\n{stderr}"
        );
        let rounds = stderr.matches("awaitify: checking package").count();
        let referee = stderr.contains("the compiler");
        let needs = cases.iter().any(|c| c.name == name && c.needs_verify);
        assert_eq!(referee, needs, "{name}:\n{stderr}");
        assert!(needs || rounds == 1, "{name}: {rounds} rounds:\n{stderr}");
    }
}
