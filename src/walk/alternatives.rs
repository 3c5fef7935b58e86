//! Modules declared once per cfg (`#[cfg(unix)] mod imp;` beside
//! `#[cfg(windows)] #[path = ..] mod imp;`): the places such alternatives
//! cover, where a lock is left to a person.

use std::path::{Path, PathBuf};

use ra_ap_syntax::Edition;

use crate::paths::absolute;

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
    while let Some(at) = memchr::memmem::find(&attr.as_bytes()[from..], b"path") {
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
    for at in memchr::memmem::find_iter(text.as_bytes(), b"mod ") {
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
