//! The method edges of the crate's call graph: which of its async fns a
//! method call may call. The blocking rules' executors (`rules::drivers`)
//! and the tasks that wait (`task_waits`) follow calls through them.

use rustc_hash::FxHashMap as HashMap;

use super::{Unit, Units};
use crate::facts::{CallFact, FileFacts, FnId, MethodReceiver, Name};

/// The crate's async methods by name, each with its unit.
pub(crate) fn async_methods(
    files: &[&FileFacts],
    units: &Units,
) -> HashMap<Name, Vec<(Unit, FnId)>> {
    let mut methods: HashMap<Name, Vec<(Unit, FnId)>> = HashMap::default();
    for (file, facts) in files.iter().enumerate() {
        for f in &facts.async_methods {
            methods
                .entry(f.name.clone())
                .or_default()
                .push((units[file], f.clone()));
        }
    }
    methods
}

/// The async methods `x.name(..)` may call, of those `unit` sees: the
/// receiver's type's, where an impl of that type has one; else each one
/// of that name (a `dyn Trait`, a generic, a receiver of unknown type, a
/// trait's default method).
pub(crate) fn method_callees(
    c: &CallFact,
    receiver: &MethodReceiver,
    unit: Unit,
    units: &Units,
    methods: &HashMap<Name, Vec<(Unit, FnId)>>,
) -> Vec<FnId> {
    let Some(named) = methods.get(&c.callee) else {
        return Vec::new();
    };
    let visible: Vec<&FnId> = named
        .iter()
        .filter(|(u, _)| units.sees(unit).contains(u))
        .map(|(_, f)| f)
        .collect();
    let typed: Vec<&FnId> = match receiver {
        MethodReceiver::Typed(ty) => visible
            .iter()
            .copied()
            .filter(|f| f.ty.as_ref() == Some(ty))
            .collect(),
        MethodReceiver::Unknown | MethodReceiver::Own(_) => Vec::new(),
    };
    let chosen = if typed.is_empty() { visible } else { typed };
    let mut callees: Vec<FnId> = chosen.into_iter().cloned().collect();
    callees.sort();
    callees.dedup();
    callees
}
