//! The promise, checked on every fixture crate: after `--write`, the crate
//! builds with no warnings, its program prints what it printed before, and a
//! second run changes nothing. Cases that end as `manual` build unchanged.
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

#[test]
fn migrated_fixtures_compile_run_the_same_and_converge() {
    let cases: Vec<_> = common::cases().into_iter().filter(|c| c.compiles).collect();
    let work = Path::new(env!("CARGO_TARGET_TMPDIR")).join("fixture-workspace");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).unwrap();
    let mut members = Vec::new();
    for case in &cases {
        common::copy_dir(&case.dir, &work.join(&case.name));
        members.push(format!("\"{}\"", case.name));
    }
    std::fs::write(
        work.join("Cargo.toml"),
        format!(
            "[workspace]\nresolver = \"2\"\nmembers = [{}]\n",
            members.join(", ")
        ),
    )
    .unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures.lock"),
        work.join("Cargo.lock"),
    )
    .unwrap();

    cargo(&work, &["build", "--workspace", "--all-targets"]);
    let programs: Vec<_> = cases
        .iter()
        .filter(|c| c.dir.join("src/main.rs").exists())
        .collect();
    let before: Vec<String> = programs.iter().map(|c| run_program(&c.name)).collect();

    let mut args_of = std::collections::HashMap::new();
    for case in &cases {
        let mut args = case.args.clone();
        args.extend(["--write".to_string(), "--allow-dirty".to_string()]);
        let out = common::awaitify(&work.join(&case.name), &args);
        assert_eq!(
            out.code, 0,
            "{}: awaitify --write failed:\n{}",
            case.name, out.stderr
        );
        args_of.insert(case.name.clone(), case.args.clone());
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

    for case in &cases {
        let mut args = args_of[&case.name].clone();
        args.push("--check".to_string());
        let out = common::awaitify(&work.join(&case.name), &args);
        assert_eq!(
            out.code, 0,
            "{}: a second run would change more:\n{}",
            case.name, out.stdout
        );
    }
}
