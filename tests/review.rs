//! Review and integration: the machine formats (JSON, SARIF checked against
//! the official schema, GitHub annotations), colors, statistics, rule
//! selection, `cargo awaitify` with package selection, `--verify`, `awaitify
//! test`, completions, and the rule documentation.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use assert_cmd::Command as Cmd;
use common::{awaitify_cmd as awaitify, outputs};
use serde_json::Value;

fn fixture(name: &str) -> PathBuf {
    common::testdata().join(name)
}

#[test]
fn json_is_one_document_with_findings_fixes_diffs_and_summary() {
    let (stdout, stderr) = outputs(
        awaitify(&fixture("readme_example")).args(["--format", "json", "."]),
        0,
    );
    assert!(stderr.is_empty(), "nothing but the document: {stderr}");
    let doc: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(doc["version"], 1);
    let findings = doc["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 2);
    let migrated = &findings[0];
    assert_eq!(migrated["code"], "AW101");
    assert_eq!(migrated["severity"], "warning");
    assert_eq!(migrated["span"]["path"], "src/main.rs");
    assert_eq!(migrated["span"]["start"]["line"], 6);
    assert_eq!(migrated["fix"]["applicability"], "safe");
    assert_eq!(migrated["fix"]["included"], true);
    let edits = migrated["fix"]["edits"].as_array().unwrap();
    assert!(
        edits
            .iter()
            .any(|e| e["replacement"].as_str().unwrap().contains("read().await")),
        "{edits:?}"
    );
    // Manual without `--unsafe-fixes`, which makes its helper async.
    assert_eq!(findings[1]["code"], "AW102");
    assert_eq!(findings[1]["fix"]["applicability"], "unsafe");
    assert_eq!(findings[1]["fix"]["included"], false);
    // Its site in async code, its site in the sync helper, and the reason.
    let labels: Vec<&str> = findings[1]["labels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["message"].as_str().unwrap())
        .collect();
    assert_eq!(labels.len(), 3, "{labels:?}");
    assert!(
        labels.contains(&"locked here, in a sync fn async code calls"),
        "{labels:?}"
    );
    let files = doc["files"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    assert!(files[0]["diff"]
        .as_str()
        .unwrap()
        .starts_with("--- a/src/main.rs\n"));
    assert_eq!(doc["summary"]["findings"], 2);
    assert_eq!(doc["summary"]["fixes_safe"], 1);
    assert_eq!(doc["summary"]["manual"], 0);
    assert_eq!(doc["summary"]["unsafe_fixes_available"], 1);
    assert_eq!(doc["summary"]["files_changed"], 2);
}

/// The official SARIF 2.1.0 schema (OASIS `sarif-schema-2.1.0.json`, as
/// shipped in the `serde-sarif` crate), kept next to this test.
fn sarif_schema() -> Value {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sarif-schema-2.1.0.json"),
    )
    .unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn sarif_validates_against_the_official_schema_on_every_fixture() {
    let validator = jsonschema::validator_for(&sarif_schema()).unwrap();
    // The schema check can fail: a log without `version` is rejected.
    assert!(!validator.is_valid(&serde_json::json!({ "runs": [] })));
    let mut results = 0;
    for case in common::cases() {
        let mut args = vec!["--format".to_string(), "sarif".to_string()];
        args.extend(case.args.iter().cloned());
        let out = common::awaitify(&case.dir, &args);
        let doc: Value = serde_json::from_str(&out.stdout)
            .unwrap_or_else(|e| panic!("{}: not JSON: {e}", case.name));
        let errors: Vec<String> = validator
            .iter_errors(&doc)
            .map(|e| format!("{} at {}", e, e.instance_path))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", case.name);
        results += doc["runs"][0]["results"].as_array().unwrap().len();
    }
    assert!(results > 50, "only {results} results over all fixtures");
}

/// Annotations name files relative to the repository (`GITHUB_WORKSPACE`,
/// else the git work tree), from whatever directory the run started in.
#[test]
fn github_annotations_name_file_line_and_rule() {
    let dir = fixture("readme_example");
    let (stdout, _) = outputs(
        awaitify(&dir)
            .env("GITHUB_WORKSPACE", &dir)
            .args(["--format", "github", "."]),
        0,
    );
    let (from_src, _) = outputs(
        awaitify(&dir.join("src"))
            .env("GITHUB_WORKSPACE", &dir)
            .args(["--format", "github", "."]),
        0,
    );
    // (Messages name places as the terminal would: from where it ran.)
    let files = |out: &str| -> Vec<String> {
        out.lines()
            .map(|l| l.split(",line=").next().unwrap().to_string())
            .collect()
    };
    assert_eq!(files(&from_src), files(&stdout));
    // Without it, the git work tree this repository is.
    let (in_repo, _) = outputs(
        awaitify(&dir.join("src"))
            .env_remove("GITHUB_WORKSPACE")
            .args(["--format", "github", "."]),
        0,
    );
    assert!(
        in_repo.starts_with("::warning file=testdata/readme_example/src/main.rs,line=6,"),
        "{in_repo}"
    );
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert!(
        lines[0].starts_with(
            "::warning file=src/main.rs,line=6,col=5,endLine=6,endColumn=13,title=AW101 (std-lock-in-async)::std RwLock"
        ),
        "{stdout}"
    );
    // Notes go on escaped new lines of the same command.
    assert!(lines[1].contains("%0Anote: src/main.rs:12:20"), "{stdout}");
}

#[test]
fn full_diagnostics_show_the_source_and_colors_follow_the_flag() {
    let dir = fixture("readme_example");
    let (stdout, stderr) = outputs(awaitify(&dir).args(["--color", "never", "."]), 0);
    assert!(
        stderr.contains("warning[AW101]: std RwLock `AppState.sessions`"),
        "{stderr}"
    );
    assert!(stderr.contains(" --> src/main.rs:6:5\n"), "{stderr}");
    assert!(stderr.contains("^^^^^^^^ declared here"), "{stderr}");
    assert!(
        stderr.contains("----- locked in async code here"),
        "{stderr}"
    );
    assert!(!stderr.contains('\x1b') && !stdout.contains('\x1b'));

    let (stdout, stderr) = outputs(awaitify(&dir).args(["--color", "always", "."]), 0);
    assert!(stderr.contains('\x1b'), "{stderr}");
    // Word-level emphasis: the changed word is bold and underlined.
    assert!(
        stdout.contains("\x1b[1m\x1b[4m\x1b[32mtokio::sync::RwLock;"),
        "{stdout:?}"
    );
}

/// Runs awaitify with `args` in `dir` on a terminal made by `script`,
/// typing `input`, and returns what the terminal showed; `None` (the test
/// is skipped) where there is no `script`.
fn on_terminal(dir: &Path, args: &str, input: &[u8], no_color: bool) -> Option<String> {
    use std::io::Write as _;
    use std::process::Stdio;
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("skipped: no `script` to make a terminal");
        return None;
    }
    let cmd = format!("{} {args}", env!("CARGO_BIN_EXE_awaitify"));
    let mut script = Command::new("script");
    script
        .args(["-qec", &cmd, "/dev/null"])
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped());
    match no_color {
        true => script.env("NO_COLOR", "1"),
        false => script.env_remove("NO_COLOR"),
    };
    let mut child = script.spawn().unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    let out = child.wait_with_output().unwrap();
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// On a terminal colors are on by default, and NO_COLOR turns them off.
#[test]
fn on_a_terminal_colors_are_on_unless_no_color_is_set() {
    let dir = fixture("readme_example");
    let Some(colored) = on_terminal(&dir, "--format concise .", b"", false) else {
        return;
    };
    assert!(colored.contains("\x1b["), "{colored:?}");
    let plain = on_terminal(&dir, "--format concise .", b"", true).unwrap();
    assert!(!plain.contains("\x1b["), "{plain:?}");
}

/// `--interactive` on a real terminal: the first crate is declined, the
/// second accepted; only the second is written.
#[test]
fn interactive_writes_only_the_crates_accepted() {
    let tmp = tempfile::tempdir().unwrap();
    for name in ["blocking_sleep", "readme_example"] {
        common::copy_dir(&fixture(name), &tmp.path().join(name));
    }
    let args = "--write --no-verify --interactive --color never --format concise .";
    let Some(shown) = on_terminal(tmp.path(), args, b"n\ny\n", false) else {
        return;
    };
    assert!(
        shown.contains("(1/2) Apply the changes to these 2 file(s) [y,n,a,q,?]?"),
        "{shown}"
    );
    // Issue 14, item 9: each crate's name and findings come before its
    // prompt, and are not repeated after the prompts.
    let first_prompt = shown.find("(1/2) Apply").unwrap();
    let header = shown
        .find("== blocking_sleep/Cargo.toml\r\nblocking_sleep/src/main.rs:6:5: warning[AW201]")
        .or_else(|| {
            shown.find(
                "== blocking_sleep/Cargo.toml\nblocking_sleep/src/main.rs:6:5: warning[AW201]",
            )
        })
        .unwrap_or_else(|| panic!("{shown}"));
    assert!(header < first_prompt, "{shown}");
    let second_prompt = shown.find("(2/2) Apply").unwrap();
    let example = shown.find("== readme_example/Cargo.toml").unwrap();
    assert!(first_prompt < example && example < second_prompt, "{shown}");
    assert!(
        shown[first_prompt..second_prompt].contains("warning[AW102]"),
        "{shown}"
    );
    assert_eq!(shown.matches("warning[AW201]").count(), 3, "{shown}");
    let sleepy = std::fs::read_to_string(tmp.path().join("blocking_sleep/src/main.rs")).unwrap();
    assert!(!sleepy.contains("tokio::time::sleep"), "{sleepy}");
    let example = std::fs::read_to_string(tmp.path().join("readme_example/src/main.rs")).unwrap();
    assert!(example.contains("use tokio::sync::RwLock;"), "{example}");
    assert!(
        shown.contains("1 fix applied (1 safe) in 2 files"),
        "{shown}"
    );
}

/// A run of a few seconds on a terminal shows a progress bar on stderr;
/// `-q` shows none.
#[test]
fn a_long_run_on_a_terminal_shows_progress() {
    let tmp = tempfile::tempdir().unwrap();
    for i in 0..3000 {
        std::fs::write(
            tmp.path().join(format!("f{i}.rs")),
            format!("use std::sync::Mutex;\nstatic M{i}: Mutex<u32> = Mutex::new(0);\nasync fn f{i}() {{ *M{i}.lock().unwrap() += 1; }}\n"),
        )
        .unwrap();
    }
    let Some(shown) = on_terminal(tmp.path(), "-j1 --format concise . > /dev/null", b"", false)
    else {
        return;
    };
    assert!(shown.contains("/3000 files"), "{shown}");
    let quiet = on_terminal(tmp.path(), "-j1 -q . > /dev/null", b"", false).unwrap();
    assert!(!quiet.contains("/3000 files"), "{quiet}");
}

#[test]
fn statistics_count_findings_per_rule() {
    let (stdout, _) = outputs(
        awaitify(&fixture("blocking_sleep")).args(["--statistics", "-q", "."]),
        0,
    );
    assert_eq!(
        stdout,
        "    3  AW201  blocking-sleep             3 fixable\n"
    );
}

#[test]
fn select_and_ignore_limit_what_is_reported_and_fixed() {
    let dir = fixture("config_rules");
    let (stdout, stderr) = outputs(
        awaitify(&dir).args(["--select", "AW2", "--format", "concise", "."]),
        0,
    );
    assert!(!stderr.contains("AW10"), "{stderr}");
    assert!(stdout.contains("tokio::fs::read_to_string"), "{stdout}");
    assert!(!stdout.contains("tokio::sync"), "{stdout}");
    // `--select` replaces the configuration's selection: the AW201 that
    // its `ignore` hides is back.
    assert!(stdout.contains("tokio::time::sleep"), "{stdout}");
    // `--ignore` adds to the configuration's `ignore` (issue 14, bug 2):
    // AW201 stays ignored, neither reported nor fixed.
    let (stdout, stderr) = outputs(
        awaitify(&dir).args(["--ignore", "AW101", "--format", "concise", "."]),
        0,
    );
    assert!(
        !stderr.contains("AW201") && !stderr.contains("AW101"),
        "{stderr}"
    );
    assert!(stderr.contains("AW202"), "{stderr}");
    assert!(!stdout.contains("tokio::time::sleep"), "{stdout}");
    assert!(!stdout.contains("tokio::sync"), "{stdout}");
    let (_, stderr) = outputs(awaitify(&dir).args(["--select", "AW9", "."]), 2);
    assert!(stderr.contains("`AW9` names no rule"), "{stderr}");
}

#[test]
fn a_suppression_that_names_no_rule_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    common::copy_dir(&fixture("suppression"), &dir);
    let main = dir.join("src/main.rs");
    replace_in(&main, "allow(AW101)", "allow(AW110)");
    let (stdout, stderr) = outputs(awaitify(&dir).args(["--format", "concise", "."]), 2);
    assert!(
        stderr.contains("error: src/main.rs:5:1: `awaitify: allow(..)`: `AW110` names no rule"),
        "{stderr}"
    );
    // It suppresses nothing: the lock under it is migrated.
    assert!(stdout.contains("Mutex::const_new(0)"), "{stdout}");
}

/// A comment that looks like a suppression but is not one the tool reads
/// is a warning that names the comment it should be (ruff's invalid-noqa);
/// it suppresses nothing.
#[test]
fn a_malformed_suppression_is_a_warning_with_the_comment_it_should_be() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    common::copy_dir(&fixture("suppression"), &dir);
    let main = dir.join("src/main.rs");
    replace_in(
        &main,
        "// awaitify: allow(AW101)",
        "// awaitify allow AW101",
    );
    let (stdout, stderr) = outputs(awaitify(&dir).args(["--format", "concise", "."]), 0);
    assert!(
        stderr.contains("src/main.rs:5:1: `// awaitify allow AW101` is not read as a suppression; write `// awaitify: allow(AW101)`"),
        "{stderr}"
    );
    assert!(stdout.contains("Mutex::const_new(0)"), "{stdout}");
}

