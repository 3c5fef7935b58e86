//! Pass 1: everything one file says about locks, as plain data (no syntax
//! nodes), so files can be analysed in parallel and planned crate-wide.
//!
//! This file holds `extract` and the `Extractor` it fills; `data` holds the
//! facts' types and `walk` the walk over a file (`visit`), which hands each
//! node to one concern a file below, each adding methods to the `Extractor`:
//! - `prefilter`: byte-level tests that decide whether a file can matter;
//! - `keys`: the identities the crate-wide index joins on;
//! - `context`: where code runs (async, sync, detached) and what drives it;
//! - `decls`: fields, statics and aliases typed by a lock, and the paths and
//!   constructors that name a lock type;
//! - `local_decls`: locals and parameters typed by a lock;
//! - `calls`: arguments, struct literals and assignments that carry a lock;
//! - `sites`: lock calls and their receivers; `shapes`: the code around them;
//! - `bindings`: what a name in a body refers to;
//! - `roots`: the lock or guard an expression leads to;
//! - `macros`: which macro arguments are parsed as code;
//! - `expand` (with `macro_arms`): the file's own `macro_rules!` expanded at
//!   their calls;
//! - `macro_tokens`: what the tokens of the other macros name;
//! - `select`: the texts of `select!`'s and `join!`'s arguments that parse;
//! - `guard`: whether a guard is held across an `.await`;
//! - `method_calls`: calls of methods rules watch by name (`blocking_lock`);
//! - `allow`: `// awaitify: allow(..)` comments;
//! - `channels`: std channels a fn body makes, and their migration to tokio;
//! - `barriers`: std barriers a fn body makes, and their migration to tokio;
//! - `locals`: a value followed through a fn body's bindings (both above);
//! - `test_globs`: test modules' `use super::*` a std import can move beside.

use std::collections::{BTreeSet, HashSet};

use ra_ap_syntax::{
    ast::{self, HasArgList, HasGenericArgs, HasName},
    AstNode, Edition, SourceFile, SyntaxKind, SyntaxNode, TextRange, TextSize,
};

use crate::imports::{classify, segments, Family, Imports, LockType};

mod allow;
mod barriers;
mod bindings;
mod calls;
mod channels;
mod context;
mod data;
mod decls;
mod expand;
mod fn_defs;
mod guard;
mod item_macros;
mod keys;
mod local_decls;
mod locals;
mod macro_arms;
mod macro_tokens;
mod macros;
mod method_calls;
mod prefilter;
mod receivers;
mod roots;
mod select;
mod shapes;
mod sites;
mod test_globs;
mod walk;

use allow::*;
pub use barriers::*;
use bindings::*;
pub use calls::spawn_blocking_wrap_at;
use calls::*;
pub use channels::*;
use context::*;
pub use data::*;
pub use decls::*;
pub use fn_defs::{returns_owned, FnDef};
use guard::*;
pub use item_macros::MacroRegion;
pub use keys::*;
use local_decls::*;
use macro_tokens::*;
use macros::*;
pub use method_calls::*;
pub use prefilter::*;
pub use receivers::*;
use shapes::*;
pub use sites::*;

