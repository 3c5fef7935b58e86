//! Paths to crates to files: the `.rs` files under the paths given
//! (gitignore-aware, `--exclude`), grouped by the `Cargo.toml` that owns
//! them, each crate with its configuration; and where a file sits in its
//! crate (its compilation unit: `tests/`, `examples/` and `benches/` files
//! are crates of their own; its module path).

use std::collections::{BTreeMap, HashSet, VecDeque};
use std::path::{Path, PathBuf};

use ra_ap_syntax::Edition;
use rayon::prelude::*;

use crate::edits::manifest;
use crate::facts;
use crate::options::Options;
use crate::outcome::Outcome;
use crate::paths::absolute;
use crate::settings::Config;
use crate::settings::PlanOptions;

/// All `.rs` files under the paths, gitignore-aware, sorted, each with
/// whether `--exclude` matches it. A glob matches the path as it is shown
/// (relative to the current directory), or, without a `/`, a file's name.
pub(crate) fn walk(opts: &Options, out: &mut Outcome) -> Vec<(PathBuf, bool)> {
    let mut excludes = globset::GlobSetBuilder::new();
    let mut globs = Vec::new();
    for g in &opts.exclude {
        match globset::Glob::new(g) {
            Ok(glob) => {
                excludes.add(glob);
                globs.push(g);
            }
            Err(e) => out.errors.push(format!("--exclude {g}: {e}")),
        }
    }
    let excludes = excludes
        .build()
        .unwrap_or_else(|_| globset::GlobSet::empty());
    let mut used = vec![false; globs.len()];
    let mut example = None;
    let mut files = Vec::new();
    let mut links = Vec::new();
    for (root, given) in &opts.spelled {
        if !root.exists() {
            out.errors
                .push(format!("{}: no such file or directory", given.display()));
            continue;
        }
        for entry in ignore::WalkBuilder::new(root).build() {
            match entry {
                Ok(e) => {
                    let p = e.path();
                    let link = is_rs_link(&e);
                    if link || is_rs_file(&e) {
                        let shown = opts.display(p);
                        let mut hits = excludes.matches(&shown);
                        if let Some(name) = p.file_name() {
                            hits.extend(excludes.matches(name));
                        }
                        for &i in &hits {
                            used[i] = true;
                        }
                        example.get_or_insert(shown);
                        let entry = (p.to_path_buf(), !hits.is_empty());
                        if link {
                            links.push(entry);
                        } else {
                            files.push(entry);
                        }
                    }
                }
                Err(e) => out.errors.push(format!("{}: {e}", given.display())),
            }
        }
    }
    for (g, _) in globs.iter().zip(&used).filter(|(_, used)| !**used) {
        let example = example
            .as_deref()
            .map(|e| format!(", such as `{e}`"))
            .unwrap_or_default();
        out.warnings.push(format!(
            "--exclude `{g}` matches no file; globs match paths as they are shown, relative to the current directory{example}"
        ));
    }
    // A symlinked file is scanned where it points inside the paths given
    // (once: not if its target is scanned itself), and only read where it
    // points outside them: a symlink is never replaced, nor written through.
    if !links.is_empty() {
        let roots = crate::write::canonical_roots(&opts.paths);
        let real: HashSet<PathBuf> = files
            .iter()
            .filter_map(|(p, _)| p.canonicalize().ok())
            .collect();
        for (link, excluded) in links {
            let Ok(target) = link.canonicalize() else {
                continue;
            };
            let shown = opts.display(&link);
            if real.contains(&target) {
                continue;
            }
            let inside = roots.iter().any(|r| target.starts_with(r));
            if !inside {
                out.notes.push(format!(
                    "{shown}: a symlink to {}, outside the paths given: read, never written",
                    target.display()
                ));
            }
            files.push((link, excluded || !inside));
        }
    }
    files.sort();
    files.dedup_by(|a, b| a.0 == b.0);
    files
}

/// A symlink to a `.rs` file (the walk does not follow symlinks).
pub(crate) fn is_rs_link(e: &ignore::DirEntry) -> bool {
    e.path().extension().is_some_and(|x| x == "rs")
        && std::fs::symlink_metadata(e.path()).is_ok_and(|m| m.file_type().is_symlink())
        && std::fs::metadata(e.path()).is_ok_and(|m| m.is_file())
}

