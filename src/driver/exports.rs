//! Public locks of libraries: which of them code outside the library can
//! name (approximated from the module files), and which other crates of the
//! run name them, so that such a crate is planned with its library or the
//! lock is left to a person.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ra_ap_syntax::{Edition, SourceFile};
use rayon::prelude::*;

use super::files::Files;
use crate::edits::manifest;
use crate::facts;
use crate::imports::Family;
use crate::options::Options;
use crate::settings;
use crate::walk::{self, CrateInfo, Input};

/// What a module file shows the modules below it: its `mod` items (name,
/// declared exactly `pub`) and the paths of its `pub use` items (a glob
/// ends in `*`).
#[derive(Default, Clone)]
struct ModuleItems {
    mods: Vec<(String, bool)>,
    pub_uses: Vec<Vec<String>>,
}

fn module_items(path: &Path, edition: Edition) -> Option<ModuleItems> {
    use ra_ap_syntax::ast::{self, HasModuleItem, HasName, HasVisibility};
    use ra_ap_syntax::AstNode;
    let text = std::fs::read_to_string(path).ok()?;
    let file = SourceFile::parse(&text, edition).tree();
    let is_pub = |v: Option<ast::Visibility>| v.is_some_and(|v| v.syntax().text() == "pub");
    fn flatten(tree: &ast::UseTree, prefix: &[String], out: &mut Vec<Vec<String>>) {
        let mut path = prefix.to_vec();
        if let Some(p) = tree.path() {
            path.extend(p.segments().map(|s| s.syntax().text().to_string()));
        }
        if let Some(list) = tree.use_tree_list() {
            for t in list.use_trees() {
                flatten(&t, &path, out);
            }
        } else if tree.star_token().is_some() {
            path.push("*".to_string());
            out.push(path);
        } else {
            out.push(path);
        }
    }
    let mut items = ModuleItems::default();
    for item in file.items() {
        match item {
            ast::Item::Module(m) => {
                if let Some(name) = m.name() {
                    items
                        .mods
                        .push((name.text().to_string(), is_pub(m.visibility())));
                }
            }
            ast::Item::Use(u) if is_pub(u.visibility()) => {
                if let Some(tree) = u.use_tree() {
                    flatten(&tree, &[], &mut items.pub_uses);
                }
            }
            _ => {}
        }
    }
    Some(items)
}

/// Can code outside the library of `manifest` name `item`, a public item
/// (see [`facts::api_visibility`]) of the file `path`? Approximated from the
/// files alone: the file's module must be declared by its parent file, from
/// `src/lib.rs` down, and each module on the way must be a `pub mod`, or be
/// re-exported (`pub use a::b;`) by a reachable module above it; or the item
/// itself must be re-exported by one (`pub use a::b::Item;`, `pub use
/// a::b::*;`, matched by the item's and the module's last name). An item in
/// a private inline module needs a `pub use` in its file that names the
/// module (`pub use private::deeper;`). A file the
/// library root does not declare (the modules of `src/main.rs`,
/// `src/bin/`) is not the library's. Where the module files cannot be found
/// (a `[lib] path` outside `src/`, a `#[path]` attribute) the item counts
/// as reachable.
fn reachable_from_lib(
    path: &Path,
    manifest: &Path,
    d: &facts::DeclFact,
    edition: Edition,
    cache: &mut BTreeMap<PathBuf, Option<ModuleItems>>,
) -> bool {
    let item = d.api_item.as_deref();
    let Some(dir) = manifest.parent() else {
        return true;
    };
    let src = dir.join("src");
    if path == src.join("main.rs") || path.starts_with(src.join("bin")) {
        return false;
    }
    // A root elsewhere than `src/` (`[lib] path`) has module files the
    // walk below does not follow.
    let root = manifest::lib_root(manifest).unwrap_or_else(|| src.join("lib.rs"));
    if !root.is_file() || root.parent() != Some(src.as_path()) {
        return true;
    }
    if hidden_in_private_module(path, &src, d, edition, cache) {
        return false;
    }
    if path == root {
        return true;
    }
    let Some(module) = walk::module_path(path, manifest) else {
        return true;
    };
    let names: Vec<&str> = module.split("::").skip(1).collect();
    let mut items = Vec::new();
    for f in &module_files(root, &src, &names) {
        let found = cache
            .entry(f.clone())
            .or_insert_with(|| module_items(f, edition));
        match found {
            Some(found) => items.push(found.clone()),
            // Unknown is public.
            None => return true,
        }
    }
    let last = |p: &Vec<String>| p.last().cloned().unwrap_or_default();
    // `pub use a::b;` re-exports `b`; `pub use a::b::*;` everything public
    // in `b`, its modules and re-exports too.
    let reexports = |k: usize, name: &str| {
        items[k]
            .pub_uses
            .iter()
            .any(|p| last(p) == name || (last(p) == "*" && p.len() >= 2 && p[p.len() - 2] == name))
    };
    // reach[i]: the module `names[..i]` can be named from outside.
    let mut reach = vec![true];
    let mut declared = true;
    for (i, name) in names.iter().enumerate() {
        let decl = items[i].mods.iter().find(|(m, _)| m == name);
        declared &= decl.is_some();
        let by_mod = reach[i] && decl.is_some_and(|(_, p)| *p);
        let by_use = (0..=i).any(|k| reach[k] && reexports(k, name));
        reach.push(by_mod || by_use);
    }
    let n = names.len();
    let module_name = names.last().copied().unwrap_or_default();
    let by_item = (0..n).any(|k| {
        reach[k]
            && items[k].pub_uses.iter().any(|p| {
                item.is_some_and(|it| last(p) == it)
                    || (last(p) == "*" && p.len() >= 2 && p[p.len() - 2] == module_name)
            })
    });
    declared && (reach[n] || by_item)
}

