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
use crate::options::Options;
use crate::outcome::Outcome;
use crate::settings::Config;
use crate::settings::PlanOptions;

mod alternatives;
mod harness;
mod units;

pub(crate) use alternatives::{alternative_modules, alternative_places, AltModule};
pub(crate) use harness::harness_fixtures;
pub(crate) use units::{
    compilation_unit, in_dev_target, included_targets, module_path, shared_module, unit_module_path,
};

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
        for entry in walker(root) {
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
/// A gitignore-aware walk of `root` that leaves out build directories:
/// cargo marks each of its target directories with a `CACHEDIR.TAG`, so a
/// `target/` that no `.gitignore` names (or a `CARGO_TARGET_DIR` inside the
/// tree) is not scanned, nor the `.rs` files build scripts generate there.
fn walker(root: &Path) -> ignore::Walk {
    ignore::WalkBuilder::new(root)
        .filter_entry(|e| {
            !(e.file_type().is_some_and(|t| t.is_dir()) && e.path().join("CACHEDIR.TAG").is_file())
        })
        .build()
}

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
    walker(dir)
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
    /// Files a test harness compiles (globs relative to the crate's
    /// directory), each with why: never changed.
    pub(crate) harness: Vec<(globset::GlobMatcher, String)>,
    /// Targets' roots that other targets include as modules (see
    /// `units::included_targets`).
    pub(crate) included_targets: Vec<PathBuf>,
    /// It has a library target: its public fns may be called from outside.
    pub(crate) library: bool,
}

impl CrateInfo {
    /// Drops what only the walk reads: the compiled `exclude` and harness
    /// globs. Their matchers keep the states they built while matching the
    /// crate's paths (tens of KiB a crate), which a run would otherwise hold
    /// for every crate until it ends.
    pub(crate) fn walked(&mut self) {
        self.exclude = globset::GlobSet::empty();
        self.harness = Vec::new();
    }
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
    let included_targets = manifest
        .as_deref()
        .and_then(Path::parent)
        .map(included_targets)
        .unwrap_or_default();
    CrateInfo {
        included_targets,
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

#[cfg(test)]
mod tests {
    use super::harness::harness_literals;
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
        assert_eq!(
            at("/w/c/tests/utils.rs", true).as_deref(),
            Some("crate::utils")
        );
        assert_eq!(at("/w/c/build.rs", false), None);
    }

    #[test]
    fn a_target_another_target_includes_is_a_shared_module() {
        let dir = tempfile::tempdir().unwrap();
        let write = |rel: &str, text: &str| {
            let path = dir.path().join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        write("Cargo.toml", "[package]\nname = \"c\"\n");
        write("tests/utils.rs", "pub fn f() {}\n");
        write("tests/a.rs", "mod utils;\n#[test]\nfn t() { utils::f() }\n");
        write("tests/alone.rs", "#[test]\nfn t() {}\n");
        write("tests/b/main.rs", "pub mod helpers;\nmod alone;\n");
        write("tests/b/helpers.rs", "\n");
        write("examples/x.rs", "// mod utils;\nfn main() {}\n");
        // `tests/b/main.rs` names `tests/b/alone.rs`, not `tests/alone.rs`.
        let included = included_targets(dir.path());
        assert_eq!(included, [PathBuf::from("tests/utils.rs")]);
        let manifest = dir.path().join("Cargo.toml");
        let shared = |rel: &str| shared_module(&dir.path().join(rel), &manifest, &included);
        assert!(shared("tests/utils.rs"));
        assert!(!shared("tests/a.rs"));
        assert!(!shared("tests/alone.rs"));
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
