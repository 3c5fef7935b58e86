//! Shared helpers for the fixture tests: find cases and run the binary on one.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

pub fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata")
}

/// A fixture crate under `testdata/`.
#[derive(Clone)]
pub struct Case {
    pub name: String,
    pub dir: PathBuf,
    /// Extra flags from a `# awaitify-args: ...` line in its Cargo.toml.
    pub args: Vec<String>,
    /// `# fixture: no-compile` marks cases that are not meant to build.
    pub compiles: bool,
    /// `# fixture: needs-verify` marks cases the analysis alone gets wrong on
    /// purpose: only the compiler's referee (`--verify`) makes them build.
    pub needs_verify: bool,
}

pub fn cases() -> Vec<Case> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(testdata()).unwrap() {
        let dir = entry.unwrap().path();
        let manifest = dir.join("Cargo.toml");
        let Ok(text) = std::fs::read_to_string(&manifest) else {
            continue;
        };
        let args = text
            .lines()
            .find_map(|l| l.strip_prefix("# awaitify-args:"))
            .map(|a| a.split_whitespace().map(str::to_string).collect())
            .unwrap_or_default();
        out.push(Case {
            name: dir.file_name().unwrap().to_string_lossy().into_owned(),
            compiles: !text.contains("# fixture: no-compile"),
            needs_verify: text.contains("# fixture: needs-verify"),
            dir,
            args,
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `awaitify <args> .` inside `dir`.
pub fn awaitify(dir: &Path, args: &[String]) -> Output {
    run_awaitify(Command::new(env!("CARGO_BIN_EXE_awaitify")).args(args), dir)
}

/// Runs `awaitify <args> .` inside `dir`, its `cargo check` building in the
/// fixture target (`fixture_env`) with warnings denied.
pub fn awaitify_checked(dir: &Path, args: &[String]) -> Output {
    run_awaitify(
        Command::new(env!("CARGO_BIN_EXE_awaitify"))
            .args(args)
            .envs(fixture_env())
            .env("RUSTFLAGS", "-D warnings"),
        dir,
    )
}

fn run_awaitify(cmd: &mut Command, dir: &Path) -> Output {
    let out = cmd
        .arg(".")
        .current_dir(dir)
        .output()
        .expect("run awaitify");
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `awaitify` in `dir`, ready for more arguments (colors follow the flags,
/// not the environment of the test run).
pub fn awaitify_cmd(dir: &Path) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("awaitify").unwrap();
    cmd.current_dir(dir).env_remove("NO_COLOR");
    cmd
}

/// Runs the command, checks its exit code, and returns (stdout, stderr).
pub fn outputs(cmd: &mut assert_cmd::Command, code: i32) -> (String, String) {
    let out = cmd.assert().code(code).get_output().clone();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// Copies a directory tree.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// The target directory the fixture tests' `cargo` runs share.
pub fn fixture_target() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("fixture-target")
}

/// The environment of every cargo run in the fixture target, awaitify's own
/// `cargo check` included: one target and one profile, so tokio is built
/// once, with no debug info and no incremental cache, which over the linked
/// fixture programs would take gigabytes of disk.
pub fn fixture_env() -> [(&'static str, std::ffi::OsString); 3] {
    [
        ("CARGO_TARGET_DIR", fixture_target().into()),
        ("CARGO_PROFILE_DEV_DEBUG", "0".into()),
        ("CARGO_INCREMENTAL", "0".into()),
    ]
}

/// A copy of fixture `case` at `dir`, with the pinned `Cargo.lock`, ready
/// for `cargo check`.
pub fn pinned_copy(case: &Case, dir: &Path) {
    let _ = std::fs::remove_dir_all(dir);
    copy_dir(&case.dir, dir);
    let lock = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures.lock");
    std::fs::copy(lock, dir.join("Cargo.lock")).unwrap();
}
