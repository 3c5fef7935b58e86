//! The command line as a user meets it: exit codes, --check, --write on
//! clean and dirty git trees, bad input, and dry-run patches that `git apply`
//! turns into exactly what --write writes.

mod common;

use std::path::Path;
use std::process::Command;

use common::{awaitify_cmd as awaitify, outputs};

const MANIFEST: &str = "[package]\nname = \"demo\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\n[dependencies]\ntokio = { version = \"1\", features = [\"full\"] }\n";
const MIGRATABLE: &str = "use std::sync::Mutex;\nstatic N: Mutex<u8> = Mutex::new(0);\nasync fn bump() { *N.lock().unwrap() += 1; }\n";
const MIGRATED: &str = "use tokio::sync::Mutex;\nstatic N: Mutex<u8> = Mutex::const_new(0);\nasync fn bump() { *N.lock().await += 1; }\n";

fn read(path: impl AsRef<Path>) -> String {
    std::fs::read_to_string(path).unwrap()
}

/// A crate with one migratable file, in its own directory.
fn demo_crate(root: &Path, name: &str) -> std::path::PathBuf {
    let dir = root.join(name);
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(dir.join("Cargo.toml"), MANIFEST.replace("demo", name)).unwrap();
    std::fs::write(dir.join("src/lib.rs"), MIGRATABLE).unwrap();
    dir
}

fn git(dir: &Path, args: &[&str]) {
    let ok = Command::new("git")
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
        .status
        .success();
    assert!(ok, "git {args:?}");
}

#[test]
fn dry_run_shows_a_diff_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = demo_crate(tmp.path(), "demo");
    let (stdout, _) = outputs(&mut awaitify(&dir), 0);
    assert!(
        stdout.contains("--- a/src/lib.rs\n+++ b/src/lib.rs\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("+async fn bump() { *N.lock().await += 1; }"),
        "{stdout}"
    );
    assert_eq!(read(dir.join("src/lib.rs")), MIGRATABLE);
}

#[test]
fn check_exits_1_with_pending_changes_and_0_when_clean() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = demo_crate(tmp.path(), "demo");
    awaitify(&dir).arg("--check").assert().code(1);
    std::fs::write(dir.join("src/lib.rs"), MIGRATED).unwrap();
    awaitify(&dir).arg("--check").assert().code(0);
}

#[test]
fn write_outside_git_rewrites_and_converges() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = demo_crate(tmp.path(), "demo");
    awaitify(&dir)
        .args(["--write", "--no-verify"])
        .assert()
        .code(0);
    assert_eq!(read(dir.join("src/lib.rs")), MIGRATED);
    awaitify(&dir).arg("--check").assert().code(0);
}

#[test]
fn write_refuses_a_dirty_git_tree_unless_allowed() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = demo_crate(tmp.path(), "demo");
    git(&dir, &["init", "-q"]);
    let (_, stderr) = outputs(awaitify(&dir).args(["--write", "--no-verify"]), 2);
    assert!(
        stderr.contains("src/lib.rs: has uncommitted changes"),
        "{stderr}"
    );
    assert_eq!(read(dir.join("src/lib.rs")), MIGRATABLE);
    // The summary does not count what was refused as applied.
    assert!(
        stderr.contains("1 finding, 1 manual, 1 error in ") && !stderr.contains("applied"),
        "{stderr}"
    );

    let (_, stderr) = outputs(
        awaitify(&dir).args(["--write", "--no-verify", "--allow-dirty"]),
        0,
    );
    assert!(
        stderr.contains("1 fix applied (1 safe) in 1 file,"),
        "{stderr}"
    );
    assert_eq!(read(dir.join("src/lib.rs")), MIGRATED);
}

#[test]
fn write_proceeds_on_a_clean_git_tree() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = demo_crate(tmp.path(), "demo");
    git(&dir, &["init", "-q"]);
    git(&dir, &["add", "."]);
    git(&dir, &["commit", "-qm", "init"]);
    awaitify(&dir)
        .args(["--write", "--no-verify"])
        .assert()
        .code(0);
    assert_eq!(read(dir.join("src/lib.rs")), MIGRATED);
}

#[test]
fn unparsable_and_non_utf8_files_are_reported_and_the_rest_is_processed() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = demo_crate(tmp.path(), "demo");
    std::fs::write(dir.join("src/broken.rs"), "use std::sync::Mutex;\nfn f( {").unwrap();
    std::fs::write(dir.join("src/latin1.rs"), b"// caf\xe9\nfn g() {}\n").unwrap();
    let (stdout, stderr) = outputs(&mut awaitify(&dir), 2);
    assert!(stderr.contains("error: src/broken.rs:2:"), "{stderr}");
    assert!(
        stderr.contains("error: src/latin1.rs: not valid UTF-8"),
        "{stderr}"
    );
    assert!(stdout.contains("+++ b/src/lib.rs"), "{stdout}");
}

#[cfg(unix)]
#[test]
fn a_read_only_file_is_an_error_and_other_crates_are_still_written() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let locked = demo_crate(tmp.path(), "locked");
    let open = demo_crate(tmp.path(), "open");
    let lib = locked.join("src/lib.rs");
    std::fs::set_permissions(&lib, std::fs::Permissions::from_mode(0o444)).unwrap();
    let (_, stderr) = outputs(awaitify(tmp.path()).args(["--write", "--no-verify"]), 2);
    assert!(
        stderr.contains("locked/src/lib.rs: file is read-only"),
        "{stderr}"
    );
    assert_eq!(read(&lib), MIGRATABLE);
    // Nothing of the read-only file's crate is written, not even its manifest.
    assert_eq!(
        read(locked.join("Cargo.toml")),
        MANIFEST.replace("demo", "locked")
    );
    assert_eq!(read(open.join("src/lib.rs")), MIGRATED);
}

#[test]
fn configuration_errors_name_the_key_and_file_and_skip_the_crate() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = demo_crate(tmp.path(), "demo");
    std::fs::write(
        dir.join("awaitify.toml"),
        "[[blocking]]\npath = \"f\"\nknd = \"wait\"\n",
    )
    .unwrap();
    let (stdout, stderr) = outputs(&mut awaitify(&dir), 2);
    assert!(
        // The path is relative to the current directory, as in all output.
        stderr.contains("error: awaitify.toml: unknown key `blocking.knd`"),
        "{stderr}"
    );
    assert!(
        stdout.is_empty(),
        "a crate with a bad configuration is not migrated: {stdout}"
    );

    std::fs::remove_file(dir.join("awaitify.toml")).unwrap();
    let manifest = MANIFEST.replace(
        "[dependencies]",
        "[package.metadata.awaitify]\npolicy = 1\n\n[dependencies]",
    );
    std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
    let (_, stderr) = outputs(&mut awaitify(&dir), 2);
    assert!(
        stderr.contains("error: Cargo.toml: `package.metadata.awaitify.policy` is `1`; use \"async-use\" or \"held-across-await\""),
        "{stderr}"
    );
}

