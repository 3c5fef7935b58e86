//! Pass 2: the crate-wide lock index. Declarations that values flow between
//! are joined into groups, every group gets one decision (migrate, keep,
//! manual, report), and a migrating group yields the edits of all its files.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use ra_ap_syntax::{TextRange, TextSize};

use crate::config::Policy;
use crate::edit::Edit;
use crate::facts::{
    DeclKey, FileFacts, FnId, ModulePath, Name, NameUse, SiteContext, SiteFact, SiteShape, Target,
};
use crate::imports::{Family, LockType};
use crate::layout;

/// A lock that is public API of a library: migrating it changes its type
/// for every crate that names it, which no check inside the crate can see.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PublicApi {
    /// Reported (AW102), left as it is: the default.
    Report,
    /// Migrated as an unsafe fix (`--unsafe-fixes`).
    MigrateUnsafe,
    /// Migrated, on the configuration's word (`public-api = "migrate"`).
    Migrate,
}

/// Why a lock of a library's public API is left alone, and the ways out.
pub const PUBLIC_API_BLOCKER: &str = "it is public API of a library; migrating it is a breaking change: make it private behind methods, or opt in with `--unsafe-fixes` or `public-api = \"migrate\"` in the configuration";

#[derive(Clone, Debug)]
pub struct PlanOptions {
    pub policy: Policy,
    pub parking_lot: bool,
    /// Apply fixes that may change behaviour (`tokio::process`).
    pub unsafe_fixes: bool,
    /// What to do with locks that are public API of a library.
    pub public_api: PublicApi,
    /// Rules selected and ignored; a finding of a rule that is off is neither
    /// reported nor fixed.
    pub rules: crate::rules::RuleFilter,
    /// How the crate's manifest declares tokio; `None` without a manifest.
    pub tokio: Option<crate::manifest::TokioUse>,
    /// What the compiler showed about an earlier plan of the crate.
    pub referee: Referee,
}

/// The compiler's corrections to a plan (see `verify`): declarations to join
/// into one lock group, and fixes to withdraw. Places are declarations' (or
/// blocking calls') ranges in the unchanged files, which stay the same from
/// one plan of a crate to the next.
#[derive(Clone, Debug, Default)]
pub struct Referee {
    /// Pairs of declarations that hold the same lock.
    pub joined: Vec<(Loc, Loc)>,
    /// A lock group with a declaration here, or a blocking call here, is not
    /// fixed, for this reason.
    pub withdrawn: Vec<(Loc, String)>,
}

impl Referee {
    /// Why the fix at `at` is withdrawn, if it is.
    pub fn withdrawn(&self, at: &Loc) -> Option<&str> {
        let found = self.withdrawn.iter().find(|(l, _)| l == at);
        found.map(|(_, reason)| reason.as_str())
    }
}

/// A place in a file of the crate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Loc {
    pub file: usize,
    pub range: TextRange,
}

impl Ord for Loc {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.file, self.range.start(), self.range.end()).cmp(&(
            other.file,
            other.range.start(),
            other.range.end(),
        ))
    }
}

impl PartialOrd for Loc {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    Migrate,
    Manual(Vec<(Loc, String)>),
    /// Held only briefly (policy `held-across-await`): kept, with a note.
    KeepShort,
    /// parking_lot, not opted in.
    ReportParkingLot,
}

impl Decision {
    /// The rule a group with this decision is reported under.
    pub fn rule(&self) -> &'static crate::rules::Rule {
        use crate::rules;
        match self {
            Decision::Migrate => &rules::STD_LOCK_IN_ASYNC,
            Decision::Manual(_) => &rules::MANUAL_LOCK_MIGRATION,
            Decision::ReportParkingLot => &rules::PARKING_LOT_IN_ASYNC,
            Decision::KeepShort => &rules::SHORT_CRITICAL_SECTION,
        }
    }
}

/// One lock group's decision, reported at its first declaration.
#[derive(Clone, Debug)]
pub struct GroupReport {
    /// The group's id within its plan.
    pub group: usize,
    pub decl: Loc,
    pub display: String,
    pub family: Family,
    pub lock: LockType,
    pub decision: Decision,
    pub async_sites: Vec<Loc>,
    /// The fn of the first async site.
    pub async_fn: Option<String>,
    /// The names code uses to reach the group's declarations.
    pub reach_names: Vec<String>,
    /// A declaration of the group is public API of a library.
    pub exported: bool,
    /// Its migration is an unsafe fix: public API, migrated on
    /// `--unsafe-fixes`.
    pub unsafe_fix: bool,
    /// The lock-site edits of a migrating group (type paths and imports are
    /// shared and not listed).
    pub edits: Vec<(usize, Edit)>,
    /// More to say about the migration (an alias that keeps its std name).
    pub notes: Vec<String>,
    /// The group's declarations.
    pub members: Vec<Loc>,
    /// Its lock sites and the type paths that name it: where the compiler
    /// may point when its migration is wrong.
    pub places: Vec<Loc>,
}