#[test]
fn files_outside_the_paths_given_are_read_but_not_changed() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    common::copy_dir(&fixture("cross_file"), &dir);
    let (stdout, stderr) = outputs(
        awaitify(&dir).args(["--format", "concise", "src/state.rs"]),
        0,
    );
    // The lock is locked in another file of the crate: migrating it in
    // state.rs alone would not compile.
    assert!(stderr.contains("warning[AW102]"), "{stderr}");
    assert!(
        stderr.contains("it is in a file this run leaves alone"),
        "{stderr}"
    );
    assert!(!stdout.contains("tokio::sync"), "{stdout}");
    let (stdout, _) = outputs(awaitify(&dir).arg("."), 0);
    assert!(stdout.contains("tokio::sync"), "{stdout}");
}

/// A workspace with two members, each with a migratable lock.
fn workspace(root: &Path) -> PathBuf {
    let ws = root.join("ws");
    for name in ["alpha", "beta"] {
        let dir = ws.join(name);
        std::fs::create_dir_all(dir.join("src")).unwrap();
        std::fs::write(
            dir.join("Cargo.toml"),
            format!("[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\n[dependencies]\ntokio = \"1\"\n"),
        )
        .unwrap();
        std::fs::write(
            dir.join("src/lib.rs"),
            "use std::sync::Mutex;\nstatic N: Mutex<u8> = Mutex::new(0);\npub async fn bump() { *N.lock().unwrap() += 1; }\n",
        )
        .unwrap();
    }
    std::fs::write(
        ws.join("Cargo.toml"),
        "[workspace]\nmembers = [\"alpha\", \"beta\"]\nresolver = \"2\"\n",
    )
    .unwrap();
    ws
}