#[test]
fn excluded_and_hidden_files_are_not_touched() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = demo_crate(tmp.path(), "demo");
    let other = MIGRATABLE.replace(" N", " G").replace("*N", "*G");
    std::fs::create_dir_all(dir.join("src/generated")).unwrap();
    std::fs::write(dir.join("src/generated/out.rs"), &other).unwrap();
    std::fs::create_dir_all(dir.join(".hidden")).unwrap();
    std::fs::write(dir.join(".hidden/x.rs"), &other).unwrap();
    let (stdout, _) = outputs(awaitify(&dir).args(["--exclude", "src/generated/**"]), 0);
    assert!(stdout.contains("+++ b/src/lib.rs"), "{stdout}");
    assert!(
        !stdout.contains("generated") && !stdout.contains(".hidden"),
        "{stdout}"
    );
}

#[test]
fn missing_path_is_a_usage_error() {
    let tmp = tempfile::tempdir().unwrap();
    let (_, stderr) = outputs(awaitify(tmp.path()).arg("nope"), 2);
    assert!(stderr.contains("nope: no such file or directory"));
}

#[test]
fn explain_prints_rule_docs_and_rejects_unknown_codes() {
    let tmp = tempfile::tempdir().unwrap();
    let (stdout, _) = outputs(awaitify(tmp.path()).args(["explain", "AW101"]), 0);
    assert!(stdout.contains("## Fix safety"));
    awaitify(tmp.path())
        .args(["explain", "AW999"])
        .assert()
        .code(2);
}

/// On every fixture, the dry-run diff applied with `git apply` gives
/// byte-for-byte what `--write` writes.
#[test]
fn dry_run_patch_applies_to_exactly_what_write_writes() {
    let tmp = tempfile::tempdir().unwrap();
    for case in common::cases() {
        let patched = tmp.path().join("patched").join(&case.name);
        let written = tmp.path().join("written").join(&case.name);
        common::copy_dir(&case.dir, &patched);
        common::copy_dir(&case.dir, &written);
        let patch = tmp.path().join("patch.diff");
        let mut args = case.args.clone();
        args.extend(["--diff-out".to_string(), patch.display().to_string()]);
        let dry = common::awaitify(&patched, &args);
        // The patch file, `--format patch` and the plain dry run agree.
        let mut patch_only = case.args.clone();
        patch_only.extend(["--format".to_string(), "patch".to_string()]);
        let only = common::awaitify(&patched, &patch_only);
        assert_eq!(only.stdout, dry.stdout, "{}: --format patch", case.name);
        assert_eq!(read(&patch), dry.stdout, "{}: --diff-out", case.name);
        if dry.stdout.is_empty() {
            continue;
        }
        let applied = Command::new("git")
            .args(["apply", "--unsafe-paths", "-p1"])
            .arg(&patch)
            .current_dir(&patched)
            .output()
            .unwrap();
        assert!(
            applied.status.success(),
            "{}: git apply failed: {}",
            case.name,
            String::from_utf8_lossy(&applied.stderr)
        );
        let mut args = case.args.clone();
        args.extend([
            "--write".to_string(),
            "--no-verify".to_string(),
            "--allow-dirty".to_string(),
        ]);
        common::awaitify(&written, &args);
        for file in walk(&case.dir) {
            let rel = file.strip_prefix(&case.dir).unwrap();
            assert_eq!(
                std::fs::read(patched.join(rel)).unwrap(),
                std::fs::read(written.join(rel)).unwrap(),
                "{}: {} differs",
                case.name,
                rel.display()
            );
        }
    }
}

/// One combined patch for a batch of crates: `--diff-out` over all
/// fixtures at once, applied with `git apply`, gives what `--write` writes.
#[test]
fn one_patch_for_the_whole_batch_applies_to_what_write_writes() {
    let tmp = tempfile::tempdir().unwrap();
    let (patched, written) = (tmp.path().join("patched"), tmp.path().join("written"));
    common::copy_dir(&common::testdata(), &patched);
    common::copy_dir(&common::testdata(), &written);
    let patch = tmp.path().join("batch.diff");
    // The one unparsable fixture makes both runs exit 2; the rest goes on.
    awaitify(&patched)
        .args(["-q", "--diff-out"])
        .arg(&patch)
        .assert()
        .code(2);
    let text = read(&patch);
    assert!(text.matches("\n+++ b/").count() > 50, "{text}");
    let applied = Command::new("git")
        .args(["apply", "--unsafe-paths", "-p1"])
        .arg(&patch)
        .current_dir(&patched)
        .output()
        .unwrap();
    assert!(
        applied.status.success(),
        "{}",
        String::from_utf8_lossy(&applied.stderr)
    );
    awaitify(&written)
        .args(["-q", "--write", "--no-verify", "--allow-dirty"])
        .assert()
        .code(2);
    for file in walk(&common::testdata()) {
        let rel = file.strip_prefix(common::testdata()).unwrap();
        assert_eq!(
            std::fs::read(patched.join(rel)).unwrap(),
            std::fs::read(written.join(rel)).unwrap(),
            "{} differs",
            rel.display()
        );
    }
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// Issue 14, bug 1: what a run does must not depend on the directory it is
/// started in. From inside `src/`, the crate's `Cargo.toml` still owns
/// `main.rs`, so the migration still adds tokio's `sync` feature.
#[test]
fn a_run_from_inside_src_still_finds_the_crate_manifest() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("readme_example");
    common::copy_dir(&common::testdata().join("readme_example"), &dir);
    let (stdout, _) = outputs(awaitify(&dir.join("src")).arg("."), 0);
    // Paths stay relative to the current directory.
    assert!(stdout.contains("+++ b/main.rs\n"), "{stdout}");
    assert!(stdout.contains("+++ b/../Cargo.toml\n"), "{stdout}");
    // The issue's own command: with --verify, the package must build after
    // the migration (pinned versions, tokio built once in a shared target).
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures.lock"),
        dir.join("Cargo.lock"),
    )
    .unwrap();
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("verify");
    let (_, stderr) = outputs(
        awaitify(&dir.join("src"))
            .env("CARGO_TARGET_DIR", &target)
            .args(["--write", "--verify", "."]),
        0,
    );
    assert!(
        stderr.contains("awaitify: checking package 1/1 (round 1): ../Cargo.toml")
            && stderr.contains("awaitify: 1 of 1 package(s) verified by `cargo check`"),
        "{stderr}"
    );
    let manifest = read(dir.join("Cargo.toml"));
    assert!(
        manifest.contains(r#"features = ["rt-multi-thread", "macros", "sync"]"#),
        "{manifest}"
    );
    assert!(read(dir.join("src/main.rs")).contains("use tokio::sync::RwLock;"));
}

/// Bug 1: a file given from inside its crate is read with the rest of the
/// crate, as it is from the crate root.
#[test]
fn a_file_given_from_inside_its_crate_gets_the_same_findings() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("cross_file");
    common::copy_dir(&common::testdata().join("cross_file"), &dir);
    let run = |cwd: &Path, path: &str| {
        let (_, stderr) = outputs(awaitify(cwd).args(["--format", "concise", path]), 0);
        // Without the elapsed time at the end of the summary.
        stderr.rsplit_once(" in ").unwrap().0.to_string()
    };
    let from_root = run(&dir, "src/state.rs");
    assert!(from_root.contains("1 finding"), "{from_root}");
    let from_src = run(&dir.join("src"), "state.rs");
    assert_eq!(from_src, from_root.replace("src/", ""));
    let from_above = run(tmp.path(), "cross_file/src/../src/state.rs");
    assert!(
        from_above.starts_with("cross_file/src/state.rs:4:9: warning[AW102]"),
        "{from_above}"
    );
}

