//! Everything that names a migrating lock's type follows it: type paths
//! and constructors in every file of the crate are rewritten (or, named
//! through an import, the import is), and the `use` items of std lock names
//! no code needs any more are dropped.

use std::collections::{BTreeSet, HashMap, HashSet};

use ra_ap_syntax::TextRange;

use super::{CratePlan, Loc, Planner};
use crate::edits::edit::Edit;
use crate::edits::use_edit::ImportChange;
use crate::facts::{FileFacts, NameUse, TestGlob};

/// Adds to `out` the edits and import changes of the `migrating` groups'
/// type paths, in every file.
pub(super) fn follow(p: &Planner, migrating: &HashSet<usize>, out: &mut CratePlan) {
    let report_of: HashMap<usize, usize> = out
        .reports
        .iter()
        .enumerate()
        .map(|(i, r)| (r.group, i))
        .collect();
    for file in 0..p.files.len() {
        let mut imported = type_path_edits(p, file, migrating, &report_of, out);
        let names = out.tokio_type_names.get(&file).into_iter().flatten();
        imported.starts.extend(names.map(|r| u32::from(r.start())));
        let change = import_change(p, file, &imported, out);
        if !change.remove.is_empty() {
            out.imports.insert(file, change);
        }
    }
    drop_unused_reexports(p, out);
}

/// Drops each re-export of a std lock type (`pub(crate) use
/// std::sync::RwLock;`) that the migration leaves unused: every import of
/// it is dropped or replaced, its own file and no path names it, and no
/// code outside the crate can (it is `pub(crate)`, in a private inline
/// module, or not in a library). Left, it would be an unused import.
fn drop_unused_reexports(p: &Planner, out: &mut CratePlan) {
    let mut dropped = Vec::new();
    for (file, facts) in p.files.iter().enumerate() {
        for r in &facts.reexports {
            if !r.crate_only && facts.library {
                continue;
            }
            let key = format!("{}::{}", facts.module, r.local);
            // Whether each import through it goes.
            let removed: Vec<bool> = p
                .files
                .iter()
                .enumerate()
                .flat_map(|(f, other)| {
                    let via = other.imports_via.iter().filter(|(_, k)| *k == key);
                    via.map(move |(t, _)| (f, *t))
                })
                .map(|(f, t)| out.imports.get(&f).is_some_and(|c| c.remove.contains(&t)))
                .collect();
            let named = p.files.iter().any(|f| f.paths_via.contains(&key))
                || facts.name_uses.iter().any(|u| u.import == r.tree);
            if !removed.is_empty() && !removed.contains(&false) && !named {
                dropped.push((file, r.tree));
            }
        }
    }
    for (file, tree) in dropped {
        out.imports.entry(file).or_default().remove.push(tree);
    }
}

/// Where a file names a migrated lock type through an import, by the
/// start of the name.
#[derive(Default)]
struct ImportedNames {
    starts: HashSet<u32>,
    /// The report (its index) of the group each of them names.
    report_of: HashMap<u32, usize>,
}

/// Rewrites the type paths and constructors of migrating groups in `file`
/// that name std directly; returns the ones that name it through an import.
fn type_path_edits(
    p: &Planner,
    file: usize,
    migrating: &HashSet<usize>,
    report_of: &HashMap<usize, usize>,
    out: &mut CratePlan,
) -> ImportedNames {
    let mut imported = ImportedNames::default();
    for r in &p.files[file].refs {
        let Some(owner) = p.index.first_owner(&r.owners, p.units[file], file) else {
            continue;
        };
        let group = p.group_of[owner];
        if !migrating.contains(&group) || r.family != p.index.decls[owner].family {
            continue;
        }
        let mut edits = Vec::new();
        if let Some(new_range) = r.const_new {
            edits.push(Edit::new(new_range, "const_new"));
        }
        match &r.via_import {
            Some(_) => {
                let start = u32::from(r.range.start());
                imported.starts.insert(start);
                if let Some(&i) = report_of.get(&group) {
                    imported.report_of.insert(start, i);
                }
            }
            None => edits.push(Edit::new(
                r.range,
                format!("tokio::sync::{}", r.lock.name()),
            )),
        }
        // The group's finding lists them with its site edits.
        if let Some(&i) = report_of.get(&group) {
            let report = &mut out.reports[i];
            report.edits.extend(edits.iter().map(|e| (file, e.clone())));
            report.places.push(Loc {
                file,
                range: r.range,
            });
        }
        out.edits.entry(file).or_default().extend(edits);
    }
    imported
}