pub(crate) fn is_rs_file(e: &ignore::DirEntry) -> bool {
    e.path().extension().is_some_and(|x| x == "rs") && e.file_type().is_some_and(|t| t.is_file())
}

/// The `.rs` files of the crate at `dir` (gitignore-aware), for files of a
/// crate the paths given do not cover.
pub(crate) fn crate_files(dir: &Path) -> Vec<PathBuf> {
    ignore::WalkBuilder::new(dir)
        .build()
        .filter_map(Result::ok)
        .filter(|e| is_rs_file(e) || is_rs_link(e))
        .map(ignore::DirEntry::into_path)
        .collect()
}

/// A walked file and the crate it belongs to.
pub(crate) struct Input {
    pub(crate) path: PathBuf,
    pub(crate) crate_id: usize,
    /// Position in the walk: unique, used in local declaration keys.
    pub(crate) file_id: usize,
    /// Excluded, or outside the paths given: analysed, never changed.
    pub(crate) read_only: bool,
    /// The places of the file cfg-alternative modules cover (see
    /// [`alternative_places`]).
    pub(crate) cfg_alternative: Vec<(Option<ra_ap_syntax::TextRange>, String)>,
}

pub(crate) struct CrateInfo {
    pub(crate) manifest: Option<PathBuf>,
    pub(crate) edition: Edition,
    pub(crate) config: Config,
    pub(crate) plan: PlanOptions,
    /// Its configuration's `exclude` globs, relative to the crate's directory.
    pub(crate) exclude: globset::GlobSet,
    /// Its configuration's `per-file-ignores`: globs relative to the crate's
    /// directory, and the rules they skip.
    pub(crate) per_file_ignores: Vec<(globset::GlobMatcher, Vec<String>)>,
    /// Its configuration could not be read: none of its files is analysed.
    pub(crate) broken: bool,
    /// One of the packages asked for (or no packages were named).
    pub(crate) selected: bool,
    /// Lock types its modules re-export, by their path in the crate.
    pub(crate) reexports: crate::imports::ReExports,
    /// Files a test harness compiles (globs relative to the crate's
    /// directory), each with why: never changed.
    pub(crate) harness: Vec<(globset::GlobMatcher, String)>,
    /// It has a library target: its public fns may be called from outside.
    pub(crate) library: bool,
}

/// The walked files grouped into crates by their owning manifest.
pub(crate) struct Walked {
    pub(crate) inputs: Vec<Input>,
    pub(crate) crates: Vec<CrateInfo>,
    /// Files a test harness compiles (by input), and why.
    pub(crate) harness_files: Vec<(usize, String)>,
}

/// Groups the walked `files` (each with whether it is excluded) into crates:
/// a crate per owning manifest, in the order its first file was walked, and
/// the other files of a crate the paths cover only in part (read only).
pub(crate) fn group_into_crates(
    files: Vec<(PathBuf, bool)>,
    opts: &Options,
    out: &mut Outcome,
) -> Walked {
    let mut finder = manifest::ManifestFinder::default();
    let mut crate_ids: BTreeMap<Option<PathBuf>, usize> = BTreeMap::new();
    let mut walked = Walked {
        inputs: Vec::new(),
        crates: Vec::new(),
        harness_files: Vec::new(),
    };
    // The crates of the files walked are read in parallel (their manifests,
    // configurations and test harnesses); each one's errors are reported
    // when its first file comes up, as if it were read then.
    let mut owners: Vec<Option<PathBuf>> = files
        .iter()
        .map(|(p, _)| finder.owning_manifest(p))
        .collect();
    owners.sort();
    owners.dedup();
    let mut read: BTreeMap<Option<PathBuf>, (CrateInfo, Vec<String>)> = owners
        .into_par_iter()
        .map(|m| {
            let mut errors = Vec::new();
            let krate = crate_info(m.clone(), opts, &mut errors);
            (m, (krate, errors))
        })
        .collect();
    let mut seen: HashSet<PathBuf> = files.iter().map(|(p, _)| p.clone()).collect();
    let mut queue: VecDeque<(PathBuf, bool)> = files.into();
    while let Some((path, read_only)) = queue.pop_front() {
        let manifest = finder.owning_manifest(&path);
        let crate_id = match crate_ids.get(&manifest) {
            Some(&id) => id,
            None => {
                let krate = match read.remove(&manifest) {
                    Some((krate, mut errors)) => {
                        out.errors.append(&mut errors);
                        krate
                    }
                    None => crate_info(manifest.clone(), opts, &mut out.errors),
                };
                for f in uncovered_files(&krate, opts) {
                    if seen.insert(f.clone()) {
                        queue.push_back((f, true));
                    }
                }
                walked.crates.push(krate);
                crate_ids.insert(manifest, walked.crates.len() - 1);
                walked.crates.len() - 1
            }
        };
        walked.add(path, crate_id, read_only);
    }
    walked
}

