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
