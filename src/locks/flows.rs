//! Joining declarations into lock groups: declarations a value flows
//! between (a struct literal, an argument, an assignment, a return, a
//! `let`), the ones a type alias names, the ones one site of a macro's body
//! locks, and the ones the compiler showed to hold one lock, are one lock,
//! which migrates or stays as a whole.

use super::index::{Index, Units};
use super::Loc;
use crate::facts::{DeclKey, FileFacts};
use crate::settings::Referee;

const AMBIGUOUS_FLOW: &str = "a value flows between it and a place that could be more than one declaration (items of one name in different modules)";

/// Disjoint sets of declarations; a set's root is its smallest member.
pub(super) struct UnionFind(Vec<usize>);

impl UnionFind {
    /// `n` declarations, each alone.
    pub(super) fn new(n: usize) -> UnionFind {
        UnionFind((0..n).collect())
    }

    pub(super) fn find(&mut self, x: usize) -> usize {
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

    pub(super) fn union(&mut self, a: usize, b: usize) {
        let (a, b) = (self.find(a), self.find(b));
        if a != b {
            self.0[a.max(b)] = a.min(b);
        }
    }
}

/// The declarations joined into groups.
pub(super) struct Joined {
    /// By declaration: its group, the smallest declaration of the group.
    pub(super) group_of: Vec<usize>,
    /// Declarations a value flows between ambiguously: none of them can
    /// move alone.
    pub(super) blockers: Vec<(usize, Loc, String)>,
}

/// Joins the declarations of `index` that hold one lock.
pub(super) fn join(
    files: &[&FileFacts],
    units: &Units,
    index: &Index,
    referee: &Referee,
    macro_sites: &[(usize, usize)],
) -> Joined {
    let n = index.decls.len();
    let mut uf = UnionFind::new(n);
    join_aliases(units, index, &mut uf);
    for &(a, b) in macro_sites {
        uf.union(a, b);
    }
    let blockers = join_links(files, units, index, &mut uf);
    join_refereed(index, referee, &mut uf);
    Joined {
        group_of: (0..n).map(|id| uf.find(id)).collect(),
        blockers,
    }
}

/// Type aliases join the declarations typed with them.
fn join_aliases(units: &Units, index: &Index, uf: &mut UnionFind) {
    for (id, d) in index.decls.iter().enumerate() {
        for name in &d.type_names {
            let unit = units[d.file];
            if let Some(alias) = index.get(unit, DeclKey::Alias(name.as_str().into())) {
                uf.union(id, alias);
            }
        }
    }
}

/// Flows: struct literals, arguments, assignments, returns, lets. Returns
/// the blockers of flows whose ends could be more than one declaration.
fn join_links(
    files: &[&FileFacts],
    units: &Units,
    index: &Index,
    uf: &mut UnionFind,
) -> Vec<(usize, Loc, String)> {
    let mut blockers = Vec::new();
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
                blockers.push((id, at, AMBIGUOUS_FLOW.to_string()));
            }
        }
    }
    blockers
}

/// Flows the compiler showed.
fn join_refereed(index: &Index, referee: &Referee, uf: &mut UnionFind) {
    let decl_at = |at: &Loc| {
        let mut decls = index.decls.iter();
        decls.position(|d| d.file == at.file && d.range == at.range)
    };
    for (a, b) in &referee.joined {
        if let (Some(a), Some(b)) = (decl_at(a), decl_at(b)) {
            uf.union(a, b);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    #[test]
    fn union_find_joins_sets_under_their_smallest_member() {
        let mut uf = UnionFind::new(5);
        uf.union(3, 4);
        uf.union(4, 1);
        assert_eq!([uf.find(1), uf.find(3), uf.find(4)], [1, 1, 1]);
        assert_eq!([uf.find(0), uf.find(2)], [0, 2]);
        uf.union(2, 0);
        uf.union(4, 2);
        assert!((0..5).all(|x| uf.find(x) == 0));
    }

    const TWO_FIELDS: &str = "use std::sync::{Arc, Mutex};\nstruct A { m: Arc<Mutex<u32>> }\nstruct B { n: Arc<Mutex<u32>> }\nasync fn f(b: B) { *b.n.lock().unwrap() += 1; }\n";

    #[test]
    fn declarations_a_value_flows_between_are_one_lock() {
        let alone = plan_of(TWO_FIELDS);
        assert_eq!(alone.reports.len(), 1);
        assert_eq!(report(&alone, "B.n").members.len(), 1);
        let flow = "fn make(a: &A) -> B { B { n: a.m.clone() } }\n";
        let joined = plan_of(&format!("{TWO_FIELDS}{flow}"));
        assert_eq!(joined.reports.len(), 1);
        // Reported at its first declaration, migrated as a whole.
        let r = report(&joined, "A.m");
        assert_eq!(r.members.len(), 2);
        assert_eq!(r.decision, super::super::Decision::Migrate);
    }
}