#[derive(Default, Debug)]
pub struct CratePlan {
    pub reports: Vec<GroupReport>,
    /// Edits per file index.
    pub edits: BTreeMap<usize, Vec<Edit>>,
    /// Imports to rewrite per file: the std use trees to drop and the tokio
    /// names (`Mutex`, `RwLock as R`) to import instead.
    pub imports: BTreeMap<usize, ImportChange>,
    /// tokio features the edits need (`sync`, `time`, `fs`).
    pub tokio_features: BTreeSet<&'static str>,
    /// Some edit that needs tokio is outside test code.
    pub tokio_outside_tests: bool,
    /// Blocking calls in async code, and async calls of blocking helpers.
    pub blocking: Vec<crate::rules::blocking_calls::BlockingReport>,

    /// Names of sync fns whose callers decided where a site runs: a file that
    /// mentions one of them must be analysed before the plan can be trusted.
    pub runtime_names: BTreeSet<String>,
    /// Findings hidden by `// awaitify: allow(..)` comments.
    pub suppressed: usize,
    /// Guards of std locks that stay, in async code: the file, where the
    /// guard is alive, its site and the lock.
    pub kept_guards: Vec<(usize, TextRange, Loc, String)>,
}

/// Is a finding of `rule` at `at` reported (and fixed)? Counts the ones a
/// suppression comment hides.
pub(crate) fn permitted(
    files: &[&FileFacts],
    opts: &PlanOptions,
    rule: &crate::rules::Rule,
    at: &Loc,
    suppressed: &mut usize,
) -> bool {
    if !opts.rules.enabled(rule) {
        return false;
    }
    if files[at.file].allows(rule, at.range.start()) {
        *suppressed += 1;
        return false;
    }
    true
}

#[derive(Default, Debug, Clone)]
pub struct ImportChange {
    pub remove: Vec<TextRange>,
    /// The names to import from `tokio::sync`, each with the std import it
    /// replaces (the new import goes into that import's scope).
    pub add: Vec<(TextRange, String)>,
}

struct Decl {
    key: DeclKey,
    file: usize,
    display: String,
    lock: LockType,
    family: Family,
    range: TextRange,
    blockers: Vec<(Loc, String)>,
    type_names: Vec<String>,
    exported: bool,
    /// A guard parameter: never the lock a group is named after.
    guard: bool,
    /// Typed as the lock itself (or behind a pointer): see `DeclFact`.
    direct: bool,
    /// The module it is declared in (`crate::worker::tests`), empty where
    /// the file's module is unknown.
    module: String,
}

struct UnionFind(Vec<usize>);

impl UnionFind {
    fn find(&mut self, x: usize) -> usize {
        let mut r = x;
        while self.0[r] != r {
            r = self.0[r];
        }
        let mut x = x;
        while self.0[x] != r {
            let next = self.0[x];
            self.0[x] = r;
            x = next;
        }
        r
    }

    fn union(&mut self, a: usize, b: usize) {
        let (a, b) = (self.find(a), self.find(b));
        if a != b {
            self.0[a.max(b)] = a.min(b);
        }
    }
}