fn cargo_awaitify(dir: &Path) -> Cmd {
    let mut cmd = Cmd::cargo_bin("cargo-awaitify").unwrap();
    cmd.current_dir(dir)
        .arg("awaitify")
        .env_remove("CARGO_TERM_COLOR");
    cmd
}

#[test]
fn cargo_awaitify_picks_packages_through_cargo_metadata() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = workspace(tmp.path());
    let (stdout, _) = outputs(
        cargo_awaitify(tmp.path())
            .args(["--manifest-path", "ws/Cargo.toml", "-p", "beta"])
            .args(["--format", "concise"]),
        0,
    );
    assert!(stdout.contains("+++ b/ws/beta/src/lib.rs"), "{stdout}");
    assert!(stdout.contains("+++ b/ws/beta/Cargo.toml"), "{stdout}");
    assert!(!stdout.contains("alpha"), "{stdout}");

    let (stdout, _) = outputs(cargo_awaitify(&ws).arg("--workspace"), 0);
    assert!(stdout.contains("+++ b/alpha/src/lib.rs"), "{stdout}");
    assert!(stdout.contains("+++ b/beta/src/lib.rs"), "{stdout}");

    let (_, stderr) = outputs(cargo_awaitify(&ws).args(["-p", "gamma"]), 2);
    assert!(
        stderr.contains("package `gamma` is not a member of the workspace")
            && stderr.contains("members: alpha, beta"),
        "{stderr}"
    );

    // Issue 14, bug 3: in `cargo awaitify`, --exclude takes packages, as
    // cargo's does; files have --exclude-files.
    let (stdout, stderr) = outputs(
        cargo_awaitify(&ws).args(["--workspace", "--exclude", "alpha", "--exclude", "delta"]),
        0,
    );
    assert!(
        !stdout.contains("alpha") && stdout.contains("+++ b/beta/src/lib.rs"),
        "{stdout}"
    );
    assert!(
        stderr.contains("warning: --exclude: package `delta` is not a member of the workspace"),
        "{stderr}"
    );
    let (stdout, _) = outputs(
        cargo_awaitify(&ws).args(["--workspace", "--exclude-files", "alpha/**"]),
        0,
    );
    assert!(
        !stdout.contains("alpha/src") && stdout.contains("+++ b/beta/src/lib.rs"),
        "{stdout}"
    );
    let (_, stderr) = outputs(cargo_awaitify(&ws).args(["--exclude", "alpha"]), 2);
    assert!(
        stderr.contains("--exclude can only be used together with --workspace"),
        "{stderr}"
    );

    // Through cargo itself, as `cargo awaitify`.
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_cargo-awaitify"))
        .parent()
        .unwrap()
        .to_path_buf();
    let path = std::env::join_paths(
        std::iter::once(bin_dir).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap())),
    )
    .unwrap();
    let out = Command::new(env!("CARGO"))
        .args(["awaitify", "-p", "alpha", "--check"])
        .current_dir(&ws)
        .env("PATH", path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("+++ b/alpha/src/lib.rs") && !stdout.contains("beta"));
}

#[test]
fn a_public_lock_that_another_crate_names_is_left_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = workspace(tmp.path());
    let lib = ws.join("alpha/src/lib.rs");
    replace_in(&lib, "static N", "pub static N");
    let beta = ws.join("beta/src/lib.rs");
    replace_in(&beta, "N", "M");
    let manifest = ws.join("beta/Cargo.toml");
    replace_in(
        &manifest,
        "[dependencies]",
        "[dependencies]\nalpha = { path = \"../alpha\" }",
    );
    // beta locks alpha's lock: migrating alpha alone would break beta.
    std::fs::write(
        ws.join("beta/src/uses.rs"),
        "pub fn peek() -> u8 { *alpha::N.lock().unwrap() }\n",
    )
    .unwrap();
    let (stdout, stderr) = outputs(awaitify(&ws).args(["--format", "concise", "."]), 0);
    assert!(
        stderr.contains("alpha/src/lib.rs:2:12: warning[AW102] std Mutex static `N`")
            && stderr.contains(
                "it is public, and beta/src/uses.rs (another crate of this run) names `N`"
            ),
        "{stderr}"
    );
    assert!(!stdout.contains("alpha/src/lib.rs"), "{stdout}");
    assert!(stdout.contains("+++ b/beta/src/lib.rs"), "{stdout}");
    // Without the other crate in view, it is still public API: reported by
    // default, migrated with a note only when opted in.
    let (stdout, stderr) = outputs(awaitify(&ws).args(["--format", "concise", "alpha"]), 0);
    assert!(
        stderr.contains("it is public API of a library; migrating it is a breaking change"),
        "{stderr}"
    );
    assert!(!stdout.contains("alpha/src/lib.rs"), "{stdout}");
    let (stdout, stderr) = outputs(
        awaitify(&ws).args(["--format", "concise", "--unsafe-fixes", "alpha"]),
        0,
    );
    assert!(stderr.contains("it is public in a library"), "{stderr}");
    assert!(stdout.contains("+++ b/alpha/src/lib.rs"), "{stdout}");
    // Opted in, with both crates in view, they are planned together: beta's
    // sync `peek` cannot lock a tokio lock, so neither crate changes ...
    let (stdout, stderr) = outputs(
        awaitify(&ws).args(["--format", "concise", "--unsafe-fixes", "."]),
        0,
    );
    assert!(
        stderr.contains("alpha/src/lib.rs:2:12: warning[AW102] std Mutex static `N`")
            && stderr.contains("beta/src/uses.rs:1:33: it is locked in sync fn `peek`"),
        "{stderr}"
    );
    assert!(
        !stdout.contains("alpha/src/lib.rs") && !stdout.contains("beta/src/uses.rs"),
        "{stdout}"
    );
    // ... and once beta locks it in async code only, both migrate together,
    // each manifest with the tokio feature its files need.
    std::fs::write(
        ws.join("beta/src/uses.rs"),
        "pub async fn peek() -> u8 { *alpha::N.lock().unwrap() }\n",
    )
    .unwrap();
    let (stdout, stderr) = outputs(
        awaitify(&ws).args(["--format", "concise", "--unsafe-fixes", "."]),
        0,
    );
    assert!(
        stderr.contains("alpha/src/lib.rs:2:12: warning[AW101] std Mutex static `N`"),
        "{stderr}"
    );
    for file in ["alpha/src/lib.rs", "beta/src/uses.rs", "alpha/Cargo.toml"] {
        assert!(
            stdout.contains(&format!("+++ b/{file}")),
            "{file}: {stdout}"
        );
    }
    assert!(
        stdout.contains("+    pub async fn peek() -> u8 { *alpha::N.lock().await }")
            || stdout.contains("+pub async fn peek() -> u8 { *alpha::N.lock().await }"),
        "{stdout}"
    );
    // Without tokio, beta cannot be planned with alpha: alpha stays.
    let manifest = ws.join("beta/Cargo.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(&manifest, text.replace("tokio = \"1\"\n", "")).unwrap();
    let (stdout, stderr) = outputs(
        awaitify(&ws).args(["--format", "concise", "--unsafe-fixes", "."]),
        0,
    );
    assert!(
        stderr.contains("names `N`: that crate would need the same rewrite, and cannot be planned with it: it does not depend on tokio"),
        "{stderr}"
    );
    assert!(!stdout.contains("alpha/src/lib.rs"), "{stdout}");
    std::fs::write(&manifest, text).unwrap();
    std::fs::write(
        ws.join("beta/src/uses.rs"),
        "pub fn peek() -> u8 { *alpha::N.lock().unwrap() }\n",
    )
    .unwrap();
    // The configuration's word does the same, as a safe fix.
    std::fs::write(ws.join("alpha/awaitify.toml"), "public-api = \"migrate\"\n").unwrap();
    let (stdout, stderr) = outputs(awaitify(&ws).args(["--format", "concise", "alpha"]), 0);
    assert!(stderr.contains("(1 safe)"), "{stderr}");
    assert!(stdout.contains("+++ b/alpha/src/lib.rs"), "{stdout}");
}