/// One `use` of a std (or parking_lot) lock name in a file, with its uses.
struct Import<'f> {
    /// The name it binds, `*` for a glob.
    local: &'f str,
    path: &'f str,
    tree: TextRange,
    uses: Vec<&'f NameUse>,
    /// The uses that name a migrated lock type.
    migrated: Vec<&'f NameUse>,
    /// The uses that stay: neither migrated nor inside code an edit removes.
    kept: Vec<&'f NameUse>,
}

impl Import<'_> {
    /// What a use names in tokio::sync: the imported item, or for a glob
    /// (`use std::sync::*`) the name used.
    fn tokio_name(&self, u: &NameUse) -> String {
        match self.local {
            "*" => u.name.clone(),
            _ => self.item().to_string(),
        }
    }

    /// The item imported: `Mutex` of `std::sync::Mutex`.
    fn item(&self) -> &str {
        self.path.rsplit("::").next().unwrap_or_default()
    }

    /// The `use super::*` globs of test modules through which every use
    /// that stays reaches this std import, when there are such uses and
    /// nothing else needs it: the import can move into those modules.
    fn only_tests_keep(&self) -> Option<Vec<TestGlob>> {
        let plain = self.local != "*" && self.local == self.item();
        if !plain || !self.path.starts_with("std::") || self.kept.is_empty() {
            return None;
        }
        let mut globs: Vec<TestGlob> = self
            .kept
            .iter()
            .map(|u| u.test_glob)
            .collect::<Option<_>>()?;
        globs.sort_by_key(|g| g.tree.start());
        globs.dedup();
        Some(globs)
    }
}

/// The imports of `file` to drop and add, now that the type paths of
/// `imported` name tokio locks; rewrites the uses an import cannot cover.
fn import_change(
    p: &Planner,
    file: usize,
    imported: &ImportedNames,
    out: &mut CratePlan,
) -> ImportChange {
    let facts = p.files[file];
    // Ranges other edits replace: a use inside one is gone.
    let removed: Vec<TextRange> = out
        .edits
        .get(&file)
        .map(|es| {
            es.iter()
                .filter(|e| !e.range.is_empty())
                .map(|e| e.range)
                .collect()
        })
        .unwrap_or_default();
    let is_removed = |r: TextRange| removed.iter().any(|e| e.contains_range(r));
    let mut change = ImportChange::default();
    for (local, path, tree) in &facts.imports {
        let uses: Vec<&NameUse> = facts
            .name_uses
            .iter()
            .filter(|u| u.import == *tree)
            .collect();
        let named = |u: &&&NameUse| imported.starts.contains(&u32::from(u.range.start()));
        let migrated: Vec<&NameUse> = uses.iter().filter(named).copied().collect();
        let kept = uses
            .iter()
            .filter(|u| !named(u) && !is_removed(u.range))
            .copied()
            .collect();
        let import = Import {
            local,
            path,
            tree: *tree,
            migrated,
            kept,
            uses,
        };
        follow_import(p, file, &import, imported, &is_removed, &mut change, out);
    }
    change
}

