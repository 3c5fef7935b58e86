//! Cargo manifests: which crate owns a file, its edition, and the
//! format-preserving edit that gives it `tokio` with the features a rewrite needs.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use ra_ap_syntax::Edition;
use toml_edit::{Array, DocumentMut, InlineTable, Item, Value};

/// Finds the manifest that owns each source file: the nearest `Cargo.toml`
/// with a `[package]`. Answers are cached per directory, so a crate's
/// manifest is read once however many directories it has.
#[derive(Default)]
pub struct ManifestFinder {
    by_dir: std::collections::HashMap<PathBuf, Option<PathBuf>>,
}

impl ManifestFinder {
    pub fn owning_manifest(&mut self, file: &Path) -> Option<PathBuf> {
        self.for_dir(file.parent()?)
    }

    fn for_dir(&mut self, dir: &Path) -> Option<PathBuf> {
        if let Some(known) = self.by_dir.get(dir) {
            return known.clone();
        }
        let candidate = dir.join("Cargo.toml");
        let found = if is_package_manifest(&candidate) {
            Some(candidate)
        } else {
            dir.parent().and_then(|p| self.for_dir(p))
        };
        self.by_dir.insert(dir.to_path_buf(), found.clone());
        found
    }
}

fn is_package_manifest(path: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(path) else {
        return false;
    };
    text.parse::<DocumentMut>()
        .is_ok_and(|doc| doc.get("package").is_some())
}

/// The workspace root at or above `dir`: the nearest `Cargo.toml` with a
/// `[workspace]`, and its document.
pub fn workspace_root(dir: &Path) -> Option<(PathBuf, DocumentMut)> {
    dir.ancestors().find_map(|d| {
        let path = d.join("Cargo.toml");
        let doc: DocumentMut = std::fs::read_to_string(&path).ok()?.parse().ok()?;
        doc.get("workspace").is_some().then_some((path, doc))
    })
}

/// The name other crates use for this package's library (`[lib] name`, or
/// the package name with `-` as `_`), if it has one.
pub fn lib_name(manifest: &Path) -> Option<String> {
    let doc: DocumentMut = std::fs::read_to_string(manifest).ok()?.parse().ok()?;
    let lib = doc.get("lib");
    let dir = manifest.parent()?;
    if lib.is_none() && !dir.join("src/lib.rs").is_file() {
        return None;
    }
    let name = lib
        .and_then(|l| l.get("name"))
        .or_else(|| doc.get("package")?.get("name"))
        .and_then(Item::as_str)?;
    Some(name.replace('-', "_"))
}

/// The library's root file: `[lib] path`, or `src/lib.rs`.
pub fn lib_root(manifest: &Path) -> Option<PathBuf> {
    let dir = manifest.parent()?;
    let doc: DocumentMut = std::fs::read_to_string(manifest).ok()?.parse().ok()?;
    let custom = doc
        .get("lib")
        .and_then(|l| l.get("path"))
        .and_then(Item::as_str);
    Some(match custom {
        Some(p) => dir.join(p),
        None => dir.join("src/lib.rs"),
    })
}

/// The edition a manifest declares, following `edition.workspace = true` up to
/// the workspace root. Cargo's default is 2015.
pub fn edition(manifest: &Path) -> Result<Edition> {
    let text = std::fs::read_to_string(manifest)
        .with_context(|| format!("{}: cannot read manifest", manifest.display()))?;
    let doc: DocumentMut = text
        .parse()
        .with_context(|| format!("{}: invalid TOML", manifest.display()))?;
    let item = doc.get("package").and_then(|i| i.get("edition"));
    if let Some(s) = item.and_then(Item::as_str) {
        return parse_edition(s)
            .with_context(|| format!("{}: unknown edition `{s}`", manifest.display()));
    }
    if item
        .and_then(|i| i.get("workspace"))
        .and_then(Item::as_bool)
        == Some(true)
    {
        let above = manifest.parent().and_then(Path::parent);
        if let Some((root, doc)) = above.and_then(workspace_root) {
            let inherited = doc
                .get("workspace")
                .and_then(|i| i.get("package"))
                .and_then(|i| i.get("edition"))
                .and_then(Item::as_str);
            if let Some(s) = inherited {
                return parse_edition(s)
                    .with_context(|| format!("{}: unknown edition `{s}`", root.display()));
            }
        }
    }
    Ok(Edition::Edition2015)
}

