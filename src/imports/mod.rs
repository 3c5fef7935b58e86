//! Name resolution per scope, as rustc resolves names: a `use` is visible in
//! the module or block that holds it (and the blocks inside), never in a
//! nested module; a nested module sees its parent's names only through
//! `use super::..`; a local item shadows an import, and a named import or
//! item shadows a glob. Paths that name std, parking_lot and tokio lock
//! types are classified in `lock_types.rs`.

use std::collections::{HashMap, HashSet};

use ra_ap_syntax::{
    ast::{self, HasName, HasVisibility},
    AstNode, SyntaxKind, SyntaxNode, TextRange, TextSize,
};

mod lock_types;

pub use lock_types::{classify, glob_members, Family, LockType};
use lock_types::{PARKING_LOT, STD_SYNC};

/// One name brought into scope by a `use` item.
#[derive(Clone, Debug)]
pub struct ImportedName {
    pub local: String,
    pub path: String,
    /// The `UseTree` that introduces the name.
    pub tree: TextRange,
    /// A `pub` (or `pub(crate)`) use: other modules can import the name.
    pub public: bool,
    /// A `pub(crate)`, `pub(super)`, `pub(in ..)` or `pub(self)` use: no
    /// code outside the crate can name it.
    pub crate_only: bool,
    /// The crate's re-export the path went through (`crate::sync::Mutex`
    /// of `use crate::sync::Mutex;`), now that it is stored as what it names.
    pub via: Option<String>,
}

/// Lock types re-exported by modules of a crate: `crate::sync::StdMutex` →
/// `std::sync::Mutex` for `pub use std::sync::Mutex as StdMutex;` in
/// `src/sync.rs`.
pub type ReExports = HashMap<String, String>;

/// A module (the file, or an inline `mod x { .. }`) or a block that holds
/// `use` items or items of its own.
#[derive(Debug)]
struct Scope {
    range: TextRange,
    /// A module: names from outside it are not visible inside.
    module: bool,
    /// The scope around this one.
    parent: Option<usize>,
    names: HashMap<String, ImportedName>,
    /// `use a::b::*`: local name `*`, path `a::b::*`.
    globs: Vec<ImportedName>,
    /// Types, traits and modules declared here (they shadow imports and globs).
    items: HashSet<String>,
    /// An inline module's name (`sync` of `mod sync { .. }`).
    name: Option<String>,
    /// An inline module without `pub`: code outside its parent cannot see in.
    private: bool,
}

/// Every `use` of a file, by scope.
#[derive(Debug)]
pub struct Imports {
    /// Sorted by start; the first is the file.
    scopes: Vec<Scope>,
    /// The crate's re-exported lock types, for paths through its modules.
    reexports: ReExports,
    /// The re-exports (`crate::sync::Mutex`) that paths resolved here went
    /// through.
    paths_via: std::cell::RefCell<HashSet<String>>,
}

/// Does a glob bring in `name`? `None` when the tool cannot tell.
fn glob_provides(glob: &str, name: &str) -> Option<bool> {
    match glob_members(glob) {
        Some(known) => Some(known.contains(&name)),
        // Another module of a library the tool knows: it brings no lock.
        None if EXTERN_ROOTS.contains(&glob.split("::").next().unwrap_or_default()) => {
            LockType::from_name(name).is_some().then_some(false)
        }
        None => None,
    }
}

/// Crates whose paths are taken as absolute.
const EXTERN_ROOTS: &[&str] = &["std", "core", "alloc", "tokio", "parking_lot"];