struct Extractor<'a> {
    imports: &'a Imports,
    /// Last path segments that can name a lock type or a std::sync import.
    lock_names: HashSet<String>,
    flow_names: Option<&'a HashSet<String>>,
    /// The context of the node being visited (see `frame_context`).
    ctx: SiteContext,
    /// The innermost fn around it.
    in_fn: Option<FnId>,
    /// The task it runs in: the innermost async fn, closure or block around
    /// it (through non-async closures inside it).
    task: Option<Task>,
    /// Only blocking calls, calls and loops are extracted (see `extract`).
    blocking_only: bool,
    /// Functions the configuration declares blocking.
    user_blocking: &'a [crate::settings::UserBlocking],
    /// The rules' detection of blocking calls.
    detectors: &'a crate::blocking::Detectors,
    file_id: usize,
    edition: Edition,
    facts: FileFacts,
    /// The file's root, and the shift of the macro being visited (see `visit`).
    root: SyntaxNode,
    shift: u32,
    /// While code parsed out of a macro's tokens is visited: the macro call
    /// in the file (the outermost, for a macro inside another's arguments).
    macro_call: Option<SyntaxNode>,
    /// The file names `spawn_blocking` or `block_in_place`: only then can
    /// a fn hand its closure parameter to the blocking pool.
    names_blocking_pool: bool,
    /// What drives the code at a node, for the nodes a walk in `driver`
    /// went through: the calls of one fn share their ancestors.
    drivers: std::cell::RefCell<std::collections::HashMap<SyntaxNode, Driver>>,
    /// The `use super::*` globs looked at, and what each is if it is a test
    /// module's (see `test_globs`).
    test_globs: std::cell::RefCell<std::collections::HashMap<TextRange, Option<TestGlob>>>,
    /// The file's structs by name and its enums' names, read once, on
    /// first use (receiver types look them up for every method call).
    own_items: std::cell::OnceCell<method_calls::OwnItems>,
    /// The file's fns by key, read once, on first use (a value's type may
    /// be what one of them declares it returns).
    own_fns: std::cell::OnceCell<std::collections::HashMap<FnId, Vec<ast::Fn>>>,
    /// The size each outermost fn shows (`heavy_loops::size_hint`), by
    /// its range: read once per fn, for the calls in async code it holds.
    size_hints: std::cell::RefCell<std::collections::HashMap<TextRange, Option<u64>>>,
    /// Whether the code of each fn (by its range) is test code, read once
    /// per fn, for the calls in async code it holds.
    test_fns: std::cell::RefCell<std::collections::HashMap<TextRange, bool>>,
    /// What each call of a chain is among the crate's own types
    /// (`own_receiver`), read once: each call of `a.b().c()` is the
    /// receiver of the next.
    own_calls: std::cell::RefCell<rustc_hash::FxHashMap<SyntaxNode, Option<OwnReceiver>>>,
    /// The file is a test unit's (see `CrateContext::test_unit`).
    test_unit: bool,
}

/// Extracts a file's facts. `flow_names`, when given, limits the flows
/// recorded (arguments, struct literal fields, assignments) to those that
/// name a known declaration: enough for files that name no lock type.
/// `blocking_only` extracts just what the blocking rules need (calls,
/// blocking calls, loops), for files read only for those.
pub fn extract(
    file: &SourceFile,
    text: &str,
    file_id: usize,
    edition: Edition,
    flow_names: Option<&HashSet<String>>,
    blocking_only: bool,
    krate: &CrateContext,
) -> FileFacts {
    let reader = Reader {
        file_id,
        edition,
        flow_names,
        blocking_only,
        krate,
    };
    let mut facts = reader.read(file, text);
    // The file's own macros that lock, expanded at their calls.
    let calls_own_macros = !facts.unexpanded_macro_calls.is_empty() && text.contains("macro_rules");
    let expansions = (!blocking_only && calls_own_macros)
        .then(|| expand::expand(file, text))
        .flatten();
    if let Some(expansions) = expansions {
        let parsed = crate::parse::parse(&expansions.text, edition);
        if parsed.error.is_none() {
            expansions.merge(&mut facts, reader.read(&parsed.tree, &expansions.text));
        }
    }
    facts
}

/// How `extract` reads a text: the file's and the crate's settings.
#[derive(Clone, Copy)]
struct Reader<'a> {
    file_id: usize,
    edition: Edition,
    flow_names: Option<&'a HashSet<String>>,
    blocking_only: bool,
    krate: &'a CrateContext<'a>,
}