/// Follows one import: dropped and replaced by a tokio one when no use of
/// it stays, else kept with its migrated uses qualified; dropped when only
/// code the rewrite removed used it. One that only test modules still need
/// moves into them.
fn follow_import(
    p: &Planner,
    file: usize,
    import: &Import,
    imported: &ImportedNames,
    is_removed: &dyn Fn(TextRange) -> bool,
    change: &mut ImportChange,
    out: &mut CratePlan,
) {
    let facts = p.files[file];
    let tree = import.tree;
    // A re-exported std lock type (`pub use std::sync::Mutex as
    // StdMutex;`) names locks of other files: it stays, and this
    // file's migrated uses are qualified.
    let reexported = facts
        .reexports
        .iter()
        .any(|r| r.local == import.local && r.path == import.path);
    let to_tests = import.only_tests_keep().filter(|_| !reexported);
    // Moved, the import must leave each glob used for something else.
    let movable = to_tests
        .as_ref()
        .filter(|globs| globs.iter().all(|g| g.names_other_items));
    if import.migrated.is_empty() {
        // Only used by code the rewrite removed (`PoisonError::into_inner`,
        // `thread::sleep`), or by that and tests.
        let removed_uses = import.uses.len() > import.kept.len();
        if let Some(globs) = movable.filter(|_| removed_uses) {
            move_to_tests(import, globs, file, change, out);
            change.remove.push(tree);
        } else if import.kept.is_empty()
            && !import.uses.is_empty()
            && !import.path.starts_with("parking_lot")
        {
            change.remove.push(tree);
        }
        return;
    }
    if let Some(globs) = movable {
        move_to_tests(import, globs, file, change, out);
    } else if !import.kept.is_empty() || reexported {
        let edits = out.edits.entry(file).or_default();
        edits.extend(import.migrated.iter().map(|u| qualified(import, u)));
        if to_tests.is_some() {
            note_left_for_tests(import, imported, out);
        }
        return;
    }
    change.remove.push(tree);
    let (local, item) = (import.local, import.item());
    if local == "*" {
        let names: BTreeSet<String> = import
            .migrated
            .iter()
            .map(|u| import.tokio_name(u))
            .collect();
        change.add.extend(names.into_iter().map(|n| (tree, n)));
    } else if item == local {
        change.add.push((tree, item.to_string()));
    } else {
        let alias = follow_alias(p, file, import, imported, is_removed, out);
        change.add.push((tree, format!("{item} as {alias}")));
    }
}

/// A migrated use named with its tokio path.
fn qualified(import: &Import, u: &NameUse) -> Edit {
    Edit::new(u.range, format!("tokio::sync::{}", import.tokio_name(u)))
}

/// Moves a std import that only test modules still need into each of them,
/// beside the `use super::*` it reached them through (`globs`), and has
/// the migrated uses there name tokio's type with its path, as the moved
/// import shadows the glob. The caller drops (or replaces) the import.
fn move_to_tests(
    import: &Import,
    globs: &[TestGlob],
    file: usize,
    change: &mut ImportChange,
    out: &mut CratePlan,
) {
    let through_moved = |u: &&&NameUse| u.test_glob.is_some_and(|g| globs.contains(&g));
    let edits = out.edits.entry(file).or_default();
    edits.extend(
        import
            .migrated
            .iter()
            .filter(through_moved)
            .map(|u| qualified(import, u)),
    );
    change
        .moved
        .extend(globs.iter().map(|g| (g.tree, import.path.to_string())));
}

/// Notes on the reports of an import's migrated uses that it stays for
/// test modules alone, which the tool could not move it into.
fn note_left_for_tests(import: &Import, imported: &ImportedNames, out: &mut CratePlan) {
    let why = format!(
        "`use {};` stays for `#[cfg(test)]` code alone, which names nothing else through its `use super::*`: a build without tests warns that it is unused; move it into the test module",
        import.path
    );
    let mut at: Vec<usize> = import
        .migrated
        .iter()
        .filter_map(|u| imported.report_of.get(&u32::from(u.range.start())))
        .copied()
        .collect();
    at.sort_unstable();
    at.dedup();
    for i in at {
        out.reports[i].notes.push(why.clone());
    }
}

/// The alias a replaced import keeps or takes (`Mutex as StdMutex` becomes
/// `Mutex as TokioMutex` where that is safe): renaming its uses, or noting
/// on the groups' reports why it keeps a std name.
fn follow_alias(
    p: &Planner,
    file: usize,
    import: &Import,
    imported: &ImportedNames,
    is_removed: &dyn Fn(TextRange) -> bool,
    out: &mut CratePlan,
) -> String {
    let local = import.local;
    let (text, facts) = (p.texts[file], p.files[file]);
    match std_alias_renamed(local, text, import.tree, facts, import.uses.len()) {
        Ok(Some(new)) => {
            let edits = out.edits.entry(file).or_default();
            for u in import.uses.iter().filter(|u| !is_removed(u.range)) {
                edits.push(Edit::new(u.range, new.clone()));
            }
            new
        }
        Ok(None) => local.to_string(),
        Err(why) => {
            let mut at: Vec<usize> = import
                .migrated
                .iter()
                .filter_map(|u| imported.report_of.get(&u32::from(u.range.start())))
                .copied()
                .collect();
            at.dedup();
            for i in at {
                out.reports[i].notes.push(why.clone());
            }
            local.to_string()
        }
    }
}

