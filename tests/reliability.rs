//! Reliability (DESIGN.md, "Reliability"): bad input, panics, failed and
//! interrupted writes, changed files, symlinks and concurrent runs never
//! abort a run or leave a crate half-written.

mod common;
mod fuzz;

use std::path::Path;

/// The mutation fuzzer: `AWAITIFY_FUZZ_CASES` cases (300 by default) from
/// seed `AWAITIFY_FUZZ_SEED` (1 by default), 50 crates per invocation.
/// `scripts/fuzz.sh N` runs N cases.
#[test]
fn fuzz_mutated_crates_never_panic_or_break_a_file() {
    let cases: usize = std::env::var("AWAITIFY_FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(300);
    let seed: u64 = std::env::var("AWAITIFY_FUZZ_SEED")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1);
    let seeds = fuzz::seeds(&common::testdata());
    let bin = Path::new(env!("CARGO_BIN_EXE_awaitify"));
    let mut failures = Vec::new();
    let batch = 50;
    for first in (0..cases).step_by(batch) {
        let work = tempfile::tempdir().unwrap();
        failures.extend(fuzz::run_batch(
            bin,
            &seeds,
            seed,
            first,
            batch.min(cases - first),
            work.path(),
        ));
    }
    assert!(
        failures.is_empty(),
        "{} failure(s) in {cases} cases (seed {seed}):\n{}",
        failures.len(),
        failures.join("\n")
    );
    eprintln!("fuzz: {cases} cases (seed {seed}) passed");
}

/// A crate whose lock is declared in `src/lib.rs` and locked in async code
/// in each of `modules` modules (`src/mN.rs`): every file of it changes.
/// The lock is `pub(crate)`: a `pub` one would be the library's public API,
/// reported and left alone (AW102).
fn lock_crate(dir: &Path, name: &str, modules: usize) {
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\ntokio = {{ version = \"1\", features = [\"rt\"] }}\n"),
    )
    .unwrap();
    let mut lib = String::from(
        "use std::sync::Mutex;\n\npub(crate) static COUNT: Mutex<u64> = Mutex::new(0);\n",
    );
    for m in 0..modules {
        lib.push_str(&format!("mod m{m};\n"));
        std::fs::write(
            dir.join(format!("src/m{m}.rs")),
            format!("pub async fn bump{m}() {{\n    *crate::COUNT.lock().unwrap() += {m};\n}}\n"),
        )
        .unwrap();
    }
    std::fs::write(dir.join("src/lib.rs"), lib).unwrap();
}

/// Every file under `dir`, with its bytes.
fn snapshot(dir: &Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut out: Vec<_> = walk(dir)
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect();
    out.sort();
    out
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        let t = e.file_type().unwrap();
        if t.is_dir() {
            out.extend(walk(&e.path()));
        } else {
            out.push(e.path());
        }
    }
    out
}

fn awaitify(dir: &Path) -> assert_cmd::Command {
    let mut cmd = common::awaitify_cmd(dir);
    cmd.env_remove("RUST_BACKTRACE").args([
        "--format",
        "concise",
        "--color",
        "never",
        "--no-verify",
    ]);
    cmd
}

fn migrated(dir: &Path) -> bool {
    std::fs::read_to_string(dir.join("src/lib.rs"))
        .unwrap()
        .contains("use tokio::sync::Mutex;")
}

#[test]
fn deep_nesting_is_an_error_for_its_file_and_the_run_goes_on() {
    let tmp = tempfile::tempdir().unwrap();
    lock_crate(&tmp.path().join("deep"), "deep", 1);
    lock_crate(&tmp.path().join("fine"), "fine", 1);
    // 30,000 parentheses around a lock site; the same depth of prefix operators.
    let n = 30_000;
    std::fs::write(
        tmp.path().join("deep/src/m0.rs"),
        format!(
            "pub async fn bump0() {{\n    let _x = {}*crate::COUNT.lock().unwrap(){};\n    let _y = {}1;\n}}\n",
            "(".repeat(n),
            ")".repeat(n),
            "-".repeat(n)
        ),
    )
    .unwrap();
    let before = snapshot(&tmp.path().join("deep"));
    let (_, stderr) = common::outputs(awaitify(tmp.path()).args(["--write", "."]), 2);
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error")).collect();
    assert_eq!(
        errors,
        [format!("error: deep/src/m0.rs: nested too deeply to analyse (about {} levels of brackets and operators; the limit is 1500); its crate is not written", n + 4)],
        "{stderr}"
    );
    assert_eq!(
        snapshot(&tmp.path().join("deep")),
        before,
        "deep was written"
    );
    assert!(migrated(&tmp.path().join("fine")), "{stderr}");
}

