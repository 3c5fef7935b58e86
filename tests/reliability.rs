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
fn lock_crate(dir: &Path, name: &str, modules: usize) {
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\ntokio = {{ version = \"1\", features = [\"rt\"] }}\n"),
    )
    .unwrap();
    let mut lib =
        String::from("use std::sync::Mutex;\n\npub static COUNT: Mutex<u64> = Mutex::new(0);\n");
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
    cmd.env_remove("RUST_BACKTRACE")
        .args(["--format", "concise", "--color", "never"]);
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
        errors[0].starts_with("error: broken/src/m1.rs: internal error: AWAITIFY_TEST_PANIC asked for a panic at src/run.rs:")
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