impl Reader<'_> {
    /// The facts of `text` as it is (its tree `file`).
    fn read(&self, file: &SourceFile, text: &str) -> FileFacts {
        let Reader {
            file_id,
            edition,
            flow_names,
            blocking_only,
            krate,
        } = *self;
        let user_blocking = krate.user_blocking;
        // Calls of a pasting macro are read as the modules they expand to.
        let expanded = text
            .contains("macro_rules")
            .then(|| item_macros::read_as_modules(file, text))
            .flatten()
            .map(|(read, regions)| (crate::parse::parse(&read, edition), regions))
            .filter(|(parsed, _)| parsed.error.is_none());
        let (file, macro_regions) = match &expanded {
            Some((parsed, regions)) => (&parsed.tree, regions.clone()),
            None => (file, Vec::new()),
        };
        let imports = Imports::collect(file, text).with_reexports(krate.reexports, krate.module);
        let (facts, lock_names) = import_facts(&imports);
        let mut ex = Extractor {
            imports: &imports,
            file_id,
            edition,
            facts,
            lock_names,
            flow_names,
            ctx: SiteContext::Item,
            in_fn: None,
            task: None,
            blocking_only,
            user_blocking,
            detectors: krate.detectors,
            root: file.syntax().clone(),
            shift: 0,
            macro_call: None,
            names_blocking_pool: text.contains("spawn_blocking") || text.contains("block_in_place"),
            drivers: Default::default(),
            test_globs: Default::default(),
            own_items: Default::default(),
            own_fns: Default::default(),
            size_hints: Default::default(),
            test_fns: Default::default(),
            own_calls: Default::default(),
            test_unit: krate.test_unit,
        };
        ex.facts.imports.sort_by_key(|i| i.2.start());
        if text.contains("awaitify") {
            (ex.facts.allows, ex.facts.malformed_allows) = allow_comments(file, text);
        }
        ex.facts.paused_clock = text.contains("start_paused") || text.contains("time::pause()");
        ex.visit_in_context(file);
        let mut facts = ex.facts;
        facts.paths_via = imports.paths_via();
        for region in &macro_regions {
            for d in facts
                .decls
                .iter_mut()
                .filter(|d| region.range.contains_range(d.range))
            {
                d.blockers.push(region.reason());
            }
        }
        facts.macro_regions = macro_regions;
        locals::couple(&mut facts.barriers, "it");
        locals::couple(&mut facts.channels, "an end");
        prune_own_receivers(&mut facts, blocking_only);
        keep_no_spare_capacity(&mut facts);
        facts
    }
}

/// What a file's `use`s tell before its code is read: the fns it imports,
/// the tracked imports (and the lock types it re-exports), and the last
/// path segments that can name a lock type in it.
fn import_facts(imports: &Imports) -> (FileFacts, HashSet<String>) {
    let mut lock_names: HashSet<String> = [
        "Mutex",
        "RwLock",
        "MutexGuard",
        "RwLockReadGuard",
        "RwLockWriteGuard",
    ]
    .map(String::from)
    .into();
    let mut facts = FileFacts::default();
    for import in imports.all() {
        let last = import.path.rsplit("::").next().unwrap_or_default();
        if import.local != "*" && last.starts_with(|c: char| c.is_ascii_lowercase()) {
            facts
                .imported_fns
                .push((last.into(), import.local.as_str().into()));
        }
        let path = import.path.clone();
        if tracked_import(&path) {
            // Only the lock types and what waits or holds one matter to
            // other modules' resolution (a lock in an `Arc`, a wait on a
            // re-exported `Condvar`); not atomics, which crates re-export
            // widely.
            let sync_item = matches!(
                path.as_str(),
                "std::sync::Arc" | "std::sync::Condvar" | "std::sync::Barrier" | "std::sync::mpsc"
            );
            if import.public && (sync_item || classify(&path).is_some()) {
                let module = imports.exported().find(|(_, e, _)| e.tree == import.tree);
                if let Some((module, _, crate_only)) = module {
                    let local = match module.is_empty() {
                        true => import.local.clone(),
                        false => format!("{module}::{}", import.local),
                    };
                    facts.reexports.push(ReExport {
                        local,
                        path: path.clone(),
                        tree: import.tree,
                        crate_only,
                    });
                }
            }
            if let Some(via) = &import.via {
                facts.imports_via.push((import.tree, via.clone()));
            }
            // A glob: every name it brings in is counted, so that one the
            // migration leaves unused can be replaced.
            let members = path
                .strip_suffix("::*")
                .and_then(crate::imports::glob_members)
                .unwrap_or_default();
            lock_names.extend(members.iter().map(|m| m.to_string()));
            facts
                .imports
                .push((import.local.clone(), path, import.tree));
            lock_names.insert(import.local.clone());
        }
    }
    (facts, lock_names)
}

