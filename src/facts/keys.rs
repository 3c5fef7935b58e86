//! Identities of declarations and fns: the keys the crate-wide index joins on.

use super::*;

/// A name as written in code; cheap to clone and hash.
pub type Name = ra_ap_syntax::SmolStr;

/// A fn: a free fn by its name, a method or associated fn by its `impl`
/// type and name. Shared, so that every call and site in a fn holds the
/// same small handle.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FnId(std::sync::Arc<FnPath>);

#[derive(Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FnPath {
    pub ty: Option<Name>,
    pub name: Name,
}

impl FnId {
    pub fn free(name: &str) -> FnId {
        FnId::interned(FnPath {
            ty: None,
            name: name.into(),
        })
    }

    pub fn method(ty: &str, name: &str) -> FnId {
        FnId::interned(FnPath {
            ty: Some(ty.into()),
            name: name.into(),
        })
    }

    /// One shared handle per fn and thread: a crate's files name the same
    /// fns in tens of thousands of calls, and a handle each would be most
    /// of what their facts hold. The set is only looked up, never walked,
    /// so it hashes with FxHash rather than SipHash.
    fn interned(path: FnPath) -> FnId {
        thread_local! {
            static FN_IDS: std::cell::RefCell<rustc_hash::FxHashSet<FnId>> = Default::default();
        }
        FN_IDS.with_borrow_mut(|ids| match ids.get(&path) {
            Some(id) => id.clone(),
            None => {
                let id = FnId(std::sync::Arc::new(path));
                ids.insert(id.clone());
                id
            }
        })
    }
}

impl std::borrow::Borrow<FnPath> for FnId {
    fn borrow(&self) -> &FnPath {
        &self.0
    }
}

impl std::ops::Deref for FnId {
    type Target = FnPath;

    fn deref(&self) -> &FnPath {
        &self.0
    }
}

impl std::fmt::Display for FnId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.ty {
            Some(ty) => write!(f, "{ty}::{}", self.name),
            None => f.write_str(&self.name),
        }
    }
}

/// The module a path names a free fn in, where the tool can tell.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ModulePath {
    /// From the crate root: `crate::worker`.
    Crate(String),
    /// Relative to the file's own module: `` (the file's), `tests`, `a::b`.
    Here(String),
}

/// The inline modules around a node, outermost first (`a::b`; empty at the
/// file's level).
pub fn inline_modules(node: &SyntaxNode) -> String {
    let mut names: Vec<String> = node
        .ancestors()
        .filter_map(ast::Module::cast)
        .filter_map(|m| m.name().map(|n| n.text().to_string()))
        .collect();
    names.reverse();
    names.join("::")
}

/// What a declaration is, as the crate-wide index joins on it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DeclKey {
    /// A field of a struct, union or enum variant (`owner` is `Enum::Variant`
    /// then); a positional field's name is its index (`Shared.0`).
    Field { owner: Name, name: Name },
    /// A static or const.
    Static(Name),
    /// A type alias.
    Alias(Name),
    /// A `let` binding, by its file and the statement's offset.
    Local { file: usize, offset: u32 },
    /// The `index`-th parameter of a fn.
    Param { func: FnId, index: usize },
    /// A fn's return value.
    Ret(FnId),
}

impl DeclKey {
    /// The name code elsewhere in the crate must mention to reach this
    /// declaration: a field, static, alias or fn name. Locals stay in their
    /// file.
    pub fn reach_name(&self) -> Option<&Name> {
        match self {
            DeclKey::Field { name, .. } | DeclKey::Static(name) | DeclKey::Alias(name) => {
                Some(name)
            }
            DeclKey::Param { func, .. } | DeclKey::Ret(func) => Some(&func.name),
            DeclKey::Local { .. } => None,
        }
    }
}

pub(super) fn item_name(node: &SyntaxNode) -> Option<String> {
    node.children()
        .find_map(ast::Name::cast)
        .map(|n| n.text().to_string())
}

/// A field's key: its struct's (or `Enum::Variant`'s) and its name; a
/// positional field's name is its index (`Shared.0`).
pub(super) fn field_key(field: &SyntaxNode) -> Option<DeclKey> {
    let name = match ast::RecordField::cast(field.clone()) {
        Some(f) => f.name()?.text().to_string(),
        None => ast::TupleFieldList::cast(field.parent()?)?
            .fields()
            .position(|f| f.syntax() == field)?
            .to_string(),
    };
    let owner_node = field.parent()?.parent()?;
    let owner = match owner_node.kind() {
        SyntaxKind::STRUCT | SyntaxKind::UNION => item_name(&owner_node)?,
        SyntaxKind::VARIANT => {
            let variant = item_name(&owner_node)?;
            let en = owner_node
                .ancestors()
                .find(|a| a.kind() == SyntaxKind::ENUM)?;
            format!("{}::{variant}", item_name(&en)?)
        }
        _ => return None,
    };
    Some(DeclKey::Field {
        owner: owner.into(),
        name: name.into(),
    })
}

/// The field a struct literal's `name: value` initialises.
pub(super) fn record_expr_field_key(node: &SyntaxNode) -> Option<DeclKey> {
    let field = ast::RecordExprField::cast(node.clone())?;
    let name = field.field_name()?.text().to_string();
    let record = node.ancestors().find_map(ast::RecordExpr::cast)?;
    let segs = segments(&record.path()?)?;
    let owner = match segs.as_slice() {
        [one] if one == "Self" => impl_type(node)?,
        [.., e, v] if e.starts_with(char::is_uppercase) => format!("{e}::{v}"),
        [.., last] => last.clone(),
        [] => return None,
    };
    Some(DeclKey::Field {
        owner: owner.into(),
        name: name.into(),
    })
}

/// The type of the enclosing `impl` block (`Self`).
pub fn impl_type(node: &SyntaxNode) -> Option<String> {
    let imp = node.ancestors().find_map(ast::Impl::cast)?;
    let ty = imp.self_ty()?;
    let path = ty.syntax().descendants().find_map(ast::Path::cast)?;
    segments(&path)?.last().cloned()
}

/// A fn's identity: its name, and its `impl` type for methods.
pub fn fn_key(f: &ast::Fn) -> FnId {
    let name = f.name().map(|n| n.text().to_string()).unwrap_or_default();
    let in_impl = f
        .syntax()
        .parent()
        .and_then(|p| p.parent())
        .and_then(ast::Impl::cast)
        .is_some();
    match impl_type(f.syntax()).filter(|_| in_impl) {
        Some(t) => FnId::method(&t, &name),
        None => FnId::free(&name),
    }
}
