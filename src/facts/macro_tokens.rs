//! Macros the tool does not read as code: the tracked imports and the
//! places their tokens name, the lock constructors handed to calls in them,
//! the declarations an item-level one may make, and the locks a crate's own
//! `macro_rules!` body locks by name.

use super::*;
use std::collections::HashMap;

/// A macro's tokens, without whitespace and comments.
pub(super) fn significant_tokens(tt: &ast::TokenTree) -> Vec<ra_ap_syntax::SyntaxToken> {
    tt.syntax()
        .descendants_with_tokens()
        .filter_map(|t| t.into_token())
        .filter(|t| !t.kind().is_trivia())
        .collect()
}

/// Is `tokens[i]` the name of a lock method call (`.lock(`, `.read(`,
/// `.upgradable_read(`..)?
pub(super) fn lock_method_call(tokens: &[ra_ap_syntax::SyntaxToken], i: usize) -> bool {
    let kind = |j: usize| tokens.get(j).map(|t| t.kind());
    let name = tokens[i].text();
    (LOCK_METHODS.contains(&name) || NO_TOKIO_METHODS.contains(&name))
        && i.checked_sub(1).and_then(kind) == Some(SyntaxKind::DOT)
        && kind(i + 1) == Some(SyntaxKind::L_PAREN)
}

/// Is a `::` at `i` (two joined `:` in a token tree)?
fn path_sep(tokens: &[ra_ap_syntax::SyntaxToken], i: usize) -> bool {
    match (tokens.get(i), tokens.get(i.wrapping_add(1))) {
        (Some(a), Some(b)) => {
            a.kind() == SyntaxKind::COLON
                && b.kind() == SyntaxKind::COLON
                && a.text_range().end() == b.text_range().start()
        }
        _ => false,
    }
}

/// The parameter the argument that holds `tokens[at]` is handed to:
/// `name(`, `.name(` or `Type::name(` before the innermost parentheses
/// around it, and its position among their commas.
fn param_handed(tokens: &[ra_ap_syntax::SyntaxToken], at: usize) -> Option<Target> {
    let (mut depth, mut index) = (0usize, 0usize);
    let mut open = None;
    for j in (0..at).rev() {
        match tokens[j].kind() {
            SyntaxKind::R_PAREN | SyntaxKind::R_BRACK | SyntaxKind::R_CURLY => depth += 1,
            SyntaxKind::L_PAREN if depth == 0 => {
                open = Some(j);
                break;
            }
            SyntaxKind::L_PAREN | SyntaxKind::L_BRACK | SyntaxKind::L_CURLY if depth > 0 => {
                depth -= 1
            }
            SyntaxKind::L_BRACK | SyntaxKind::L_CURLY => return None,
            SyntaxKind::COMMA if depth == 0 => index += 1,
            _ => {}
        }
    }
    let name_at = open?.checked_sub(1)?;
    let name = &tokens[name_at];
    if name.kind() != SyntaxKind::IDENT {
        return None;
    }
    let method = name_at
        .checked_sub(1)
        .is_some_and(|j| tokens[j].kind() == SyntaxKind::DOT);
    let upper = |s: &str| s.starts_with(|c: char| c.is_ascii_uppercase());
    // `Type::f(` (not `module::f(`).
    let qual_at = path_sep_before(tokens, name_at).and_then(|sep| sep.checked_sub(1));
    let qual = qual_at
        .map(|j| &tokens[j])
        .filter(|q| q.kind() == SyntaxKind::IDENT && upper(q.text()))
        .map(|q| q.text().to_string());
    // `Arc::new(Mutex::new(..))`: the pointer is the argument.
    if qual
        .as_deref()
        .is_some_and(|q| matches!(q, "Arc" | "Rc" | "Box"))
        && name.text() == "new"
    {
        return param_handed(tokens, qual_at?);
    }
    // `Shared(Mutex::new(..))`: a positional field.
    if upper(name.text()) {
        return Some(Target::Field {
            name: index.to_string(),
            owner: Some(name.text().to_string()),
        });
    }
    Some(Target::Param {
        name: name.text().to_string(),
        qual,
        method,
        index,
        module: None,
    })
}

/// A path separator starts at `tokens[at]`: `::`, which a token tree holds
/// as two `:`.
fn path_sep_at(tokens: &[ra_ap_syntax::SyntaxToken], at: usize) -> bool {
    let kind = |j: usize| tokens.get(j).map(|t| t.kind());
    kind(at) == Some(SyntaxKind::COLON2)
        || kind(at) == Some(SyntaxKind::COLON)
            && kind(at + 1) == Some(SyntaxKind::COLON)
            && tokens[at].text_range().end() == tokens[at + 1].text_range().start()
}

/// Where the path separator just before `tokens[at]` starts, if there is one.
fn path_sep_before(tokens: &[ra_ap_syntax::SyntaxToken], at: usize) -> Option<usize> {
    let j = at.checked_sub(1)?;
    match tokens[j].kind() {
        SyntaxKind::COLON2 => Some(j),
        SyntaxKind::COLON => j.checked_sub(1).filter(|&i| path_sep_at(tokens, i)),
        _ => None,
    }
}