/// Bug 1: `[workspace.metadata.awaitify]` applies however the member is
/// reached: from the workspace root, from inside the member, or by an
/// absolute path.
#[test]
fn workspace_configuration_applies_from_inside_a_member() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    let member = demo_crate(&ws, "member");
    std::fs::write(
        ws.join("Cargo.toml"),
        "[workspace]\nmembers = [\"member\"]\n\n[workspace.metadata.awaitify]\nignore = [\"AW101\"]\n",
    )
    .unwrap();
    for (cwd, path) in [
        (ws.clone(), "member".to_string()),
        (member.clone(), ".".to_string()),
        (member.join("src"), "lib.rs".to_string()),
        (tmp.path().to_path_buf(), member.display().to_string()),
    ] {
        let (stdout, stderr) = outputs(awaitify(&cwd).arg(&path), 0);
        assert!(
            stdout.is_empty() && stderr.contains("0 findings"),
            "from {}, {path}: {stdout}{stderr}",
            cwd.display()
        );
    }
}

/// Issue 14, bug 4: an `error[..]` finding is counted by the summary, and
/// fails the run (exit 1) as `--help` says, not only under `--check`;
/// `--exit-zero` turns that off. Issue 25: the summary names it as the JSON
/// does, an error finding, apart from errors (what the run could not handle).
#[test]
fn an_error_finding_is_counted_as_an_error_and_fails_the_run() {
    let dir = common::testdata().join("block_on_in_async");
    let (_, stderr) = outputs(awaitify(&dir).args(["--format", "concise", "."]), 1);
    assert!(stderr.contains("error[AW204]"), "{stderr}");
    assert!(
        stderr.contains("1 finding, 1 error finding, 0 errors in "),
        "{stderr}"
    );
    let (json, _) = outputs(awaitify(&dir).args(["--format", "json", "."]), 1);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["summary"]["error_findings"], 1, "{json}");
    assert_eq!(json["summary"]["errors"], 0, "{json}");
    awaitify(&dir).args(["--check", "."]).assert().code(1);
    awaitify(&dir).args(["--exit-zero", "."]).assert().code(0);
}

/// Bug 4 and item 7: `--statistics` prints only its table, says `fixable` in
/// a dry run and `fixed` once written, and prints it with `-q` too; on
/// stdout, as ruff does (issue 25).
#[test]
fn statistics_alone_prints_only_the_table_in_the_words_of_the_run() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("config_rules");
    common::copy_dir(&common::testdata().join("config_rules"), &dir);
    let table = "    1  AW101  std-lock-in-async          1 fixable\n    1  AW102  manual-lock-migration\n    1  AW104  short-critical-section\n    1  AW202  blocking-fs                1 fixable\n";
    for quiet in [false, true] {
        let mut cmd = awaitify(&dir);
        cmd.args(["--statistics", "."]);
        if quiet {
            cmd.arg("-q");
        }
        let (stdout, stderr) = outputs(&mut cmd, 0);
        assert_eq!(
            (stdout.as_str(), stderr.as_str()),
            (table, ""),
            "-q: {quiet}"
        );
    }
    let (stdout, _) = outputs(
        awaitify(&dir).args(["--statistics", "--write", "--no-verify", "."]),
        0,
    );
    assert_eq!(stdout, table.replace("fixable", "fixed"));
}

/// Issue 25: `--diff`, ruff's spelling, is `--format patch`: only the
/// diff, nothing written; with `--write` it is a usage error.
#[test]
fn diff_prints_only_the_patch_as_ruff_does() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = demo_crate(tmp.path(), "demo");
    let (patch, _) = outputs(awaitify(&dir).args(["--format", "patch"]), 0);
    let (diff, _) = outputs(awaitify(&dir).arg("--diff"), 0);
    assert!(diff.starts_with("--- a/src/lib.rs\n"), "{diff}");
    assert_eq!(diff, patch);
    assert_eq!(read(dir.join("src/lib.rs")), MIGRATABLE);
    let (_, stderr) = outputs(awaitify(&dir).args(["--diff", "--write"]), 2);
    assert!(stderr.contains("cannot be used with"), "{stderr}");
}

/// Bug 4: `--diff-out -` writes the patch to stdout, not to a file named `-`.
#[test]
fn diff_out_dash_writes_the_patch_to_stdout() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = demo_crate(tmp.path(), "demo");
    let (stdout, _) = outputs(awaitify(&dir).args(["-q", "--diff-out", "-"]), 0);
    assert!(
        stdout.starts_with("--- a/src/lib.rs\n+++ b/src/lib.rs\n"),
        "{stdout}"
    );
    assert_eq!(stdout.matches("+++ b/src/lib.rs").count(), 1, "{stdout}");
    assert!(!dir.join("-").exists());
    let (_, stderr) = outputs(
        awaitify(&dir).args(["--format", "json", "--diff-out", "-"]),
        2,
    );
    assert!(
        stderr.contains("--diff-out -: stdout holds the json document"),
        "{stderr}"
    );
}

/// Issue 14, item 5: `--fail-on` picks what fails the run; each level
/// includes the ones before it, and a fix `--write` wrote no longer counts.
#[test]
fn fail_on_levels_pick_what_fails_the_run() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("config_rules");
    common::copy_dir(&common::testdata().join("config_rules"), &dir);
    // AW101 and AW202 have safe fixes, AW102 has none, AW104 is a note.
    let code = |args: &[&str]| {
        let out = awaitify(&dir).args(args).arg("-q").output().unwrap();
        out.status.code().unwrap()
    };
    assert_eq!(code(&[]), 0, "a dry run fails only on error findings");
    assert_eq!(code(&["--check"]), 1, "--check: changes pending");
    assert_eq!(code(&["--check", "--fail-on", "error"]), 0);
    assert_eq!(code(&["--fail-on", "fix"]), 1);
    assert_eq!(code(&["--fail-on", "manual"]), 1);
    assert_eq!(code(&["--check", "--exit-zero"]), 0);
    // After writing, only the AW102 that needs a person remains.
    assert_eq!(code(&["--write", "--no-verify", "--fail-on", "fix"]), 0);
    assert_eq!(code(&["--check"]), 0);
    assert_eq!(code(&["--check", "--fail-on", "manual"]), 1);
    // A fix that --unsafe-fixes would make is not manual work, but a warning.
    let unsafe_only = common::testdata().join("blocking_process_unsafe");
    let code = |args: &[&str]| {
        let out = awaitify(&unsafe_only)
            .args(args)
            .arg("-q")
            .output()
            .unwrap();
        out.status.code().unwrap()
    };
    assert_eq!(code(&["--check", "--fail-on", "manual"]), 0);
    assert_eq!(code(&["--check", "--fail-on", "warning"]), 1);
}

/// Item 5: `--output-file` takes what stdout would get.
#[test]
fn output_file_takes_the_document_or_the_diffs() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = demo_crate(tmp.path(), "demo");
    let (stdout, stderr) = outputs(
        awaitify(&dir).args(["--format", "json", "--output-file", "../report.json"]),
        0,
    );
    assert!(stdout.is_empty() && stderr.is_empty(), "{stdout}{stderr}");
    let doc: serde_json::Value =
        serde_json::from_str(&read(tmp.path().join("report.json"))).unwrap();
    assert_eq!(doc["summary"]["findings"], 1);
    let (stdout, stderr) = outputs(awaitify(&dir).args(["-o", "../patch.diff"]), 0);
    assert!(
        stdout.is_empty() && stderr.contains("1 finding"),
        "{stdout}{stderr}"
    );
    assert!(read(tmp.path().join("patch.diff")).starts_with("--- a/src/lib.rs\n"));
    let (_, stderr) = outputs(awaitify(&dir).args(["-o", "no/such/dir/out"]), 2);
    assert!(
        stderr.contains("error: no/such/dir/out: cannot write the output: "),
        "{stderr}"
    );
}