/// Is the item `d` inside a private (or `pub(crate)`) inline module that no
/// `pub use` names? Only a `pub use` naming the module (or a module inside
/// it), in the item's file or a file above, can reach the item; then its
/// file must be reachable too (see `reachable_from_lib`).
fn hidden_in_private_module(
    path: &Path,
    src: &Path,
    d: &facts::DeclFact,
    edition: Edition,
    cache: &mut BTreeMap<PathBuf, Option<ModuleItems>>,
) -> bool {
    let mut above: Vec<PathBuf> = vec![path.to_path_buf()];
    above.extend(
        path.ancestors()
            .skip(1)
            .take_while(|p| p.starts_with(src))
            .flat_map(|p| [p.with_extension("rs"), p.join("mod.rs"), p.join("lib.rs")]),
    );
    let names_private_mod = |items: &Option<ModuleItems>| {
        items.as_ref().is_none_or(|items| {
            items
                .pub_uses
                .iter()
                .any(|p| p.iter().any(|seg| d.private_mods.contains(seg)))
        })
    };
    !d.private_mods.is_empty()
        && !above.iter().filter(|f| f.is_file()).any(|f| {
            names_private_mod(
                cache
                    .entry(f.clone())
                    .or_insert_with(|| module_items(f, edition)),
            )
        })
}

/// The file of each module on the way to the module `names` (`crate::a::b`
/// without `crate`): the library's root, then `src/a.rs` or `src/a/mod.rs`,
/// and so on, without the module's own file.
fn module_files(root: PathBuf, src: &Path, names: &[&str]) -> Vec<PathBuf> {
    let mut files = vec![root];
    for i in 1..names.len() {
        let base = names[..i].iter().fold(src.to_path_buf(), |p, n| p.join(n));
        let flat = base.with_extension("rs");
        files.push(match flat.is_file() {
            true => flat,
            false => base.join("mod.rs"),
        });
    }
    files
}

/// Marks the public locks of libraries as exported, and returns the crates
/// to plan together with a library (by crate: the library's). A public lock
/// that another crate of the run names (the library's name and the lock's
/// name in one file) needs the same rewrite there: when the library opts in
/// to migrating its public API, and that crate depends on tokio with its
/// `sync` feature (the rewrite may name tokio there too), the crate is
/// planned with the library, as a binary of the library's own package is,
/// so that the lock and every use of it migrate together or not at all.
/// Otherwise the lock is left to a person.
///
/// Reads the locks of the files `members` (analysed in `state`), and the
/// files of every crate of the run that may name them.
pub(super) fn mark_exported_locks(
    (inputs, crates, opts): (&[Input], &[CrateInfo], &Options),
    members: &[usize],
    state: &mut Files,
) -> BTreeMap<usize, usize> {
    let exported = exported_locks(inputs, crates, members, state);
    if exported.is_empty() {
        return BTreeMap::new();
    }
    let usable = usable_locks(crates, &exported);
    let named_by = lock_users(inputs, state, &usable, opts);
    let (joins, refused) = plan_joins(crates, &named_by);
    block_unjoined_users(inputs, members, state, &named_by, &joins, &refused);
    joins
}

/// Does a file among `members` declare a public lock that code outside its
/// library can name? Marks each such lock as exported.
pub(super) fn exports_locks(
    inputs: &[Input],
    crates: &[CrateInfo],
    members: &[usize],
    state: &mut Files,
) -> bool {
    !exported_locks(inputs, crates, members, state).is_empty()
}

/// A library's public lock: the library's crate, its name, the lock's name.
type ExportedLock = (usize, String, String);