impl Walked {
    /// Adds a file of crate `crate_id`, unless its package was not asked
    /// for: read only where the crate's configuration excludes it or a test
    /// harness compiles it.
    fn add(&mut self, path: PathBuf, crate_id: usize, mut read_only: bool) {
        let krate = &self.crates[crate_id];
        if !krate.selected {
            return;
        }
        if let Some(dir) = krate.manifest.as_deref().and_then(Path::parent) {
            read_only |= path
                .strip_prefix(dir)
                .is_ok_and(|rel| krate.exclude.is_match(rel));
            let why = path.strip_prefix(dir).ok().and_then(|rel| {
                krate
                    .harness
                    .iter()
                    .find(|(g, _)| g.is_match(rel))
                    .map(|(_, why)| why.clone())
            });
            if let Some(why) = why {
                read_only = true;
                self.harness_files.push((self.inputs.len(), why));
            }
        }
        self.inputs.push(Input {
            path,
            crate_id,
            file_id: self.inputs.len(),
            read_only,
            cfg_alternative: Vec::new(),
        });
    }
}

/// The crate of `manifest` (`None`: files no manifest owns): its edition,
/// configuration and plan options. What cannot be read is an error in
/// `errors`.
fn crate_info(manifest: Option<PathBuf>, opts: &Options, errors: &mut Vec<String>) -> CrateInfo {
    let edition = match &manifest {
        Some(m) => manifest::edition(m).unwrap_or_else(|e| {
            errors.push(format!("{e:#}; assuming edition 2015"));
            Edition::Edition2015
        }),
        None => opts.default_edition,
    };
    let (config, broken) = match manifest.as_deref().map(Config::for_manifest) {
        Some(Err(e)) => {
            errors.push(format!("{e:#}; crate skipped"));
            (Config::default(), true)
        }
        Some(Ok(c)) => (c, false),
        None => (Config::default(), false),
    };
    let mut exclude = globset::GlobSetBuilder::new();
    for g in &config.exclude {
        exclude.add(globset::Glob::new(g).expect("the configuration checked it"));
    }
    let per_file_ignores = config
        .per_file_ignores
        .iter()
        .map(|(g, rules)| {
            let glob = globset::Glob::new(g).expect("the configuration checked it");
            (glob.compile_matcher(), rules.clone())
        })
        .collect();
    let harness = manifest
        .as_deref()
        .and_then(Path::parent)
        .map(|dir| harness_fixtures(dir, &config))
        .unwrap_or_default();
    CrateInfo {
        library: manifest
            .as_deref()
            .is_some_and(|m| manifest::lib_name(m).is_some()),
        harness,
        per_file_ignores,
        edition,
        plan: PlanOptions {
            tokio: manifest
                .as_deref()
                .and_then(|m| std::fs::read_to_string(m).ok())
                .map(|t| manifest::tokio_use(&t)),
            ..opts.plan_options(&config)
        },
        exclude: exclude
            .build()
            .unwrap_or_else(|_| globset::GlobSet::empty()),
        selected: opts.packages.as_ref().is_none_or(|p| {
            manifest
                .as_ref()
                .and_then(|m| m.canonicalize().ok())
                .is_some_and(|m| p.contains(&m))
        }),
        manifest,
        config,
        broken,
        reexports: Default::default(),
    }
}

/// The files of a crate the paths given cover only in part: they are read
/// too, so that no migration misses a use of a lock there.
fn uncovered_files(krate: &CrateInfo, opts: &Options) -> Vec<PathBuf> {
    let Some(dir) = krate
        .manifest
        .as_deref()
        .and_then(Path::parent)
        .filter(|_| opts.whole_crates)
    else {
        return Vec::new();
    };
    let canonical = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    let crate_dir = canonical(dir);
    let covered = opts
        .paths
        .iter()
        .any(|p| p.is_dir() && crate_dir.starts_with(canonical(p)));
    match covered {
        true => Vec::new(),
        false => crate_files(dir),
    }
}