/// Issue 14, bug 3: `--exclude` globs match paths as they are shown
/// (relative to the current directory); a glob that matches nothing is
/// warned about instead of silently leaving everything in.
#[test]
fn an_exclude_glob_that_matches_nothing_is_warned_about() {
    let tmp = tempfile::tempdir().unwrap();
    demo_crate(tmp.path(), "demo");
    let (stdout, stderr) = outputs(
        awaitify(tmp.path()).args(["demo", "--exclude", "src/**", "--format", "concise"]),
        0,
    );
    assert!(
        stderr.contains("warning: --exclude `src/**` matches no file; globs match paths as they are shown, relative to the current directory, such as `demo/src/lib.rs`"),
        "{stderr}"
    );
    assert!(stdout.contains("+++ b/demo/src/lib.rs"), "{stdout}");
    for glob in ["demo/src/**", "lib.rs"] {
        let (stdout, stderr) = outputs(
            awaitify(tmp.path()).args(["demo", "--exclude-files", glob]),
            0,
        );
        assert!(
            stdout.is_empty() && !stderr.contains("warning: --exclude"),
            "{glob}: {stdout}{stderr}"
        );
    }
    // The configuration's globs are relative to the crate; a dead one is
    // warned about too.
    std::fs::write(
        tmp.path().join("demo/awaitify.toml"),
        "exclude = [\"src/gen/**\", \"src/lib.rs\"]\n\n[per-file-ignores]\n\"tests/**\" = [\"AW201\"]\n",
    )
    .unwrap();
    let (stdout, stderr) = outputs(awaitify(tmp.path()).arg("demo"), 0);
    assert!(stdout.is_empty(), "src/lib.rs is excluded: {stdout}");
    assert!(
        stderr.contains("warning: demo/Cargo.toml: the configuration's `exclude` glob `src/gen/**` matches no file of the crate (globs are relative to the crate's directory)\nwarning: demo/Cargo.toml: the configuration's `per-file-ignores` glob `tests/**` matches no file"),
        "{stderr}"
    );
    assert!(!stderr.contains("`src/lib.rs`"), "{stderr}");
}

/// Issue 14, item 5: the baseline workflow end to end. Today's findings are
/// recorded; `--check --baseline` then fails on a new finding only, names
/// only it, and keeps matching after unrelated lines move the old one.
#[test]
fn a_baseline_fails_only_on_new_findings_and_survives_moved_lines() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = demo_crate(tmp.path(), "demo");
    let lib = dir.join("src/lib.rs");
    let (_, stderr) = outputs(
        awaitify(&dir).args(["--write-baseline", "awaitify-baseline.json"]),
        0,
    );
    assert!(
        stderr.contains("awaitify: recorded 1 finding(s) in awaitify-baseline.json"),
        "{stderr}"
    );
    let recorded: serde_json::Value =
        serde_json::from_str(&read(dir.join("awaitify-baseline.json"))).unwrap();
    assert_eq!(recorded["findings"][0]["code"], "AW101");
    assert_eq!(recorded["findings"][0]["path"], "src/lib.rs");
    assert_eq!(
        recorded["findings"][0]["snippet"],
        "static N: Mutex<u8> = Mutex::new(0);"
    );
    // The recorded finding neither fails the check nor is reported or fixed.
    let check = [
        "--check",
        "--baseline",
        "awaitify-baseline.json",
        "--format",
        "concise",
    ];
    let (stdout, stderr) = outputs(awaitify(&dir).args(check), 0);
    assert!(stdout.is_empty(), "{stdout}");
    assert!(
        stderr.contains("0 findings") && stderr.contains("1 in the baseline"),
        "{stderr}"
    );

    // A new finding fails the check, and is the only one named.
    // (Run on a tokio runtime, so that its fix is tokio's sleep.)
    let nap = "async fn nap() { std::thread::sleep(std::time::Duration::from_millis(1)); }\n\
               pub fn run() { tokio::runtime::Runtime::new().unwrap().block_on(nap()); }\n";
    std::fs::write(&lib, format!("{MIGRATABLE}{nap}")).unwrap();
    let (stdout, stderr) = outputs(awaitify(&dir).args(check), 1);
    assert!(
        stderr.contains("src/lib.rs:4:18: warning[AW201]"),
        "{stderr}"
    );
    assert!(!stderr.contains("AW101"), "{stderr}");
    assert!(
        stderr.contains("1 finding") && stderr.contains("1 in the baseline"),
        "{stderr}"
    );
    assert!(
        stdout.contains("tokio::time::sleep") && !stdout.contains("tokio::sync"),
        "{stdout}"
    );

    // Unrelated lines above move both; the recorded one still matches, from
    // any directory.
    std::fs::write(
        &lib,
        format!("// moved\n\nfn unrelated() {{}}\n{MIGRATABLE}{nap}"),
    )
    .unwrap();
    let (_, stderr) = outputs(awaitify(&dir).args(check), 1);
    assert!(
        stderr.contains("src/lib.rs:7:18: warning[AW201]"),
        "{stderr}"
    );
    assert!(!stderr.contains("AW101"), "{stderr}");
    let mut from_src = check.to_vec();
    from_src[2] = "../awaitify-baseline.json";
    let (_, stderr) = outputs(awaitify(&dir.join("src")).args(&from_src), 1);
    assert!(
        stderr.contains("lib.rs:7:18: warning[AW201]") && !stderr.contains("AW101"),
        "{stderr}"
    );

    // Another lock is new (identical keys are counted: see src/baseline.rs).
    let twice = format!("{MIGRATABLE}static N2: Mutex<u8> = Mutex::new(0);\nasync fn b2() {{ *N2.lock().unwrap() += 1; }}\n");
    std::fs::write(&lib, twice).unwrap();
    let (_, stderr) = outputs(awaitify(&dir).args(check), 1);
    assert!(
        stderr.contains("src/lib.rs:4:8: warning[AW101]"),
        "{stderr}"
    );

    let (_, stderr) = outputs(awaitify(&dir).args(["--baseline", "missing.json"]), 2);
    assert!(
        stderr.contains("error: missing.json: cannot read the baseline: "),
        "{stderr}"
    );
}

/// Issue 25, item 1: a lock the crate cannot migrate for a crate-level
/// reason (tokio is optional) is recorded as manual, and the recording
/// matches it on the unchanged tree, also with `--fail-on manual`.
#[test]
fn a_baseline_matches_findings_made_manual_by_the_manifest() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = demo_crate(tmp.path(), "demo");
    let manifest = "[package]\nname = \"demo\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\ntokio = { version = \"1\", optional = true }\n";
    std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
    assert_one_finding_round_trips(&dir, "AW102");
}

