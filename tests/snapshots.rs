//! Every fixture under `testdata/` rendered into a snapshot under
//! `snapshots/`: exit code, diagnostics and the diff of a dry run.

mod common;

#[test]
fn fixtures_match_snapshots() {
    let cases = common::cases();
    assert!(
        cases.len() >= 40,
        "expected at least 40 fixtures, found {}",
        cases.len()
    );
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    let _guard = settings.bind_to_scope();
    let mut failures = Vec::new();
    for case in &cases {
        let out = common::awaitify(&case.dir, &case.args);
        let rendered = format!(
            "args: {}\nexit: {}\n--- stderr\n{}--- stdout\n{}",
            case.args.join(" "),
            out.code,
            out.stderr,
            out.stdout
        );
        let result =
            std::panic::catch_unwind(|| insta::assert_snapshot!(case.name.as_str(), rendered));
        if result.is_err() {
            failures.push(case.name.clone());
        }
    }
    assert!(failures.is_empty(), "snapshot mismatches: {failures:?}");
}