/// Warns about each `exclude` and `per-file-ignores` glob of a crate's
/// configuration that matches none of its files (all of which were read).
pub(crate) fn unmatched_config_globs(
    inputs: &[Input],
    crates: &[CrateInfo],
    opts: &Options,
    warnings: &mut Vec<String>,
) {
    for (id, krate) in crates.iter().enumerate() {
        let globs = !krate.config.exclude.is_empty() || !krate.per_file_ignores.is_empty();
        let Some(manifest) = krate.manifest.as_deref().filter(|_| globs && !krate.broken) else {
            continue;
        };
        let dir = manifest.parent().unwrap_or(Path::new(""));
        let files: Vec<&Path> = inputs
            .iter()
            .filter(|i| i.crate_id == id)
            .filter_map(|i| i.path.strip_prefix(dir).ok())
            .collect();
        if files.is_empty() {
            continue;
        }
        let mut used = vec![false; krate.config.exclude.len()];
        for f in &files {
            for i in krate.exclude.matches(f) {
                used[i] = true;
            }
        }
        let unused_excludes = krate.config.exclude.iter().zip(used).filter(|(_, u)| !u);
        let unused_ignores = krate
            .per_file_ignores
            .iter()
            .filter(|(g, _)| !files.iter().any(|f| g.is_match(f)))
            .map(|(g, _)| g.glob().glob());
        for (key, glob) in unused_excludes
            .map(|(g, _)| ("exclude", g.as_str()))
            .chain(unused_ignores.map(|g| ("per-file-ignores", g)))
        {
            warnings.push(format!(
                "{}: the configuration's `{key}` glob `{glob}` matches no file of the crate (globs are relative to the crate's directory)",
                opts.display(manifest)
            ));
        }
    }
}

/// The compilation unit of a file of the crate of `manifest`: empty for its
/// own code, `tests/NAME` for `tests/NAME.rs` and the files of `tests/NAME/`
/// (the same for `examples/` and `benches/`), each a crate of its own.
pub(crate) fn compilation_unit(path: &Path, manifest: &Path) -> String {
    let crate_dir = manifest.parent().unwrap_or(Path::new(""));
    let Ok(rel) = path.strip_prefix(crate_dir) else {
        return String::new();
    };
    let mut parts = rel.components().map(|c| c.as_os_str().to_string_lossy());
    match (parts.next(), parts.next()) {
        (Some(dir), Some(name)) if matches!(&*dir, "tests" | "examples" | "benches") => {
            let name = name.strip_suffix(".rs").unwrap_or(&name);
            format!("{dir}/{name}")
        }
        _ => String::new(),
    }
}

/// Is `path` in a directory of `tests/` (`examples/`, `benches/`) that no
/// target has as its root (`tests/common/mod.rs`, with no
/// `tests/common/main.rs`)? Such files are modules that the directory's
/// crates include (`mod common;`), so each of them sees their items.
pub(crate) fn shared_module(path: &Path, manifest: &Path) -> bool {
    let crate_dir = manifest.parent().unwrap_or(Path::new(""));
    let Ok(rel) = path.strip_prefix(crate_dir) else {
        return false;
    };
    let parts: Vec<_> = rel.components().collect();
    parts.len() >= 3
        && matches!(
            parts[0].as_os_str().to_str(),
            Some("tests" | "examples" | "benches")
        )
        && !crate_dir
            .join(parts[0])
            .join(parts[1])
            .join("main.rs")
            .is_file()
}