/// A package that did not build before the change is written unverified,
/// and the summary and the JSON say why; one that builds is verified.
#[test]
fn a_package_that_did_not_build_before_is_written_unverified() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = workspace(tmp.path());
    // Pinned versions and a shared target directory: tokio builds once.
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures.lock"),
        ws.join("Cargo.lock"),
    )
    .unwrap();
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("verify");
    // A planted failure in beta that has nothing to do with the migration.
    let broken = "pub const X: u32 = \"not a number\";\n";
    std::fs::write(ws.join("beta/src/broken.rs"), broken).unwrap();
    let lib = std::fs::read_to_string(ws.join("beta/src/lib.rs")).unwrap();
    std::fs::write(
        ws.join("beta/src/lib.rs"),
        format!("pub mod broken;\n{lib}"),
    )
    .unwrap();

    let (stdout, stderr) = outputs(
        awaitify(&ws).env("CARGO_TARGET_DIR", &target).args([
            "--write",
            "--workspace",
            "--format",
            "json",
        ]),
        0,
    );
    let doc: Value = serde_json::from_str(&stdout).unwrap();
    let v = doc["verification"].as_array().unwrap();
    assert_eq!(v.len(), 2, "{stdout}");
    let of = |name: &str| {
        v.iter()
            .find(|p| p["packages"][0].as_str().unwrap().starts_with(name))
            .unwrap()
    };
    assert_eq!(of("alpha")["verified"], true, "{stdout}");
    assert_eq!(of("alpha")["rounds"], 1, "{stdout}");
    let beta = of("beta");
    assert_eq!(beta["verified"], false, "{stdout}");
    assert_eq!(beta["restored"], false, "{stdout}");
    let reason = beta["reason"].as_str().unwrap();
    assert!(
        reason.contains("did not build before the change") && reason.contains("mismatched types"),
        "{reason}"
    );
    assert!(
        stderr.contains("checking package 2/2 (round 1)"),
        "{stderr}"
    );
    // Both are written: beta's migration is the analysis' alone.
    let beta_lib = std::fs::read_to_string(ws.join("beta/src/lib.rs")).unwrap();
    assert!(beta_lib.contains(".lock().await"), "{beta_lib}");

    // The summary says so too.
    let fresh = tempfile::tempdir().unwrap();
    let ws = workspace(fresh.path());
    std::fs::write(ws.join("beta/src/broken.rs"), broken).unwrap();
    let lib = std::fs::read_to_string(ws.join("beta/src/lib.rs")).unwrap();
    std::fs::write(
        ws.join("beta/src/lib.rs"),
        format!("pub mod broken;\n{lib}"),
    )
    .unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures.lock"),
        ws.join("Cargo.lock"),
    )
    .unwrap();
    let (_, stderr) = outputs(
        awaitify(&ws)
            .env("CARGO_TARGET_DIR", &target)
            .args(["--write", "-p", "beta"]),
        0,
    );
    assert!(
        stderr.contains("awaitify: 0 of 1 package(s) verified by `cargo check`; beta/Cargo.toml: unverified: the package did not build before the change"),
        "{stderr}"
    );
}

/// A crate planned together with the library whose public lock it uses:
/// both packages are checked together, in one verification.
#[test]
fn verify_checks_a_library_with_the_crate_that_uses_its_lock() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = workspace(tmp.path());
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures.lock"),
        ws.join("Cargo.lock"),
    )
    .unwrap();
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("verify");
    let alpha_lib = ws.join("alpha/src/lib.rs");
    replace_in(&alpha_lib, "static N", "pub static N");
    let manifest = ws.join("beta/Cargo.toml");
    replace_in(
        &manifest,
        "[dependencies]",
        "[dependencies]\nalpha = { path = \"../alpha\" }",
    );
    std::fs::write(
        ws.join("beta/src/uses.rs"),
        "pub async fn peek() -> u8 { *alpha::N.lock().unwrap() }\n",
    )
    .unwrap();
    // beta's own static is `M`: a namesake of `N` would make `alpha::N`
    // ambiguous in the joined plan (and the lock manual).
    let beta_lib = ws.join("beta/src/lib.rs");
    let text = std::fs::read_to_string(&beta_lib)
        .unwrap()
        .replace('N', "M");
    std::fs::write(&beta_lib, format!("pub mod uses;\n{text}")).unwrap();
    let (stdout, stderr) = outputs(
        awaitify(&ws).env("CARGO_TARGET_DIR", &target).args([
            "--write",
            "--unsafe-fixes",
            "--workspace",
            "--format",
            "json",
        ]),
        0,
    );
    assert!(
        stderr.contains("(round 1): alpha/Cargo.toml, beta/Cargo.toml"),
        "{stderr}"
    );
    let doc: Value = serde_json::from_str(&stdout).unwrap();
    let v = doc["verification"].as_array().unwrap();
    assert!(
        v.iter()
            .any(|p| p["packages"].as_array().unwrap().len() == 2
                && p["verified"] == true
                && p["rounds"] == 1),
        "{stdout}"
    );
    let uses = std::fs::read_to_string(ws.join("beta/src/uses.rs")).unwrap();
    assert!(uses.contains("alpha::N.lock().await"), "{uses}");
}

/// `--features` reaches `cargo check`, as `cargo fix` passes it on: a
/// feature the package does not have fails the check before and after.
/// Features reach the check: one the package does not have makes cargo
/// itself fail, which says nothing about the code, so the package's files
/// are restored and the run exits 2, naming cargo's error.
#[test]
fn features_are_passed_to_the_check() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = workspace(tmp.path());
    let before = std::fs::read_to_string(ws.join("alpha/src/lib.rs")).unwrap();
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("verify");
    let (_, stderr) = outputs(
        awaitify(&ws).env("CARGO_TARGET_DIR", &target).args([
            "--write",
            "--features",
            "no-such-feature",
            "alpha",
        ]),
        2,
    );
    assert!(
        stderr.contains("alpha/Cargo.toml: not verified: cargo itself failed (error:")
            && stderr.contains("no-such-feature")
            && stderr.contains("its files are as they were"),
        "{stderr}"
    );
    let after = std::fs::read_to_string(ws.join("alpha/src/lib.rs")).unwrap();
    assert_eq!(after, before);
}

/// A stand-in `cargo` at `dir/name`: it answers `--version`, and runs the
/// shell lines `check` for anything else (`cargo check ..`).
#[cfg(unix)]
fn stand_in_cargo(dir: &Path, name: &str, check: &str) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join(name);
    let script = format!(
        "#!/bin/sh\nif [ \"$1\" = --version ]; then echo 'cargo 1.95.0'; exit 0; fi\n{check}\n"
    );
    std::fs::write(&path, script).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

