//! The rules' unit-test harness, after rust-analyzer's `check_assist`: one
//! small crate given as source strings runs through the real pipeline (a
//! dry run, as `awaitify .` does), and the test compares what it reports
//! and the text it would write.

use std::path::Path;

use crate::driver::run;
use crate::options::Options;
use crate::outcome::Outcome;

/// The manifest every case gets: a binary crate that depends on tokio.
const MANIFEST: &str = r#"[package]
name = "case"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
tokio = { version = "1", features = ["full"] }
"#;

/// The file a case's source goes to, and whose new text `check_fix` reads.
const MAIN: &str = "src/main.rs";

/// One crate on disk for one test: `src/main.rs` and any other files.
pub(crate) struct TestCrate {
    files: Vec<(String, String)>,
    unsafe_fixes: bool,
}

impl TestCrate {
    /// A crate whose `src/main.rs` is `src`.
    pub fn main(src: &str) -> TestCrate {
        TestCrate {
            files: vec![
                ("Cargo.toml".into(), MANIFEST.into()),
                (MAIN.into(), src.into()),
            ],
            unsafe_fixes: false,
        }
    }

    /// Another file, at `path` relative to the crate's root (`awaitify.toml`
    /// for its configuration).
    pub fn file(mut self, path: &str, text: &str) -> TestCrate {
        self.files.push((path.into(), text.into()));
        self
    }

    /// Run with `--unsafe-fixes`.
    pub fn unsafe_fixes(mut self) -> TestCrate {
        self.unsafe_fixes = true;
        self
    }

    /// Its `src/main.rs` after the fixes is `after`.
    #[track_caller]
    pub fn check_fix(&self, after: &str) {
        let out = self.run();
        let new = out
            .changes
            .iter()
            .find(|c| c.display == MAIN)
            .map(|c| c.new.as_str());
        assert_eq!(
            new,
            Some(after),
            "{MAIN} after the fixes; findings: {}",
            findings(&out)
        );
    }

    /// It has a finding of rule `code` (a code such as AW102).
    #[track_caller]
    pub fn check_finding(&self, code: &str) {
        let out = self.run();
        assert!(
            out.diagnostics.iter().any(|d| d.rule.code == code),
            "no {code} finding; findings: {}",
            findings(&out)
        );
    }

    /// It has a finding of rule `code` whose message contains `text`, and
    /// none of rule `not` (another code, or "").
    #[track_caller]
    pub fn check_message(&self, code: &str, text: &str, not: &str) {
        let out = self.run();
        assert!(
            out.diagnostics
                .iter()
                .any(|d| d.rule.code == code && d.message.contains(text))
                && !out.diagnostics.iter().any(|d| d.rule.code == not),
            "want {code} saying {text:?}, and no {not}; findings: {}",
            findings(&out)
        );
    }

    /// It has a finding of rule `code` with a note that contains `text`.
    #[track_caller]
    pub fn check_note(&self, code: &str, text: &str) {
        let out = self.run();
        assert!(
            out.diagnostics
                .iter()
                .any(|d| d.rule.code == code && d.notes.iter().any(|n| n.contains(text))),
            "want {code} with a note saying {text:?}; findings: {}",
            findings(&out)
        );
    }

    /// The file at `path` holds `text` after the fixes.
    #[track_caller]
    pub fn check_fixed_to_hold(&self, path: &str, text: &str) {
        let out = self.run();
        let new = out.changes.iter().find(|c| c.display == path);
        assert!(
            new.is_some_and(|c| c.new.contains(text)),
            "{path} after the fixes: {:?}; findings: {}",
            new.map(|c| &c.new),
            findings(&out)
        );
    }

    /// It has a finding of rule `code`, and nothing would change.
    #[track_caller]
    pub fn check_unfixed(&self, code: &str) {
        let out = self.run();
        assert!(
            out.diagnostics.iter().any(|d| d.rule.code == code) && out.changes.is_empty(),
            "want {code} with no change; findings: {}; changed: {:?}",
            findings(&out),
            out.changes.iter().map(|c| &c.display).collect::<Vec<_>>()
        );
    }

    /// It has no finding, and nothing would change.
    #[track_caller]
    pub fn check_no_finding(&self) {
        let out = self.run();
        assert!(
            out.diagnostics.is_empty() && out.changes.is_empty(),
            "findings: {}; changed: {:?}",
            findings(&out),
            out.changes.iter().map(|c| &c.display).collect::<Vec<_>>()
        );
    }

    /// The calls the findings of rule `code` are about (the first
    /// backquoted part of each message: `std::sync::Condvar::wait`), sorted.
    pub fn calls_reported(&self, code: &str) -> Vec<String> {
        let mut calls: Vec<String> = self
            .run()
            .diagnostics
            .iter()
            .filter(|d| d.rule.code == code)
            .filter_map(|d| d.message.split('`').nth(1).map(str::to_string))
            .collect();
        calls.sort();
        calls
    }

    pub fn run(&self) -> Outcome {
        let dir = tempfile::tempdir().expect("a temporary directory");
        for (path, text) in &self.files {
            write(&dir.path().join(path), text);
        }
        let mut opts = Options::new(vec![dir.path().to_path_buf()]);
        opts.display_root = dir.path().to_path_buf();
        opts.unsafe_fixes = self.unsafe_fixes;
        opts.threads = Some(1);
        let out = run(&opts);
        assert!(out.errors.is_empty(), "errors: {:?}", out.errors);
        out
    }
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("a file in the crate")).expect("a directory");
    std::fs::write(path, text).expect("a file written");
}

/// Each finding's code and message, for a failing test's message.
fn findings(out: &Outcome) -> String {
    let all: Vec<String> = out
        .diagnostics
        .iter()
        .map(|d| format!("{} {}", d.rule.code, d.message))
        .collect();
    format!("{all:#?}")
}

/// `src/main.rs` reads `after` once its fixes are applied.
#[track_caller]
pub(crate) fn check_fix(before: &str, after: &str) {
    TestCrate::main(before).check_fix(after);
}

/// `src` (as `src/main.rs`) has a finding of rule `code`.
#[track_caller]
pub(crate) fn check_finding(src: &str, code: &str) {
    TestCrate::main(src).check_finding(code);
}

/// `src` (as `src/main.rs`) has no finding and nothing to change.
#[track_caller]
pub(crate) fn check_no_finding(src: &str) {
    TestCrate::main(src).check_no_finding();
}