/// The module path of a file in its compilation unit: `module_path` for
/// `src/`; for `tests/` (`examples/`, `benches/`), `crate` for a target's
/// root (`tests/a.rs`, `tests/a/main.rs`), `crate::x` for `tests/a/x.rs`, and
/// `crate::common` for a shared module directory's `tests/common/mod.rs`
/// (`shared`, see `shared_module`).
pub(crate) fn unit_module_path(path: &Path, manifest: &Path, shared: bool) -> Option<String> {
    if let Some(m) = module_path(path, manifest) {
        return Some(m);
    }
    let rel = path.strip_prefix(manifest.parent()?).ok()?;
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if !matches!(parts.first()?.as_str(), "tests" | "examples" | "benches") {
        return None;
    }
    parts.remove(0);
    if parts.len() == 1 {
        return Some("crate".to_string());
    }
    if !shared {
        // The target's own directory is its crate root.
        parts.remove(0);
    }
    let stem = parts.pop()?.strip_suffix(".rs")?.to_string();
    let root = parts.is_empty() && stem == "main";
    if stem != "mod" && !root {
        parts.push(stem);
    }
    Some(
        ["crate".to_string()]
            .into_iter()
            .chain(parts)
            .collect::<Vec<_>>()
            .join("::"),
    )
}

/// The module path of a file of the crate's `src/`: `crate` for its root
/// (`lib.rs`, `main.rs`), `crate::a::b` for `src/a/b.rs` or `src/a/b/mod.rs`.
pub(crate) fn module_path(path: &Path, manifest: &Path) -> Option<String> {
    let rel = path.strip_prefix(manifest.parent()?.join("src")).ok()?;
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let file = parts.pop()?;
    let stem = file.strip_suffix(".rs")?;
    if parts.is_empty() && matches!(stem, "lib" | "main") {
        return Some("crate".to_string());
    }
    if stem != "mod" {
        parts.push(stem.to_string());
    }
    Some(format!("crate::{}", parts.join("::")))
}

/// Is `path` in the tests, examples or benches of the crate of `manifest`?
pub(crate) fn in_dev_target(path: &Path, manifest: &Path) -> bool {
    !compilation_unit(path, manifest).is_empty()
}

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

/// A module item that may be read from different files, or have different
/// bodies, depending on cfg: one with a `#[path]` attribute (plain or in a
/// `cfg_attr`), or one of two or more items of the same name in one scope,
/// each under a `#[cfg]` (`#[cfg(unix)] mod imp;` next to
/// `#[cfg(not(unix))] #[path = "imp_other.rs"] mod imp;`). The tool maps a
/// file to a module by its path, so it cannot tell which of them a name
/// means.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct AltModule {
    pub(crate) name: String,
    /// The inline modules around it in its file.
    pub(crate) within: Vec<String>,
    /// Its `#[path]` values, those of `cfg_attr`s included.
    pub(crate) paths: Vec<String>,
    /// Some item of this name is `mod name;` with no plain `#[path]`: the
    /// module's default file may be read.
    pub(crate) default_file: bool,
    /// The ranges of its inline bodies (`mod name { .. }`).
    pub(crate) inline: Vec<ra_ap_syntax::TextRange>,
}

/// The cfg-alternative module items of a file (see [`AltModule`]). Only a
/// file that has a `#[path` attribute, a `cfg_attr` and a `path = ".."`, or
/// `mod NAME` twice is parsed.
pub(crate) fn alternative_modules(text: &str, edition: Edition) -> Vec<AltModule> {
    use ra_ap_syntax::{ast, ast::HasAttrs, ast::HasName, AstNode};
    let path_attr =
        text.contains("#[path") || (text.contains("cfg_attr") && path_value(text).is_some());
    if !path_attr && !declares_a_module_twice(text) {
        return Vec::new();
    }
    let tree = ra_ap_syntax::SourceFile::parse(text, edition).tree();
    let mut out = Vec::new();
    let lists = std::iter::once(tree.syntax().clone()).chain(
        tree.syntax()
            .descendants()
            .filter_map(ast::ItemList::cast)
            .map(|l| l.syntax().clone()),
    );
    for list in lists {
        let mut by_name: Vec<(String, Vec<ast::Module>)> = Vec::new();
        for m in list.children().filter_map(ast::Module::cast) {
            let Some(name) = m.name().map(|n| n.text().to_string()) else {
                continue;
            };
            match by_name.iter_mut().find(|(n, _)| *n == name) {
                Some((_, ms)) => ms.push(m),
                None => by_name.push((name, vec![m])),
            }
        }
        for (name, items) in by_name {
            let mut alt = AltModule {
                name,
                within: list
                    .ancestors()
                    .filter_map(ast::Module::cast)
                    .filter_map(|m| m.name().map(|n| n.text().to_string()))
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect(),
                paths: Vec::new(),
                default_file: false,
                inline: Vec::new(),
            };
            let mut all_cfg = true;
            for m in &items {
                let attrs: Vec<String> = m
                    .attrs()
                    .map(|a| {
                        let t = a.syntax().text().to_string();
                        let t = t.trim_start_matches('#').trim_start_matches('!');
                        let t = t.trim().trim_start_matches('[').trim_end_matches(']');
                        t.trim().to_string()
                    })
                    .collect();
                let word = |a: &str, w: &str| {
                    a.strip_prefix(w)
                        .is_some_and(|r| !r.starts_with(|c: char| c.is_alphanumeric() || c == '_'))
                };
                let plain = attrs
                    .iter()
                    .find(|a| word(a, "path"))
                    .and_then(|a| path_value(a));
                let in_cfg_attr = attrs
                    .iter()
                    .filter(|a| word(a, "cfg_attr"))
                    .filter_map(|a| path_value(a));
                alt.paths.extend(plain.clone());
                alt.paths.extend(in_cfg_attr);
                all_cfg &= attrs.iter().any(|a| word(a, "cfg"));
                match m.item_list() {
                    Some(_) => alt.inline.push(m.syntax().text_range()),
                    None => alt.default_file |= plain.is_none(),
                }
            }
            if !alt.paths.is_empty() || (items.len() > 1 && all_cfg) {
                out.push(alt);
            }
        }
    }
    out
}