/// `--write-baseline` records the crate at `dir`'s one finding, of rule
/// `code`, and `--check --fail-on manual --baseline` on the unchanged tree
/// then finds nothing and passes.
#[track_caller]
fn assert_one_finding_round_trips(dir: &Path, code: &str) {
    let (_, stderr) = outputs(awaitify(dir).args(["--write-baseline", "b.json"]), 0);
    assert!(
        stderr.contains("recorded 1 finding(s) in b.json"),
        "{stderr}"
    );
    let recorded: serde_json::Value = serde_json::from_str(&read(dir.join("b.json"))).unwrap();
    assert_eq!(recorded["findings"][0]["code"], code);
    let check = ["--check", "--fail-on", "manual", "--baseline", "b.json"];
    let (stdout, stderr) = outputs(awaitify(dir).args(check), 0);
    assert!(stdout.is_empty(), "{stdout}");
    assert!(
        stderr.contains("0 findings") && stderr.contains("1 in the baseline"),
        "{stderr}"
    );
}

/// Issue 25, item 1: a recorded finding hides what it covered. The waits on
/// a std channel are part of its migration (AW208); with the migration
/// suppressed by the baseline, they are not new findings (AW203) on the
/// unchanged tree.
#[test]
fn a_baseline_hides_what_its_recorded_findings_covered() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = demo_crate(tmp.path(), "demo");
    std::fs::write(
        dir.join("src/lib.rs"),
        "pub async fn first() -> u32 {\n    let (tx, rx) = std::sync::mpsc::channel();\n    \
         std::thread::spawn(move || tx.send(1).unwrap());\n    rx.recv().unwrap()\n}\n",
    )
    .unwrap();
    assert_one_finding_round_trips(&dir, "AW208");
}

/// Issue 25, item 3: a fix that adds tokio to a crate that does not depend
/// on it is never safe: the lock is reported, and `--unsafe-fixes` adds it.
#[test]
fn a_migration_that_adds_tokio_is_unsafe() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = demo_crate(tmp.path(), "demo");
    let manifest = "[package]\nname = \"demo\"\nversion = \"0.1.0\"\nedition = \"2021\"\n";
    std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
    let (stdout, stderr) = outputs(awaitify(&dir).args(["--format", "concise"]), 0);
    assert!(stdout.is_empty(), "{stdout}");
    assert!(
        stderr.contains("warning[AW102]")
            && stderr.contains("the crate does not depend on tokio, and a fix that adds a dependency is not safe (--unsafe-fixes adds it)"),
        "{stderr}"
    );
    let (stdout, stderr) = outputs(
        awaitify(&dir).args(["--format", "concise", "--unsafe-fixes"]),
        0,
    );
    assert!(stdout.contains("+tokio = {"), "{stdout}");
    assert!(
        stderr.contains("1 fix available (0 safe, 1 unsafe)"),
        "{stderr}"
    );
}

/// Issue 14, item 10: the spellings other tools taught users (`--fix`,
/// `--output-format`) work, and the shipped pre-commit hooks run as
/// pre-commit runs them: from the repository root, with the staged files.
#[test]
fn fix_and_output_format_aliases_and_the_pre_commit_hooks_work() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = demo_crate(tmp.path(), "demo");
    let (stdout, _) = outputs(awaitify(&dir).args(["--output-format", "json"]), 0);
    assert!(stdout.starts_with("{"), "{stdout}");
    awaitify(&dir).arg("--fix").assert().code(0);
    assert_eq!(read(dir.join("src/lib.rs")), MIGRATED);

    let hooks = read(Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml"));
    let entries: Vec<Vec<&str>> = hooks
        .lines()
        .filter_map(|l| l.trim().strip_prefix("entry: "))
        .map(|e| e.split_whitespace().collect())
        .collect();
    assert_eq!(entries.len(), 2, "{hooks}");
    for entry in entries {
        assert_eq!(entry[0], "awaitify");
        std::fs::write(dir.join("src/lib.rs"), MIGRATABLE).unwrap();
        git(&dir, &["init", "-q"]);
        git(&dir, &["add", "."]);
        let fixes = entry.contains(&"--fix");
        let (_, stderr) = outputs(
            awaitify(&dir).args(&entry[1..]).arg("src/lib.rs"),
            if fixes { 0 } else { 1 },
        );
        assert!(stderr.contains("warning[AW101]"), "{entry:?}: {stderr}");
        let want = if fixes { MIGRATED } else { MIGRATABLE };
        assert_eq!(read(dir.join("src/lib.rs")), want, "{entry:?}");
    }
}

/// Applies byte-range replacements, last first; overlapping ones are a bug.
fn apply_edits(text: &str, mut edits: Vec<(usize, usize, String)>) -> String {
    edits.sort();
    edits.dedup();
    for pair in edits.windows(2) {
        assert!(pair[0].1 <= pair[1].0, "overlapping edits: {pair:?}");
    }
    let mut out = text.to_string();
    for (start, end, replacement) in edits.into_iter().rev() {
        out.replace_range(start..end, &replacement);
    }
    out
}

/// Byte offset of a 1-based line and column (in characters) of `text`.
fn offset_of(text: &str, line: u64, column: u64) -> usize {
    let start: usize = text
        .split_inclusive('\n')
        .take(line as usize - 1)
        .map(str::len)
        .sum();
    start
        + text[start..]
            .chars()
            .take(column as usize - 1)
            .map(char::len_utf8)
            .sum::<usize>()
}

