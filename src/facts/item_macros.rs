//! Item macros that paste their tokens: a `macro_rules!` of the file whose
//! every arm takes `($($t:tt)*)` and pastes `$($t)*` (`rt_test! { .. }`,
//! which repeats a file's tests in one module per runtime) expands to its
//! tokens, unchanged. A call of one in item position is read as the module
//! it puts them in: `rt_test! {` is read as `mod m_rt {`, text of the same
//! length, so every fact's range is the file's. A lock locked or declared
//! inside is reported, never migrated: its rewrite would be made once, in
//! the call, for every module the macro puts the tokens in, where the names
//! around them differ. A blocking call's fix is local to its tokens, and is
//! made as anywhere else.

use ra_ap_syntax::ast::{self, HasName};
use ra_ap_syntax::{AstNode, SourceFile, TextRange};

/// A pasting macro's call read as a module: the call's range and the
/// macro's name.
#[derive(Clone, Debug)]
pub struct MacroRegion {
    pub range: TextRange,
    pub name: String,
}

impl MacroRegion {
    pub fn reason(&self) -> String {
        format!(
            "it is inside `{}! {{ .. }}`, a macro call the tool reads but does not rewrite",
            self.name
        )
    }
}

/// The file's text with each call of a pasting macro read as a module, and
/// where those calls are; none where the file calls no such macro.
pub(super) fn read_as_modules(file: &SourceFile, text: &str) -> Option<(String, Vec<MacroRegion>)> {
    let pasting: Vec<String> = file
        .syntax()
        .descendants()
        .filter_map(ast::MacroRules::cast)
        .filter(|rules| rules.token_tree().is_some_and(|tt| pastes_its_tokens(&tt)))
        .filter_map(|rules| rules.name().map(|n| n.text().to_string()))
        .collect();
    if pasting.is_empty() {
        return None;
    }
    let mut out = text.to_string();
    let mut regions = Vec::new();
    for mac in file.syntax().descendants().filter_map(ast::MacroCall::cast) {
        let (Some(path), Some(tt)) = (mac.path(), mac.token_tree()) else {
            continue;
        };
        let name = path.syntax().text().to_string();
        let braces = tt.l_curly_token().is_some();
        if !braces || !pasting.contains(&name) || !super::macros::at_item_level(&mac) {
            continue;
        }
        // `name! {` up to the brace becomes `mod xxxx {`: needs 6 bytes
        // for `mod ` and a name of at least two letters.
        let head = TextRange::new(
            mac.syntax().text_range().start(),
            tt.syntax().text_range().start(),
        );
        let (start, end) = (usize::from(head.start()), usize::from(head.end()));
        if end - start < 6 || !text[start..end].is_ascii() {
            continue;
        }
        let stem: String = name
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        let module: String = format!("m_{stem}")
            .chars()
            .chain(std::iter::repeat('_'))
            .take(end - start - 5)
            .collect();
        out.replace_range(start..end, &format!("mod {module} "));
        regions.push(MacroRegion {
            range: mac.syntax().text_range(),
            name,
        });
    }
    (!regions.is_empty()).then_some((out, regions))
}

/// Every arm is `($($t:tt)*) => { .. $($t)* .. }`: what the call holds is
/// pasted, unchanged.
fn pastes_its_tokens(tt: &ast::TokenTree) -> bool {
    let text: String = tt
        .syntax()
        .descendants_with_tokens()
        .filter_map(|t| t.into_token())
        .filter(|t| !t.kind().is_trivia())
        .map(|t| t.text().to_string())
        .collect();
    // `{($($t:tt)*)=>{..$($t)*..};..}`, arm by arm.
    let Some(body) = text.strip_prefix('{').and_then(|t| t.strip_suffix('}')) else {
        return false;
    };
    let arms: Vec<&str> = split_arms(body);
    !arms.is_empty()
        && arms.iter().all(|arm| {
            let Some(rest) = arm.strip_prefix("($($") else {
                return false;
            };
            let Some((var, rest)) = rest.split_once(":tt)*)=>") else {
                return false;
            };
            !var.is_empty()
                && var.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && rest.contains(&format!("$(${var})*"))
        })
}

/// The arms of a `macro_rules!` body, split at the `;` between them (at
/// bracket depth 0).
fn split_arms(body: &str) -> Vec<&str> {
    let mut arms = Vec::new();
    let (mut depth, mut start) = (0i32, 0);
    for (i, c) in body.char_indices() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            ';' if depth == 0 => {
                arms.push(&body[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if start < body.len() {
        arms.push(&body[start..]);
    }
    arms
}

#[cfg(test)]
mod tests {
    use super::*;
    use ra_ap_syntax::Edition;

    fn read(text: &str) -> Option<(String, Vec<MacroRegion>)> {
        let parsed = crate::parse::parse(text, Edition::Edition2021);
        read_as_modules(&parsed.tree, text)
    }

    const RT_TEST: &str = "macro_rules! rt_test {\n    ($($t:tt)*) => {\n        mod current { $($t)* fn rt() {} }\n        mod threaded { $($t)* fn rt() {} }\n    }\n}\n";

    #[test]
    fn a_call_of_a_pasting_macro_is_read_as_a_module_of_the_same_length() {
        let text = format!("{RT_TEST}rt_test! {{\n    async fn f() {{}}\n}}\n");
        let (read, regions) = read(&text).expect("rt_test pastes its tokens");
        assert_eq!(read.len(), text.len());
        assert_eq!(regions.len(), 1);
        assert_eq!(regions[0].name, "rt_test");
        assert_eq!(
            &text[regions[0].range],
            "rt_test! {\n    async fn f() {}\n}"
        );
        let parsed = crate::parse::parse(&read, Edition::Edition2021);
        assert!(parsed.error.is_none(), "{read}");
        let module = parsed
            .tree
            .syntax()
            .descendants()
            .find(|n| n.kind() == ra_ap_syntax::SyntaxKind::MODULE);
        let module = module.expect("the call is read as a module");
        assert_eq!(module.text_range(), regions[0].range);
        assert!(module.to_string().contains("async fn f() {}"));
    }

    #[test]
    fn macros_that_do_more_than_paste_are_left_alone() {
        // An arm that matches items one by one, or pastes its tokens in
        // another order, is no plain paste; a call in a fn is no item.
        for rules in [
            "macro_rules! m { ($($i:item)*) => { $($i)* } }\nm! { fn f() {} }\n",
            "macro_rules! m { ($($t:tt)*) => { fn g() { $($t)* } } }\nfn h() { m! { 1 } }\n",
            "macro_rules! m { ($($t:tt)*) => { $($t)* }; (x) => {} }\nm! { fn f() {} }\n",
            "macro_rules! m { ($($t:tt)*) => { $($t)* } }\nm!(fn f() {});\n",
        ] {
            assert!(read(rules).is_none(), "{rules}");
        }
        let text = format!("{RT_TEST}fn main() {{}}\n");
        assert!(read(&text).is_none(), "no call: nothing to read");
    }
}