#[test]
fn nesting_under_the_limit_is_analysed_on_one_thread_too() {
    let tmp = tempfile::tempdir().unwrap();
    lock_crate(tmp.path(), "nested", 1);
    // Just under the limit: brackets, then a run of prefix operators in a
    // plain fn (the parser and the walks recurse for both).
    std::fs::write(
        tmp.path().join("src/m0.rs"),
        format!(
            "pub async fn bump0() {{\n    let _x = {}*crate::COUNT.lock().unwrap(){};\n}}\npub fn f() -> i64 {{\n    {}1\n}}\n",
            "(".repeat(1400),
            ")".repeat(1400),
            "- ".repeat(1400)
        ),
    )
    .unwrap();
    let (_, stderr) = common::outputs(awaitify(tmp.path()).args(["--write", "-j", "1", "."]), 0);
    assert!(migrated(tmp.path()), "{stderr}");
}

#[test]
fn a_panic_in_one_file_is_an_internal_error_for_its_crate_and_the_run_goes_on() {
    let tmp = tempfile::tempdir().unwrap();
    lock_crate(&tmp.path().join("broken"), "broken", 2);
    lock_crate(&tmp.path().join("fine"), "fine", 1);
    let before = snapshot(&tmp.path().join("broken"));
    // The test builds' fault hook: analysing any `m1.rs` panics.
    let (_, stderr) = common::outputs(
        awaitify(tmp.path())
            .env("AWAITIFY_TEST_PANIC", "m1.rs")
            .args(["--write", "."]),
        2,
    );
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error")).collect();
    assert_eq!(errors.len(), 1, "{stderr}");
    assert!(
        errors[0].starts_with("error: broken/src/m1.rs: internal error: AWAITIFY_TEST_PANIC asked for a panic at src/driver.rs:")
            && errors[0].ends_with("; please report it; its crate is not written"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(snapshot(&tmp.path().join("broken")), before);
    assert!(migrated(&tmp.path().join("fine")), "{stderr}");
}

/// The "TextRange +offset overflowed" panic: an expression macro that starts
/// closer to the start of the file than the wrapper it is parsed in.
#[test]
fn a_macro_at_the_start_of_a_file_is_analysed_without_a_panic() {
    let tmp = tempfile::tempdir().unwrap();
    lock_crate(tmp.path(), "early", 0);
    std::fs::write(
        tmp.path().join("src/lib.rs"),
        "fn f(){print!(\"{}\", M.lock().unwrap())}\nuse std::sync::Mutex;\nstatic M: Mutex<u8> = Mutex::new(0);\npub async fn g() { *M.lock().unwrap() += 1; f(); }\n",
    )
    .unwrap();
    let (_, stderr) = common::outputs(awaitify(tmp.path()).arg("."), 0);
    assert!(stderr.contains("warning[AW102]"), "{stderr}");
}

/// What an uninterrupted `--write` makes of `lock_crate(.., modules)`.
fn migrated_tree(modules: usize) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("c");
    lock_crate(&dir, "c", modules);
    common::outputs(awaitify(&dir).args(["--write", "."]), 0);
    relative(&dir)
}

fn relative(dir: &Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    snapshot(dir)
        .into_iter()
        .map(|(p, b)| (p.strip_prefix(dir).unwrap().to_path_buf(), b))
        .collect()
}

#[test]
fn a_failed_write_restores_the_files_of_its_crate_already_written() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("c");
    lock_crate(&dir, "c", 3);
    let before = snapshot(&dir);
    // lib.rs and m0.rs are written before m1.rs fails.
    let (_, stderr) = common::outputs(
        awaitify(&dir)
            .env("AWAITIFY_TEST_FAIL_WRITE", "m1.rs")
            .args(["--write", "."]),
        2,
    );
    assert_eq!(snapshot(&dir), before, "{stderr}");
    assert!(
        stderr.contains("error: src/m1.rs: AWAITIFY_TEST_FAIL_WRITE asked for a failure; its crate was not written (2 file(s) already written were restored)"),
        "{stderr}"
    );
}