/// What a name resolves to in one scope.
enum Found<'a> {
    Import(&'a ImportedName),
    Item,
    /// Through a glob of a known library: the glob, and the full path.
    Glob(&'a ImportedName, String),
    /// Only a glob the tool cannot see into could bring it.
    Unknown,
}

impl Imports {
    /// `text` is the file's text (the tree's text, without a BOM).
    pub fn collect(file: &ast::SourceFile, text: &str) -> Imports {
        let root = file.syntax();
        let mut scopes = vec![Scope::new(root.text_range(), true)];
        let mut index: HashMap<TextRange, usize> = HashMap::new();
        index.insert(root.text_range(), 0);
        // Items are found from their keywords' occurrences in the text: a
        // lookup by offset is far cheaper than walking every node.
        let mut seen = HashSet::new();
        // One pass over the text finds the whole words that may start an
        // item: `use` and `mod` first, then the rest, which are looked up
        // only when they name something an item could shadow: a lock type
        // or a name a `use` brings in.
        let bytes = text.as_bytes();
        let first = whole_words(bytes, &["use", "mod"]);
        let rest = whole_words(bytes, &["struct", "enum", "union", "type", "trait"]);
        for (pass, words) in [first, rest].into_iter().enumerate() {
            let shadowable = (pass == 1 && !words.is_empty()).then(|| Self::shadowable(&scopes));
            for (at, keyword) in words {
                if let Some(shadowable) = &shadowable {
                    let after = text[at + keyword.len()..].trim_start();
                    let name_len = after.bytes().take_while(|&b| is_ident_byte(b)).count();
                    if !shadowable.contains(&after[..name_len]) {
                        continue;
                    }
                }
                let Ok(offset) = u32::try_from(at) else { break };
                Self::add_item(&mut scopes, &mut index, &mut seen, root, offset, keyword);
            }
        }
        Self::link_parents(&mut scopes);
        Imports {
            scopes,
            reexports: ReExports::new(),
            paths_via: Default::default(),
        }
    }

    /// The names an item could shadow: the names `use`s bring in and the
    /// lock types, and where a scope has a glob, the names of the lock
    /// modules' globs.
    fn shadowable(scopes: &[Scope]) -> HashSet<String> {
        let mut shadowable: HashSet<String> = HashSet::new();
        shadowable.extend(
            scopes
                .iter()
                .flat_map(|s| s.names.keys().cloned())
                .chain(LockType::ALL.iter().map(|l| l.name().to_string())),
        );
        if scopes.iter().any(|s| !s.globs.is_empty()) {
            shadowable.extend(STD_SYNC.iter().chain(PARKING_LOT).map(|n| n.to_string()));
        }
        shadowable
    }

    /// The item whose `keyword` stands at `offset`, if that is a keyword and
    /// not a word in a string or comment, is recorded in the scope that holds
    /// it: a `use`'s names, another item's name, and an inline module's scope.
    fn add_item(
        scopes: &mut Vec<Scope>,
        index: &mut HashMap<TextRange, usize>,
        seen: &mut HashSet<TextRange>,
        root: &SyntaxNode,
        offset: u32,
        keyword: &str,
    ) {
        let Some(token) = root.token_at_offset(offset.into()).right_biased() else {
            return;
        };
        if !token.kind().is_keyword(ra_ap_syntax::Edition::CURRENT) || token.text() != keyword {
            return;
        }
        let Some(item) = token.parent() else { return };
        if !seen.insert(item.text_range()) {
            return;
        }
        let Some(holder) = item.parent().filter(is_scope_node) else {
            return;
        };
        let scope = Self::scope_of(scopes, index, &holder);
        if let Some(u) = ast::Use::cast(item.clone()) {
            if let Some(tree) = u.use_tree() {
                let vis = u.visibility();
                let crate_only = vis
                    .as_ref()
                    .is_some_and(|v| v.syntax().text().contains_char('('));
                scopes[scope].walk(&tree, "", (vis.is_some(), crate_only));
            }
            return;
        }
        if let Some(name) = item.children().find_map(ast::Name::cast) {
            scopes[scope].items.insert(name.text().to_string());
        }
        if let Some(module) = ast::Module::cast(item) {
            if let (Some(list), Some(name)) = (module.item_list(), module.name()) {
                // Every inline module bounds what its code can see.
                let inner = Self::scope_of(scopes, index, list.syntax());
                scopes[inner].name = Some(name.text().to_string());
                scopes[inner].private = module.visibility().is_none();
            }
        }
    }

    /// Each scope's parent is the innermost scope around it: scopes are
    /// sorted by start, outer before inner, and nested on a stack.
    fn link_parents(scopes: &mut [Scope]) {
        scopes.sort_by_key(|s| (s.range.start(), std::cmp::Reverse(s.range.end())));
        let mut stack: Vec<usize> = Vec::new();
        for i in 0..scopes.len() {
            while stack
                .last()
                .is_some_and(|&s| !scopes[s].range.contains_range(scopes[i].range))
            {
                stack.pop();
            }
            scopes[i].parent = stack.last().copied();
            stack.push(i);
        }
    }

    fn scope_of(
        scopes: &mut Vec<Scope>,
        index: &mut HashMap<TextRange, usize>,
        node: &SyntaxNode,
    ) -> usize {
        *index.entry(node.text_range()).or_insert_with(|| {
            let module = node.kind() != SyntaxKind::STMT_LIST;
            scopes.push(Scope::new(node.text_range(), module));
            scopes.len() - 1
        })
    }

    /// Resolves paths through the crate's modules with its re-exports.
    /// Import paths through a re-export are stored as what they name,
    /// those relative to their module (`use sync::Mutex;` in `crate::net`)
    /// too where the file's module path `module` is known.
    pub fn with_reexports(mut self, reexports: &ReExports, module: Option<&str>) -> Imports {
        if reexports.is_empty() {
            return self;
        }
        for s in 0..self.scopes.len() {
            let below = self.module_below_file(self.module_of(s));
            let here = module.zip(below).map(|(m, below)| match below.is_empty() {
                true => m.to_string(),
                false => format!("{m}::{below}"),
            });
            let scope = &mut self.scopes[s];
            for import in scope.names.values_mut().chain(&mut scope.globs) {
                let path = std::mem::take(&mut import.path);
                let first = path.split("::").next().unwrap_or_default();
                let relative = here
                    .as_deref()
                    .filter(|_| {
                        !matches!(first, "crate" | "self" | "super" | "std" | "core" | "alloc")
                    })
                    .map(|m| canonical_via(reexports, format!("{m}::{path}")))
                    .filter(|(_, via)| via.is_some());
                let (path, via) = relative.unwrap_or_else(|| canonical_via(reexports, path));
                import.path = path;
                import.via = via;
            }
        }
        self.reexports.clone_from(reexports);
        self
    }

    /// The public imports of the file's modules, each with its module's
    /// path below the file's (empty for the file itself, `sync` for `mod
    /// sync { pub use .. }`) and whether only the crate can name it (a
    /// restricted `pub(crate)` use, or one inside a private inline module):
    /// what the file's modules re-export.
    pub fn exported(&self) -> impl Iterator<Item = (String, &ImportedName, bool)> {
        (0..self.scopes.len())
            .filter_map(|s| Some((self.module_below_file(s)?, s)))
            .flat_map(move |(module, s)| {
                let hidden = self.in_private_module(s);
                let public = self.scopes[s].names.values().filter(|i| i.public);
                public.map(move |i| (module.clone(), i, hidden || i.crate_only))
            })
    }

    /// Is scope `s` a private inline module of the file, or inside one?
    fn in_private_module(&self, mut s: usize) -> bool {
        loop {
            if self.scopes[s].private {
                return true;
            }
            match self.scopes[s].parent {
                Some(p) => s = p,
                None => return false,
            }
        }
    }

    /// The path of scope `s` below the file's module, where `s` is the
    /// file or an inline module in inline modules (not in a fn's block).
    fn module_below_file(&self, mut s: usize) -> Option<String> {
        let mut names = Vec::new();
        while s != 0 {
            let scope = &self.scopes[s];
            names.push(scope.name.as_deref()?);
            s = scope.parent?;
        }
        names.reverse();
        Some(names.join("::"))
    }

    /// Every import of the file: named ones, and globs (local name `*`).
    pub fn all(&self) -> impl Iterator<Item = &ImportedName> {
        self.scopes
            .iter()
            .flat_map(|s| s.names.values().chain(&s.globs))
    }

    /// The innermost scope around `offset`.
    fn innermost(&self, offset: TextSize) -> usize {
        let mut at = 0;
        for (i, s) in self.scopes.iter().enumerate() {
            if s.range.contains(offset) && s.range.len() <= self.scopes[at].range.len() {
                at = i;
            }
        }
        at
    }

    /// The module around scope `s` (itself if it is one).
    fn module_of(&self, mut s: usize) -> usize {
        while !self.scopes[s].module {
            match self.scopes[s].parent {
                Some(p) => s = p,
                None => break,
            }
        }
        s
    }

    /// What `name` means in scope `s`: its blocks outward up to its module.
    fn find(&self, name: &str, mut s: usize, depth: u32) -> Option<Found<'_>> {
        if depth > 16 {
            return Some(Found::Unknown);
        }
        loop {
            let scope = &self.scopes[s];
            if scope.items.contains(name) {
                return Some(Found::Item);
            }
            if let Some(import) = scope.names.get(name) {
                return Some(Found::Import(import));
            }
            let mut unknown = false;
            let mut provided = None;
            for import in &scope.globs {
                let glob = import.path.trim_end_matches("::*");
                if glob == "super" || glob == "self" {
                    let module = self.module_of(s);
                    let target = if glob == "super" {
                        self.scopes[module].parent.map(|p| self.module_of(p))
                    } else {
                        Some(module)
                    };
                    match target.filter(|&t| t != s) {
                        Some(t) => match self.find(name, t, depth + 1) {
                            Some(Found::Unknown) => unknown = true,
                            Some(found) => provided = provided.or(Some(found)),
                            None => {}
                        },
                        // The parent module is another file.
                        None => unknown = true,
                    }
                    continue;
                }
                match glob_provides(glob, name) {
                    Some(true) => {
                        provided = provided.or(Some(Found::Glob(import, format!("{glob}::{name}"))))
                    }
                    Some(false) => {}
                    None => unknown = true,
                }
            }
            // Two globs may bring the same name: one the tool cannot see
            // into makes the answer unknown.
            if unknown {
                return Some(Found::Unknown);
            }
            if provided.is_some() {
                return provided;
            }
            if scope.module {
                return None;
            }
            s = scope.parent?;
        }
    }

    /// The import that `name` at `offset` resolves to, following
    /// `use super::..` and `use super::*` to the import that names the item.
    pub fn import_for(&self, name: &str, offset: TextSize) -> Option<&ImportedName> {
        self.import_in(name, self.innermost(offset), 0)
    }

    fn import_in(&self, name: &str, s: usize, depth: u32) -> Option<&ImportedName> {
        let import = match self.find(name, s, depth)? {
            Found::Import(import) => import,
            Found::Glob(glob, _) => return Some(glob),
            _ => return None,
        };
        match self.relative(&import.path, s) {
            Some((segs, target)) if segs.len() == 1 && depth < 16 => {
                self.import_in(segs[0], target, depth + 1)
            }
            _ => Some(import),
        }
    }

    /// The `use super::*` glob (its tree) through which `name` at `offset`
    /// comes from the module around the use's module: `None` when an item,
    /// a named import or another glob of the scopes up to that module could
    /// name it.
    pub fn super_glob_for(&self, name: &str, offset: TextSize) -> Option<TextRange> {
        let mut s = self.innermost(offset);
        loop {
            let scope = &self.scopes[s];
            if scope.items.contains(name) || scope.names.contains_key(name) {
                return None;
            }
            let mut supers = scope.globs.iter().filter(|g| g.path == "super::*");
            if let Some(glob) = supers.next() {
                let others_lack_it = scope.globs.iter().all(|g| {
                    g.path == "super::*"
                        || glob_provides(g.path.trim_end_matches("::*"), name) == Some(false)
                });
                return (others_lack_it && supers.next().is_none()).then_some(glob.tree);
            }
            if !scope.globs.is_empty() || scope.module {
                return None;
            }
            s = scope.parent?;
        }
    }

    /// The named imports of the innermost scope around `offset`.
    pub fn named_at(&self, offset: TextSize) -> impl Iterator<Item = &ImportedName> {
        self.scopes[self.innermost(offset)].names.values()
    }

    /// A `self::..`/`super::..` path from scope `s`: the rest of the path and
    /// the module it starts in, when that module is in this file.
    fn relative<'p>(&self, path: &'p str, s: usize) -> Option<(Vec<&'p str>, usize)> {
        let mut segs: Vec<&str> = path.split("::").collect();
        let mut module = self.module_of(s);
        let mut moved = false;
        while let Some(&first) = segs.first() {
            match first {
                "self" => {}
                "super" => module = self.module_of(self.scopes[module].parent?),
                _ => break,
            }
            segs.remove(0);
            moved = true;
        }
        (moved && !segs.is_empty()).then_some((segs, module))
    }

    /// The full path a path's segments refer to at `offset`. Paths that do
    /// not start at a known crate or an import are local to the crate
    /// (prefixed `crate::`).
    pub fn resolve(&self, segs: &[String], offset: TextSize) -> String {
        let (path, via) = canonical_via(
            &self.reexports,
            self.resolve_in(segs, self.innermost(offset), 0),
        );
        if let Some(via) = via {
            self.paths_via.borrow_mut().insert(via);
        }
        path
    }

    /// The re-exports paths resolved so far went through.
    pub fn paths_via(&self) -> Vec<String> {
        self.paths_via.borrow().iter().cloned().collect()
    }

    fn resolve_in(&self, segs: &[String], s: usize, depth: u32) -> String {
        let Some(first) = segs.first() else {
            return String::new();
        };
        let rest = &segs[1..];
        let join = |head: &str| {
            let mut out = head.to_string();
            for seg in rest {
                out.push_str("::");
                out.push_str(seg);
            }
            out
        };
        if (first == "self" || first == "super") && depth < 16 {
            let path = segs.join("::");
            if let Some((tail, module)) = self.relative(&path, s) {
                let tail: Vec<String> = tail.into_iter().map(str::to_string).collect();
                return self.resolve_in(&tail, module, depth + 1);
            }
        }
        match self.find(first, s, depth) {
            Some(Found::Import(import)) => {
                if let Some((tail, module)) = self.relative(&import.path, s) {
                    let mut tail: Vec<String> = tail.into_iter().map(str::to_string).collect();
                    tail.extend(rest.iter().cloned());
                    if depth < 16 {
                        return self.resolve_in(&tail, module, depth + 1);
                    }
                }
                join(&import.path)
            }
            Some(Found::Glob(_, path)) => join(&path),
            // `std::..` is std's even under a glob the tool cannot see into.
            Some(Found::Unknown) | None if EXTERN_ROOTS.contains(&first.as_str()) => join(first),
            Some(Found::Item | Found::Unknown) => join(&format!("crate::{first}")),
            None => join(&format!("crate::{first}")),
        }
    }

    /// Does a module path (`worker`, `crate::stats`, `super::db`) at
    /// `offset` name a module of this crate?
    pub fn is_local_module(&self, segs: &[String], offset: TextSize) -> bool {
        let Some(first) = segs.first() else {
            return false;
        };
        if segs
            .iter()
            .any(|s| s.starts_with(|c: char| c.is_ascii_uppercase()))
        {
            return false;
        }
        if matches!(first.as_str(), "crate" | "self" | "super") {
            return true;
        }
        match self.find(first, self.innermost(offset), 0) {
            Some(Found::Item) => true,
            Some(Found::Import(i)) => ["crate::", "self::", "super::"]
                .iter()
                .any(|p| i.path.starts_with(p)),
            _ => false,
        }
    }
}

