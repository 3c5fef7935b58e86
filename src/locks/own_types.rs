//! The crate's own types, trait impls and fields' types: what the receiver
//! of a method call resolves to, for AW205's chains and the async-ify fix.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::{Unit, Units};
use crate::facts::{CallFact, FileFacts, FnId, Name, OwnReceiver};

/// The crate's own types, trait impls and fields' types, by unit: what
/// the receiver of a method call resolves to (see `facts::OwnReceiver`).
pub(crate) struct OwnTypes<'a> {
    /// Structs, enums, unions and traits, each with how many items of its
    /// name the unit defines.
    defined: HashMap<(Unit, &'a str), usize>,
    /// By trait: the types that implement it.
    impls: HashMap<(Unit, &'a str), Vec<&'a Name>>,
    /// By struct and field: the field's type.
    fields: HashMap<(Unit, &'a str, &'a str), &'a OwnReceiver>,
    /// By type: the target of its `Deref` impl.
    derefs: HashMap<(Unit, &'a str), &'a str>,
    /// The fns the crate defines.
    fns: HashSet<&'a FnId>,
    /// By fn (of the names in `returning`): what it is declared to return
    /// among the crate's types, and whether in a `Result` or `Option`; none
    /// where it returns no such type, or a unit defines two fns of its key
    /// (free fns of one name in two modules).
    returns: HashMap<(Unit, FnId), Option<(&'a OwnReceiver, bool)>>,
    /// The names of the fns in `returns`: most methods of a chain are
    /// another crate's (`iter`, `map`, `collect`), which this rules out
    /// at once.
    returning: HashSet<&'a str>,
}

/// The fns a method call may call: one type's method, or each impl's of
/// the crate's traits a `dyn Trait` or generic receiver names.
pub(crate) struct Callees<'a> {
    pub(crate) fns: Vec<FnId>,
    pub(crate) traits: Option<&'a [Name]>,
}

impl<'a> OwnTypes<'a> {
    pub(crate) fn new(files: &[&'a FileFacts], units: &Units) -> OwnTypes<'a> {
        let mut t = OwnTypes {
            defined: HashMap::default(),
            impls: HashMap::default(),
            fields: HashMap::default(),
            derefs: HashMap::default(),
            fns: HashSet::default(),
            returns: HashMap::default(),
            returning: HashSet::default(),
        };
        for (file, facts) in files.iter().enumerate() {
            let unit = units[file];
            for n in &facts.own_types {
                *t.defined.entry((unit, n.as_str())).or_default() += 1;
            }
            for (tr, ty) in &facts.trait_impls {
                t.impls.entry((unit, tr.as_str())).or_default().push(ty);
            }
            for (owner, field, ty) in &facts.field_receivers {
                t.fields.insert((unit, owner.as_str(), field.as_str()), ty);
            }
            for (ty, target) in &facts.derefs {
                t.derefs.insert((unit, ty.as_str()), target.as_str());
            }
            for f in &facts.fn_defs {
                t.fns.insert(&f.key);
                if f.returns.is_some() {
                    t.returning.insert(f.key.name.as_str());
                }
            }
        }
        // Every fn of a returning name, so that two of one key (free fns
        // of one name in two modules) leave it unknown.
        for (file, facts) in files.iter().enumerate() {
            let fns = facts.fn_defs.iter();
            for f in fns.filter(|f| t.returning.contains(f.key.name.as_str())) {
                let returns = f.returns.as_ref().map(|(r, wrapped)| (r, *wrapped));
                t.returns
                    .entry((units[file], f.key.clone()))
                    .and_modify(|r| *r = None)
                    .or_insert(returns);
            }
        }
        t
    }

    /// Does code that sees `sees` know exactly one item named `name`?
    /// Methods are known by their type's name: of two types of one name
    /// (`sync::Cache`, `future::Cache`), which one a receiver is is unknown.
    pub(crate) fn defines(&self, sees: &[Unit], name: &str) -> bool {
        let n: usize = sees
            .iter()
            .filter_map(|&u| self.defined.get(&(u, name)))
            .sum();
        n == 1
    }

    /// The type a member of `ty` is found on: `ty` if `has` it, else the
    /// first type its `Deref` impls lead to that does (`Shared` → `Inner`
    /// for `struct Shared(Arc<Inner>)`); `ty` where none does.
    fn through_deref(&self, sees: &[Unit], ty: &'a str, has: impl Fn(&str) -> bool) -> &'a str {
        let mut at = ty;
        // A bound on the steps: an impl cycle does not compile, but costs nothing here.
        for _ in 0..4 {
            if has(at) {
                return at;
            }
            match sees.iter().find_map(|&u| self.derefs.get(&(u, at))) {
                Some(&target) => at = target,
                None => break,
            }
        }
        ty
    }

    /// The type whose method `x.method(..)` calls for `x` of type `ty`:
    /// `ty`'s own, else one its `Deref` impls lead to.
    pub(crate) fn method_type(&self, sees: &[Unit], ty: &'a str, method: &str) -> &'a str {
        self.through_deref(sees, ty, |t| self.fns.contains(&FnId::method(t, method)))
    }

    /// The type or traits `recv` is, following its fields' declared types
    /// (through `Deref` impls) and its fns' declared return types; none
    /// where one is unknown.
    fn resolve(&self, sees: &[Unit], recv: &'a OwnReceiver) -> Option<&'a OwnReceiver> {
        let (root, fields) = match recv {
            OwnReceiver::Field { root, fields } => (root, fields),
            OwnReceiver::Returned {
                of,
                name,
                unwrapped,
            } => {
                if !self.returning.contains(name.as_str()) {
                    return None;
                }
                let key = match of {
                    Some(of) => match self.resolve(sees, of)? {
                        OwnReceiver::Type(ty) if self.defines(sees, ty) => {
                            FnId::method(self.method_type(sees, ty, name), name)
                        }
                        _ => return None,
                    },
                    None => FnId::free(name),
                };
                let mut defs = sees
                    .iter()
                    .filter_map(|&u| self.returns.get(&(u, key.clone())));
                let (ty, wrapped) = match (defs.next(), defs.next()) {
                    (Some(def), None) => (*def)?,
                    _ => return None,
                };
                return (wrapped == *unwrapped).then_some(ty);
            }
            _ => return Some(recv),
        };
        let mut ty = root.as_str();
        let mut at: Option<&'a OwnReceiver> = None;
        for field in fields.iter() {
            if at.is_some() {
                ty = match at? {
                    OwnReceiver::Type(t) => t.as_str(),
                    _ => return None,
                };
            }
            let field = field.as_str();
            let has = |t: &str| {
                sees.iter()
                    .any(|&u| self.fields.contains_key(&(u, t, field)))
            };
            let ty = self.through_deref(sees, ty, has);
            at = sees
                .iter()
                .find_map(|&u| self.fields.get(&(u, ty, field)).copied());
        }
        at
    }

    /// The crate's fns the method call `c` may call, seen from `unit`.
    pub(crate) fn callees(&self, unit: Unit, units: &Units, c: &'a CallFact) -> Callees<'a> {
        let none = Callees {
            fns: Vec::new(),
            traits: None,
        };
        let sees = units.sees(unit);
        let Some(recv) = c.own_receiver().and_then(|r| self.resolve(sees, r)) else {
            return none;
        };
        match recv {
            OwnReceiver::Type(ty) if self.defines(sees, ty) => Callees {
                fns: vec![FnId::method(
                    self.method_type(sees, ty, &c.callee),
                    &c.callee,
                )],
                traits: None,
            },
            OwnReceiver::Traits(traits) => {
                let mut fns: Vec<FnId> = traits
                    .iter()
                    .filter(|tr| self.defines(sees, tr))
                    .flat_map(|tr| {
                        sees.iter()
                            .filter_map(|&u| self.impls.get(&(u, tr.as_str())))
                    })
                    .flatten()
                    .filter(|ty| self.defines(sees, ty))
                    .map(|ty| FnId::method(ty, &c.callee))
                    .collect();
                fns.sort();
                fns.dedup();
                Callees {
                    fns,
                    traits: Some(traits),
                }
            }
            _ => none,
        }
    }
}