#[test]
fn a_file_changed_on_disk_since_it_was_read_is_not_overwritten() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("c");
    lock_crate(&dir, "c", 2);
    // The run pauses after its first rename (lib.rs); an editor saves m1.rs.
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_awaitify"))
        .args(["--write", "--no-verify", "."])
        .env("AWAITIFY_TEST_PAUSE_MS", "1500")
        .env_remove("RUST_BACKTRACE")
        .current_dir(&dir)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    wait_for(|| migrated(&dir));
    let saved = "pub async fn bump1() {}\n// saved by an editor\n";
    std::fs::write(dir.join("src/m1.rs"), saved).unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(dir.join("src/m1.rs")).unwrap(),
        saved
    );
    assert!(
        !migrated(&dir),
        "the rest of the crate was not restored: {stderr}"
    );
    assert!(
        stderr.contains("error: src/m1.rs: changed on disk since awaitify read it; run again; its crate was not written (2 file(s) already written were restored)"),
        "{stderr}"
    );
}

fn wait_for(done: impl Fn() -> bool) {
    let start = std::time::Instant::now();
    while !done() {
        assert!(start.elapsed().as_secs() < 60, "timed out");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[cfg(unix)]
#[test]
fn a_symlink_is_never_replaced_nor_written_through_to_outside_the_paths() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("c");
    lock_crate(&dir, "c", 1);
    // src/lib.rs is a symlink to a file outside the crate.
    let outside = tmp.path().join("outside.rs");
    std::fs::rename(dir.join("src/lib.rs"), &outside).unwrap();
    std::os::unix::fs::symlink(&outside, dir.join("src/lib.rs")).unwrap();
    let before = std::fs::read(&outside).unwrap();
    for path in [".", "src/lib.rs"] {
        let (_, stderr) = common::outputs(awaitify(&dir).args(["--write", path]), 0);
        assert!(
            stderr.contains(&format!(
                "note: src/lib.rs: a symlink to {}, outside the paths given: read, never written",
                outside.display()
            )),
            "{path}: {stderr}"
        );
        // Read, so a lock locked in the crate's other files is reported,
        // not migrated.
        assert!(
            path != "." || stderr.contains("warning[AW102]"),
            "{path}: {stderr}"
        );
        assert!(std::fs::symlink_metadata(dir.join("src/lib.rs"))
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read(&outside).unwrap(), before);
    }
    // With its target among the paths given, the link is not scanned twice
    // (the target is scanned itself) and stays a link.
    let (_, stderr) = common::outputs(awaitify(tmp.path()).args(["--write", "c", "outside.rs"]), 0);
    assert!(!stderr.contains("note:"), "{stderr}");
    assert!(std::fs::symlink_metadata(dir.join("src/lib.rs"))
        .unwrap()
        .file_type()
        .is_symlink());
}

/// `kill -9` after each rename of a 40-file migration (the test builds'
/// abort hook), then a second run: the tree is exactly what one
/// uninterrupted run makes.
#[test]
fn a_run_killed_mid_write_then_run_again_ends_in_the_uninterrupted_tree() {
    let modules = 40;
    let expected = migrated_tree(modules);
    for kill_after in [1, 2, 20, modules + 1] {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("c");
        lock_crate(&dir, "c", modules);
        let out = awaitify(&dir)
            .env("AWAITIFY_TEST_KILL_AFTER", kill_after.to_string())
            .args(["--write", "."])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), None, "not killed after {kill_after}");
        // A dry run says the crate is half-written and changes nothing.
        let (_, stderr) = common::outputs(awaitify(&dir).arg("."), 2);
        assert!(
            stderr.contains("error: .awaitify-journal: an interrupted `awaitify --write` left this crate half-written"),
            "{stderr}"
        );
        let (_, stderr) = common::outputs(awaitify(&dir).args(["--write", "."]), 0);
        assert!(
            stderr.contains("note: .: rolled back an interrupted `awaitify --write`"),
            "{stderr}"
        );
        assert!(
            relative(&dir) == expected,
            "killed after {kill_after} renames: {stderr}"
        );
    }
}