impl Scope {
    fn new(range: TextRange, module: bool) -> Scope {
        Scope {
            range,
            module,
            parent: None,
            names: HashMap::new(),
            globs: Vec::new(),
            items: HashSet::new(),
            name: None,
            private: false,
        }
    }

    fn walk(&mut self, tree: &ast::UseTree, prefix: &str, (public, crate_only): (bool, bool)) {
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
                self.walk(&child, &prefix, (public, crate_only));
            }
            return;
        }
        if tree.star_token().is_some() {
            full.push("*".to_string());
            self.globs.push(ImportedName {
                local: "*".to_string(),
                path: full.join("::"),
                tree: tree.syntax().text_range(),
                public,
                crate_only,
                via: None,
            });
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
                public,
                crate_only,
                via: None,
            },
        );
    }
}

/// A path with a crate re-export at its head replaced by what it names,
/// and the re-export it went through, if any.
fn canonical_via(reexports: &ReExports, path: String) -> (String, Option<String>) {
    if reexports.is_empty() || !path.starts_with("crate::") {
        return (path, None);
    }
    let mut end = path.len();
    loop {
        if let Some(target) = reexports.get(&path[..end]) {
            return (
                format!("{target}{}", &path[end..]),
                Some(path[..end].to_string()),
            );
        }
        match path[..end].rfind("::") {
            Some(i) if i > "crate".len() => end = i,
            _ => return (path, None),
        }
    }
}