/// Marks each public lock of a library that code outside it can name as
/// exported, and returns them all, sorted.
fn exported_locks(
    inputs: &[Input],
    crates: &[CrateInfo],
    members: &[usize],
    state: &mut Files,
) -> Vec<ExportedLock> {
    let mut exported: Vec<ExportedLock> = Vec::new();
    let mut lib_names: BTreeMap<usize, Option<String>> = BTreeMap::new();
    let mut modules = BTreeMap::new();
    for &i in members {
        let input = &inputs[i];
        let Some(a) = state.get_mut(i) else { continue };
        let krate = &crates[input.crate_id];
        let Some(manifest) = krate.manifest.as_deref() else {
            continue;
        };
        if walk::in_dev_target(&input.path, manifest) {
            continue;
        }
        for d in a.facts.decls.iter_mut().filter(|d| {
            d.public
                && d.family != Family::Tokio
                && reachable_from_lib(&input.path, manifest, d, krate.edition, &mut modules)
        }) {
            let lib = lib_names
                .entry(input.crate_id)
                .or_insert_with(|| manifest::lib_name(manifest));
            if let (Some(lib), Some(name)) =
                (lib.clone(), d.key.reach_name().map(|n| n.to_string()))
            {
                d.exported = true;
                exported.push((input.crate_id, lib, name));
            }
        }
    }
    exported.sort();
    exported.dedup();
    exported
}

/// Per crate, the exported locks of the other crates it could use: only a
/// crate whose manifest names a library can use its locks (the other
/// crates' files are not read again).
fn usable_locks<'a>(
    crates: &[CrateInfo],
    exported: &'a [ExportedLock],
) -> BTreeMap<usize, Vec<&'a ExportedLock>> {
    let mut usable: BTreeMap<usize, Vec<&ExportedLock>> = BTreeMap::new();
    for (id, krate) in crates.iter().enumerate() {
        let text = krate
            .manifest
            .as_deref()
            .and_then(|m| std::fs::read_to_string(m).ok())
            .unwrap_or_default();
        let locks: Vec<_> = exported
            .iter()
            .filter(|(c, lib, _)| {
                *c != id
                    && (facts::names_word(&text, lib)
                        || facts::names_word(&text, &lib.replace('_', "-")))
            })
            .collect();
        if !locks.is_empty() {
            usable.insert(id, locks);
        }
    }
    usable
}

/// Per library and lock: the crates that name it (the library's name and the
/// lock's name in one file), each with its first such file as shown.
fn lock_users(
    inputs: &[Input],
    state: &Files,
    usable: &BTreeMap<usize, Vec<&ExportedLock>>,
    opts: &Options,
) -> BTreeMap<(usize, String), BTreeMap<usize, String>> {
    let named: Vec<((usize, String), (usize, String))> = inputs
        .par_iter()
        .filter_map(|input| {
            Some((
                input,
                state.get(input.file_id),
                usable.get(&input.crate_id)?,
            ))
        })
        .flat_map_iter(|(input, a, locks)| {
            let text = match a {
                Some(a) => Some(std::borrow::Cow::Borrowed(a.src.text.as_str())),
                None => std::fs::read_to_string(&input.path).ok().map(Into::into),
            };
            locks
                .iter()
                .filter(|(_, lib, name)| {
                    text.as_deref()
                        .is_some_and(|t| facts::names_word(t, lib) && facts::names_word(t, name))
                })
                .map(|(c, _, name)| {
                    let by = (input.crate_id, opts.display(&input.path));
                    ((*c, name.clone()), by)
                })
                .collect::<Vec<_>>()
        })
        .collect();
    let mut named_by: BTreeMap<(usize, String), BTreeMap<usize, String>> = BTreeMap::new();
    for (lock, (by, path)) in named {
        let paths = named_by.entry(lock).or_default();
        let first = paths.entry(by).or_insert_with(|| path.clone());
        if path < *first {
            *first = path;
        }
    }
    named_by
}

/// The crates that can join their library's plan (by crate, the library),
/// and those that cannot, with why: each joins one library, only one that
/// opts in to migrating its public API and only with tokio among its
/// dependencies, and a library that joins another takes no crate in.
fn plan_joins(
    crates: &[CrateInfo],
    named_by: &BTreeMap<(usize, String), BTreeMap<usize, String>>,
) -> (BTreeMap<usize, usize>, BTreeMap<usize, String>) {
    let opted_in = |c: usize| crates[c].plan.public_api != settings::PublicApi::Report;
    let mut joins: BTreeMap<usize, usize> = BTreeMap::new();
    let mut refused: BTreeMap<usize, String> = BTreeMap::new();
    for ((lib, _), users) in named_by {
        if !opted_in(*lib) {
            continue;
        }
        for &user in users.keys() {
            let text = crates[user]
                .manifest
                .as_deref()
                .and_then(|m| std::fs::read_to_string(m).ok())
                .unwrap_or_default();
            if manifest::tokio_dependency(&text).is_none() {
                refused.insert(user, "it does not depend on tokio".to_string());
            } else if joins.get(&user).is_some_and(|l| l != lib) {
                refused.insert(
                    user,
                    "it uses the public locks of two libraries".to_string(),
                );
            } else {
                joins.insert(user, *lib);
            }
        }
    }
    for user in refused.keys() {
        joins.remove(user);
    }
    let chained: Vec<usize> = joins
        .iter()
        .filter(|(_, lib)| joins.contains_key(lib))
        .map(|(&user, _)| user)
        .collect();
    for user in chained {
        joins.remove(&user);
        refused.insert(
            user,
            "its library uses another library's public lock".to_string(),
        );
    }
    (joins, refused)
}