/// Issue 26: a check that fails for a reason of cargo's own (the disk is
/// full, the network is down, cargo is killed, it runs past the time
/// limit) is no verdict on the code:
/// the package is restored byte for byte and the run exits 2 with cargo's
/// error, or, with --allow-unverified, keeps the edits and still exits 2.
#[cfg(unix)]
#[test]
fn a_check_that_cargo_itself_fails_restores_the_package_and_exits_2() {
    let tmp = tempfile::tempdir().unwrap();
    let stand_in = |name: &str, check: &str| stand_in_cargo(tmp.path(), name, check);
    let disk_full = stand_in(
        "disk-full",
        "echo 'error: failed to write /t/x: No space left on device (os error 28)' >&2; exit 101",
    );
    let killed = stand_in("killed", "kill -9 $$");
    // Fetches (and says so on stderr), then finds no network.
    let offline = stand_in(
        "offline",
        "echo '    Updating crates.io index' >&2; echo 'error: failed to get `tokio` as a dependency of package `alpha v0.0.0`' >&2; exit 101",
    );
    // Waits on another cargo's lock, then hangs (in a child, which the
    // time limit must stop too).
    let stuck = stand_in(
        "stuck",
        "echo '    Blocking waiting for file lock on build directory' >&2; sleep 60",
    );
    for (cargo, cause) in [
        (&disk_full, "cargo itself failed (error: failed to write /t/x: No space left on device (os error 28))"),
        (&killed, "cargo itself failed (killed by a signal)"),
        (&offline, "cargo itself failed (error: failed to get `tokio` as a dependency of package `alpha v0.0.0`)"),
        (&stuck, "cargo check timed out after 1 s (--verify-timeout)"),
    ] {
        let name = cargo.file_name().unwrap().to_string_lossy();
        let ws = workspace(&tmp.path().join(format!("{name}-ws")));
        let lib = ws.join("alpha/src/lib.rs");
        let before = std::fs::read_to_string(&lib).unwrap();
        let started = std::time::Instant::now();
        let (_, stderr) = outputs(
            awaitify(&ws)
                .env("CARGO", cargo)
                .args(["--write", "--verify-timeout", "1", "alpha"]),
            2,
        );
        assert!(started.elapsed().as_secs() < 30, "the time limit held");
        assert!(
            stderr.contains(&format!("alpha/Cargo.toml: not verified: {cause}; its files are as they were")),
            "{stderr}"
        );
        let waits = stderr.contains("awaitify: waiting for the build directory lock held by another cargo");
        assert_eq!(waits, cargo == &stuck, "{stderr}");
        let fetches = stderr.contains("awaitify: cargo is fetching dependencies for the check (--offline forbids it)");
        assert_eq!(fetches, cargo == &offline, "{stderr}");
        assert_eq!(std::fs::read_to_string(&lib).unwrap(), before);
        let (_, stderr) = outputs(
            awaitify(&ws).env("CARGO", cargo).args([
                "--write",
                "--allow-unverified",
                "--verify-timeout",
                "1",
                "alpha",
            ]),
            2,
        );
        assert!(
            stderr.contains(&format!("{cause}; written unverified (--allow-unverified)")),
            "{stderr}"
        );
        assert!(std::fs::read_to_string(&lib).unwrap().contains(".lock().await"));
    }
}

/// With no cargo to check them, `--write` writes nothing and exits 2: a
/// broken environment is no reason to write unchecked (`--no-verify` is).
#[test]
fn write_with_no_cargo_to_check_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = workspace(tmp.path());
    let lib = ws.join("alpha/src/lib.rs");
    let before = std::fs::read_to_string(&lib).unwrap();
    let (_, stderr) = outputs(
        awaitify(&ws)
            .env("CARGO", "/nonexistent/cargo")
            .args(["--write", "alpha"]),
        2,
    );
    assert!(
        stderr.contains("cargo is not on PATH: --write checks its changes with `cargo check`, so nothing was written; --no-verify writes them unchecked"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&lib).unwrap(), before);
}

/// `--offline` reaches the check: a stand-in cargo that fails unless it is
/// given `--offline` lets the package be verified.
#[cfg(unix)]
#[test]
fn offline_is_passed_to_the_check() {
    let tmp = tempfile::tempdir().unwrap();
    let cargo = stand_in_cargo(
        tmp.path(),
        "cargo-offline-only",
        "case \" $* \" in *' --offline '*) exit 0;; esac\necho 'error: would fetch' >&2; exit 101",
    );
    let ws = workspace(&tmp.path().join("ws"));
    let (_, stderr) = outputs(
        awaitify(&ws)
            .env("CARGO", &cargo)
            .args(["--write", "--offline", "alpha"]),
        0,
    );
    assert!(
        stderr.contains("1 of 1 package(s) verified by `cargo check`"),
        "{stderr}"
    );
}

/// `--no-verify` writes without running cargo, and the summary says so.
#[test]
fn no_verify_writes_without_checking() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = workspace(tmp.path());
    // No Cargo.lock and no target: a check would have to resolve and build.
    let (_, stderr) = outputs(
        awaitify(&ws)
            .env("CARGO", "/nonexistent/cargo")
            .args(["--write", "--no-verify", "."]),
        0,
    );
    assert!(!stderr.contains("checking package"), "{stderr}");
    assert!(stderr.contains("not verified (--no-verify)"), "{stderr}");
    let alpha = std::fs::read_to_string(ws.join("alpha/src/lib.rs")).unwrap();
    assert!(alpha.contains(".lock().await"), "{alpha}");
}

#[test]
fn awaitify_test_compares_with_fixed_files_and_blesses_them() {
    let tmp = tempfile::tempdir().unwrap();
    // The cases live inside a project whose own code names the same lock:
    // each case is still planned on its own.
    std::fs::create_dir_all(tmp.path().join("src")).unwrap();
    std::fs::write(
        tmp.path().join("Cargo.toml"),
        "[package]\nname = \"proj\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\n[dependencies]\ntokio = \"1\"\n",
    )
    .unwrap();
    std::fs::write(
        tmp.path().join("src/lib.rs"),
        "pub fn peek() -> u8 { *crate::N.lock().unwrap() }\n",
    )
    .unwrap();
    let dir = tmp.path().join("cases");
    std::fs::create_dir_all(&dir).unwrap();
    let case = "use std::sync::Mutex;\nstatic N: Mutex<u8> = Mutex::new(0);\nasync fn bump() { *N.lock().unwrap() += 1; }\n";
    std::fs::write(dir.join("lock.rs"), case).unwrap();
    std::fs::write(dir.join("plain.rs"), "fn main() {}\n").unwrap();
    common::copy_dir(&fixture("blocking_sleep"), &dir.join("sleepy"));

    // Nothing blessed yet: the changed cases fail, the plain one passes.
    let (stdout, _) = outputs(awaitify(tmp.path()).args(["test", "cases"]), 1);
    assert!(stdout.contains("test cases/lock.rs ... FAILED"), "{stdout}");
    // Issue 14, item 10: a mismatch says how to accept it.
    assert!(
        stdout.ends_with("rerun with --bless: awaitify test cases --bless\n"),
        "{stdout}"
    );
    assert!(stdout.contains("test cases/plain.rs ... ok"), "{stdout}");
    assert!(stdout.contains("test cases/sleepy ... FAILED"), "{stdout}");

    outputs(awaitify(tmp.path()).args(["test", "cases", "--bless"]), 0);
    let fixed = std::fs::read_to_string(dir.join("lock.fixed")).unwrap();
    assert!(fixed.contains("N.lock().await"), "{fixed}");
    assert!(dir.join("sleepy/src/main.fixed").is_file());
    assert!(!dir.join("plain.fixed").exists());
    let (stdout, _) = outputs(awaitify(tmp.path()).args(["test", "cases"]), 0);
    assert!(stdout.contains("3 passed; 0 failed"), "{stdout}");

    // A tool (or configuration) change shows up as a diff.
    std::fs::write(dir.join("lock.fixed"), case).unwrap();
    let (stdout, _) = outputs(awaitify(tmp.path()).args(["test", "cases"]), 1);
    assert!(
        stdout.contains("-async fn bump() { *N.lock().unwrap() += 1; }"),
        "{stdout}"
    );
    assert!(
        stdout.contains("+async fn bump() { *N.lock().await += 1; }"),
        "{stdout}"
    );
}

