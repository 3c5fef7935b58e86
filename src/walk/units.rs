//! Where a file sits in its crate: its compilation unit (`tests/`,
//! `examples/` and `benches/` files are crates of their own) and its module
//! path.

use std::path::{Path, PathBuf};

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
/// `tests/common/main.rs`), or a target's root that the other targets of
/// its kind include (`included`: `tests/utils.rs`, which `tests/a.rs`
/// names as `mod utils;`)? Such files are modules that the directory's
/// crates include, so each of them sees their items.
pub(crate) fn shared_module(path: &Path, manifest: &Path, included: &[PathBuf]) -> bool {
    let crate_dir = manifest.parent().unwrap_or(Path::new(""));
    let Ok(rel) = path.strip_prefix(crate_dir) else {
        return false;
    };
    if included.iter().any(|i| i == rel) {
        return true;
    }
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

/// The targets' roots of `tests/` (`examples/`, `benches/`) that another
/// target's root file of the same directory includes as a module (`mod
/// utils;` in `tests/a.rs` for `tests/utils.rs`; one in `tests/a/main.rs`
/// names `tests/a/utils.rs`), relative to the crate's directory: a scan
/// of lines for a `mod NAME;` item.
pub(crate) fn included_targets(crate_dir: &Path) -> Vec<PathBuf> {
    let mut included = Vec::new();
    for kind in ["tests", "examples", "benches"] {
        let Ok(entries) = std::fs::read_dir(crate_dir.join(kind)) else {
            continue;
        };
        let roots: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "rs") && p.is_file())
            .collect();
        for root in &roots {
            let Ok(text) = std::fs::read_to_string(root) else {
                continue;
            };
            for name in text.lines().filter_map(mod_declared) {
                let target = PathBuf::from(kind).join(format!("{name}.rs"));
                let own = root.strip_prefix(crate_dir).is_ok_and(|r| r == target);
                if !own && crate_dir.join(&target).is_file() && !included.contains(&target) {
                    included.push(target);
                }
            }
        }
    }
    included
}

/// The module a line declares without a body (`mod utils;`, `pub mod a;`).
fn mod_declared(line: &str) -> Option<&str> {
    let line = line.trim_start();
    let line = line.strip_prefix("pub ").unwrap_or(line).trim_start();
    let name = line.strip_prefix("mod ")?.trim().strip_suffix(';')?.trim();
    name.chars()
        .all(|c| c.is_alphanumeric() || c == '_')
        .then_some(name)
        .filter(|n| !n.is_empty())
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
    if parts.len() == 1 && !shared {
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