/// The new name of an import alias that names std (`Mutex as StdMutex`)
/// once it imports from tokio: `Ok(Some(TokioMutex))` when the rename is
/// safe (a `use` visible only in this file, a new name the file does not
/// use, and every mention of the alias one of the `uses` the migration
/// rewrites), `Ok(None)` for an alias that does not name std, and `Err`
/// with the reason it keeps its name.
fn std_alias_renamed(
    local: &str,
    text: &str,
    tree: TextRange,
    facts: &FileFacts,
    uses: usize,
) -> Result<Option<String>, String> {
    let new = ["Std", "std", "STD"]
        .iter()
        .zip(["Tokio", "tokio", "TOKIO"])
        .find(|(s, _)| local.contains(**s))
        .map(|(s, t)| local.replacen(s, t, 1));
    let Some(new) = new else {
        return Ok(None);
    };
    let line_start = text[..usize::from(tree.start())]
        .rfind(['\n', ';', '}'])
        .map_or(0, |i| i + 1);
    let public = text[line_start..].trim_start().starts_with("pub");
    let kept = |why: &str| {
        Err(format!(
            "the alias `{local}` now names a tokio lock but keeps its name: {why}; rename it by hand"
        ))
    };
    if public || facts.reexports.iter().any(|r| r.local == local) {
        return kept("it is re-exported (`pub use`), so code outside this file may use the name");
    }
    if count_ident(text, &new) > 0 {
        return kept(&format!("the file already uses the name `{new}`"));
    }
    // The import itself, and the uses the migration rewrites.
    if count_ident(text, local) != uses + 1 {
        return kept("the file names it where the tool cannot rewrite it (in a macro, a comment or another scope)");
    }
    Ok(Some(new))
}

/// How many times `name` occurs in `text` as a whole identifier.
fn count_ident(text: &str, name: &str) -> usize {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(name)
        .filter(|(i, _)| {
            let before = text[..*i].chars().next_back();
            let after = text[i + name.len()..].chars().next();
            !before.is_some_and(ident) && !after.is_some_and(ident)
        })
        .count()
}

#[cfg(test)]
mod tests {
    use super::super::testing::{plan_of, rewritten};
    use super::*;

    #[test]
    fn count_ident_counts_whole_identifiers() {
        assert_eq!(
            count_ident(
                "StdMutex<StdMutexGuard> StdMutex::new x_StdMutex",
                "StdMutex"
            ),
            2
        );
    }

    const TWO_LOCKS: &str = "struct S { m: Mutex<u32>, k: Mutex<u32> }\nasync fn f(s: Arc<S>) { *s.m.lock().unwrap() += 1; }\nfn new() -> S { S { m: Mutex::new(0), k: Mutex::new(0) } }\n";

    #[test]
    fn an_import_no_kept_lock_uses_is_replaced() {
        let src = format!(
            "use std::sync::{{Arc, Mutex}};\n{}",
            TWO_LOCKS
                .replace(", k: Mutex<u32>", "")
                .replace(", k: Mutex::new(0)", "")
        );
        let plan = plan_of(&src);
        let change = &plan.imports[&0];
        assert_eq!(change.remove.len(), 1);
        assert_eq!(change.add, [(change.remove[0], "Mutex".to_string())]);
        // The type paths go through the import: they stay as written.
        assert!(rewritten(&src, &plan).contains("struct S { m: Mutex<u32> }"));
    }