#[test]
fn completions_version_and_interactive_without_a_terminal() {
    let tmp = tempfile::tempdir().unwrap();
    let (stdout, _) = outputs(awaitify(tmp.path()).args(["completions", "bash"]), 0);
    assert!(stdout.contains("_awaitify()") && stdout.contains("--unsafe-fixes"));
    // Issue 14, item 10: `explain` completes rule codes and names.
    assert!(stdout.contains("AW101 std-lock-in-async AW102"), "{stdout}");
    let (stdout, _) = outputs(awaitify(tmp.path()).args(["explain", "aw201"]), 0);
    assert!(stdout.starts_with("AW201 (blocking-sleep)"), "{stdout}");
    let (stdout, _) = outputs(awaitify(tmp.path()).args(["explain", "Blocking-Sleep"]), 0);
    assert!(stdout.starts_with("AW201 (blocking-sleep)"), "{stdout}");
    let (stdout, _) = outputs(awaitify(tmp.path()).arg("--version"), 0);
    assert_eq!(stdout, format!("awaitify {}\n", env!("CARGO_PKG_VERSION")));
    let (_, stderr) = outputs(
        awaitify(tmp.path()).args(["--write", "--no-verify", "--interactive"]),
        2,
    );
    assert!(
        stderr.contains("--interactive needs a terminal"),
        "{stderr}"
    );
}

#[test]
fn every_rule_has_a_fixture_and_the_readme_table_is_current() {
    let snapshots = Path::new(env!("CARGO_MANIFEST_DIR")).join("snapshots");
    let mut all = String::new();
    for e in std::fs::read_dir(snapshots).unwrap() {
        all.push_str(&std::fs::read_to_string(e.unwrap().path()).unwrap());
    }
    for rule in awaitify::rules::RULES {
        assert!(
            all.contains(&format!("[{}]", rule.code)),
            "{} has no fixture",
            rule.code
        );
    }
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    assert!(
        readme.contains(&awaitify::rules::markdown_table()),
        "README's rule table differs from `awaitify rules`; paste:\n{}",
        awaitify::rules::markdown_table()
    );
}

/// Issue 14, item 7: a finding with many places shows ten of them and says
/// how many more there are; JSON keeps them all.
#[test]
fn long_note_lists_are_capped_for_people_and_complete_in_json() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("many");
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        "[package]\nname = \"many\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\n[dependencies]\ntokio = \"1\"\n",
    )
    .unwrap();
    // Twelve sync closures inside async code: twelve blockers.
    let closures: String = (0..12)
        .map(|i| format!("    let f{i} = || *N.lock().unwrap();\n    f{i}();\n"))
        .collect();
    std::fs::write(
        dir.join("src/lib.rs"),
        format!("use std::sync::Mutex;\nstatic N: Mutex<u8> = Mutex::new(0);\npub async fn a() {{\n    *N.lock().unwrap() += 1;\n{closures}}}\n"),
    )
    .unwrap();
    let (_, concise) = outputs(awaitify(&dir).args(["--format", "concise"]), 0);
    assert_eq!(
        concise.matches("\n    = src/lib.rs:").count(),
        10,
        "{concise}"
    );
    assert!(
        concise.contains("\n    = and 2 more (`--format json` lists them all)\n"),
        "{concise}"
    );
    // The snippet labels ten of the thirteen places; notes tell of at most
    // ten more, then a count.
    let (_, full) = outputs(&mut awaitify(&dir), 0);
    let labels = full.lines().filter(|l| l.contains(" ---- ")).count();
    assert_eq!(labels, 10, "{full}");
    let notes = full.matches(" = note: ").count();
    assert!((1..=12).contains(&notes), "{full}");
    let (github, _) = outputs(awaitify(&dir).args(["--format", "github"]), 0);
    assert!(github.contains("%0Anote: and 2 more"), "{github}");
    let (json, _) = outputs(awaitify(&dir).args(["--format", "json"]), 0);
    let doc: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(doc["findings"][0]["notes"].as_array().unwrap().len(), 12);
}

/// Item 7: `-v` prints one line per crate.
#[test]
fn verbose_prints_a_line_per_crate() {
    let (_, stderr) = outputs(
        awaitify(&common::testdata()).args([
            "-v",
            "readme_example",
            "config_rules",
            "--format",
            "concise",
        ]),
        0,
    );
    assert!(
        stderr.contains("awaitify: config_rules/Cargo.toml: 1 file, 4 findings, 2 fixes available, 1 manual\nawaitify: readme_example/Cargo.toml: 1 file, 2 findings, 1 fix available, 1 fix more with --unsafe-fixes\n"),
        "{stderr}"
    );
}

/// Issue 14, item 6: SARIF URIs are relative to the git work tree (where
/// code scanning looks for them) whatever directory the run starts in, with
/// `originalUriBaseIds` saying where that is, and a file that could not be
/// parsed is in the log's `invocations` instead of vanishing. Issue 25: the
/// URIs are escaped (a space is `%20`).
#[test]
fn sarif_uris_are_repository_relative_and_errors_are_in_invocations() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().canonicalize().unwrap().join("my repo");
    let dir = repo.join("crates/the demo");
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        "[package]\nname = \"demo\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\n[dependencies]\ntokio = \"1\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("src/lib.rs"),
        "use std::sync::Mutex;\nstatic N: Mutex<u8> = Mutex::new(0);\npub async fn bump() { *N.lock().unwrap() += 1; }\n",
    )
    .unwrap();
    std::fs::write(dir.join("src/broken.rs"), "use std::sync::Mutex;\nfn f( {").unwrap();
    assert!(Command::new("git")
        .args(["init", "-q"])
        .current_dir(&repo)
        .status()
        .unwrap()
        .success());
    let (stdout, _) = outputs(
        awaitify(&dir.join("src")).args(["--format", "sarif", "."]),
        2,
    );
    let doc: Value = serde_json::from_str(&stdout).unwrap();
    let validator = jsonschema::validator_for(&sarif_schema()).unwrap();
    assert!(validator.is_valid(&doc), "{doc:#}");
    let run = &doc["runs"][0];
    assert_eq!(
        run["originalUriBaseIds"]["%SRCROOT%"]["uri"],
        format!("file://{}/", repo.display()).replace(' ', "%20")
    );
    let location = &run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"];
    assert_eq!(location["uri"], "crates/the%20demo/src/lib.rs");
    assert_eq!(location["uriBaseId"], "%SRCROOT%");
    let changes = run["results"][0]["fixes"][0]["artifactChanges"]
        .as_array()
        .unwrap();
    let uris: Vec<&str> = changes
        .iter()
        .map(|c| c["artifactLocation"]["uri"].as_str().unwrap())
        .collect();
    assert_eq!(
        uris,
        [
            "crates/the%20demo/Cargo.toml",
            "crates/the%20demo/src/lib.rs"
        ]
    );
    let invocation = &run["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    let notes = invocation["toolExecutionNotifications"].as_array().unwrap();
    assert!(
        notes[0]["message"]["text"]
            .as_str()
            .unwrap()
            .starts_with("broken.rs:2:"),
        "{notes:?}"
    );
    assert_eq!(notes[0]["level"], "error");
}

