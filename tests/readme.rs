//! The README shows real output: this keeps it identical to what its set-up
//! command (`awaitify testdata/readme_example`, run from the repository root)
//! prints.

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