/// A blocker on each exported lock for each crate that names it and is not
/// planned with its library: that crate would need the same rewrite.
fn block_unjoined_users(
    inputs: &[Input],
    members: &[usize],
    state: &mut Files,
    named_by: &BTreeMap<(usize, String), BTreeMap<usize, String>>,
    joins: &BTreeMap<usize, usize>,
    refused: &BTreeMap<usize, String>,
) {
    for &i in members {
        let input = &inputs[i];
        let Some(a) = state.get_mut(i) else { continue };
        for d in a.facts.decls.iter_mut().filter(|d| d.exported) {
            let Some(name) = d.key.reach_name().map(|n| n.to_string()) else {
                continue;
            };
            let Some(users) = named_by.get(&(input.crate_id, name.clone())) else {
                continue;
            };
            for (user, path) in users {
                if joins.get(user) == Some(&input.crate_id) {
                    continue;
                }
                let why = match refused.get(user) {
                    Some(why) => format!(", and cannot be planned with it: {why}"),
                    None => String::new(),
                };
                d.blockers.push(format!(
                    "it is public, and {path} (another crate of this run) names `{name}`: that crate would need the same rewrite{why}"
                ));
            }
        }
    }
}

/// Which crates a run must take through their first steps all together
/// before planning them, worked out from the manifests alone. A crate is
/// planned with a library only where the library opts in to migrating its
/// public API; where no crate of the run does, every crate's exported locks
/// and their users are found from that crate alone (its users' files are
/// read as text), and nothing waits.
pub(super) struct Links {
    /// Per crate: another crate's manifest names its library.
    named: Vec<bool>,
    /// Per crate: it depends on tokio, and its manifest names the library of
    /// another crate that opts in, so it may be planned with that library.
    may_join: Vec<bool>,
    /// A crate of the run opts in to migrating its public API.
    any_opted_in: bool,
}

impl Links {
    pub(super) fn new(crates: &[CrateInfo]) -> Links {
        let opted_in = |c: &CrateInfo| c.plan.public_api != settings::PublicApi::Report;
        let mut links = Links {
            named: vec![false; crates.len()],
            may_join: vec![false; crates.len()],
            any_opted_in: crates.iter().any(opted_in),
        };
        if !links.any_opted_in {
            return links;
        }
        // Per crate: its manifest's text, its library's name, and whether
        // it depends on tokio.
        let read: Vec<(String, Option<String>, bool)> = crates
            .par_iter()
            .map(|c| {
                let Some(m) = c.manifest.as_deref() else {
                    return (String::new(), None, false);
                };
                let text = std::fs::read_to_string(m).unwrap_or_default();
                let tokio = manifest::tokio_dependency(&text).is_some();
                (text, manifest::lib_name(m), tokio)
            })
            .collect();
        let mut libs: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (id, (_, lib, _)) in read.iter().enumerate() {
            if let Some(lib) = lib {
                libs.entry(lib.as_str()).or_default().push(id);
            }
        }
        for (user, (text, _, tokio)) in read.iter().enumerate() {
            for (lib, ids) in &libs {
                // As `usable_locks` reads a manifest: the name as written
                // in Rust, or with dashes.
                if !(facts::names_word(text, lib)
                    || facts::names_word(text, &lib.replace('_', "-")))
                {
                    continue;
                }
                for &id in ids.iter().filter(|&&id| id != user) {
                    links.named[id] = true;
                    links.may_join[user] |= *tokio && opted_in(&crates[id]);
                }
            }
        }
        links
    }

    /// Must crate `c`, which `exports` its locks or not, wait until every
    /// crate has gone through its first steps? Only where some crate opts in:
    /// then a library's users may be planned with it, and why one is not
    /// depends on the other libraries it uses.
    pub(super) fn must_wait(&self, c: usize, exports: bool) -> bool {
        self.any_opted_in && (self.may_join[c] || (self.named[c] && exports))
    }
}