/// Issue 14, item 8: a `//! awaitify: allow(..)` comment covers its whole
/// file, and the configuration's `per-file-ignores` skip rules in the files
/// a glob (relative to the crate) matches.
#[test]
fn file_level_allows_and_per_file_ignores_cover_whole_files() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        "[package]\nname = \"demo\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\n[dependencies]\ntokio = { version = \"1\", features = [\"full\"] }\n",
    )
    .unwrap();
    let nap = |name: &str| {
        format!("pub async fn {name}() {{\n    std::thread::sleep(std::time::Duration::from_millis(1));\n}}\n")
    };
    std::fs::write(
        dir.join("src/lib.rs"),
        // `plain` runs on a tokio runtime, so that its finding has a fix.
        format!(
            "pub mod slow;\npub mod generated;\n{}{}",
            nap("plain"),
            "pub fn drive() {\n    tokio::runtime::Runtime::new().unwrap().block_on(plain());\n}\n"
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("src/slow.rs"),
        format!(
            "//! Sleeps on purpose.\n//! awaitify: allow(blocking-sleep)\n\n{}{}",
            nap("a"),
            nap("b")
        ),
    )
    .unwrap();
    std::fs::create_dir_all(dir.join("src/generated")).unwrap();
    std::fs::write(dir.join("src/generated/mod.rs"), nap("g")).unwrap();
    std::fs::write(
        dir.join("awaitify.toml"),
        "[per-file-ignores]\n\"src/generated/**\" = [\"AW2\"]\n",
    )
    .unwrap();
    let (stdout, stderr) = outputs(awaitify(&dir).args(["--format", "concise", "."]), 0);
    assert!(
        stderr.starts_with("src/lib.rs:4:5: warning[AW201]"),
        "{stderr}"
    );
    assert_eq!(stderr.matches("warning[").count(), 1, "{stderr}");
    assert!(
        stderr.contains("1 finding, 1 fix available (1 safe) in 1 file, 3 suppressed"),
        "{stderr}"
    );
    assert_eq!(stdout.matches("+++ b/").count(), 1, "{stdout}");
    // Without them, all four are reported.
    std::fs::remove_file(dir.join("awaitify.toml")).unwrap();
    std::fs::write(dir.join("src/slow.rs"), format!("{}{}", nap("a"), nap("b"))).unwrap();
    let (_, stderr) = outputs(awaitify(&dir).args(["--format", "concise", "."]), 0);
    assert_eq!(stderr.matches("warning[AW201]").count(), 4, "{stderr}");
}

/// Issue 14, item 8: a rule the run does not check is not called unused,
/// and AW001 can be turned off like any rule.
#[test]
fn unused_suppressions_count_only_rules_the_run_checks() {
    let dir = fixture("unused_suppression");
    let (_, stderr) = outputs(
        awaitify(&dir).args(["--ignore", "AW206", "--format", "concise", "."]),
        0,
    );
    assert_eq!(stderr.matches("warning[AW001]").count(), 2, "{stderr}");
    assert!(!stderr.contains("`AW206`"), "{stderr}");
    let (stdout, stderr) = outputs(
        awaitify(&dir).args(["--ignore", "AW001", "--format", "concise", "."]),
        0,
    );
    assert!(
        stdout.is_empty() && !stderr.contains("AW001"),
        "{stdout}{stderr}"
    );
}

/// Issue 14, item 7: a sync helper that blocks is one AW205 finding, at
/// its first async caller, listing the others, not one finding per call.
#[test]
fn a_blocking_helper_is_one_finding_listing_its_async_callers() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("helper");
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        "[package]\nname = \"helper\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\n[dependencies]\ntokio = { version = \"1\", features = [\"full\"] }\n",
    )
    .unwrap();
    let callers: String = ["a", "b", "c"]
        .iter()
        .map(|f| format!("\npub async fn {f}() -> String {{\n    load()\n}}\n"))
        .collect();
    std::fs::write(
        dir.join("src/lib.rs"),
        format!("pub fn load() -> String {{\n    std::fs::read_to_string(\"x\").unwrap_or_default()\n}}\n{callers}"),
    )
    .unwrap();
    let (_, stderr) = outputs(awaitify(&dir).args(["--format", "concise", "."]), 0);
    assert_eq!(stderr.matches("warning[AW205]").count(), 1, "{stderr}");
    assert!(
        stderr.contains("src/lib.rs:6:5: warning[AW205] `load` is a sync fn that blocks: a → load → std::fs::read_to_string\n"),
        "{stderr}"
    );
    assert!(
        stderr.contains("    = src/lib.rs:10:5: also called from async code: b → load → std::fs::read_to_string\n    = src/lib.rs:14:5: also called from async code: c → load"),
        "{stderr}"
    );
    let (_, full) = outputs(awaitify(&dir).arg("."), 0);
    assert_eq!(
        full.matches("also called from async code").count(),
        2,
        "{full}"
    );
    // A baseline records the one finding, and then holds all its calls.
    outputs(awaitify(&dir).args(["--write-baseline", "b.json", "."]), 0);
    let (_, stderr) = outputs(
        awaitify(&dir).args(["--fail-on", "warning", "--baseline", "b.json", "."]),
        0,
    );
    assert!(
        stderr.contains("0 findings") && stderr.contains("1 in the baseline"),
        "{stderr}"
    );
}

/// Writes a one-crate package at `dir` with `files` (path, text).
fn package(dir: &Path, name: &str, files: &[(&str, &str)]) {
    for (path, text) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    std::fs::write(
        dir.join("Cargo.toml"),
        format!("[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\n[dependencies]\ntokio = {{ version = \"1\", features = [\"sync\"] }}\n"),
    )
    .unwrap();
}

/// Which locks are public API, beyond `testdata/public_api_reachability`:
/// type aliases, fn signatures, enum fields, trait impls, inline modules and
/// re-exports through them, `pub(crate)` containers.
#[test]
fn public_api_is_what_code_outside_the_library_can_name() {
    let tmp = tempfile::tempdir().unwrap();
    let lib = r#"use std::sync::{Mutex, RwLock};

pub type Shared = Mutex<u32>;
pub struct Holder { inner: Shared }
impl Holder { pub async fn bump(&self) { *self.inner.lock().unwrap() += 1; } }

pub(crate) struct Hidden { pub value: Mutex<u8> }
pub async fn hidden(h: &Hidden) { *h.value.lock().unwrap() += 1; }

pub enum Slot { Full(RwLock<u8>), Empty { waiting: Mutex<u8> } }
pub async fn slot(s: &Slot) { if let Slot::Empty { waiting } = s { *waiting.lock().unwrap() += 1; } }

mod reexported { pub mod inner { pub static DEEP: std::sync::Mutex<u8> = std::sync::Mutex::new(0); } }
pub use reexported::inner;
pub async fn deep() { *inner::DEEP.lock().unwrap() += 1; }

mod sealed { pub mod inner { pub static SEALED: std::sync::Mutex<u8> = std::sync::Mutex::new(0); } }
pub async fn sealed() { *sealed::inner::SEALED.lock().unwrap() += 1; }

pub async fn param(m: &Mutex<u64>) { *m.lock().unwrap() += 1; }
async fn private_param(n: &Mutex<i64>) { *n.lock().unwrap() += 1; }
pub async fn call() { private_param(&Mutex::new(0)).await; }

pub mod api;
mod internal;
pub(crate) mod crate_only;
// poise's shape: private modules whose public items glob re-exports reach.
mod structs;
pub use structs::*;
"#;
    let structs = "mod command;\npub use command::*;\n";
    let command = "pub struct Command { pub cooldowns: std::sync::Mutex<u8> }\nimpl Command { pub async fn cool(&self) { *self.cooldowns.lock().unwrap() += 1; } }\n";
    let api = "pub static API: std::sync::Mutex<u8> = std::sync::Mutex::new(0);\npub async fn api() { *API.lock().unwrap() += 1; }\n";
    let internal = "pub static INTERNAL: std::sync::Mutex<u8> = std::sync::Mutex::new(0);\npub async fn internal() { *INTERNAL.lock().unwrap() += 1; }\n";
    let crate_only = "pub static CRATE_ONLY: std::sync::Mutex<u8> = std::sync::Mutex::new(0);\npub async fn crate_only() { *CRATE_ONLY.lock().unwrap() += 1; }\n";
    // Only src/main.rs declares `served`: the binary's module.
    let main = "mod served;\n#[tokio::main]\nasync fn main() { served::serve().await; }\n";
    let served = "pub static SERVED: std::sync::Mutex<u8> = std::sync::Mutex::new(0);\npub async fn serve() { *SERVED.lock().unwrap() += 1; }\n";
    package(
        tmp.path(),
        "edge",
        &[
            ("src/lib.rs", lib),
            ("src/api.rs", api),
            ("src/internal.rs", internal),
            ("src/crate_only.rs", crate_only),
            ("src/main.rs", main),
            ("src/served.rs", served),
            ("src/structs/mod.rs", structs),
            ("src/structs/command.rs", command),
        ],
    );
    let (_, stderr) = outputs(awaitify(tmp.path()).args(["--format", "concise", "."]), 0);
    let finding = |what: &str| {
        stderr
            .lines()
            .find(|l| l.contains(what))
            .unwrap_or_else(|| panic!("no finding for {what}:\n{stderr}"))
            .to_string()
    };
    for public in [
        "type `Shared`",
        "`Slot::Empty.waiting`",
        "static `DEEP`",
        "parameter `m` of `param`",
        "static `API`",
        "`Command.cooldowns`",
    ] {
        assert!(
            finding(public).contains("warning[AW102]"),
            "{public}:\n{stderr}"
        );
    }
    for private in [
        "`Hidden.value`",
        "static `SEALED`",
        "parameter `n` of `private_param`",
        "static `INTERNAL`",
        "static `CRATE_ONLY`",
        "static `SERVED`",
    ] {
        assert!(
            finding(private).contains("warning[AW101]"),
            "{private}:\n{stderr}"
        );
    }
    assert_eq!(
        stderr.matches("it is public API of a library").count(),
        6,
        "{stderr}"
    );

    // A `[lib] path` in `src/` is the root the module files are followed
    // from: the binary's modules are still not the library's.
    let tmp = tempfile::tempdir().unwrap();
    package(
        tmp.path(),
        "lp",
        &[
            ("src/mylib.rs", api),
            ("src/main.rs", main),
            ("src/served.rs", served),
        ],
    );
    let manifest = tmp.path().join("Cargo.toml");
    replace_in(
        &manifest,
        "[dependencies]",
        "[lib]\npath = \"src/mylib.rs\"\n\n[dependencies]",
    );
    let (_, stderr) = outputs(awaitify(tmp.path()).args(["--format", "concise", "."]), 0);
    assert!(
        stderr.contains("src/mylib.rs:1:12: warning[AW102] std Mutex static `API`")
            && stderr.contains("src/served.rs:1:12: warning[AW101] std Mutex static `SERVED`"),
        "{stderr}"
    );
}

