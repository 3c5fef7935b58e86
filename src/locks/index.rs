//! The crate-wide lock index: every lock declaration of the crate's files,
//! and how a place that code names (a field, a static, a fn's parameter or
//! return value) resolves to the declarations it can mean, as code in one
//! compilation unit sees them.

use std::collections::{BTreeSet, HashMap, HashSet};

use ra_ap_syntax::TextRange;

use super::Loc;
use crate::facts::{DeclFact, DeclKey, FileFacts, FnId, ModulePath, Name, Target};
use crate::imports::{Family, LockType};

pub(super) struct Decl {
    pub(super) key: DeclKey,
    pub(super) file: usize,
    pub(super) display: String,
    pub(super) lock: LockType,
    pub(super) family: Family,
    pub(super) range: TextRange,
    pub(super) blockers: Vec<(Loc, String)>,
    /// See `DeclFact::unsafe_premise`.
    pub(super) unsafe_premise: Option<String>,
    pub(super) type_names: Vec<String>,
    pub(super) exported: bool,
    /// A guard parameter: never the lock a group is named after.
    pub(super) guard: bool,
    /// Typed as the lock itself (or behind a pointer): see `DeclFact`.
    pub(super) direct: bool,
    /// The module it is declared in (`crate::worker::tests`), empty where
    /// the file's module is unknown.
    pub(super) module: String,
}

pub(super) struct Resolved {
    pub(super) ids: Vec<usize>,
    pub(super) ambiguous: bool,
}

/// A compilation unit of the crate: 0 is `src/`, each integration test,
/// example and bench is another. Code in a unit sees its own items, those of
/// the module directories its kind shares (`tests/common/`) and those of
/// `src/`, never another test's.
pub(crate) type Unit = u32;

/// Each file's unit, and what each unit's code sees.
pub(crate) struct Units {
    of: Vec<Unit>,
    /// By unit: the units whose items its code sees, its own first and
    /// `src/`'s last.
    sees: Vec<Vec<Unit>>,
}

impl Units {
    /// Units by the `unit` the files' facts name.
    pub(super) fn new(files: &[&FileFacts]) -> Units {
        let mut ids: HashMap<&str, Unit> = HashMap::from([("", 0)]);
        let mut shared: Vec<(&str, Unit)> = Vec::new();
        let of = files
            .iter()
            .map(|f| {
                let next = ids.len() as Unit;
                let id = *ids.entry(f.unit.as_str()).or_insert(next);
                if f.shared_unit && id == next {
                    shared.push((f.unit.split('/').next().unwrap_or_default(), id));
                }
                id
            })
            .collect();
        let mut sees = vec![Vec::new(); ids.len()];
        for (name, &id) in &ids {
            let kind = name.split('/').next().unwrap_or_default();
            sees[id as usize].push(id);
            if id != 0 {
                let others = shared.iter().filter(|(k, s)| *k == kind && *s != id);
                sees[id as usize].extend(others.map(|(_, s)| *s));
                sees[id as usize].push(0);
            }
        }
        Units { of, sees }
    }

    pub(crate) fn sees(&self, unit: Unit) -> &[Unit] {
        &self.sees[unit as usize]
    }
}

impl std::ops::Deref for Units {
    type Target = [Unit];

    fn deref(&self) -> &[Unit] {
        &self.of
    }
}

pub(super) struct Index {
    pub(super) decls: Vec<Decl>,
    by_key: HashMap<(Unit, DeclKey), usize>,
    /// Methods' parameters and return values by unit and method name, for
    /// `x.name(..)` calls whose receiver type is unknown.
    methods: HashMap<(Unit, Name), Vec<usize>>,
    /// field name → the structs (by unit) that have it.
    fields_by_name: HashMap<String, HashSet<(Unit, String)>>,
    /// Structs by unit and name, and the files that declare one so named.
    structs: HashMap<(Unit, String), BTreeSet<usize>>,
    /// `Deref` impls by unit and type: the `Target` type's name.
    derefs: HashMap<(Unit, String), String>,
    /// The type each struct field is about, by unit, struct and field.
    field_types: HashMap<(Unit, String, String), String>,
    /// Keys that several declarations share (items of the same name in
    /// different modules), with all of them.
    namesakes: HashMap<(Unit, DeclKey), Vec<usize>>,
    /// By unit: the units its code sees (see [`Units`]).
    sees: Vec<Vec<Unit>>,
    /// By file: its module in its unit (`crate::worker`), or empty.
    modules: Vec<String>,
}

