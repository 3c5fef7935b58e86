//! The files a crate's test harness compiles as expected failures or with
//! expected output: never rewritten.

use std::path::{Path, PathBuf};

use super::crate_files;
use crate::facts;
use crate::settings::Config;

/// The files of the crate at `dir` that a test harness compiles as expected
/// failures or with expected output, as globs relative to `dir`, each with
/// the reason: the configuration's `harness-fixtures` (or the defaults), and
/// the string literals the crate's tests pass to trybuild (`compile_fail`,
/// `pass`, `compile_fail_check_sub`) or name in a file that uses `ui_test`.
pub(crate) fn harness_fixtures(dir: &Path, config: &Config) -> Vec<(globset::GlobMatcher, String)> {
    let mut out = Vec::new();
    let mut add = |glob: &str, why: String| {
        if let Ok(g) = globset::Glob::new(glob) {
            out.push((g.compile_matcher(), why));
        }
    };
    match &config.harness_fixtures {
        Some(globs) => {
            for g in globs {
                add(
                    g,
                    format!("it matches `{g}` of the configuration's `harness-fixtures`"),
                );
            }
        }
        None => {
            for g in crate::settings::DEFAULT_HARNESS_FIXTURES {
                let under = g.trim_end_matches("**");
                add(
                    g,
                    format!(
                        "it is under `{under}`, where test harnesses keep the files they compile"
                    ),
                );
            }
        }
    }
    let tests = dir.join("tests");
    if !tests.is_dir() {
        return out;
    }
    let mut files: Vec<PathBuf> = crate_files(&tests);
    files.sort();
    for file in files {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        let shown = file
            .strip_prefix(dir)
            .unwrap_or(&file)
            .display()
            .to_string();
        let ui_test = facts::names_word(&text, "ui_test");
        for (call, literal) in harness_literals(&text, ui_test) {
            let glob = match literal.contains(['*', '?', '[']) || literal.ends_with(".rs") {
                true => literal.trim_start_matches("./").to_string(),
                false => format!(
                    "{}/**",
                    literal.trim_start_matches("./").trim_end_matches('/')
                ),
            };
            add(&glob, format!("{shown} passes `{literal}` to `{call}`"));
        }
    }
    out
}

/// The string literals a test file hands to a harness: the first argument of
/// `.compile_fail(..)`, `.pass(..)` and `.compile_fail_check_sub(..)` calls
/// (trybuild), and, in a file that uses `ui_test`, every literal that names
/// a path under `tests/`. Each comes with the call that names it.
pub(crate) fn harness_literals(text: &str, ui_test: bool) -> Vec<(String, String)> {
    let literal_at = |rest: &str| -> Option<String> {
        let rest = rest.trim_start().strip_prefix('"')?;
        let end = rest.find('"')?;
        let lit = &rest[..end];
        (!lit.is_empty() && !lit.contains('\\')).then(|| lit.to_string())
    };
    let mut out = Vec::new();
    for call in ["compile_fail", "compile_fail_check_sub", "pass"] {
        let needle = format!(".{call}(");
        let mut from = 0;
        while let Some(at) = text[from..].find(&needle) {
            let start = from + at + needle.len();
            from = start;
            if let Some(lit) = literal_at(&text[start..]) {
                out.push((call.to_string(), lit));
            }
        }
    }
    if ui_test {
        for (i, _) in text.match_indices("\"tests/") {
            if let Some(lit) = literal_at(&text[i..]) {
                out.push(("ui_test".to_string(), lit));
            }
        }
    }
    out
}