/// `harness-fixtures` replaces the default directories; trybuild paths in
/// the crate's tests still count.
#[test]
fn harness_fixtures_are_configurable() {
    let tmp = tempfile::tempdir().unwrap();
    let held = "use std::sync::Mutex;\nasync fn held(m: &Mutex<u8>) { *m.lock().unwrap() += 1; }\nfn main() { let _ = held; }\n";
    package(
        tmp.path(),
        "harnessed",
        &[
            ("src/lib.rs", ""),
            ("tests/ui/held.rs", held),
            ("tests/golden/held.rs", held),
            ("tests/cases/held.rs", held),
            // tokio's own lock is no finding: no note.
            (
                "tests/ui/tokio.rs",
                "use tokio::sync::Mutex;\nasync fn f(m: &Mutex<u8>) { *m.lock().await += 1; }\nfn main() { let _ = f; }\n",
            ),
            (
                "tests/compiletest.rs",
                "#[test]\nfn ui() {\n    let t = trybuild::TestCases::new();\n    t.compile_fail(\"tests/cases/*.rs\");\n}\n",
            ),
        ],
    );
    let (stdout, stderr) = outputs(awaitify(tmp.path()).args(["--format", "concise", "."]), 0);
    assert!(
        !stdout.contains("tests/ui/") && !stdout.contains("tests/cases/"),
        "{stdout}"
    );
    assert!(
        stderr.contains("tests/ui/held.rs:2:35: note[AW002]")
            && stderr.contains("it is under `tests/ui/`")
            && stderr.contains("tests/cases/held.rs:2:35: note[AW002]")
            && stderr.contains("tests/compiletest.rs passes `tests/cases/*.rs` to `compile_fail`"),
        "{stderr}"
    );
    assert!(!stderr.contains("tests/ui/tokio.rs"), "{stderr}");
    // tests/golden is no harness directory by default: it migrates.
    assert!(
        stderr.contains("tests/golden/held.rs:2:15: warning[AW101]"),
        "{stderr}"
    );
    std::fs::write(
        tmp.path().join("awaitify.toml"),
        "harness-fixtures = [\"tests/golden/**\"]\n",
    )
    .unwrap();
    let (stdout, stderr) = outputs(awaitify(tmp.path()).args(["--format", "concise", "."]), 0);
    assert!(
        stderr.contains("tests/golden/held.rs:2:35: note[AW002]")
            && stderr
                .contains("it matches `tests/golden/**` of the configuration's `harness-fixtures`")
            && stderr.contains("tests/cases/held.rs:2:35: note[AW002]"),
        "{stderr}"
    );
    assert!(stdout.contains("+++ b/tests/ui/held.rs"), "{stdout}");
    assert!(
        !stdout.contains("golden") && !stdout.contains("cases"),
        "{stdout}"
    );
}

/// Issue 15, item 3 (rustypaste 0.18.1): a log macro that formats the
/// plain value a lock later shadows does not block the lock, and its line
/// stays as it is (`testdata/scope_macros` pins the fixture form).
#[test]
fn a_log_macro_before_the_shadowing_lock_does_not_block_it() {
    let tmp = tempfile::tempdir().unwrap();
    let main = r#"use std::sync::{Arc, RwLock};
use log::{info, trace};

#[derive(Debug, Default)]
struct Config {
    retries: u32,
}

async fn serve(config: Arc<RwLock<Config>>) -> u32 {
    config.read().unwrap().retries
}

#[tokio::main]
async fn main() {
    let config = Config::default();
    trace!("{:#?}", config);
    info!(target: "setup", retries = ?config.retries, "loaded");
    let config = Arc::new(RwLock::new(config));
    config.write().unwrap().retries += 1;
    println!("{}", serve(Arc::clone(&config)).await);
}
"#;
    package(tmp.path(), "paste", &[("src/main.rs", main)]);
    let (stdout, stderr) = outputs(awaitify(tmp.path()).args(["--format", "concise", "."]), 0);
    assert!(
        stderr.contains("warning[AW101]") && !stderr.contains("AW102"),
        "{stderr}"
    );
    assert!(
        stdout.contains("+    config.write().await.retries += 1;")
            && stdout.contains("+    config.read().await.retries")
            && !stdout.contains("-    trace!")
            && !stdout.contains("-    info!"),
        "{stdout}"
    );
}

/// Replaces `from` with `to` in the file at `path`.
fn replace_in(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    std::fs::write(path, text.replace(from, to)).unwrap();
}

/// `cargo awaitify` follows cargo's `CARGO_TERM_COLOR` where `--color` is
/// left at `auto`; `--color` given wins.
#[test]
fn cargo_awaitify_honours_cargo_term_color() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = workspace(tmp.path());
    let run = |color: &str, args: &[&str]| {
        outputs(
            cargo_awaitify(&ws)
                .arg("--workspace")
                .args(args)
                .env("CARGO_TERM_COLOR", color),
            0,
        )
    };
    let (out, err) = run("always", &[]);
    assert!(out.contains('\x1b') && err.contains('\x1b'), "{err}");
    let (out, err) = run("never", &[]);
    assert!(!out.contains('\x1b') && !err.contains('\x1b'), "{err}");
    let (out, err) = run("always", &["--color", "never"]);
    assert!(!out.contains('\x1b') && !err.contains('\x1b'), "{err}");
}
