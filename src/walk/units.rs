//! Where a file sits in its crate: its compilation unit (`tests/`,
//! `examples/` and `benches/` files are crates of their own) and its module
//! path.

use std::path::Path;

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
