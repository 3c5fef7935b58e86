//! `cargo check` as the referee runs it: on the crate where it is written,
//! or on a scratch copy with the changes, its errors read from cargo's JSON
//! messages.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use cargo_metadata::diagnostic::{Diagnostic as RustcDiagnostic, DiagnosticLevel, DiagnosticSpan};

use super::{process, Settings};

/// Is `cargo` there to run?
pub fn cargo_available() -> bool {
    std::process::Command::new(cargo())
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

pub(super) fn cargo() -> std::ffi::OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

/// One error of rustc.
#[derive(Clone, Debug)]
pub(super) struct CompileError {
    pub(super) code: Option<String>,
    pub(super) message: String,
    /// Every span of it and of its notes, with macro invocations.
    pub(super) spans: Vec<DiagnosticSpan>,
    /// The messages and labels of it and its notes, for the types they name.
    pub(super) text: String,
    /// The target it is an error of: its kind and name (`bench`, `nightly`).
    pub(super) target: Option<(cargo_metadata::TargetKind, String)>,
    /// The features it is an error of, if not the default ones
    /// (`--all-features`, ``feature `extra` alone``).
    pub(super) config: Option<String>,
}

/// `cargo check` of one package, of `--all-targets` or of the targets
/// `targets` names (`--lib`, `--bin x`, ..): its errors, or `Ok(empty)` when
/// it builds. `target`: the target directory, for a scratch copy.
pub(super) fn cargo_check(
    manifest: &Path,
    target: Option<&Path>,
    targets: &[String],
    config: Option<&Config>,
    settings: &Settings,
) -> Result<Vec<CompileError>, String> {
    let mut cmd = std::process::Command::new(cargo());
    cmd.arg("check");
    match targets.is_empty() {
        true => cmd.arg("--all-targets"),
        false => cmd.args(targets),
    };
    if let Some(c) = config {
        cmd.args(&c.args);
    }
    if settings.offline {
        cmd.arg("--offline");
    }
    cmd.args(["--keep-going", "--message-format=json"])
        .args(&settings.cargo_args)
        .arg("--manifest-path")
        .arg(manifest)
        .stdin(std::process::Stdio::null());
    if let Some(t) = target {
        cmd.env("CARGO_TARGET_DIR", t);
    }
    let out = process::output_within(&mut cmd, settings.timeout, settings.quiet)
        .map_err(|e| format!("cannot run {}: {e}", cargo().to_string_lossy()))?
        .ok_or_else(|| {
            format!(
                "cargo check timed out after {} s (--verify-timeout)",
                settings.timeout.as_secs()
            )
        })?;
    if out.status.success() {
        return Ok(Vec::new());
    }
    let cargo_error = || {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let first = stderr
            .lines()
            .find(|l| l.starts_with("error"))
            .map(str::to_string);
        first.unwrap_or_else(|| match out.status.code() {
            Some(code) => format!("exit status {code}, no error message"),
            None => "killed by a signal".to_string(),
        })
    };
    // Killed (a signal, out of memory): what it printed is not a verdict.
    if out.status.code().is_none() {
        return Err(format!("cargo itself failed ({})", cargo_error()));
    }
    let mut errors: Vec<CompileError> = Vec::new();
    let mut seen = BTreeSet::new();
    for message in cargo_metadata::Message::parse_stream(&out.stdout[..]).flatten() {
        let cargo_metadata::Message::CompilerMessage(m) = message else {
            continue;
        };
        let d = m.message;
        if d.level != DiagnosticLevel::Error || d.spans.is_empty() {
            continue;
        }
        // The same error of the lib and of its test build is one.
        if !seen.insert(d.rendered.clone().unwrap_or_else(|| d.message.clone())) {
            continue;
        }
        let mut error = compile_error(&d);
        error.target = m
            .target
            .kind
            .first()
            .map(|k| (k.clone(), m.target.name.clone()));
        error.config = config.map(|c| c.label.clone());
        errors.push(error);
    }
    if errors.is_empty() {
        // No error of rustc: cargo's own (I/O, network, resolution, a
        // manifest, a feature), which says nothing about the code.
        return Err(format!("cargo itself failed ({})", cargo_error()));
    }
    Ok(errors)
}

pub(super) fn compile_error(d: &RustcDiagnostic) -> CompileError {
    let mut spans = Vec::new();
    let mut text = String::new();
    // Only the error's own spans are primary: a note's are not.
    fn walk(d: &RustcDiagnostic, top: bool, spans: &mut Vec<DiagnosticSpan>, text: &mut String) {
        text.push_str(&d.message);
        text.push('\n');
        for s in &d.spans {
            if let Some(l) = &s.label {
                text.push_str(l);
                text.push('\n');
            }
            let mut s = s.clone();
            s.is_primary &= top;
            spans.push(s);
        }
        for c in &d.children {
            walk(c, false, spans, text);
        }
    }
    walk(d, true, &mut spans, &mut text);
    CompileError {
        code: d.code.as_ref().map(|c| c.code.clone()),
        message: d.message.clone(),
        spans,
        text,
        target: None,
        config: None,
    }
}

/// Features to check besides the default ones: `--all-features`, or one
/// feature alone.
#[derive(Clone, Debug)]
pub(super) struct Config {
    /// How it is shown: `--all-features`, ``feature `extra` alone``.
    pub(super) label: String,
    pub(super) args: Vec<String>,
    /// The feature it is, for a package that must declare it.
    feature: Option<String>,
}

impl Config {
    pub(super) fn all_features() -> Config {
        Config {
            label: "--all-features".to_string(),
            args: vec!["--all-features".to_string()],
            feature: None,
        }
    }

    pub(super) fn alone(feature: &str) -> Config {
        Config {
            label: format!("feature `{feature}` alone"),
            args: vec![
                "--no-default-features".to_string(),
                "--features".to_string(),
                feature.to_string(),
            ],
            feature: Some(feature.to_string()),
        }
    }

    /// Does it build anything the default check does not, for the
    /// package at `manifest`?
    pub(super) fn applies(&self, manifest: &Path) -> bool {
        match &self.feature {
            None => has_features(manifest),
            Some(f) => declares(manifest, f),
        }
    }
}

/// Does the package at `manifest` declare feature `name` (in `[features]`,
/// or as an optional dependency)?
fn declares(manifest: &Path, name: &str) -> bool {
    let Some(doc) = std::fs::read_to_string(manifest)
        .ok()
        .and_then(|t| t.parse::<toml_edit::DocumentMut>().ok())
    else {
        return false;
    };
    let in_table = |key: &str| {
        doc.get(key)
            .and_then(toml_edit::Item::as_table_like)
            .and_then(|t| t.get(name))
            .is_some()
    };
    in_table("features") || in_table("dependencies")
}

/// Does the package at `manifest` declare features (a `[features]` table,
/// or an optional dependency, which is one)? Then `--all-features` builds
/// code the default check does not.
pub(super) fn has_features(manifest: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(manifest) else {
        return false;
    };
    let Ok(doc) = text.parse::<toml_edit::DocumentMut>() else {
        return false;
    };
    let features = doc
        .get("features")
        .and_then(toml_edit::Item::as_table_like)
        .is_some_and(|t| !t.is_empty());
    let optional = |table: Option<&toml_edit::Item>| {
        table
            .and_then(toml_edit::Item::as_table_like)
            .is_some_and(|deps| {
                deps.iter().any(|(_, d)| {
                    d.get("optional")
                        .and_then(toml_edit::Item::as_bool)
                        .unwrap_or(false)
                })
            })
    };
    features || optional(doc.get("dependencies"))
}

/// The targets of the package at `manifest` but those `failed` names, as
/// `cargo check` selects them (`--lib`, `--bin x`, `--test y`, ..), and how
/// each left out is shown (``bench `nightly` ``). None where that leaves
/// nothing to check, or where a failed target is one the others need (the
/// library, a build script).
pub(super) fn targets_but(
    manifest: &Path,
    failed: &BTreeSet<(cargo_metadata::TargetKind, String)>,
) -> Option<(Vec<String>, Vec<String>)> {
    use cargo_metadata::TargetKind as K;
    let needed = |k: &K| !matches!(k, K::Bin | K::Test | K::Example | K::Bench);
    if failed.iter().any(|(k, _)| needed(k)) {
        return None;
    }
    let meta = cargo_metadata::MetadataCommand::new()
        .manifest_path(manifest)
        .no_deps()
        .exec()
        .ok()?;
    let manifest = manifest.canonicalize().ok()?;
    let package = meta.packages.iter().find(|p| {
        p.manifest_path
            .as_std_path()
            .canonicalize()
            .is_ok_and(|m| m == manifest)
    })?;
    let mut args = Vec::new();
    let mut lib = false;
    for t in &package.targets {
        let Some(kind) = t.kind.first() else { continue };
        if failed.contains(&(kind.clone(), t.name.clone())) {
            continue;
        }
        match kind {
            K::Bin | K::Test | K::Example | K::Bench => {
                args.push(format!("--{kind}"));
                args.push(t.name.clone());
            }
            K::CustomBuild => {}
            _ => lib = true,
        }
    }
    if lib {
        args.insert(0, "--lib".to_string());
    }
    let skipped = failed.iter().map(|(k, n)| format!("{k} `{n}`")).collect();
    (!args.is_empty()).then_some((args, skipped))
}

/// Where the package's files are checked: in place (`--write`), or in a
/// scratch copy of its workspace that shares its target directory.
pub(super) enum Checkout {
    InPlace,
    Scratch {
        from: PathBuf,
        dir: tempfile::TempDir,
        target: PathBuf,
    },
}

impl Checkout {
    /// A scratch copy of the workspace that holds `manifest`.
    pub(super) fn scratch(manifest: &Path) -> Result<Checkout, String> {
        let meta = cargo_metadata::MetadataCommand::new()
            .manifest_path(manifest)
            .no_deps()
            .exec()
            .map_err(|e| format!("{}: cargo metadata: {e}", manifest.display()))?;
        let from = meta.workspace_root.into_std_path_buf();
        let target = meta.target_directory.into_std_path_buf();
        let dir = tempfile::Builder::new()
            .prefix("awaitify-verify")
            .tempdir()
            .map_err(|e| format!("cannot make a scratch directory: {e}"))?;
        copy_tree(&from, dir.path(), &target)
            .map_err(|e| format!("{}: cannot copy it to check it: {e}", from.display()))?;
        Ok(Checkout::Scratch { from, dir, target })
    }

    /// Where a file of the user's tree is checked.
    pub(super) fn path(&self, path: &Path) -> PathBuf {
        match self {
            Checkout::InPlace => path.to_path_buf(),
            Checkout::Scratch { from, dir, .. } => match path.strip_prefix(from) {
                Ok(rel) => dir.path().join(rel),
                Err(_) => path.to_path_buf(),
            },
        }
    }

    /// The user's file that `path` (as cargo names it) is.
    pub(super) fn original(&self, path: &Path) -> PathBuf {
        let path = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        match self {
            Checkout::InPlace => path,
            Checkout::Scratch { from, dir, .. } => {
                let root = dir
                    .path()
                    .canonicalize()
                    .unwrap_or(dir.path().to_path_buf());
                match path.strip_prefix(&root) {
                    Ok(rel) => from.join(rel),
                    Err(_) => path,
                }
            }
        }
    }

    pub(super) fn target(&self) -> Option<&Path> {
        match self {
            Checkout::InPlace => None,
            Checkout::Scratch { target, .. } => Some(target),
        }
    }

    /// Puts `text` in the checked copy of `path`.
    pub(super) fn put(&self, path: &Path, text: &str) -> Result<(), String> {
        let at = self.path(path);
        std::fs::write(&at, text).map_err(|e| format!("{}: cannot write: {e}", at.display()))
    }
}

/// Copies the tree at `from` into `to`, without `.git` and `skip` (the
/// target directory).
pub(super) fn copy_tree(from: &Path, to: &Path, skip: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let path = entry.path();
        let kind = entry.file_type()?;
        if path == skip || entry.file_name() == ".git" {
            continue;
        }
        let dest = to.join(entry.file_name());
        if kind.is_dir() {
            copy_tree(&path, &dest, skip)?;
        } else if kind.is_file() || path.is_file() {
            std::fs::copy(&path, &dest)?;
        }
    }
    Ok(())
}