/// Issue 14, item 6: on every fixture, applying the edits of every included
/// fix of the JSON document, and the fixes of the SARIF log, gives
/// byte-for-byte what `--write` writes: each fix carries the import and
/// `Cargo.toml` edits it shares with the others of its crate (marked shared,
/// applied once), and a SARIF fix has one change per file.
#[test]
fn json_edits_and_sarif_fixes_apply_to_exactly_what_write_writes() {
    let tmp = tempfile::tempdir().unwrap();
    let mut with_fixes = 0;
    for case in common::cases() {
        let base = tmp.path().join("base").join(&case.name);
        let written = tmp.path().join("written").join(&case.name);
        common::copy_dir(&case.dir, &base);
        common::copy_dir(&case.dir, &written);
        let run = |format: &str| {
            let mut args = case.args.clone();
            args.extend(["--format".to_string(), format.to_string()]);
            let out = common::awaitify(&base, &args);
            serde_json::from_str::<serde_json::Value>(&out.stdout).unwrap()
        };
        // Edits by file: (start, end, replacement), in bytes after any BOM.
        let mut from_json: std::collections::BTreeMap<String, Vec<(usize, usize, String)>> =
            Default::default();
        for f in run("json")["findings"].as_array().unwrap() {
            let Some(fix) = f["fix"].as_object().filter(|x| x["included"] == true) else {
                continue;
            };
            for e in fix["edits"].as_array().unwrap() {
                from_json
                    .entry(e["span"]["path"].as_str().unwrap().to_string())
                    .or_default()
                    .push((
                        e["span"]["start"]["offset"].as_u64().unwrap() as usize,
                        e["span"]["end"]["offset"].as_u64().unwrap() as usize,
                        e["replacement"].as_str().unwrap().to_string(),
                    ));
            }
        }
        let mut from_sarif: std::collections::BTreeMap<String, Vec<(usize, usize, String)>> =
            Default::default();
        for r in run("sarif")["runs"][0]["results"].as_array().unwrap() {
            let Some(fix) = r["fixes"].get(0) else {
                continue;
            };
            let mut seen = std::collections::BTreeSet::new();
            for change in fix["artifactChanges"].as_array().unwrap() {
                let uri = change["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap()
                    .to_string();
                assert!(
                    seen.insert(uri.clone()),
                    "{}: {uri} twice in one fix",
                    case.name
                );
                let text = read(base.join(&uri));
                let text = text.strip_prefix('\u{feff}').unwrap_or(&text).to_string();
                for rep in change["replacements"].as_array().unwrap() {
                    let region = &rep["deletedRegion"];
                    let at = |l: &str, c: &str| {
                        offset_of(
                            &text,
                            region[l].as_u64().unwrap(),
                            region[c].as_u64().unwrap(),
                        )
                    };
                    from_sarif.entry(uri.clone()).or_default().push((
                        at("startLine", "startColumn"),
                        at("endLine", "endColumn"),
                        rep["insertedContent"]["text"].as_str().unwrap().to_string(),
                    ));
                }
            }
        }
        if !from_json.is_empty() {
            with_fixes += 1;
        }
        let mut args = case.args.clone();
        args.extend([
            "--write".to_string(),
            "--no-verify".to_string(),
            "--allow-dirty".to_string(),
        ]);
        common::awaitify(&written, &args);
        for (format, edits) in [("json", &from_json), ("sarif", &from_sarif)] {
            for file in walk(&case.dir) {
                let rel = file.strip_prefix(&case.dir).unwrap();
                let shown = rel.to_string_lossy().replace('\\', "/");
                let Ok(original) = std::fs::read_to_string(base.join(rel)) else {
                    continue;
                };
                let (bom, text) = match original.strip_prefix('\u{feff}') {
                    Some(rest) => ("\u{feff}", rest),
                    None => ("", original.as_str()),
                };
                let applied = match edits.get(&shown) {
                    Some(e) => format!("{bom}{}", apply_edits(text, e.clone())),
                    None => original.clone(),
                };
                assert_eq!(
                    applied,
                    read(written.join(rel)),
                    "{}: {format} edits of {shown} differ from --write",
                    case.name
                );
            }
        }
    }
    assert!(with_fixes > 30, "{with_fixes}");
}

/// `git apply --check --unsafe-paths` of `patch`, run in `dir`: its error
/// output, if any.
fn git_apply_check(dir: &Path, patch: &str) -> Result<(), String> {
    use std::io::Write as _;
    let mut child = Command::new("git")
        .args(["apply", "--check", "--unsafe-paths", "-"])
        .current_dir(dir)
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(patch.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    match out.status.success() {
        true => Ok(()),
        false => Err(String::from_utf8_lossy(&out.stderr).into_owned()),
    }
}

/// Issue 25, item 2: one path base. Diff headers are relative to the
/// directory the run started in, however the crate was named, so the patch
/// applies there: from the crate, from its `src/` (with no path given, the
/// run covers the package, as cargo does), from a sibling directory, and
/// from outside the work tree. A file outside the directory is named
/// through `..`, never `a//abs/path`, and the run says that `git apply`
/// takes it with `--unsafe-paths`.
#[test]
fn patches_name_files_relative_to_where_the_run_started() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().canonicalize().unwrap().join("repo");
    let fixture = repo.join("app");
    common::copy_dir(&common::testdata().join("readme_example"), &fixture);
    std::fs::create_dir_all(repo.join("tools")).unwrap();
    std::fs::write(repo.join("tools/.keep"), "").unwrap();
    git(&repo, &["init", "-q"]);
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-qm", "fixture"]);
    let abs = fixture.display().to_string();
    let outside = tmp.path().canonicalize().unwrap().join("elsewhere");
    std::fs::create_dir_all(&outside).unwrap();
    // (where awaitify runs, the path it is given, the main.rs header, the
    // manifest's header)
    let runs = [
        (
            &repo,
            Some(abs.as_str()),
            "app/src/main.rs",
            "app/Cargo.toml",
        ),
        (&fixture, Some(abs.as_str()), "src/main.rs", "Cargo.toml"),
        (&fixture, None, "src/main.rs", "Cargo.toml"),
        (&fixture.join("src"), None, "main.rs", "../Cargo.toml"),
        (
            &repo.join("tools"),
            Some("../app"),
            "../app/src/main.rs",
            "../app/Cargo.toml",
        ),
        (
            &outside,
            Some(abs.as_str()),
            "../repo/app/src/main.rs",
            "../repo/app/Cargo.toml",
        ),
    ];
    for (cwd, given, main, manifest) in runs {
        let out = awaitify(cwd).args(given).output().unwrap();
        let patch = String::from_utf8(out.stdout).unwrap();
        let stderr = String::from_utf8(out.stderr).unwrap();
        let from = format!("{given:?} from {}", cwd.display());
        for header in [main, manifest] {
            assert!(
                patch.contains(&format!("--- a/{header}\n+++ b/{header}\n")),
                "{from}:\n{patch}"
            );
        }
        assert!(!patch.contains("a//"), "{patch}");
        assert_eq!(
            stderr.contains("outside this directory") && stderr.contains("--unsafe-paths"),
            manifest.starts_with("../"),
            "{from}: {stderr}"
        );
        if let Err(e) = git_apply_check(cwd, &patch) {
            panic!("{from}: git apply: {e}\n{patch}");
        }
    }
}

/// Issue 25, item 2: `--workspace` from a member's `src/` names every
/// member's files from there, and the patch applies there.
#[test]
fn a_workspace_patch_applies_from_a_members_src() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().canonicalize().unwrap();
    std::fs::write(
        root.join("Cargo.toml"),
        "[workspace]\nmembers = [\"a\", \"b\"]\nresolver = \"2\"\n",
    )
    .unwrap();
    demo_crate(&root, "a");
    demo_crate(&root, "b");
    git(&root, &["init", "-q"]);
    git(&root, &["add", "."]);
    git(&root, &["commit", "-qm", "workspace"]);
    let src = root.join("a/src");
    let (patch, stderr) = outputs(awaitify(&src).arg("--workspace"), 0);
    assert!(
        patch.contains("+++ b/lib.rs\n") && patch.contains("+++ b/../../b/src/lib.rs\n"),
        "{patch}"
    );
    assert!(stderr.contains("(../../b/src/lib.rs)"), "{stderr}");
    if let Err(e) = git_apply_check(&src, &patch) {
        panic!("git apply: {e}\n{patch}");
    }
}

/// Crates are planned in parallel: over every fixture crate at once, one
/// worker thread and several must print the same findings, in the same
/// order, with the same errors (the elapsed time aside).
#[test]
fn crates_planned_in_parallel_print_what_one_thread_prints() {
    let testdata = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
    let run = |threads: &str| {
        // Some fixtures do not parse on purpose: the run ends with code 2.
        let (stdout, stderr) = outputs(
            awaitify(&testdata).args(["--format", "concise", "--threads", threads, "."]),
            2,
        );
        let stderr: Vec<String> = stderr
            .lines()
            .filter(|l| !l.starts_with("awaitify: "))
            .map(String::from)
            .collect();
        (stdout, stderr)
    };
    let (one, one_err) = run("1");
    let (four, four_err) = run("4");
    assert!(one.lines().count() > 100, "{one}");
    assert_eq!(one, four);
    assert_eq!(one_err, four_err);
}

