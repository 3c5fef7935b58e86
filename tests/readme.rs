//! The README shows real output: this keeps it identical to what its set-up
//! command (`awaitify testdata/readme_example`, run from the repository root)
//! prints.

mod common;

use std::process::Command;

#[test]
fn readme_example_output_is_current() {
    let root = env!("CARGO_MANIFEST_DIR");
    let readme = std::fs::read_to_string(format!("{root}/README.md")).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_awaitify"))
        .arg("testdata/readme_example")
        .current_dir(root)
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    );
    // The summary ends with the elapsed time, which differs run to run.
    let without_time = |text: &str| -> String {
        text.lines()
            .map(|l| match l.starts_with("awaitify: ") {
                true => l.rsplit_once(" in ").map_or(l, |(head, _)| head),
                false => l,
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert!(
        without_time(&readme).contains(&without_time(&stderr)),
        "README's diagnostics differ from:\n{stderr}"
    );
    assert!(
        readme.contains(&stdout),
        "README's diff differs from:\n{stdout}"
    );
}

/// The README's first ```sh block, line by line.
fn first_sh_block(readme: &str) -> Vec<String> {
    readme
        .split("```sh\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("README.md has a ```sh block")
        .lines()
        .map(str::to_string)
        .collect()
}

/// The README's set-up command is `cargo run` without `--bin`: with two
/// binaries that works only if the manifest says which one runs. (The command
/// itself runs verbatim in a fresh clone in `scripts/readme-setup.sh`, a step
/// of `.ci/run`; a release build is too slow for the test suite.)
#[test]
fn readme_setup_command_runs_the_awaitify_binary() {
    let root = env!("CARGO_MANIFEST_DIR");
    let readme = std::fs::read_to_string(format!("{root}/README.md")).unwrap();
    let block = first_sh_block(&readme);
    assert_eq!(
        block,
        ["cargo run --release -- testdata/readme_example"],
        "the README's set-up command changed: check it still works on a fresh clone"
    );
    let out = Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--no-deps",
            "--format-version",
            "1",
            "--offline",
        ])
        .current_dir(root)
        .output()
        .unwrap();
    assert!(out.status.success());
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let package = &meta["packages"][0];
    let bins: Vec<&str> = package["targets"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["kind"].as_array().unwrap().iter().any(|k| k == "bin"))
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert!(
        bins.len() == 1 || package["default_run"] == "awaitify",
        "`cargo run` cannot tell which of {bins:?} to run: set `default-run`"
    );
}

/// The README's ```sh blocks whose commands are `awaitify` runs (the CI
/// and baseline sections), each as its lines.
fn awaitify_sh_blocks(readme: &str) -> Vec<Vec<String>> {
    readme
        .split("```sh\n")
        .skip(1)
        .filter_map(|rest| rest.split("```").next())
        .filter(|block| block.starts_with("awaitify "))
        .map(|block| block.lines().map(str::to_string).collect())
        .collect()
}

/// Issue 25: the README's CI and editor sections run verbatim, with the
/// built binaries first on `PATH`, in a git work tree holding the README's
/// example crate: each CI command ends as its comment says, and the editor
/// command (rust-analyzer's `check.overrideCommand`, taken from the JSON
/// settings shown) gives cargo's message stream with a quick fix.
#[test]
fn readme_ci_and_editor_commands_run_verbatim() {
    let root = env!("CARGO_MANIFEST_DIR");
    let readme = std::fs::read_to_string(format!("{root}/README.md")).unwrap();
    let bins = std::path::Path::new(env!("CARGO_BIN_EXE_awaitify"))
        .parent()
        .unwrap();
    let path = std::env::join_paths(
        std::iter::once(bins.to_path_buf())
            .chain(std::env::split_paths(&std::env::var_os("PATH").unwrap())),
    )
    .unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let app = tmp.path().join("app");
    common::copy_dir(&common::testdata().join("readme_example"), &app);
    for args in [
        &["init", "-q"][..],
        &["add", "."],
        &[
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "commit",
            "-qm",
            "app",
        ],
    ] {
        let ok = Command::new("git").args(args).current_dir(&app).status();
        assert!(ok.unwrap().success());
    }
    let run = |line: &str| {
        let out = Command::new("sh")
            .args(["-c", line])
            .current_dir(&app)
            .env("PATH", &path)
            .env_remove("GITHUB_WORKSPACE")
            .output()
            .unwrap();
        let stdout = String::from_utf8(out.stdout).unwrap();
        (out.status.code(), stdout)
    };

    let blocks = awaitify_sh_blocks(&readme);
    let [ci, baseline] = &blocks[..] else {
        panic!("the README's awaitify blocks changed: {blocks:?}");
    };
    // "annotate the PR, fail if anything would change"
    let (code, stdout) = run(&ci[0]);
    assert_eq!(code, Some(1), "{}: {stdout}", ci[0]);
    assert!(
        stdout.contains("::warning file=src/main.rs,line="),
        "{stdout}"
    );
    // "for code scanning"
    assert_eq!(run(&ci[1]).0, Some(0), "{}", ci[1]);
    let sarif = std::fs::read_to_string(app.join("awaitify.sarif")).unwrap();
    let sarif: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    assert!(!sarif["runs"][0]["results"].as_array().unwrap().is_empty());
    // Recorded once, then only new findings fail.
    assert_eq!(run(&baseline[0]).0, Some(0), "{}", baseline[0]);
    assert!(app.join("awaitify-baseline.json").exists());
    let (code, stdout) = run(&baseline[1]);
    assert_eq!(code, Some(0), "{}: {stdout}", baseline[1]);
    assert!(stdout.is_empty(), "{stdout}");

    // The editor's command, from the VS Code settings shown.
    let settings = readme
        .split("```json\n")
        .find_map(|rest| {
            rest.split("```")
                .next()
                .filter(|b| b.contains("overrideCommand"))
        })
        .expect("README.md shows rust-analyzer's settings");
    let settings: serde_json::Value = serde_json::from_str(settings).unwrap();
    let command: Vec<&str> = settings["rust-analyzer.check.overrideCommand"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    let out = Command::new(command[0])
        .args(&command[1..])
        .current_dir(&app)
        .env("PATH", &path)
        .output()
        .unwrap();
    let messages: Vec<cargo_metadata::Message> =
        cargo_metadata::Message::parse_stream(&out.stdout[..])
            .collect::<Result<_, _>>()
            .unwrap();
    let fixes = messages.iter().any(|m| match m {
        cargo_metadata::Message::CompilerMessage(m) => m
            .message
            .children
            .iter()
            .any(|c| c.spans.iter().any(|s| s.suggested_replacement.is_some())),
        _ => false,
    });
    assert!(fixes, "{}", String::from_utf8_lossy(&out.stdout));
    assert!(matches!(
        messages.last(),
        Some(cargo_metadata::Message::BuildFinished(_))
    ));
}