/// A byte of an identifier.
fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The offsets of `keywords` as whole words in the text (not inside a
/// longer identifier), in order.
fn whole_words(bytes: &[u8], keywords: &[&'static str]) -> Vec<(usize, &'static str)> {
    let mut found: Vec<(usize, &'static str)> = Vec::new();
    for &w in keywords {
        found.extend(
            memchr::memmem::find_iter(bytes, w)
                .filter(|&at| {
                    let before = at.checked_sub(1).map(|i| bytes[i]);
                    let after = bytes.get(at + w.len()).copied();
                    !before.is_some_and(is_ident_byte) && !after.is_some_and(is_ident_byte)
                })
                .map(|at| (at, w)),
        );
    }
    found.sort_unstable();
    found
}

/// A node whose items and `use`s form a scope: a file, an inline module's
/// item list, or a block.
fn is_scope_node(node: &SyntaxNode) -> bool {
    match node.kind() {
        SyntaxKind::SOURCE_FILE | SyntaxKind::STMT_LIST => true,
        SyntaxKind::ITEM_LIST => node
            .parent()
            .is_some_and(|p| p.kind() == SyntaxKind::MODULE),
        _ => false,
    }
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

    /// The file's modules re-export by their path below the file, inline
    /// ones included (not one in a fn's body); an import of one, relative
    /// to its module or by `crate::`, names what it re-exports.
    #[test]
    fn inline_modules_reexport_and_relative_imports_name_them() {
        let src = "mod sync { pub use std::sync::Mutex; mod deep { pub(crate) use std::sync::RwLock; } }\n\
            pub use std::sync::Condvar;\n\
            fn f() { mod hidden { pub use std::sync::Barrier; } }\n\
            use sync::Mutex;\nmod inner { use crate::sync::Mutex as M; /*here*/ }\n";
        let mut exported: Vec<(String, String, bool)> = imports(src)
            .exported()
            .map(|(module, i, crate_only)| (module, i.local.clone(), crate_only))
            .collect();
        exported.sort();
        // Only `Condvar` can be named outside the crate: `sync` is private.
        let want = [
            ("", "Condvar", false),
            ("sync", "Mutex", true),
            ("sync::deep", "RwLock", true),
        ];
        assert_eq!(
            exported,
            want.map(|(m, l, c)| (m.to_string(), l.to_string(), c))
        );
        let reexports: ReExports = [(
            "crate::sync::Mutex".to_string(),
            "std::sync::Mutex".to_string(),
        )]
        .into();
        let offset = TextSize::from(src.find("/*here*/").unwrap() as u32);
        let known = imports(src).with_reexports(&reexports, Some("crate"));
        let resolve = |path: &str| known.resolve(&[path.to_string()], offset);
        assert_eq!(resolve("M"), "std::sync::Mutex");
        let top = TextSize::from(0);
        assert_eq!(
            known.resolve(&["Mutex".to_string()], top),
            "std::sync::Mutex"
        );
        // Relative to another module, `sync` is not this one.
        let other = imports(src).with_reexports(&reexports, Some("crate::net"));
        assert_eq!(other.resolve(&["Mutex".to_string()], top), "sync::Mutex");
    }

    /// What `path` means where the marker `/*here*/` stands in `src`.
    fn at(src: &str, path: &str) -> String {
        let offset = TextSize::from(src.find("/*here*/").expect("a marker") as u32);
        let segs: Vec<String> = path.split("::").map(str::to_string).collect();
        imports(src).resolve(&segs, offset)
    }

    #[test]
    fn groups_aliases_self_and_nesting() {
        let src = "use std::{sync::{self, Arc, Mutex as StdMutex}, collections::HashMap};\n\
                   use parking_lot::RwLock;\nfn f() { /*here*/ }";
        assert_eq!(at(src, "StdMutex"), "std::sync::Mutex");
        assert_eq!(at(src, "sync::Mutex"), "std::sync::Mutex");
        assert_eq!(at(src, "Arc"), "std::sync::Arc");
        assert_eq!(at(src, "RwLock"), "parking_lot::RwLock");
    }

    #[test]
    fn globs_resolve_lock_names() {
        let src = "use std::sync::*; fn f() { /*here*/ }";
        assert_eq!(at(src, "Mutex"), "std::sync::Mutex");
        assert_eq!(at(src, "Other"), "crate::Other");
    }

    #[test]
    fn a_use_is_visible_only_in_its_own_scope() {
        let src = "use tokio::sync::Mutex;\n\
                   mod a { use std::sync::Mutex; }\n\
                   fn g() { use parking_lot::Mutex; }\n\
                   fn f() { /*here*/ }\n\
                   mod tests { use std::sync::Mutex; }";
        assert_eq!(at(src, "Mutex"), "tokio::sync::Mutex");
        let src = "use std::sync::Mutex;\nfn f() { use parking_lot::Mutex; { /*here*/ } }";
        assert_eq!(at(src, "Mutex"), "parking_lot::Mutex");
    }

    #[test]
    fn a_module_sees_its_parent_only_through_super() {
        let src = "use std::sync::Mutex;\nmod m { fn f() { /*here*/ } }";
        assert_eq!(at(src, "Mutex"), "crate::Mutex");
        let src = "use std::sync::Mutex;\nmod m { use super::*; fn f() { /*here*/ } }";
        assert_eq!(at(src, "Mutex"), "std::sync::Mutex");
        let src = "use std::sync::RwLock as L;\nmod m { use super::L; fn f() { /*here*/ } }";
        assert_eq!(at(src, "L"), "std::sync::RwLock");
        // A private import is visible to the modules below it.
        let src = "mod m { use parking_lot::Mutex; mod n { fn f() { /*here*/ } } }";
        assert_eq!(at(src, "super::Mutex"), "parking_lot::Mutex");
    }

    #[test]
    fn items_shadow_imports_and_named_imports_shadow_globs() {
        let src = "use std::sync::*;\nstruct Mutex;\nfn f() { /*here*/ }";
        assert_eq!(at(src, "Mutex"), "crate::Mutex");
        let src = "use std::sync::*;\nuse parking_lot::Mutex;\nfn f() { /*here*/ }";
        assert_eq!(at(src, "Mutex"), "parking_lot::Mutex");
        // A glob the tool cannot see into could bring anything, but not
        // another `std`.
        let src = "use crate::prelude::*;\nuse std::sync::*;\nfn f() { /*here*/ }";
        assert_eq!(at(src, "Mutex"), "crate::Mutex");
        assert_eq!(at(src, "std::fs::read"), "std::fs::read");
    }

    #[test]
    fn imports_through_super_lead_to_the_import_that_names_the_item() {
        let src = "use std::sync::Mutex;\nmod m { use super::*; fn f() { /*here*/ } }";
        let i = imports(src);
        let offset = TextSize::from(src.find("/*here*/").unwrap() as u32);
        let import = i.import_for("Mutex", offset).unwrap();
        assert_eq!(import.path, "std::sync::Mutex");
        assert_eq!(&src[import.tree], "std::sync::Mutex");
    }

    #[test]
    fn a_super_glob_is_found_only_where_it_brings_the_name() {
        fn glob_at(src: &str) -> Option<&str> {
            let offset = TextSize::from(src.find("/*here*/").unwrap() as u32);
            imports(src)
                .super_glob_for("Mutex", offset)
                .map(|r| &src[r])
        }
        let src = "use std::sync::Mutex;\nmod t { use super::*; fn f() { /*here*/ } }";
        assert_eq!(glob_at(src), Some("super::*"));
        let src =
            "use std::sync::Mutex;\nmod t { use super::*; use super::Mutex; fn f() { /*here*/ } }";
        assert_eq!(glob_at(src), None);
        let src =
            "use std::sync::Mutex;\nmod t { use super::*; use other::*; fn f() { /*here*/ } }";
        assert_eq!(glob_at(src), None);
        let src =
            "use std::sync::Mutex;\nmod t { use super::*; use std::fs::*; fn f() { /*here*/ } }";
        assert_eq!(glob_at(src), Some("super::*"));
        let src = "use std::sync::Mutex;\nfn f() { /*here*/ }";
        assert_eq!(glob_at(src), None);
    }
}