pub fn parse_edition(s: &str) -> Option<Edition> {
    match s {
        "2015" => Some(Edition::Edition2015),
        "2018" => Some(Edition::Edition2018),
        "2021" => Some(Edition::Edition2021),
        "2024" => Some(Edition::Edition2024),
        _ => None,
    }
}

/// Where a crate's code can name `tokio`, as its manifest declares it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TokioUse {
    /// A plain, non-optional `tokio` in `[dependencies]`: all its code can.
    pub normal: bool,
    /// Tests, examples and benches can: `tokio` in `[dev-dependencies]`
    /// (optional or not in `[dependencies]`), or the package is tokio.
    pub dev: bool,
    /// No dependency table names tokio (under its name or another): a fix
    /// that needs it adds a dependency.
    pub absent: bool,
    /// A dependency table names tokio under another name (`tokio1 = {
    /// package = "tokio" }`), which a fix's `tokio::` paths do not use.
    pub renamed: bool,
}

impl TokioUse {
    /// Why code cannot use tokio where this manifest does not let it.
    pub fn why_not(self) -> &'static str {
        match self.renamed {
            true => "this code cannot use tokio (the crate has it only under another name, and the fix would name `tokio`)",
            false => "this code cannot use tokio (the crate does not depend on it here)",
        }
    }
}

/// How the manifest `text` declares tokio (see `TokioUse`). A renamed
/// tokio counts as none.
pub fn tokio_use(text: &str) -> TokioUse {
    let Ok(doc) = text.parse::<DocumentMut>() else {
        return TokioUse::default();
    };
    let plain = |section: &str| {
        doc.get(section).and_then(|d| d.get("tokio")).filter(|dep| {
            dep.get("package")
                .and_then(Item::as_str)
                .is_none_or(|p| p == "tokio")
        })
    };
    let normal = plain("dependencies")
        .is_some_and(|dep| dep.get("optional").and_then(Item::as_bool) != Some(true));
    let is_tokio = doc
        .get("package")
        .and_then(|p| p.get("name"))
        .and_then(Item::as_str)
        == Some("tokio");
    let names_tokio = |deps: &Item| {
        deps.as_table_like().is_some_and(|t| {
            t.iter().any(|(key, dep)| {
                key == "tokio" || dep.get("package").and_then(Item::as_str) == Some("tokio")
            })
        })
    };
    let renames_tokio = |deps: &Item| {
        deps.as_table_like().is_some_and(|t| {
            t.iter().any(|(key, dep)| {
                key != "tokio" && dep.get("package").and_then(Item::as_str) == Some("tokio")
            })
        })
    };
    let sections = ["dependencies", "dev-dependencies"];
    let targets = doc.get("target").and_then(Item::as_table_like);
    let anywhere = |names: &dyn Fn(&Item) -> bool| {
        let in_targets = targets.is_some_and(|targets| {
            targets
                .iter()
                .any(|(_, target)| sections.iter().any(|s| target.get(s).is_some_and(names)))
        });
        sections.iter().any(|s| doc.get(s).is_some_and(names)) || in_targets
    };
    TokioUse {
        normal,
        dev: normal || is_tokio || plain("dev-dependencies").is_some(),
        absent: !anywhere(&names_tokio) && !is_tokio,
        renamed: anywhere(&renames_tokio),
    }
}

/// Why code of this crate cannot name `tokio::sync` unconditionally: tokio is
/// an optional dependency, or is renamed. `None` when it can (or tokio is
/// missing and will be added). `test_only`: every edit that needs tokio is
/// in test code, which may use a tokio of `[dev-dependencies]`.
pub fn tokio_blocker(text: &str, test_only: bool) -> Option<String> {
    if test_only && tokio_use(text).dev {
        return None;
    }
    let doc: DocumentMut = text.parse().ok()?;
    let mut tables: Vec<&dyn toml_edit::TableLike> = Vec::new();
    if let Some(t) = doc.get("dependencies").and_then(Item::as_table_like) {
        tables.push(t);
    }
    if let Some(targets) = doc.get("target").and_then(Item::as_table_like) {
        for (_, target) in targets.iter() {
            if let Some(t) = target.get("dependencies").and_then(Item::as_table_like) {
                tables.push(t);
            }
        }
    }
    for table in tables {
        for (key, dep) in table.iter() {
            let package = dep.get("package").and_then(Item::as_str);
            if package == Some("tokio") && key != "tokio" {
                return Some(format!(
                    "the crate depends on tokio under another name (`{key}`)"
                ));
            }
            if key == "tokio" && dep.get("optional").and_then(Item::as_bool) == Some(true) {
                return Some("tokio is an optional dependency of the crate; migrated code would not build without it".into());
            }
        }
    }
    None
}