impl Extractor<'_> {
    /// A `macro_rules!` of the crate, which the tool does not expand: the
    /// locks its body calls a lock method on by name (`$r.counters.read()`,
    /// `STATE.lock()`) are used wherever it is called, where no rewrite can
    /// follow them; and the tracked imports its body names stay. (A lock
    /// handed to the macro as an argument is blamed at the call, see
    /// `visit_macro`.)
    pub(super) fn visit_macro_rules(&mut self, rules: &ast::MacroRules) {
        let (Some(name), Some(tt)) = (rules.name(), rules.token_tree()) else {
            return;
        };
        self.facts.macro_rules.push(name.text().to_string());
        let tokens = significant_tokens(&tt);
        self.record_tracked_names(&tokens, 0);
        let kind = |i: usize| tokens.get(i).map(|t| t.kind());
        for i in 0..tokens.len() {
            if i < 2 || !lock_method_call(&tokens, i) {
                continue;
            }
            let recv = &tokens[i - 2];
            let before = i.checked_sub(3).and_then(kind);
            let target = match (recv.kind(), before) {
                // `$m.lock()`, `$r.$f.lock()`: whatever the call hands in.
                (_, Some(SyntaxKind::DOLLAR)) => continue,
                (SyntaxKind::IDENT, Some(SyntaxKind::DOT)) => Target::Field {
                    name: recv.text().to_string(),
                    owner: None,
                },
                (SyntaxKind::IDENT, _)
                    if recv.text().starts_with(|c: char| c.is_ascii_uppercase()) =>
                {
                    self.static_target(recv.text(), rules.syntax())
                }
                _ => continue,
            };
            self.facts.macro_uses.push(MacroUse {
                macro_name: name.text().to_string(),
                target,
                range: recv.text_range(),
                in_async: false,
                kind: MacroUseKind::InDefinition,
            });
        }
    }

    /// The tracked imports an unknown macro's tokens name: an import used
    /// only there must not be removed or left stale by the migration.
    pub(super) fn record_tracked_names(
        &mut self,
        tokens: &[ra_ap_syntax::SyntaxToken],
        shift: u32,
    ) {
        for (i, t) in tokens.iter().enumerate() {
            // `std::sync::Mutex` names no import.
            if t.kind() != SyntaxKind::IDENT || path_sep(tokens, i.wrapping_sub(2)) {
                continue;
            }
            let range = t.text_range() + TextSize::from(shift);
            if let Some(import) = self
                .imports
                .import_for(t.text(), range.start())
                .filter(|i| tracked_import(&i.path))
            {
                self.facts.name_uses.push(NameUse {
                    import: import.tree,
                    name: t.text().to_string(),
                    range,
                    test_glob: self.test_glob(t.text(), range.start()),
                });
            }
        }
    }

    /// The places an unknown macro's tokens name: a local in scope, a field
    /// (`.name`, of the struct `x` or `self` is, where known), or a static,
    /// as code around the macro would resolve them. `anchor` is the macro
    /// call in the file (an outer one, for a macro call inside another
    /// macro's arguments, whose tokens are `shift` from the file's).
    pub(super) fn macro_places(
        &self,
        mac: &ast::MacroCall,
        anchor: &SyntaxNode,
        tokens: &[ra_ap_syntax::SyntaxToken],
        shift: u32,
    ) -> Vec<(Target, TextRange)> {
        let mut places: Vec<(Target, TextRange)> = Vec::new();
        // In item position no local is in scope.
        let item_level = at_item_level(mac);
        // Every token has the macro as its anchor: a name resolves once.
        let mut locals: HashMap<&str, Option<Target>> = HashMap::new();
        for (i, t) in tokens.iter().enumerate() {
            if t.kind() != SyntaxKind::IDENT {
                continue;
            }
            let after_dot = i > 0 && tokens[i - 1].kind() == SyntaxKind::DOT;
            let before_colons = path_sep(tokens, i + 1);
            let name = t.text().to_string();
            let target = if after_dot {
                let base = i
                    .checked_sub(2)
                    .map(|b| &tokens[b])
                    .filter(|b| matches!(b.kind(), SyntaxKind::IDENT | SyntaxKind::SELF_KW));
                let owner = base.and_then(|b| match b.text() {
                    "self" => impl_type(anchor),
                    var => self.var_type_hint(var, &self.scope_of(var, mac.syntax(), anchor)),
                });
                Some(Target::Field { name, owner })
            } else if before_colons {
                None
            } else if name.starts_with(|c: char| c.is_ascii_uppercase()) {
                Some(self.static_target(&name, anchor))
            } else if item_level {
                None
            } else {
                let found = locals.entry(t.text()).or_insert_with(|| {
                    let scope = self.scope_of(&name, mac.syntax(), anchor);
                    match self.lookup_var(&name, &scope, 0) {
                        Some(Target::Static(_)) | None => None,
                        found => found,
                    }
                });
                found.clone()
            };
            places.extend(target.map(|target| (target, t.text_range() + TextSize::from(shift))));
        }
        places
    }

    /// Calls in an unknown macro's tokens handed a lock's constructor
    /// (`join!(run(Mutex::new(0)))`): the parameter each one is handed to,
    /// whose lock the rewrite cannot make the constructor follow.
    pub(super) fn handed_constructors(
        &self,
        tokens: &[ra_ap_syntax::SyntaxToken],
        shift: u32,
    ) -> Vec<(Target, TextRange)> {
        let mut out = Vec::new();
        for (i, t) in tokens.iter().enumerate() {
            let constructor = t.kind() == SyntaxKind::IDENT
                && self.lock_names.contains(t.text())
                && path_sep_at(tokens, i + 1);
            if !constructor || !self.names_a_lock(tokens, i, shift) {
                continue;
            }
            if let Some(param) = param_handed(tokens, i) {
                out.push((param, t.text_range() + TextSize::from(shift)));
            }
        }
        out
    }

    /// The path that ends at `tokens[end]` (`Mutex`, `std::sync::Mutex`)
    /// names a std or parking_lot lock.
    fn names_a_lock(&self, tokens: &[ra_ap_syntax::SyntaxToken], end: usize, shift: u32) -> bool {
        let mut segs = vec![tokens[end].text().to_string()];
        let mut start = end;
        while let Some(sep) = path_sep_before(tokens, start) {
            match sep.checked_sub(1).map(|j| &tokens[j]) {
                Some(t) if t.kind() == SyntaxKind::IDENT => {
                    segs.insert(0, t.text().to_string());
                    start = sep - 1;
                }
                _ => break,
            }
        }
        let full = self.imports.resolve(
            &segs,
            tokens[end].text_range().start() + TextSize::from(shift),
        );
        crate::imports::classify(&full).is_some_and(|(f, l)| f != Family::Tokio && !l.is_guard())
    }

    /// An item-level macro the tool cannot read may declare locks
    /// (`pin_project! { struct S { m: Mutex<T> } }`). Where its tokens read as
    /// items, their fields and statics are declarations that can never be
    /// rewritten: a lock that flows into one is left to a person.
    pub(super) fn macro_declarations(
        &mut self,
        mac: &ast::MacroCall,
        name: &str,
        inner: &str,
        start: u32,
    ) {
        if !at_item_level(mac) || !(inner.contains("Mutex") || inner.contains("RwLock")) {
            return;
        }
        // `lazy_static! { static ref NAME: T = .. }`: read as a `static`,
        // `ref` blanked so that offsets still match.
        let mut inner = inner.to_string();
        if let Some(tt) = mac.token_tree() {
            let tokens = significant_tokens(&tt);
            for pair in tokens.windows(2) {
                if pair[0].kind() == SyntaxKind::STATIC_KW && pair[1].kind() == SyntaxKind::REF_KW {
                    let at = u32::from(pair[1].text_range().start()).checked_sub(start);
                    if let Some(at) = at.map(|a| a as usize).filter(|a| a + 3 <= inner.len()) {
                        inner.replace_range(at..at + 3, "   ");
                    }
                }
            }
        }
        let parsed = crate::parse::parse(&inner, self.edition);
        if parsed.error.is_some() {
            return;
        }
        let first = self.facts.decls.len();
        self.shift = start;
        for node in parsed.tree.syntax().descendants() {
            match node.kind() {
                SyntaxKind::RECORD_FIELD | SyntaxKind::TUPLE_FIELD => {
                    self.visit_record_field(&node)
                }
                SyntaxKind::STATIC | SyntaxKind::CONST => self.visit_static(&node),
                _ => {}
            }
        }
        self.shift = 0;
        let reason = format!("it is declared inside `{name}!`, a macro the tool cannot rewrite");
        for d in &mut self.facts.decls[first..] {
            d.range += TextSize::from(start);
            d.blockers.push(reason.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_constructor_in_an_unknown_macro_names_the_parameter_it_is_handed_to() {
        let f = facts_of("use std::sync::{Arc, Mutex};\nasync fn f(s: S) { my_join!(s.run(1, Arc::new(Mutex::new(0))), Store::open(std::sync::Mutex::new(2))); }\n");
        let handed: Vec<&Target> = f
            .macro_uses
            .iter()
            .filter(|m| m.kind == MacroUseKind::HandedConstructor)
            .map(|m| &m.target)
            .collect();
        let param = |name: &str, qual: Option<&str>, method: bool, index: usize| Target::Param {
            name: name.into(),
            qual: qual.map(Into::into),
            method,
            index,
            module: None,
        };
        assert_eq!(
            handed,
            [
                &param("run", None, true, 1),
                &param("open", Some("Store"), false, 0)
            ]
        );
    }
}
