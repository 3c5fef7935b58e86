//! Name resolution for one file: `use` trees (groups, aliases, `self`, globs,
//! nested `{}`) and the paths that name std, parking_lot and tokio lock types.

use std::collections::HashMap;

use ra_ap_syntax::{
    ast::{self, HasName},
    AstNode, SyntaxKind, TextRange,
};

/// A lock-related type the tool knows by its full path.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LockType {
    Mutex,
    RwLock,
    MutexGuard,
    RwLockReadGuard,
    RwLockWriteGuard,
}

impl LockType {
    pub fn name(self) -> &'static str {
        match self {
            LockType::Mutex => "Mutex",
            LockType::RwLock => "RwLock",
            LockType::MutexGuard => "MutexGuard",
            LockType::RwLockReadGuard => "RwLockReadGuard",
            LockType::RwLockWriteGuard => "RwLockWriteGuard",
        }
    }

    pub fn is_guard(self) -> bool {
        !matches!(self, LockType::Mutex | LockType::RwLock)
    }

    fn from_name(name: &str) -> Option<LockType> {
        Some(match name {
            "Mutex" => LockType::Mutex,
            "RwLock" => LockType::RwLock,
            "MutexGuard" => LockType::MutexGuard,
            "RwLockReadGuard" => LockType::RwLockReadGuard,
            "RwLockWriteGuard" => LockType::RwLockWriteGuard,
            _ => return None,
        })
    }
}

/// Where a lock type comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Family {
    Std,
    ParkingLot,
    Tokio,
}

/// One name brought into scope by a `use` item.
#[derive(Clone, Debug)]
pub struct ImportedName {
    pub local: String,
    pub path: String,
    /// The `UseTree` that introduces the name.
    pub tree: TextRange,
}

/// Every `use` of a file, flattened.
#[derive(Default, Debug)]
pub struct Imports {
    pub names: HashMap<String, ImportedName>,
    pub globs: Vec<String>,
}

impl Imports {
    /// `text` is the file's text (the tree's text, without a BOM).
    pub fn collect(file: &ast::SourceFile, text: &str) -> Imports {
        let mut imports = Imports::default();
        // `use` items are found from the keyword's occurrences in the text: a
        // lookup by offset is far cheaper than walking every node.
        let root = file.syntax();
        let mut seen = std::collections::HashSet::new();
        for (at, _) in text.match_indices("use") {
            let Ok(offset) = u32::try_from(at) else { break };
            let Some(token) = root.token_at_offset(offset.into()).right_biased() else {
                continue;
            };
            if token.kind() != SyntaxKind::USE_KW {
                continue;
            }
            let Some(item) = token.parent().and_then(ast::Use::cast) else {
                continue;
            };
            if seen.insert(item.syntax().text_range()) {
                if let Some(tree) = item.use_tree() {
                    imports.walk(&tree, "");
                }
            }
        }
        imports
    }

    fn walk(&mut self, tree: &ast::UseTree, prefix: &str) {
        let own = tree.path().and_then(|p| segments(&p)).unwrap_or_default();
        let mut full: Vec<String> = prefix
            .split("::")
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        full.extend(own);
        if let Some(list) = tree.use_tree_list() {
            let prefix = full.join("::");
            for child in list.use_trees() {
                self.walk(&child, &prefix);
            }
            return;
        }
        if tree.star_token().is_some() {
            self.globs.push(full.join("::"));
            return;
        }
        if full.last().map(String::as_str) == Some("self") {
            full.pop();
        }
        let Some(last) = full.last().cloned() else {
            return;
        };
        let local = match tree.rename() {
            Some(rename) => match rename.name() {
                Some(name) => name.text().to_string(),
                None => return, // `as _`
            },
            None => last,
        };
        let path = full.join("::");
        self.names.insert(
            local.clone(),
            ImportedName {
                local,
                path,
                tree: tree.syntax().text_range(),
            },
        );
    }

