//! Macros: arguments of macros whose grammar is known are parsed as
//! expressions; tokens of others resolve only as code would.

use super::*;
use std::collections::HashMap;

/// Macros whose arguments are plain expressions.
pub(super) const EXPR_MACROS: &[&str] = &[
    "println",
    "print",
    "eprintln",
    "eprint",
    "format",
    "write",
    "writeln",
    "assert",
    "assert_eq",
    "assert_ne",
    "debug_assert",
    "debug_assert_eq",
    "debug_assert_ne",
    "vec",
    "panic",
    "dbg",
    "format_args",
    "unreachable",
    "todo",
];

/// The fn a macro's arguments are parsed as the arguments of: no call of
/// the user's.
pub(super) const MACRO_WRAPPER: &str = "__m";

/// The `log` and `tracing` macros: format arguments after optional
/// `target:`/`parent:` and `key = ?value` fields (see `log_arguments`).
pub(super) const LOG_MACROS: &[&str] = &["trace", "debug", "info", "warn", "error", "event", "log"];

/// A log macro's arguments as an expression list of the same length: the
/// `target:`/`parent:`/`name:` labels and the `?`/`%` sigils of fields are
/// blanked, so `key = ?value` reads as an assignment and offsets still match.
pub(super) fn log_arguments(tt: &ast::TokenTree) -> String {
    // Top-level elements: tokens, and nested token trees kept whole.
    let elements: Vec<(SyntaxKind, String)> = tt
        .syntax()
        .children_with_tokens()
        .map(|e| (e.kind(), e.to_string()))
        .collect();
    if elements.len() < 2 {
        return String::new();
    }
    let significant: Vec<usize> = (0..elements.len())
        .filter(|&i| !elements[i].0.is_trivia())
        .collect();
    let mut blank = HashSet::new();
    for (k, &i) in significant.iter().enumerate() {
        let prev = k.checked_sub(1).map(|p| elements[significant[p]].0);
        let next = significant.get(k + 1).map(|&n| elements[n].0);
        let (kind, text) = &elements[i];
        let at_start = matches!(
            prev,
            None | Some(
                SyntaxKind::L_PAREN | SyntaxKind::L_CURLY | SyntaxKind::L_BRACK | SyntaxKind::COMMA
            )
        );
        let label = at_start
            && next == Some(SyntaxKind::COLON)
            && matches!(text.as_str(), "target" | "parent" | "name");
        let sigil = matches!(kind, SyntaxKind::QUESTION | SyntaxKind::PERCENT)
            && (at_start || prev == Some(SyntaxKind::EQ));
        if label {
            blank.insert(i);
            blank.insert(significant[k + 1]);
        } else if sigil {
            blank.insert(i);
        }
    }
    let inner = &elements[1..elements.len() - 1];
    inner
        .iter()
        .enumerate()
        .map(|(i, (_, text))| {
            if blank.contains(&(i + 1)) {
                " ".repeat(text.len())
            } else {
                text.clone()
            }
        })
        .collect()
}

/// A macro call in item position (a file's or module's item, or one made by
/// another macro), whose tokens are items if anything.
pub(super) fn at_item_level(mac: &ast::MacroCall) -> bool {
    mac.syntax().parent().is_some_and(|p| {
        matches!(
            p.kind(),
            SyntaxKind::SOURCE_FILE | SyntaxKind::ITEM_LIST | SyntaxKind::MACRO_ITEMS
        )
    })
}

/// A macro's tokens, without whitespace and comments.
fn significant_tokens(tt: &ast::TokenTree) -> Vec<ra_ap_syntax::SyntaxToken> {
    tt.syntax()
        .descendants_with_tokens()
        .filter_map(|t| t.into_token())
        .filter(|t| !t.kind().is_trivia())
        .collect()
}