/// Facts live until the crate is planned: keep no spare capacity.
fn keep_no_spare_capacity(f: &mut FileFacts) {
    f.calls.shrink_to_fit();
    f.decls.shrink_to_fit();
    f.sites.shrink_to_fit();
    f.links.shrink_to_fit();
    f.macro_uses.shrink_to_fit();
    f.name_uses.shrink_to_fit();
    f.imported_fns.shrink_to_fit();
    f.public_fns.shrink_to_fit();
    f.async_methods.shrink_to_fit();
    f.struct_fields.shrink_to_fit();
    f.field_types.shrink_to_fit();
    f.blocking.shrink_to_fit();
    f.own_types.shrink_to_fit();
    f.trait_impls.shrink_to_fit();
    f.field_receivers.shrink_to_fit();
    f.async_values.shrink_to_fit();
}

/// The full facts of `src`, as a file of a crate with no configuration, for
/// unit tests.
#[cfg(test)]
pub(crate) fn facts_of(src: &str) -> FileFacts {
    extract(
        &SourceFile::parse(src, Edition::Edition2021).tree(),
        src,
        0,
        Edition::Edition2021,
        None,
        false,
        &CrateContext {
            user_blocking: &[],
            detectors: crate::rules::detectors(),
            reexports: &Default::default(),
            module: None,
            test_unit: false,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(src: &str) -> FileFacts {
        facts_of(src)
    }

    #[test]
    fn files_are_analysed_only_where_a_declaration_can_be_reached() {
        let names: HashSet<String> = [
            "inner".to_string(),
            "helper".to_string(),
            "CACHE".to_string(),
        ]
        .into();
        assert!(needs_analysis("x.inner.lock()", &names));
        assert!(needs_analysis("S { inner: v }", &names));
        assert!(needs_analysis("helper(&self.inner)", &names));
        assert!(needs_analysis("CACHE", &names));
        assert!(needs_analysis("debug!(\"{}\", self.inner.len())", &names));
        assert!(!needs_analysis("self.inner.len()", &names));
        assert!(!needs_analysis(
            "println!(\"{}\", self.inner.len())",
            &names
        ));
        assert!(!needs_analysis(
            "let inner = 1; inner::thing(); winner.lock()",
            &names
        ));
    }

    #[test]
    fn a_file_calls_a_fn_only_where_its_name_is_followed_by_arguments() {
        assert!(calls_word("tokio::spawn(task(1))", "task"));
        assert!(calls_word("x.task ::<u8>()", "task"));
        assert!(!calls_word("use tokio::task; task::spawn(f)", "task"));
        assert!(!calls_word("subtask()", "task"));
    }

    #[test]
    fn if_let_some_binding_resolves_to_the_scrutinee() {
        let f = facts("use std::sync::Mutex;\nstruct S { m: Option<Mutex<u8>> }\nimpl S { async fn f(&self) { if let Some(m) = &self.m { *m.lock().unwrap() += 1; } } }");
        assert_eq!(f.sites.len(), 1, "{f:#?}");
        assert_eq!(
            f.sites[0].target,
            Target::Field {
                name: "m".into(),
                owner: Some("S".into())
            }
        );
    }
}
