//! The fns a file defines, with what the async-ify fix (`locks/asyncify.rs`)
//! needs to make a sync one `async`: where `async ` goes, or why it cannot.

use super::*;

/// A fn the file defines.
#[derive(Clone, Debug)]
pub struct FnDef {
    pub key: FnId,
    /// Its name, where the fix's places point.
    pub name: TextRange,
    /// Where `async ` goes in a sync fn's signature (before `unsafe` or
    /// `fn`), or why the fn cannot become async (said after its name).
    pub async_at: Result<TextSize, &'static str>,
    /// What it is declared to return among the crate's own types, and
    /// whether in a `Result` or `Option` (see `OwnReceiver::Returned`).
    pub returns: Option<(OwnReceiver, bool)>,
}

impl Extractor<'_> {
    /// Records the fn `f` (keyed `key`) of the file.
    pub(super) fn record_fn_def(&mut self, f: &ast::Fn, key: &FnId) {
        let Some(name) = f.name() else {
            return;
        };
        self.facts.fn_defs.push(FnDef {
            key: key.clone(),
            name: name.syntax().text_range(),
            async_at: async_at(f, key),
            returns: self.own_return(f),
        });
    }

    /// A closure run in place in a sync fn (`iter.map(|x| ..)`): code in it
    /// is part of the fn, but could not await were the fn async.
    pub(super) fn record_in_place_closure(&mut self, node: &SyntaxNode, ctx: &SiteContext) {
        if node.kind() == SyntaxKind::CLOSURE_EXPR && matches!(ctx, SiteContext::Sync { .. }) {
            self.facts.in_place_closures.push(node.text_range());
        }
    }
}

/// Where `async ` goes in `f`'s signature, or why `f` cannot become async.
fn async_at(f: &ast::Fn, key: &FnId) -> Result<TextSize, &'static str> {
    if f.async_token().is_some() {
        return Err("is async already");
    }
    let owner = f.syntax().parent().and_then(|p| p.parent());
    if owner
        .as_ref()
        .is_some_and(|o| o.kind() == SyntaxKind::TRAIT)
    {
        return Err("is a trait's method, whose signature every impl shares");
    }
    if owner
        .and_then(ast::Impl::cast)
        .is_some_and(|i| i.trait_().is_some())
    {
        return Err("implements a trait's method, whose signature the trait fixes");
    }
    if f.const_token().is_some() {
        return Err("is a `const fn`");
    }
    if f.abi().is_some() {
        return Err("has an `extern` ABI");
    }
    if f.body().is_none() {
        return Err("has no body");
    }
    if key.ty.is_none() && key.name == "main" {
        return Err("is `main`");
    }
    let needs_sync = ast::HasAttrs::attrs(f).any(|a| {
        let path = a.path().map(|p| p.syntax().text().to_string());
        path.is_some_and(|p| ["test", "no_mangle", "export_name"].contains(&p.as_str()))
    });
    if needs_sync {
        return Err("has an attribute that needs it sync (`#[test]`, `#[no_mangle]`)");
    }
    let before = f.unsafe_token().or_else(|| f.fn_token());
    before
        .map(|t| t.text_range().start())
        .ok_or("has no `fn` keyword")
}