    /// The full path a path's segments refer to. Paths that do not start at a
    /// known crate or an import are local to the crate (prefixed `crate::`).
    pub fn resolve(&self, segs: &[String]) -> String {
        let Some(first) = segs.first() else {
            return String::new();
        };
        let rest = &segs[1..];
        let head = if let Some(import) = self.names.get(first) {
            import.path.clone()
        } else if matches!(
            first.as_str(),
            "std" | "core" | "alloc" | "tokio" | "parking_lot"
        ) {
            first.clone()
        } else if segs.len() == 1
            && LockType::from_name(first).is_some()
            && self
                .globs
                .iter()
                .any(|g| g == "std::sync" || g == "parking_lot")
        {
            let glob = self
                .globs
                .iter()
                .find(|g| *g == "std::sync" || *g == "parking_lot")
                .unwrap();
            format!("{glob}::{first}")
        } else {
            format!("crate::{first}")
        };
        let mut out = head;
        for s in rest {
            out.push_str("::");
            out.push_str(s);
        }
        out
    }

    /// The lock type a path names exactly (not `Mutex::new`, which is a function).
    pub fn lock_type(&self, path: &ast::Path) -> Option<(Family, LockType)> {
        let segs = segments(path)?;
        classify(&self.resolve(&segs))
    }
}

/// The family and type of a resolved full path, if it is a lock type.
pub fn classify(full: &str) -> Option<(Family, LockType)> {
    let (module, name) = full.rsplit_once("::")?;
    let family = match module {
        "std::sync" | "std::sync::mutex" | "std::sync::poison" => Family::Std,
        "parking_lot" => Family::ParkingLot,
        "tokio::sync" => Family::Tokio,
        _ => return None,
    };
    Some((family, LockType::from_name(name)?))
}

/// The segments of a path (`a::b::C`), or `None` for paths with a type anchor
/// like `<T as Trait>::f`.
pub fn segments(path: &ast::Path) -> Option<Vec<String>> {
    let mut out = match path.qualifier() {
        Some(q) => segments(&q)?,
        None => Vec::new(),
    };
    let seg = path.segment()?;
    if seg.type_anchor().is_some() {
        return None;
    }
    let text = match seg.name_ref() {
        Some(name) => name.text().to_string(),
        None => seg.syntax().first_token()?.text().to_string(),
    };
    out.push(text);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ra_ap_syntax::{Edition, SourceFile};

    fn imports(src: &str) -> Imports {
        Imports::collect(&SourceFile::parse(src, Edition::Edition2021).tree(), src)
    }

    #[test]
    fn groups_aliases_self_and_nesting() {
        let i = imports(
            "use std::{sync::{self, Arc, Mutex as StdMutex}, collections::HashMap};\nuse parking_lot::RwLock;",
        );
        assert_eq!(i.names["StdMutex"].path, "std::sync::Mutex");
        assert_eq!(i.names["sync"].path, "std::sync");
        assert_eq!(i.names["Arc"].path, "std::sync::Arc");
        assert_eq!(i.names["RwLock"].path, "parking_lot::RwLock");
        assert_eq!(
            i.resolve(&["sync".into(), "Mutex".into()]),
            "std::sync::Mutex"
        );
    }

    #[test]
    fn globs_resolve_lock_names() {
        let i = imports("use std::sync::*;");
        assert_eq!(i.resolve(&["Mutex".into()]), "std::sync::Mutex");
        assert_eq!(i.resolve(&["Other".into()]), "crate::Other");
    }

    #[test]
    fn classify_tells_families_apart() {
        assert_eq!(
            classify("std::sync::Mutex"),
            Some((Family::Std, LockType::Mutex))
        );
        assert_eq!(
            classify("tokio::sync::RwLock"),
            Some((Family::Tokio, LockType::RwLock))
        );
        assert_eq!(classify("crate::Mutex"), None);
    }
}