/// How the manifest depends on tokio, under its own name and not optional:
/// `None` if it does not, else whether with the `sync` feature (or `full`).
pub fn tokio_dependency(text: &str) -> Option<bool> {
    let doc = text.parse::<DocumentMut>().ok()?;
    if tokio_blocker(text, false).is_some() {
        return None;
    }
    let dep = doc.get("dependencies")?.get("tokio")?;
    Some(
        dep.get("features")
            .and_then(Item::as_array)
            .is_some_and(|a| {
                a.iter()
                    .any(|f| matches!(f.as_str(), Some("sync" | "full")))
            }),
    )
}

/// Returns the manifest text with `tokio` declared and `features` enabled, or
/// `None` when nothing needs to change. Formatting and comments are kept.
/// `dev_only`: every edit that needs tokio is in tests, examples or benches,
/// so the features go to `[dev-dependencies]` (unless the normal tokio
/// already has them): a normal dependency would build them into the
/// library for nothing. The tokio crate itself gets nothing.
/// How a new tokio dependency is written, as `cargo add` would write it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NewTokio {
    /// `tokio = { workspace = true, .. }`: the workspace declares tokio.
    Workspace,
    /// `tokio = { version = "..", .. }`.
    Version(String),
}

impl Default for NewTokio {
    /// The oldest tokio with every API the fixes use (`Mutex::const_new`).
    fn default() -> NewTokio {
        NewTokio::Version("1.30".to_string())
    }
}

/// How the package at `manifest` would get a new tokio dependency: from its
/// workspace's `[workspace.dependencies]`, else at the version of tokio its
/// `Cargo.lock` (the workspace's, or its own) already has (`1.47` of
/// `1.47.1`), else the default.
pub fn new_tokio(manifest: &Path) -> NewTokio {
    let dir = manifest.parent().unwrap_or(Path::new("."));
    let mut lock_dir = dir.to_path_buf();
    if let Some((root, doc)) = workspace_root(dir) {
        let declared = doc
            .get("workspace")
            .and_then(|w| w.get("dependencies"))
            .and_then(|d| d.get("tokio"))
            .is_some();
        if declared {
            return NewTokio::Workspace;
        }
        lock_dir = root.parent().unwrap_or(dir).to_path_buf();
    }
    let locked = std::fs::read_to_string(lock_dir.join("Cargo.lock"))
        .ok()
        .and_then(|t| t.parse::<DocumentMut>().ok())
        .and_then(|lock| {
            let packages = lock.get("package")?.as_array_of_tables()?;
            let tokio = packages
                .iter()
                .find(|p| p.get("name").and_then(Item::as_str) == Some("tokio"))?;
            let version = tokio.get("version")?.as_str()?;
            let mut parts = version.split('.');
            Some(format!("{}.{}", parts.next()?, parts.next()?))
        });
    locked.map_or_else(NewTokio::default, NewTokio::Version)
}