/// A copy of fixture `name` with the pinned `Cargo.lock`, ready for
/// `cargo check`, in a temporary directory that lives as long as the first
/// value.
fn pinned_fixture(name: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let cases = common::cases();
    let case = cases.iter().find(|c| c.name == name).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join(&case.name);
    common::pinned_copy(case, &dir);
    (tmp, dir)
}

/// `cargo check --all-targets <args>` of the crate at `dir` passes (in the
/// fixtures' shared target directory).
#[track_caller]
fn assert_builds(dir: &Path, args: &[&str]) {
    let check = Command::new(env!("CARGO"))
        .args(["check", "--all-targets", "--quiet"])
        .args(args)
        .current_dir(dir)
        .envs(common::fixture_env())
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&check.stderr)
    );
}

/// Issue 25, formatting: a checked run formats each file it changes that
/// was rustfmt-clean before, with the crate's `rustfmt.toml` (here
/// `max_width = 50`), so `cargo fmt --check` passes after `--write` as it
/// did before; `--verify` shows the same text.
#[test]
fn a_checked_run_formats_what_it_changes_as_cargo_fmt_would() {
    let (_tmp, dir) = pinned_fixture("rustfmt_config");
    let fmt_check = |dir: &Path| {
        Command::new(env!("CARGO"))
            .args(["fmt", "--check"])
            .current_dir(dir)
            .status()
            .unwrap()
            .success()
    };
    assert!(fmt_check(&dir));
    let formatted = "    tokio::time::sleep(Duration::from_millis(ms))\n        .await;\n";
    let (patch, _) = outputs(
        awaitify(&dir).envs(common::fixture_env()).arg("--verify"),
        0,
    );
    assert!(
        patch.contains("+    tokio::time::sleep(Duration::from_millis(ms))\n+        .await;\n"),
        "{patch}"
    );
    let (_, stderr) = outputs(
        awaitify(&dir)
            .envs(common::fixture_env())
            .args(["--write", "--allow-dirty"]),
        0,
    );
    assert!(stderr.contains("1 fix applied"), "{stderr}");
    assert!(read(dir.join("src/main.rs")).contains(formatted));
    assert!(fmt_check(&dir), "cargo fmt --check fails after --write");
}

/// A plain dry run's fixes are the analysis' alone: its summary says so and
/// points to `--verify`, whose counts are what `--write` then applies (the
/// compiler withdraws one of the two fixes here). Without cargo there is
/// nothing to point to.
#[test]
fn a_dry_run_says_its_fixes_are_unverified_and_verify_counts_what_write_applies() {
    let (_tmp, dir) = pinned_fixture("verify_generic_helper");
    let summary = |args: &[&str], cargo: Option<&str>| -> Vec<String> {
        let mut cmd = awaitify(&dir);
        cmd.envs(common::fixture_env())
            .env("RUSTFLAGS", "-D warnings")
            .args(["--format", "concise"])
            .args(args);
        if let Some(cargo) = cargo {
            cmd.env("CARGO", cargo);
        }
        let (_, stderr) = outputs(&mut cmd, 0);
        stderr
            .lines()
            // The summary, not the check's progress (other tests share the
            // target directory, so cargo may wait for its lock).
            .filter(|l| {
                l.starts_with("awaitify: ")
                    && !l.contains("checking package")
                    && !l.contains("waiting for the build directory lock")
            })
            .map(|l| {
                l.rsplit_once(" in ")
                    .map_or(l, |(head, _)| head)
                    .to_string()
            })
            .collect()
    };
    let note = "awaitify: the fixes are not verified by the compiler: `--verify` shows the diff that builds, which `--write` applies";
    let plain = summary(&[], None);
    assert!(plain[0].contains("2 fixes available (2 safe)"), "{plain:?}");
    assert_eq!(plain.get(1).map(String::as_str), Some(note), "{plain:?}");
    let no_cargo = summary(&[], Some("/nonexistent/cargo"));
    assert_eq!(no_cargo, plain[..1], "{no_cargo:?}");
    // `--verify` with no cargo to check: the summary says the diff is not.
    let no_cargo = summary(&["--verify"], Some("/nonexistent/cargo"));
    assert_eq!(
        no_cargo[1..],
        ["awaitify: not verified (cargo is not on PATH)"],
        "{no_cargo:?}"
    );

    let verified = summary(&["--verify"], None);
    assert!(
        verified[0].contains("1 fix available (1 safe) in 2 files, 1 manual"),
        "{verified:?}"
    );
    assert!(!verified.iter().any(|l| l == note), "{verified:?}");
    let written = summary(&["--write", "--allow-dirty"], None);
    let as_written: Vec<String> = verified
        .iter()
        .map(|l| l.replace(" available ", " applied "))
        .collect();
    assert_eq!(written, as_written);
}

/// `--message-format json` is cargo's message stream, as `cargo_metadata`
/// (which rust-analyzer reads `cargo check` with) parses it: one
/// `compiler-message` per finding, pointing at the lines it names, and the
/// `MachineApplicable` suggestions of all of them, applied as an editor
/// applies quick fixes, give exactly what `--write` writes.
#[test]
fn message_format_json_is_cargos_stream_and_its_suggestions_are_the_write() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("waits");
    common::copy_dir(&common::testdata().join("blocking_task_waits"), &dir);
    let (stream, _) = outputs(awaitify(&dir).args(["--message-format", "json"]), 0);
    let (_, concise) = outputs(awaitify(&dir).args(["--format", "concise"]), 0);
    let expected = concise.lines().filter(|l| l.contains("[AW")).count();

    let messages: Vec<cargo_metadata::Message> =
        cargo_metadata::Message::parse_stream(stream.as_bytes())
            .map(Result::unwrap)
            .collect();
    assert!(matches!(
        messages.last(),
        Some(cargo_metadata::Message::BuildFinished(f)) if f.success
    ));
    let diagnostics: Vec<&cargo_metadata::diagnostic::Diagnostic> = messages
        .iter()
        .filter_map(|m| match m {
            cargo_metadata::Message::CompilerMessage(c) => Some(&c.message),
            _ => None,
        })
        .collect();
    assert_eq!(diagnostics.len(), expected, "{stream}");
    // Suggestions by file: (start, end, replacement), each once.
    let mut edits: std::collections::BTreeMap<
        String,
        std::collections::BTreeSet<(usize, usize, String)>,
    > = Default::default();
    for d in &diagnostics {
        assert!(d.code.as_ref().is_some_and(|c| c.code.starts_with("AW")));
        let primary = d.spans.iter().find(|s| s.is_primary).unwrap();
        let text = read(&primary.file_name);
        let line = text.lines().nth(primary.line_start - 1).unwrap();
        assert_eq!(primary.text[0].text, line);
        // The fixture is ASCII: columns are bytes.
        let line_offset: usize = text
            .lines()
            .take(primary.line_start - 1)
            .map(|l| l.len() + 1)
            .sum();
        assert_eq!(
            line_offset + primary.column_start - 1,
            primary.byte_start as usize
        );
        for child in &d.children {
            for s in &child.spans {
                if s.suggestion_applicability
                    == Some(cargo_metadata::diagnostic::Applicability::MachineApplicable)
                {
                    let with = s.suggested_replacement.clone().unwrap();
                    edits.entry(s.file_name.clone()).or_default().insert((
                        s.byte_start as usize,
                        s.byte_end as usize,
                        with,
                    ));
                }
            }
        }
    }
    assert!(!edits.is_empty(), "a safe fix is suggested");
    let mut fixed = std::collections::BTreeMap::new();
    for (file, spans) in &edits {
        let mut text = read(file);
        for (start, end, with) in spans.iter().rev() {
            text.replace_range(start..end, with);
        }
        fixed.insert(file.clone(), text);
    }
    outputs(awaitify(&dir).args(["--write", "--no-verify"]), 0);
    for (file, text) in &fixed {
        assert_eq!(&read(file), text, "{file}");
    }
}