impl Index {
    pub(super) fn build(files: &[&FileFacts], units: &Units) -> Index {
        let mut index = Index {
            sees: units.sees.clone(),
            modules: files.iter().map(|f| f.module.clone()).collect(),
            decls: Vec::new(),
            by_key: HashMap::new(),
            methods: HashMap::new(),
            fields_by_name: HashMap::new(),
            structs: HashMap::new(),
            derefs: HashMap::new(),
            field_types: HashMap::new(),
            namesakes: HashMap::new(),
        };
        let mut candidates = Vec::new();
        for (file, facts) in files.iter().enumerate() {
            let unit = units[file];
            for (owner, field) in &facts.struct_fields {
                index
                    .fields_by_name
                    .entry(field.clone())
                    .or_default()
                    .insert((unit, owner.clone()));
                index
                    .structs
                    .entry((unit, owner.clone()))
                    .or_default()
                    .insert(file);
            }
            for (ty, target) in &facts.derefs {
                index.derefs.insert((unit, ty.clone()), target.clone());
            }
            for (owner, field, ty) in &facts.field_types {
                let key = (unit, owner.clone(), field.clone());
                index.field_types.insert(key, ty.clone());
            }
            for d in &facts.decls {
                if d.family == Family::Tokio {
                    candidates.push((file, d));
                    continue;
                }
                index.add(file, unit, d, d.lock, d.family);
            }
        }
        // Declarations whose type is a lock type alias.
        for (file, d) in candidates {
            let unit = units[file];
            let alias = d
                .type_names
                .iter()
                .find_map(|n| index.get(unit, DeclKey::Alias(n.into())));
            if let Some(alias) = alias {
                let (lock, family) = (index.decls[alias].lock, index.decls[alias].family);
                index.add(file, unit, d, lock, family);
            }
        }
        index
    }

    /// The declarations with `key` as code of `file` in `unit` sees them:
    /// of several namesakes, the one in that file, else all, ambiguous.
    fn lookup(&self, unit: Unit, key: DeclKey, file: usize) -> Resolved {
        let Some((unit, id)) = self.find(unit, &key) else {
            return Resolved {
                ids: Vec::new(),
                ambiguous: false,
            };
        };
        match self.namesakes.get(&(unit, key)) {
            None => Resolved {
                ids: vec![id],
                ambiguous: false,
            },
            Some(all) => {
                let own: Vec<usize> = all
                    .iter()
                    .copied()
                    .filter(|&i| self.decls[i].file == file)
                    .collect();
                match own.len() {
                    1 => Resolved {
                        ids: own,
                        ambiguous: false,
                    },
                    _ => Resolved {
                        ids: all.clone(),
                        ambiguous: true,
                    },
                }
            }
        }
    }

    /// The declaration with `key` as code in `unit` sees it: its own, or
    /// one of a unit it sees (see [`Units`]).
    pub(super) fn get(&self, unit: Unit, key: DeclKey) -> Option<usize> {
        self.find(unit, &key).map(|(_, id)| id)
    }

    /// `get`, with the unit the declaration was found in.
    fn find(&self, unit: Unit, key: &DeclKey) -> Option<(Unit, usize)> {
        let mut k = (unit, key.clone());
        self.sees[unit as usize].iter().find_map(|&u| {
            k.0 = u;
            self.by_key.get(&k).map(|&id| (u, id))
        })
    }