pub fn with_tokio_features(
    text: &str,
    features: &[&str],
    dev_only: bool,
    new: &NewTokio,
) -> Result<Option<String>> {
    let mut doc: DocumentMut = text.parse()?;
    let name = doc
        .get("package")
        .and_then(|p| p.get("name"))
        .and_then(Item::as_str);
    if name == Some("tokio") {
        return Ok(None);
    }
    let normal = doc.get("dependencies").and_then(|d| d.get("tokio"));
    let section = if dev_only {
        // Cargo unifies the features of a normal and a dev tokio in test
        // builds: a normal tokio that has them all is enough.
        let normal_has = |f: &str| {
            normal
                .and_then(|t| t.get("features"))
                .and_then(Item::as_array)
                .is_some_and(|a| a.iter().any(|v| v.as_str() == Some(f)))
        };
        let optional = normal
            .and_then(|t| t.get("optional"))
            .and_then(Item::as_bool)
            == Some(true);
        if !optional && (normal_has("full") || features.iter().all(|f| normal_has(f))) {
            return Ok(None);
        }
        "dev-dependencies"
    } else {
        "dependencies"
    };
    let deps = doc
        .entry(section)
        .or_insert_with(|| Item::Table(toml_edit::Table::new()));
    let Some(deps) = deps.as_table_like_mut() else {
        anyhow::bail!("[{section}] is not a table");
    };
    match deps.get_mut("tokio") {
        None => {
            let mut table = InlineTable::new();
            match new {
                NewTokio::Workspace => table.insert("workspace", Value::from(true)),
                NewTokio::Version(v) => table.insert("version", Value::from(v.as_str())),
            };
            table.insert("features", Value::Array(features.iter().copied().collect()));
            deps.insert("tokio", Item::Value(Value::InlineTable(table)));
        }
        Some(item) => {
            let inline = item.is_inline_table();
            if let Some(version) = item.as_str().map(str::to_string) {
                let mut table = InlineTable::new();
                table.insert("version", Value::from(version));
                table.insert("features", Value::Array(features.iter().copied().collect()));
                *item = Item::Value(Value::InlineTable(table));
            } else if let Some(table) = item.as_table_like_mut() {
                // In `{ workspace = true }`, the space before `}` trails the
                // last value: a new last key takes it over.
                let trailing = match inline && !table.contains_key("features") {
                    false => None,
                    true => table.iter_mut().last().and_then(|(_, v)| {
                        let decor = v.as_value_mut()?.decor_mut();
                        let suffix = decor.suffix()?.as_str()?.to_string();
                        decor.set_suffix("");
                        Some(suffix)
                    }),
                };
                if let Some(suffix) = trailing {
                    let mut empty = Array::new();
                    empty.decor_mut().set_suffix(suffix);
                    table.insert("features", Item::Value(Value::Array(empty)));
                }
                let features_item = table
                    .entry("features")
                    .or_insert(Item::Value(Value::Array(Array::new())));
                let Some(array) = features_item.as_array_mut() else {
                    anyhow::bail!("tokio's `features` is not an array");
                };
                let present: Vec<String> = array
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect();
                if present.iter().any(|f| f == "full") {
                    return Ok(None);
                }
                // A list one feature a line gets its new features the same way.
                let line_prefix = array
                    .iter()
                    .last()
                    .and_then(|v| v.decor().prefix())
                    .and_then(|p| p.as_str())
                    .filter(|p| p.contains('\n'))
                    .map(str::to_string);
                let mut changed = false;
                for feature in features {
                    if !present.iter().any(|f| f == feature) {
                        match &line_prefix {
                            Some(prefix) => {
                                array.push_formatted(Value::from(*feature).decorated(prefix, ""))
                            }
                            None => array.push(*feature),
                        }
                        changed = true;
                    }
                }
                if !changed {
                    return Ok(None);
                }
            } else {
                anyhow::bail!("the `tokio` dependency has an unexpected form");
            }
        }
    }
    let out = doc.to_string();
    Ok((out != text).then_some(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_feature_list_one_a_line_stays_one_a_line() {
        let text = "[dev-dependencies.tokio]\nversion = \"1\"\nfeatures = [\n    \"macros\",\n    \"time\",\n]\n";
        let out = with_tokio_features(text, &["fs"], true, &NewTokio::default())
            .unwrap()
            .unwrap();
        assert_eq!(
            out,
            "[dev-dependencies.tokio]\nversion = \"1\"\nfeatures = [\n    \"macros\",\n    \"time\",\n    \"fs\",\n]\n"
        );
    }

    #[test]
    fn adds_feature_to_inline_table() {
        let text = "[package]\nname = \"x\"\n\n[dependencies]\ntokio = { version = \"1\", features = [\"rt\"] } # keep\n";
        let out = with_tokio_features(text, &["sync"], false, &NewTokio::default())
            .unwrap()
            .unwrap();
        assert_eq!(out, "[package]\nname = \"x\"\n\n[dependencies]\ntokio = { version = \"1\", features = [\"rt\", \"sync\"] } # keep\n");
    }

    #[test]
    fn a_feature_added_to_a_workspace_dependency_is_spaced_as_the_table_is() {
        let text = "[dependencies]\ntokio = { workspace = true }\n";
        let out = with_tokio_features(text, &["sync"], false, &NewTokio::default())
            .unwrap()
            .unwrap();
        assert_eq!(
            out,
            "[dependencies]\ntokio = { workspace = true, features = [\"sync\"] }\n"
        );
    }

    #[test]
    fn a_comment_after_a_dependency_table_s_last_key_stays_on_its_line() {
        let text = "[dependencies.tokio]\nworkspace = true # shared\n";
        let out = with_tokio_features(text, &["sync"], false, &NewTokio::default())
            .unwrap()
            .unwrap();
        assert_eq!(
            out,
            "[dependencies.tokio]\nworkspace = true # shared\nfeatures = [\"sync\"]\n"
        );
    }

    #[test]
    fn a_new_tokio_follows_the_workspace_then_the_lock_file() {
        let tmp = tempfile::tempdir().unwrap();
        let member = tmp.path().join("m");
        std::fs::create_dir_all(&member).unwrap();
        std::fs::write(member.join("Cargo.toml"), "[package]\nname = \"m\"\n").unwrap();
        let manifest = member.join("Cargo.toml");
        assert_eq!(new_tokio(&manifest), NewTokio::default());
        let lock = |version: &str| {
            format!("version = 4\n\n[[package]]\nname = \"bytes\"\nversion = \"1.9.0\"\n\n[[package]]\nname = \"tokio\"\nversion = \"{version}\"\n")
        };
        // A lock file above the package, of no workspace of it, is not its.
        std::fs::write(tmp.path().join("Cargo.lock"), lock("1.48.0")).unwrap();
        assert_eq!(new_tokio(&manifest), NewTokio::default());
        std::fs::write(member.join("Cargo.lock"), lock("1.47.1")).unwrap();
        assert_eq!(new_tokio(&manifest), NewTokio::Version("1.47".into()));
        // In a workspace, the workspace's lock file is.
        std::fs::write(
            tmp.path().join("Cargo.toml"),
            "[workspace]\nmembers = [\"m\"]\n",
        )
        .unwrap();
        assert_eq!(new_tokio(&manifest), NewTokio::Version("1.48".into()));
        std::fs::write(
            tmp.path().join("Cargo.toml"),
            "[workspace]\nmembers = [\"m\"]\n\n[workspace.dependencies]\ntokio = \"1\"\n",
        )
        .unwrap();
        assert_eq!(new_tokio(&manifest), NewTokio::Workspace);
        let out = with_tokio_features(
            "[package]\nname = \"m\"\n",
            &["sync"],
            false,
            &NewTokio::Workspace,
        )
        .unwrap()
        .unwrap();
        assert!(
            out.contains("tokio = { workspace = true, features = [\"sync\"] }"),
            "{out}"
        );
    }

    #[test]
    fn full_needs_nothing() {
        let text = "[dependencies]\ntokio = { version = \"1\", features = [\"full\"] }\n";
        assert_eq!(
            with_tokio_features(text, &["sync"], false, &NewTokio::default()).unwrap(),
            None
        );
    }

    #[test]
    fn string_version_becomes_table() {
        let out = with_tokio_features(
            "[dependencies]\ntokio = \"1.40\"\n",
            &["sync"],
            false,
            &NewTokio::default(),
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            out,
            "[dependencies]\ntokio = { version = \"1.40\", features = [\"sync\"] }\n"
        );
    }

    #[test]
    fn dotted_table_gets_features() {
        let text = "[dependencies.tokio]\nversion = \"1\"\nfeatures = [\"macros\"]\n";
        let out = with_tokio_features(text, &["sync"], false, &NewTokio::default())
            .unwrap()
            .unwrap();
        assert_eq!(
            out,
            "[dependencies.tokio]\nversion = \"1\"\nfeatures = [\"macros\", \"sync\"]\n"
        );
    }

    #[test]
    fn edition_follows_the_workspace() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(
            tmp.path().join("Cargo.toml"),
            "[workspace]\nmembers = [\"m\"]\n[workspace.package]\nedition = \"2024\"\n",
        )
        .unwrap();
        std::fs::create_dir(tmp.path().join("m")).unwrap();
        let member = tmp.path().join("m/Cargo.toml");
        std::fs::write(
            &member,
            "[package]\nname = \"m\"\nedition.workspace = true\n",
        )
        .unwrap();
        assert_eq!(edition(&member).unwrap(), Edition::Edition2024);
        std::fs::write(&member, "[package]\nname = \"m\"\n").unwrap();
        assert_eq!(edition(&member).unwrap(), Edition::Edition2015);
    }

    #[test]
    fn optional_or_renamed_tokio_blocks() {
        let optional = "[dependencies]\ntokio = { version = \"1\", optional = true }\n";
        assert!(tokio_blocker(optional, false).is_some());
        assert!(tokio_blocker(optional, true).is_some());
        assert!(tokio_blocker(
            "[dependencies]\ntokio1 = { package = \"tokio\", version = \"1\" }\n",
            false
        )
        .is_some());
        assert!(tokio_blocker("[dependencies]\ntokio = \"1\"\n", false).is_none());
        // Optional for the library, but tests have it from [dev-dependencies].
        let with_dev = format!("{optional}[dev-dependencies]\ntokio = \"1\"\n");
        assert!(tokio_blocker(&with_dev, true).is_none());
        assert!(tokio_blocker(&with_dev, false).is_some());
    }

    #[test]
    fn tokio_use_tells_library_code_from_test_code() {
        let none = tokio_use("[package]\nname = \"x\"\n");
        assert!(!none.normal && !none.dev && none.absent);
        let in_target = tokio_use("[target.'cfg(unix)'.dev-dependencies]\ntokio = \"1\"\n");
        assert!(!in_target.absent);
        let normal = tokio_use("[dependencies]\ntokio = \"1\"\n");
        assert!(normal.normal && normal.dev);
        let optional = tokio_use(
            "[dependencies]\ntokio = { version = \"1\", optional = true }\n[dev-dependencies]\ntokio = \"1\"\n",
        );
        assert!(!optional.normal && optional.dev);
        let renamed = tokio_use("[dependencies]\ntk = { package = \"tokio\", version = \"1\" }\n");
        assert!(!renamed.normal && !renamed.dev && !renamed.absent && renamed.renamed);
        assert!(renamed.why_not().contains("under another name"));
        assert!(!normal.renamed && none.why_not().contains("does not depend on it"));
        let renamed_in_target = tokio_use(
            "[target.'cfg(unix)'.dependencies]
tokio1 = { package = \"tokio\" }
",
        );
        assert!(renamed_in_target.renamed);
        let itself = tokio_use("[package]\nname = \"tokio\"\n");
        assert!(!itself.normal && itself.dev && !itself.absent);
    }

    #[test]
    fn dev_only_edits_use_dev_dependencies_and_tokio_never_depends_on_itself() {
        let text = "[package]\nname = \"x\"\n\n[dev-dependencies]\ntokio = { version = \"1\", features = [\"rt\"] }\n";
        let out = with_tokio_features(text, &["time"], true, &NewTokio::default())
            .unwrap()
            .unwrap();
        assert!(
            out.contains(
                "[dev-dependencies]\ntokio = { version = \"1\", features = [\"rt\", \"time\"] }"
            ),
            "{out}"
        );
        assert!(!out.contains("[dependencies]"), "{out}");
        // A normal tokio without the feature: test code gets it from
        // [dev-dependencies], the library is built without it.
        let normal = "[package]\nname = \"x\"\n\n[dependencies]\ntokio = \"1\"\n";
        let out = with_tokio_features(normal, &["time"], true, &NewTokio::default())
            .unwrap()
            .unwrap();
        assert!(
            out.contains("[dependencies]\ntokio = \"1\"\n")
                && out.contains(
                    "[dev-dependencies]\ntokio = { version = \"1.30\", features = [\"time\"] }"
                ),
            "{out}"
        );
        let full = "[dependencies]\ntokio = { version = \"1\", features = [\"full\"] }\n";
        assert_eq!(
            with_tokio_features(full, &["time"], true, &NewTokio::default()).unwrap(),
            None
        );
        assert_eq!(
            with_tokio_features(
                "[package]\nname = \"tokio\"\n",
                &["time"],
                false,
                &NewTokio::default()
            )
            .unwrap(),
            None
        );
    }

    #[test]
    fn missing_tokio_is_added() {
        let out = with_tokio_features(
            "[package]\nname = \"x\"\n\n[dependencies]\n",
            &["sync"],
            false,
            &NewTokio::default(),
        )
        .unwrap()
        .unwrap();
        assert!(
            out.contains("tokio = { version = \"1.30\", features = [\"sync\"] }"),
            "{out}"
        );
    }
}