    #[test]
    fn an_import_a_kept_lock_uses_stays_and_migrated_paths_are_qualified() {
        let src = format!("use std::sync::{{Arc, Mutex}};\n{TWO_LOCKS}");
        let plan = plan_of(&src);
        assert!(plan.imports.is_empty(), "{:?}", plan.imports);
        let out = rewritten(&src, &plan);
        assert!(
            out.contains("struct S { m: tokio::sync::Mutex<u32>, k: Mutex<u32> }"),
            "{out}"
        );
        assert!(
            out.contains("S { m: tokio::sync::Mutex::new(0), k: Mutex::new(0) }"),
            "{out}"
        );
    }

    /// A lock that migrates, and a test module that keeps a std lock of
    /// its own and builds a `Counter` (`TEST_USES`), both through `use
    /// super::*`.
    const WITH_TESTS: &str = "use std::sync::Mutex;\n\nstruct Counter {\n    hits: Mutex<u32>,\n}\n\nasync fn hit(c: &Counter) -> u32 {\n    let mut hits = c.hits.lock().unwrap();\n    *hits += 1;\n    *hits\n}\n\n#[tokio::main]\nasync fn main() {\n    let counter = Counter { hits: Mutex::new(0) };\n    println!(\"{}\", hit(&counter).await);\n}\n\n#[cfg(test)]\nmod tests {\n    use super::*;\n\n    #[test]\n    fn keeps_a_plain_lock() {\n        let seen = Mutex::new(Vec::new());\n        TEST_USES\n    }\n}\n";

    #[test]
    fn an_import_only_a_test_module_needs_moves_into_it() {
        let push = "seen.lock().unwrap().push(Counter { hits: Mutex::new(0) });";
        let before = WITH_TESTS.replace("TEST_USES", push);
        let after = before
            .replacen("use std::sync::Mutex;", "use tokio::sync::Mutex;", 1)
            .replace("c.hits.lock().unwrap()", "c.hits.lock().await")
            .replace(
                "use super::*;\n",
                "use super::*;\n    use std::sync::Mutex;\n",
            )
            .replace(
                "push(Counter { hits: Mutex::new(0) })",
                "push(Counter { hits: tokio::sync::Mutex::new(0) })",
            );
        crate::driver::test_support::check_fix(&before, &after);
    }

    #[test]
    fn an_import_a_test_module_needs_for_nothing_else_stays_with_a_note() {
        // Moved, the import would leave the test module's glob unused.
        let src = WITH_TESTS.replace("TEST_USES", "seen.lock().unwrap().push(1);");
        let plan = plan_of(&src);
        assert!(plan.imports.is_empty(), "{:?}", plan.imports);
        let notes = &super::super::testing::report(&plan, "hits").notes;
        assert!(
            notes
                .iter()
                .any(|n| n.contains("stays for `#[cfg(test)]` code alone")),
            "{notes:?}"
        );
    }

    #[test]
    fn an_alias_that_names_std_is_renamed_with_its_uses() {
        let src = "use std::sync::{Arc, Mutex as StdMutex};\nstruct S { m: StdMutex<u32> }\nasync fn f(s: Arc<S>) { *s.m.lock().unwrap() += 1; }\nfn new() -> S { S { m: StdMutex::new(0) } }\n";
        let plan = plan_of(src);
        assert_eq!(plan.imports[&0].add[0].1, "Mutex as TokioMutex");
        let out = rewritten(src, &plan);
        assert!(out.contains("struct S { m: TokioMutex<u32> }"), "{out}");
        assert!(out.contains("S { m: TokioMutex::new(0) }"), "{out}");
    }

    #[test]
    fn an_alias_keeps_its_name_where_renaming_is_unsafe() {
        let src = "use std::sync::Mutex as StdMutex;\ntype TokioMutex = ();\nstruct S { m: StdMutex<u32> }\n";
        let f = super::super::testing::facts(src);
        let tree = f.imports[0].2;
        let renamed = std_alias_renamed("StdMutex", src, tree, &f, 1);
        let why = renamed.unwrap_err();
        assert!(why.contains("already uses the name `TokioMutex`"), "{why}");
        let src = src.replace("type TokioMutex = ();\n", "");
        assert_eq!(
            std_alias_renamed("StdMutex", &src, tree, &f, 1),
            Ok(Some("TokioMutex".to_string()))
        );
        assert_eq!(std_alias_renamed("M", &src, tree, &f, 1), Ok(None));
    }
}