/// The string a `path = ".."` in an attribute's text gives.
fn path_value(attr: &str) -> Option<String> {
    let mut from = 0;
    while let Some(at) = attr[from..].find("path") {
        let start = from + at;
        from = start + 4;
        let before = attr[..start].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let rest = attr[from..].trim_start();
        let Some(rest) = rest.strip_prefix('=') else {
            continue;
        };
        let Some(rest) = rest.trim_start().strip_prefix('"') else {
            continue;
        };
        return rest.find('"').map(|end| rest[..end].to_string());
    }
    None
}

/// Does `text` have `mod NAME` twice for some name (a cheap test before a
/// parse)?
fn declares_a_module_twice(text: &str) -> bool {
    let mut names: Vec<&str> = Vec::new();
    for (at, _) in text.match_indices("mod ") {
        if text[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_')
        {
            continue;
        }
        let rest = text[at + 4..].trim_start();
        let end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        let name = &rest[..end];
        if name.is_empty() {
            continue;
        }
        if names.contains(&name) {
            return true;
        }
        names.push(name);
    }
    false
}

/// The places of a crate's files that cfg-alternative modules cover, by
/// file (`files`, in input order, each with the modules it declares): a
/// whole file (`None`) or an inline module's body, each with the reason a
/// lock there cannot migrate. `shown` displays a path.
pub(crate) fn alternative_places(
    files: &[(&Path, &[AltModule])],
    shown: impl Fn(&Path) -> String,
) -> Vec<Vec<(Option<ra_ap_syntax::TextRange>, String)>> {
    let mut out = vec![Vec::new(); files.len()];
    let resolved: Vec<PathBuf> = files.iter().map(|(f, _)| absolute(f)).collect();
    for (declaring, (path, alts)) in files.iter().enumerate() {
        let Some(dir) = path.parent() else { continue };
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        // A `lib.rs`, `main.rs` or `mod.rs` holds its modules' files beside
        // it; `a.rs` holds them in `a/`.
        let own_dir = match stem {
            "lib" | "main" | "mod" => dir.to_path_buf(),
            _ => dir.join(stem),
        };
        for alt in alts.iter() {
            let inner: PathBuf = alt.within.iter().collect();
            let path_base = match alt.within.is_empty() {
                true => dir.to_path_buf(),
                false => own_dir.join(&inner),
            };
            let module_dir = own_dir.join(&inner).join(&alt.name);
            let mut candidates: Vec<PathBuf> = Vec::new();
            if alt.default_file {
                candidates.push(absolute(
                    &own_dir.join(&inner).join(format!("{}.rs", alt.name)),
                ));
                candidates.push(absolute(&module_dir.join("mod.rs")));
            }
            let targets: Vec<PathBuf> = alt
                .paths
                .iter()
                .map(|p| absolute(&path_base.join(p)))
                .collect();
            // The files of the module's submodules too.
            let mut dirs = vec![absolute(&module_dir)];
            dirs.extend(targets.iter().map(|t| t.with_extension("")));
            candidates.extend(targets);
            let covered: Vec<usize> = (0..files.len())
                .filter(|&i| {
                    let f = &resolved[i];
                    candidates.contains(f) || dirs.iter().any(|d| f.starts_with(d))
                })
                .collect();
            let mut names: Vec<String> = covered
                .iter()
                .map(|&i| format!("`{}`", shown(files[i].0)))
                .collect();
            if !alt.inline.is_empty() {
                names.insert(0, format!("inline in `{}`", shown(path)));
            }
            let listed = names.join(", ");
            let alternatives = alt.inline.len() + usize::from(alt.default_file) + alt.paths.len();
            let reason = match alternatives {
                0 | 1 => format!(
                    "module `{}` is read from {listed} through a `path` attribute, which the migration does not follow",
                    alt.name
                ),
                _ => format!(
                    "`{}` has cfg-alternative modules ({listed}); the migration cannot keep them consistent",
                    alt.name
                ),
            };
            for &i in &covered {
                out[i].push((None, reason.clone()));
            }
            for &r in &alt.inline {
                out[declaring].push((Some(r), reason.clone()));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const MANIFEST: &str = "/w/c/Cargo.toml";

    fn unit(path: &str) -> String {
        compilation_unit(Path::new(path), Path::new(MANIFEST))
    }

    fn module(path: &str) -> Option<String> {
        module_path(Path::new(path), Path::new(MANIFEST))
    }

    #[test]
    fn tests_examples_and_benches_are_units_of_their_own() {
        assert_eq!(unit("/w/c/src/lib.rs"), "");
        assert_eq!(unit("/w/c/src/bin/tool.rs"), "");
        assert_eq!(unit("/w/c/tests/api.rs"), "tests/api");
        assert_eq!(unit("/w/c/tests/api/main.rs"), "tests/api");
        assert_eq!(unit("/w/c/examples/demo.rs"), "examples/demo");
        assert_eq!(unit("/w/c/benches/speed/util.rs"), "benches/speed");
        // Outside the crate's directory: its own code, as far as we know.
        assert_eq!(unit("/w/other/tests/api.rs"), "");
        assert!(in_dev_target(
            Path::new("/w/c/tests/api.rs"),
            Path::new(MANIFEST)
        ));
        assert!(!in_dev_target(
            Path::new("/w/c/src/a.rs"),
            Path::new(MANIFEST)
        ));
    }

    #[test]
    fn module_paths_follow_the_files_of_src() {
        assert_eq!(module("/w/c/src/lib.rs").as_deref(), Some("crate"));
        assert_eq!(module("/w/c/src/main.rs").as_deref(), Some("crate"));
        assert_eq!(module("/w/c/src/a.rs").as_deref(), Some("crate::a"));
        assert_eq!(module("/w/c/src/a/b.rs").as_deref(), Some("crate::a::b"));
        assert_eq!(
            module("/w/c/src/a/b/mod.rs").as_deref(),
            Some("crate::a::b")
        );
        assert_eq!(module("/w/c/tests/a.rs"), None);
        assert_eq!(module("/w/c/src/notes.txt"), None);
    }

    #[test]
    fn module_paths_of_test_targets_start_at_their_root() {
        let at = |path: &str, shared: bool| {
            unit_module_path(Path::new(path), Path::new(MANIFEST), shared)
        };
        assert_eq!(at("/w/c/src/x.rs", false).as_deref(), Some("crate::x"));
        assert_eq!(at("/w/c/tests/a.rs", false).as_deref(), Some("crate"));
        assert_eq!(at("/w/c/tests/a/main.rs", false).as_deref(), Some("crate"));
        assert_eq!(at("/w/c/tests/a/x.rs", false).as_deref(), Some("crate::x"));
        assert_eq!(
            at("/w/c/tests/common/mod.rs", true).as_deref(),
            Some("crate::common")
        );
        assert_eq!(at("/w/c/build.rs", false), None);
    }

    #[test]
    fn cfg_alternative_modules_are_found_and_cover_their_files() {
        let alts = |src: &str| alternative_modules(src, Edition::Edition2021);
        let lib = r#"
            #[cfg(unix)]
            mod imp;
            #[cfg(not(unix))]
            #[path = "imp_other.rs"]
            mod imp;
            #[cfg_attr(feature = "x", path = "backend_x.rs")]
            mod backend;
            mod plain;
            #[cfg(test)]
            mod tests {}
            mod inner {
                #[cfg(unix)]
                mod sys { }
                #[cfg(windows)]
                mod sys { }
            }
        "#;
        let found = alts(lib);
        let names: Vec<&str> = found.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["imp", "backend", "sys"]);
        assert_eq!(found[0].paths, ["imp_other.rs"]);
        assert!(found[0].default_file && found[0].inline.is_empty());
        assert_eq!(found[1].paths, ["backend_x.rs"]);
        assert!(found[1].default_file);
        assert_eq!(found[2].within, ["inner"]);
        assert_eq!(found[2].inline.len(), 2);
        // Two items of one name not both under a cfg, or a `path` that is
        // no attribute's: nothing.
        assert!(alts("#[cfg(unix)] mod a;\nmod a;\n").is_empty());
        assert!(alts("mod a; fn path() {}\nmod b;\n").is_empty());
        assert!(alts("mod tests;\nfn f() {}\n").is_empty());

        // The files they cover: each twin, and the files of their
        // submodules; never an ordinary module's.
        let files = [
            "/w/c/src/lib.rs",
            "/w/c/src/imp.rs",
            "/w/c/src/imp_other.rs",
            "/w/c/src/imp/unix.rs",
            "/w/c/src/backend.rs",
            "/w/c/src/backend_x.rs",
            "/w/c/src/plain.rs",
        ];
        let none: Vec<AltModule> = Vec::new();
        let inputs: Vec<(&Path, &[AltModule])> = files
            .iter()
            .map(|f| {
                let mods = if f.ends_with("lib.rs") { &found } else { &none };
                (Path::new(*f), mods.as_slice())
            })
            .collect();
        let places = alternative_places(&inputs, |p| {
            p.strip_prefix("/w/c").unwrap().display().to_string()
        });
        let whole: Vec<bool> = places
            .iter()
            .map(|p| p.iter().any(|(r, _)| r.is_none()))
            .collect();
        assert_eq!(whole, [false, true, true, true, true, true, false]);
        assert_eq!(
            places[2][0].1,
            "`imp` has cfg-alternative modules (`src/imp.rs`, `src/imp_other.rs`, `src/imp/unix.rs`); the migration cannot keep them consistent"
        );
        // The inline twins cover their own bodies in the declaring file.
        assert_eq!(places[0].len(), 2);
        assert!(places[0].iter().all(|(r, _)| r.is_some()));
        assert_eq!(
            places[0][0].1,
            "`sys` has cfg-alternative modules (inline in `src/lib.rs`); the migration cannot keep them consistent"
        );
        // A lone `#[path]` module: the tool cannot follow it either.
        let lone = alts("#[path = \"sys/real.rs\"]\nmod sys;\n");
        let inputs = [
            (Path::new("/w/c/src/main.rs"), lone.as_slice()),
            (Path::new("/w/c/src/sys/real.rs"), none.as_slice()),
        ];
        let places = alternative_places(&inputs, |p| {
            p.strip_prefix("/w/c").unwrap().display().to_string()
        });
        assert!(places[0].is_empty());
        assert_eq!(
            places[1],
            [(None, "module `sys` is read from `src/sys/real.rs` through a `path` attribute, which the migration does not follow".to_string())]
        );
    }

    #[test]
    fn harness_literals_are_the_paths_handed_to_a_harness() {
        let text = r#"
            let t = trybuild::TestCases::new();
            t.compile_fail("tests/ui/*.rs");
            t.pass( "tests/pass/ok.rs");
            t.compile_fail(dir);
            let other = "tests/data/x.rs";
        "#;
        assert_eq!(
            harness_literals(text, false),
            [
                ("compile_fail".to_string(), "tests/ui/*.rs".to_string()),
                ("pass".to_string(), "tests/pass/ok.rs".to_string()),
            ]
        );
        // ui_test names its directories in any literal.
        let found = harness_literals(text, true);
        assert_eq!(found.len(), 5);
        assert_eq!(
            found.last(),
            Some(&("ui_test".to_string(), "tests/data/x.rs".to_string()))
        );
    }
}
