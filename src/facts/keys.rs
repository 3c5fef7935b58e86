//! Identities of declarations and fns: the keys the crate-wide index joins on.

use super::*;

/// The name code elsewhere in the crate must mention to reach the
/// declaration with this key: a field, static, alias or fn name. Locals stay
/// in their file.
pub fn reach_name(key: &str) -> Option<String> {
    let (kind, rest) = key.split_once(':')?;
    let name = match kind {
        "field" => rest.rsplit_once('.').map(|(_, f)| f),
        "static" | "alias" => Some(rest),
        "param" | "ret" => rest
            .split('#')
            .next()
            .map(|f| f.rsplit("::").next().unwrap_or(f)),
        _ => None,
    };
    name.map(str::to_string)
}

pub(super) fn item_name(node: &SyntaxNode) -> Option<String> {
    node.children()
        .find_map(ast::Name::cast)
        .map(|n| n.text().to_string())
}

/// `field:Struct.name`, or `field:Enum::Variant.name` for enum variants;
/// a positional field's name is its index (`field:Shared.0`).
pub(super) fn field_key(field: &SyntaxNode) -> Option<String> {
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
    Some(format!("field:{owner}.{name}"))
}

/// The field a struct literal's `name: value` initialises.
pub(super) fn record_expr_field_key(node: &SyntaxNode) -> Option<String> {
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
    Some(format!("field:{owner}.{name}"))
}

/// The type of the enclosing `impl` block (`Self`).
pub fn impl_type(node: &SyntaxNode) -> Option<String> {
    let imp = node.ancestors().find_map(ast::Impl::cast)?;
    let ty = imp.self_ty()?;
    let path = ty.syntax().descendants().find_map(ast::Path::cast)?;
    segments(&path)?.last().cloned()
}

/// A fn's key: `name` for free fns, `Type::name` for methods.
pub fn fn_key(f: &ast::Fn) -> String {
    let name = f.name().map(|n| n.text().to_string()).unwrap_or_default();
    match f
        .syntax()
        .parent()
        .and_then(|p| p.parent())
        .and_then(ast::Impl::cast)
    {
        Some(_) => match impl_type(f.syntax()) {
            Some(t) => format!("{t}::{name}"),
            None => name,
        },
        None => name,
    }
}