    /// Adds a declaration, as a lock of `family` and `lock` (an alias's, for
    /// a declaration typed with a lock type alias).
    fn add(&mut self, file: usize, unit: Unit, d: &DeclFact, lock: LockType, family: Family) {
        let loc = Loc {
            file,
            range: d.range,
        };
        let files_module = self.modules[file].as_str();
        let key = (unit, d.key.clone());
        let id = self.decls.len();
        if let DeclKey::Param { func, .. } | DeclKey::Ret(func) = &d.key {
            if func.ty.is_some() {
                self.methods
                    .entry((unit, func.name.clone()))
                    .or_default()
                    .push(id);
            }
        }
        match self.by_key.get(&key) {
            // Another module's item of the same name (`fn run` in two
            // modules): code in a file means its own; elsewhere, either.
            Some(&first) => self.namesakes.entry(key).or_insert(vec![first]).push(id),
            None => {
                self.by_key.insert(key, id);
            }
        }
        self.decls.push(Decl {
            key: d.key.clone(),
            file,
            display: d.display.clone(),
            lock,
            family,
            range: d.range,
            blockers: d
                .blockers
                .iter()
                .map(|b| (loc.clone(), b.clone()))
                .collect(),
            unsafe_premise: d.unsafe_premise.clone(),
            type_names: d.type_names.clone(),
            exported: d.exported,
            guard: d.guard,
            direct: d.direct,
            module: match (files_module, d.module.as_str()) {
                ("", _) => String::new(),
                (m, "") => m.to_string(),
                (m, inline) => format!("{m}::{inline}"),
            },
        });
    }

    /// The parameters (`Some(index)`) or return values (`None`) of the
    /// methods named `name` that code of `unit` sees, of any type.
    fn methods_named(&self, unit: Unit, name: &str, index: Option<usize>) -> Vec<usize> {
        let mut ids: Vec<usize> = self.sees[unit as usize]
            .iter()
            .filter_map(|&u| self.methods.get(&(u, name.into())))
            .flatten()
            .copied()
            .filter(|&id| match (&self.decls[id].key, index) {
                (DeclKey::Param { index: i, .. }, Some(index)) => *i == index,
                (DeclKey::Ret(_), None) => true,
                _ => false,
            })
            .collect();
        ids.sort();
        ids.dedup();
        ids
    }

    /// The declarations `t`, written in `file` (of `unit`), can refer to:
    /// of several items of one name, the file's own is the one it means.
    pub(super) fn resolve(&self, t: &Target, unit: Unit, file: usize) -> Resolved {
        let one = |key: DeclKey| self.lookup(unit, key, file);
        match t {
            Target::Key(k) => one(k.clone()),
            Target::Static(n) => one(DeclKey::Static(n.into())),
            Target::Field { name, owner } => self.field(name, owner.as_ref(), unit, file),
            Target::FieldPath {
                root,
                through,
                name,
            } => {
                let owner = self.type_through(root, through, unit);
                self.field(name, owner.as_ref(), unit, file)
            }
            Target::Call {
                name,
                qual,
                method,
                module,
            } => {
                let call = (unit, file, module.as_ref());
                self.fn_like(call, None, name, qual, *method)
            }
            Target::Param {
                name,
                qual,
                method,
                index,
                module,
            } => {
                let call = (unit, file, module.as_ref());
                self.fn_like(call, Some(*index), name, qual, *method)
            }
        }
    }

    /// The type whose field `owner.name` is: `owner` itself, or, where it
    /// has no field `name` but a `Deref` impl, its target's (followed a few
    /// steps: `Env` → `Inner`).
    fn deref_owner(&self, owner: &str, name: &str, unit: Unit) -> String {
        let has_field = |o: &str| {
            self.fields_by_name.get(name).is_some_and(|owners| {
                self.sees[unit as usize]
                    .iter()
                    .any(|&u| owners.contains(&(u, o.to_string())))
            })
        };
        let mut owner = owner.to_string();
        for _ in 0..4 {
            if has_field(&owner) {
                break;
            }
            let target = self.sees[unit as usize]
                .iter()
                .find_map(|&u| self.derefs.get(&(u, owner.clone())));
            match target {
                Some(t) => owner = t.clone(),
                None => break,
            }
        }
        owner
    }

    /// The type of `root.through[0].through[1]..`, where every field on the
    /// way has a declared type (through `Deref` impls too).
    fn type_through(&self, root: &str, through: &[String], unit: Unit) -> Option<String> {
        let mut ty = root.to_string();
        for field in through {
            let owner = self.deref_owner(&ty, field, unit);
            ty = self.sees[unit as usize]
                .iter()
                .find_map(|&u| self.field_types.get(&(u, owner.clone(), field.clone())))?
                .clone();
        }
        Some(ty)
    }