#[cfg(unix)]
#[test]
fn two_write_runs_at_once_do_not_interleave_on_a_crate() {
    let modules = 5;
    let expected = migrated_tree(modules);
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("c");
    lock_crate(&dir, "c", modules);
    // The first run pauses after its first rename, holding the lock.
    let first = std::process::Command::new(env!("CARGO_BIN_EXE_awaitify"))
        .args(["--write", "--no-verify", "."])
        .env("AWAITIFY_TEST_PAUSE_MS", "1500")
        .env_remove("RUST_BACKTRACE")
        .current_dir(&dir)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    wait_for(|| migrated(&dir));
    let (_, stderr) = common::outputs(awaitify(&dir).args(["--write", "."]), 0);
    assert!(
        stderr.contains("awaitify: waiting for another `awaitify --write` that is writing ."),
        "{stderr}"
    );
    let out = first.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(relative(&dir) == expected, "{stderr}");
}

/// A `Cargo.toml` that is a symlink: written through only to a target
/// inside the paths given, and then the link stays a link.
#[cfg(unix)]
#[test]
fn a_symlinked_manifest_is_written_only_at_a_target_inside_the_paths() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("c");
    lock_crate(&dir, "c", 1);
    let shared = tmp.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    std::fs::rename(dir.join("Cargo.toml"), shared.join("Cargo.toml")).unwrap();
    std::os::unix::fs::symlink(shared.join("Cargo.toml"), dir.join("Cargo.toml")).unwrap();
    let before = snapshot(tmp.path());
    let (_, stderr) = common::outputs(awaitify(tmp.path()).args(["--write", "c"]), 2);
    assert!(
        stderr.contains(&format!(
            "error: c/Cargo.toml: is a symlink to {}, outside the paths given: not written through (its crate was not written)",
            shared.join("Cargo.toml").canonicalize().unwrap().display()
        )),
        "{stderr}"
    );
    assert_eq!(snapshot(tmp.path()), before);
    let (_, stderr) = common::outputs(awaitify(tmp.path()).args(["--write", "c", "shared"]), 0);
    assert!(migrated(&dir), "{stderr}");
    assert!(std::fs::symlink_metadata(dir.join("Cargo.toml"))
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(std::fs::read_to_string(shared.join("Cargo.toml"))
        .unwrap()
        .contains("\"sync\""));
}

#[test]
fn a_panic_while_planning_a_crate_is_an_internal_error_for_that_crate() {
    let tmp = tempfile::tempdir().unwrap();
    lock_crate(&tmp.path().join("broken"), "broken", 1);
    lock_crate(&tmp.path().join("fine"), "fine", 1);
    let before = snapshot(&tmp.path().join("broken"));
    // The test builds' fault hook: planning the crate of broken/Cargo.toml panics.
    let (_, stderr) = common::outputs(
        awaitify(tmp.path())
            .env("AWAITIFY_TEST_PANIC", "broken/Cargo.toml")
            .args(["--write", "."]),
        2,
    );
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error")).collect();
    assert_eq!(errors.len(), 1, "{stderr}");
    assert!(
        errors[0].starts_with("error: broken/Cargo.toml: internal error: AWAITIFY_TEST_PANIC asked for a panic at src/driver.rs:")
            && errors[0].ends_with("; please report it; the crate is not written"),
        "{stderr}"
    );
    assert_eq!(snapshot(&tmp.path().join("broken")), before);
    assert!(migrated(&tmp.path().join("fine")), "{stderr}");
}