struct Resolved {
    ids: Vec<usize>,
    ambiguous: bool,
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
    fn new(files: &[&FileFacts]) -> Units {
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

struct Index {
    decls: Vec<Decl>,
    by_key: HashMap<(Unit, DeclKey), usize>,
    /// Methods' parameters and return values by unit and method name, for
    /// `x.name(..)` calls whose receiver type is unknown.
    methods: HashMap<(Unit, Name), Vec<usize>>,
    /// field name → the structs (by unit) that have it.
    fields_by_name: HashMap<String, HashSet<(Unit, String)>>,
    /// Structs by unit and name, and the files that declare one so named.
    structs: HashMap<(Unit, String), BTreeSet<usize>>,
    /// Keys that several declarations share (items of the same name in
    /// different modules), with all of them.
    namesakes: HashMap<(Unit, DeclKey), Vec<usize>>,
    /// By unit: the units its code sees (see [`Units`]).
    sees: Vec<Vec<Unit>>,
    /// By file: its module in its unit (`crate::worker`), or empty.
    modules: Vec<String>,
}

impl Index {
    fn build(files: &[&FileFacts], units: &Units) -> Index {
        let mut index = Index {
            sees: units.sees.clone(),
            modules: files.iter().map(|f| f.module.clone()).collect(),
            decls: Vec::new(),
            by_key: HashMap::new(),
            methods: HashMap::new(),
            fields_by_name: HashMap::new(),
            structs: HashMap::new(),
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
    fn get(&self, unit: Unit, key: DeclKey) -> Option<usize> {
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
    fn add(
        &mut self,
        file: usize,
        unit: Unit,
        d: &crate::facts::DeclFact,
        lock: LockType,
        family: Family,
    ) {
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
    fn resolve(&self, t: &Target, unit: Unit, file: usize) -> Resolved {
        let one = |key: DeclKey| self.lookup(unit, key, file);
        match t {
            Target::Key(k) => one(k.clone()),
            Target::Static(n) => one(DeclKey::Static(n.into())),
            Target::Field { name, owner } => {
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
                        .filter(|(u, o)| {
                            o.ends_with(&suffix) && self.sees[unit as usize].contains(u)
                        })
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
    fn first_owner(&self, candidates: &[Target], unit: Unit, file: usize) -> Option<usize> {
        candidates.iter().find_map(|t| {
            let r = self.resolve(t, unit, file);
            (r.ids.len() == 1 && !r.ambiguous).then(|| r.ids[0])
        })
    }

    /// The name a declaration is known by in code (`db` of `AppState.db`).
    fn simple_name(&self, id: usize) -> String {
        let d = &self.decls[id];
        match &d.key {
            DeclKey::Field { name, .. } | DeclKey::Static(name) => name.to_string(),
            _ => d.display.split('`').nth(1).unwrap_or_default().to_string(),
        }
    }
}

fn lock_method_names(method: &str) -> Option<(&'static str, &'static str)> {
    Some(match method {
        "lock" => ("lock().await", "blocking_lock()"),
        "read" => ("read().await", "blocking_read()"),
        "write" => ("write().await", "blocking_write()"),
        _ => return None,
    })
}

fn method_fits(lock: LockType, method: &str) -> bool {
    match lock {
        LockType::Mutex => !matches!(method, "read" | "write" | "try_read" | "try_write"),
        LockType::RwLock => !matches!(method, "lock" | "try_lock"),
        _ => false,
    }
}

/// A guard binding: `_` would drop the guard at once, so it gets a name.
fn guard_pat(pat: &str) -> &str {
    if pat == "_" {
        "_guard"
    } else {
        pat
    }
}

/// The edits that rewrite one site of a migrating lock; `blocking` picks the
/// `blocking_*` form for sync code that runs off the runtime.
fn render_site(
    site: &SiteFact,
    family: Family,
    blocking: bool,
    src: &layout::Source,
) -> Result<Vec<Edit>, String> {
    let text = src.text;
    let method = site.method.as_str();
    if let Some((aw, bl)) = lock_method_names(method) {
        let new = if blocking { bl } else { aw };
        if family == Family::ParkingLot {
            return Ok(layout::chain_edits(src, site.call, new, 0));
        }
        return match &site.shape {
            SiteShape::Unwrapped { replace } => Ok(layout::chain_edits(src, *replace, new, 0)),
            SiteShape::IfLetOk { head, tail, pat, recv } => {
                // The then-block runs from the `{` that ends `head`.
                let then = TextRange::new(head.end() - TextSize::from(1), tail.start());
                Ok(layout::guard_block(
                    text,
                    head.cover(*tail),
                    &format!("let {} = {recv}.{new};", guard_pat(pat)),
                    layout::Body::Block(then),
                ))
            }
            SiteShape::LetElseOk { stmt, pat, recv } => {
                Ok(vec![Edit::new(*stmt, format!("let {} = {recv}.{new};", guard_pat(pat)))])
            }
            SiteShape::MatchOk { head, tail, pat, recv } => {
                // The `Ok` arm's expression lies between the two.
                let arm = TextRange::new(head.end(), tail.start());
                let arm_text = &text[arm];
                let body = match arm_text.starts_with('{') && arm_text.ends_with('}') {
                    true => layout::Body::Block(arm),
                    false => layout::Body::Expr(arm),
                };
                Ok(layout::guard_block(
                    text,
                    head.cover(*tail),
                    &format!("let {} = {recv}.{new};", guard_pat(pat)),
                    body,
                ))
            }
            SiteShape::Bare { use_desc, .. } => Err(format!(
                "the lock result is used as a `Result` ({use_desc}); tokio's `{method}` returns the guard"
            )),
        };
    }
    match (method, family, &site.shape) {
        ("get_mut" | "into_inner", Family::ParkingLot, _) => Ok(Vec::new()),
        ("get_mut" | "into_inner", _, SiteShape::Unwrapped { replace }) => {
            Ok(vec![Edit::new(*replace, format!("{method}()"))])
        }
        ("try_lock" | "try_read" | "try_write", Family::Std, shape) => {
            let compatible = match shape {
                // `.unwrap()`/`.expect(..)`: both error types are Debug.
                SiteShape::Unwrapped { .. } => true,
                SiteShape::IfLetOk { .. } | SiteShape::LetElseOk { .. } => true,
                SiteShape::Bare { use_desc, .. } => {
                    matches!(use_desc.as_str(), ".is_ok(..)" | ".is_err(..)" | ".ok(..)")
                }
                SiteShape::MatchOk { .. } => false,
            };
            if compatible {
                Ok(Vec::new())
            } else {
                Err(format!(
                    "`{method}` result is matched on its error type, which differs in tokio"
                ))
            }
        }
        ("is_poisoned" | "clear_poison", ..) => Err(format!(
            "`{method}` has no tokio equivalent: tokio locks are never poisoned"
        )),
        _ if crate::facts::NO_TOKIO_METHODS.contains(&method)
            || crate::facts::other_method(method) =>
        {
            Err(format!(
                "it is called with `{method}`, which tokio's locks do not have"
            ))
        }
        _ if method.contains("::") => Err(format!(
            "its guard is handed to `{method}`, which the rewrite does not translate"
        )),
        _ => Err(format!(
            "`{method}` is used in a way the tool cannot rewrite"
        )),
    }
}

const AMBIGUOUS_FLOW: &str = "a value flows between it and a place that could be more than one declaration (items of one name in different modules)";

/// Plans one crate. `files` are its files' facts, in a fixed order.
fn plan_once(files: &[&FileFacts], sources: &[layout::Source], opts: &PlanOptions) -> CratePlan {
    let texts: Vec<&str> = sources.iter().map(|s| s.text).collect();
    let texts = &texts[..];
    let units = Units::new(files);
    let mut index = Index::build(files, &units);
    let n = index.decls.len();
    let mut uf = UnionFind((0..n).collect());

    // Type aliases join the declarations typed with them.
    for id in 0..n {
        for name in index.decls[id].type_names.clone() {
            let unit = units[index.decls[id].file];
            if let Some(alias) = index.get(unit, DeclKey::Alias(name.into())) {
                uf.union(id, alias);
            }
        }
    }
    // Flows: struct literals, arguments, assignments, returns, lets.
    let mut extra_blockers: Vec<(usize, Loc, String)> = Vec::new();
    for (file, facts) in files.iter().enumerate() {
        let unit = units[file];
        for (lhs, rhs) in &facts.links {
            let r = index.resolve(rhs, unit, file);
            if r.ids.is_empty() {
                continue;
            }
            let l = index.first_owner(lhs, unit, file);
            if let (Some(l), [r], false) = (l, &r.ids[..], r.ambiguous) {
                uf.union(l, *r);
                continue;
            }
            // A value flows between places of which one could be more than
            // one declaration: none of them can move alone.
            let ls = match l {
                Some(l) => vec![l],
                None => lhs
                    .iter()
                    .map(|t| index.resolve(t, unit, file))
                    .find(|l| l.ambiguous && !l.ids.is_empty())
                    .map_or(Vec::new(), |l| l.ids),
            };
            if ls.is_empty() || !(r.ambiguous || l.is_none()) {
                continue;
            }
            for &id in ls.iter().chain(&r.ids) {
                let d = &index.decls[id];
                let at = Loc {
                    file: d.file,
                    range: d.range,
                };
                extra_blockers.push((id, at, AMBIGUOUS_FLOW.to_string()));
            }
        }
    }
    // Flows the compiler showed.
    let decl_at = |index: &Index, at: &Loc| {
        (0..n).find(|&id| index.decls[id].file == at.file && index.decls[id].range == at.range)
    };
    for (a, b) in &opts.referee.joined {
        if let (Some(a), Some(b)) = (decl_at(&index, a), decl_at(&index, b)) {
            uf.union(a, b);
        }
    }

    // Sites per group.
    // The name code near a use of a declaration mentions: an enum variant's
    // positional field's is its variant's (`Live` of `Conn::Live.0`). A
    // tuple struct's name is a type name any code may mention (`Mutex` of
    // `struct Mutex<T>(std::sync::Mutex<T>)`): its fields are not blamed.
    let simple_names: Vec<String> = (0..n)
        .map(|id| match &index.decls[id].key {
            DeclKey::Field { owner, name }
                if name.starts_with(|c: char| c.is_ascii_digit()) && owner.contains("::") =>
            {
                owner.rsplit("::").next().unwrap_or_default().to_string()
            }
            _ => index.simple_name(id),
        })
        .collect();
    let mut sites: Vec<Vec<(usize, &SiteFact)>> = vec![Vec::new(); n];
    // Places that may lock a declaration in async code but could not be tied
    // to it for sure: they make it reported, never migrated.
    let mut async_hints: Vec<(usize, Loc)> = Vec::new();
    let mut uncertain = |id: usize, loc: Loc, in_async: bool, reason: String| {
        if in_async {
            async_hints.push((id, loc.clone()));
        }
        extra_blockers.push((id, loc, reason));
    };
    for (file, facts) in files.iter().enumerate() {
        for site in &facts.sites {
            let r = index.resolve(&site.target, units[file], file);
            let loc = Loc {
                file,
                range: site.range,
            };
            let other = crate::facts::other_method(&site.method);
            if r.ambiguous && other {
                continue; // perhaps no lock's method at all
            }
            if r.ambiguous {
                for &id in &r.ids {
                    let reason = "a lock site's receiver could be more than one lock".to_string();
                    uncertain(id, loc.clone(), site.ctx == SiteContext::Async, reason);
                }
                continue;
            }
            let [id] = r.ids[..] else { continue };
            if other && !index.decls[id].direct {
                continue; // a method of what holds the lock (`Vec`, `Option`)
            }
            if !method_fits(index.decls[id].lock, &site.method) {
                continue;
            }
            sites[id].push((file, site));
        }
        for u in &facts.unresolved {
            for (id, simple) in simple_names.iter().enumerate() {
                // Only a declaration this code can see: a local of its own
                // file, or an item of its unit or of `src/`.
                let d = &index.decls[id];
                let visible = if matches!(d.key, DeclKey::Local { .. }) {
                    d.file == file && u.scope.contains_range(d.range)
                } else {
                    units.sees(units[file]).contains(&units[d.file])
                };
                if visible && u.names_nearby.contains(simple) {
                    let reason =
                        "a lock site near a use of it has a receiver the tool cannot resolve";
                    uncertain(
                        id,
                        Loc {
                            file,
                            range: u.range,
                        },
                        u.in_async,
                        reason.to_string(),
                    );
                }
            }
        }
        for m in &facts.macro_uses {
            let reason = format!(
                "it is handed to `{}!`, a macro the tool cannot parse",
                m.macro_name
            );
            let loc = Loc {
                file,
                range: m.range,
            };
            for id in index.resolve(&m.target, units[file], file).ids {
                uncertain(id, loc.clone(), m.in_async, reason.clone());
            }
        }
    }
    for (id, loc, reason) in extra_blockers {
        index.decls[id].blockers.push((loc, reason));
    }

    // Groups.
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for id in 0..n {
        groups.entry(uf.find(id)).or_default().push(id);
    }
    let runtime = RuntimeAnalysis::new(files, texts, &units);
    let mut out = CratePlan::default();
    let mut migrating: HashSet<usize> = HashSet::new();
    // Type paths in files the run must leave alone, by group.
    let mut read_only_refs: BTreeMap<usize, Vec<Loc>> = BTreeMap::new();
    for (file, facts) in files.iter().enumerate().filter(|(_, f)| f.read_only) {
        for r in &facts.refs {
            if let Some(owner) = index.first_owner(&r.owners, units[file], file) {
                read_only_refs.entry(uf.find(owner)).or_default().push(Loc {
                    file,
                    range: r.range,
                });
            }
        }
    }
    for members in groups.values() {
        // Callers examined for this group matter only if it migrates.
        runtime.examined.borrow_mut().clear();
        let group_sites: Vec<(usize, &SiteFact)> = members
            .iter()
            .flat_map(|&id| sites[id].iter().copied())
            .collect();
        let mut async_sites: Vec<Loc> = group_sites
            .iter()
            .filter(|(_, s)| {
                matches!(s.ctx, SiteContext::Async | SiteContext::SyncInAsync)
                    && lock_method_names(&s.method).is_some()
            })
            .map(|(f, s)| Loc {
                file: *f,
                range: s.range,
            })
            .chain(
                async_hints
                    .iter()
                    .filter(|(id, _)| members.contains(id))
                    .map(|(_, l)| l.clone()),
            )
            .collect();
        async_sites.sort();
        async_sites.dedup();
        let read_only = |l: &Loc| files[l.file].read_only;
        if async_sites.is_empty()
            || (async_sites.iter().all(read_only)
                && members
                    .iter()
                    .all(|&id| files[index.decls[id].file].read_only))
        {
            continue;
        }
        let first = members
            .iter()
            .copied()
            .min_by_key(|&id| {
                let d = &index.decls[id];
                (d.guard, d.file, d.range.start())
            })
            .unwrap();
        let family = index.decls[first].family;
        let lock = index.decls[first].lock;
        let mut report = GroupReport {
            group: uf.find(first),
            decl: Loc {
                file: index.decls[first].file,
                range: index.decls[first].range,
            },
            display: index.decls[first].display.clone(),
            family,
            lock,
            decision: Decision::Migrate,
            async_fn: group_sites
                .iter()
                .find(|(f, s)| *f == async_sites[0].file && s.range == async_sites[0].range)
                .and_then(|(_, s)| s.in_fn.as_ref().map(FnId::to_string)),
            async_sites: async_sites.clone(),
            exported: members.iter().any(|&id| index.decls[id].exported),
            unsafe_fix: opts.public_api == PublicApi::MigrateUnsafe
                && members.iter().any(|&id| index.decls[id].exported),
            edits: Vec::new(),
            notes: Vec::new(),
            members: members
                .iter()
                .map(|&id| Loc {
                    file: index.decls[id].file,
                    range: index.decls[id].range,
                })
                .collect(),
            places: group_sites
                .iter()
                .map(|&(file, s)| Loc {
                    file,
                    range: s.range,
                })
                .collect(),
            reach_names: members
                .iter()
                .filter_map(|&id| index.decls[id].key.reach_name().map(|n| n.to_string()))
                .collect(),
        };
        if family == Family::ParkingLot && !opts.parking_lot {
            report.decision = Decision::ReportParkingLot;
            out.reports.push(report);
            continue;
        }
        if opts.policy == Policy::HeldAcrossAwait
            && !group_sites.iter().any(|(_, s)| s.held_across_await)
        {
            report.decision = Decision::KeepShort;
            out.reports.push(report);
            continue;
        }
        let mut blockers: Vec<(Loc, String)> = members
            .iter()
            .flat_map(|&id| index.decls[id].blockers.clone())
            .collect();
        for at in &report.members {
            if let Some(reason) = opts.referee.withdrawn(at) {
                blockers.push((at.clone(), reason.to_string()));
            }
        }
        if members.iter().any(|&id| index.decls[id].family != family) {
            blockers.push((
                report.decl.clone(),
                "it is joined with a lock of another library".into(),
            ));
        }
        if opts.public_api == PublicApi::Report {
            blockers.extend(
                members
                    .iter()
                    .map(|&id| &index.decls[id])
                    .filter(|d| d.exported)
                    .map(|d| {
                        let at = Loc {
                            file: d.file,
                            range: d.range,
                        };
                        (at, PUBLIC_API_BLOCKER.to_string())
                    }),
            );
        }
        // Declarations, sites and type paths in files the run leaves alone.
        let decls = members.iter().map(|&id| Loc {
            file: index.decls[id].file,
            range: index.decls[id].range,
        });
        let sites = group_sites.iter().map(|&(file, s)| Loc {
            file,
            range: s.range,
        });
        let refs = read_only_refs
            .get(&uf.find(members[0]))
            .into_iter()
            .flatten()
            .cloned();
        blockers.extend(decls.chain(sites).chain(refs).filter(read_only).map(|l| {
            let reason =
                "it is in a file this run leaves alone (excluded, or outside the paths given)";
            (l, reason.to_string())
        }));
        let mut edits: Vec<(usize, Edit)> = Vec::new();
        let file_blocked: HashSet<usize> = group_sites.iter().map(|(f, _)| *f).collect();
        for &file in &file_blocked {
            for b in &files[file].file_blockers {
                blockers.push((
                    Loc {
                        file,
                        range: b.range,
                    },
                    b.reason.clone(),
                ));
            }
        }
        for &(file, site) in &group_sites {
            let loc = Loc {
                file,
                range: site.range,
            };
            if let Some(f) = &site.guard_fn {
                blockers.push((
                    loc.clone(),
                    format!("fn `{f}` has a std lock guard in its signature"),
                ));
            }
            if site.guard_passed_to_wait {
                blockers.push((loc.clone(), "its guard is passed to `Condvar::wait`".into()));
            }
            let needs_context = lock_method_names(&site.method).is_some();
            let blocking = match &site.ctx {
                _ if !needs_context => Ok(false),
                SiteContext::Async => Ok(false),
                SiteContext::Blocking => Ok(true),
                SiteContext::SyncInAsync => Err("it is locked in a non-async closure inside async code, where `.await` is impossible".to_string()),
                SiteContext::Item => Err("it is locked in a static initializer".to_string()),
                SiteContext::Detached => Err("it is locked in a closure that is stored, returned or handed to other code, which may run it on a runtime thread".to_string()),
                SiteContext::Sync { in_drop: true, .. } => Err("it is locked in a `Drop` impl, which may run on a runtime thread".to_string()),
                SiteContext::Sync { test_body: true, .. } => Ok(true),
                SiteContext::Sync { fn_name, .. } => runtime.off_runtime(units[file], fn_name).map(|()| true),
            };
            match blocking.and_then(|b| render_site(site, family, b, &sources[file])) {
                Ok(es) => edits.extend(es.into_iter().map(|e| (file, e))),
                Err(reason) => blockers.push((loc, reason)),
            }
        }
        if !blockers.is_empty() {
            blockers.sort();
            blockers.dedup();
            report.decision = Decision::Manual(blockers);
            out.reports.push(report);
            continue;
        }
        if !permitted(
            files,
            opts,
            report.decision.rule(),
            &report.decl,
            &mut out.suppressed,
        ) {
            continue;
        }
        for (file, e) in &edits {
            out.edits.entry(*file).or_default().push(e.clone());
        }
        report.edits = edits;
        migrating.extend(members.iter().map(|&id| uf.find(id)));
        out.runtime_names.extend(runtime.examined.take());
        out.tokio_features.insert("sync");
        out.tokio_outside_tests = true;
        out.reports.push(report);
    }

    // Reports of the other decisions change nothing: they are just dropped.
    let mut reports = std::mem::take(&mut out.reports);
    reports.retain(|r| {
        r.decision == Decision::Migrate
            || permitted(files, opts, r.decision.rule(), &r.decl, &mut out.suppressed)
    });
    out.reports = reports;
    crate::rules::blocking_calls::plan_blocking(files, sources, &units, opts, &mut out);
    crate::rules::tokio_blocking_method::plan(files, sources, opts, &mut out); // hook(newrule): AW207

    let report_of: HashMap<usize, usize> = out
        .reports
        .iter()
        .enumerate()
        .map(|(i, r)| (r.group, i))
        .collect();
    // Type paths and constructors of migrating groups, and the imports they use.
    let decl_family = |id: usize| index.decls[id].family;
    for (file, facts) in files.iter().enumerate() {
        // Where a migrated lock type is named through an import.
        let mut migrated_starts: HashSet<u32> = HashSet::new();
        // The finding each of them belongs to.
        let mut report_at: HashMap<u32, usize> = HashMap::new();
        for r in &facts.refs {
            let Some(owner) = index.first_owner(&r.owners, units[file], file) else {
                continue;
            };
            if !migrating.contains(&uf.find(owner)) || r.family != decl_family(owner) {
                continue;
            }
            let mut edits = Vec::new();
            if let Some(new_range) = r.const_new {
                edits.push(Edit::new(new_range, "const_new"));
            }
            match &r.via_import {
                Some(_) => {
                    migrated_starts.insert(u32::from(r.range.start()));
                    if let Some(&i) = report_of.get(&uf.find(owner)) {
                        report_at.insert(u32::from(r.range.start()), i);
                    }
                }
                None => edits.push(Edit::new(
                    r.range,
                    format!("tokio::sync::{}", r.lock.name()),
                )),
            }
            // The group's finding lists them with its site edits.
            let group = uf.find(owner);
            if let Some(&i) = report_of.get(&group) {
                out.reports[i]
                    .edits
                    .extend(edits.iter().map(|e| (file, e.clone())));
                out.reports[i].places.push(Loc {
                    file,
                    range: r.range,
                });
            }
            out.edits.entry(file).or_default().extend(edits);
        }
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
        let mut change = ImportChange::default();
        for (local, path, tree) in &facts.imports {
            let uses: Vec<_> = facts
                .name_uses
                .iter()
                .filter(|u| u.import == *tree)
                .collect();
            let migrated: Vec<_> = uses
                .iter()
                .filter(|u| migrated_starts.contains(&u32::from(u.range.start())))
                .collect();
            let is_removed = |r: TextRange| removed.iter().any(|e| e.contains_range(r));
            let kept = uses
                .iter()
                .filter(|u| {
                    !migrated_starts.contains(&u32::from(u.range.start())) && !is_removed(u.range)
                })
                .count();
            // What a use names in tokio::sync: the imported item, or for a
            // glob (`use std::sync::*`) the name used.
            let glob = local == "*";
            let name = path.rsplit("::").next().unwrap_or_default();
            let tokio_name = |u: &NameUse| {
                if glob {
                    u.name.clone()
                } else {
                    name.to_string()
                }
            };
            // A re-exported std lock type (`pub use std::sync::Mutex as
            // StdMutex;`) names locks of other files: it stays, and this
            // file's migrated uses are qualified.
            let reexported = facts.reexports.iter().any(|(l, p)| l == local && p == path);
            if !migrated.is_empty() {
                if kept == 0 && !reexported {
                    change.remove.push(*tree);
                    if glob {
                        let names: BTreeSet<String> =
                            migrated.iter().map(|u| tokio_name(u)).collect();
                        change.add.extend(names.into_iter().map(|n| (*tree, n)));
                    } else if name == local {
                        change.add.push((*tree, name.to_string()));
                    } else {
                        let renamed =
                            std_alias_renamed(local, texts[file], *tree, facts, uses.len());
                        let alias = match renamed {
                            Ok(Some(new)) => {
                                let edits = out.edits.entry(file).or_default();
                                for u in uses.iter().filter(|u| !is_removed(u.range)) {
                                    edits.push(Edit::new(u.range, new.clone()));
                                }
                                new
                            }
                            Ok(None) => local.clone(),
                            Err(why) => {
                                let mut at: Vec<usize> = migrated
                                    .iter()
                                    .filter_map(|u| report_at.get(&u32::from(u.range.start())))
                                    .copied()
                                    .collect();
                                at.dedup();
                                for i in at {
                                    out.reports[i].notes.push(why.clone());
                                }
                                local.clone()
                            }
                        };
                        change.add.push((*tree, format!("{name} as {alias}")));
                    }
                } else {
                    for u in migrated {
                        let with = format!("tokio::sync::{}", tokio_name(u));
                        out.edits
                            .entry(file)
                            .or_default()
                            .push(Edit::new(u.range, with));
                    }
                }
            } else if kept == 0 && !uses.is_empty() && !path.starts_with("parking_lot") {
                // Only used by code the rewrite removed (`PoisonError::into_inner`,
                // `thread::sleep`).
                change.remove.push(*tree);
            }
        }
        if !change.remove.is_empty() {
            out.imports.insert(file, change);
        }
    }
    // Guards of std locks that stay, in async code, held across no `.await`
    // yet: a fix must not add one while such a guard is held. (One already
    // held across an await makes its future what it is already.)
    for (id, decl_sites) in sites.iter().enumerate() {
        if migrating.contains(&uf.find(id)) {
            continue;
        }
        for &(file, s) in decl_sites.iter().filter(|(_, s)| !s.held_across_await) {
            if let Some(extent) = s.guard_extent {
                let site = Loc {
                    file,
                    range: s.range,
                };
                out.kept_guards
                    .push((file, extent, site, index.decls[id].display.clone()));
            }
        }
    }
    out.reports.sort_by(|a, b| a.decl.cmp(&b.decl));
    out
}

/// Plans one crate, then withdraws every fix that would add an `.await`
/// while the guard of a std lock that stays is held: the future would hold
/// a blocking lock across the await, and no longer be `Send`. A withdrawn
/// lock stays std, so its guards count in the next round.
pub fn plan(files: &[&FileFacts], texts: &[&str], opts: &PlanOptions) -> CratePlan {
    let mut opts = opts.clone();
    let sources: Vec<layout::Source> = texts.iter().map(|t| layout::Source::new(t)).collect();
    loop {
        let out = plan_once(files, &sources, &opts);
        let conflicts = awaits_under_kept_guards(&out, texts);
        if conflicts.is_empty() {
            return out;
        }
        opts.referee.withdrawn.extend(conflicts);
    }
}

/// The fixes whose new `.await` falls where a kept std guard is alive, with
/// the reason, at the place `Referee` withdraws them by.
fn awaits_under_kept_guards(out: &CratePlan, texts: &[&str]) -> Vec<(Loc, String)> {
    let migrating = out
        .reports
        .iter()
        .filter(|r| r.decision == Decision::Migrate);
    let lock_awaits = migrating.flat_map(|r| r.async_sites.iter().map(|s| (r.decl.clone(), s)));
    let fixed = out
        .blocking
        .iter()
        .filter(|b| b.fixed && b.helper.is_none());
    let blocking_awaits = fixed.map(|b| (b.at.clone(), &b.at));
    let mut conflicts: Vec<(Loc, String)> = Vec::new();
    for (fix, at) in lock_awaits.chain(blocking_awaits) {
        let under = out
            .kept_guards
            .iter()
            .find(|(file, extent, ..)| *file == at.file && extent.contains_range(at.range));
        if let Some((_, _, site, what)) = under {
            if conflicts.iter().all(|(l, _)| *l != fix) {
                let offset = usize::from(site.range.start());
                let line = texts[site.file][..offset].matches('\n').count() + 1;
                let reason = format!(
                    "its fix adds an `.await` while the guard of the std {what} (locked on line {line}), which stays, is held: the future would hold a blocking lock across the await and not be `Send`"
                );
                conflicts.push((fix, reason));
            }
        }
    }
    conflicts
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
    if public || facts.reexports.iter().any(|(l, _)| l == local) {
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

/// Which sync fns provably run off the async runtime: `main` before any
/// runtime, or fns called only from blocking closures and such fns.
struct RuntimeAnalysis<'a> {
    files: &'a [&'a FileFacts],
    texts: &'a [&'a str],
    units: &'a Units,
    /// Some `main` is async: a sync `main` may then share its crate with a runtime.
    async_main: bool,
    examined: RefCell<BTreeSet<String>>,
}

impl<'a> RuntimeAnalysis<'a> {
    fn new(files: &'a [&'a FileFacts], texts: &'a [&'a str], units: &'a Units) -> Self {
        RuntimeAnalysis {
            files,
            texts,
            units,
            async_main: files.iter().any(|f| f.async_main),
            examined: RefCell::default(),
        }
    }

    /// Is `name` mentioned, in code that can see `unit`, other than by
    /// its definitions, the calls the facts hold and plain imports? Each
    /// file's mentions are counted in its text, so a mention in a comment
    /// counts too: the answer errs towards "yes".
    fn named_otherwise(&self, unit: Unit, name: &str) -> bool {
        let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
        self.files
            .iter()
            .zip(self.texts)
            .enumerate()
            .any(|(file, (facts, text))| {
                if !self.units.sees(self.units[file]).contains(&unit) {
                    return false;
                }
                let bytes = text.as_bytes();
                let (mut total, mut defs) = (0, 0);
                for at in memchr::memmem::find_iter(bytes, name) {
                    let before = at.checked_sub(1).map(|i| bytes[i]);
                    if before.is_some_and(ident)
                        || bytes.get(at + name.len()).is_some_and(|&b| ident(b))
                    {
                        continue;
                    }
                    total += 1;
                    defs += usize::from(text[..at].trim_end().ends_with("fn"));
                }
                let calls = facts.calls.iter().filter(|c| c.callee == name).count();
                let imports = facts.imported_fns.iter().filter(|(last, _)| last == name);
                let renamed = imports.clone().any(|(_, local)| local != name);
                renamed || total > defs + calls + imports.count()
            })
    }

    /// Does sync fn `fn_key` of `unit` provably run off the runtime? The
    /// reason why not names `fn_key`, the fn that holds the site, and the
    /// caller through which it is reached.
    fn off_runtime(&self, unit: Unit, fn_key: &FnId) -> Result<(), String> {
        self.check(unit, fn_key, fn_key, &mut HashSet::new())
    }

    fn check(
        &self,
        unit: Unit,
        site_fn: &FnId,
        fn_key: &FnId,
        seen: &mut HashSet<(Unit, FnId)>,
    ) -> Result<(), String> {
        if fn_key.ty.is_none() && fn_key.name == "main" && !self.async_main {
            return Ok(());
        }
        let through = if fn_key == site_fn {
            String::new()
        } else {
            format!(" (through its caller `{fn_key}`)")
        };
        if !seen.insert((unit, fn_key.clone())) {
            return Err(format!("it is locked in sync fn `{site_fn}`, and the tool cannot prove it runs off the async runtime (callers matched by name lead back to it{through})"));
        }
        let name = fn_key.name.as_str();
        self.examined.borrow_mut().insert(name.to_string());
        let public = self
            .files
            .iter()
            .zip(self.units.iter())
            .any(|(f, &u)| u == unit && f.library && f.public_fns.contains(fn_key));
        let public_api = || {
            Err(format!(
                "it is locked in sync fn `{site_fn}`, and `{fn_key}` is public API of the library: code outside the crate may call it on a runtime thread{through}"
            ))
        };
        // Callers by name, in code that can see the fn; an awaited call
        // calls an async fn.
        let callers: Vec<_> = self
            .files
            .iter()
            .zip(self.units.iter())
            .filter(|(_, &u)| self.units.sees(u).contains(&unit))
            .flat_map(|(f, &u)| f.calls.iter().map(move |c| (u, c)))
            .filter(|(_, c)| c.callee == name && !c.awaited)
            .collect();
        if callers.is_empty() && public {
            return public_api();
        }
        if callers.is_empty() {
            return Err(format!(
                "it is locked in sync fn `{site_fn}`, and nothing in the crate shows that it runs off the async runtime{through}"
            ));
        }
        // An async caller is the clearest reason; report it before recursing.
        if callers.iter().any(|(_, c)| {
            !matches!(
                c.ctx,
                SiteContext::Blocking
                    | SiteContext::Sync { in_drop: false, .. }
                    | SiteContext::Detached
            )
        }) {
            return Err(format!(
                "it is locked in sync fn `{site_fn}`, which is called from async code{through}; `blocking_lock` would panic there"
            ));
        }
        if callers.iter().any(|(_, c)| c.ctx == SiteContext::Detached) {
            return Err(format!(
                "it is locked in sync fn `{fn_key}`, which is called from a closure that may run on a runtime thread"
            ));
        }
        if public {
            return public_api();
        }
        if self.named_otherwise(unit, name) {
            return Err(format!(
                "it is locked in sync fn `{site_fn}`, and `{name}` is also named other than in calls the tool can see (a fn pointer, a renamed import, a macro's tokens), which may run it on a runtime thread{through}"
            ));
        }
        for (u, c) in callers {
            if let SiteContext::Sync {
                fn_name,
                test_body: false,
                ..
            } = &c.ctx
            {
                self.check(u, site_fn, fn_name, seen)?;
            }
        }
        Ok(())
    }
}