    /// The declarations a field `name` of `owner` (a struct's or a variant's
    /// name, if code shows it) can be, written in `file` of `unit`.
    fn field(&self, name: &str, owner: Option<&String>, unit: Unit, file: usize) -> Resolved {
        let one = |key: DeclKey| self.lookup(unit, key, file);
        let owner = owner.map(|o| self.deref_owner(o, name, unit));
        let owner = owner.as_ref();
        if let Some(owner) = owner {
            let declared = self.sees[unit as usize]
                .iter()
                .find_map(|&u| self.structs.get(&(u, owner.clone())));
            if let Some(files) = declared {
                let found = one(DeclKey::Field {
                    owner: owner.into(),
                    name: name.into(),
                });
                if files.len() == 1 {
                    return found;
                }
                // Several structs of this name: the one this file
                // declares, or, if it declares none, any of them.
                return match file {
                    f if files.contains(&f) => Resolved {
                        ids: found
                            .ids
                            .into_iter()
                            .filter(|&id| self.decls[id].file == f)
                            .collect(),
                        ambiguous: false,
                    },
                    _ => Resolved {
                        ambiguous: !found.ids.is_empty(),
                        ids: found.ids,
                    },
                };
            }
        }
        // `Live(m)` under `use Conn::*`: the variant of that name
        // in an enum this code sees.
        if let Some(variant) = owner.as_ref().filter(|o| !o.contains("::")) {
            let suffix = format!("::{variant}");
            let mut variants: Vec<&(Unit, String)> = self
                .structs
                .keys()
                .filter(|(u, o)| o.ends_with(&suffix) && self.sees[unit as usize].contains(u))
                .collect();
            variants.sort();
            let ids = self.fields_of(&variants, name);
            if !variants.is_empty() {
                return Resolved {
                    ambiguous: variants.len() > 1 && !ids.is_empty(),
                    ids,
                };
            }
        }
        // A positional field is never matched by its index alone:
        // `x.0` of a tuple, `Some(x)`, `Ok(x)`.
        if name.starts_with(|c: char| c.is_ascii_digit()) {
            return Resolved {
                ids: Vec::new(),
                ambiguous: false,
            };
        }
        let owners: Vec<&(Unit, String)> = self
            .fields_by_name
            .get(name)
            .into_iter()
            .flatten()
            .filter(|(u, _)| self.sees[unit as usize].contains(u))
            .collect();
        let mut ids = self.fields_of(&owners, name);
        ids.sort();
        Resolved {
            ambiguous: owners.len() > 1 && !ids.is_empty(),
            ids,
        }
    }

    /// The `index`-th parameter (or, for `None`, the return value) of the
    /// fn or method a call names.
    fn fn_like(
        &self,
        (unit, file, module): (Unit, usize, Option<&ModulePath>),
        index: Option<usize>,
        name: &str,
        qual: &Option<String>,
        method: bool,
    ) -> Resolved {
        let key = |func: FnId| match index {
            Some(index) => DeclKey::Param { func, index },
            None => DeclKey::Ret(func),
        };
        match (qual, method) {
            // Of fns of one name in different modules, code means its own
            // file's, else the call is ambiguous.
            (Some(q), _) => self.lookup(unit, key(FnId::method(q, name)), file),
            (None, false) => {
                let key = key(FnId::free(name));
                self.in_module(unit, &key, module, file)
                    .unwrap_or_else(|| self.lookup(unit, key, file))
            }
            (None, true) => {
                let ids = self.methods_named(unit, name, index);
                Resolved {
                    ambiguous: ids.len() > 1,
                    ids,
                }
            }
        }
    }

    /// Of fns of one name in different modules, the one in the module a call
    /// names (`a::run`, `use crate::a::run;`, `run` of its own module),
    /// where it can tell.
    fn in_module(
        &self,
        unit: Unit,
        key: &DeclKey,
        module: Option<&ModulePath>,
        file: usize,
    ) -> Option<Resolved> {
        let (unit, _) = self.find(unit, key)?;
        let all = self.namesakes.get(&(unit, key.clone()))?;
        let here = &self.modules[file];
        let full = match module? {
            ModulePath::Crate(m) => m.clone(),
            ModulePath::Here(_) if here.is_empty() => return None,
            ModulePath::Here(rel) if rel.is_empty() => here.clone(),
            ModulePath::Here(rel) => format!("{here}::{rel}"),
        };
        match all
            .iter()
            .filter(|&&id| self.decls[id].module == full)
            .collect::<Vec<_>>()[..]
        {
            [&id] => Some(Resolved {
                ids: vec![id],
                ambiguous: false,
            }),
            _ => None,
        }
    }