/// Does the fn whose name is at `name` in `root` return what a
/// `spawn_blocking` closure can hand back for sure: nothing, or a type made
/// only of std's owned types and primitives (`u64`, `Vec<u8>`,
/// `Option<String>`, tuples and arrays of them)? Else why not: a reference
/// or a lifetime may borrow from what the closure owns, and a generic or a
/// type of the crate may borrow (an elided lifetime) or not be `Send`.
pub fn returns_owned(root: &SyntaxNode, name: TextRange) -> Result<(), String> {
    const OWNED: &[&str] = &[
        "Vec",
        "String",
        "Box",
        "HashMap",
        "BTreeMap",
        "HashSet",
        "BTreeSet",
        "VecDeque",
        "Option",
        "Result",
        "u8",
        "u16",
        "u32",
        "u64",
        "u128",
        "usize",
        "i8",
        "i16",
        "i32",
        "i64",
        "i128",
        "isize",
        "f32",
        "f64",
        "bool",
        "char",
        "std",
        "collections",
        "vec",
        "string",
    ];
    let f = root
        .covering_element(name)
        .ancestors()
        .find_map(ast::Fn::cast)
        .ok_or("its definition is not found")?;
    let Some(ty) = f.ret_type().and_then(|r| r.ty()) else {
        return Ok(());
    };
    let text = ty.syntax().text().to_string();
    let owned = !text.contains(['&', '\'', '*'])
        && text
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .filter(|w| !w.is_empty() && !w.starts_with(|c: char| c.is_ascii_digit()))
            .all(|w| OWNED.contains(&w));
    match owned {
        true => Ok(()),
        false => Err(format!(
            "its return type `{text}` may borrow from what it is given, or not be `Send`"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::super::facts_of;
    use super::returns_owned;
    use ra_ap_syntax::{ast, ast::HasName, AstNode};

    #[test]
    fn a_helper_returns_owned_only_with_std_owned_types() {
        let src = "fn a(d: &[u8]) -> u64 { 0 }\nfn b(d: &[u8]) {}\nfn c(d: &[u8]) -> Option<Vec<(u8, String)>> { None }\nfn d(d: &[u8]) -> &u8 { &d[0] }\nfn e(d: &[u8]) -> Parsed { loop {} }\nfn f<T>(d: T) -> T { d }\nfn g(d: &[u8]) -> Box<dyn Send> { loop {} }\n";
        let file = ra_ap_syntax::SourceFile::parse(src, ra_ap_syntax::Edition::Edition2021).tree();
        let owned: Vec<bool> = file
            .syntax()
            .descendants()
            .filter_map(ast::Fn::cast)
            .map(|f| returns_owned(file.syntax(), f.name().unwrap().syntax().text_range()).is_ok())
            .collect();
        assert_eq!(owned, [true, true, true, false, false, false, false]);
    }

    fn async_at(src: &str) -> Vec<(String, Result<String, &'static str>)> {
        let facts = facts_of(src);
        facts
            .fn_defs
            .iter()
            .map(|d| {
                let at = d
                    .async_at
                    .map(|at| src[usize::from(at)..].chars().take(6).collect());
                (d.key.to_string(), at)
            })
            .collect()
    }

    #[test]
    fn a_sync_fn_takes_async_before_unsafe_or_fn() {
        let src = "pub(crate) fn a() {}\nunsafe fn b() {}\nimpl S { pub fn c(&self) {} }\n";
        let found = async_at(src);
        assert_eq!(
            found,
            [
                ("a".to_string(), Ok("fn a()".to_string())),
                ("b".to_string(), Ok("unsafe".to_string())),
                ("S::c".to_string(), Ok("fn c(&".to_string())),
            ]
        );
    }

    #[test]
    fn what_fixes_a_signature_stays_sync() {
        let src = "trait T { fn a(&self); }\nimpl T for S { fn a(&self) {} }\nconst fn b() {}\nextern \"C\" fn c() {}\nfn main() {}\n#[test]\nfn d() {}\nasync fn e() {}\n#[cfg(test)]\nfn f() {}\n";
        let found = async_at(src);
        let (sync, stays): (Vec<_>, Vec<_>) = found.iter().partition(|(_, at)| at.is_ok());
        assert_eq!(stays.len(), 7, "{found:?}");
        // A `cfg` attribute does not fix the signature.
        assert_eq!(sync, [&("f".to_string(), Ok("fn f()".to_string()))]);
    }

    #[test]
    fn closures_run_in_place_in_a_sync_fn_are_recorded() {
        let src = "fn f(v: &[u32]) -> u32 { v.iter().map(|x| x + 1).sum() }\nasync fn g(v: &[u32]) -> u32 { v.iter().map(|x| x + 1).sum() }\n";
        let facts = facts_of(src);
        assert_eq!(facts.in_place_closures.len(), 1);
        let r = facts.in_place_closures[0];
        assert_eq!(&src[r], "|x| x + 1");
        assert!(usize::from(r.start()) < src.find("async").unwrap());
    }
}
