//! Every fixture under `testdata/` rendered into a snapshot under
//! `snapshots/`: exit code, diagnostics and the diff of a dry run, and, where
//! `--unsafe-fixes` changes anything, a second snapshot with it.

mod common;

fn render(args: &[String], out: &common::Output) -> String {
    format!(
        "args: {}\nexit: {}\n--- stderr\n{}--- stdout\n{}",
        args.join(" "),
        out.code,
        out.stderr,
        out.stdout
    )
}

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
    let mut failures = Vec::new();
    let mut check = |name: String, rendered: String| {
        if std::panic::catch_unwind(|| insta::assert_snapshot!(name.as_str(), rendered)).is_err() {
            failures.push(name);
        }
    };
    // Snapshots pin the migration: one line per finding, and the diff.
    settings.add_filter(r" in \d+\.\d+s\n", " in [elapsed]\n");
    // A `--verify` case's check waits, and says so, when another cargo (a
    // test running beside it) holds the build directory: not the case's.
    settings.add_filter(
        r"awaitify: waiting for the build directory lock held by another cargo\n",
        "",
    );
    let _guard = settings.bind_to_scope();
    for case in &cases {
        let mut args = vec!["--format".to_string(), "concise".to_string()];
        args.extend(case.args.iter().cloned());
        let case = common::Case {
            args,
            ..case.clone()
        };
        // A case the analysis gets wrong on purpose is shown as the
        // compiler's referee leaves it: checked in a copy with pinned
        // versions, sharing the fixture tests' target directory.
        let (dir, args) = match case.needs_verify {
            true => {
                let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
                    .join("verify-snapshots")
                    .join(&case.name);
                common::pinned_copy(&case, &dir);
                let mut args = case.args.clone();
                args.push("--verify".to_string());
                (dir, args)
            }
            false => (case.dir.clone(), case.args.clone()),
        };
        let out = common::awaitify_checked(&dir, &args);
        check(case.name.clone(), render(&args, &out));
        let mut unsafe_args = args.clone();
        unsafe_args.push("--unsafe-fixes".to_string());
        let unsafe_out = common::awaitify_checked(&dir, &unsafe_args);
        if unsafe_out.stdout != out.stdout {
            check(
                format!("{}.unsafe-fixes", case.name),
                render(&unsafe_args, &unsafe_out),
            );
        }
    }
    assert!(failures.is_empty(), "snapshot mismatches: {failures:?}");
}