    /// The field `name` of each of `owners` (struct or variant, by unit).
    fn fields_of(&self, owners: &[&(Unit, String)], name: &str) -> Vec<usize> {
        let field = |o: &str| DeclKey::Field {
            owner: o.into(),
            name: name.into(),
        };
        owners
            .iter()
            .filter_map(|(u, o)| self.get(*u, field(o)))
            .collect()
    }

    /// The first candidate that names exactly one declaration.
    pub(super) fn first_owner(
        &self,
        candidates: &[Target],
        unit: Unit,
        file: usize,
    ) -> Option<usize> {
        candidates.iter().find_map(|t| {
            let r = self.resolve(t, unit, file);
            (r.ids.len() == 1 && !r.ambiguous).then(|| r.ids[0])
        })
    }

    /// The name a declaration is known by in code (`db` of `AppState.db`).
    pub(super) fn simple_name(&self, id: usize) -> String {
        let d = &self.decls[id];
        match &d.key {
            DeclKey::Field { name, .. } | DeclKey::Static(name) => name.to_string(),
            _ => d.display.split('`').nth(1).unwrap_or_default().to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::facts;
    use super::*;

    fn file_of(unit: &str, shared: bool) -> FileFacts {
        FileFacts {
            unit: unit.into(),
            shared_unit: shared,
            ..FileFacts::default()
        }
    }

    #[test]
    fn a_test_sees_itself_the_shared_test_modules_and_src_only() {
        let files = [
            file_of("", false),
            file_of("tests/a", false),
            file_of("tests/common", true),
            file_of("tests/b", false),
            file_of("examples/x", false),
            file_of("tests/a", false),
        ];
        let units = Units::new(&files.iter().collect::<Vec<_>>());
        assert_eq!(units[..], [0, 1, 2, 3, 4, 1]);
        assert_eq!(units.sees(0), [0]);
        assert_eq!(units.sees(1), [1, 2, 0]);
        assert_eq!(units.sees(3), [3, 2, 0]);
        // A shared test module sees `src/`, and nothing of another kind.
        assert_eq!(units.sees(2), [2, 0]);
        assert_eq!(units.sees(4), [4, 0]);
    }

    #[test]
    fn a_field_resolves_by_its_owner_else_to_every_struct_with_it() {
        let src = "use std::sync::Mutex;\nstruct A { m: Mutex<u32> }\nstruct B { m: Mutex<u32>, n: Mutex<u32> }\n";
        let f = facts(src);
        let files = [&f];
        let units = Units::new(&files);
        let index = Index::build(&files, &units);
        let field = |name: &str, owner: Option<&str>| Target::Field {
            name: name.into(),
            owner: owner.map(String::from),
        };
        let displays = |r: Resolved| {
            let ds = r.ids.iter().map(|&id| index.decls[id].display.as_str());
            (ds.collect::<Vec<_>>(), r.ambiguous)
        };
        let of_b = index.resolve(&field("m", Some("B")), 0, 0);
        assert_eq!(displays(of_b), (vec!["`B.m`"], false));
        let unknown = index.resolve(&field("m", None), 0, 0);
        assert_eq!(displays(unknown), (vec!["`A.m`", "`B.m`"], true));
        let only = index.resolve(&field("n", None), 0, 0);
        assert_eq!(displays(only), (vec!["`B.n`"], false));
        let positional = index.resolve(&field("0", None), 0, 0);
        assert_eq!(displays(positional), (vec![], false));
    }

    #[test]
    fn a_field_through_a_deref_newtype_is_its_targets() {
        use super::super::testing::{plan_of, report};
        let src = "use std::ops::Deref;\nuse std::sync::{Arc, Mutex};\nstruct Inner { errors: Mutex<Vec<String>> }\nstruct Env(Arc<Inner>);\nimpl Deref for Env {\n    type Target = Inner;\n    fn deref(&self) -> &Inner { &self.0 }\n}\nimpl Env { fn count(&self) -> usize { 0 } }\nasync fn f(env: Env) { env.errors.lock().unwrap().push(String::new()); }\n";
        let plan = plan_of(src);
        assert_eq!(
            report(&plan, "Inner.errors").decision,
            super::super::Decision::Migrate
        );
    }
}