impl Extractor<'_> {
    /// A macro call: visited as code where its arguments are expressions,
    /// else its tokens are resolved as the imports and places handed to it.
    pub(super) fn visit_macro(&mut self, mac: &ast::MacroCall) {
        let Some(name) = mac
            .path()
            .and_then(|p| segments(&p))
            .and_then(|s| s.last().cloned())
        else {
            return;
        };
        let Some(tt) = mac.token_tree() else { return };
        let text = tt.syntax().text().to_string();
        if text.len() < 2 {
            return;
        }
        let start = u32::from(tt.syntax().text_range().start()) + 1;
        let known = EXPR_MACROS.contains(&name.as_str());
        // A log macro is parsed only where it may hold a lock site; its
        // other places resolve from its tokens like any macro's.
        let log = LOG_MACROS.contains(&name.as_str()) && has_lock_call(&text);
        let inner = if log {
            log_arguments(&tt)
        } else {
            text[1..text.len() - 1].to_string()
        };
        if (known || log) && self.visit_as_expressions(mac, &name, &inner, start) {
            return;
        }
        self.macro_declarations(mac, &name, &inner, start);
        // An unknown macro: note the uses of tracked imports in its tokens,
        // and every place handed to it, so that a lock used here is never
        // migrated behind the macro's back.
        let tokens = significant_tokens(&tt);
        self.record_tracked_names(&tokens);
        let in_async = self.ctx == SiteContext::Async;
        let places = self.macro_places(mac, &tokens);
        let mut seen = HashSet::new();
        for (target, range) in self.handed_constructors(&tokens) {
            self.facts.macro_uses.push(MacroUse {
                macro_name: name.clone(),
                target,
                range,
                in_async: false,
                handed_constructor: true,
            });
        }
        for (target, range) in places {
            if seen.insert(target.clone()) {
                self.facts.macro_uses.push(MacroUse {
                    macro_name: name.clone(),
                    target,
                    range,
                    in_async,
                    handed_constructor: false,
                });
            }
        }
    }

    /// A macro whose arguments are expressions is visited as code: its
    /// arguments are parsed inside a wrapper fn. False where they do not
    /// parse, or the macro cannot be shifted back into the file.
    fn visit_as_expressions(
        &mut self,
        mac: &ast::MacroCall,
        name: &str,
        inner: &str,
        start: u32,
    ) -> bool {
        let call_prefix = format!("fn __awaitify() {{ {MACRO_WRAPPER}(");
        let (prefix, suffix) = if name == "vec" {
            ("fn __awaitify() { [", "\n]; }")
        } else {
            (call_prefix.as_str(), "\n); }")
        };
        // Ranges in the wrapper move back by `shift` into the file. A
        // macro that starts closer to the file's start than the wrapper's
        // prefix is long cannot move (and `shift == 0` means "not in a
        // macro"): it is treated as an unknown macro.
        let shift = start.checked_sub(prefix.len() as u32).filter(|s| *s > 0);
        let parsed = crate::parse::parse(&format!("{prefix}{inner}{suffix}"), self.edition);
        let (None, Some(shift)) = (parsed.error, shift) else {
            return false;
        };
        for node in parsed.tree.syntax().descendants() {
            self.visit(&node, mac.syntax(), shift);
        }
        self.shift = 0;
        true
    }

    /// The tracked imports an unknown macro's tokens name: an import used
    /// only there must not be removed or left stale by the migration.
    fn record_tracked_names(&mut self, tokens: &[ra_ap_syntax::SyntaxToken]) {
        for t in tokens {
            if t.kind() != SyntaxKind::IDENT {
                continue;
            }
            if let Some(import) = self
                .imports
                .import_for(t.text(), t.text_range().start())
                .filter(|i| tracked_import(&i.path))
            {
                self.facts.name_uses.push(NameUse {
                    import: import.tree,
                    name: t.text().to_string(),
                    range: t.text_range(),
                });
            }
        }
    }

    /// The places an unknown macro's tokens name: a local in scope, a field
    /// (`.name`, of the struct `x` or `self` is, where known), or a static,
    /// as code around the macro would resolve them.
    fn macro_places(
        &self,
        mac: &ast::MacroCall,
        tokens: &[ra_ap_syntax::SyntaxToken],
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
            let before_colons = tokens
                .get(i + 1)
                .is_some_and(|n| n.kind() == SyntaxKind::COLON2);
            let name = t.text().to_string();
            let target = if after_dot {
                let base = i
                    .checked_sub(2)
                    .map(|b| &tokens[b])
                    .filter(|b| matches!(b.kind(), SyntaxKind::IDENT | SyntaxKind::SELF_KW));
                let owner = base.and_then(|b| match b.text() {
                    "self" => impl_type(mac.syntax()),
                    var => self.var_type_hint(var, mac.syntax()),
                });
                Some(Target::Field { name, owner })
            } else if before_colons {
                None
            } else if name.starts_with(|c: char| c.is_ascii_uppercase()) {
                Some(self.static_target(&name, mac.syntax()))
            } else if item_level {
                None
            } else {
                let found = locals.entry(t.text()).or_insert_with(|| {
                    match self.lookup_var(&name, mac.syntax(), 0) {
                        Some(Target::Static(_)) | None => None,
                        found => found,
                    }
                });
                found.clone()
            };
            places.extend(target.map(|target| (target, t.text_range())));
        }
        places
    }

    /// Calls in an unknown macro's tokens handed a lock's constructor
    /// (`join!(run(Mutex::new(0)))`): the parameter each one is handed to,
    /// whose lock the rewrite cannot make the constructor follow.
    fn handed_constructors(
        &self,
        tokens: &[ra_ap_syntax::SyntaxToken],
    ) -> Vec<(Target, TextRange)> {
        let mut out = Vec::new();
        for (i, t) in tokens.iter().enumerate() {
            let constructor = t.kind() == SyntaxKind::IDENT
                && self.lock_names.contains(t.text())
                && path_sep_at(tokens, i + 1);
            if !constructor || !self.names_a_lock(tokens, i) {
                continue;
            }
            if let Some(param) = param_handed(tokens, i) {
                out.push((param, t.text_range()));
            }
        }
        out
    }

    /// The path that ends at `tokens[end]` (`Mutex`, `std::sync::Mutex`)
    /// names a std or parking_lot lock.
    fn names_a_lock(&self, tokens: &[ra_ap_syntax::SyntaxToken], end: usize) -> bool {
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
        let full = self
            .imports
            .resolve(&segs, tokens[end].text_range().start());
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

#[cfg(test)]
mod tests {
    use super::super::{facts_of, Target};

    #[test]
    fn a_constructor_in_an_unknown_macro_names_the_parameter_it_is_handed_to() {
        let f = facts_of("use std::sync::{Arc, Mutex};\nasync fn f(s: S) { my_join!(s.run(1, Arc::new(Mutex::new(0))), Store::open(std::sync::Mutex::new(2))); }\n");
        let handed: Vec<&Target> = f
            .macro_uses
            .iter()
            .filter(|m| m.handed_constructor)
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