/// A build directory cargo made (it holds a `CACHEDIR.TAG`) is not scanned,
/// even where no `.gitignore` names it: the `.rs` files build scripts
/// generate there are not the crate's sources.
#[test]
fn a_cargo_build_directory_is_not_scanned() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = demo_crate(tmp.path(), "built");
    let out = dir.join("target/debug/build/built-1/out");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("gen.rs"), MIGRATABLE).unwrap();
    let (_, with_build) = outputs(awaitify(&dir).args(["--format", "concise"]), 0);
    std::fs::write(
        dir.join("target/CACHEDIR.TAG"),
        "Signature: 8a477f597d28d172789f06886806bc55\n",
    )
    .unwrap();
    let (_, without) = outputs(awaitify(&dir).args(["--format", "concise"]), 0);
    assert!(with_build.contains("2 files scanned"), "{with_build}");
    assert!(without.contains("1 file scanned"), "{without}");
    assert!(!without.contains("gen.rs"), "{without}");
}

/// `--show-fixes` lists the fixes per file and rule, as ruff does: those
/// the diff holds in a dry run, those written with `--write`.
#[test]
fn show_fixes_lists_the_fixes_per_file_and_rule() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = demo_crate(tmp.path(), "shown");
    let listed = "- src/lib.rs:\n    1 × AW101 (std-lock-in-async)\n";
    let (_, stderr) = outputs(awaitify(&dir).args(["--show-fixes"]), 0);
    assert!(
        stderr.contains(&format!("Would fix 1 finding:\n{listed}")),
        "{stderr}"
    );
    let (_, stderr) = outputs(
        awaitify(&dir).args(["--show-fixes", "--write", "--no-verify"]),
        0,
    );
    assert!(
        stderr.contains(&format!("Fixed 1 finding:\n{listed}")),
        "{stderr}"
    );
    let (_, stderr) = outputs(awaitify(&dir).args(["--show-fixes"]), 0);
    assert!(stderr.contains("No fixes available."), "{stderr}");
}

/// A target that did not build before the change (a nightly-only bench on
/// stable) is left out of the check, and the rest of the package is still
/// verified, with the summary naming what was left out.
#[test]
fn a_target_that_failed_before_is_left_out_of_the_check_not_the_package() {
    let (_tmp, dir) = pinned_fixture("readme_example");
    std::fs::create_dir_all(dir.join("benches")).unwrap();
    std::fs::write(
        dir.join("benches/nightly.rs"),
        "#![feature(test)]\nextern crate test;\n\n#[bench]\nfn one(b: &mut test::Bencher) {\n    b.iter(|| 1 + 1);\n}\n",
    )
    .unwrap();
    let (_, stderr) = outputs(
        awaitify(&dir)
            .envs(common::fixture_env())
            .args(["--write", "--format", "concise"]),
        0,
    );
    assert!(
        stderr.contains(
            "1 of 1 package(s) verified by `cargo check`; Cargo.toml: checked without bench `nightly` (did not build before)"
        ),
        "{stderr}"
    );
    assert!(read(dir.join("src/main.rs")).contains("sessions.write().await"));
}

/// A package with features is checked with `--all-features` too: a lock
/// site only a feature compiles, which the analysis cannot see (a generic
/// helper over `Deref<Target = Mutex<u32>>`), is caught by the compiler, and
/// after `--write` the package builds with every feature, as it did before.
#[test]
fn a_fix_is_checked_with_all_features_too() {
    let (_tmp, dir) = pinned_fixture("verify_generic_helper");
    let manifest = read(dir.join("Cargo.toml")) + "\n[features]\nextra = []\n";
    std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
    let main = read(dir.join("src/main.rs"))
        .replace("fn with<", "#[cfg(feature = \"extra\")]\nfn with<")
        .replace(
            "    println!(\"{} {:?}\", with(&state.hits), state.log.lock().unwrap());",
            "    #[cfg(feature = \"extra\")]\n    println!(\"{}\", with(&state.hits));\n    println!(\"{:?}\", state.log.lock().unwrap());",
        );
    assert!(main.contains("#[cfg(feature = \"extra\")]\n    println!"));
    std::fs::write(dir.join("src/main.rs"), main).unwrap();
    let (_, stderr) = outputs(
        awaitify(&dir)
            .envs(common::fixture_env())
            .args(["--write", "--format", "concise"]),
        0,
    );
    assert!(
        stderr.contains("Cargo.toml: checked with its default features, --all-features"),
        "{stderr}"
    );
    assert_builds(&dir, &["--all-features"]);
    assert!(read(dir.join("src/main.rs")).contains("state.log.lock().await"));
}

/// A fix that touches code behind a feature gate is checked with that
/// feature alone too: code only `--features a` compiles (not the default
/// features, not `--all-features`, which turns on `b`) holds a lock site
/// the analysis cannot see, and after `--write` it still builds.
#[test]
fn a_fix_under_a_feature_gate_is_checked_with_that_feature_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("gated");
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        "[package]\nname = \"gated\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n[dependencies]\ntokio = { version = \"1\", features = [\"rt-multi-thread\", \"macros\"] }\n\n[features]\na = []\nb = []\n",
    )
    .unwrap();
    let lock = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures.lock");
    std::fs::copy(lock, dir.join("Cargo.lock")).unwrap();
    let gate = "#[cfg(all(feature = \"a\", not(feature = \"b\")))]";
    std::fs::write(
        dir.join("src/main.rs"),
        format!(
            "use std::sync::{{Arc, Mutex}};\n\nstruct State {{\n    hits: Mutex<u32>,\n}}\n\n{gate}\nfn with<L: std::ops::Deref<Target = Mutex<u32>>>(lock: L) -> u32 {{\n    *lock.lock().unwrap()\n}}\n\n{gate}\nasync fn report(state: Arc<State>) -> u32 {{\n    *state.hits.lock().unwrap() += 1;\n    with(&state.hits)\n}}\n\nasync fn handle(state: Arc<State>) {{\n    *state.hits.lock().unwrap() += 1;\n    tokio::task::yield_now().await;\n}}\n\n#[tokio::main]\nasync fn main() {{\n    let state = Arc::new(State {{ hits: Mutex::new(0) }});\n    handle(state.clone()).await;\n    {gate}\n    println!(\"{{}}\", report(state.clone()).await);\n    println!(\"done\");\n}}\n"
        ),
    )
    .unwrap();
    let (_, stderr) = outputs(
        awaitify(&dir)
            .envs(common::fixture_env())
            .args(["--write", "--format", "concise"]),
        0,
    );
    assert!(
        stderr.contains("checked with its default features, --all-features, feature `a` alone"),
        "{stderr}"
    );
    for features in [&["--features", "a"][..], &["--all-features"], &[]] {
        assert_builds(&dir, &[&["--no-default-features"][..], features].concat());
    }
}
